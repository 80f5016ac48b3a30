/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-autoconfig.c: libFuzzer target for the mail settings XML reader
 *
 * Copyright 2026 The Satchel authors
 *
 * The input is a document as a domain's web server could send it. What is
 * read must hold what the reader promises: every server has a host name
 * made of DNS characters and a port, incoming servers are IMAP or POP3 and
 * outgoing ones SMTP, domains are lowercase, texts are UTF-8; a provider is
 * found by each of its domains; a user name resolves for any address. Any
 * crash, leak, overflow or undefined behaviour is a bug; bad input must only
 * ever be refused with an error.
 */

#include "config.h"

#include <string.h>

#include "accounts/satchel-autoconfig-xml.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

static void
check_server (const SatchelServerSetting *server,
              gboolean                    outgoing)
{
  g_autoptr(SatchelServerSetting) resolved = NULL;

  g_assert (server->hostname != NULL && server->hostname[0] != '\0');
  for (const char *p = server->hostname; *p != '\0'; p++)
    g_assert (g_ascii_isalnum (*p) || *p == '-' || *p == '.');
  g_assert (server->port > 0);
  g_assert ((server->type == SATCHEL_SERVER_SMTP) == outgoing);
  g_assert (server->username == NULL || g_utf8_validate (server->username, -1, NULL));

  resolved = satchel_server_setting_resolve (server, "ju.lie@example.org");
  g_assert (resolved->username != NULL && g_utf8_validate (resolved->username, -1, NULL));
  g_assert (g_str_equal (resolved->hostname, server->hostname));
  g_assert (resolved->port == server->port);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GPtrArray) providers = NULL;
  g_autoptr(GError) error = NULL;

  providers = satchel_autoconfig_parse ((const char *) data, size, &error);
  if (providers == NULL)
    {
      g_assert (error != NULL && error->message != NULL);
      return 0;
    }
  g_assert (error == NULL);

  for (guint i = 0; i < providers->len; i++)
    {
      SatchelProvider *provider = g_ptr_array_index (providers, i);

      g_assert (provider->display_name == NULL ||
                g_utf8_validate (provider->display_name, -1, NULL));
      for (guint d = 0; d < provider->domains->len; d++)
        {
          const char *domain = g_ptr_array_index (provider->domains, d);
          g_autofree char *upper = g_ascii_strup (domain, -1);
          SatchelProvider *found = satchel_providers_find (providers, upper);

          for (const char *p = domain; *p != '\0'; p++)
            g_assert (!g_ascii_isupper (*p));
          /* An earlier provider may claim the same domain first. */
          g_assert (found != NULL);
          g_assert (satchel_providers_find (providers, domain) == found);
        }
      for (guint s = 0; s < provider->incoming->len; s++)
        check_server (g_ptr_array_index (provider->incoming, s), FALSE);
      for (guint s = 0; s < provider->outgoing->len; s++)
        check_server (g_ptr_array_index (provider->outgoing, s), TRUE);
    }
  return 0;
}
