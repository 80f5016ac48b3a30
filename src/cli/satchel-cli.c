/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-cli.c: the command-line front end on the engine
 *
 * Copyright 2026 The Satchel authors
 *
 * satchel-cli uses the same profile, store, keyring and sync code as the
 * window. Its commands, options, output and exit codes are a contract that
 * scripts depend on; README.md documents them.
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "satchel-cli.h"

#define MAX_PASSWORD_LENGTH 4096

static const struct {
  const char     *name;
  CliCommandFunc  func;
  const char     *summary;
} commands[] = {
  { "account", cli_account, N_("Add, list, show, change, test or remove accounts") },
  { "trust", cli_trust, N_("Show a server’s certificate and pin it") },
  { "sync", cli_sync, N_("Bring the local copy up to date, both ways") },
  { "folders", cli_folders, N_("List an account’s folders") },
  { "list", cli_list, N_("List a folder’s messages, newest first") },
  { "show", cli_show, N_("Show a message") },
  { "search", cli_search, N_("Find messages by their words") },
  { "flag", cli_flag, N_("Mark a message read, starred or answered, or not") },
  { "move", cli_move, N_("Move a message to another folder") },
  { "delete", cli_delete, N_("Move a message to the Trash, or delete it there") },
  { "mkdir", cli_mkdir, N_("Create a folder") },
  { "rename", cli_rename, N_("Rename a folder") },
  { "rmdir", cli_rmdir, N_("Delete a folder") },
  { "watch", cli_watch, N_("Print new messages as they arrive") },
  { "dump", cli_dump, N_("Print the local copy of an account as JSON") },
  { "send", cli_send, N_("Send a message") },
  { "reply", cli_reply, N_("Reply to a message") },
  { "forward", cli_forward, N_("Forward a message") },
  { "outbox", cli_outbox, N_("List what waits to be sent, or send it now") },
};

static void G_GNUC_PRINTF (2, 0)
print_line_to_stderr (const char *prefix,
                      const char *format,
                      va_list     args)
{
  g_autofree char *message = g_strdup_vprintf (format, args);

  fprintf (stderr, "%s%s\n", prefix, message);
  fflush (stderr);
}

/* One or more sentences about a failure, on stderr. */
void
cli_error (const char *format,
           ...)
{
  va_list args;

  va_start (args, format);
  print_line_to_stderr ("satchel-cli: ", format, args);
  va_end (args);
}

/* Something the user should know although the command worked. */
void
cli_note (const char *format,
          ...)
{
  va_list args;

  va_start (args, format);
  print_line_to_stderr ("", format, args);
  va_end (args);
}

int
cli_exit_for_error (const GError *error)
{
  if (error == NULL)
    return CLI_EXIT_OK;
  if (error->domain == SATCHEL_ACCOUNT_ERROR || error->domain == G_OPTION_ERROR ||
      error->domain == SATCHEL_MAIL_ERROR)
    return CLI_EXIT_USAGE;
  if (error->domain == SATCHEL_NET_ERROR)
    {
      switch ((SatchelNetError) error->code)
        {
        case SATCHEL_NET_ERROR_UNTRUSTED_CERTIFICATE:
          return CLI_EXIT_UNTRUSTED;
        case SATCHEL_NET_ERROR_AUTH_FAILED:
        case SATCHEL_NET_ERROR_AUTH_UNAVAILABLE:
          return CLI_EXIT_LOGIN;
        case SATCHEL_NET_ERROR_INSECURE:
          return CLI_EXIT_INSECURE;
        case SATCHEL_NET_ERROR_RESOLVE:
        case SATCHEL_NET_ERROR_CONNECT:
        case SATCHEL_NET_ERROR_TIMEOUT:
        case SATCHEL_NET_ERROR_CLOSED:
        case SATCHEL_NET_ERROR_TLS:
        case SATCHEL_NET_ERROR_PROTOCOL:
        case SATCHEL_NET_ERROR_SERVER:
        case SATCHEL_NET_ERROR_REJECTED:
        case SATCHEL_NET_ERROR_TEMPORARY:
        case SATCHEL_NET_ERROR_DELIVERY_UNKNOWN:
        default:
          return CLI_EXIT_FAILED;
        }
    }
  return CLI_EXIT_FAILED;
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* For the async engine calls: a callback that keeps the result, and the
 * wait for it. */
GAsyncReadyCallback
cli_result_callback (void)
{
  return store_result_cb;
}

GAsyncResult *
cli_wait (GAsyncResult **result)
{
  GMainContext *context = g_main_context_default ();

  while (*result == NULL)
    g_main_context_iteration (context, TRUE);
  return *result;
}

/* Prints @error and returns the exit code it calls for. */
int
cli_report (const GError *error)
{
  cli_error ("%s", error->message);
  return cli_exit_for_error (error);
}

gboolean
cli_open_store (CliContext  *ctx,
                GError     **error)
{
  g_autofree char *path = NULL;

  if (ctx->store != NULL)
    return TRUE;

  ctx->profile = satchel_profile_new (ctx->profile_dir);
  if (!satchel_profile_ensure (ctx->profile, error))
    return FALSE;

  path = satchel_profile_dup_store_path (ctx->profile);
  ctx->store = satchel_store_open (path, error);
  if (ctx->store == NULL)
    return FALSE;

  ctx->accounts = satchel_account_list_new (ctx->store, error);
  if (ctx->accounts == NULL)
    return FALSE;

  ctx->secrets = satchel_secrets_new ();
  return TRUE;
}

/* Parses a command's options; on bad usage prints why and sets the exit. */
gboolean
cli_parse_options (GOptionContext   *options,
                   int              *argc,
                   char           ***argv,
                   int              *out_exit)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (options, argc, argv, &error))
    {
      cli_error ("%s", error->message);
      *out_exit = CLI_EXIT_USAGE;
      return FALSE;
    }
  return TRUE;
}

void
cli_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
  fflush (stdout);
}

/**
 * cli_read_password:
 *
 * Reads one line from standard input: the password. On a terminal it asks
 * for it without echo. The buffer is wiped before it is freed.
 *
 * Returns: (transfer full): the password; free with satchel_password_free()
 */
char *
cli_read_password (GError **error)
{
  g_autoptr(SatchelPassword) password = g_malloc0 (MAX_PASSWORD_LENGTH + 1);
  struct termios saved;
  gboolean terminal = isatty (STDIN_FILENO);
  gboolean echo_off = FALSE;
  gsize len = 0;
  gboolean complete = FALSE;

  if (terminal)
    {
      fprintf (stderr, "%s", _("Password: "));
      fflush (stderr);
      if (tcgetattr (STDIN_FILENO, &saved) == 0)
        {
          struct termios quiet = saved;

          quiet.c_lflag &= ~ECHO;
          echo_off = tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
    }

  while (len < MAX_PASSWORD_LENGTH)
    {
      char c;
      ssize_t r = read (STDIN_FILENO, &c, 1);

      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break;
      if (c == '\n')
        {
          complete = TRUE;
          break;
        }
      password[len++] = c;
    }

  if (echo_off)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      fprintf (stderr, "\n");
    }

  if (!complete && len == MAX_PASSWORD_LENGTH)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("The password on standard input is longer than %d bytes."),
                   MAX_PASSWORD_LENGTH);
      return NULL;
    }
  if (len > 0 && password[len - 1] == '\r')
    password[--len] = '\0';
  if (len == 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("No password was given on standard input."));
      return NULL;
    }
  if (memchr (password, '\0', len) != NULL || !g_utf8_validate (password, len, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("The password on standard input is not valid UTF-8 text."));
      return NULL;
    }
  return g_steal_pointer (&password);
}

static void
cli_context_clear (CliContext *ctx)
{
  g_clear_object (&ctx->accounts);
  g_clear_object (&ctx->store);
  g_clear_object (&ctx->profile);
  g_clear_object (&ctx->secrets);
  g_clear_pointer (&ctx->profile_dir, g_free);
}

static char *
describe_commands (void)
{
  GString *text = g_string_new (_("Commands:"));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (text, "\n  %-10s %s", commands[i].name, _(commands[i].summary));
  g_string_append (text, "\n\n");
  g_string_append (text, _("Run “satchel-cli COMMAND --help” for the options of a command."));
  return g_string_free (text, FALSE);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autofree char *description = NULL;
  CliContext ctx = { 0 };
  gboolean version = FALSE;
  int exit_code = CLI_EXIT_OK;
  const GOptionEntry entries[] = {
    { "profile", 0, 0, G_OPTION_ARG_FILENAME, &ctx.profile_dir,
      N_("Keep the database and configuration under DIR (or set SATCHEL_PROFILE)"), N_("DIR") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version and exit"), NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  /* Binds the translations. */
  satchel_engine_init ();
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("satchel-cli");

  options = g_option_context_new (_("COMMAND [ARGUMENTS…]"));
  g_option_context_set_summary (options, _("Satchel’s mail client for the command line."));
  description = describe_commands ();
  g_option_context_set_description (options, description);
  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  g_option_context_set_strict_posix (options, TRUE);
  if (!cli_parse_options (options, &argc, &argv, &exit_code))
    goto out;

  if (version)
    {
      printf ("satchel-cli %s\n", PACKAGE_VERSION);
      goto out;
    }

  if (argc < 2)
    {
      g_autofree char *help = g_option_context_get_help (options, TRUE, NULL);

      fprintf (stderr, "%s", help);
      exit_code = CLI_EXIT_USAGE;
      goto out;
    }

  exit_code = CLI_EXIT_USAGE;
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (argv[1], commands[i].name))
        {
          exit_code = commands[i].func (&ctx, argc - 1, argv + 1);
          goto out;
        }
    }
  cli_error (_("“%s” is not a command. Run “satchel-cli --help” for the list."), argv[1]);

out:
  cli_context_clear (&ctx);
  return exit_code;
}
