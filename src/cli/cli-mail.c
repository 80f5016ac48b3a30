/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli-mail.c: satchel-cli sync, folders, list, show, search, flag, move,
 * delete, mkdir, rename, rmdir, watch and dump
 *
 * Copyright 2026 The Satchel authors
 *
 * Commands that read (folders, list, show, search, dump) read the local
 * copy only and never connect. Commands that change mail change the local
 * copy at once, queue the change, and then try to deliver the queue; when
 * the server cannot be reached they still succeed and say that the change
 * waits for the next sync.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <unistd.h>

#include "net/satchel-connection.h"
#include "sync/satchel-pop3-fetch.h"
#include "satchel-cli.h"

/* Helpers */

static int
usage (const char *message)
{
  cli_error ("%s", message);
  return CLI_EXIT_USAGE;
}

static GOptionContext *
new_options (const char          *parameters,
             const char          *summary,
             const GOptionEntry  *entries)
{
  GOptionContext *options = g_option_context_new (parameters);

  if (summary != NULL)
    g_option_context_set_summary (options, summary);
  if (entries != NULL)
    g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  return options;
}

static gboolean
parse_message_id (const char  *text,
                  gint64      *out,
                  GError     **error)
{
  guint64 id;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &id, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is not a message: use the number that list, search or watch "
                     "print."), text);
      return FALSE;
    }
  *out = id;
  return TRUE;
}

static char *
iso_date (gint64 when)
{
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (when);

  return date != NULL ? g_date_time_format_iso8601 (date) : g_strdup ("");
}

static int
report (const GError *error)
{
  if (error->domain == SATCHEL_MAIL_ERROR)
    {
      cli_error ("%s", error->message);
      return CLI_EXIT_USAGE;
    }
  return cli_report (error);
}

/* The folder FOLDER of ACCOUNT, or an error in words. */
static SatchelFolderInfo *
find_folder (CliContext     *ctx,
             SatchelAccount *account,
             const char     *name,
             GError        **error)
{
  SatchelFolderInfo *info = satchel_store_find_folder (ctx->store,
                                                       satchel_account_get_id (account), name,
                                                       error);

  if (info == NULL && error != NULL && *error == NULL)
    g_set_error (error, SATCHEL_MAIL_ERROR, SATCHEL_MAIL_ERROR_NOT_FOUND,
                 _("The account %s has no folder “%s”. See satchel-cli folders %s."),
                 satchel_account_get_label (account), name, satchel_account_get_label (account));
  return info;
}

static SatchelAccount *
account_of_message (CliContext  *ctx,
                    gint64       message_id,
                    GError     **error)
{
  sqlite3_stmt *stmt = satchel_store_prepare (ctx->store,
                                              "SELECT a.uuid FROM message m JOIN folder f ON "
                                              "f.id = m.folder_id JOIN account a ON a.id = "
                                              "f.account_id WHERE m.id = ?", error);
  g_autofree char *uuid = NULL;
  guint n;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, message_id);
  if (satchel_store_step (ctx->store, stmt, error) != SQLITE_ROW)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, SATCHEL_MAIL_ERROR, SATCHEL_MAIL_ERROR_NOT_FOUND,
                     _("There is no message %lld."), (long long) message_id);
      return NULL;
    }
  uuid = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);

  n = g_list_model_get_n_items (G_LIST_MODEL (ctx->accounts));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SatchelAccount) account = g_list_model_get_item (G_LIST_MODEL (ctx->accounts), i);

      if (g_str_equal (satchel_account_get_uuid (account), uuid))
        return account;
    }
  return NULL;
}

/* The incoming password: from the keyring, else asked for (on a terminal)
 * or read from standard input when @ask. */
static char *
incoming_password (CliContext     *ctx,
                   SatchelAccount *account,
                   gboolean        ask,
                   GError        **error)
{
  g_autoptr(GError) keyring_error = NULL;
  char *password = satchel_secrets_lookup_sync (ctx->secrets, satchel_account_get_uuid (account),
                                                SATCHEL_SECRET_INCOMING, NULL, &keyring_error);

  if (password != NULL)
    return password;
  if (!ask)
    {
      g_set_error (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_AUTH_UNAVAILABLE,
                   _("No password for %s is saved."), satchel_account_get_label (account));
      return NULL;
    }
  if (keyring_error != NULL)
    cli_note ("%s", keyring_error->message);
  else if (!satchel_secrets_get_keyring_available (ctx->secrets))
    cli_note ("%s", satchel_secrets_get_keyring_problem (ctx->secrets));
  return cli_read_password (error);
}

static SatchelStoreWriter *
open_writer (CliContext  *ctx,
             GError     **error)
{
  g_autofree char *path = satchel_profile_dup_store_path (ctx->profile);

  return satchel_store_writer_new (path, error);
}

typedef struct
{
  gboolean terminal;
  gboolean shown;
  gboolean held;      /* a password may still be asked for on the terminal */
} Progress;

/* @sync: a SatchelImapSync or a SatchelPop3Fetch, which have the same
 * progress properties. */
static void
progress_cb (GObject    *sync,
             GParamSpec *pspec,
             Progress   *progress)
{
  g_autofree char *folder = NULL;
  g_autofree char *line = NULL;
  SatchelSyncPhase phase;
  guint done, total;

  if (!progress->terminal || progress->held)
    return;
  g_object_get (sync, "phase", &phase, "folder", &folder, "done", &done, "total", &total, NULL);
  switch (phase)
    {
    case SATCHEL_SYNC_PHASE_CONNECTING:
      line = g_strdup (_("Connecting…"));
      break;
    case SATCHEL_SYNC_PHASE_SENDING_CHANGES:
      line = g_strdup_printf (_("Sending changes: %u of %u"), done, total);
      break;
    case SATCHEL_SYNC_PHASE_LISTING_FOLDERS:
      line = g_strdup (_("Listing folders…"));
      break;
    case SATCHEL_SYNC_PHASE_SYNCING_FOLDER:
      line = g_strdup_printf (_("%s: %u of %u new messages"), folder, done, total);
      break;
    case SATCHEL_SYNC_PHASE_FETCHING_BODIES:
      line = g_strdup_printf (_("%s: %u of %u messages downloaded"), folder, done, total);
      break;
    case SATCHEL_SYNC_PHASE_IDLE:
    case SATCHEL_SYNC_PHASE_WATCHING:
    case SATCHEL_SYNC_PHASE_DONE:
    default:
      return;
    }
  fprintf (stderr, "\r\033[K%s", line);
  fflush (stderr);
  progress->shown = TRUE;
}

static void
end_progress (Progress *progress)
{
  if (progress->shown)
    {
      fprintf (stderr, "\r\033[K");
      fflush (stderr);
    }
}

/* SATCHEL_MAINLOOP_PROBE=1: how long the main loop was kept from running,
 * measured by a timer that should fire every 5 ms (for the benchmarks). */
typedef struct
{
  gint64 last;
  gint64 longest;
} Probe;

static gboolean
probe_cb (gpointer user_data)
{
  Probe *probe = user_data;
  gint64 now = g_get_monotonic_time ();

  if (probe->last != 0)
    probe->longest = MAX (probe->longest, now - probe->last - 5000);
  probe->last = now;
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  CliContext      *ctx;
  SatchelAccount  *account;   /* owned */
  GObject         *sync;      /* owned: SatchelImapSync or SatchelPop3Fetch */
  Progress        *progress;  /* borrowed: lives as long as the run */
  gboolean         ask;
} PasswordLookup;

static void
password_found_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  PasswordLookup *lookup = user_data;
  g_autoptr(GError) keyring_error = NULL;
  g_autoptr(SatchelPassword) password = NULL;
  GError *error = NULL;

  password = satchel_secrets_lookup_finish (SATCHEL_SECRETS (source), result, &keyring_error);
  if (password == NULL)
    {
      if (!lookup->ask)
        error = g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_AUTH_UNAVAILABLE,
                             _("No password for %s is saved."),
                             satchel_account_get_label (lookup->account));
      else
        {
          if (keyring_error != NULL)
            cli_note ("%s", keyring_error->message);
          else if (!satchel_secrets_get_keyring_available (lookup->ctx->secrets))
            cli_note ("%s", satchel_secrets_get_keyring_problem (lookup->ctx->secrets));
          password = cli_read_password (&error);
        }
    }
  lookup->progress->held = FALSE;
  if (SATCHEL_IS_POP3_FETCH (lookup->sync))
    satchel_pop3_fetch_set_password (SATCHEL_POP3_FETCH (lookup->sync), password, error);
  else
    satchel_imap_sync_set_password (SATCHEL_IMAP_SYNC (lookup->sync), password, error);
  g_object_unref (lookup->account);
  g_object_unref (lookup->sync);
  g_free (lookup);
}

/* Runs one sync of @account (or only the delivery of its queued changes).
 * Without @password it comes from the keyring while the sync connects,
 * else (@ask) from the terminal. */
static gboolean
run_sync (CliContext            *ctx,
          SatchelAccount        *account,
          const char            *password,
          gboolean               ask,
          SatchelImapSyncFlags   flags,
          guint                 *undelivered,
          GError               **error)
{
  g_autoptr(SatchelStoreWriter) writer = open_writer (ctx, error);
  g_autoptr(GObject) sync = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  gboolean pop3 = satchel_account_get_kind (account) == SATCHEL_ACCOUNT_KIND_POP3;
  Progress progress = { isatty (STDERR_FILENO) && !(flags & SATCHEL_IMAP_SYNC_CHANGES_ONLY),
                        FALSE, password == NULL };
  Probe probe = { 0, 0 };
  guint probe_id = 0;
  gboolean ok;

  if (writer == NULL)
    return FALSE;
  if (pop3)
    sync = G_OBJECT (satchel_pop3_fetch_new (account, password, writer));
  else
    sync = G_OBJECT (satchel_imap_sync_new (account, password, writer, flags));
  if (password == NULL)
    {
      PasswordLookup *lookup = g_new0 (PasswordLookup, 1);

      lookup->ctx = ctx;
      lookup->account = g_object_ref (account);
      lookup->sync = g_object_ref (sync);
      lookup->progress = &progress;
      lookup->ask = ask;
      satchel_secrets_lookup_async (ctx->secrets, satchel_account_get_uuid (account),
                                    SATCHEL_SECRET_INCOMING, NULL, password_found_cb, lookup);
    }
  g_signal_connect (sync, "notify", G_CALLBACK (progress_cb), &progress);
  if (g_getenv ("SATCHEL_MAINLOOP_PROBE") != NULL)
    probe_id = g_timeout_add (5, probe_cb, &probe);
  if (pop3)
    {
      satchel_pop3_fetch_run_async (SATCHEL_POP3_FETCH (sync), NULL, cli_result_callback (),
                                    &result);
      ok = satchel_pop3_fetch_run_finish (SATCHEL_POP3_FETCH (sync), cli_wait (&result), error);
    }
  else
    {
      satchel_imap_sync_run_async (SATCHEL_IMAP_SYNC (sync), NULL, cli_result_callback (),
                                   &result);
      ok = satchel_imap_sync_run_finish (SATCHEL_IMAP_SYNC (sync), cli_wait (&result), error);
    }
  /* The lookup holds the progress: it must be over before the run's
   * frame goes. */
  while (progress.held)
    g_main_context_iteration (NULL, TRUE);
  end_progress (&progress);
  if (probe_id != 0)
    {
      g_source_remove (probe_id);
      cli_note ("main loop: longest stall %.1f ms", probe.longest / 1000.0);
    }
  if (undelivered != NULL)
    *undelivered = pop3 ? 0 : satchel_imap_sync_get_pending_left (SATCHEL_IMAP_SYNC (sync));
  return ok;
}

/* After a change here: try to make it on the server too. */
static int
deliver_queue (CliContext     *ctx,
               SatchelAccount *account)
{
  g_autoptr(GError) error = NULL;
  guint left = 0;

  if (satchel_account_get_kind (account) != SATCHEL_ACCOUNT_KIND_IMAP)
    return CLI_EXIT_OK;
  if (!run_sync (ctx, account, NULL, FALSE, SATCHEL_IMAP_SYNC_CHANGES_ONLY, &left, &error))
    {
      cli_note (_("The change is made here and queued; the next sync delivers it to %s (%s)"),
                satchel_account_get_host (account), error->message);
      return CLI_EXIT_OK;
    }
  return CLI_EXIT_OK;
}

static SatchelAccount *
open_account (CliContext  *ctx,
              const char  *name,
              GError     **error)
{
  if (!cli_open_store (ctx, error))
    return NULL;
  return satchel_account_list_find (ctx->accounts, name, error);
}

/* sync */

static gboolean run_outbox (CliContext      *ctx,
                            SatchelAccount  *account,
                            gboolean         retry,
                            gint64           id,
                            GError         **outcome,
                            gboolean        *tried,
                            GError         **error);

/* What waits in the outbox and is due goes too: a sync is when messages
 * queued while the server was away are sent, and when one that a stopped
 * process left "sending" becomes "delivery unknown". */
static void
send_waiting (CliContext     *ctx,
              SatchelAccount *account)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gboolean due = FALSE;
  gboolean tried;

  if (!satchel_account_has_smtp (account))
    return;
  items = satchel_store_outbox_list (ctx->store, satchel_account_get_id (account), NULL);
  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      SatchelOutboxItem *item = g_ptr_array_index (items, i);

      due |= satchel_outbox_item_wants_run (item, now);
    }
  if (due && !run_outbox (ctx, account, FALSE, 0, NULL, &tried, &error))
    cli_note (_("%s: the outbox waits (%s)"), satchel_account_get_label (account),
              error->message);
}

int
cli_sync (CliContext  *ctx,
          int          argc,
          char       **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  gboolean bodies = FALSE;
  int exit_code = CLI_EXIT_OK;
  guint n;
  const GOptionEntry entries[] = {
    { "bodies", 0, 0, G_OPTION_ARG_NONE, &bodies, N_("Also download every message body"), NULL },
    { NULL }
  };

  options = new_options (_("[ACCOUNT] — bring the local copy up to date"),
                         _("Delivers the changes made here, then fetches what changed on the "
                           "server, for one account or all."), entries);
  if (!cli_parse_options (options, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 2)
    return usage (_("Name at most one account."));
  satchel_connection_warm_up (NULL, FALSE);
  if (!cli_open_store (ctx, &error))
    return cli_report (error);

  n = g_list_model_get_n_items (G_LIST_MODEL (ctx->accounts));
  if (argc == 2 && satchel_account_list_find (ctx->accounts, argv[1], &error) == NULL)
    return cli_report (error);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SatchelAccount) account = g_list_model_get_item (G_LIST_MODEL (ctx->accounts), i);
      g_autoptr(GError) sync_error = NULL;

      if (argc == 2 && account != satchel_account_list_lookup (ctx->accounts, argv[1]))
        continue;
      if (!run_sync (ctx, account, NULL, TRUE, bodies ? SATCHEL_IMAP_SYNC_BODIES : 0, NULL,
                     &sync_error))
        {
          int code = cli_exit_for_error (sync_error);

          cli_error ("%s: %s", satchel_account_get_label (account), sync_error->message);
          if (exit_code == CLI_EXIT_OK)
            exit_code = code;
        }
      send_waiting (ctx, account);
    }
  return exit_code;
}

/* folders */

int
cli_folders (CliContext  *ctx,
             int          argc,
             char       **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  SatchelAccount *account;
  gboolean json = FALSE;
  int exit_code = CLI_EXIT_OK;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON document"), NULL },
    { NULL }
  };

  options = new_options (_("ACCOUNT — list an account’s folders"), NULL, entries);
  if (!cli_parse_options (options, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 2)
    return usage (_("Name one account, by its address or label."));
  account = open_account (ctx, argv[1], &error);
  if (account == NULL)
    return cli_report (error);
  folders = satchel_query_folders (ctx->store, satchel_account_get_id (account), &error);
  if (folders == NULL)
    return cli_report (error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < folders->len; i++)
        {
          SatchelFolderRow *row = g_ptr_array_index (folders, i);
          const char *role = satchel_folder_role_name (row->role);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, row->name);
          json_builder_set_member_name (builder, "role");
          if (role != NULL)
            json_builder_add_string_value (builder, role);
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "total");
          json_builder_add_int_value (builder, row->total);
          json_builder_set_member_name (builder, "unread");
          json_builder_add_int_value (builder, row->unread);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      cli_print_json (root);
      return CLI_EXIT_OK;
    }

  for (guint i = 0; i < folders->len; i++)
    {
      SatchelFolderRow *row = g_ptr_array_index (folders, i);
      const char *role = satchel_folder_role_name (row->role);

      printf ("%s\t%s\t%u\t%u\n", row->name, role != NULL ? role : "-", row->total, row->unread);
    }
  return CLI_EXIT_OK;
}

/* list, search */

static void
add_message_json (JsonBuilder       *builder,
                  SatchelMessageRow *row)
{
  g_auto(GStrv) flags = satchel_flag_names (row->flags, row->keywords);
  g_autofree char *date = iso_date (row->date);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, row->id);
  json_builder_set_member_name (builder, "folder");
  json_builder_add_string_value (builder, row->folder);
  json_builder_set_member_name (builder, "uid");
  if (row->uid != 0)
    json_builder_add_int_value (builder, row->uid);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "message_id");
  if (row->message_id != NULL)
    json_builder_add_string_value (builder, row->message_id);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "from");
  json_builder_add_string_value (builder, row->from != NULL ? row->from : "");
  json_builder_set_member_name (builder, "subject");
  json_builder_add_string_value (builder, row->subject != NULL ? row->subject : "");
  json_builder_set_member_name (builder, "date");
  json_builder_add_string_value (builder, date);
  json_builder_set_member_name (builder, "flags");
  json_builder_begin_array (builder);
  for (guint i = 0; flags[i] != NULL; i++)
    json_builder_add_string_value (builder, flags[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, row->size);
  json_builder_end_object (builder);
}

static void
print_messages (GPtrArray *rows,
                gboolean   json)
{
  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < rows->len; i++)
        add_message_json (builder, g_ptr_array_index (rows, i));
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      cli_print_json (root);
      return;
    }
  for (guint i = 0; i < rows->len; i++)
    {
      SatchelMessageRow *row = g_ptr_array_index (rows, i);
      g_autofree char *date = iso_date (row->date);
      g_auto(GStrv) flags = satchel_flag_names (row->flags, row->keywords);
      g_autofree char *flag_text = g_strjoinv (" ", flags);

      printf ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%s\t%s\n", row->id, date, row->folder,
              row->from != NULL ? row->from : "", row->subject != NULL ? row->subject : "",
              flag_text);
    }
}

int
cli_list (CliContext  *ctx,
          int          argc,
          char       **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelFolderInfo) folder = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  SatchelAccount *account;
  gboolean json = FALSE;
  int limit = 0;
  int exit_code = CLI_EXIT_OK;
  const GOptionEntry entries[] = {
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("At most N messages"), N_("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON document"), NULL },
    { NULL }
  };

  options = new_options (_("ACCOUNT FOLDER — list a folder’s messages, newest first"), NULL,
                         entries);
  if (!cli_parse_options (options, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 3)
    return usage (_("Name one account and one folder."));
  if (limit < 0)
    return usage (_("The limit cannot be negative."));
  account = open_account (ctx, argv[1], &error);
  if (account == NULL)
    return cli_report (error);
  folder = find_folder (ctx, account, argv[2], &error);
  if (folder == NULL)
    return report (error);
  rows = satchel_query_messages (ctx->store, folder->id, limit, FALSE, &error);
  if (rows == NULL)
    return cli_report (error);
  print_messages (rows, json);
  return CLI_EXIT_OK;
}

int
cli_search (CliContext  *ctx,
            int          argc,
            char       **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *account_name = NULL;
  g_autofree char *query = NULL;
  gint64 account_id = 0;
  gboolean json = FALSE;
  int exit_code = CLI_EXIT_OK;
  const GOptionEntry entries[] = {
    { "account", 0, 0, G_OPTION_ARG_STRING, &account_name, N_("Search this account only"), N_("ACCOUNT") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON document"), NULL },
    { NULL }
  };

  options = new_options (_("QUERY — find messages by words of their subject, addresses or "
                           "text"), NULL, entries);
  if (!cli_parse_options (options, &argc, &argv, &exit_code))
    return exit_code;
  if (argc < 2)
    return usage (_("Say what to search for."));
  if (!cli_open_store (ctx, &error))
    return cli_report (error);
  if (account_name != NULL)
    {
      SatchelAccount *account = satchel_account_list_find (ctx->accounts, account_name, &error);

      if (account == NULL)
        return cli_report (error);
      account_id = satchel_account_get_id (account);
    }
  query = g_strjoinv (" ", argv + 1);
  /* Bodies cached since the last indexing are searched too. */
  if (!satchel_index_all_bodies (ctx->store, NULL, &error))
    return cli_report (error);
  rows = satchel_query_search (ctx->store, query, account_id, 0, 0, &error);
  if (rows == NULL)
    return cli_report (error);
  print_messages (rows, json);
  return CLI_EXIT_OK;
}

/* show */

int
cli_show (CliContext  *ctx,
          int          argc,
          char       **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelMessageRow) row = NULL;
  g_autoptr(GBytes) raw = NULL;
  gboolean show_raw = FALSE;
  int exit_code = CLI_EXIT_OK;
  gint64 id;
  const GOptionEntry entries[] = {
    { "raw", 0, 0, G_OPTION_ARG_NONE, &show_raw, N_("Print the message exactly as received"), NULL },
    { NULL }
  };

  options = new_options (_("MESSAGE — show a message"), NULL, entries);
  if (!cli_parse_options (options, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 2)
    return usage (_("Name one message, by the number that list, search or watch print."));
  if (!parse_message_id (argv[1], &id, &error))
    return cli_report (error);
  if (!cli_open_store (ctx, &error))
    return cli_report (error);
  row = satchel_query_message (ctx->store, id, &error);
  if (row == NULL && error == NULL)
    g_set_error (&error, SATCHEL_MAIL_ERROR, SATCHEL_MAIL_ERROR_NOT_FOUND,
                 _("There is no message %lld."), (long long) id);
  if (row == NULL)
    return report (error);
  raw = satchel_store_get_body (ctx->store, id, &error);
  if (error != NULL)
    return cli_report (error);

  if (show_raw)
    {
      if (raw == NULL)
        {
          cli_error (_("The message %lld is not downloaded yet; “satchel-cli "
                       "sync --bodies” downloads it."), (long long) id);
          return CLI_EXIT_FAILED;
        }
      fwrite (g_bytes_get_data (raw, NULL), 1, g_bytes_get_size (raw), stdout);
      return CLI_EXIT_OK;
    }

  {
    g_autofree char *date = iso_date (row->date);

    printf ("From: %s\n", row->from != NULL ? row->from : "");
    if (row->to != NULL && row->to[0] != '\0')
      printf ("To: %s\n", row->to);
    if (row->cc != NULL && row->cc[0] != '\0')
      printf ("Cc: %s\n", row->cc);
    printf ("Date: %s\n", date);
    printf ("Subject: %s\n\n", row->subject != NULL ? row->subject : "");
  }
  if (raw == NULL)
    {
      if (row->preview != NULL)
        printf ("%s\n", row->preview);
      cli_note (_("The text of this message is not downloaded yet; “satchel-cli sync "
                  "--bodies” downloads it."));
      return CLI_EXIT_OK;
    }
  {
    g_autoptr(GMimeMessage) message = satchel_mime_parse (raw);
    g_autofree char *text = message != NULL ? satchel_mime_get_text (message, G_MAXSIZE) : NULL;

    if (text != NULL)
      printf ("%s%s", text, g_str_has_suffix (text, "\n") ? "" : "\n");
  }
  return CLI_EXIT_OK;
}

/* flag, move, delete */

static gboolean
parse_flag_change (const char  *text,
                   guint       *add,
                   guint       *remove,
                   GError     **error)
{
  static const struct { const char *name; guint bit; } names[] = {
    { "seen", SATCHEL_FLAG_SEEN },
    { "flagged", SATCHEL_FLAG_FLAGGED },
    { "answered", SATCHEL_FLAG_ANSWERED },
  };

  if (text[0] == '+' || text[0] == '-')
    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      if (g_ascii_strcasecmp (text + 1, names[i].name) == 0)
        {
          if (text[0] == '+')
            *add |= names[i].bit;
          else
            *remove |= names[i].bit;
          return TRUE;
        }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("“%s” is not a flag change: use +seen, -seen, +flagged, -flagged, +answered "
                 "or -answered."), text);
  return FALSE;
}

int
cli_flag (CliContext  *ctx,
          int          argc,
          char       **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  SatchelAccount *account;
  guint add = 0;
  guint remove = 0;
  int exit_code = CLI_EXIT_OK;
  gint64 id;

  options = new_options (_("MESSAGE (+|-)(seen|flagged|answered)… — change a message’s flags"),
                         NULL, NULL);
  /* "-seen" is a flag change, not an option. */
  g_option_context_set_ignore_unknown_options (options, TRUE);
  if (!cli_parse_options (options, &argc, &argv, &exit_code))
    return exit_code;
  if (argc < 3)
    return usage (_("Name one message and at least one flag change, such as +seen."));
  if (!parse_message_id (argv[1], &id, &error))
    return cli_report (error);
  for (int i = 2; i < argc; i++)
    if (!parse_flag_change (argv[i], &add, &remove, &error))
      return cli_report (error);
  if (add & remove)
    return usage (_("A flag cannot be set and cleared at once."));
  if (!cli_open_store (ctx, &error))
    return cli_report (error);
  account = account_of_message (ctx, id, &error);
  if (account == NULL)
    return report (error);
  if (!satchel_mail_change_flags (ctx->store, id, add, remove, &error))
    return report (error);
  return deliver_queue (ctx, account);
}

int
cli_move (CliContext  *ctx,
          int          argc,
          char       **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  SatchelAccount *account;
  int exit_code = CLI_EXIT_OK;
  gint64 id;

  options = new_options (_("MESSAGE FOLDER — move a message to another folder of its account"),
                         NULL, NULL);
  if (!cli_parse_options (options, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 3)
    return usage (_("Name one message and one folder."));
  if (!parse_message_id (argv[1], &id, &error))
    return cli_report (error);
  if (!cli_open_store (ctx, &error))
    return cli_report (error);
  account = account_of_message (ctx, id, &error);
  if (account == NULL)
    return report (error);
  if (!satchel_mail_move (ctx->store, id, argv[2], &error))
    return report (error);
  return deliver_queue (ctx, account);
}

int
cli_delete (CliContext  *ctx,
            int          argc,
            char       **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  SatchelAccount *account;
  int exit_code = CLI_EXIT_OK;
  gint64 id;

  options = new_options (_("MESSAGE — move a message to the Trash, or delete it there"),
                         NULL, NULL);
  if (!cli_parse_options (options, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 2)
    return usage (_("Name one message."));
  if (!parse_message_id (argv[1], &id, &error))
    return cli_report (error);
  if (!cli_open_store (ctx, &error))
    return cli_report (error);
  account = account_of_message (ctx, id, &error);
  if (account == NULL)
    return report (error);
  if (!satchel_mail_delete (ctx->store, id, &error))
    return report (error);
  return deliver_queue (ctx, account);
}

/* mkdir, rmdir, rename */

static int
folder_command (CliContext  *ctx,
                int          argc,
                char       **argv,
                const char  *parameters,
                int          expected)
{
  g_autoptr(GOptionContext) options = new_options (parameters, NULL, NULL);
  g_autoptr(GError) error = NULL;
  SatchelAccount *account;
  int exit_code = CLI_EXIT_OK;
  gboolean ok;

  if (!cli_parse_options (options, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != expected)
    return usage (expected == 4 ? _("Name one account, one folder and its new name.")
                                : _("Name one account and one folder."));
  account = open_account (ctx, argv[1], &error);
  if (account == NULL)
    return cli_report (error);

  if (g_str_equal (argv[0], "mkdir"))
    ok = satchel_mail_create_folder (ctx->store, account, argv[2], &error);
  else if (g_str_equal (argv[0], "rmdir"))
    ok = satchel_mail_delete_folder (ctx->store, account, argv[2], &error);
  else
    ok = satchel_mail_rename_folder (ctx->store, account, argv[2], argv[3], &error);
  if (!ok)
    return report (error);
  return deliver_queue (ctx, account);
}

int
cli_mkdir (CliContext  *ctx,
           int          argc,
           char       **argv)
{
  return folder_command (ctx, argc, argv, _("ACCOUNT FOLDER — create a folder"), 3);
}

int
cli_rmdir (CliContext  *ctx,
           int          argc,
           char       **argv)
{
  return folder_command (ctx, argc, argv, _("ACCOUNT FOLDER — delete a folder and its mail"), 3);
}

int
cli_rename (CliContext  *ctx,
            int          argc,
            char       **argv)
{
  return folder_command (ctx, argc, argv, _("ACCOUNT FOLDER NEWNAME — rename a folder"), 4);
}

/* watch */

typedef struct
{
  gboolean ready;
} Watch;

static void
new_message_cb (GObject           *sync,
                SatchelNewMessage *message,
                Watch             *watch)
{
  if (!watch->ready)
    return;
  printf ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\n", message->id, message->folder, message->from,
          message->subject);
  fflush (stdout);
}

static void
watch_phase_cb (SatchelImapSync *sync,
                GParamSpec      *pspec,
                Watch           *watch)
{
  /* What the first sync finds was there before the watch began. */
  if (satchel_imap_sync_get_phase (sync) == SATCHEL_SYNC_PHASE_WATCHING && !watch->ready)
    {
      watch->ready = TRUE;
      cli_note (_("Watching %s for new mail."), satchel_imap_sync_get_folder (sync));
    }
}

static gboolean
poll_due_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* A POP3 account is checked at its interval (SATCHEL_CHECK_SECONDS sets
 * it in seconds, for the tests); a failure that asking again may cure
 * (network, server) is told and the checks go on. */
static int
watch_pop3 (SatchelAccount     *account,
            const char         *password,
            SatchelStoreWriter *writer)
{
  g_autoptr(SatchelPop3Fetch) fetch = satchel_pop3_fetch_new (account, password, writer);
  const char *seconds = g_getenv ("SATCHEL_CHECK_SECONDS");
  guint interval = seconds != NULL ? (guint) g_ascii_strtoull (seconds, NULL, 10)
                                   : satchel_account_get_check_interval (account) * 60;
  Watch watch = { FALSE };

  g_signal_connect (fetch, "new-message", G_CALLBACK (new_message_cb), &watch);
  for (;;)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      gboolean due = FALSE;

      satchel_pop3_fetch_run_async (fetch, NULL, cli_result_callback (), &result);
      if (!satchel_pop3_fetch_run_finish (fetch, cli_wait (&result), &error))
        {
          int code = cli_exit_for_error (error);

          if (code != CLI_EXIT_FAILED)
            return cli_report (error);
          cli_note ("%s", error->message);
        }
      if (!watch.ready)
        {
          watch.ready = TRUE;
          cli_note (_("Watching INBOX for new mail, checking every %u s."), MAX (interval, 1));
        }
      g_timeout_add_seconds (MAX (interval, 1), poll_due_cb, &due);
      while (!due)
        g_main_context_iteration (NULL, TRUE);
    }
}

int
cli_watch (CliContext  *ctx,
           int          argc,
           char       **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelPassword) password = NULL;
  g_autoptr(SatchelStoreWriter) writer = NULL;
  g_autoptr(SatchelImapSync) sync = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  SatchelAccount *account;
  Watch watch = { FALSE };
  int exit_code = CLI_EXIT_OK;

  options = new_options (_("ACCOUNT — print each new message as it arrives"),
                         _("One line per message: ID, folder, sender and subject, separated by "
                           "tabs."), NULL);
  if (!cli_parse_options (options, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 2)
    return usage (_("Name one account, by its address or label."));
  account = open_account (ctx, argv[1], &error);
  if (account == NULL)
    return cli_report (error);
  password = incoming_password (ctx, account, TRUE, &error);
  if (password == NULL)
    return cli_report (error);
  writer = open_writer (ctx, &error);
  if (writer == NULL)
    return cli_report (error);
  if (satchel_account_get_kind (account) == SATCHEL_ACCOUNT_KIND_POP3)
    return watch_pop3 (account, password, writer);

  sync = satchel_imap_sync_new (account, password, writer, 0);
  g_signal_connect (sync, "new-message", G_CALLBACK (new_message_cb), &watch);
  g_signal_connect (sync, "notify::phase", G_CALLBACK (watch_phase_cb), &watch);
  satchel_imap_sync_watch_async (sync, NULL, cli_result_callback (), &result);
  if (!satchel_imap_sync_watch_finish (sync, cli_wait (&result), &error))
    return cli_report (error);
  return CLI_EXIT_OK;
}

/* dump */

static char *
sha256_of (GBytes *raw)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, raw);
}

int
cli_dump (CliContext  *ctx,
          int          argc,
          char       **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  SatchelAccount *account;
  gboolean json = FALSE;
  gboolean imap;
  int exit_code = CLI_EXIT_OK;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON document (the only form)"), NULL },
    { NULL }
  };

  options = new_options (_("ACCOUNT --json — print the canonical state of the local copy"), NULL,
                         entries);
  if (!cli_parse_options (options, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 2)
    return usage (_("Name one account, by its address or label."));
  if (!json)
    return usage (_("dump prints JSON only: add --json."));
  account = open_account (ctx, argv[1], &error);
  if (account == NULL)
    return cli_report (error);
  imap = satchel_account_get_kind (account) == SATCHEL_ACCOUNT_KIND_IMAP;
  folders = satchel_query_folders (ctx->store, satchel_account_get_id (account), &error);
  if (folders == NULL)
    return cli_report (error);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "account");
  json_builder_add_string_value (builder, satchel_account_get_email (account));
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, imap ? "imap" : "pop3");
  json_builder_set_member_name (builder, "folders");
  json_builder_begin_array (builder);
  for (guint i = 0; i < folders->len; i++)
    {
      SatchelFolderRow *folder = g_ptr_array_index (folders, i);
      const char *role = satchel_folder_role_name (folder->role);
      g_autoptr(GPtrArray) rows = satchel_query_messages (ctx->store, folder->id, 0, TRUE, &error);

      if (rows == NULL)
        return cli_report (error);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, folder->name);
      json_builder_set_member_name (builder, "role");
      if (role != NULL)
        json_builder_add_string_value (builder, role);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "uidvalidity");
      if (imap && folder->uidvalidity != 0)
        json_builder_add_int_value (builder, folder->uidvalidity);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "messages");
      json_builder_begin_array (builder);
      for (guint j = 0; j < rows->len; j++)
        {
          SatchelMessageRow *row = g_ptr_array_index (rows, j);
          g_auto(GStrv) flags = satchel_flag_names (row->flags, row->keywords);
          g_autoptr(GBytes) raw = satchel_store_get_body (ctx->store, row->id, &error);

          if (error != NULL)
            return cli_report (error);
          json_builder_begin_object (builder);
          if (imap)
            {
              json_builder_set_member_name (builder, "uid");
              if (row->uid != 0)
                json_builder_add_int_value (builder, row->uid);
              else
                json_builder_add_null_value (builder);
            }
          else
            {
              json_builder_set_member_name (builder, "uidl");
              if (row->uidl != NULL)
                json_builder_add_string_value (builder, row->uidl);
              else
                json_builder_add_null_value (builder);
            }
          json_builder_set_member_name (builder, "flags");
          json_builder_begin_array (builder);
          for (guint k = 0; flags[k] != NULL; k++)
            json_builder_add_string_value (builder, flags[k]);
          json_builder_end_array (builder);
          json_builder_set_member_name (builder, "size");
          json_builder_add_int_value (builder, row->size);
          json_builder_set_member_name (builder, "message_id");
          if (row->message_id != NULL)
            json_builder_add_string_value (builder, row->message_id);
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "sha256");
          if (raw != NULL)
            {
              g_autofree char *sum = sha256_of (raw);

              json_builder_add_string_value (builder, sum);
            }
          else
            json_builder_add_null_value (builder);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  cli_print_json (root);
  return CLI_EXIT_OK;
}

/* Sending: send, reply, forward, outbox */

static char *
read_body (GError **error)
{
  g_autoptr(GString) body = g_string_new (NULL);
  char buffer[65536];
  size_t n;

  while ((n = fread (buffer, 1, sizeof buffer, stdin)) > 0)
    g_string_append_len (body, buffer, n);
  if (ferror (stdin))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The text could not be read."));
      return NULL;
    }
  if (!g_utf8_validate (body->str, body->len, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("The text of the message must be UTF-8."));
      return NULL;
    }
  return g_string_free (g_steal_pointer (&body), FALSE);
}

static SatchelDraft *
draft_for (SatchelAccount *account)
{
  SatchelDraft *draft = satchel_draft_new ();
  const char *name = satchel_account_get_real_name (account);
  const char *signature = satchel_account_get_signature (account);

  draft->from_name = g_strdup (name != NULL && name[0] != '\0' ? name : NULL);
  draft->from_address = g_strdup (satchel_account_get_email (account));
  draft->signature = g_strdup (signature);
  return draft;
}

/* Each value may name several addresses ("Ada <a@x>, b@y"). */
static void
add_all (GPtrArray  *to,
         char      **values)
{
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    satchel_draft_add_addresses (to, values[i]);
}

static char *
outgoing_password (CliContext     *ctx,
                   SatchelAccount *account)
{
  g_autoptr(GError) error = NULL;
  char *password = satchel_secrets_lookup_sync (ctx->secrets, satchel_account_get_uuid (account),
                                                SATCHEL_SECRET_OUTGOING, NULL, &error);

  if (password == NULL)
    password = satchel_secrets_lookup_sync (ctx->secrets, satchel_account_get_uuid (account),
                                            SATCHEL_SECRET_INCOMING, NULL, NULL);
  return password;
}

/* Runs the account's outbox; returns the run's error (nothing could be
 * tried), and through @outcome what became of message @id. */
static gboolean
run_outbox (CliContext      *ctx,
            SatchelAccount  *account,
            gboolean         retry,
            gint64           id,
            GError         **outcome,
            gboolean        *tried,
            GError         **error)
{
  g_autoptr(SatchelStoreWriter) writer = open_writer (ctx, error);
  g_autoptr(SatchelOutbox) outbox = NULL;
  g_autoptr(SatchelPassword) password = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  const GError *why;
  gboolean ok;

  if (writer == NULL)
    return FALSE;
  password = outgoing_password (ctx, account);
  outbox = satchel_outbox_new (account, password, writer);
  if (password == NULL)
    satchel_outbox_set_password (outbox, NULL,
                                 g_error_new (SATCHEL_NET_ERROR,
                                              SATCHEL_NET_ERROR_AUTH_UNAVAILABLE,
                                              _("No password for the outgoing server of %s is "
                                                "saved."),
                                              satchel_account_get_label (account)));
  satchel_outbox_send_async (outbox, retry, NULL, cli_result_callback (), &result);
  ok = satchel_outbox_send_finish (outbox, cli_wait (&result), error);
  *tried = FALSE;
  why = satchel_outbox_get_outcome (outbox, id, tried);
  if (why != NULL && outcome != NULL)
    *outcome = g_error_copy (why);
  /* The copies in Sent go to an IMAP server now if they can. */
  if (satchel_outbox_get_sent (outbox) > 0)
    deliver_queue (ctx, account);
  return ok;
}

/* Puts @draft in the outbox and tries to send it, as CLI.md says. */
static int
send_draft (CliContext     *ctx,
            SatchelAccount *account,
            SatchelDraft   *draft)
{
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) outcome = NULL;
  g_auto(GStrv) recipients = NULL;
  gboolean tried = FALSE;
  gint64 id;

  if (!satchel_account_has_smtp (account))
    return usage (_("The account has no outgoing server: set one with “satchel-cli account set "
                    "ACCOUNT smtp-host HOST”."));
  message = satchel_draft_build (draft, &error);
  if (message == NULL)
    {
      cli_error ("%s", error->message);
      return CLI_EXIT_USAGE;
    }
  recipients = satchel_draft_dup_recipients (draft);
  if (recipients[0] == NULL)
    return usage (_("The message has no recipient."));
  raw = satchel_mime_to_bytes (message);

  id = satchel_store_outbox_add (ctx->store, satchel_account_get_id (account), raw,
                                 draft->subject, draft->from_address,
                                 (const char * const *) recipients,
                                 g_get_real_time () / G_USEC_PER_SEC, &error);
  if (id == 0)
    return cli_report (error);

  if (!run_outbox (ctx, account, FALSE, id, &outcome, &tried, &error))
    {
      if (satchel_net_error_is_retryable (error))
        {
          cli_note (_("The message is in the outbox; it is sent when %s can be reached (%s)"),
                    satchel_account_get_smtp_host (account), error->message);
          return CLI_EXIT_OK;
        }
      cli_error (_("The message is in the outbox, not sent: %s"), error->message);
      return cli_exit_for_error (error);
    }
  if (!tried)
    {
      cli_note (_("The message is in the outbox."));
      return CLI_EXIT_OK;
    }
  if (outcome == NULL)
    return CLI_EXIT_OK;
  if (g_error_matches (outcome, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_REJECTED) ||
      g_error_matches (outcome, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_DELIVERY_UNKNOWN))
    {
      cli_error (_("%s It stays in the outbox."), outcome->message);
      return CLI_EXIT_FAILED;
    }
  /* Down or busy: later. A server that broke the protocol (or another
   * failure that waiting does not mend) is an error, though the message
   * waits in the outbox for another try. */
  if (!satchel_net_error_is_retryable (outcome))
    {
      cli_error (_("The message is in the outbox, not sent: %s"), outcome->message);
      return cli_exit_for_error (outcome);
    }
  cli_note (_("The message is in the outbox; it is sent later (%s)"), outcome->message);
  return CLI_EXIT_OK;
}

int
cli_send (CliContext  *ctx,
          int          argc,
          char       **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelDraft) draft = NULL;
  g_autofree char *account_name = NULL;
  g_autofree char *subject = NULL;
  g_auto(GStrv) to = NULL;
  g_auto(GStrv) cc = NULL;
  g_auto(GStrv) bcc = NULL;
  g_auto(GStrv) attach = NULL;
  SatchelAccount *account;
  int exit_code = CLI_EXIT_OK;
  const GOptionEntry entries[] = {
    { "account", 0, 0, G_OPTION_ARG_STRING, &account_name, N_("The account it is sent from"), N_("ACCOUNT") },
    { "to", 0, 0, G_OPTION_ARG_STRING_ARRAY, &to, N_("A recipient"), N_("ADDR") },
    { "cc", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cc, N_("A recipient in copy"), N_("ADDR") },
    { "bcc", 0, 0, G_OPTION_ARG_STRING_ARRAY, &bcc, N_("A hidden recipient"), N_("ADDR") },
    { "subject", 0, 0, G_OPTION_ARG_STRING, &subject, N_("The subject"), N_("TEXT") },
    { "attach", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &attach, N_("A file to attach"), N_("FILE") },
    { NULL }
  };

  options = new_options (_("— send a message (its text on standard input)"), NULL, entries);
  if (!cli_parse_options (options, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 1)
    return usage (_("The text of the message comes on standard input."));
  if (account_name == NULL || subject == NULL || (to == NULL && cc == NULL && bcc == NULL))
    return usage (_("send needs --account, --subject and at least one recipient."));
  account = open_account (ctx, account_name, &error);
  if (account == NULL)
    return cli_report (error);

  draft = draft_for (account);
  add_all (draft->to, to);
  add_all (draft->cc, cc);
  add_all (draft->bcc, bcc);
  for (guint i = 0; attach != NULL && attach[i] != NULL; i++)
    g_ptr_array_add (draft->attachments, g_strdup (attach[i]));
  draft->subject = g_strdup (subject);
  draft->body = read_body (&error);
  if (draft->body == NULL)
    return cli_report (error);
  return send_draft (ctx, account, draft);
}

/* The message @id as GMime reads it, and its account. Without its body
 * (not downloaded) a message is made of what the store knows of it. */
static GMimeMessage *
load_original (CliContext      *ctx,
               gint64           id,
               SatchelAccount **account,
               GError         **error)
{
  g_autoptr(GBytes) raw = NULL;
  sqlite3_stmt *stmt;
  gint64 account_id = 0;
  GMimeMessage *message;

  if (!cli_open_store (ctx, error))
    return NULL;
  stmt = satchel_store_prepare (ctx->store,
    "SELECT f.account_id, m.sender, m.recipients_to, m.recipients_cc, m.subject, "
    "  m.message_id, m.refs, m.date FROM message m JOIN folder f ON f.id = m.folder_id "
    "WHERE m.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (satchel_store_step (ctx->store, stmt, error) != SQLITE_ROW)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, SATCHEL_MAIL_ERROR, SATCHEL_MAIL_ERROR_NOT_FOUND,
                     _("There is no message %lld."), (long long) id);
      return NULL;
    }
  account_id = sqlite3_column_int64 (stmt, 0);
  raw = satchel_store_get_body (ctx->store, id, error);
  if (raw == NULL && (error == NULL || *error == NULL))
    {
      g_autoptr(GString) headers = g_string_new (NULL);
      static const char *names[] = { "From", "To", "Cc", "Subject", "Message-ID", "References" };

      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        {
          const char *value = (const char *) sqlite3_column_text (stmt, i + 1);
          g_autofree char *encoded = NULL;

          if (value == NULL || value[0] == '\0')
            continue;
          encoded = i == 3 ? g_mime_utils_header_encode_text (NULL, value, "utf-8")
                           : g_strdup (value);
          g_string_append_printf (headers, "%s: %s\r\n", names[i], encoded);
        }
      g_string_append (headers, "\r\n");
      raw = g_bytes_new (headers->str, headers->len);
      cli_note (_("The message is not downloaded: its text is not quoted."));
    }
  sqlite3_reset (stmt);
  if (raw == NULL)
    return NULL;
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (ctx->accounts)); i++)
    {
      g_autoptr(SatchelAccount) candidate = g_list_model_get_item (G_LIST_MODEL (ctx->accounts), i);

      if (satchel_account_get_id (candidate) == account_id)
        *account = g_steal_pointer (&candidate);
    }
  message = satchel_mime_parse (raw);
  if (message == NULL || *account == NULL)
    {
      g_clear_object (account);
      g_clear_object (&message);
      g_set_error (error, SATCHEL_MAIL_ERROR, SATCHEL_MAIL_ERROR_INVALID,
                   _("The message %lld cannot be read."), (long long) id);
    }
  return message;
}

int
cli_reply (CliContext  *ctx,
           int          argc,
           char       **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelDraft) draft = NULL;
  g_autoptr(GMimeMessage) original = NULL;
  g_autoptr(SatchelAccount) account = NULL;
  gboolean all = FALSE;
  int exit_code = CLI_EXIT_OK;
  gint64 id;
  const GOptionEntry entries[] = {
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("Reply to everyone, not only the sender"), NULL },
    { NULL }
  };

  options = new_options (_("MESSAGE — reply (the text on standard input)"), NULL, entries);
  if (!cli_parse_options (options, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 2)
    return usage (_("Name one message, by the number that list, search or watch print."));
  if (!parse_message_id (argv[1], &id, &error))
    return cli_report (error);
  original = load_original (ctx, id, &account, &error);
  if (original == NULL)
    return report (error);

  draft = draft_for (account);
  satchel_draft_reply (draft, original, all, satchel_account_get_email (account));
  draft->body = read_body (&error);
  if (draft->body == NULL)
    return cli_report (error);
  exit_code = send_draft (ctx, account, draft);
  /* Answered, here and (queued) on the server, once it is on its way. */
  if (exit_code == CLI_EXIT_OK &&
      satchel_mail_change_flags (ctx->store, id, SATCHEL_FLAG_ANSWERED, 0, NULL))
    deliver_queue (ctx, account);
  return exit_code;
}

int
cli_forward (CliContext  *ctx,
             int          argc,
             char       **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelDraft) draft = NULL;
  g_autoptr(GMimeMessage) original = NULL;
  g_autoptr(SatchelAccount) account = NULL;
  g_auto(GStrv) to = NULL;
  g_auto(GStrv) cc = NULL;
  gboolean as_attachment = FALSE;
  int exit_code = CLI_EXIT_OK;
  gint64 id;
  const GOptionEntry entries[] = {
    { "to", 0, 0, G_OPTION_ARG_STRING_ARRAY, &to, N_("A recipient"), N_("ADDR") },
    { "cc", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cc, N_("A recipient in copy"), N_("ADDR") },
    { "as-attachment", 0, 0, G_OPTION_ARG_NONE, &as_attachment, N_("Attach the message whole instead of quoting it"), NULL },
    { NULL }
  };

  options = new_options (_("MESSAGE — forward (your text on standard input)"), NULL, entries);
  if (!cli_parse_options (options, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 2)
    return usage (_("Name one message, by the number that list, search or watch print."));
  if (to == NULL && cc == NULL)
    return usage (_("forward needs at least one recipient (--to)."));
  if (!parse_message_id (argv[1], &id, &error))
    return cli_report (error);
  original = load_original (ctx, id, &account, &error);
  if (original == NULL)
    return report (error);

  draft = draft_for (account);
  satchel_draft_forward (draft, original, as_attachment);
  add_all (draft->to, to);
  add_all (draft->cc, cc);
  draft->body = read_body (&error);
  if (draft->body == NULL)
    return cli_report (error);
  return send_draft (ctx, account, draft);
}

int
cli_outbox (CliContext  *ctx,
            int          argc,
            char       **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  gboolean json = FALSE;
  gboolean retry = FALSE;
  int exit_code = CLI_EXIT_OK;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON document"), NULL },
    { "retry", 0, 0, G_OPTION_ARG_NONE, &retry, N_("Try to send everything in it now"), NULL },
    { NULL }
  };

  options = new_options (_("— list what waits to be sent, or send it now"), NULL, entries);
  if (!cli_parse_options (options, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 1)
    return usage (_("outbox takes no argument."));
  if (!cli_open_store (ctx, &error))
    return cli_report (error);

  if (retry)
    {
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (ctx->accounts)); i++)
        {
          g_autoptr(SatchelAccount) account = g_list_model_get_item (G_LIST_MODEL (ctx->accounts),
                                                                     i);
          g_autoptr(GPtrArray) waiting = NULL;
          g_autoptr(GError) run_error = NULL;
          gboolean tried;

          waiting = satchel_store_outbox_list (ctx->store, satchel_account_get_id (account), &error);
          if (waiting == NULL)
            return cli_report (error);
          if (waiting->len == 0)
            continue;
          if (!run_outbox (ctx, account, TRUE, 0, NULL, &tried, &run_error))
            {
              cli_error ("%s: %s", satchel_account_get_label (account), run_error->message);
              if (exit_code == CLI_EXIT_OK)
                exit_code = cli_exit_for_error (run_error);
            }
        }
    }

  items = satchel_store_outbox_list (ctx->store, 0, &error);
  if (items == NULL)
    return cli_report (error);
  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < items->len; i++)
        {
          SatchelOutboxItem *item = g_ptr_array_index (items, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_int_value (builder, item->id);
          json_builder_set_member_name (builder, "subject");
          json_builder_add_string_value (builder, item->subject);
          json_builder_set_member_name (builder, "to");
          json_builder_begin_array (builder);
          for (guint r = 0; item->recipients[r] != NULL; r++)
            json_builder_add_string_value (builder, item->recipients[r]);
          json_builder_end_array (builder);
          json_builder_set_member_name (builder, "state");
          json_builder_add_string_value (builder, item->state);
          json_builder_set_member_name (builder, "last_error");
          if (item->last_error != NULL)
            json_builder_add_string_value (builder, item->last_error);
          else
            json_builder_add_null_value (builder);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      cli_print_json (root);
      return exit_code;
    }
  for (guint i = 0; i < items->len; i++)
    {
      SatchelOutboxItem *item = g_ptr_array_index (items, i);
      g_autofree char *to = g_strjoinv (", ", item->recipients);

      printf ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%s\n", item->id, item->state, to, item->subject,
              item->last_error != NULL ? item->last_error : "");
    }
  return exit_code;
}
