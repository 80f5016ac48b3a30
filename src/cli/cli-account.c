/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli-account.c: satchel-cli account add|list|show|set|remove|test
 *
 * Copyright 2026 The Satchel authors
 *
 * `account add` and `account set` share one reading of settings
 * (apply_setting), so that a KEY of `set` means exactly what the option of
 * the same name means to `add`, with the same checks.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "satchel-cli.h"

typedef int (*SubcommandFunc) (CliContext *ctx,
                               int         argc,
                               char      **argv);

static gboolean
usage_error (GError    **error,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static gboolean
usage_error (GError    **error,
             const char *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                                                format, args));
  va_end (args);
  return FALSE;
}

static gboolean
parse_number (const char  *key,
              const char  *text,
              guint64      min,
              guint64      max,
              guint       *out,
              GError     **error)
{
  guint64 value;

  if (g_ascii_string_to_unsigned (text, 10, min, max, &value, NULL))
    {
      *out = (guint) value;
      return TRUE;
    }
  if (g_str_has_suffix (key, "port"))
    return usage_error (error, _("“%s” is not a port number: use a whole number from 1 to "
                                 "65535."), text);
  if (g_str_equal (key, "delete-after-days"))
    return usage_error (error, _("“%s” is not a number of days: use a whole number from 1 to "
                                 "%u, or off."), text, SATCHEL_ACCOUNT_MAX_DELETE_AFTER_DAYS);
  return usage_error (error, _("“%s” is not a number of minutes: use a whole number from 1 to "
                               "%u."), text, SATCHEL_ACCOUNT_MAX_CHECK_INTERVAL);
}

static gboolean
parse_yes_no (const char  *key,
              const char  *text,
              gboolean    *out,
              GError     **error)
{
  static const char *yes[] = { "yes", "true", "on", "1", NULL };
  static const char *no[] = { "no", "false", "off", "0", NULL };

  if (g_strv_contains (yes, text))
    *out = TRUE;
  else if (g_strv_contains (no, text))
    *out = FALSE;
  else
    return usage_error (error, _("The value “%s” of %s is neither yes nor no."), text, key);
  return TRUE;
}

static gboolean
parse_enum (GType        type,
            const char  *key,
            const char  *text,
            int         *out,
            GError     **error)
{
  if (satchel_enum_from_nick (type, text, out))
    return TRUE;
  if (type == SATCHEL_TYPE_SECURITY)
    return usage_error (error, _("The value “%s” of %s is not one of tls, starttls or none."),
                        text, key);
  return usage_error (error, _("The value “%s” of %s is not one of imap or pop3."), text, key);
}

/* Sets one setting, named as the option of `account add` without its
 * dashes, from its text on the command line. */
static gboolean
apply_setting (SatchelAccount  *account,
               const char      *key,
               const char      *value,
               GError         **error)
{
  static const char *strings[][2] = {
    { "name", "real-name" },
    { "label", "label" },
    { "host", "host" },
    { "user", "user" },
    { "smtp-host", "smtp-host" },
    { "smtp-user", "smtp-user" },
  };
  guint number;
  gboolean flag = FALSE;
  int choice;

  if (!g_utf8_validate (value, -1, NULL))
    return usage_error (error, _("The value of %s is not valid UTF-8 text."), key);

  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    {
      if (g_str_equal (key, strings[i][0]))
        {
          g_object_set (account, strings[i][1], value, NULL);
          if (g_str_equal (key, "smtp-host") && value[0] == '\0')
            g_object_set (account, "smtp-port", 0, "smtp-security", SATCHEL_SECURITY_TLS,
                          "smtp-user", NULL, NULL);
          return TRUE;
        }
    }

  if (g_str_equal (key, "email"))
    {
      const char *old = satchel_account_get_email (account);

      /* The label and the login follow the address while they are the
       * defaults that were taken from it. */
      if (g_strcmp0 (satchel_account_get_label (account), old) == 0)
        g_object_set (account, "label", value, NULL);
      if (g_strcmp0 (satchel_account_get_user (account), old) == 0)
        g_object_set (account, "user", value, NULL);
      g_object_set (account, "email", value, NULL);
    }
  else if (g_str_equal (key, "kind"))
    {
      if (!parse_enum (SATCHEL_TYPE_ACCOUNT_KIND, key, value, &choice, error))
        return FALSE;
      g_object_set (account, "kind", choice, NULL);
    }
  else if (g_str_equal (key, "port") || g_str_equal (key, "smtp-port"))
    {
      if (!parse_number (key, value, 1, G_MAXUINT16, &number, error))
        return FALSE;
      g_object_set (account, key, number, NULL);
    }
  else if (g_str_equal (key, "security") || g_str_equal (key, "smtp-security"))
    {
      if (!parse_enum (SATCHEL_TYPE_SECURITY, key, value, &choice, error))
        return FALSE;
      g_object_set (account, key, choice, NULL);
    }
  else if (g_str_equal (key, "keep-offline") || g_str_equal (key, "leave-on-server") ||
           g_str_equal (key, "delete-when-deleted") || g_str_equal (key, "apop"))
    {
      if (!parse_yes_no (key, value, &flag, error))
        return FALSE;
      g_object_set (account, key, flag, NULL);
    }
  else if (g_str_equal (key, "delete-after-days"))
    {
      if (g_str_equal (value, "off") || g_str_equal (value, "0"))
        {
          g_object_set (account, "delete-after", FALSE, NULL);
          return TRUE;
        }
      if (!parse_number (key, value, 1, SATCHEL_ACCOUNT_MAX_DELETE_AFTER_DAYS, &number, error))
        return FALSE;
      g_object_set (account, "delete-after", TRUE, "delete-after-days", number, NULL);
    }
  else if (g_str_equal (key, "check-interval"))
    {
      if (!parse_number (key, value, 1, SATCHEL_ACCOUNT_MAX_CHECK_INTERVAL, &number, error))
        return FALSE;
      g_object_set (account, "check-interval", number, NULL);
    }
  else if (g_str_equal (key, "ca-file"))
    {
      g_autofree char *absolute = NULL;

      if (value[0] != '\0')
        absolute = g_canonicalize_filename (value, NULL);
      g_object_set (account, "ca-file", absolute, NULL);
    }
  else if (g_str_equal (key, "signature"))
    {
      if (!g_utf8_validate (value, -1, NULL))
        return usage_error (error, _("A signature must be UTF-8 text."));
      /* "\n" in the value stands for a line break. */
      {
        g_auto(GStrv) lines = g_strsplit (value, "\\n", -1);
        g_autofree char *text = g_strjoinv ("\n", lines);

        g_object_set (account, "signature", text[0] != '\0' ? text : NULL, NULL);
      }
    }
  else
    {
      return usage_error (error, _("“%s” is not a setting of an account."), key);
    }

  return TRUE;
}

/* A port that is the standard one for the account's kind and security is
 * kept as "standard", so that it follows a later change of security. */
static void
normalize_ports (SatchelAccount *account)
{
  SatchelAccountKind kind = satchel_account_get_kind (account);

  if (satchel_account_get_port (account) ==
      satchel_standard_port (kind, satchel_account_get_security (account)))
    g_object_set (account, "port", 0, NULL);
  if (satchel_account_get_smtp_port (account) ==
      satchel_standard_smtp_port (satchel_account_get_smtp_security (account)))
    g_object_set (account, "smtp-port", 0, NULL);
}

static int
report_invalid (const GError *error)
{
  if (g_error_matches (error, SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_INSECURE))
    cli_error ("%s %s", error->message, _("Add --allow-insecure to confirm."));
  else
    cli_error ("%s", error->message);
  return CLI_EXIT_USAGE;
}

static void
store_password (CliContext     *ctx,
                SatchelAccount *account,
                const char     *password,
                GError        **error)
{
  const char *uuid = satchel_account_get_uuid (account);
  const char *email = satchel_account_get_email (account);

  if (!satchel_secrets_store_sync (ctx->secrets, uuid, email, SATCHEL_SECRET_INCOMING,
                                   password, NULL, error))
    return;
  if (satchel_account_has_smtp (account))
    satchel_secrets_store_sync (ctx->secrets, uuid, email, SATCHEL_SECRET_OUTGOING,
                                password, NULL, error);
}

static void
note_session_only (CliContext *ctx)
{
  if (!satchel_secrets_get_keyring_available (ctx->secrets))
    cli_note ("%s", satchel_secrets_get_keyring_problem (ctx->secrets));
}

static char *
describe_server (const char      *host,
                 guint16          port,
                 SatchelSecurity  security)
{
  const char *how = security == SATCHEL_SECURITY_TLS ? "TLS"
                    : security == SATCHEL_SECURITY_STARTTLS ? "STARTTLS"
                    : _("no encryption");

  return g_strdup_printf ("%s:%u (%s)", host, port, how);
}

static JsonNode *
account_to_json (SatchelAccount *account)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  SatchelAccountKind kind = satchel_account_get_kind (account);
  gboolean smtp = satchel_account_has_smtp (account);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "label");
  json_builder_add_string_value (builder, satchel_account_get_label (account));
  json_builder_set_member_name (builder, "email");
  json_builder_add_string_value (builder, satchel_account_get_email (account));
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, satchel_account_get_real_name (account));
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, satchel_enum_to_nick (SATCHEL_TYPE_ACCOUNT_KIND, kind));
  json_builder_set_member_name (builder, "host");
  json_builder_add_string_value (builder, satchel_account_get_host (account));
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, satchel_account_get_effective_port (account));
  json_builder_set_member_name (builder, "security");
  json_builder_add_string_value (builder,
                                 satchel_enum_to_nick (SATCHEL_TYPE_SECURITY,
                                                       satchel_account_get_security (account)));
  json_builder_set_member_name (builder, "user");
  json_builder_add_string_value (builder, satchel_account_get_user (account));

  json_builder_set_member_name (builder, "smtp-host");
  if (smtp)
    json_builder_add_string_value (builder, satchel_account_get_smtp_host (account));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "smtp-port");
  if (smtp)
    json_builder_add_int_value (builder, satchel_account_get_effective_smtp_port (account));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "smtp-security");
  if (smtp)
    json_builder_add_string_value (builder,
                                   satchel_enum_to_nick (SATCHEL_TYPE_SECURITY,
                                                         satchel_account_get_smtp_security (account)));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "smtp-user");
  if (smtp)
    json_builder_add_string_value (builder, satchel_account_get_effective_smtp_user (account));
  else
    json_builder_add_null_value (builder);

  if (kind == SATCHEL_ACCOUNT_KIND_IMAP)
    {
      json_builder_set_member_name (builder, "keep-offline");
      json_builder_add_boolean_value (builder, satchel_account_get_keep_offline (account));
    }
  else
    {
      json_builder_set_member_name (builder, "leave-on-server");
      json_builder_add_boolean_value (builder, satchel_account_get_leave_on_server (account));
      json_builder_set_member_name (builder, "delete-after-days");
      if (satchel_account_get_delete_after (account))
        json_builder_add_int_value (builder, satchel_account_get_delete_after_days (account));
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "delete-when-deleted");
      json_builder_add_boolean_value (builder, satchel_account_get_delete_when_deleted (account));
      json_builder_set_member_name (builder, "apop");
      json_builder_add_boolean_value (builder, satchel_account_get_apop (account));
    }
  json_builder_set_member_name (builder, "ca-file");
  if (satchel_account_get_ca_file (account) != NULL)
    json_builder_add_string_value (builder, satchel_account_get_ca_file (account));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "check-interval");
  json_builder_add_int_value (builder, satchel_account_get_check_interval (account));
  json_builder_set_member_name (builder, "signature");
  if (satchel_account_get_signature (account) != NULL)
    json_builder_add_string_value (builder, satchel_account_get_signature (account));
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static gboolean
wants_help_only (int    argc,
                 char **argv)
{
  return argc < 2;
}

/* account add */

static int
account_add (CliContext  *ctx,
             int          argc,
             char       **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(SatchelAccount) account = NULL;
  g_autoptr(SatchelPassword) password = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *email = NULL;
  g_autofree char *kind = NULL;
  g_autofree char *incoming = NULL;
  char *values[16] = { NULL };
  gboolean keep_offline = FALSE;
  gboolean allow_insecure = FALSE;
  gboolean password_stdin = FALSE;
  int kind_value;
  int exit_code = CLI_EXIT_OK;
  /* Applied in this order; values[] holds each one's text. */
  static const char *keys[] = {
    "name", "label", "host", "port", "security", "user", "smtp-host", "smtp-port",
    "smtp-security", "smtp-user", "leave-on-server", "delete-after-days",
    "delete-when-deleted", "ca-file", "apop", "signature",
  };
  const GOptionEntry entries[] = {
    { "email", 0, 0, G_OPTION_ARG_STRING, &email, N_("The email address (required)"), N_("ADDR") },
    { "name", 0, 0, G_OPTION_ARG_STRING, &values[0], N_("Your name, as recipients see it"), N_("NAME") },
    { "label", 0, 0, G_OPTION_ARG_STRING, &values[1], N_("A name for the account (default: the address)"), N_("LABEL") },
    { "kind", 0, 0, G_OPTION_ARG_STRING, &kind, N_("imap or pop3 (required)"), N_("KIND") },
    { "host", 0, 0, G_OPTION_ARG_STRING, &values[2], N_("The incoming server (required)"), N_("HOST") },
    { "port", 0, 0, G_OPTION_ARG_STRING, &values[3], N_("The incoming port (default: the standard one)"), N_("N") },
    { "security", 0, 0, G_OPTION_ARG_STRING, &values[4], N_("tls (default), starttls or none"), N_("MODE") },
    { "user", 0, 0, G_OPTION_ARG_STRING, &values[5], N_("The login name (default: the address)"), N_("LOGIN") },
    { "smtp-host", 0, 0, G_OPTION_ARG_STRING, &values[6], N_("The outgoing (submission) server"), N_("HOST") },
    { "smtp-port", 0, 0, G_OPTION_ARG_STRING, &values[7], N_("The outgoing port (default: the standard one)"), N_("N") },
    { "smtp-security", 0, 0, G_OPTION_ARG_STRING, &values[8], N_("tls (default), starttls or none"), N_("MODE") },
    { "smtp-user", 0, 0, G_OPTION_ARG_STRING, &values[9], N_("The outgoing login (default: the incoming one)"), N_("LOGIN") },
    { "keep-offline", 0, 0, G_OPTION_ARG_NONE, &keep_offline, N_("Keep all mail available offline (IMAP)"), NULL },
    { "leave-on-server", 0, 0, G_OPTION_ARG_STRING, &values[10], N_("Leave a copy on the server (POP3; default: yes)"), N_("yes|no") },
    { "delete-after-days", 0, 0, G_OPTION_ARG_STRING, &values[11], N_("Delete the server copy N days after download (POP3)"), N_("N") },
    { "delete-when-deleted", 0, 0, G_OPTION_ARG_STRING, &values[12], N_("Delete the server copy when deleted here (POP3; default: no)"), N_("yes|no") },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &values[13], N_("Also trust the CA certificates in FILE (PEM)"), N_("FILE") },
    { "apop", 0, 0, G_OPTION_ARG_STRING, &values[14], N_("Log in with APOP (POP3; default: no)"), N_("yes|no") },
    { "signature", 0, 0, G_OPTION_ARG_STRING, &values[15], N_("Text added below each message (\\n for a line break)"), N_("TEXT") },
    { "allow-insecure", 0, 0, G_OPTION_ARG_NONE, &allow_insecure, N_("Confirm that a server may be used without encryption"), NULL },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin, N_("Read the password from standard input (required)"), NULL },
    { NULL }
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (keys) <= G_N_ELEMENTS (values));

  options = g_option_context_new (_("— add an account"));
  g_option_context_set_summary (options,
                                _("Saves the account; it does not connect. Use “account test” "
                                  "to check the settings."));
  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  if (!cli_parse_options (options, &argc, &argv, &exit_code))
    goto out;

  if (argc > 1)
    {
      cli_error (_("Unexpected argument “%s”."), argv[1]);
      exit_code = CLI_EXIT_USAGE;
      goto out;
    }
  if (email == NULL || kind == NULL || values[2] == NULL || !password_stdin)
    {
      cli_error (_("An account needs at least --email, --kind, --host and --password-stdin."));
      exit_code = CLI_EXIT_USAGE;
      goto out;
    }
  if (!parse_enum (SATCHEL_TYPE_ACCOUNT_KIND, "--kind", kind, &kind_value, &error))
    {
      exit_code = cli_report (error);
      goto out;
    }

  account = satchel_account_new (kind_value, email);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      if (values[i] == NULL)
        continue;
      if (!apply_setting (account, keys[i], values[i], &error))
        {
          exit_code = cli_report (error);
          goto out;
        }
    }
  if (keep_offline)
    g_object_set (account, "keep-offline", TRUE, NULL);
  normalize_ports (account);

  if (!satchel_account_validate (account, allow_insecure, &error))
    {
      exit_code = report_invalid (error);
      goto out;
    }

  if (!cli_open_store (ctx, &error) ||
      !satchel_account_list_check_unique (ctx->accounts, account, &error))
    {
      exit_code = cli_report (error);
      goto out;
    }

  password = cli_read_password (&error);
  if (password == NULL)
    {
      exit_code = cli_report (error);
      goto out;
    }

  if (!satchel_account_list_add (ctx->accounts, account, &error))
    {
      exit_code = cli_report (error);
      goto out;
    }

  store_password (ctx, account, password, &error);
  if (error != NULL)
    {
      g_autoptr(GError) remove_error = NULL;

      /* Without its password the account would be of no use: take it back. */
      satchel_account_list_remove (ctx->accounts, account, &remove_error);
      cli_error (_("The password could not be saved, so the account was not added: %s"),
                 error->message);
      exit_code = CLI_EXIT_FAILED;
      goto out;
    }

  incoming = describe_server (satchel_account_get_host (account),
                              satchel_account_get_effective_port (account),
                              satchel_account_get_security (account));
  printf (_("Added the %s account %s (%s).\n"),
          satchel_account_get_kind (account) == SATCHEL_ACCOUNT_KIND_POP3 ? "POP3" : "IMAP",
          satchel_account_get_label (account), incoming);
  note_session_only (ctx);

out:
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    g_free (values[i]);
  return exit_code;
}

/* account list */

static int
account_list (CliContext  *ctx,
              int          argc,
              char       **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE;
  int exit_code = CLI_EXIT_OK;
  guint n;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON document"), NULL },
    { NULL }
  };

  options = g_option_context_new (_("— list the accounts"));
  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  if (!cli_parse_options (options, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 1)
    {
      cli_error (_("Unexpected argument “%s”."), argv[1]);
      return CLI_EXIT_USAGE;
    }
  if (!cli_open_store (ctx, &error))
    return cli_report (error);

  n = g_list_model_get_n_items (G_LIST_MODEL (ctx->accounts));
  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_sized_new (n);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(SatchelAccount) account = g_list_model_get_item (G_LIST_MODEL (ctx->accounts), i);

          json_array_add_element (array, account_to_json (account));
        }
      json_node_take_array (root, array);
      cli_print_json (root);
      return CLI_EXIT_OK;
    }

  if (n == 0)
    cli_note (_("There are no accounts. Add one with “satchel-cli account add”."));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SatchelAccount) account = g_list_model_get_item (G_LIST_MODEL (ctx->accounts), i);
      g_autofree char *incoming = describe_server (satchel_account_get_host (account),
                                                   satchel_account_get_effective_port (account),
                                                   satchel_account_get_security (account));
      g_autofree char *outgoing = NULL;

      if (satchel_account_has_smtp (account))
        outgoing = describe_server (satchel_account_get_smtp_host (account),
                                    satchel_account_get_effective_smtp_port (account),
                                    satchel_account_get_smtp_security (account));
      printf ("%s\t%s\t%s\t%s\t%s\n",
              satchel_account_get_label (account),
              satchel_account_get_email (account),
              satchel_account_get_kind (account) == SATCHEL_ACCOUNT_KIND_POP3 ? "pop3" : "imap",
              incoming,
              outgoing != NULL ? outgoing : "-");
    }
  return CLI_EXIT_OK;
}

/* account show */

static const char *
describe_password (CliContext     *ctx,
                   SatchelAccount *account)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelPassword) password = NULL;

  password = satchel_secrets_lookup_sync (ctx->secrets, satchel_account_get_uuid (account),
                                          SATCHEL_SECRET_INCOMING, NULL, &error);
  if (!satchel_secrets_get_keyring_available (ctx->secrets))
    return _("unknown: no keyring can be used on this desktop");
  if (password == NULL)
    return error != NULL ? _("unknown: the keyring failed") : _("not saved");
  return _("saved in the keyring");
}

static int
account_show (CliContext  *ctx,
              int          argc,
              char       **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  SatchelAccount *account;
  gboolean json = FALSE;
  int exit_code = CLI_EXIT_OK;
  JsonObject *object;
  g_autoptr(GList) members = NULL;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON document"), NULL },
    { NULL }
  };

  options = g_option_context_new (_("ACCOUNT — show an account’s settings"));
  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  if (!cli_parse_options (options, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 2)
    {
      cli_error (_("Name one account, by its address or label."));
      return CLI_EXIT_USAGE;
    }
  if (!cli_open_store (ctx, &error))
    return cli_report (error);
  account = satchel_account_list_find (ctx->accounts, argv[1], &error);
  if (account == NULL)
    return cli_report (error);

  node = account_to_json (account);
  if (json)
    {
      cli_print_json (node);
      return CLI_EXIT_OK;
    }

  object = json_node_get_object (node);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *member = json_object_get_member (object, l->data);
      g_autofree char *text = NULL;

      if (JSON_NODE_HOLDS_NULL (member))
        text = g_strdup ("-");
      else if (json_node_get_value_type (member) == G_TYPE_BOOLEAN)
        text = g_strdup (json_node_get_boolean (member) ? "yes" : "no");
      else if (json_node_get_value_type (member) == G_TYPE_INT64)
        text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (member));
      else
        text = g_strdup (json_node_get_string (member));
      printf ("%s: %s\n", (const char *) l->data, text);
    }
  printf ("password: %s\n", describe_password (ctx, account));
  return CLI_EXIT_OK;
}

/* account set */

static void
save_failed_cb (SatchelAccountList  *list,
                SatchelAccount      *account,
                const GError        *error,
                GError             **out_error)
{
  if (*out_error == NULL)
    *out_error = g_error_copy (error);
}

static int
account_set (CliContext  *ctx,
             int          argc,
             char       **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) save_error = NULL;
  g_autoptr(SatchelAccount) changed = NULL;
  SatchelAccount *account;
  gboolean allow_insecure = FALSE;
  int exit_code = CLI_EXIT_OK;
  const char *key;
  gulong handler;
  const GOptionEntry entries[] = {
    { "allow-insecure", 0, 0, G_OPTION_ARG_NONE, &allow_insecure, N_("Confirm that a server may be used without encryption"), NULL },
    { NULL }
  };

  options = g_option_context_new (_("ACCOUNT KEY VALUE — change one setting"));
  g_option_context_set_summary (options,
                                _("KEY is an option of “account add” without its dashes "
                                  "(port, security, smtp-host, leave-on-server, …), or "
                                  "check-interval (minutes). “password-stdin” reads a new "
                                  "password from standard input."));
  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  if (!cli_parse_options (options, &argc, &argv, &exit_code))
    return exit_code;

  key = argc >= 3 ? argv[2] : NULL;
  if (!(argc == 4 || (argc == 3 && g_strcmp0 (key, "password-stdin") == 0)))
    {
      cli_error (_("Name one account, one setting and its new value."));
      return CLI_EXIT_USAGE;
    }
  if (!cli_open_store (ctx, &error))
    return cli_report (error);
  account = satchel_account_list_find (ctx->accounts, argv[1], &error);
  if (account == NULL)
    return cli_report (error);

  if (g_str_equal (key, "password-stdin"))
    {
      g_autoptr(SatchelPassword) password = cli_read_password (&error);

      if (password == NULL)
        return cli_report (error);
      store_password (ctx, account, password, &error);
      if (error != NULL)
        return cli_report (error);
      note_session_only (ctx);
      return CLI_EXIT_OK;
    }

  if (g_str_equal (key, "kind"))
    {
      cli_error (_("The kind of an account cannot change: IMAP and POP3 keep mail in different "
                   "places. Remove the account and add it again."));
      return CLI_EXIT_USAGE;
    }

  changed = satchel_account_dup (account);
  if (!apply_setting (changed, key, argv[3], &error))
    return cli_report (error);
  normalize_ports (changed);

  /* Only a change that makes a connection unencrypted needs the
   * confirmation; the other settings of such an account may change. */
  if (!g_str_equal (key, "security") && !g_str_equal (key, "smtp-security") &&
      !g_str_equal (key, "host") && !g_str_equal (key, "smtp-host"))
    allow_insecure = TRUE;
  if (!satchel_account_validate (changed, allow_insecure, &error))
    return report_invalid (error);
  if (!satchel_account_list_check_unique (ctx->accounts, changed, &error))
    return cli_report (error);

  handler = g_signal_connect (ctx->accounts, "save-failed", G_CALLBACK (save_failed_cb),
                              &save_error);
  satchel_account_copy_settings (account, changed);
  g_signal_handler_disconnect (ctx->accounts, handler);
  if (save_error != NULL)
    {
      cli_error ("%s", save_error->message);
      return CLI_EXIT_FAILED;
    }

  /* A new outgoing server needs the password too. */
  if (g_str_equal (key, "smtp-host") && satchel_account_has_smtp (account))
    {
      g_autoptr(SatchelPassword) password =
        satchel_secrets_lookup_sync (ctx->secrets, satchel_account_get_uuid (account),
                                     SATCHEL_SECRET_OUTGOING, NULL, NULL);

      if (password == NULL)
        password = satchel_secrets_lookup_sync (ctx->secrets, satchel_account_get_uuid (account),
                                                SATCHEL_SECRET_INCOMING, NULL, NULL);
      if (password != NULL)
        satchel_secrets_store_sync (ctx->secrets, satchel_account_get_uuid (account),
                                    satchel_account_get_email (account), SATCHEL_SECRET_OUTGOING,
                                    password, NULL, NULL);
    }
  return CLI_EXIT_OK;
}

/* account remove */

static int
account_remove (CliContext  *ctx,
                int          argc,
                char       **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelAccount) account = NULL;
  int exit_code = CLI_EXIT_OK;

  options = g_option_context_new (_("ACCOUNT — remove an account, its cached mail and its "
                                    "saved passwords"));
  if (!cli_parse_options (options, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 2)
    {
      cli_error (_("Name one account, by its address or label."));
      return CLI_EXIT_USAGE;
    }
  if (!cli_open_store (ctx, &error))
    return cli_report (error);
  account = satchel_account_list_find (ctx->accounts, argv[1], &error);
  if (account == NULL)
    return cli_report (error);
  g_object_ref (account);

  if (!satchel_account_list_remove (ctx->accounts, account, &error))
    return cli_report (error);
  if (!satchel_secrets_clear_sync (ctx->secrets, satchel_account_get_uuid (account), NULL, &error))
    {
      cli_error (_("The account %s was removed, but its password could not be removed from "
                   "the keyring: %s"),
                 satchel_account_get_label (account), error->message);
      return CLI_EXIT_FAILED;
    }
  printf (_("Removed the account %s.\n"), satchel_account_get_label (account));
  return CLI_EXIT_OK;
}

/* account test */

static int
test_service (CliContext           *ctx,
              SatchelAccount       *account,
              SatchelSecretService  service)
{
  const char *name = service == SATCHEL_SECRET_OUTGOING ? "outgoing" : "incoming";
  g_autoptr(SatchelPassword) password = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(SatchelCertificate) rejected = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  const char *uuid = satchel_account_get_uuid (account);

  password = satchel_secrets_lookup_sync (ctx->secrets, uuid, service, NULL, &error);
  if (password == NULL && service == SATCHEL_SECRET_OUTGOING && error == NULL)
    password = satchel_secrets_lookup_sync (ctx->secrets, uuid, SATCHEL_SECRET_INCOMING, NULL,
                                            &error);
  if (password == NULL)
    {
      /* No keyring, or nothing in it: ask, as the window would. */
      if (error != NULL)
        cli_note ("%s", error->message);
      else
        note_session_only (ctx);
      g_clear_error (&error);
      password = cli_read_password (&error);
      if (password == NULL)
        return cli_report (error);
    }

  satchel_login_check_async (account, service, password, ctx->store, NULL,
                             cli_result_callback (), &result);
  summary = satchel_login_check_finish (cli_wait (&result), &rejected, &error);
  if (summary != NULL)
    {
      printf ("%s: %s\n", name, summary);
      fflush (stdout);
      return CLI_EXIT_OK;
    }

  cli_error ("%s: %s", name, error->message);
  if (rejected != NULL)
    {
      g_autofree char *details = satchel_certificate_format (rejected);

      fprintf (stderr, "%s\n", details);
      cli_note (_("To trust this certificate for %s, run “satchel-cli trust %s%s” after "
                  "checking its fingerprint."),
                name, satchel_account_get_label (account),
                service == SATCHEL_SECRET_OUTGOING ? " outgoing" : "");
    }
  return cli_exit_for_error (error);
}

static int
account_test (CliContext  *ctx,
              int          argc,
              char       **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  SatchelAccount *account;
  int exit_code = CLI_EXIT_OK;
  gboolean incoming = TRUE;
  gboolean outgoing = TRUE;

  options = g_option_context_new (_("ACCOUNT [incoming|outgoing] — log in to the servers"));
  g_option_context_set_summary (options,
                                _("Connects and logs in to the incoming server, then the "
                                  "outgoing one if there is one (or only the one named), says "
                                  "what worked, and exits with the code of the first failure."));
  if (!cli_parse_options (options, &argc, &argv, &exit_code))
    return exit_code;
  if (argc < 2 || argc > 3)
    {
      cli_error (_("Name one account, and optionally incoming or outgoing."));
      return CLI_EXIT_USAGE;
    }
  if (argc == 3)
    {
      if (g_str_equal (argv[2], "incoming"))
        outgoing = FALSE;
      else if (g_str_equal (argv[2], "outgoing"))
        incoming = FALSE;
      else
        {
          cli_error (_("“%s” is neither incoming nor outgoing."), argv[2]);
          return CLI_EXIT_USAGE;
        }
    }
  if (!cli_open_store (ctx, &error))
    return cli_report (error);
  account = satchel_account_list_find (ctx->accounts, argv[1], &error);
  if (account == NULL)
    return cli_report (error);
  if (!satchel_account_has_smtp (account))
    {
      if (!incoming)
        {
          cli_error (_("The account %s has no outgoing server."),
                     satchel_account_get_label (account));
          return CLI_EXIT_USAGE;
        }
      outgoing = FALSE;
    }

  if (incoming)
    exit_code = test_service (ctx, account, SATCHEL_SECRET_INCOMING);
  if (outgoing)
    {
      int outgoing_code = test_service (ctx, account, SATCHEL_SECRET_OUTGOING);

      if (exit_code == CLI_EXIT_OK)
        exit_code = outgoing_code;
    }
  return exit_code;
}

static const struct {
  const char     *name;
  SubcommandFunc  func;
  const char     *summary;
} subcommands[] = {
  { "add", account_add, N_("Add an account (it does not connect)") },
  { "list", account_list, N_("List the accounts") },
  { "show", account_show, N_("Show an account’s settings") },
  { "set", account_set, N_("Change one setting of an account") },
  { "remove", account_remove, N_("Remove an account with its cached mail and passwords") },
  { "test", account_test, N_("Log in to the incoming and outgoing servers") },
};

int
cli_account (CliContext  *ctx,
             int          argc,
             char       **argv)
{
  g_autoptr(GString) help = g_string_new (NULL);

  if (!wants_help_only (argc, argv))
    {
      for (guint i = 0; i < G_N_ELEMENTS (subcommands); i++)
        if (g_str_equal (argv[1], subcommands[i].name))
          return subcommands[i].func (ctx, argc - 1, argv + 1);
    }

  g_string_append (help, _("Usage: satchel-cli account COMMAND [OPTIONS…]\n\nCommands:\n"));
  for (guint i = 0; i < G_N_ELEMENTS (subcommands); i++)
    g_string_append_printf (help, "  %-8s %s\n", subcommands[i].name, _(subcommands[i].summary));

  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      printf ("%s", help->str);
      return CLI_EXIT_OK;
    }
  if (argc >= 2)
    cli_error (_("“%s” is not an account command. Run “satchel-cli account --help” for the "
                 "list."), argv[1]);
  else
    fprintf (stderr, "%s", help->str);
  return CLI_EXIT_USAGE;
}
