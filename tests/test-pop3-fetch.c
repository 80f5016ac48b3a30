/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-pop3-fetch.c: the POP3 download against the real Dovecot
 *
 * Copyright 2026 The Satchel authors
 *
 * The CLI suite checks the download end to end as a user would; this
 * drives the engine directly, so that it also runs under AddressSanitizer
 * and UndefinedBehaviorSanitizer: downloads with and without a copy left on
 * the server, new mail announced after the first run, and a missing
 * password.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "net/satchel-net-error.h"
#include "satchel-engine.h"
#include "satchel-test-utils.h"
#include "pop3/satchel-pop3-session.h"
#include "sync/satchel-pop3-fetch.h"

typedef struct
{
  char               *dir;
  char               *path;
  SatchelStore       *store;
  SatchelStoreWriter *writer;
  SatchelAccount     *account;
  char               *user;
  char               *password;
} Fixture;

/* How many messages the server's Inbox has, as another client sees it. */
static guint
server_count (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  const char *argv[] = { g_getenv ("SATCHEL_TEST_MAILCTL"), "messages", fixture->user,
                         fixture->password, "INBOX", NULL };
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status,
                &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  return json_array_get_length (json_node_get_array (json_parser_get_root (parser)));
}

/* How many messages the store has in the account's Inbox, and how many of
 * them have their body. */
static guint
local_count (Fixture *fixture,
             guint   *with_body)
{
  sqlite3_stmt *stmt = satchel_store_prepare (fixture->store,
    "SELECT count (*), total (body_cached) FROM message m JOIN folder f ON f.id = m.folder_id "
    "WHERE f.account_id = ? AND f.role = 'inbox' AND m.uidl IS NOT NULL", NULL);
  guint n;

  g_assert_nonnull (stmt);
  sqlite3_bind_int64 (stmt, 1, satchel_account_get_id (fixture->account));
  g_assert_cmpint (satchel_store_step (fixture->store, stmt, NULL), ==, SQLITE_ROW);
  n = sqlite3_column_int (stmt, 0);
  if (with_body != NULL)
    *with_body = (guint) sqlite3_column_double (stmt, 1);
  sqlite3_reset (stmt);
  return n;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelAccountList) list = NULL;
  static guint counter;

  if (g_getenv ("SATCHEL_TEST_SERVERS") == NULL)
    return;
  fixture->dir = satchel_test_make_dir ();
  fixture->path = g_build_filename (fixture->dir, "satchel.db", NULL);
  fixture->store = satchel_store_open (fixture->path, &error);
  g_assert_no_error (error);
  fixture->writer = satchel_store_writer_new (fixture->path, &error);
  g_assert_no_error (error);
  fixture->user = g_strdup_printf ("popfetch%dx%u", (int) getpid (), ++counter);
  fixture->password = g_strconcat ("pw-", fixture->user, NULL);

  fixture->account = satchel_account_new (SATCHEL_ACCOUNT_KIND_POP3, "someone@example.org");
  g_object_set (fixture->account,
                "host", "localhost",
                "port", (guint) g_ascii_strtoull (g_getenv ("SATCHEL_TEST_POP3S_PORT"), NULL, 10),
                "user", fixture->user,
                "ca-file", g_getenv ("SATCHEL_TEST_CA"),
                NULL);
  list = satchel_account_list_new (fixture->store, &error);
  g_assert_true (satchel_account_list_add (list, fixture->account, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->dir == NULL)
    return;
  g_clear_object (&fixture->account);
  satchel_test_finalize_soon (fixture->writer);
  g_assert_finalize_object (fixture->store);
  satchel_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->user);
  g_free (fixture->password);
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
count_new_cb (SatchelPop3Fetch  *fetch,
              SatchelNewMessage *message,
              guint             *count)
{
  g_assert_cmpint (message->id, >, 0);
  g_assert_cmpstr (message->folder, ==, "INBOX");
  g_assert_nonnull (message->subject);
  (*count)++;
}

/* One run; returns how many messages it announced as new. */
static guint
run_fetch (Fixture   *fixture,
           guint     *deleted,
           GError   **error)
{
  g_autoptr(SatchelPop3Fetch) fetch = satchel_pop3_fetch_new (fixture->account, fixture->password,
                                                              fixture->writer);
  g_autoptr(GAsyncResult) result = NULL;
  guint added = 0;

  g_signal_connect (fetch, "new-message", G_CALLBACK (count_new_cb), &added);
  satchel_pop3_fetch_run_async (fetch, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  satchel_pop3_fetch_run_finish (fetch, result, error);
  if (deleted != NULL)
    *deleted = satchel_pop3_fetch_get_deleted (fetch);
  return added;
}

static void
test_fetch_keep_then_delete (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint with_body = 0;
  guint deleted = 99;

  if (!satchel_test_require_servers ())
    return;
  satchel_test_mailctl ("fill", fixture->user, "INBOX", "25", "--attachment-every", "5", NULL);

  /* The first run downloads everything and announces nothing. */
  g_assert_cmpuint (run_fetch (fixture, &deleted, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (deleted, ==, 0);
  g_assert_cmpuint (local_count (fixture, &with_body), ==, 25);
  /* Their senders are in the address book, as mail received from them. */
  {
    sqlite3_stmt *stmt = satchel_store_prepare (fixture->store,
      "SELECT count (*), sum (times_received), sum (times_sent) FROM contact", NULL);

    g_assert_cmpint (satchel_store_step (fixture->store, stmt, NULL), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), >, 1);
    g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, 25);
    g_assert_cmpint (sqlite3_column_int (stmt, 2), ==, 0);
    sqlite3_reset (stmt);
  }
  g_assert_cmpuint (with_body, ==, 25);
  g_assert_cmpuint (server_count (fixture), ==, 25);

  /* Then only the new message comes, announced. */
  {
    g_autofree char *raw_path = g_build_filename (fixture->dir, "new.eml", NULL);

    g_assert_true (g_file_set_contents (raw_path,
                                        "From: Ada <ada@example.org>\r\n"
                                        "Subject: fresh\r\n"
                                        "Message-ID: <fresh@example.org>\r\n\r\nhello\r\n", -1,
                                        NULL));
    satchel_test_mailctl ("append", fixture->user, fixture->password, "INBOX", raw_path, NULL);
  }
  g_assert_cmpuint (run_fetch (fixture, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (local_count (fixture, NULL), ==, 26);

  /* Without a copy on the server: all of it goes from there, nothing
   * from here. */
  g_object_set (fixture->account, "leave-on-server", FALSE, NULL);
  g_assert_cmpuint (run_fetch (fixture, &deleted, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (deleted, ==, 26);
  g_assert_cmpuint (server_count (fixture), ==, 0);
  g_assert_cmpuint (local_count (fixture, NULL), ==, 26);
}

static void
test_fetch_without_password (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(SatchelPop3Fetch) fetch = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (!satchel_test_require_servers ())
    return;
  fetch = satchel_pop3_fetch_new (fixture->account, NULL, fixture->writer);
  satchel_pop3_fetch_run_async (fetch, NULL, store_result_cb, &result);
  /* The run connects meanwhile, then waits at the login. */
  satchel_pop3_fetch_set_password (fetch, NULL,
                                   g_error_new_literal (SATCHEL_NET_ERROR,
                                                        SATCHEL_NET_ERROR_AUTH_UNAVAILABLE,
                                                        "No password is saved."));
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (satchel_pop3_fetch_run_finish (fetch, result, &error));
  g_assert_error (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_AUTH_UNAVAILABLE);
  g_assert_cmpuint (local_count (fixture, NULL), ==, 0);
}

/* One command on @session, waited for. */
static SatchelPop3Reply *
run_command (SatchelPop3Session *session,
             const char         *line,
             gboolean            multiline,
             gsize               message_max)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  SatchelPop3Reply *reply;

  if (message_max > 0)
    satchel_pop3_session_retrieve_async (session, line, message_max, NULL, store_result_cb,
                                         &result);
  else
    satchel_pop3_session_command_async (session, line, multiline, NULL, store_result_cb,
                                        &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  reply = satchel_pop3_session_command_finish (session, result, &error);
  g_assert_no_error (error);
  return reply;
}

/* The commands the download does not use, against Dovecot: STAT, TOP,
 * NOOP, and RSET taking back a DELE. */
static void
test_session_commands (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(SatchelConnection) connection = NULL;
  g_autoptr(SatchelPop3Session) session = NULL;
  g_autoptr(SatchelPop3Reply) stat = NULL;
  g_autoptr(SatchelPop3Reply) top = NULL;
  g_autoptr(SatchelPop3Reply) noop = NULL;
  g_autoptr(SatchelPop3Reply) dele = NULL;
  g_autoptr(SatchelPop3Reply) rset = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *text;
  gsize len;

  if (!satchel_test_require_servers ())
    return;
  satchel_test_mailctl ("fill", fixture->user, "INBOX", "3", NULL);
  connection = satchel_connection_new ("localhost",
                                       satchel_account_get_effective_port (fixture->account),
                                       SATCHEL_SECURITY_TLS);
  satchel_connection_set_ca_file (connection, g_getenv ("SATCHEL_TEST_CA"));
  session = satchel_pop3_session_new (connection);
  satchel_pop3_session_connect_async (session, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (satchel_pop3_session_connect_finish (session, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  satchel_pop3_session_login_async (session, fixture->user, fixture->password, NULL,
                                    store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (satchel_pop3_session_login_finish (session, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  stat = run_command (session, "STAT", FALSE, 0);
  g_assert_true (stat->ok);
  g_assert_true (g_str_has_prefix (stat->text, "3 "));

  /* TOP n 0: the headers alone, ending with the blank line. */
  top = run_command (session, "TOP 1 0", TRUE, 1024 * 1024);
  g_assert_true (top->ok);
  text = g_bytes_get_data (top->message, &len);
  g_assert_cmpuint (len, >, 4);
  g_assert_cmpmem (text + len - 4, 4, "\r\n\r\n", 4);
  g_assert_nonnull (g_strstr_len (text, len, "Message-ID:"));
  g_assert_null (g_strstr_len (text, len, "\r\n\r\n\r\n"));

  noop = run_command (session, "NOOP", FALSE, 0);
  g_assert_true (noop->ok);
  dele = run_command (session, "DELE 1", FALSE, 0);
  g_assert_true (dele->ok);
  rset = run_command (session, "RSET", FALSE, 0);
  g_assert_true (rset->ok);

  satchel_pop3_session_quit_async (session, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (satchel_pop3_session_quit_finish (session, result, &error));
  g_assert_no_error (error);
  /* RSET took the DELE back. */
  g_assert_cmpuint (server_count (fixture), ==, 3);
}

int
main (int   argc,
      char *argv[])
{
  satchel_test_init (&argc, &argv);

  g_test_add ("/pop3/fetch/keep-then-delete", Fixture, NULL, fixture_set_up,
              test_fetch_keep_then_delete, fixture_tear_down);
  g_test_add ("/pop3/fetch/without-password", Fixture, NULL, fixture_set_up,
              test_fetch_without_password, fixture_tear_down);
  g_test_add ("/pop3/session/commands", Fixture, NULL, fixture_set_up, test_session_commands,
              fixture_tear_down);
  return g_test_run ();
}
