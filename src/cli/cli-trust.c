/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli-trust.c: satchel-cli trust
 *
 * Copyright 2026 The Satchel authors
 *
 * Shows the certificate that an account's server presents, connecting
 * exactly as configured (STARTTLS included) but without logging in, and
 * pins it for that host and port only.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <unistd.h>

#include "satchel-cli.h"

static gboolean
ask_yes_no (const char *question)
{
  char answer[16] = "";

  fprintf (stderr, "%s ", question);
  fflush (stderr);
  if (fgets (answer, sizeof answer, stdin) == NULL)
    return FALSE;
  g_strstrip (answer);
  return g_ascii_strcasecmp (answer, "y") == 0 || g_ascii_strcasecmp (answer, "yes") == 0;
}

int
cli_trust (CliContext  *ctx,
           int          argc,
           char       **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(SatchelCertificate) certificate = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *wanted = NULL;
  g_autofree char *details = NULL;
  g_autofree char *pem = NULL;
  SatchelSecretService service = SATCHEL_SECRET_INCOMING;
  SatchelAccount *account;
  const char *host;
  guint16 port;
  int exit_code = CLI_EXIT_OK;
  const GOptionEntry entries[] = {
    { "fingerprint", 0, 0, G_OPTION_ARG_STRING, &fingerprint,
      N_("Pin only a certificate with this SHA-256 fingerprint, without asking"), N_("SHA256") },
    { NULL }
  };

  options = g_option_context_new (_("ACCOUNT [incoming|outgoing] — trust a server’s certificate"));
  g_option_context_set_summary (options,
                                _("Connects to the account’s incoming (or outgoing) server as "
                                  "configured, shows the certificate it presents and pins it "
                                  "for that host and port only."));
  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  if (!cli_parse_options (options, &argc, &argv, &exit_code))
    return exit_code;
  if (argc < 2 || argc > 3)
    {
      cli_error (_("Name one account, and optionally incoming or outgoing."));
      return CLI_EXIT_USAGE;
    }
  if (argc == 3)
    {
      if (g_str_equal (argv[2], "outgoing"))
        service = SATCHEL_SECRET_OUTGOING;
      else if (!g_str_equal (argv[2], "incoming"))
        {
          cli_error (_("“%s” is neither incoming nor outgoing."), argv[2]);
          return CLI_EXIT_USAGE;
        }
    }
  if (fingerprint != NULL)
    {
      wanted = satchel_fingerprint_normalize (fingerprint);
      if (wanted == NULL)
        {
          cli_error (_("“%s” is not a SHA-256 fingerprint (64 hex digits; colons and case do "
                       "not matter)."),
                     fingerprint);
          return CLI_EXIT_USAGE;
        }
    }

  if (!cli_open_store (ctx, &error))
    return cli_report (error);
  account = satchel_account_list_find (ctx->accounts, argv[1], &error);
  if (account == NULL)
    return cli_report (error);
  if (service == SATCHEL_SECRET_OUTGOING && !satchel_account_has_smtp (account))
    {
      cli_error (_("The account %s has no outgoing server."), satchel_account_get_label (account));
      return CLI_EXIT_USAGE;
    }

  if (service == SATCHEL_SECRET_OUTGOING)
    {
      host = satchel_account_get_smtp_host (account);
      port = satchel_account_get_effective_smtp_port (account);
    }
  else
    {
      host = satchel_account_get_host (account);
      port = satchel_account_get_effective_port (account);
    }

  satchel_certificate_probe_async (account, service, NULL, cli_result_callback (), &result);
  certificate = satchel_certificate_probe_finish (cli_wait (&result), &error);
  if (certificate == NULL)
    return cli_report (error);

  details = satchel_certificate_format (certificate);
  printf (_("Certificate of %s port %u:\n%s\n"), host, port, details);
  if (satchel_certificate_get_problems (certificate) != 0)
    {
      g_autofree char *problems = satchel_certificate_describe_problems (certificate);

      printf (_("problems: %s\n"), problems);
    }
  fflush (stdout);

  if (wanted != NULL)
    {
      if (!g_str_equal (wanted, satchel_certificate_get_sha256 (certificate)))
        {
          cli_error (_("%s presented a certificate with another fingerprint than the one given; "
                       "nothing was pinned."),
                     host);
          fprintf (stderr, "fingerprint: %s\n", satchel_certificate_get_sha256 (certificate));
          return CLI_EXIT_UNTRUSTED;
        }
    }
  else if (isatty (STDIN_FILENO))
    {
      g_autofree char *question = g_strdup_printf (_("Trust this certificate for %s port %u? "
                                                     "[y/N]"),
                                                   host, port);

      if (!ask_yes_no (question))
        {
          cli_error (_("Nothing was pinned."));
          return CLI_EXIT_UNTRUSTED;
        }
    }

  pem = satchel_certificate_dup_pem (certificate);
  if (!satchel_cert_pin_save (ctx->store, host, port, satchel_certificate_get_sha256 (certificate),
                              pem, &error))
    return cli_report (error);
  printf (_("Pinned it for %s port %u.\n"), host, port);
  return CLI_EXIT_OK;
}
