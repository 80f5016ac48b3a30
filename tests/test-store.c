/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-store.c: the SQLite store: creation, migrations, refusal, durability
 *
 * Copyright 2026 The Satchel authors
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/stat.h>

#include "satchel-engine.h"
#include "store/satchel-store-private.h"
#include "satchel-test-utils.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = satchel_test_make_dir ();
  fixture->path = g_build_filename (fixture->dir, "satchel.db", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  satchel_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static char *
query_text (SatchelStore *store,
            const char   *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = satchel_store_prepare (store, sql, &error);
  char *text = NULL;

  g_assert_no_error (error);
  if (satchel_store_step (store, stmt, &error) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  g_assert_no_error (error);
  sqlite3_reset (stmt);
  return text;
}

static gint64
query_int (SatchelStore *store,
           const char   *sql)
{
  g_autofree char *text = query_text (store, sql);

  g_assert_nonnull (text);
  return g_ascii_strtoll (text, NULL, 10);
}

/* Every table, index and trigger, as SQLite stores their definitions. */
static char *
schema_of (SatchelStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  sqlite3_stmt *stmt;

  stmt = satchel_store_prepare (store,
                                "SELECT type, name, sql FROM sqlite_master "
                                "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name", &error);
  g_assert_no_error (error);
  while (satchel_store_step (store, stmt, &error) == SQLITE_ROW)
    g_string_append_printf (text, "%s %s: %s\n", sqlite3_column_text (stmt, 0),
                            sqlite3_column_text (stmt, 1), sqlite3_column_text (stmt, 2));
  g_assert_no_error (error);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
test_store_create (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelStore) store = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *wal = NULL;
  struct stat st;

  store = satchel_store_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);

  g_assert_cmpint (satchel_store_get_latest_version (), >=, 1);
  g_assert_cmpint (satchel_store_get_version (store), ==, satchel_store_get_latest_version ());
  g_assert_cmpint (query_int (store, "PRAGMA user_version"), ==,
                   satchel_store_get_latest_version ());
  g_assert_cmpint (query_int (store, "PRAGMA application_id"), ==, SATCHEL_STORE_APPLICATION_ID);
  mode = query_text (store, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  g_assert_cmpint (query_int (store, "PRAGMA foreign_keys"), ==, 1);

  /* Each table of the design exists. */
  for (const char **t = (const char *[]) { "account", "folder", "message", "body", "message_fts",
                                           "pending_op", "outbox", "pop3_uidl", "cert_pin",
                                           "contact", NULL };
       *t != NULL; t++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM sqlite_master "
                                              "WHERE name = '%s'", *t);
      g_assert_cmpint (query_int (store, sql), ==, 1);
    }

  /* Only the user may read the database and its write-ahead log. */
  g_assert_cmpint (g_stat (fixture->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  wal = g_strconcat (fixture->path, "-wal", NULL);
  g_assert_cmpint (g_stat (wal, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

static void
test_store_reopen (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelStore) store = satchel_store_open (fixture->path, &error);
  g_autofree char *schema = NULL;
  g_autofree char *schema_again = NULL;

  g_assert_no_error (error);
  g_assert_true (satchel_store_exec (store,
                                     "INSERT INTO contact (address, name) "
                                     "VALUES ('ada@example.org', 'Ada')", &error));
  g_assert_no_error (error);
  schema = schema_of (store);
  g_clear_object (&store);

  store = satchel_store_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (satchel_store_get_version (store), ==, satchel_store_get_latest_version ());
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contact WHERE name = 'Ada'"), ==, 1);
  schema_again = schema_of (store);
  g_assert_cmpstr (schema, ==, schema_again);
}

/* Runs @sql in another process, with SQLite as any other program has it,
 * and returns the first column of its one row. */
static char *
other_process_query (const char *path,
                     const char *sql)
{
  const char *argv[] = { "python3", "-c",
                         "import sqlite3, sys\n"
                         "c = sqlite3.connect(sys.argv[1])\n"
                         "print(c.execute(sys.argv[2]).fetchone()[0])\n"
                         "c.close()\n",
                         path, sql, NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_strstrip (out);
}

/* Two stores on one file in this process (the window and the writer),
 * and another process reading it (satchel-cli): what this process commits
 * after that reader has gone is still seen, and the write-ahead log is
 * not taken away from under it. Opening the second store once closed a
 * descriptor of the file, which dropped this process's POSIX locks, so
 * the reader thought itself the last user and deleted the log. */
static void
test_store_other_process (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelStore) first = satchel_store_open (fixture->path, &error);
  g_autoptr(SatchelStore) second = NULL;
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  g_autofree char *count = NULL;
  g_autofree char *before = NULL;

  g_assert_no_error (error);
  g_assert_true (satchel_store_exec (first, "INSERT INTO contact (address, name) "
                                            "VALUES ('ada@example.org', 'Ada')", &error));
  second = satchel_store_open (fixture->path, &error);
  g_assert_no_error (error);

  before = other_process_query (fixture->path, "SELECT count (*) FROM contact");
  g_assert_cmpstr (before, ==, "1");
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_true (satchel_store_exec (second, "INSERT INTO contact (address, name) "
                                             "VALUES ('bob@example.org', 'Bob')", &error));
  g_assert_no_error (error);
  count = other_process_query (fixture->path, "SELECT count (*) FROM contact");
  g_assert_cmpstr (count, ==, "2");
}

/* A store left by each earlier version is brought to the latest schema,
 * keeps its data, and ends exactly as a new store does. */
static void
test_store_migrate_from_every_version (Fixture       *fixture,
                                       gconstpointer  data)
{
  g_autofree char *fresh_schema = NULL;
  int latest = satchel_store_get_latest_version ();

  {
    g_autoptr(GError) error = NULL;
    g_autofree char *path = g_build_filename (fixture->dir, "fresh.db", NULL);
    g_autoptr(SatchelStore) fresh = satchel_store_open (path, &error);

    g_assert_no_error (error);
    fresh_schema = schema_of (fresh);
  }

  for (int version = 0; version < latest; version++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = g_strdup_printf ("from-%d.db", version);
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
      g_autoptr(SatchelStore) old = NULL;
      g_autoptr(SatchelStore) store = NULL;
      g_autofree char *schema = NULL;
      g_autofree char *report = NULL;
      gboolean has_accounts;

      old = satchel_store_open_at_version (path, version, &error);
      g_assert_no_error (error);
      g_assert_cmpint (satchel_store_get_version (old), ==, version);
      has_accounts = version >= 1;
      if (has_accounts)
        {
          g_assert_true (satchel_store_exec (old,
                                             "INSERT INTO account (uuid, label, email, kind, "
                                             "host, security, user, created) VALUES ('u1', "
                                             "'Work', 'a@example.org', 'imap', 'imap.example.org', "
                                             "'tls', 'a', 0);"
                                             "INSERT INTO folder (account_id, name) VALUES (1, 'INBOX');"
                                             "INSERT INTO message (folder_id, uid, subject) "
                                             "VALUES (1, 7, 'Quarterly figures');"
                                             "INSERT INTO body (message_id, raw) VALUES (1, x'41');",
                                             &error));
          g_assert_no_error (error);
          /* As the store of that version indexed what it added. */
          if (version >= 9)
            g_assert_true (satchel_store_index_messages (old, 1, 1, &error));
        }
      g_clear_object (&old);

      store = satchel_store_open (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (satchel_store_get_version (store), ==, latest);
      schema = schema_of (store);
      g_assert_cmpstr (schema, ==, fresh_schema);
      if (has_accounts)
        {
          g_assert_cmpint (query_int (store, "SELECT count(*) FROM account WHERE label = 'Work'"),
                           ==, 1);
          /* Since version 9 a body's text is kept apart from the index:
           * the indexer reads every cached body again. */
          g_assert_cmpint (query_int (store, "SELECT count(*) FROM body WHERE indexed = 0"), ==, 1);
          /* The headers are in the new index. */
          g_assert_cmpint (query_int (store, "SELECT count(*) FROM message_fts WHERE message_fts "
                                             "MATCH 'quarterly'"), ==, 1);
        }
      g_assert_true (satchel_store_check_integrity (store, &report, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (report, ==, "ok");
    }
}

static void
assert_refused_untouched (const char *path,
                          int         expected_code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) before = satchel_test_read_file (path);
  g_autoptr(GBytes) after = NULL;
  g_autoptr(SatchelStore) store = NULL;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autofree char *journal = g_strconcat (path, "-journal", NULL);
  struct stat st_before, st_after;

  g_assert_cmpint (g_stat (path, &st_before), ==, 0);
  store = satchel_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, SATCHEL_STORE_ERROR, expected_code);
  /* The message names the file and says what happened to it. */
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "left untouched"));

  after = satchel_test_read_file (path);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_cmpint (g_stat (path, &st_after), ==, 0);
  g_assert_cmpint (st_before.st_mtim.tv_sec, ==, st_after.st_mtim.tv_sec);
  g_assert_cmpint (st_before.st_mtim.tv_nsec, ==, st_after.st_mtim.tv_nsec);
  g_assert_cmpint (st_before.st_mode, ==, st_after.st_mode);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (shm, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
}

static void
test_store_refuses_text_file (Fixture       *fixture,
                              gconstpointer  data)
{
  g_assert_true (g_file_set_contents (fixture->path, "Dear diary,\nnot a database.\n", -1, NULL));
  assert_refused_untouched (fixture->path, SATCHEL_STORE_ERROR_NOT_A_DATABASE);

  /* Even a file that starts like SQLite but is cut short. */
  g_assert_true (g_file_set_contents (fixture->path, "SQLite format 3", 16, NULL));
  assert_refused_untouched (fixture->path, SATCHEL_STORE_ERROR_NOT_A_DATABASE);
}

static void
make_raw_database (const char *path,
                   const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

static void
test_store_refuses_other_database (Fixture       *fixture,
                                   gconstpointer  data)
{
  make_raw_database (fixture->path, "CREATE TABLE recipes (name TEXT); "
                                    "INSERT INTO recipes VALUES ('bread');");
  assert_refused_untouched (fixture->path, SATCHEL_STORE_ERROR_NOT_A_DATABASE);
}

static void
test_store_refuses_newer_schema (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(SatchelStore) store = satchel_store_open (fixture->path, &error);

  g_assert_no_error (error);
  g_clear_object (&store);

  /* As a later Satchel would leave it, checkpointed into the main file. */
  sql = g_strdup_printf ("PRAGMA user_version = %d; PRAGMA journal_mode = DELETE;",
                         satchel_store_get_latest_version () + 1);
  make_raw_database (fixture->path, sql);
  assert_refused_untouched (fixture->path, SATCHEL_STORE_ERROR_NEWER_SCHEMA);
}

static void
test_store_statements_reused (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelStore) store = satchel_store_open (fixture->path, &error);
  const char *sql = "SELECT count(*) FROM message WHERE folder_id = ?";
  sqlite3_stmt *first;
  sqlite3_stmt *second;

  g_assert_no_error (error);
  first = satchel_store_prepare (store, sql, &error);
  g_assert_no_error (error);
  sqlite3_bind_int (first, 1, 42);
  g_assert_cmpint (satchel_store_step (store, first, &error), ==, SQLITE_ROW);

  /* The second request gets the same compiled statement, reset and with
   * its bindings cleared. */
  second = satchel_store_prepare (store, sql, &error);
  g_assert_no_error (error);
  g_assert_true (first == second);
  g_assert_false (sqlite3_stmt_busy (second));
  {
    char *expanded = sqlite3_expanded_sql (second);

    g_assert_cmpstr (expanded, ==, "SELECT count(*) FROM message WHERE folder_id = NULL");
    sqlite3_free (expanded);
  }
}

static void
test_store_transactions (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelStore) store = satchel_store_open (fixture->path, &error);

  g_assert_no_error (error);

  /* A rolled-back inner savepoint leaves the outer transaction's writes. */
  g_assert_true (satchel_store_begin (store, &error));
  g_assert_true (satchel_store_exec (store, "INSERT INTO contact (address) VALUES ('a@x.org')", &error));
  g_assert_true (satchel_store_begin (store, &error));
  g_assert_true (satchel_store_exec (store, "INSERT INTO contact (address) VALUES ('b@x.org')", &error));
  satchel_store_rollback (store);
  g_assert_true (satchel_store_begin (store, &error));
  g_assert_true (satchel_store_exec (store, "INSERT INTO contact (address) VALUES ('c@x.org')", &error));
  g_assert_true (satchel_store_commit (store, &error));
  g_assert_true (satchel_store_commit (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contact"), ==, 2);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contact WHERE address = 'b@x.org'"),
                   ==, 0);

  /* A rolled-back outer transaction leaves nothing. */
  g_assert_true (satchel_store_begin (store, &error));
  g_assert_true (satchel_store_exec (store, "DELETE FROM contact", &error));
  satchel_store_rollback (store);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contact"), ==, 2);

  /* A broken constraint is a store error with the constraint code. */
  g_assert_false (satchel_store_exec (store, "INSERT INTO contact (address) VALUES ('a@x.org')",
                                      &error));
  g_assert_error (error, SATCHEL_STORE_ERROR, SATCHEL_STORE_ERROR_CONSTRAINT);
}

static void
assert_intact (SatchelStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *report = NULL;

  satchel_store_check_integrity (store, &report, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (report, ==, "ok");
}

static gint64
count_matches (SatchelStore *store,
               const char   *words)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM message_fts WHERE message_fts "
                                          "MATCH '%s'", words);

  return query_int (store, sql);
}

/* Deleting an account takes its folders, messages, bodies and index rows
 * with it; the index follows message deletes by trigger. */
static void
test_store_cascades (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelStore) store = satchel_store_open (fixture->path, &error);

  g_assert_no_error (error);
  g_assert_true (satchel_store_exec (store,
    "INSERT INTO account (id, uuid, label, email, kind, host, security, user, created) "
    "  VALUES (1, 'u', 'a', 'a@x.org', 'imap', 'h', 'tls', 'a', 0);"
    "INSERT INTO folder (id, account_id, name, role) VALUES (10, 1, 'INBOX', 'inbox');"
    "INSERT INTO message (id, folder_id, uid, subject, sender) VALUES (100, 10, 1, 'Hello', "
    "  'a@x.org'), (101, 10, 2, 'World', 'b@x.org');"
    "INSERT INTO body (message_id, raw) VALUES (100, x'48656c6c6f'), (101, x'48656c6c6f');"
    "INSERT INTO pop3_uidl (account_id, uidl, message, downloaded) VALUES (1, 'x1', 100, 0);",
    &error));
  g_assert_no_error (error);
  g_assert_true (satchel_store_index_messages (store, 100, 101, &error));
  g_assert_true (satchel_store_set_body_text (store, 100, "first words", NULL, &error));
  g_assert_true (satchel_store_set_body_text (store, 101, "second words", NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (count_matches (store, "words"), ==, 2);
  g_assert_true (satchel_store_exec (store, "DELETE FROM message WHERE id = 101", &error));
  g_assert_cmpint (count_matches (store, "words"), ==, 1);
  g_assert_cmpint (count_matches (store, "world"), ==, 0);
  assert_intact (store);

  g_assert_true (satchel_store_exec (store, "DELETE FROM account WHERE id = 1", &error));
  g_assert_no_error (error);
  for (const char **t = (const char *[]) { "folder", "message", "body", "message_fts",
                                           "pop3_uidl", NULL };
       *t != NULL; t++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", *t);

      g_assert_cmpint (query_int (store, sql), ==, 0);
    }
  g_assert_cmpint (count_matches (store, "words OR hello"), ==, 0);
  assert_intact (store);
}

/* The index holds no copy of the mail: it reads what it indexed back from
 * the messages and their bodies to take them out. Through every change
 * the store makes (a body's text read, read again when it changed, the
 * body fetched again, messages deleted one by one and by folder), it
 * holds exactly the words of the mail; and the check that says so finds
 * an index that does not. */
static void
test_store_index_follows_mail (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelStore) store = satchel_store_open (fixture->path, &error);
  static const char mail[] = "Subject: x\r\n\r\nbody\r\n";
  g_autoptr(GBytes) raw = g_bytes_new_static (mail, sizeof mail - 1);
  g_autofree char *report = NULL;
  SatchelFolderInfo folder = { 0 };
  gint64 ids[3];

  g_assert_no_error (error);
  g_assert_true (satchel_store_exec (store,
                                     "INSERT INTO account (uuid, label, email, kind, host, "
                                     "security, user, created) VALUES ('u1', 'Work', "
                                     "'a@example.org', 'imap', 'h', 'tls', 'a', 0)", &error));
  folder.account_id = 1;
  folder.name = (char *) "INBOX";
  folder.id = satchel_store_save_folder (store, &folder, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      SatchelMessageSummary summary = { 0 };

      summary.uid = i + 1;
      summary.subject = i == 0 ? "Léa's garden" : "Concert tickets";
      summary.sender = "Ada Lovelace <ada@example.org>";
      summary.to = "Zoë <zoe@example.org>";
      ids[i] = satchel_store_add_message (store, folder.id, &summary, NULL, &error);
      g_assert_no_error (error);
    }
  assert_intact (store);
  g_assert_cmpint (count_matches (store, "lea"), ==, 1);
  g_assert_cmpint (count_matches (store, "zoe AND tickets"), ==, 2);

  /* A body, its text, a new text, then the body fetched again: the text
   * stays until the indexer reads the new one. */
  g_assert_true (satchel_store_set_body (store, folder.id, 1, raw, &error));
  assert_intact (store);
  g_assert_true (satchel_store_set_body_text (store, ids[0], "roses and tulips", NULL, &error));
  assert_intact (store);
  g_assert_cmpint (count_matches (store, "tulips"), ==, 1);
  g_assert_true (satchel_store_set_body_text (store, ids[0], "only daisies", NULL, &error));
  assert_intact (store);
  g_assert_cmpint (count_matches (store, "tulips"), ==, 0);
  g_assert_cmpint (count_matches (store, "daisies AND garden"), ==, 1);
  g_assert_true (satchel_store_set_body (store, folder.id, 1, raw, &error));
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM body WHERE indexed = 0"), ==, 1);
  assert_intact (store);
  g_assert_cmpint (count_matches (store, "daisies"), ==, 1);
  g_assert_true (satchel_store_set_body_text (store, ids[0], NULL, NULL, &error));
  g_assert_no_error (error);
  assert_intact (store);
  g_assert_cmpint (count_matches (store, "daisies"), ==, 0);
  g_assert_cmpint (count_matches (store, "garden"), ==, 1);

  /* One message deleted, then the folder emptied (a UIDVALIDITY change). */
  g_assert_true (satchel_store_delete_uids (store, folder.id, (guint32[]) { 2 }, 1, &error));
  assert_intact (store);
  g_assert_cmpint (count_matches (store, "tickets"), ==, 1);
  g_assert_true (satchel_store_exec (store, "DELETE FROM message", &error));
  assert_intact (store);
  g_assert_cmpint (count_matches (store, "tickets OR garden OR ada"), ==, 0);

  /* A text changed behind the index's back is found. */
  ids[0] = satchel_store_add_message (store, folder.id, &(SatchelMessageSummary) {
                                        .uid = 9, .subject = "Plans" }, NULL, &error);
  g_assert_true (satchel_store_exec (store, "UPDATE message SET subject = 'Other'", &error));
  g_assert_false (satchel_store_check_integrity (store, &report, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (report, "full-text index"));
  g_test_message ("%s", report);
}

/* After a kill: SQLite finds the file intact; at the last one, the
 * full-text index holds exactly the words of the mail too (a check that
 * builds an index afresh, too slow for every round of a store that
 * grows; what a kill broke stays broken until then). */
static void
assert_sound (SatchelStore *store,
              gboolean      last)
{
  g_autofree char *report = NULL;

  if (last)
    {
      assert_intact (store);
      return;
    }
  report = query_text (store, "PRAGMA integrity_check");
  g_assert_cmpstr (report, ==, "ok");
}

/* Kill a writer process with SIGKILL inside a large transaction, many
 * times at different moments: the store must open intact, with every
 * committed batch and nothing of the interrupted one. */
static void
test_store_survives_kill (Fixture       *fixture,
                          gconstpointer  data)
{
  const char *writer = g_getenv ("SATCHEL_TEST_STORE_WRITER");
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261122);
  int rounds = g_test_slow () ? 40 : 12;

  g_assert_nonnull (writer);

  for (int round = 0; round < rounds; round++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocess) child = NULL;
      g_autoptr(GDataInputStream) out = NULL;
      g_autoptr(SatchelStore) store = NULL;
      g_autofree char *line = NULL;
      g_autofree char *report = NULL;
      gint64 committed;
      gint64 rows;
      guint delay_ms = g_rand_int_range (rand, 0, 60);

      child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, writer, fixture->path,
                                NULL);
      g_assert_no_error (error);
      out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));

      /* The writer says how many rows it committed before it began the
       * transaction that is about to be cut. */
      line = g_data_input_stream_read_line (out, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (line);
      g_assert_true (g_str_has_prefix (line, "committed "));
      committed = g_ascii_strtoll (line + strlen ("committed "), NULL, 10);

      g_usleep (delay_ms * 1000);
      g_subprocess_send_signal (child, SIGKILL);
      g_subprocess_wait (child, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_if_signaled (child));

      store = satchel_store_open (fixture->path, &error);
      g_assert_no_error (error);
      assert_sound (store, round == rounds - 1);

      /* The writer commits in batches of 1000 and then begins one large
       * transaction that it never finishes before it is killed; only whole
       * batches may be there. */
      rows = query_int (store, "SELECT count(*) FROM message");
      g_assert_cmpint (rows, ==, committed);
      g_assert_cmpint (rows % 1000, ==, 0);
      g_assert_cmpint (query_int (store, "SELECT count(*) FROM body"), ==, rows);
      g_assert_cmpint (query_int (store, "SELECT count(*) FROM message_fts"), ==, rows);
    }
}

/* Kill a writer that commits batch after batch, at a random moment (often
 * inside a COMMIT): every batch it reported is there, and no half batch. */
static void
test_store_survives_kill_between_commits (Fixture       *fixture,
                                          gconstpointer  data)
{
  const char *writer = g_getenv ("SATCHEL_TEST_STORE_WRITER");
  g_autoptr(GRand) rand = g_rand_new_with_seed (1122);
  int rounds = g_test_slow () ? 40 : 12;

  g_assert_nonnull (writer);

  for (int round = 0; round < rounds; round++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocess) child = NULL;
      g_autoptr(GDataInputStream) out = NULL;
      g_autoptr(SatchelStore) store = NULL;
      g_autofree char *report = NULL;
      gint64 reported = 0;
      gint64 rows;
      int lines = g_rand_int_range (rand, 1, 6);

      child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, writer, fixture->path,
                                "--batches", NULL);
      g_assert_no_error (error);
      out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
      for (int i = 0; i < lines; i++)
        {
          g_autofree char *line = g_data_input_stream_read_line (out, NULL, NULL, &error);

          g_assert_no_error (error);
          g_assert_nonnull (line);
          reported = g_ascii_strtoll (line + strlen ("committed "), NULL, 10);
        }
      g_usleep (g_rand_int_range (rand, 0, 20000));
      g_subprocess_send_signal (child, SIGKILL);
      g_subprocess_wait (child, NULL, &error);
      g_assert_no_error (error);

      store = satchel_store_open (fixture->path, &error);
      g_assert_no_error (error);
      assert_sound (store, round == rounds - 1);
      rows = query_int (store, "SELECT count(*) FROM message");
      g_assert_cmpint (rows, >=, reported);
      g_assert_cmpint (rows % 1000, ==, 0);
      g_assert_cmpint (query_int (store, "SELECT count(*) FROM body"), ==, rows);
      g_assert_cmpint (query_int (store, "SELECT count(*) FROM message_fts"), ==, rows);
    }
}

/* A cached body goes into the full-text index afterwards, once: its words
 * are found, and a message without a preview gets one from its text,
 * quoted lines left out, while a preview from the server is kept. */
static void
test_store_index_bodies (Fixture       *fixture,
                         gconstpointer  data)
{
  static const char raw[] =
    "From: Ada <ada@example.org>\r\nSubject: Numbers\r\n"
    "Content-Type: multipart/alternative; boundary=b\r\n\r\n"
    "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    "> quoted lovelace\r\nThe   analytical\r\n engine weaves\r\n"
    "--b\r\nContent-Type: text/html\r\n\r\n<p>html only</p>\r\n--b--\r\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelStore) store = satchel_store_open (fixture->path, &error);
  g_autoptr(GBytes) bytes = g_bytes_new_static (raw, sizeof raw - 1);
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(SatchelMessageRow) first = NULL;
  g_autoptr(SatchelMessageRow) second = NULL;
  SatchelMessageSummary summary = { 0 };
  SatchelFolderInfo folder = { 0 };
  gint64 ids[2];
  guint indexed = 0;

  g_assert_no_error (error);
  g_assert_true (satchel_store_exec (store,
                                     "INSERT INTO account (uuid, label, email, kind, host, "
                                     "security, user, created) VALUES ('u1', 'Work', "
                                     "'a@example.org', 'imap', 'h', 'tls', 'a', 0)", &error));
  folder.account_id = 1;
  folder.name = (char *) "INBOX";
  folder.id = satchel_store_save_folder (store, &folder, &error);
  g_assert_no_error (error);

  summary.subject = "Numbers";
  for (guint i = 0; i < 2; i++)
    {
      summary.uid = i + 1;
      summary.preview = i == 1 ? "From the server" : NULL;
      ids[i] = satchel_store_add_message (store, folder.id, &summary, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (satchel_store_set_body (store, folder.id, i + 1, bytes, &error));
    }

  /* Not searchable by its text before the indexer ran. */
  found = satchel_query_search (store, "analytical", 0, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 0);
  g_clear_pointer (&found, g_ptr_array_unref);

  g_assert_true (satchel_index_all_bodies (store, &indexed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (indexed, ==, 2);
  g_assert_true (satchel_index_all_bodies (store, &indexed, &error));
  g_assert_cmpuint (indexed, ==, 0);

  found = satchel_query_search (store, "analytical weaves", 0, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 2);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = satchel_query_search (store, "html", 0, 0, 0, &error);
  g_assert_cmpuint (found->len, ==, 0);

  first = satchel_query_message (store, ids[0], &error);
  second = satchel_query_message (store, ids[1], &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first->preview, ==, "The analytical engine weaves");
  g_assert_cmpstr (second->preview, ==, "From the server");
}

/* The work SQLite does, in virtual machine steps counted by a progress
 * handler: a measure of how many rows a statement visits that, unlike
 * time, does not depend on the machine. */
static int
count_steps (void *data)
{
  (*(guint64 *) data)++;
  return 0;
}

/* Adds @count messages newest first, each even one a reply to the one
 * before it (so that every reply arrives before its parent, as in a
 * header sync), then reads one conversation. Returns the steps per
 * message added, and in @read_steps those of the read. */
static guint64
add_conversations (SatchelStore *store,
                   gint64        folder_id,
                   guint         count,
                   guint64      *read_steps)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) thread = NULL;
  sqlite3 *db = satchel_store_get_db (store);
  guint64 steps = 0;
  gint64 last = 0;

  sqlite3_progress_handler (db, 10, count_steps, &steps);
  g_assert_true (satchel_store_begin (store, &error));
  for (guint i = count; i > 0; i--)
    {
      g_autofree char *id = g_strdup_printf ("<m%u.%u@t>", count, i);
      g_autofree char *parent = g_strdup_printf ("<m%u.%u@t>", count, i - 1);
      SatchelMessageSummary summary = { 0 };

      summary.uid = i;
      summary.message_id = id;
      summary.in_reply_to = i % 2 == 0 ? parent : NULL;
      summary.subject = "Plans";
      last = satchel_store_add_message (store, folder_id, &summary, NULL, &error);
      g_assert_no_error (error);
    }
  g_assert_true (satchel_store_commit (store, &error));
  sqlite3_progress_handler (db, 0, NULL, NULL);

  /* The last one added is a parent, and its reply, which came first, is
   * in its conversation. */
  sqlite3_progress_handler (db, 10, count_steps, read_steps);
  thread = satchel_query_thread (store, satchel_test_query_int (store, "SELECT thread_id FROM "
                                                                "message ORDER BY id DESC "
                                                                "LIMIT 1"), &error);
  sqlite3_progress_handler (db, 0, NULL, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (thread->len, ==, 2);
  g_assert_cmpint (((SatchelMessageRow *) g_ptr_array_index (thread, 1))->id, ==, last);
  return steps / count;
}

/* Adding a message and showing a conversation cost the same in a large
 * folder as in a small one: neither reads the whole message table (as
 * moving the replies that arrived before their parent once did). */
static void
test_store_conversations_scale (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelStore) store = satchel_store_open (fixture->path, &error);
  SatchelFolderInfo small = { 0 };
  SatchelFolderInfo large = { 0 };
  guint64 small_read = 0;
  guint64 large_read = 0;
  guint64 small_add;
  guint64 large_add;

  g_assert_no_error (error);
  g_assert_true (satchel_store_exec (store,
                                     "INSERT INTO account (uuid, label, email, kind, host, "
                                     "security, user, created) VALUES ('u1', 'Work', "
                                     "'a@example.org', 'imap', 'h', 'tls', 'a', 0)", &error));
  small.account_id = large.account_id = 1;
  small.name = (char *) "Small";
  large.name = (char *) "Large";
  small.id = satchel_store_save_folder (store, &small, &error);
  large.id = satchel_store_save_folder (store, &large, &error);
  g_assert_no_error (error);

  small_add = add_conversations (store, small.id, 200, &small_read);
  large_add = add_conversations (store, large.id, 4000, &large_read);
  g_test_message ("steps per message added: %" G_GUINT64_FORMAT " of 200, %" G_GUINT64_FORMAT
                  " of 4000; to read a conversation: %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT,
                  small_add, large_add, small_read, large_read);
  g_assert_cmpuint (large_add, <, 2 * small_add);
  g_assert_cmpuint (large_read, <, 2 * small_read + 2);
}

int
main (int   argc,
      char *argv[])
{
  satchel_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/store/create", test_store_create);
  ADD ("/store/reopen", test_store_reopen);
  ADD ("/store/other-process", test_store_other_process);
  ADD ("/store/migrate-from-every-version", test_store_migrate_from_every_version);
  ADD ("/store/refuses/text-file", test_store_refuses_text_file);
  ADD ("/store/refuses/other-database", test_store_refuses_other_database);
  ADD ("/store/refuses/newer-schema", test_store_refuses_newer_schema);
  ADD ("/store/statements-reused", test_store_statements_reused);
  ADD ("/store/transactions", test_store_transactions);
  ADD ("/store/cascades", test_store_cascades);
  ADD ("/store/index-follows-mail", test_store_index_follows_mail);
  ADD ("/store/index-bodies", test_store_index_bodies);
  ADD ("/store/conversations-scale", test_store_conversations_scale);
  ADD ("/store/survives-kill/inside-transaction", test_store_survives_kill);
  ADD ("/store/survives-kill/between-commits", test_store_survives_kill_between_commits);

#undef ADD

  return g_test_run ();
}
