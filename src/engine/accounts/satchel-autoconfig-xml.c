/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-autoconfig-xml.c: mail server settings in Mozilla's autoconfig format
 *
 * Copyright 2026 The Satchel authors
 *
 * Reads the "clientConfig" documents that Thunderbird's ISPDB and mail
 * domains serve (https://wiki.mozilla.org/Thunderbird:Autoconfiguration
 * :ConfigFileFormat), one alone or several inside a <providers> element
 * (data/autoconfig/providers.xml), with GLib's GMarkup. What Satchel does
 * not use (documentation, OAuth2 details, other server types) is skipped.
 *
 * A document from the web is hostile: it is at most MAX_DOCUMENT bytes,
 * nests at most MAX_DEPTH deep, holds at most MAX_PROVIDERS providers of
 * at most MAX_DOMAINS domains and MAX_SERVERS servers, each text at most
 * MAX_TEXT bytes; a port is 1 to 65535; anything else is an error.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "satchel-autoconfig-xml.h"

#define MAX_DOCUMENT  (4 * 1024 * 1024)
#define MAX_DEPTH     16
#define MAX_PROVIDERS 1000
#define MAX_DOMAINS   256
#define MAX_SERVERS   16
#define MAX_TEXT      255

typedef struct
{
  GPtrArray            *providers;   /* SatchelProvider */
  SatchelProvider      *provider;    /* the one being read, owned */
  SatchelServerSetting *server;      /* the one being read, owned */
  gboolean              skipping;    /* a server of a type Satchel does not use */
  GString              *text;
  guint                 depth;
  gboolean              authentication_seen;
} Reader;

void
satchel_server_setting_free (SatchelServerSetting *setting)
{
  if (setting == NULL)
    return;
  g_free (setting->hostname);
  g_free (setting->username);
  g_free (setting);
}

SatchelServerSetting *
satchel_server_setting_copy (const SatchelServerSetting *setting)
{
  SatchelServerSetting *copy = g_memdup2 (setting, sizeof *setting);

  copy->hostname = g_strdup (setting->hostname);
  copy->username = g_strdup (setting->username);
  return copy;
}

/**
 * satchel_server_setting_resolve:
 * @email: the user's address
 *
 * Returns: (transfer full): @setting with its user name filled in for
 *   @email
 */
SatchelServerSetting *
satchel_server_setting_resolve (const SatchelServerSetting *setting,
                                const char                 *email)
{
  SatchelServerSetting *resolved = satchel_server_setting_copy (setting);
  const char *at = strrchr (email, '@');
  g_autofree char *local = at != NULL ? g_strndup (email, at - email) : g_strdup (email);
  const char *domain = at != NULL ? at + 1 : "";
  g_autoptr(GString) name = g_string_new (setting->username != NULL ? setting->username
                                                                    : "%EMAILADDRESS%");

  g_string_replace (name, "%EMAILADDRESS%", email, 0);
  g_string_replace (name, "%EMAILLOCALPART%", local, 0);
  g_string_replace (name, "%EMAILDOMAIN%", domain, 0);
  g_free (resolved->username);
  resolved->username = g_string_free (g_steal_pointer (&name), FALSE);
  return resolved;
}

void
satchel_provider_free (SatchelProvider *provider)
{
  if (provider == NULL)
    return;
  g_free (provider->id);
  g_free (provider->display_name);
  g_clear_pointer (&provider->domains, g_ptr_array_unref);
  g_clear_pointer (&provider->incoming, g_ptr_array_unref);
  g_clear_pointer (&provider->outgoing, g_ptr_array_unref);
  g_free (provider);
}

static gboolean
invalid (GError    **error,
         const char *why)
{
  g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
               _("The mail settings document is not valid: %s."), why);
  return FALSE;
}

static const char *
attribute (const char **names,
           const char **values,
           const char  *name)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_equal (names[i], name))
      return values[i];
  return NULL;
}

static void
start_element_cb (GMarkupParseContext  *context,
                  const char           *element,
                  const char          **names,
                  const char          **values,
                  gpointer              user_data,
                  GError              **error)
{
  Reader *reader = user_data;

  if (++reader->depth > MAX_DEPTH)
    {
      invalid (error, _("elements nested too deep"));
      return;
    }
  g_string_truncate (reader->text, 0);

  if (g_str_equal (element, "emailProvider"))
    {
      const char *id = attribute (names, values, "id");

      if (reader->provider != NULL)
        {
          invalid (error, _("a provider inside a provider"));
          return;
        }
      if (reader->providers->len >= MAX_PROVIDERS)
        {
          invalid (error, _("too many providers"));
          return;
        }
      reader->provider = g_new0 (SatchelProvider, 1);
      reader->provider->id = g_strdup (id);
      reader->provider->domains = g_ptr_array_new_with_free_func (g_free);
      reader->provider->incoming = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_server_setting_free);
      reader->provider->outgoing = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_server_setting_free);
      return;
    }

  if (g_str_equal (element, "incomingServer") || g_str_equal (element, "outgoingServer"))
    {
      const char *type = attribute (names, values, "type");
      gboolean incoming = g_str_equal (element, "incomingServer");

      if (reader->provider == NULL || reader->server != NULL || reader->skipping)
        {
          invalid (error, _("a server outside a provider"));
          return;
        }
      if (reader->provider->incoming->len + reader->provider->outgoing->len >= MAX_SERVERS)
        {
          invalid (error, _("too many servers"));
          return;
        }
      /* Exchange, JMAP and the others: not for Satchel. */
      if (type == NULL || !(incoming ? g_str_equal (type, "imap") || g_str_equal (type, "pop3")
                                     : g_str_equal (type, "smtp")))
        {
          reader->skipping = TRUE;
          return;
        }
      reader->server = g_new0 (SatchelServerSetting, 1);
      reader->server->type = g_str_equal (type, "imap") ? SATCHEL_SERVER_IMAP
                             : g_str_equal (type, "pop3") ? SATCHEL_SERVER_POP3
                             : SATCHEL_SERVER_SMTP;
      reader->server->security = SATCHEL_SECURITY_TLS;
      reader->authentication_seen = FALSE;
    }
}

static void
text_cb (GMarkupParseContext  *context,
         const char           *text,
         gsize                 len,
         gpointer              user_data,
         GError              **error)
{
  Reader *reader = user_data;

  if (reader->text->len + len > MAX_TEXT)
    {
      /* Only what Satchel reads is bounded: documentation may be long. */
      const char *element = g_markup_parse_context_get_element (context);

      if (element != NULL && (g_str_equal (element, "hostname") ||
                              g_str_equal (element, "port") ||
                              g_str_equal (element, "socketType") ||
                              g_str_equal (element, "username") ||
                              g_str_equal (element, "authentication") ||
                              g_str_equal (element, "domain") ||
                              g_str_equal (element, "displayName")))
        invalid (error, _("a value too long"));
      return;
    }
  g_string_append_len (reader->text, text, len);
}

/* A host name as DNS allows it: letters, digits, hyphens and dots. */
static gboolean
is_hostname (const char *text)
{
  if (text[0] == '\0' || text[0] == '.' || text[0] == '-')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return FALSE;
  return TRUE;
}

static void
end_server (Reader  *reader,
            GError **error)
{
  g_autoptr(SatchelServerSetting) server = g_steal_pointer (&reader->server);

  if (server->hostname == NULL || server->port == 0)
    {
      invalid (error, _("a server without host name or port"));
      return;
    }
  /* Without a word on authentication, a password is what servers take. */
  if (!reader->authentication_seen)
    server->password = TRUE;
  if (server->type == SATCHEL_SERVER_SMTP)
    g_ptr_array_add (reader->provider->outgoing, g_steal_pointer (&server));
  else
    g_ptr_array_add (reader->provider->incoming, g_steal_pointer (&server));
}

static void
end_element_cb (GMarkupParseContext  *context,
                const char           *element,
                gpointer              user_data,
                GError              **error)
{
  Reader *reader = user_data;
  g_autofree char *value = g_strstrip (g_strdup (reader->text->str));
  SatchelServerSetting *server = reader->server;

  reader->depth--;
  g_string_truncate (reader->text, 0);

  if (g_str_equal (element, "emailProvider"))
    {
      if (reader->provider != NULL)
        g_ptr_array_add (reader->providers, g_steal_pointer (&reader->provider));
      return;
    }
  if (g_str_equal (element, "incomingServer") || g_str_equal (element, "outgoingServer"))
    {
      if (reader->skipping)
        reader->skipping = FALSE;
      else if (server != NULL)
        end_server (reader, error);
      return;
    }
  if (reader->provider == NULL || reader->skipping)
    return;

  if (server == NULL)
    {
      if (g_str_equal (element, "domain"))
        {
          if (reader->provider->domains->len >= MAX_DOMAINS)
            {
              invalid (error, _("too many domains"));
              return;
            }
          if (is_hostname (value))
            g_ptr_array_add (reader->provider->domains, g_ascii_strdown (value, -1));
        }
      else if (g_str_equal (element, "displayName") && reader->provider->display_name == NULL &&
               g_utf8_validate (value, -1, NULL))
        reader->provider->display_name = g_steal_pointer (&value);
      return;
    }

  if (g_str_equal (element, "hostname"))
    {
      if (!is_hostname (value))
        {
          invalid (error, _("a host name that is not one"));
          return;
        }
      g_free (server->hostname);
      server->hostname = g_ascii_strdown (value, -1);
    }
  else if (g_str_equal (element, "port"))
    {
      guint64 port = 0;

      if (!g_ascii_string_to_unsigned (value, 10, 1, 65535, &port, NULL))
        {
          invalid (error, _("a port out of range"));
          return;
        }
      server->port = port;
    }
  else if (g_str_equal (element, "socketType"))
    {
      if (g_ascii_strcasecmp (value, "SSL") == 0 || g_ascii_strcasecmp (value, "TLS") == 0)
        server->security = SATCHEL_SECURITY_TLS;
      else if (g_ascii_strcasecmp (value, "STARTTLS") == 0)
        server->security = SATCHEL_SECURITY_STARTTLS;
      else if (g_ascii_strcasecmp (value, "plain") == 0)
        server->security = SATCHEL_SECURITY_NONE;
      else
        invalid (error, _("an unknown socket type"));
    }
  else if (g_str_equal (element, "username"))
    {
      if (!g_utf8_validate (value, -1, NULL))
        {
          invalid (error, _("a user name that is not UTF-8"));
          return;
        }
      g_free (server->username);
      server->username = g_steal_pointer (&value);
    }
  else if (g_str_equal (element, "authentication"))
    {
      reader->authentication_seen = TRUE;
      server->password |= g_str_has_prefix (value, "password-") ||
                          g_ascii_strcasecmp (value, "plain") == 0 ||
                          g_ascii_strcasecmp (value, "secure") == 0;
    }
}

/**
 * satchel_autoconfig_parse:
 * @xml: a clientConfig document, or several inside <providers>
 *
 * Returns: (transfer full) (element-type SatchelProvider): the providers
 *   it describes, each with the servers Satchel can use; %NULL with
 *   @error when the document is not well-formed or breaks a limit
 */
GPtrArray *
satchel_autoconfig_parse (const char  *xml,
                          gsize        len,
                          GError     **error)
{
  static const GMarkupParser parser = { start_element_cb, end_element_cb, text_cb, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GPtrArray) providers = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_provider_free);
  g_autoptr(GString) text = g_string_new (NULL);
  Reader reader = { providers, NULL, NULL, FALSE, text, 0, FALSE };
  gboolean ok;

  if (len > MAX_DOCUMENT)
    {
      invalid (error, _("the document is too large"));
      return NULL;
    }
  context = g_markup_parse_context_new (&parser, G_MARKUP_PREFIX_ERROR_POSITION, &reader, NULL);
  ok = g_markup_parse_context_parse (context, xml, len, error) &&
       g_markup_parse_context_end_parse (context, error);
  satchel_server_setting_free (reader.server);
  satchel_provider_free (reader.provider);
  if (!ok)
    return NULL;
  return g_steal_pointer (&providers);
}

/**
 * satchel_providers_find:
 * @domain: the part of an address after the @
 *
 * Returns: (transfer none) (nullable): the provider that serves @domain
 */
SatchelProvider *
satchel_providers_find (GPtrArray  *providers,
                        const char *domain)
{
  g_autofree char *lower = g_ascii_strdown (domain, -1);

  for (guint i = 0; providers != NULL && i < providers->len; i++)
    {
      SatchelProvider *provider = g_ptr_array_index (providers, i);

      for (guint d = 0; d < provider->domains->len; d++)
        if (g_str_equal (g_ptr_array_index (provider->domains, d), lower))
          return provider;
    }
  return NULL;
}
