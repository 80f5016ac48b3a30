/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-autoconfig.c: finding an address's mail server settings
 *
 * Copyright 2026 The Satchel authors
 *
 * All sources are asked at once, and the first complete answer in their
 * order of trust wins, as soon as every source before it has failed:
 *
 *  1. the provider database Satchel ships (data/autoconfig/providers.xml);
 *  2. the domain's own autoconfig file, https://autoconfig.DOMAIN/mail/
 *     config-v1.1.xml, then https://DOMAIN/.well-known/autoconfig/mail/
 *     config-v1.1.xml (libsoup);
 *  3. the domain's SRV records for _imaps, _imap, _pop3s, _pop3,
 *     _submissions and _submission over TCP (RFC 6186, RFC 8314);
 *  4. the provider of the host that receives the domain's mail (MX), when
 *     the database knows it;
 *  5. imap., mail., pop3., pop. and smtp. of the domain on the standard
 *     ports, each tried as the account would connect (TLS or STARTTLS
 *     with the protocol's own greeting and capabilities): the first that
 *     answers, in that order, for each kind of server.
 *
 * An answer is complete with an incoming and an outgoing server. Settings
 * without encryption are proposed only when a source has nothing else.
 * What to ask (the database, the URLs, the resolver, the ports guessed)
 * can be given, for the tests.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "model/satchel-account.h"
#include "net/satchel-net-error.h"
#include "satchel-engine-resources.h"
#include "sync/satchel-autoconfig.h"
#include "sync/satchel-login-check.h"

#define DEFAULT_TIMEOUT  20        /* seconds for the whole lookup */
#define MAX_HTTP_BODY    (1024 * 1024)
#define PROVIDERS_PATH   "/io/github/satchelmail/Satchel/engine/autoconfig/providers.xml"

enum { GUESS_IMAPS, GUESS_IMAP, GUESS_POP3S, GUESS_POP3, GUESS_SMTPS, GUESS_SUBMISSION, N_PORTS };

static const guint16 standard_ports[N_PORTS] = { 993, 143, 995, 110, 465, 587 };

struct _SatchelAutoconfig
{
  GObject parent_instance;

  /* Owned */
  GPtrArray   *providers;   /* SatchelProvider */
  GStrv        urls;        /* templates: {domain} and {address} stand for them */
  GResolver   *resolver;
  SoupSession *session;
  char        *ca_file;

  guint16      ports[N_PORTS];
  guint        timeout;
};

G_DEFINE_FINAL_TYPE (SatchelAutoconfig, satchel_autoconfig, G_TYPE_OBJECT)

enum
{
  SIGNAL_SOURCE_DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* A server tried by guessing. */
typedef struct
{
  SatchelServerSetting *setting;
  gboolean              finished;
  gboolean              answers;
} Guess;

/* One request of a source, when the source makes several: its lookup
 * and which request it is. */
typedef struct
{
  GTask *task;
  guint  index;
} Step;

static Step *
step_new (GTask *task,
          guint  index)
{
  Step *step = g_new (Step, 1);

  step->task = g_object_ref (task);
  step->index = index;
  return step;
}

static void
step_free (Step *step)
{
  g_object_unref (step->task);
  g_free (step);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Step, step_free)

typedef struct
{
  char                    *email;
  char                    *domain;
  GCancellable            *cancellable;   /* the sources'; cancelled when the lookup ends */
  GCancellable            *caller;
  gulong                   caller_id;
  guint                    timeout_id;
  SatchelAutoconfigResult *answers[SATCHEL_AUTOCONFIG_N_SOURCES];
  gboolean                 finished[SATCHEL_AUTOCONFIG_N_SOURCES];
  guint                    url;           /* the next URL to ask */
  guint                    srv_left;
  SatchelServerSetting    *srv[6];        /* per service, in the order of srv_services */
  GPtrArray               *guesses;       /* Guess */
} Lookup;

static const struct
{
  const char        *service;
  SatchelServerType  type;
  SatchelSecurity    security;
} srv_services[] = {
  { "imaps", SATCHEL_SERVER_IMAP, SATCHEL_SECURITY_TLS },
  { "imap", SATCHEL_SERVER_IMAP, SATCHEL_SECURITY_STARTTLS },
  { "pop3s", SATCHEL_SERVER_POP3, SATCHEL_SECURITY_TLS },
  { "pop3", SATCHEL_SERVER_POP3, SATCHEL_SECURITY_STARTTLS },
  { "submissions", SATCHEL_SERVER_SMTP, SATCHEL_SECURITY_TLS },
  { "submission", SATCHEL_SERVER_SMTP, SATCHEL_SECURITY_STARTTLS },
};

static void decide (GTask *task);

void
satchel_autoconfig_result_free (SatchelAutoconfigResult *result)
{
  if (result == NULL)
    return;
  g_free (result->provider);
  g_clear_pointer (&result->incoming, g_ptr_array_unref);
  g_clear_pointer (&result->outgoing, g_ptr_array_unref);
  g_free (result);
}

static void
guess_free (Guess *guess)
{
  satchel_server_setting_free (guess->setting);
  g_free (guess);
}

static void
lookup_free (Lookup *lookup)
{
  g_cancellable_cancel (lookup->cancellable);
  if (lookup->caller_id != 0)
    g_cancellable_disconnect (lookup->caller, lookup->caller_id);
  g_clear_object (&lookup->caller);
  g_clear_object (&lookup->cancellable);
  g_clear_handle_id (&lookup->timeout_id, g_source_remove);
  for (guint i = 0; i < SATCHEL_AUTOCONFIG_N_SOURCES; i++)
    satchel_autoconfig_result_free (lookup->answers[i]);
  for (guint i = 0; i < G_N_ELEMENTS (lookup->srv); i++)
    satchel_server_setting_free (lookup->srv[i]);
  g_clear_pointer (&lookup->guesses, g_ptr_array_unref);
  g_free (lookup->email);
  g_free (lookup->domain);
  g_free (lookup);
}

/**
 * satchel_autoconfig_source_name:
 *
 * Returns: where settings came from, in words for the user
 */
const char *
satchel_autoconfig_source_name (SatchelAutoconfigSource source)
{
  switch (source)
    {
    case SATCHEL_AUTOCONFIG_PROVIDERS:
      return _("Satchel’s list of providers");
    case SATCHEL_AUTOCONFIG_DOMAIN:
      return _("the domain’s own settings");
    case SATCHEL_AUTOCONFIG_SRV:
      return _("the domain’s DNS records");
    case SATCHEL_AUTOCONFIG_MX:
      return _("the provider that receives the domain’s mail");
    case SATCHEL_AUTOCONFIG_GUESS:
      return _("the servers that answered");
    case SATCHEL_AUTOCONFIG_N_SOURCES:
    default:
      return "";
    }
}

/* Encrypted before plain; otherwise as the source ordered them. */
static int
compare_security (gconstpointer a,
                  gconstpointer b)
{
  const SatchelServerSetting *x = *(SatchelServerSetting * const *) a;
  const SatchelServerSetting *y = *(SatchelServerSetting * const *) b;

  return (x->security == SATCHEL_SECURITY_NONE) - (y->security == SATCHEL_SECURITY_NONE);
}

/* The servers of @settings for @email: plain ones only when there is no
 * other. */
static GPtrArray *
resolve_all (GPtrArray  *settings,
             const char *email)
{
  GPtrArray *resolved = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_server_setting_free);
  gboolean encrypted = FALSE;

  for (guint i = 0; i < settings->len; i++)
    encrypted |= ((SatchelServerSetting *) g_ptr_array_index (settings, i))->security !=
                 SATCHEL_SECURITY_NONE;
  for (guint i = 0; i < settings->len; i++)
    {
      SatchelServerSetting *setting = g_ptr_array_index (settings, i);

      if (encrypted && setting->security == SATCHEL_SECURITY_NONE)
        continue;
      g_ptr_array_add (resolved, satchel_server_setting_resolve (setting, email));
    }
  g_ptr_array_sort (resolved, compare_security);
  return resolved;
}

static SatchelAutoconfigResult *
result_of_provider (SatchelAutoconfigSource  source,
                    const SatchelProvider   *provider,
                    const char              *email)
{
  SatchelAutoconfigResult *result = g_new0 (SatchelAutoconfigResult, 1);

  result->source = source;
  result->provider = g_strdup (provider->display_name);
  result->incoming = resolve_all (provider->incoming, email);
  result->outgoing = resolve_all (provider->outgoing, email);
  return result;
}

/* A source has spoken: @result or nothing. */
static void
source_done (GTask                   *task,
             SatchelAutoconfigSource  source,
             SatchelAutoconfigResult *result)
{
  Lookup *lookup = g_task_get_task_data (task);

  if (g_task_get_completed (task) || lookup->finished[source])
    {
      satchel_autoconfig_result_free (result);
      return;
    }
  lookup->finished[source] = TRUE;
  if (result != NULL && result->incoming->len == 0)
    g_clear_pointer (&result, satchel_autoconfig_result_free);
  lookup->answers[source] = result;
  g_signal_emit (g_task_get_source_object (task), signals[SIGNAL_SOURCE_DONE], 0, source,
                 result != NULL);
  decide (task);
}

/* The first answer in the order of trust, once all before it failed; a
 * complete one (with an outgoing server too) before one without. */
static void
decide (GTask *task)
{
  Lookup *lookup = g_task_get_task_data (task);
  SatchelAutoconfigResult *partial = NULL;

  if (g_task_get_completed (task))
    return;
  for (guint s = 0; s < SATCHEL_AUTOCONFIG_N_SOURCES; s++)
    {
      if (!lookup->finished[s])
        return;
      if (lookup->answers[s] != NULL && lookup->answers[s]->outgoing->len > 0)
        {
          g_task_return_pointer (task, g_steal_pointer (&lookup->answers[s]),
                                 (GDestroyNotify) satchel_autoconfig_result_free);
          g_cancellable_cancel (lookup->cancellable);
          return;
        }
      if (partial == NULL && lookup->answers[s] != NULL)
        partial = lookup->answers[s];
    }
  if (partial != NULL)
    {
      g_task_return_pointer (task, g_steal_pointer (&lookup->answers[partial->source]),
                             (GDestroyNotify) satchel_autoconfig_result_free);
      return;
    }
  g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_RESOLVE,
                           _("No mail settings were found for %s."), lookup->domain);
}

/* The database */

/**
 * satchel_autoconfig_shipped_providers:
 *
 * Returns: (transfer none) (element-type SatchelProvider): the providers
 *   Satchel ships, read once
 */
GPtrArray *
satchel_autoconfig_shipped_providers (void)
{
  static GPtrArray *providers;

  if (g_once_init_enter (&providers))
    {
      g_autoptr(GBytes) xml = g_resource_lookup_data (satchel_engine_get_resource (),
                                                      PROVIDERS_PATH,
                                                      G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
      g_autoptr(GError) error = NULL;
      GPtrArray *parsed = NULL;

      if (xml != NULL)
        parsed = satchel_autoconfig_parse (g_bytes_get_data (xml, NULL), g_bytes_get_size (xml),
                                           &error);
      if (parsed == NULL)
        {
          g_warning ("The provider database is unreadable: %s",
                     error != NULL ? error->message : "missing");
          parsed = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_provider_free);
        }
      g_once_init_leave (&providers, parsed);
    }
  return providers;
}

static void
ask_providers (GTask *task)
{
  SatchelAutoconfig *self = g_task_get_source_object (task);
  Lookup *lookup = g_task_get_task_data (task);
  SatchelProvider *provider = satchel_providers_find (self->providers, lookup->domain);

  source_done (task, SATCHEL_AUTOCONFIG_PROVIDERS,
               provider != NULL ? result_of_provider (SATCHEL_AUTOCONFIG_PROVIDERS, provider,
                                                      lookup->email)
                                : NULL);
}

/* The domain's autoconfig file */

static void ask_next_url (GTask *task);

typedef struct
{
  GTask      *task;
  GByteArray *body;
} Download;

static void
download_free (Download *download)
{
  g_clear_object (&download->task);
  g_clear_pointer (&download->body, g_byte_array_unref);
  g_free (download);
}

static void
read_body_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Download *download = user_data;
  GTask *task = download->task;
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr(GBytes) chunk = NULL;
  g_autoptr(GError) error = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (chunk == NULL || download->body->len + g_bytes_get_size (chunk) > MAX_HTTP_BODY)
    {
      download_free (download);
      ask_next_url (task);
      return;
    }
  if (g_bytes_get_size (chunk) > 0)
    {
      g_byte_array_append (download->body, g_bytes_get_data (chunk, NULL),
                           g_bytes_get_size (chunk));
      g_input_stream_read_bytes_async (G_INPUT_STREAM (source), 64 * 1024, G_PRIORITY_DEFAULT,
                                       lookup->cancellable, read_body_cb, download);
      return;
    }

  {
    g_autoptr(GPtrArray) providers = satchel_autoconfig_parse ((const char *) download->body->data,
                                                               download->body->len, NULL);
    SatchelProvider *provider = providers != NULL
                                ? satchel_providers_find (providers, lookup->domain) : NULL;

    /* A domain's file may name no domain, or another (a hosting company's). */
    if (provider == NULL && providers != NULL && providers->len > 0)
      provider = g_ptr_array_index (providers, 0);
    if (provider == NULL || provider->incoming->len == 0)
      {
        download_free (download);
        ask_next_url (task);
        return;
      }
    source_done (task, SATCHEL_AUTOCONFIG_DOMAIN,
                 result_of_provider (SATCHEL_AUTOCONFIG_DOMAIN, provider, lookup->email));
    download_free (download);
  }
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  Download *download;

  stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (stream == NULL || soup_message_get_status (message) != SOUP_STATUS_OK)
    {
      ask_next_url (task);
      return;
    }
  download = g_new0 (Download, 1);
  download->task = g_steal_pointer (&task);
  download->body = g_byte_array_new ();
  g_input_stream_read_bytes_async (stream, 64 * 1024, G_PRIORITY_DEFAULT, lookup->cancellable,
                                   read_body_cb, download);
}

static void
ask_next_url (GTask *task)
{
  SatchelAutoconfig *self = g_task_get_source_object (task);
  Lookup *lookup = g_task_get_task_data (task);
  g_autofree char *address = NULL;
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) message = NULL;

  if (g_task_get_completed (task) || self->urls == NULL || self->urls[lookup->url] == NULL)
    {
      source_done (task, SATCHEL_AUTOCONFIG_DOMAIN, NULL);
      return;
    }
  address = g_uri_escape_string (lookup->email, NULL, FALSE);
  {
    g_autoptr(GString) filled = g_string_new (self->urls[lookup->url++]);

    g_string_replace (filled, "{domain}", lookup->domain, 0);
    g_string_replace (filled, "{address}", address, 0);
    url = g_string_free (g_steal_pointer (&filled), FALSE);
  }
  message = soup_message_new (SOUP_METHOD_GET, url);
  if (message == NULL)
    {
      ask_next_url (task);
      return;
    }
  soup_session_send_async (self->session, message, G_PRIORITY_DEFAULT, lookup->cancellable,
                           sent_cb, g_object_ref (task));
}

/* SRV records */

static void
service_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Step) step = user_data;
  GTask *task = step->task;
  Lookup *lookup = g_task_get_task_data (task);
  GList *targets = g_resolver_lookup_service_finish (G_RESOLVER (source), result, NULL);
  SatchelAutoconfigResult *answer;

  /* The first target that offers the service ("." says it is not
   * offered: RFC 2782). */
  for (GList *l = targets; l != NULL && lookup->srv[step->index] == NULL; l = l->next)
    {
      g_autofree char *host = g_ascii_strdown (g_srv_target_get_hostname (l->data), -1);
      SatchelServerSetting *setting;

      if (g_str_has_suffix (host, "."))
        host[strlen (host) - 1] = '\0';
      if (host[0] == '\0' || g_srv_target_get_port (l->data) == 0)
        continue;
      setting = g_new0 (SatchelServerSetting, 1);
      setting->type = srv_services[step->index].type;
      setting->security = srv_services[step->index].security;
      setting->hostname = g_steal_pointer (&host);
      setting->port = g_srv_target_get_port (l->data);
      setting->username = g_strdup ("%EMAILADDRESS%");
      setting->password = TRUE;
      lookup->srv[step->index] = setting;
    }
  g_resolver_free_targets (targets);
  if (--lookup->srv_left > 0)
    return;

  answer = g_new0 (SatchelAutoconfigResult, 1);
  answer->source = SATCHEL_AUTOCONFIG_SRV;
  answer->incoming = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_server_setting_free);
  answer->outgoing = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_server_setting_free);
  for (guint i = 0; i < G_N_ELEMENTS (srv_services); i++)
    if (lookup->srv[i] != NULL)
      g_ptr_array_add (srv_services[i].type == SATCHEL_SERVER_SMTP ? answer->outgoing
                                                                   : answer->incoming,
                       satchel_server_setting_resolve (lookup->srv[i], lookup->email));
  source_done (task, SATCHEL_AUTOCONFIG_SRV, answer);
}

static void
ask_srv (GTask *task)
{
  SatchelAutoconfig *self = g_task_get_source_object (task);
  Lookup *lookup = g_task_get_task_data (task);

  lookup->srv_left = G_N_ELEMENTS (srv_services);
  for (guint i = 0; i < G_N_ELEMENTS (srv_services); i++)
    g_resolver_lookup_service_async (self->resolver, srv_services[i].service, "tcp",
                                     lookup->domain, lookup->cancellable, service_cb,
                                     step_new (task, i));
}

/* The MX host's provider */

/* The provider of a mail host: the database's, for the host's domain or
 * one of its parents ("alt1.aspmx.l.google.com" is Google's). */
static SatchelProvider *
provider_of_host (GPtrArray  *providers,
                  const char *host)
{
  static const struct { const char *suffix; const char *domain; } known[] = {
    { "google.com", "gmail.com" },
    { "googlemail.com", "gmail.com" },
    { "yahoodns.net", "yahoo.com" },
    { "protection.outlook.com", "outlook.com" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    if (g_str_has_suffix (host, known[i].suffix) &&
        (strlen (host) == strlen (known[i].suffix) ||
         host[strlen (host) - strlen (known[i].suffix) - 1] == '.'))
      return satchel_providers_find (providers, known[i].domain);
  for (const char *p = host; p != NULL && strchr (p, '.') != NULL; p = strchr (p, '.') + 1)
    {
      SatchelProvider *provider = satchel_providers_find (providers, p);

      if (provider != NULL)
        return provider;
    }
  return NULL;
}

static void
mx_cb (GObject      *source,
       GAsyncResult *result,
       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SatchelAutoconfig *self = g_task_get_source_object (task);
  Lookup *lookup = g_task_get_task_data (task);
  GList *records = g_resolver_lookup_records_finish (G_RESOLVER (source), result, NULL);
  SatchelProvider *best = NULL;
  guint16 best_preference = G_MAXUINT16;

  for (GList *l = records; l != NULL; l = l->next)
    {
      guint16 preference = 0;
      const char *host = NULL;
      g_autofree char *lower = NULL;
      SatchelProvider *provider;

      if (!g_variant_is_of_type (l->data, G_VARIANT_TYPE ("(qs)")))
        continue;
      g_variant_get (l->data, "(q&s)", &preference, &host);
      lower = g_ascii_strdown (host, -1);
      if (g_str_has_suffix (lower, "."))
        lower[strlen (lower) - 1] = '\0';
      provider = provider_of_host (self->providers, lower);
      if (provider != NULL && preference < best_preference)
        {
          best = provider;
          best_preference = preference;
        }
    }
  g_list_free_full (records, (GDestroyNotify) g_variant_unref);
  source_done (task, SATCHEL_AUTOCONFIG_MX,
               best != NULL ? result_of_provider (SATCHEL_AUTOCONFIG_MX, best, lookup->email)
                            : NULL);
}

static void
ask_mx (GTask *task)
{
  SatchelAutoconfig *self = g_task_get_source_object (task);
  Lookup *lookup = g_task_get_task_data (task);

  g_resolver_lookup_records_async (self->resolver, lookup->domain, G_RESOLVER_RECORD_MX,
                                   lookup->cancellable, mx_cb, g_object_ref (task));
}

/* Guessing */

static void
add_guess (Lookup            *lookup,
           const char        *prefix,
           SatchelServerType  type,
           guint16            port,
           SatchelSecurity    security)
{
  Guess *guess = g_new0 (Guess, 1);

  guess->setting = g_new0 (SatchelServerSetting, 1);
  guess->setting->type = type;
  guess->setting->hostname = g_strconcat (prefix, ".", lookup->domain, NULL);
  guess->setting->port = port;
  guess->setting->security = security;
  guess->setting->username = g_strdup ("%EMAILADDRESS%");
  guess->setting->password = TRUE;
  g_ptr_array_add (lookup->guesses, guess);
}

/* For each kind of server, the first guess in order that answered, once
 * every guess before it has failed. */
static void
guesses_decide (GTask *task)
{
  Lookup *lookup = g_task_get_task_data (task);
  SatchelAutoconfigResult *answer;
  const SatchelServerType kinds[] = { SATCHEL_SERVER_IMAP, SATCHEL_SERVER_POP3,
                                      SATCHEL_SERVER_SMTP };
  Guess *chosen[G_N_ELEMENTS (kinds)] = { NULL };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      gboolean waiting = FALSE;

      for (guint i = 0; i < lookup->guesses->len && chosen[k] == NULL && !waiting; i++)
        {
          Guess *guess = g_ptr_array_index (lookup->guesses, i);

          if (guess->setting->type != kinds[k])
            continue;
          if (!guess->finished)
            waiting = TRUE;
          else if (guess->answers)
            chosen[k] = guess;
        }
      if (waiting)
        return;
    }
  answer = g_new0 (SatchelAutoconfigResult, 1);
  answer->source = SATCHEL_AUTOCONFIG_GUESS;
  answer->incoming = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_server_setting_free);
  answer->outgoing = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_server_setting_free);
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    if (chosen[k] != NULL)
      g_ptr_array_add (kinds[k] == SATCHEL_SERVER_SMTP ? answer->outgoing : answer->incoming,
                       satchel_server_setting_resolve (chosen[k]->setting, lookup->email));
  source_done (task, SATCHEL_AUTOCONFIG_GUESS, answer);
}

static void
probed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Step) step = user_data;
  GTask *task = step->task;
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr(SatchelCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  Guess *guess;

  certificate = satchel_certificate_probe_finish (result, &error);
  if (g_task_get_completed (task) || lookup->finished[SATCHEL_AUTOCONFIG_GUESS])
    return;
  guess = g_ptr_array_index (lookup->guesses, step->index);
  guess->finished = TRUE;
  /* A certificate, trusted or not: the server spoke its protocol and TLS
   * there. Whether to trust it is for the checking that follows. */
  guess->answers = certificate != NULL;
  guesses_decide (task);
}

static void
ask_guesses (GTask *task)
{
  SatchelAutoconfig *self = g_task_get_source_object (task);
  Lookup *lookup = g_task_get_task_data (task);

  lookup->guesses = g_ptr_array_new_with_free_func ((GDestroyNotify) guess_free);
  add_guess (lookup, "imap", SATCHEL_SERVER_IMAP, self->ports[GUESS_IMAPS], SATCHEL_SECURITY_TLS);
  add_guess (lookup, "imap", SATCHEL_SERVER_IMAP, self->ports[GUESS_IMAP],
             SATCHEL_SECURITY_STARTTLS);
  add_guess (lookup, "mail", SATCHEL_SERVER_IMAP, self->ports[GUESS_IMAPS], SATCHEL_SECURITY_TLS);
  add_guess (lookup, "mail", SATCHEL_SERVER_IMAP, self->ports[GUESS_IMAP],
             SATCHEL_SECURITY_STARTTLS);
  add_guess (lookup, "pop3", SATCHEL_SERVER_POP3, self->ports[GUESS_POP3S], SATCHEL_SECURITY_TLS);
  add_guess (lookup, "pop", SATCHEL_SERVER_POP3, self->ports[GUESS_POP3S], SATCHEL_SECURITY_TLS);
  add_guess (lookup, "pop3", SATCHEL_SERVER_POP3, self->ports[GUESS_POP3],
             SATCHEL_SECURITY_STARTTLS);
  add_guess (lookup, "pop", SATCHEL_SERVER_POP3, self->ports[GUESS_POP3],
             SATCHEL_SECURITY_STARTTLS);
  add_guess (lookup, "mail", SATCHEL_SERVER_POP3, self->ports[GUESS_POP3S], SATCHEL_SECURITY_TLS);
  add_guess (lookup, "smtp", SATCHEL_SERVER_SMTP, self->ports[GUESS_SMTPS], SATCHEL_SECURITY_TLS);
  add_guess (lookup, "smtp", SATCHEL_SERVER_SMTP, self->ports[GUESS_SUBMISSION],
             SATCHEL_SECURITY_STARTTLS);
  add_guess (lookup, "mail", SATCHEL_SERVER_SMTP, self->ports[GUESS_SMTPS], SATCHEL_SECURITY_TLS);
  add_guess (lookup, "mail", SATCHEL_SERVER_SMTP, self->ports[GUESS_SUBMISSION],
             SATCHEL_SECURITY_STARTTLS);

  for (guint i = 0; i < lookup->guesses->len; i++)
    {
      Guess *guess = g_ptr_array_index (lookup->guesses, i);
      gboolean smtp = guess->setting->type == SATCHEL_SERVER_SMTP;
      g_autoptr(SatchelAccount) account =
        satchel_account_new (guess->setting->type == SATCHEL_SERVER_POP3
                             ? SATCHEL_ACCOUNT_KIND_POP3 : SATCHEL_ACCOUNT_KIND_IMAP,
                             lookup->email);

      g_object_set (account, smtp ? "smtp-host" : "host", guess->setting->hostname,
                    smtp ? "smtp-port" : "port", (guint) guess->setting->port,
                    smtp ? "smtp-security" : "security", guess->setting->security,
                    "ca-file", self->ca_file, NULL);
      satchel_certificate_probe_async (account, smtp ? SATCHEL_SECRET_OUTGOING
                                                     : SATCHEL_SECRET_INCOMING,
                                       lookup->cancellable, probed_cb, step_new (task, i));
    }
}

/* The lookup */

static gboolean
timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  Lookup *lookup = g_task_get_task_data (task);

  /* What has not answered by now does not count. */
  lookup->timeout_id = 0;
  for (guint s = 0; s < SATCHEL_AUTOCONFIG_N_SOURCES; s++)
    lookup->finished[s] = TRUE;
  decide (task);
  return G_SOURCE_REMOVE;
}

static void
caller_cancelled_cb (GCancellable *caller,
                     GCancellable *sources)
{
  g_cancellable_cancel (sources);
}

/**
 * satchel_autoconfig_lookup_async:
 * @email: the user's address
 *
 * Finds the servers for @email, asking every source at once.
 * "source-done" says when each has spoken.
 */
void
satchel_autoconfig_lookup_async (SatchelAutoconfig   *self,
                                 const char          *email,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const char *at;
  Lookup *lookup;

  g_return_if_fail (SATCHEL_IS_AUTOCONFIG (self));
  g_return_if_fail (email != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_autoconfig_lookup_async);
  at = strrchr (email, '@');
  if (at == NULL || at == email || at[1] == '\0' || strchr (at + 1, '.') == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("“%s” is not an email address."), email);
      return;
    }
  lookup = g_new0 (Lookup, 1);
  lookup->email = g_strdup (email);
  lookup->domain = g_ascii_strdown (at + 1, -1);
  lookup->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      lookup->caller = g_object_ref (cancellable);
      lookup->caller_id = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb),
                                                 lookup->cancellable, NULL);
    }
  g_task_set_task_data (task, lookup, (GDestroyNotify) lookup_free);
  lookup->timeout_id = g_timeout_add_seconds (self->timeout, timeout_cb, task);

  ask_providers (task);
  if (g_task_get_completed (task))
    return;
  ask_next_url (task);
  ask_srv (task);
  ask_mx (task);
  ask_guesses (task);
}

/**
 * satchel_autoconfig_lookup_finish:
 *
 * Returns: (transfer full): the settings found, or %NULL with @error when
 *   no source had any
 */
SatchelAutoconfigResult *
satchel_autoconfig_lookup_finish (SatchelAutoconfig  *self,
                                  GAsyncResult       *result,
                                  GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Settings */

void
satchel_autoconfig_set_providers (SatchelAutoconfig *self,
                                  GPtrArray         *providers)
{
  g_return_if_fail (SATCHEL_IS_AUTOCONFIG (self));

  g_clear_pointer (&self->providers, g_ptr_array_unref);
  self->providers = providers != NULL ? g_ptr_array_ref (providers) : NULL;
}

/**
 * satchel_autoconfig_set_urls:
 * @templates: (array zero-terminated=1): where a domain's autoconfig
 *   file is, in order: {domain} stands for the domain, {address} for the
 *   address
 */
void
satchel_autoconfig_set_urls (SatchelAutoconfig  *self,
                             const char * const *templates)
{
  g_return_if_fail (SATCHEL_IS_AUTOCONFIG (self));

  g_strfreev (self->urls);
  self->urls = g_strdupv ((char **) templates);
}

void
satchel_autoconfig_set_resolver (SatchelAutoconfig *self,
                                 GResolver         *resolver)
{
  g_return_if_fail (SATCHEL_IS_AUTOCONFIG (self));
  g_return_if_fail (G_IS_RESOLVER (resolver));

  g_set_object (&self->resolver, resolver);
}

/**
 * satchel_autoconfig_set_guess_ports:
 * @ports: (array fixed-size=6): IMAP over TLS, IMAP, POP3 over TLS, POP3,
 *   SMTP over TLS, submission
 */
void
satchel_autoconfig_set_guess_ports (SatchelAutoconfig *self,
                                    const guint16     *ports)
{
  g_return_if_fail (SATCHEL_IS_AUTOCONFIG (self));

  memcpy (self->ports, ports, sizeof self->ports);
}

/* Also trust the CA certificates of @path when guessing (the tests'). */
void
satchel_autoconfig_set_ca_file (SatchelAutoconfig *self,
                                const char        *path)
{
  g_return_if_fail (SATCHEL_IS_AUTOCONFIG (self));

  g_free (self->ca_file);
  self->ca_file = g_strdup (path);
}

void
satchel_autoconfig_set_timeout (SatchelAutoconfig *self,
                                guint              seconds)
{
  g_return_if_fail (SATCHEL_IS_AUTOCONFIG (self));

  self->timeout = MAX (seconds, 1);
}

/* Overrides */

static void
satchel_autoconfig_finalize (GObject *object)
{
  SatchelAutoconfig *self = SATCHEL_AUTOCONFIG (object);

  g_clear_pointer (&self->providers, g_ptr_array_unref);
  g_strfreev (self->urls);
  g_clear_object (&self->resolver);
  g_clear_object (&self->session);
  g_free (self->ca_file);

  G_OBJECT_CLASS (satchel_autoconfig_parent_class)->finalize (object);
}

static void
satchel_autoconfig_class_init (SatchelAutoconfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = satchel_autoconfig_finalize;

  /**
   * SatchelAutoconfig::source-done:
   * @source: a SatchelAutoconfigSource
   * @found: whether it had settings
   */
  signals[SIGNAL_SOURCE_DONE] =
    g_signal_new ("source-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_BOOLEAN);
}

static void
satchel_autoconfig_init (SatchelAutoconfig *self)
{
  static const char *const urls[] = {
    "https://autoconfig.{domain}/mail/config-v1.1.xml?emailaddress={address}",
    "https://{domain}/.well-known/autoconfig/mail/config-v1.1.xml",
    NULL
  };

  self->providers = g_ptr_array_ref (satchel_autoconfig_shipped_providers ());
  self->urls = g_strdupv ((char **) urls);
  self->resolver = g_resolver_get_default ();
  self->session = soup_session_new_with_options ("timeout", DEFAULT_TIMEOUT,
                                                 "user-agent", "Satchel/" PACKAGE_VERSION, NULL);
  memcpy (self->ports, standard_ports, sizeof self->ports);
  self->timeout = DEFAULT_TIMEOUT;
}

SatchelAutoconfig *
satchel_autoconfig_new (void)
{
  return g_object_new (SATCHEL_TYPE_AUTOCONFIG, NULL);
}
