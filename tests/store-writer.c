/* SPDX-License-Identifier: GPL-3.0-or-later */
/* store-writer.c: a process that writes to a store until it is killed
 *
 * Copyright 2026 The Satchel authors
 *
 * For test-store's crash tests. It commits a few batches of 1000 messages
 * (each with a body, indexed, some with their text), prints "committed N" with the number
 * of rows now durable, and then either starts one large transaction that
 * it never ends (default) or goes on committing batch after batch,
 * printing after each commit (--batches). The test kills it with SIGKILL.
 */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "satchel-engine.h"

#define BATCH 1000

static gint64 next_id;

static void
write_rows (SatchelStore *store,
            int           n)
{
  g_autoptr(GError) error = NULL;
  static char body[4096];
  sqlite3_stmt *stmt;

  memset (body, 'x', sizeof body);
  for (int i = 0; i < n; i++, next_id++)
    {
      g_autofree char *subject = g_strdup_printf ("Message %" G_GINT64_FORMAT, next_id);

      stmt = satchel_store_prepare (store,
                                    "INSERT INTO message (id, folder_id, uid, subject, size) "
                                    "VALUES (?, 1, ?, ?, 4096)", &error);
      g_assert_no_error (error);
      sqlite3_bind_int64 (stmt, 1, next_id);
      sqlite3_bind_int64 (stmt, 2, next_id);
      sqlite3_bind_text (stmt, 3, subject, -1, SQLITE_TRANSIENT);
      g_assert_true (satchel_store_run (store, stmt, &error));

      stmt = satchel_store_prepare (store, "INSERT INTO body (message_id, raw) VALUES (?, ?)",
                                    &error);
      sqlite3_bind_int64 (stmt, 1, next_id);
      sqlite3_bind_blob (stmt, 2, body, sizeof body, SQLITE_STATIC);
      g_assert_true (satchel_store_run (store, stmt, &error));

      g_assert_no_error (error);
    }
  /* Indexed as a sync does it, all at once, and some with the text of
   * their bodies as the indexer does it. */
  g_assert_true (satchel_store_index_messages (store, next_id - n, next_id - 1, &error));
  for (gint64 id = next_id - n; id < next_id; id += 50)
    g_assert_true (satchel_store_set_body_text (store, id, "words words", NULL, &error));
  g_assert_no_error (error);
}

static gint64
count_rows (SatchelStore *store)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = satchel_store_prepare (store, "SELECT count(*), max(id) FROM message",
                                              &error);
  gint64 n;

  g_assert_cmpint (satchel_store_step (store, stmt, &error), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  next_id = sqlite3_column_int64 (stmt, 1) + 1;
  sqlite3_reset (stmt);
  return n;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelStore) store = NULL;
  gboolean batches = argc > 2 && g_str_equal (argv[2], "--batches");
  gint64 committed;

  if (argc < 2)
    {
      fprintf (stderr, "usage: store-writer DATABASE [--batches]\n");
      return 2;
    }

  satchel_engine_init ();
  store = satchel_store_open (argv[1], &error);
  g_assert_no_error (error);

  g_assert_true (satchel_store_exec (store,
    "INSERT OR IGNORE INTO account (id, uuid, label, email, kind, host, security, user, created)"
    "  VALUES (1, 'writer', 'w', 'w@example.org', 'imap', 'h', 'tls', 'w', 0);"
    "INSERT OR IGNORE INTO folder (id, account_id, name) VALUES (1, 1, 'INBOX');", &error));
  g_assert_no_error (error);

  committed = count_rows (store);
  for (int b = 0; b < 2; b++)
    {
      g_assert_true (satchel_store_begin (store, &error));
      write_rows (store, BATCH);
      g_assert_true (satchel_store_commit (store, &error));
      committed += BATCH;
    }

  if (batches)
    {
      while (TRUE)
        {
          printf ("committed %" G_GINT64_FORMAT "\n", committed);
          fflush (stdout);
          g_assert_true (satchel_store_begin (store, &error));
          write_rows (store, BATCH);
          g_assert_true (satchel_store_commit (store, &error));
          committed += BATCH;
        }
    }

  printf ("committed %" G_GINT64_FORMAT "\n", committed);
  fflush (stdout);
  g_assert_true (satchel_store_begin (store, &error));
  for (int i = 0; i < 50; i++)
    write_rows (store, BATCH);
  /* Hold the transaction open until killed. */
  while (TRUE)
    pause ();
  return 0;
}
