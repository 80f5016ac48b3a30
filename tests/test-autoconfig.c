/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-autoconfig.c: finding an address's mail server settings
 *
 * Copyright 2026 The Satchel authors
 *
 * Each source on its own and in their order of trust: the provider
 * database (a list given here, and the one Satchel ships), a domain's
 * autoconfig file from a real HTTP server on loopback, SRV and MX records
 * from a resolver given to the lookup (no DNS server here answers for
 * test domains), and guessing against the real Dovecot and SMTP server.
 */

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "satchel-engine.h"
#include "satchel-test-utils.h"

/* A resolver that answers from tables, for test domains. */

#define TEST_TYPE_RESOLVER (test_resolver_get_type ())
G_DECLARE_FINAL_TYPE (TestResolver, test_resolver, TEST, RESOLVER, GResolver)

struct _TestResolver
{
  GResolver   parent_instance;
  GHashTable *hosts;     /* name -> TRUE: resolves to 127.0.0.1 */
  GHashTable *services;  /* "_imaps._tcp.example.test" -> "host:port" */
  GHashTable *mx;        /* domain -> "host" */
  guint       delay_ms;  /* before each answer */
};

G_DEFINE_FINAL_TYPE (TestResolver, test_resolver, G_TYPE_RESOLVER)

static GList *
names_of (TestResolver *self,
          const char   *name,
          GError      **error)
{
  if (g_hash_table_contains (self->hosts, name) || g_str_equal (name, "localhost"))
    return g_list_prepend (NULL, g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4));
  g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "No host %s here", name);
  return NULL;
}

static GList *
records_of (TestResolver          *self,
            const char            *rrname,
            GResolverRecordType    type,
            GError               **error)
{
  const char *host = type == G_RESOLVER_RECORD_MX ? g_hash_table_lookup (self->mx, rrname) : NULL;

  if (host == NULL)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "No records for %s",
                   rrname);
      return NULL;
    }
  return g_list_prepend (NULL, g_variant_ref_sink (g_variant_new ("(qs)", 10, host)));
}

static GList *
services_of (TestResolver  *self,
             const char    *rrname,
             GError       **error)
{
  const char *target = g_hash_table_lookup (self->services, rrname);
  g_auto(GStrv) parts = NULL;

  if (target == NULL)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "No service %s", rrname);
      return NULL;
    }
  parts = g_strsplit (target, ":", 2);
  return g_list_prepend (NULL, g_srv_target_new (parts[0],
                                                 (guint16) g_ascii_strtoull (parts[1], NULL, 10),
                                                 0, 0));
}

/* Every answer comes from the main loop, after the resolver's delay. */
static void
answer_later (TestResolver *self,
              GTask        *task,
              GList        *list,
              GError       *error,
              GDestroyNotify free_list)
{
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, free_list);
}

static void
free_addresses (GList *list)
{
  g_resolver_free_addresses (list);
}

static void
free_targets (GList *list)
{
  g_resolver_free_targets (list);
}

static void
free_records (GList *list)
{
  g_list_free_full (list, (GDestroyNotify) g_variant_unref);
}

typedef struct
{
  GTask          *task;
  GList          *list;
  GError         *error;
  GDestroyNotify  free_list;
} Delayed;

static gboolean
delayed_cb (gpointer user_data)
{
  Delayed *delayed = user_data;

  answer_later (g_task_get_source_object (delayed->task), delayed->task, delayed->list,
                delayed->error, delayed->free_list);
  g_object_unref (delayed->task);
  g_free (delayed);
  return G_SOURCE_REMOVE;
}

static void
reply (TestResolver        *self,
       GCancellable        *cancellable,
       GAsyncReadyCallback  callback,
       gpointer             user_data,
       GList               *list,
       GError              *error,
       GDestroyNotify       free_list)
{
  Delayed *delayed = g_new0 (Delayed, 1);

  delayed->task = g_task_new (self, cancellable, callback, user_data);
  delayed->list = list;
  delayed->error = error;
  delayed->free_list = free_list;
  g_timeout_add (self->delay_ms, delayed_cb, delayed);
}

static GList *
propagate (GAsyncResult  *result,
           GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static GList *
by_name (GResolver     *resolver,
         const char    *name,
         GCancellable  *cancellable,
         GError       **error)
{
  return names_of (TEST_RESOLVER (resolver), name, error);
}

static void
by_name_async (GResolver           *resolver,
               const char          *name,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GError *error = NULL;
  GList *list = names_of (TEST_RESOLVER (resolver), name, &error);

  reply (TEST_RESOLVER (resolver), cancellable, callback, user_data, list, error,
         (GDestroyNotify) free_addresses);
}

static GList *
by_name_flags (GResolver                *resolver,
               const char               *name,
               GResolverNameLookupFlags  flags,
               GCancellable             *cancellable,
               GError                  **error)
{
  return names_of (TEST_RESOLVER (resolver), name, error);
}

static void
by_name_flags_async (GResolver                *resolver,
                     const char               *name,
                     GResolverNameLookupFlags  flags,
                     GCancellable             *cancellable,
                     GAsyncReadyCallback       callback,
                     gpointer                  user_data)
{
  by_name_async (resolver, name, cancellable, callback, user_data);
}

static GList *
by_name_finish (GResolver     *resolver,
                GAsyncResult  *result,
                GError       **error)
{
  return propagate (result, error);
}

static void
service_async (GResolver           *resolver,
               const char          *rrname,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GError *error = NULL;
  GList *list = services_of (TEST_RESOLVER (resolver), rrname, &error);

  reply (TEST_RESOLVER (resolver), cancellable, callback, user_data, list, error,
         (GDestroyNotify) free_targets);
}

static GList *
service_finish (GResolver     *resolver,
                GAsyncResult  *result,
                GError       **error)
{
  return propagate (result, error);
}

static void
records_async (GResolver           *resolver,
               const char          *rrname,
               GResolverRecordType  type,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GError *error = NULL;
  GList *list = records_of (TEST_RESOLVER (resolver), rrname, type, &error);

  reply (TEST_RESOLVER (resolver), cancellable, callback, user_data, list, error,
         (GDestroyNotify) free_records);
}

static GList *
records_finish (GResolver     *resolver,
                GAsyncResult  *result,
                GError       **error)
{
  return propagate (result, error);
}

static void
test_resolver_finalize (GObject *object)
{
  TestResolver *self = TEST_RESOLVER (object);

  g_hash_table_unref (self->hosts);
  g_hash_table_unref (self->services);
  g_hash_table_unref (self->mx);
  G_OBJECT_CLASS (test_resolver_parent_class)->finalize (object);
}

static void
test_resolver_class_init (TestResolverClass *klass)
{
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_resolver_finalize;
  resolver_class->lookup_by_name = by_name;
  resolver_class->lookup_by_name_async = by_name_async;
  resolver_class->lookup_by_name_finish = by_name_finish;
  resolver_class->lookup_by_name_with_flags = by_name_flags;
  resolver_class->lookup_by_name_with_flags_async = by_name_flags_async;
  resolver_class->lookup_by_name_with_flags_finish = by_name_finish;
  resolver_class->lookup_service_async = service_async;
  resolver_class->lookup_service_finish = service_finish;
  resolver_class->lookup_records_async = records_async;
  resolver_class->lookup_records_finish = records_finish;
}

static void
test_resolver_init (TestResolver *self)
{
  self->hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->services = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->mx = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/* Helpers */

static const char providers_xml[] =
  "<?xml version=\"1.0\"?>\n"
  "<providers>\n"
  " <clientConfig version=\"1.1\">\n"
  "  <emailProvider id=\"gmail.com\">\n"
  "   <domain>gmail.com</domain><domain>googlemail.com</domain>\n"
  "   <displayName>Google Mail</displayName>\n"
  "   <incomingServer type=\"imap\"><hostname>imap.gmail.com</hostname><port>993</port>\n"
  "    <socketType>SSL</socketType><username>%EMAILADDRESS%</username>\n"
  "    <authentication>OAuth2</authentication>\n"
  "    <authentication>password-cleartext</authentication></incomingServer>\n"
  "   <incomingServer type=\"pop3\"><hostname>pop.gmail.com</hostname><port>995</port>\n"
  "    <socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>\n"
  "   <outgoingServer type=\"smtp\"><hostname>smtp.gmail.com</hostname><port>465</port>\n"
  "    <socketType>SSL</socketType><username>%EMAILADDRESS%</username></outgoingServer>\n"
  "  </emailProvider>\n"
  " </clientConfig>\n"
  " <clientConfig version=\"1.1\">\n"
  "  <emailProvider id=\"example.org\">\n"
  "   <domain>Example.ORG</domain>\n"
  "   <displayName>Example Mail</displayName>\n"
  "   <incomingServer type=\"exchange\"><hostname>ews.example.org</hostname>\n"
  "    <port>443</port></incomingServer>\n"
  "   <incomingServer type=\"imap\"><hostname>plain.example.org</hostname><port>143</port>\n"
  "    <socketType>plain</socketType><username>%EMAILLOCALPART%</username></incomingServer>\n"
  "   <incomingServer type=\"imap\"><hostname>mail.example.org</hostname><port>143</port>\n"
  "    <socketType>STARTTLS</socketType><username>%EMAILLOCALPART%</username>\n"
  "    <documentation url=\"http://example.org\"><descr>Anything, long or short</descr>\n"
  "    </documentation></incomingServer>\n"
  "   <outgoingServer type=\"smtp\"><hostname>mail.example.org</hostname><port>587</port>\n"
  "    <socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username></outgoingServer>\n"
  "  </emailProvider>\n"
  " </clientConfig>\n"
  "</providers>\n";

static GPtrArray *
test_providers (void)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *providers = satchel_autoconfig_parse (providers_xml, strlen (providers_xml), &error);

  g_assert_no_error (error);
  return providers;
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static SatchelAutoconfigResult *
look_up (SatchelAutoconfig  *autoconfig,
         const char         *email,
         GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  satchel_autoconfig_lookup_async (autoconfig, email, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return satchel_autoconfig_lookup_finish (autoconfig, result, error);
}

/* An autoconfig with nothing to ask but what a test gives it. */
static SatchelAutoconfig *
new_autoconfig (TestResolver *resolver)
{
  SatchelAutoconfig *autoconfig = satchel_autoconfig_new ();
  g_autoptr(GPtrArray) providers = test_providers ();
  const char *no_urls[] = { NULL };
  const guint16 closed[6] = { 1, 1, 1, 1, 1, 1 };

  satchel_autoconfig_set_providers (autoconfig, providers);
  satchel_autoconfig_set_urls (autoconfig, no_urls);
  satchel_autoconfig_set_resolver (autoconfig, G_RESOLVER (resolver));
  satchel_autoconfig_set_guess_ports (autoconfig, closed);
  satchel_autoconfig_set_timeout (autoconfig, 20);
  return autoconfig;
}

static SatchelServerSetting *
server_at (GPtrArray *servers,
           guint      index)
{
  g_assert_cmpuint (index, <, servers->len);
  return g_ptr_array_index (servers, index);
}

/* The parser */

static void
test_parse (void)
{
  g_autoptr(GPtrArray) providers = test_providers ();
  g_autoptr(SatchelServerSetting) resolved = NULL;
  SatchelProvider *gmail, *example;

  g_assert_cmpuint (providers->len, ==, 2);
  gmail = satchel_providers_find (providers, "GoogleMail.com");
  g_assert_nonnull (gmail);
  g_assert_cmpstr (gmail->display_name, ==, "Google Mail");
  g_assert_cmpuint (gmail->incoming->len, ==, 2);
  g_assert_cmpuint (server_at (gmail->incoming, 0)->type, ==, SATCHEL_SERVER_IMAP);
  g_assert_cmpstr (server_at (gmail->incoming, 0)->hostname, ==, "imap.gmail.com");
  g_assert_cmpuint (server_at (gmail->incoming, 0)->port, ==, 993);
  g_assert_cmpuint (server_at (gmail->incoming, 0)->security, ==, SATCHEL_SECURITY_TLS);
  g_assert_true (server_at (gmail->incoming, 0)->password);
  g_assert_cmpuint (server_at (gmail->incoming, 1)->type, ==, SATCHEL_SERVER_POP3);
  g_assert_cmpstr (server_at (gmail->outgoing, 0)->hostname, ==, "smtp.gmail.com");

  /* Exchange is skipped; the documentation too; names lowercased. */
  example = satchel_providers_find (providers, "example.org");
  g_assert_nonnull (example);
  g_assert_cmpuint (example->incoming->len, ==, 2);
  g_assert_cmpuint (server_at (example->incoming, 1)->security, ==, SATCHEL_SECURITY_STARTTLS);
  resolved = satchel_server_setting_resolve (server_at (example->incoming, 1),
                                             "ada@example.org");
  g_assert_cmpstr (resolved->username, ==, "ada");
  g_assert_null (satchel_providers_find (providers, "example.com"));
}

static void
assert_refused (const char *xml)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) providers = satchel_autoconfig_parse (xml, strlen (xml), &error);

  g_assert_null (providers);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
}

/* Documents from the web are hostile. */
static void
test_parse_hostile (void)
{
  g_autoptr(GString) deep = g_string_new ("<clientConfig>");
  g_autoptr(GString) many = g_string_new ("<providers>");
  g_autofree char *long_host = g_strnfill (300, 'a');
  g_autofree char *with_long_host = NULL;

  assert_refused ("<clientConfig><emailProvider id=\"x\">");
  assert_refused ("not xml at all");
  assert_refused ("<clientConfig><emailProvider><incomingServer type=\"imap\">"
                  "<hostname>h.example</hostname><port>99999</port></incomingServer>"
                  "</emailProvider></clientConfig>");
  assert_refused ("<clientConfig><emailProvider><incomingServer type=\"imap\">"
                  "<hostname>bad host;rm</hostname><port>993</port></incomingServer>"
                  "</emailProvider></clientConfig>");
  assert_refused ("<clientConfig><emailProvider><incomingServer type=\"imap\">"
                  "<port>993</port></incomingServer></emailProvider></clientConfig>");
  assert_refused ("<clientConfig><emailProvider><emailProvider/></emailProvider></clientConfig>");
  with_long_host = g_strdup_printf ("<clientConfig><emailProvider><incomingServer type=\"imap\">"
                                    "<hostname>%s</hostname><port>993</port></incomingServer>"
                                    "</emailProvider></clientConfig>", long_host);
  assert_refused (with_long_host);
  for (int i = 0; i < 100; i++)
    g_string_append (deep, "<documentation>");
  assert_refused (deep->str);
  for (int i = 0; i < 1001; i++)
    g_string_append (many, "<clientConfig><emailProvider id=\"x\"/></clientConfig>");
  g_string_append (many, "</providers>");
  assert_refused (many->str);
}

/* The database Satchel ships: readable, large, every provider complete,
 * nothing unencrypted but what runs on this computer. */
static void
test_shipped (void)
{
  GPtrArray *providers = satchel_autoconfig_shipped_providers ();
  guint domains = 0;
  const char *wanted[] = { "gmail.com", "outlook.com", "hotmail.com", "yahoo.com", "icloud.com",
                           "aol.com", "gmx.net", "web.de", "mail.ru", "yandex.ru", "zoho.com",
                           "fastmail.com", "posteo.de", "mailbox.org", "proton.me",
                           "t-online.de", "orange.fr", "libero.it" };

  g_assert_cmpuint (providers->len, >=, 30);
  for (guint i = 0; i < G_N_ELEMENTS (wanted); i++)
    if (satchel_providers_find (providers, wanted[i]) == NULL)
      g_error ("The shipped providers do not know %s", wanted[i]);
  for (guint i = 0; i < providers->len; i++)
    {
      SatchelProvider *provider = g_ptr_array_index (providers, i);

      domains += provider->domains->len;
      g_assert_cmpuint (provider->domains->len, >, 0);
      g_assert_cmpuint (provider->incoming->len, >, 0);
      g_assert_cmpuint (provider->outgoing->len, >, 0);
      for (guint j = 0; j < provider->incoming->len + provider->outgoing->len; j++)
        {
          SatchelServerSetting *server = j < provider->incoming->len
                                         ? server_at (provider->incoming, j)
                                         : server_at (provider->outgoing,
                                                      j - provider->incoming->len);

          if (server->security == SATCHEL_SECURITY_NONE &&
              !g_str_equal (server->hostname, "127.0.0.1"))
            g_error ("%s offers %s without encryption", provider->id, server->hostname);
        }
    }
  g_test_message ("%u providers, %u domains", providers->len, domains);
}

/* The sources */

static void
test_providers_first (void)
{
  g_autoptr(TestResolver) resolver = g_object_new (TEST_TYPE_RESOLVER, NULL);
  g_autoptr(SatchelAutoconfig) autoconfig = new_autoconfig (resolver);
  g_autoptr(SatchelAutoconfigResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* The DNS says otherwise; the database is trusted more. */
  g_hash_table_insert (resolver->services, g_strdup ("_imaps._tcp.example.org"),
                       g_strdup ("elsewhere.example.org:993"));
  result = look_up (autoconfig, "ada@example.org", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->source, ==, SATCHEL_AUTOCONFIG_PROVIDERS);
  g_assert_cmpstr (result->provider, ==, "Example Mail");
  /* Only encrypted settings: the plain one is left out. */
  g_assert_cmpuint (result->incoming->len, ==, 1);
  g_assert_cmpstr (server_at (result->incoming, 0)->hostname, ==, "mail.example.org");
  g_assert_cmpstr (server_at (result->incoming, 0)->username, ==, "ada");
  g_assert_cmpstr (server_at (result->outgoing, 0)->username, ==, "ada@example.org");
}

/* A web server on loopback with a domain's autoconfig file, which
 * answers after @delay_ms. */
typedef struct
{
  SoupServer *server;
  guint       delay_ms;
  guint       requests;
  char       *url;
} Web;

static void
web_cb (SoupServer        *server,
        SoupServerMessage *message,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  static const char body[] =
    "<clientConfig version=\"1.1\"><emailProvider id=\"web.test\"><domain>web.test</domain>"
    "<displayName>Web Test Mail</displayName>"
    "<incomingServer type=\"imap\"><hostname>imap.web.test</hostname><port>993</port>"
    "<socketType>SSL</socketType><username>%EMAILLOCALPART%</username></incomingServer>"
    "<outgoingServer type=\"smtp\"><hostname>smtp.web.test</hostname><port>465</port>"
    "<socketType>SSL</socketType><username>%EMAILLOCALPART%</username></outgoingServer>"
    "</emailProvider></clientConfig>";
  Web *web = user_data;

  web->requests++;
  if (!g_str_equal (path, "/web.test/mail/config-v1.1.xml"))
    {
      soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "text/xml", SOUP_MEMORY_STATIC, body,
                                    strlen (body));
  /* Slow, without holding up the rest of the main loop. */
  if (web->delay_ms > 0)
    {
      soup_server_message_pause (message);
      g_timeout_add_once (web->delay_ms, (GSourceOnceFunc) soup_server_message_unpause,
                          message);
    }
}

static void
web_start (Web *web)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  web->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (web->server, NULL, web_cb, web, NULL);
  g_assert_true (soup_server_listen_local (web->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (web->server);
  web->url = g_strdup_printf ("http://127.0.0.1:%d/{domain}/mail/config-v1.1.xml",
                              g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
web_stop (Web *web)
{
  g_clear_object (&web->server);
  g_free (web->url);
}

static void
test_domain_file (void)
{
  g_autoptr(TestResolver) resolver = g_object_new (TEST_TYPE_RESOLVER, NULL);
  g_autoptr(SatchelAutoconfig) autoconfig = new_autoconfig (resolver);
  g_autoptr(SatchelAutoconfigResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Web web = { 0 };

  web_start (&web);
  /* The first place has nothing; the second has it. The SRV records,
   * which come faster, are trusted less. */
  {
    g_autofree char *missing = g_strdup_printf ("%s.missing", web.url);
    const char *urls[] = { missing, web.url, NULL };

    satchel_autoconfig_set_urls (autoconfig, urls);
  }
  g_hash_table_insert (resolver->services, g_strdup ("_imaps._tcp.web.test"),
                       g_strdup ("srv.web.test:993"));
  g_hash_table_insert (resolver->services, g_strdup ("_submissions._tcp.web.test"),
                       g_strdup ("srv.web.test:465"));
  web.delay_ms = 300;
  result = look_up (autoconfig, "bob@web.test", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->source, ==, SATCHEL_AUTOCONFIG_DOMAIN);
  g_assert_cmpuint (web.requests, ==, 2);
  g_assert_cmpstr (result->provider, ==, "Web Test Mail");
  g_assert_cmpstr (server_at (result->incoming, 0)->hostname, ==, "imap.web.test");
  g_assert_cmpstr (server_at (result->incoming, 0)->username, ==, "bob");
  g_assert_cmpstr (server_at (result->outgoing, 0)->hostname, ==, "smtp.web.test");
  web_stop (&web);
}

static void
test_srv (void)
{
  g_autoptr(TestResolver) resolver = g_object_new (TEST_TYPE_RESOLVER, NULL);
  g_autoptr(SatchelAutoconfig) autoconfig = new_autoconfig (resolver);
  g_autoptr(SatchelAutoconfigResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_hash_table_insert (resolver->services, g_strdup ("_imap._tcp.srv.test"),
                       g_strdup ("mail.srv.test.:143"));
  g_hash_table_insert (resolver->services, g_strdup ("_imaps._tcp.srv.test"),
                       g_strdup ("imap.srv.test:993"));
  g_hash_table_insert (resolver->services, g_strdup ("_pop3._tcp.srv.test"),
                       g_strdup (".:0"));
  g_hash_table_insert (resolver->services, g_strdup ("_submission._tcp.srv.test"),
                       g_strdup ("smtp.srv.test:587"));
  result = look_up (autoconfig, "cy@srv.test", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->source, ==, SATCHEL_AUTOCONFIG_SRV);
  /* Implicit TLS first (RFC 8314), then STARTTLS; no POP3 ("."). */
  g_assert_cmpuint (result->incoming->len, ==, 2);
  g_assert_cmpstr (server_at (result->incoming, 0)->hostname, ==, "imap.srv.test");
  g_assert_cmpuint (server_at (result->incoming, 0)->security, ==, SATCHEL_SECURITY_TLS);
  g_assert_cmpstr (server_at (result->incoming, 1)->hostname, ==, "mail.srv.test");
  g_assert_cmpuint (server_at (result->incoming, 1)->security, ==, SATCHEL_SECURITY_STARTTLS);
  g_assert_cmpuint (server_at (result->outgoing, 0)->port, ==, 587);
  g_assert_cmpstr (server_at (result->outgoing, 0)->username, ==, "cy@srv.test");
}

static void
test_mx (void)
{
  g_autoptr(TestResolver) resolver = g_object_new (TEST_TYPE_RESOLVER, NULL);
  g_autoptr(SatchelAutoconfig) autoconfig = new_autoconfig (resolver);
  g_autoptr(SatchelAutoconfigResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* A domain whose mail Google receives is Google's. */
  g_hash_table_insert (resolver->mx, g_strdup ("company.test"),
                       g_strdup ("ALT1.ASPMX.L.GOOGLE.COM."));
  result = look_up (autoconfig, "dan@company.test", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->source, ==, SATCHEL_AUTOCONFIG_MX);
  g_assert_cmpstr (result->provider, ==, "Google Mail");
  g_assert_cmpstr (server_at (result->incoming, 0)->hostname, ==, "imap.gmail.com");
  g_assert_cmpstr (server_at (result->incoming, 0)->username, ==, "dan@company.test");
}

static void
test_nothing (void)
{
  g_autoptr(TestResolver) resolver = g_object_new (TEST_TYPE_RESOLVER, NULL);
  g_autoptr(SatchelAutoconfig) autoconfig = new_autoconfig (resolver);
  g_autoptr(SatchelAutoconfigResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = look_up (autoconfig, "erin@nowhere.test", &error);
  g_assert_null (result);
  g_assert_error (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_RESOLVE);
  g_assert_nonnull (strstr (error->message, "nowhere.test"));
  g_clear_error (&error);
  result = look_up (autoconfig, "not an address", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

/* Guessing, against the real servers: imap., pop3. and smtp. of the
 * domain lead to them (the resolver says so), on their ports. */
static void
test_guess (void)
{
  g_autoptr(TestResolver) resolver = NULL;
  g_autoptr(SatchelAutoconfig) autoconfig = NULL;
  g_autoptr(SatchelAutoconfigResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GResolver) previous = NULL;
  guint16 ports[6];
  const char *names[] = { "SATCHEL_TEST_IMAPS_PORT", "SATCHEL_TEST_IMAP_PORT",
                          "SATCHEL_TEST_POP3S_PORT", "SATCHEL_TEST_POP3_PORT",
                          "SATCHEL_TEST_SMTPS_PORT", "SATCHEL_TEST_SMTP_PORT" };

  if (!satchel_test_require_servers ())
    return;
  resolver = g_object_new (TEST_TYPE_RESOLVER, NULL);
  autoconfig = new_autoconfig (resolver);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    ports[i] = (guint16) g_ascii_strtoull (g_getenv (names[i]), NULL, 10);
  satchel_autoconfig_set_guess_ports (autoconfig, ports);
  satchel_autoconfig_set_ca_file (autoconfig, g_getenv ("SATCHEL_TEST_CA"));
  /* There is no imap. here: mail. answers for IMAP. */
  g_hash_table_add (resolver->hosts, g_strdup ("mail.guess.test"));
  g_hash_table_add (resolver->hosts, g_strdup ("pop3.guess.test"));
  g_hash_table_add (resolver->hosts, g_strdup ("smtp.guess.test"));
  /* Connections find hosts through the default resolver. */
  previous = g_resolver_get_default ();
  g_resolver_set_default (G_RESOLVER (resolver));
  result = look_up (autoconfig, "fay@guess.test", &error);
  g_resolver_set_default (previous);
  g_assert_no_error (error);
  g_assert_cmpuint (result->source, ==, SATCHEL_AUTOCONFIG_GUESS);
  g_assert_cmpuint (result->incoming->len, ==, 2);
  g_assert_cmpstr (server_at (result->incoming, 0)->hostname, ==, "mail.guess.test");
  g_assert_cmpuint (server_at (result->incoming, 0)->port, ==, ports[0]);
  g_assert_cmpuint (server_at (result->incoming, 0)->security, ==, SATCHEL_SECURITY_TLS);
  g_assert_cmpuint (server_at (result->incoming, 1)->type, ==, SATCHEL_SERVER_POP3);
  g_assert_cmpstr (server_at (result->incoming, 1)->hostname, ==, "pop3.guess.test");
  g_assert_cmpstr (server_at (result->outgoing, 0)->hostname, ==, "smtp.guess.test");
  g_assert_cmpuint (server_at (result->outgoing, 0)->port, ==, ports[4]);
  g_assert_cmpstr (server_at (result->outgoing, 0)->username, ==, "fay@guess.test");
}

int
main (int   argc,
      char *argv[])
{
  satchel_test_init (&argc, &argv);

  g_test_add_func ("/autoconfig/parse", test_parse);
  g_test_add_func ("/autoconfig/parse-hostile", test_parse_hostile);
  g_test_add_func ("/autoconfig/shipped", test_shipped);
  g_test_add_func ("/autoconfig/providers-first", test_providers_first);
  g_test_add_func ("/autoconfig/domain-file", test_domain_file);
  g_test_add_func ("/autoconfig/srv", test_srv);
  g_test_add_func ("/autoconfig/mx", test_mx);
  g_test_add_func ("/autoconfig/nothing", test_nothing);
  g_test_add_func ("/autoconfig/guess", test_guess);
  return g_test_run ();
}
