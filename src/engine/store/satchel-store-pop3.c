/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-store-pop3.c: what a POP3 account downloaded, and its local folders
 *
 * Copyright 2026 The Satchel authors
 *
 * pop3_uidl has one row for each message of the maildrop that was
 * downloaded, written in the same transaction as the message itself: a
 * message is either stored and known, or neither, whenever the process
 * stops. The row stays while the server lists the message, so that
 * nothing is downloaded twice, and says when it was downloaded ("delete
 * after N days"), whether the user deleted it here (version-004.sql), and
 * whether a DELE was confirmed.
 */

#include "config.h"

#include "satchel-store-pop3.h"

/**
 * satchel_store_ensure_local_folders:
 *
 * Gives a POP3 account its folders, all of them local: the Inbox that
 * mail is downloaded to, Sent, Drafts and Trash. Those that exist (by
 * role) are left as they are.
 */
gboolean
satchel_store_ensure_local_folders (SatchelStore  *store,
                                    gint64         account_id,
                                    GError       **error)
{
  static const struct { const char *name; const char *role; } folders[] = {
    { "INBOX", "inbox" }, { "Sent", "sent" }, { "Drafts", "drafts" }, { "Trash", "trash" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
    {
      sqlite3_stmt *stmt = satchel_store_prepare (store,
        "INSERT INTO folder (account_id, name, role, subscribed, selectable, local_only) "
        "SELECT ?1, ?2, ?3, 1, 1, 1 WHERE NOT EXISTS "
        "  (SELECT 1 FROM folder WHERE account_id = ?1 AND (role = ?3 OR name = ?2))", error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, account_id);
      sqlite3_bind_text (stmt, 2, folders[i].name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, folders[i].role, -1, SQLITE_STATIC);
      if (!satchel_store_run (store, stmt, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * satchel_store_pop3_known:
 *
 * Returns: (transfer full): UIDL → SatchelPop3Known, for every message of
 *   the account downloaded before
 */
GHashTable *
satchel_store_pop3_known (SatchelStore  *store,
                          gint64         account_id,
                          GError       **error)
{
  g_autoptr(GHashTable) known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = satchel_store_prepare (store,
    "SELECT p.uidl, p.downloaded, p.deleted_on_server, "
    "  p.deleted_locally OR coalesce (f.role = 'trash', 0) "
    "FROM pop3_uidl p LEFT JOIN message m ON m.id = p.message "
    "  LEFT JOIN folder f ON f.id = m.folder_id "
    "WHERE p.account_id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  while ((rc = satchel_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      SatchelPop3Known *entry = g_new0 (SatchelPop3Known, 1);

      entry->downloaded = sqlite3_column_int64 (stmt, 1);
      entry->deleted_on_server = sqlite3_column_int (stmt, 2);
      entry->deleted_here = sqlite3_column_int (stmt, 3);
      g_hash_table_insert (known, g_strdup ((const char *) sqlite3_column_text (stmt, 0)), entry);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&known);
}

/**
 * satchel_store_pop3_add:
 * @summary: the message's summary, with its UIDL
 * @raw: the message as downloaded
 * @now: the time of the download
 *
 * Stores a downloaded message in @folder_id and remembers its UIDL, in the
 * caller's transaction. A UIDL known already adds nothing.
 *
 * Returns: the new message's id; 0 with @error unset when it was known
 */
gint64
satchel_store_pop3_add (SatchelStore                 *store,
                        gint64                        account_id,
                        gint64                        folder_id,
                        const SatchelMessageSummary  *summary,
                        GBytes                       *raw,
                        gint64                        now,
                        GError                      **error)
{
  sqlite3_stmt *stmt;
  gint64 id;

  g_return_val_if_fail (summary->uidl != NULL, 0);

  stmt = satchel_store_prepare (store,
    "INSERT INTO pop3_uidl (account_id, uidl, downloaded) VALUES (?, ?, ?) "
    "ON CONFLICT DO NOTHING", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_text (stmt, 2, summary->uidl, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, now);
  if (!satchel_store_run (store, stmt, error) || satchel_store_changes (store) == 0)
    return 0;

  id = satchel_store_add_message (store, folder_id, summary, NULL, error);
  if (id == 0 || !satchel_store_set_body_of (store, id, raw, error))
    return 0;

  stmt = satchel_store_prepare (store,
    "UPDATE pop3_uidl SET message = ? WHERE account_id = ? AND uidl = ?", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, account_id);
  sqlite3_bind_text (stmt, 3, summary->uidl, -1, SQLITE_STATIC);
  if (!satchel_store_run (store, stmt, error))
    return 0;
  return id;
}

/**
 * satchel_store_pop3_deleted_on_server:
 * @uidls: (element-type utf8): messages whose DELE the server made final
 *   (QUIT answered +OK)
 */
gboolean
satchel_store_pop3_deleted_on_server (SatchelStore  *store,
                                      gint64         account_id,
                                      GPtrArray     *uidls,
                                      GError       **error)
{
  for (guint i = 0; i < uidls->len; i++)
    {
      sqlite3_stmt *stmt = satchel_store_prepare (store,
        "UPDATE pop3_uidl SET deleted_on_server = 1 WHERE account_id = ? AND uidl = ?", error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, account_id);
      sqlite3_bind_text (stmt, 2, g_ptr_array_index (uidls, i), -1, SQLITE_STATIC);
      if (!satchel_store_run (store, stmt, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * satchel_store_pop3_forget:
 * @on_server: the UIDLs the server lists now (a set)
 *
 * Forgets the messages deleted on the server by Satchel that the server no
 * longer lists: a server that gives a UIDL again later (some reuse them)
 * then gets its new message downloaded. Messages that vanished otherwise
 * are kept in mind, in case the maildrop only looked empty for a while.
 */
gboolean
satchel_store_pop3_forget (SatchelStore  *store,
                           gint64         account_id,
                           GHashTable    *on_server,
                           GError       **error)
{
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = satchel_store_prepare (store,
    "SELECT uidl FROM pop3_uidl WHERE account_id = ? AND deleted_on_server = 1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  while ((rc = satchel_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      const char *uidl = (const char *) sqlite3_column_text (stmt, 0);

      if (!g_hash_table_contains (on_server, uidl))
        g_ptr_array_add (gone, g_strdup (uidl));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return FALSE;

  for (guint i = 0; i < gone->len; i++)
    {
      stmt = satchel_store_prepare (store,
        "DELETE FROM pop3_uidl WHERE account_id = ? AND uidl = ?", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, account_id);
      sqlite3_bind_text (stmt, 2, g_ptr_array_index (gone, i), -1, SQLITE_STATIC);
      if (!satchel_store_run (store, stmt, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * satchel_store_pop3_checked_before:
 *
 * Returns: whether a check of the account's mail was ever completed
 */
gboolean
satchel_store_pop3_checked_before (SatchelStore  *store,
                                   gint64         account_id,
                                   GError       **error)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store,
    "SELECT last_checked IS NOT NULL FROM account WHERE id = ?", error);
  gboolean checked = FALSE;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  if (satchel_store_step (store, stmt, error) == SQLITE_ROW)
    checked = sqlite3_column_int (stmt, 0);
  sqlite3_reset (stmt);
  return checked;
}

gboolean
satchel_store_pop3_set_checked (SatchelStore  *store,
                                gint64         account_id,
                                gint64         when,
                                GError       **error)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store,
    "UPDATE account SET last_checked = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, when);
  sqlite3_bind_int64 (stmt, 2, account_id);
  return satchel_store_run (store, stmt, error);
}
