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
#include <unistd.h>

#include "net/satchel-net-error.h"
#include "satchel-engine.h"
#include "satchel-test-utils.h"
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

static void
mailctl (const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("SATCHEL_TEST_MAILCTL"));
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("mailctl %s failed: %s", first, err);
}

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
  mailctl ("fill", fixture->user, "INBOX", "25", "--attachment-every", "5", NULL);

  /* The first run downloads everything and announces nothing. */
  g_assert_cmpuint (run_fetch (fixture, &deleted, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (deleted, ==, 0);
  g_assert_cmpuint (local_count (fixture, &with_body), ==, 25);
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
    mailctl ("append", fixture->user, fixture->password, "INBOX", raw_path, NULL);
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

int
main (int   argc,
      char *argv[])
{
  satchel_test_init (&argc, &argv);

  g_test_add ("/pop3/fetch/keep-then-delete", Fixture, NULL, fixture_set_up,
              test_fetch_keep_then_delete, fixture_tear_down);
  g_test_add ("/pop3/fetch/without-password", Fixture, NULL, fixture_set_up,
              test_fetch_without_password, fixture_tear_down);
  return g_test_run ();
}
