/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-mail-query.c: what the front ends read of mail
 *
 * Copyright 2026 The Satchel authors
 *
 * Reads only: the folders with their counts, a folder's messages newest
 * first, one message, a full-text search. They never connect anywhere.
 */

#include "config.h"

#include <string.h>

#include "satchel-enum-types.h"
#include "satchel-mail-query.h"
#include "satchel-search.h"
#include "store/satchel-store.h"

#define MESSAGE_COLUMNS "m.id, m.folder_id, f.name, m.uid, m.uidl, m.message_id, m.sender, " \
                        "m.recipients_to, m.recipients_cc, m.subject, m.date, m.flags, " \
                        "m.keywords, m.size, m.has_attachments, m.body_cached, m.preview, " \
                        "m.thread_id"

/* SATCHEL_QUERY_ROWS_MAX parameters, each followed by a comma. */
#define PARAMS_8   "?, ?, ?, ?, ?, ?, ?, ?, "
#define PARAMS_64  PARAMS_8 PARAMS_8 PARAMS_8 PARAMS_8 PARAMS_8 PARAMS_8 PARAMS_8 PARAMS_8
#define PARAMS_128 PARAMS_64 PARAMS_64
G_STATIC_ASSERT (SATCHEL_QUERY_ROWS_MAX == 128);

void
satchel_message_row_free (SatchelMessageRow *row)
{
  if (row == NULL)
    return;
  g_free (row->folder);
  g_free (row->uidl);
  g_free (row->message_id);
  g_free (row->from);
  g_free (row->to);
  g_free (row->cc);
  g_free (row->subject);
  g_free (row->keywords);
  g_free (row->preview);
  g_free (row);
}

SatchelMessageRow *
satchel_message_row_copy (const SatchelMessageRow *row)
{
  SatchelMessageRow *copy = g_memdup2 (row, sizeof *row);

  copy->folder = g_strdup (row->folder);
  copy->uidl = g_strdup (row->uidl);
  copy->message_id = g_strdup (row->message_id);
  copy->from = g_strdup (row->from);
  copy->to = g_strdup (row->to);
  copy->cc = g_strdup (row->cc);
  copy->subject = g_strdup (row->subject);
  copy->keywords = g_strdup (row->keywords);
  copy->preview = g_strdup (row->preview);
  return copy;
}

void
satchel_folder_row_free (SatchelFolderRow *row)
{
  if (row == NULL)
    return;
  g_free (row->name);
  g_free (row);
}

const char *
satchel_folder_role_name (SatchelFolderRole role)
{
  return role == SATCHEL_FOLDER_ROLE_NONE ? NULL
         : satchel_enum_to_nick (SATCHEL_TYPE_FOLDER_ROLE, role);
}

static char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static SatchelMessageRow *
read_message (sqlite3_stmt *stmt)
{
  SatchelMessageRow *row = g_new0 (SatchelMessageRow, 1);

  row->id = sqlite3_column_int64 (stmt, 0);
  row->folder_id = sqlite3_column_int64 (stmt, 1);
  row->folder = column_text (stmt, 2);
  row->uid = sqlite3_column_int64 (stmt, 3);
  row->uidl = column_text (stmt, 4);
  row->message_id = column_text (stmt, 5);
  row->from = column_text (stmt, 6);
  row->to = column_text (stmt, 7);
  row->cc = column_text (stmt, 8);
  row->subject = column_text (stmt, 9);
  row->date = sqlite3_column_int64 (stmt, 10);
  row->flags = sqlite3_column_int (stmt, 11);
  row->keywords = column_text (stmt, 12);
  row->size = sqlite3_column_int64 (stmt, 13);
  row->has_attachments = sqlite3_column_int (stmt, 14);
  row->body_cached = sqlite3_column_int (stmt, 15);
  row->preview = column_text (stmt, 16);
  row->thread_id = sqlite3_column_int64 (stmt, 17);
  return row;
}

static GPtrArray *
collect_messages (SatchelStore  *store,
                  sqlite3_stmt  *stmt,
                  GError       **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_message_row_free);
  int rc;

  while ((rc = satchel_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (rows, read_message (stmt));
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&rows);
}

/**
 * satchel_query_folders:
 *
 * Returns: (transfer full) (element-type SatchelFolderRow): the account's
 *   folders by name, with how many messages they hold and how many unread
 */
GPtrArray *
satchel_query_folders (SatchelStore  *store,
                       gint64         account_id,
                       GError       **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_folder_row_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = satchel_store_prepare (store,
    "SELECT f.id, f.name, f.role, f.uidvalidity, "
    "  (SELECT count(*) FROM message m WHERE m.folder_id = f.id), "
    "  (SELECT count(*) FROM message m WHERE m.folder_id = f.id AND (m.flags & 1) = 0), "
    "  f.delimiter "
    "FROM folder f WHERE f.account_id = ? ORDER BY f.name", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  while ((rc = satchel_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      SatchelFolderRow *row = g_new0 (SatchelFolderRow, 1);
      int role = SATCHEL_FOLDER_ROLE_NONE;

      row->id = sqlite3_column_int64 (stmt, 0);
      row->name = column_text (stmt, 1);
      satchel_enum_from_nick (SATCHEL_TYPE_FOLDER_ROLE, (const char *) sqlite3_column_text (stmt, 2),
                              &role);
      row->role = role;
      row->uidvalidity = sqlite3_column_int64 (stmt, 3);
      row->total = sqlite3_column_int (stmt, 4);
      row->unread = sqlite3_column_int (stmt, 5);
      if (sqlite3_column_bytes (stmt, 6) == 1)
        row->delimiter = *(const char *) sqlite3_column_text (stmt, 6);
      g_ptr_array_add (rows, row);
    }
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&rows);
}

/**
 * satchel_query_messages:
 * @limit: the most messages, or 0 for all
 * @by_uid: in UID order (then download order) rather than newest first
 *
 * Returns: (transfer full) (element-type SatchelMessageRow): the folder's
 *   messages
 */
GPtrArray *
satchel_query_messages (SatchelStore  *store,
                        gint64         folder_id,
                        guint          limit,
                        gboolean       by_uid,
                        GError       **error)
{
  sqlite3_stmt *stmt;

  if (by_uid)
    stmt = satchel_store_prepare (store, "SELECT " MESSAGE_COLUMNS " FROM message m "
                                         "JOIN folder f ON f.id = m.folder_id "
                                         "WHERE m.folder_id = ? "
                                         "ORDER BY m.uid IS NULL, m.uid, m.id LIMIT ?", error);
  else
    stmt = satchel_store_prepare (store, "SELECT " MESSAGE_COLUMNS " FROM message m "
                                         "JOIN folder f ON f.id = m.folder_id "
                                         "WHERE m.folder_id = ? "
                                         "ORDER BY m.date DESC, m.id DESC LIMIT ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, limit > 0 ? (gint64) limit : -1);
  return collect_messages (store, stmt, error);
}

/* Returns: (transfer full) (nullable): the message, or NULL without an
 * error when there is none. */
SatchelMessageRow *
satchel_query_message (SatchelStore  *store,
                       gint64         message_id,
                       GError       **error)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store, "SELECT " MESSAGE_COLUMNS " FROM message m "
                                                     "JOIN folder f ON f.id = m.folder_id "
                                                     "WHERE m.id = ?", error);
  SatchelMessageRow *row = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, message_id);
  if (satchel_store_step (store, stmt, error) == SQLITE_ROW)
    {
      row = read_message (stmt);
      sqlite3_reset (stmt);
    }
  return row;
}

/**
 * satchel_query_thread:
 * @thread_id: a conversation (SatchelMessageRow.thread_id)
 *
 * Returns: (transfer full) (element-type SatchelMessageRow): the messages
 *   of the conversation, oldest first, each once (a copy in Sent and in
 *   the Inbox is one message), leaving out the Trash and Junk; at most
 *   200
 */
GPtrArray *
satchel_query_thread (SatchelStore  *store,
                      gint64         thread_id,
                      GError       **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_message_row_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  sqlite3_stmt *stmt;
  int rc;

  if (thread_id == 0)
    return g_steal_pointer (&rows);
  stmt = satchel_store_prepare (store,
    "SELECT " MESSAGE_COLUMNS " FROM message m JOIN folder f ON f.id = m.folder_id "
    "WHERE m.thread_id = ? AND (f.role IS NULL OR f.role NOT IN ('trash', 'junk')) "
    "ORDER BY m.date, m.id LIMIT 400", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, thread_id);
  while ((rc = satchel_store_step (store, stmt, error)) == SQLITE_ROW && rows->len < 200)
    {
      SatchelMessageRow *row = read_message (stmt);

      if (row->message_id != NULL && !g_hash_table_add (seen, row->message_id))
        {
          satchel_message_row_free (row);
          continue;
        }
      g_ptr_array_add (rows, row);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return NULL;
  return g_steal_pointer (&rows);
}

/**
 * satchel_query_search:
 * @query: words and operators (satchel-search.c)
 * @account_id: an account, or 0 for all
 * @folder_id: a folder, or 0 for all
 * @limit: the most to return, or 0 for all
 *
 * Returns: (transfer full) (element-type SatchelMessageRow): the messages
 *   that match @query, newest first
 */
GPtrArray *
satchel_query_search (SatchelStore  *store,
                      const char    *query,
                      gint64         account_id,
                      gint64         folder_id,
                      guint          limit,
                      GError       **error)
{
  /* ?1 to ?4 are the statement's own; the query's conditions follow. */
  g_autoptr(SatchelSearch) search = satchel_search_parse (query, 5);
  const char *match = satchel_search_get_match (search);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;

  if (satchel_search_is_empty (search))
    return g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_message_row_free);
  /* The conditions are the query's shapes, not its values: the store
   * keeps one statement for each. */
  sql = g_strdup_printf ("SELECT " MESSAGE_COLUMNS " FROM message m %s"
                         "JOIN folder f ON f.id = m.folder_id "
                         "WHERE (?1 = 0 OR f.account_id = ?1) AND (?2 = 0 OR m.folder_id = ?2)"
                         "%s%s ORDER BY m.date DESC, m.id DESC LIMIT ?3",
                         match != NULL ? "JOIN message_fts s ON s.rowid = m.id " : "",
                         match != NULL ? " AND message_fts MATCH ?4" : "",
                         satchel_search_get_where (search));
  stmt = satchel_store_prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_int64 (stmt, 2, folder_id);
  sqlite3_bind_int64 (stmt, 3, limit > 0 ? (gint64) limit : -1);
  if (match != NULL)
    sqlite3_bind_text (stmt, 4, match, -1, SQLITE_TRANSIENT);
  satchel_search_bind (search, stmt);
  return collect_messages (store, stmt, error);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/**
 * satchel_flag_names:
 *
 * Returns: (transfer full): the flags as IMAP names (\Seen, \Flagged, ...)
 *   with the keywords, sorted
 */
GStrv
satchel_flag_names (guint       flags,
                    const char *keywords)
{
  static const struct { guint bit; const char *name; } names[] = {
    { 1 << 0, "\\Seen" },
    { 1 << 1, "\\Answered" },
    { 1 << 2, "\\Flagged" },
    { 1 << 3, "\\Deleted" },
    { 1 << 4, "\\Draft" },
  };
  g_autoptr(GPtrArray) out = g_ptr_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (flags & names[i].bit)
      g_ptr_array_add (out, g_strdup (names[i].name));
  if (keywords != NULL)
    {
      g_auto(GStrv) words = g_strsplit (keywords, " ", -1);

      for (guint i = 0; words[i] != NULL; i++)
        if (words[i][0] != '\0')
          g_ptr_array_add (out, g_strdup (words[i]));
    }
  g_ptr_array_sort (out, compare_names);
  g_ptr_array_add (out, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

/**
 * satchel_query_message_keys:
 * @folder_id: a folder, or SATCHEL_ALL_INBOXES
 *
 * Returns: (transfer full) (element-type SatchelMessageKey): the folder's
 *   messages in list order (newest first), as (date, id, conversation,
 *   unread): what a list needs to know of every row before it shows any.
 *   The index on (folder, date, id, thread, flags) answers it without
 *   reading the rows.
 */
GArray *
satchel_query_message_keys (SatchelStore  *store,
                            gint64         folder_id,
                            GError       **error)
{
  g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (SatchelMessageKey));
  sqlite3_stmt *stmt = satchel_store_prepare (store, folder_id == SATCHEL_ALL_INBOXES
    ? "SELECT date, id, thread_id, flags FROM message WHERE folder_id IN "
      "(SELECT id FROM folder WHERE role = 'inbox') AND ?1 = ?1 ORDER BY date DESC, id DESC"
    : "SELECT date, id, thread_id, flags FROM message WHERE folder_id = ?1 "
      "ORDER BY date DESC, id DESC", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  while ((rc = satchel_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      SatchelMessageKey key = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1),
                                sqlite3_column_int64 (stmt, 2), 1, 0,
                                !(sqlite3_column_int (stmt, 3) & SATCHEL_FLAG_SEEN) };

      g_array_append_val (keys, key);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&keys);
}

/**
 * satchel_query_unread_in_inboxes:
 *
 * Returns: how many messages of every account's Inbox are unread
 */
guint
satchel_query_unread_in_inboxes (SatchelStore *store)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store,
    "SELECT count (*) FROM message m JOIN folder f ON f.id = m.folder_id "
    "WHERE f.role = 'inbox' AND (m.flags & 1) = 0", NULL);
  guint n = 0;

  if (stmt == NULL)
    return 0;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = (guint) sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return n;
}

/**
 * satchel_query_inbox_last_id:
 *
 * Returns: the highest message id in @account_id's Inbox; 0 when the
 *   Inbox is empty, or -1 when the account has no Inbox yet or its
 *   Inbox is not brought in whole: an IMAP Inbox whose first sync did
 *   not end (its UIDVALIDITY is stored when it does), or that is fetched
 *   again after the server changed its UIDVALIDITY; a POP3 account whose
 *   first check did not
 */
gint64
satchel_query_inbox_last_id (SatchelStore *store,
                             gint64        account_id)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store,
    "SELECT CASE WHEN (a.kind = 'imap' AND coalesce (f.uidvalidity, 0) = 0) OR "
    "                 (a.kind = 'pop3' AND a.last_checked IS NULL) THEN -1 "
    "       ELSE coalesce ((SELECT max (m.id) FROM message m WHERE m.folder_id = f.id), 0) END "
    "FROM folder f JOIN account a ON a.id = f.account_id "
    "WHERE f.account_id = ? AND f.role = 'inbox'", NULL);
  gint64 last = -1;

  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, account_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    last = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return last;
}

/**
 * satchel_query_inbox_unread_after:
 * @after: a message id, as satchel_query_inbox_last_id() gave it
 *
 * Returns: (transfer full) (element-type SatchelMessageRow): the unread
 *   messages of @account_id's Inbox that came into the store after
 *   @after, oldest first; at most @limit
 */
GPtrArray *
satchel_query_inbox_unread_after (SatchelStore  *store,
                                  gint64         account_id,
                                  gint64         after,
                                  guint          limit,
                                  GError       **error)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store, "SELECT " MESSAGE_COLUMNS " FROM message m "
                                                     "JOIN folder f ON f.id = m.folder_id "
                                                     "WHERE f.account_id = ? AND f.role = 'inbox' "
                                                     "AND m.id > ? AND (m.flags & 1) = 0 "
                                                     "ORDER BY m.id LIMIT ?", error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_int64 (stmt, 2, after);
  sqlite3_bind_int64 (stmt, 3, limit);
  return collect_messages (store, stmt, error);
}

/**
 * satchel_query_message_rows:
 * @ids: (array length=n_ids): messages, at most SATCHEL_QUERY_ROWS_MAX
 *
 * Returns: (transfer full) (element-type SatchelMessageRow): the messages
 *   in the order of @ids, with NULL for those the store no longer has;
 *   read with one query
 */
GPtrArray *
satchel_query_message_rows (SatchelStore  *store,
                            const gint64  *ids,
                            guint          n_ids,
                            GError       **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_full (n_ids, (GDestroyNotify) satchel_message_row_free);
  g_autoptr(GHashTable) read = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                                      (GDestroyNotify) satchel_message_row_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (n_ids <= SATCHEL_QUERY_ROWS_MAX, NULL);

  stmt = satchel_store_prepare (store, "SELECT " MESSAGE_COLUMNS " FROM message m "
                                       "JOIN folder f ON f.id = m.folder_id "
                                       "WHERE m.id IN (" PARAMS_128 "0)", error);
  if (stmt == NULL)
    return NULL;
  /* Unused places ask for id 0, which no message has. */
  for (guint i = 0; i < SATCHEL_QUERY_ROWS_MAX; i++)
    sqlite3_bind_int64 (stmt, i + 1, i < n_ids ? ids[i] : 0);
  while ((rc = satchel_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      SatchelMessageRow *row = read_message (stmt);

      g_hash_table_insert (read, &row->id, row);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return NULL;
  for (guint i = 0; i < n_ids; i++)
    {
      /* Not g_hash_table_steal_extended(): a row's id is its first
       * member, so every key is its value, and GLib 2.74 then gives back
       * no value. */
      SatchelMessageRow *row = g_hash_table_lookup (read, &ids[i]);

      if (row != NULL)
        g_hash_table_steal (read, &ids[i]);
      g_ptr_array_add (rows, row);
    }
  return g_steal_pointer (&rows);
}

/**
 * satchel_query_conversation:
 * @folder_id: a folder, or SATCHEL_ALL_INBOXES
 * @thread_id: a conversation (SatchelMessageRow.thread_id), not 0
 *
 * Returns: (transfer full) (element-type SatchelMessageRow): the messages
 *   of the conversation in that folder, in list order (newest first)
 */
GPtrArray *
satchel_query_conversation (SatchelStore  *store,
                            gint64         folder_id,
                            gint64         thread_id,
                            GError       **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_message_row_free);
  sqlite3_stmt *stmt = satchel_store_prepare (store, folder_id == SATCHEL_ALL_INBOXES
    ? "SELECT " MESSAGE_COLUMNS " FROM message m JOIN folder f ON f.id = m.folder_id "
      "WHERE m.thread_id = ?2 AND f.role = 'inbox' AND ?1 = ?1 "
      "ORDER BY m.date DESC, m.id DESC LIMIT 1000"
    : "SELECT " MESSAGE_COLUMNS " FROM message m JOIN folder f ON f.id = m.folder_id "
      "WHERE m.thread_id = ?2 AND m.folder_id = ?1 "
      "ORDER BY m.date DESC, m.id DESC LIMIT 1000", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, thread_id);
  while ((rc = satchel_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (rows, read_message (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&rows);
}

void
satchel_contact_free (SatchelContact *contact)
{
  if (contact == NULL)
    return;
  g_free (contact->name);
  g_free (contact->address);
  g_free (contact);
}

/**
 * satchel_query_contacts:
 * @limit: the most to return
 *
 * Returns: (transfer full) (element-type SatchelContact): the people the
 *   user wrote to most first, then those who wrote most, then the most
 *   recent
 */
GPtrArray *
satchel_query_contacts (SatchelStore  *store,
                        guint          limit,
                        GError       **error)
{
  g_autoptr(GPtrArray) contacts = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_contact_free);
  sqlite3_stmt *stmt = satchel_store_prepare (store,
    "SELECT name, address FROM contact "
    "ORDER BY times_sent DESC, times_received DESC, last_seen DESC LIMIT ?", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, limit);
  while ((rc = satchel_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      SatchelContact *contact = g_new0 (SatchelContact, 1);

      contact->name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      contact->address = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      g_ptr_array_add (contacts, contact);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&contacts);
}
