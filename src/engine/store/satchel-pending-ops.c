/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-pending-ops.c: changes made here, not yet confirmed by the server
 *
 * Copyright 2026 The Satchel authors
 *
 * A change is written to the store with its effect on the local copy, in
 * one transaction, and replayed in id order; it leaves the queue only
 * after the server confirmed it.
 */

#include "config.h"

#include "satchel-pending-ops.h"

static const char *op_names[] = {
  [SATCHEL_OP_FLAGS] = "flags",
  [SATCHEL_OP_MOVE] = "move",
  [SATCHEL_OP_EXPUNGE] = "expunge",
  [SATCHEL_OP_CREATE_FOLDER] = "create",
  [SATCHEL_OP_RENAME_FOLDER] = "rename",
  [SATCHEL_OP_DELETE_FOLDER] = "delete_folder",
  [SATCHEL_OP_APPEND] = "append",
};

void
satchel_pending_op_free (SatchelPendingOp *op)
{
  if (op == NULL)
    return;
  g_free (op->folder);
  g_free (op->message_id);
  g_free (op->arg);
  g_free (op->arg2);
  g_free (op->last_error);
  g_free (op);
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           index,
                   const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

gint64
satchel_store_add_op (SatchelStore            *store,
                      const SatchelPendingOp  *op,
                      GError                 **error)
{
  sqlite3_stmt *stmt;

  stmt = satchel_store_prepare (store,
    "INSERT INTO pending_op (account_id, op, folder, uidvalidity, uids, local_id, message_ids, "
    "  arg, arg2, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, op->account_id);
  sqlite3_bind_text (stmt, 2, op_names[op->kind], -1, SQLITE_STATIC);
  bind_text_or_null (stmt, 3, op->folder);
  if (op->uidvalidity != 0)
    sqlite3_bind_int64 (stmt, 4, op->uidvalidity);
  if (op->uid != 0)
    sqlite3_bind_int64 (stmt, 5, op->uid);
  if (op->local_id != 0)
    sqlite3_bind_int64 (stmt, 6, op->local_id);
  bind_text_or_null (stmt, 7, op->message_id);
  bind_text_or_null (stmt, 8, op->arg);
  bind_text_or_null (stmt, 9, op->arg2);
  sqlite3_bind_int64 (stmt, 10, g_get_real_time () / G_USEC_PER_SEC);
  if (!satchel_store_run (store, stmt, error))
    return 0;
  return satchel_store_last_insert_id (store);
}

/**
 * satchel_store_list_ops:
 *
 * Returns: (transfer full) (element-type SatchelPendingOp): the account's
 *   queued changes, oldest first
 */
GPtrArray *
satchel_store_list_ops (SatchelStore  *store,
                        gint64         account_id,
                        GError       **error)
{
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_pending_op_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = satchel_store_prepare (store,
    "SELECT id, op, folder, uidvalidity, uids, local_id, message_ids, arg, arg2, attempts, "
    "  last_error FROM pending_op WHERE account_id = ? ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  while ((rc = satchel_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      SatchelPendingOp *op = g_new0 (SatchelPendingOp, 1);
      const char *name = (const char *) sqlite3_column_text (stmt, 1);
      gboolean known = FALSE;

      op->id = sqlite3_column_int64 (stmt, 0);
      op->account_id = account_id;
      for (guint k = 0; k < G_N_ELEMENTS (op_names); k++)
        if (g_strcmp0 (name, op_names[k]) == 0)
          {
            op->kind = k;
            known = TRUE;
          }
      op->folder = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      op->uidvalidity = sqlite3_column_int64 (stmt, 3);
      op->uid = g_ascii_strtoull ((const char *) sqlite3_column_text (stmt, 4) ?: "0", NULL, 10);
      op->local_id = sqlite3_column_int64 (stmt, 5);
      op->message_id = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
      op->arg = g_strdup ((const char *) sqlite3_column_text (stmt, 7));
      op->arg2 = g_strdup ((const char *) sqlite3_column_text (stmt, 8));
      op->attempts = sqlite3_column_int (stmt, 9);
      op->last_error = g_strdup ((const char *) sqlite3_column_text (stmt, 10));
      if (known)
        g_ptr_array_add (ops, op);
      else
        satchel_pending_op_free (op);
    }
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&ops);
}

gboolean
satchel_store_remove_op (SatchelStore  *store,
                         gint64         op_id,
                         GError       **error)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store, "DELETE FROM pending_op WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, op_id);
  return satchel_store_run (store, stmt, error);
}

gboolean
satchel_store_op_failed (SatchelStore  *store,
                         gint64         op_id,
                         const char    *message,
                         GError       **error)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store, "UPDATE pending_op SET attempts = attempts "
                                                     "+ 1, last_error = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  bind_text_or_null (stmt, 1, message);
  sqlite3_bind_int64 (stmt, 2, op_id);
  return satchel_store_run (store, stmt, error);
}

guint
satchel_store_count_ops (SatchelStore  *store,
                         gint64         account_id,
                         GError       **error)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store, "SELECT count(*) FROM pending_op "
                                                     "WHERE account_id = ?", error);
  guint n = 0;

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, account_id);
  if (satchel_store_step (store, stmt, error) == SQLITE_ROW)
    {
      n = sqlite3_column_int (stmt, 0);
      sqlite3_reset (stmt);
    }
  return n;
}

/**
 * satchel_store_uids_leaving:
 * @folder_id: a server folder
 *
 * The messages of @folder_id that were moved or deleted here but are
 * still there on the server until a queued change reaches it: a sync
 * that began before the change was queued finds them "new" on the
 * server, and must not bring them back.
 *
 * Returns: (transfer full): a set of their UIDs (GUINT_TO_POINTER), or
 *   %NULL with @error
 */
GHashTable *
satchel_store_uids_leaving (SatchelStore  *store,
                            gint64         folder_id,
                            GError       **error)
{
  g_autoptr(GHashTable) uids = g_hash_table_new (NULL, NULL);
  sqlite3_stmt *stmt = satchel_store_prepare (store,
    "SELECT p.uids FROM folder f JOIN pending_op p ON p.account_id = f.account_id "
    "WHERE f.id = ? AND p.folder = f.name AND p.op IN ('move', 'expunge') "
    "  AND p.uids IS NOT NULL AND (p.uidvalidity IS NULL OR p.uidvalidity = f.uidvalidity)",
    error);
  int step;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  while ((step = satchel_store_step (store, stmt, error)) == SQLITE_ROW)
    g_hash_table_add (uids, GUINT_TO_POINTER ((guint) sqlite3_column_int64 (stmt, 0)));
  sqlite3_reset (stmt);
  if (step != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&uids);
}
