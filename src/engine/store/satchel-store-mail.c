/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-store-mail.c: folders and messages in the store
 *
 * Copyright 2026 The Satchel authors
 *
 * The writes that sync makes, one statement each, prepared once; the
 * caller batches them in transactions. A new message gets its index row
 * at once (subject and addresses), its text when the body is cached.
 */

#include "config.h"

#include <string.h>

#include "satchel-enum-types.h"
#include "satchel-store-mail.h"
#include "satchel-store-private.h"

void
satchel_folder_info_free (SatchelFolderInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_clear_pointer (&info->wire_name, g_bytes_unref);
  g_free (info);
}

void
satchel_message_state_free (SatchelMessageState *state)
{
  if (state == NULL)
    return;
  g_free (state->keywords);
  g_free (state);
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

static const char *
role_nick (SatchelFolderRole role)
{
  return role == SATCHEL_FOLDER_ROLE_NONE ? NULL
         : satchel_enum_to_nick (SATCHEL_TYPE_FOLDER_ROLE, role);
}

/* Folders */

#define FOLDER_COLUMNS "id, account_id, name, wire_name, delimiter, role, subscribed, " \
                       "selectable, local_only, uidvalidity, uidnext, highestmodseq"

static SatchelFolderInfo *
read_folder (sqlite3_stmt *stmt)
{
  SatchelFolderInfo *info = g_new0 (SatchelFolderInfo, 1);
  const char *delimiter = (const char *) sqlite3_column_text (stmt, 4);
  int role = SATCHEL_FOLDER_ROLE_NONE;

  info->id = sqlite3_column_int64 (stmt, 0);
  info->account_id = sqlite3_column_int64 (stmt, 1);
  info->name = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
    info->wire_name = g_bytes_new (sqlite3_column_blob (stmt, 3), sqlite3_column_bytes (stmt, 3));
  info->delimiter = delimiter != NULL ? delimiter[0] : '\0';
  satchel_enum_from_nick (SATCHEL_TYPE_FOLDER_ROLE, (const char *) sqlite3_column_text (stmt, 5),
                          &role);
  info->role = role;
  info->subscribed = sqlite3_column_int (stmt, 6);
  info->selectable = sqlite3_column_int (stmt, 7);
  info->local_only = sqlite3_column_int (stmt, 8);
  info->uidvalidity = sqlite3_column_int64 (stmt, 9);
  info->uidnext = sqlite3_column_int64 (stmt, 10);
  info->highestmodseq = sqlite3_column_int64 (stmt, 11);
  return info;
}

static SatchelFolderInfo *
query_one_folder (SatchelStore  *store,
                  sqlite3_stmt  *stmt,
                  GError       **error)
{
  SatchelFolderInfo *info = NULL;

  if (satchel_store_step (store, stmt, error) == SQLITE_ROW)
    {
      info = read_folder (stmt);
      sqlite3_reset (stmt);
    }
  return info;
}

/**
 * satchel_store_list_folders:
 *
 * Returns: (transfer full) (element-type SatchelFolderInfo): the account's
 *   folders, by name
 */
GPtrArray *
satchel_store_list_folders (SatchelStore  *store,
                            gint64         account_id,
                            GError       **error)
{
  g_autoptr(GPtrArray) folders = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_folder_info_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = satchel_store_prepare (store, "SELECT " FOLDER_COLUMNS " FROM folder "
                                       "WHERE account_id = ? ORDER BY name", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  while ((rc = satchel_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (folders, read_folder (stmt));
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&folders);
}

/* Returns: (transfer full) (nullable): the folder, or NULL without an
 * error when there is none. */
SatchelFolderInfo *
satchel_store_find_folder (SatchelStore  *store,
                           gint64         account_id,
                           const char    *name,
                           GError       **error)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store, "SELECT " FOLDER_COLUMNS " FROM folder "
                                                     "WHERE account_id = ? AND name = ?", error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
  return query_one_folder (store, stmt, error);
}

SatchelFolderInfo *
satchel_store_get_folder (SatchelStore  *store,
                          gint64         folder_id,
                          GError       **error)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store, "SELECT " FOLDER_COLUMNS " FROM folder "
                                                     "WHERE id = ?", error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  return query_one_folder (store, stmt, error);
}

SatchelFolderInfo *
satchel_store_find_folder_by_role (SatchelStore       *store,
                                   gint64              account_id,
                                   SatchelFolderRole   role,
                                   GError            **error)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store, "SELECT " FOLDER_COLUMNS " FROM folder "
                                                     "WHERE account_id = ? AND role = ? "
                                                     "ORDER BY id LIMIT 1", error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  bind_text_or_null (stmt, 2, role_nick (role));
  return query_one_folder (store, stmt, error);
}

/**
 * satchel_store_save_folder:
 *
 * Inserts the folder, or updates the one of the same account and name
 * (its sync state stays).
 *
 * Returns: its id, or 0 on error
 */
gint64
satchel_store_save_folder (SatchelStore             *store,
                           const SatchelFolderInfo  *info,
                           GError                  **error)
{
  sqlite3_stmt *stmt;
  char delimiter[2] = { info->delimiter, '\0' };
  int rc;

  stmt = satchel_store_prepare (store,
    "INSERT INTO folder (account_id, name, wire_name, delimiter, role, subscribed, selectable, "
    "                    local_only) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (account_id, name) DO UPDATE SET wire_name = excluded.wire_name, "
    "  delimiter = excluded.delimiter, role = excluded.role, subscribed = excluded.subscribed, "
    "  selectable = excluded.selectable, local_only = excluded.local_only "
    "RETURNING id", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, info->account_id);
  sqlite3_bind_text (stmt, 2, info->name, -1, SQLITE_TRANSIENT);
  if (info->wire_name != NULL)
    sqlite3_bind_blob (stmt, 3, g_bytes_get_data (info->wire_name, NULL),
                       g_bytes_get_size (info->wire_name), SQLITE_TRANSIENT);
  bind_text_or_null (stmt, 4, info->delimiter != '\0' ? delimiter : NULL);
  bind_text_or_null (stmt, 5, role_nick (info->role));
  sqlite3_bind_int (stmt, 6, info->subscribed);
  sqlite3_bind_int (stmt, 7, info->selectable);
  sqlite3_bind_int (stmt, 8, info->local_only);
  rc = satchel_store_step (store, stmt, error);
  if (rc != SQLITE_ROW)
    return 0;
  {
    gint64 id = sqlite3_column_int64 (stmt, 0);

    sqlite3_reset (stmt);
    return id;
  }
}

/* Deletes the folder with everything in it (messages, bodies, index). */
gboolean
satchel_store_delete_folder (SatchelStore  *store,
                             gint64         folder_id,
                             GError       **error)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store, "DELETE FROM folder WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  return satchel_store_run (store, stmt, error);
}

gboolean
satchel_store_rename_folder (SatchelStore  *store,
                             gint64         folder_id,
                             const char    *name,
                             GBytes        *wire_name,
                             GError       **error)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store, "UPDATE folder SET name = ?, wire_name = ? "
                                                     "WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  if (wire_name != NULL)
    sqlite3_bind_blob (stmt, 2, g_bytes_get_data (wire_name, NULL), g_bytes_get_size (wire_name),
                       SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, folder_id);
  return satchel_store_run (store, stmt, error);
}

gboolean
satchel_store_set_folder_state (SatchelStore  *store,
                                gint64         folder_id,
                                guint32        uidvalidity,
                                guint32        uidnext,
                                guint64        highestmodseq,
                                GError       **error)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store,
                                              "UPDATE folder SET uidvalidity = ?, uidnext = ?, "
                                              "highestmodseq = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, uidvalidity);
  sqlite3_bind_int64 (stmt, 2, uidnext);
  sqlite3_bind_int64 (stmt, 3, (sqlite3_int64) highestmodseq);
  sqlite3_bind_int64 (stmt, 4, folder_id);
  return satchel_store_run (store, stmt, error);
}

/* Drops the folder's cached messages, as after a UIDVALIDITY change. */
gboolean
satchel_store_clear_folder (SatchelStore  *store,
                            gint64         folder_id,
                            GError       **error)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store, "DELETE FROM message WHERE folder_id = ?",
                                              error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  return satchel_store_run (store, stmt, error);
}

/* Messages */

/* FNV-1a, 64 bits: a message id as a number for thread_id. */
static gint64
thread_number (const char *key,
               gsize       len)
{
  guint64 hash = G_GUINT64_CONSTANT (0xcbf29ce484222325);

  for (gsize i = 0; i < len; i++)
    {
      hash ^= (guchar) key[i];
      hash *= G_GUINT64_CONSTANT (0x100000001b3);
    }
  /* Positive, never 0. */
  return (gint64) (hash >> 2) + 1;
}

/* The first message id of a space-separated list, and its length. */
static const char *
first_id (const char *ids,
          gsize      *len)
{
  if (ids == NULL)
    return NULL;
  ids += strspn (ids, " \t\r\n");
  if (*ids == '\0')
    return NULL;
  *len = strcspn (ids, " \t\r\n");
  return ids;
}

/* The conversation that replies waiting for @summary carry: its own id,
 * hashed. */
static gint64
own_thread (const SatchelMessageSummary *summary)
{
  gsize len = 0;
  const char *key = first_id (summary->message_id, &len);

  return key != NULL ? thread_number (key, len) : 0;
}

/* The conversation a message belongs to, as a number: the id of its first
 * message hashed. The first id of References names it, as every reply
 * carries it (RFC 5322 3.6.4 keeps it when a long list is shortened). A
 * reply with only In-Reply-To (an IMAP header sync fetches no References:
 * ENVELOPE has In-Reply-To) takes its parent's conversation when the store
 * has the parent, and else the parent's id, which is what the parent
 * takes when it arrives with nothing above it; when it arrives with a
 * parent of its own, rethread() moves the replies that were waiting for it.
 * So a conversation comes together in any order of arrival and across
 * folders. A message that refers to nothing starts one with its own id.
 * Returns 0 when the message has no id at all. */
static gint64
thread_of (SatchelStore                *store,
           const SatchelMessageSummary *summary)
{
  const char *key;
  gsize len = 0;

  key = first_id (summary->references, &len);
  if (key != NULL)
    return thread_number (key, len);

  key = first_id (summary->in_reply_to, &len);
  if (key != NULL)
    {
      g_autofree char *parent = g_strndup (key, len);
      sqlite3_stmt *stmt = satchel_store_prepare (store,
                                                  "SELECT thread_id FROM message "
                                                  "WHERE message_id = ? AND thread_id IS NOT NULL "
                                                  "LIMIT 1", NULL);

      if (stmt != NULL)
        {
          gint64 thread = 0;

          sqlite3_bind_text (stmt, 1, parent, -1, SQLITE_STATIC);
          if (sqlite3_step (stmt) == SQLITE_ROW)
            thread = sqlite3_column_int64 (stmt, 0);
          sqlite3_reset (stmt);
          if (thread != 0)
            return thread;
        }
      return thread_number (key, len);
    }

  return own_thread (summary);
}

/* Moves the messages of conversation @from into @to. */
static gboolean
rethread (SatchelStore  *store,
          gint64         from,
          gint64         to,
          GError       **error)
{
  sqlite3_stmt *stmt;

  if (from == to || from == 0)
    return TRUE;
  /* Mostly nothing waits: a look in the index costs a fraction of an
   * UPDATE, which opens every index of the table to write. */
  stmt = satchel_store_prepare (store, "SELECT 1 FROM message WHERE thread_id = ? LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, from);
  switch (satchel_store_step (store, stmt, error))
    {
    case SQLITE_ROW:
      sqlite3_reset (stmt);
      break;
    case SQLITE_DONE:
      return TRUE;
    default:
      return FALSE;
    }
  stmt = satchel_store_prepare (store, "UPDATE message SET thread_id = ? WHERE thread_id = ?",
                                error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, to);
  sqlite3_bind_int64 (stmt, 2, from);
  return satchel_store_run (store, stmt, error);
}

/**
 * satchel_store_add_message:
 * @added: (out) (optional): whether the message is new to the folder
 *
 * Adds the message to the folder; when the folder has it already (same
 * UID), only its flags change. A new message goes into the full-text index
 * when its transaction commits (satchel_store_note_added()).
 *
 * Returns: its id, or 0 on error
 */
gint64
satchel_store_add_message (SatchelStore                *store,
                           gint64                       folder_id,
                           const SatchelMessageSummary *summary,
                           gboolean                    *added,
                           GError                     **error)
{
  gint64 thread = thread_of (store, summary);
  sqlite3_stmt *stmt;
  gint64 id;

  stmt = satchel_store_prepare (store,
    "INSERT INTO message (folder_id, uid, uidl, message_id, in_reply_to, refs, subject, sender, "
    "  recipients_to, recipients_cc, date, internal_date, size, flags, keywords, modseq, "
    "  has_attachments, preview, thread_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, nullif (?, 0)) "
    "ON CONFLICT (folder_id, uid) DO NOTHING", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  if (summary->uid != 0)
    sqlite3_bind_int64 (stmt, 2, summary->uid);
  bind_text_or_null (stmt, 3, summary->uidl);
  bind_text_or_null (stmt, 4, summary->message_id);
  bind_text_or_null (stmt, 5, summary->in_reply_to);
  bind_text_or_null (stmt, 6, summary->references);
  sqlite3_bind_text (stmt, 7, summary->subject != NULL ? summary->subject : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, summary->sender != NULL ? summary->sender : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 9, summary->to != NULL ? summary->to : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 10, summary->cc != NULL ? summary->cc : "", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 11, summary->date != 0 ? summary->date : summary->internal_date);
  sqlite3_bind_int64 (stmt, 12, summary->internal_date);
  sqlite3_bind_int64 (stmt, 13, (sqlite3_int64) summary->size);
  sqlite3_bind_int (stmt, 14, summary->flags);
  bind_text_or_null (stmt, 15, summary->keywords);
  sqlite3_bind_int64 (stmt, 16, (sqlite3_int64) summary->modseq);
  sqlite3_bind_int (stmt, 17, summary->has_attachments);
  bind_text_or_null (stmt, 18, summary->preview);
  sqlite3_bind_int64 (stmt, 19, thread);
  if (!satchel_store_run (store, stmt, error))
    return 0;

  if (satchel_store_changes (store) == 1)
    {
      id = satchel_store_last_insert_id (store);
      if (added != NULL)
        *added = TRUE;
      if (!satchel_store_note_added (store, id, error))
        return 0;
      /* Replies that arrived first wait under this message's own id. */
      if (thread != 0 && !rethread (store, own_thread (summary), thread, error))
        return 0;
      return id;
    }

  /* The folder had the message: keep its row, take the new flags. */
  if (added != NULL)
    *added = FALSE;
  if (!satchel_store_set_message_flags (store, folder_id, summary->uid, summary->flags,
                                        summary->keywords, summary->modseq, error))
    return 0;
  stmt = satchel_store_prepare (store, "SELECT id FROM message WHERE folder_id = ? AND uid = ?",
                                error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, summary->uid);
  if (satchel_store_step (store, stmt, error) != SQLITE_ROW)
    return 0;
  id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return id;
}

/**
 * satchel_store_index_messages:
 *
 * Adds the messages with ids from @first_id to @last_id to the full-text
 * index (subject and addresses; the text comes with the body): one
 * statement for a whole batch.
 */
gboolean
satchel_store_index_messages (SatchelStore  *store,
                              gint64         first_id,
                              gint64         last_id,
                              GError       **error)
{
  sqlite3_stmt *stmt;

  /* Exactly what the view says, which is what the index reads to take
   * the messages out again (version-009.sql). */
  stmt = satchel_store_prepare (store,
    "INSERT INTO message_fts (rowid, subject, addresses, body) "
    "SELECT id, subject, addresses, body FROM message_fts_source WHERE id BETWEEN ? AND ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, first_id);
  sqlite3_bind_int64 (stmt, 2, last_id);
  return satchel_store_run (store, stmt, error);
}

gboolean
satchel_store_set_message_flags (SatchelStore  *store,
                                 gint64         folder_id,
                                 guint32        uid,
                                 guint          flags,
                                 const char    *keywords,
                                 guint64        modseq,
                                 GError       **error)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store,
                                              "UPDATE message SET flags = ?, keywords = ?, "
                                              "modseq = max(coalesce(modseq, 0), ?) "
                                              "WHERE folder_id = ? AND uid = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, flags);
  bind_text_or_null (stmt, 2, keywords);
  sqlite3_bind_int64 (stmt, 3, (sqlite3_int64) modseq);
  sqlite3_bind_int64 (stmt, 4, folder_id);
  sqlite3_bind_int64 (stmt, 5, uid);
  return satchel_store_run (store, stmt, error);
}

gboolean
satchel_store_delete_uids (SatchelStore   *store,
                           gint64          folder_id,
                           const guint32  *uids,
                           guint           n_uids,
                           GError        **error)
{
  for (guint i = 0; i < n_uids; i++)
    {
      sqlite3_stmt *stmt = satchel_store_prepare (store, "DELETE FROM message "
                                                         "WHERE folder_id = ? AND uid = ?", error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, folder_id);
      sqlite3_bind_int64 (stmt, 2, uids[i]);
      if (!satchel_store_run (store, stmt, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * satchel_store_folder_states:
 *
 * Returns: (transfer full): UID -> SatchelMessageState of every message of
 *   the folder that has a UID
 */
GHashTable *
satchel_store_folder_states (SatchelStore  *store,
                             gint64         folder_id,
                             GError       **error)
{
  g_autoptr(GHashTable) states = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                                        (GDestroyNotify) satchel_message_state_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = satchel_store_prepare (store,
                                "SELECT id, uid, flags, keywords, body_cached FROM message "
                                "WHERE folder_id = ? AND uid IS NOT NULL", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  while ((rc = satchel_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      SatchelMessageState *state = g_new0 (SatchelMessageState, 1);

      state->id = sqlite3_column_int64 (stmt, 0);
      state->uid = sqlite3_column_int64 (stmt, 1);
      state->flags = sqlite3_column_int (stmt, 2);
      state->keywords = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      state->body_cached = sqlite3_column_int (stmt, 4);
      g_hash_table_replace (states, GUINT_TO_POINTER (state->uid), state);
    }
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&states);
}

guint32
satchel_store_folder_max_uid (SatchelStore  *store,
                              gint64         folder_id,
                              GError       **error)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store, "SELECT coalesce(max(uid), 0) FROM message "
                                                     "WHERE folder_id = ?", error);
  guint32 max = 0;

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  if (satchel_store_step (store, stmt, error) == SQLITE_ROW)
    {
      max = sqlite3_column_int64 (stmt, 0);
      sqlite3_reset (stmt);
    }
  return max;
}

/* The UIDs of the folder's messages whose body is not cached, newest
 * first. */
GArray *
satchel_store_uids_without_body (SatchelStore  *store,
                                 gint64         folder_id,
                                 GError       **error)
{
  g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  sqlite3_stmt *stmt;
  int rc;

  stmt = satchel_store_prepare (store, "SELECT uid FROM message WHERE folder_id = ? AND "
                                       "body_cached = 0 AND uid IS NOT NULL ORDER BY uid DESC",
                                error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  while ((rc = satchel_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      guint32 uid = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (uids, uid);
    }
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&uids);
}

/**
 * satchel_store_set_body:
 *
 * Keeps the raw message of a message the folder has. Its text goes into
 * the full-text index later (satchel_store_bodies_to_index()).
 */
static gboolean
insert_body (SatchelStore  *store,
             gint64         message_id,
             GBytes        *raw,
             GError       **error)
{
  /* A body fetched again keeps the text the index has of it until the
   * indexer reads the new one (satchel_store_set_body_text()). */
  sqlite3_stmt *stmt = satchel_store_prepare (store, "INSERT INTO body (message_id, raw, indexed) "
                                                     "VALUES (?, ?, 0) ON CONFLICT (message_id) "
                                                     "DO UPDATE SET raw = excluded.raw, indexed = 0",
                                              error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, message_id);
  sqlite3_bind_blob64 (stmt, 2, g_bytes_get_data (raw, NULL), g_bytes_get_size (raw),
                       SQLITE_STATIC);
  return satchel_store_run (store, stmt, error);
}

gboolean
satchel_store_set_body (SatchelStore  *store,
                        gint64         folder_id,
                        guint32        uid,
                        GBytes        *raw,
                        GError       **error)
{
  sqlite3_stmt *stmt;
  gint64 id;

  /* Not UPDATE ... RETURNING: SQLite keeps the returned rows in a table of
   * their own, built and freed for each body (10,000 bodies: 10,010 calls
   * to madvise() from the allocator, and 15% of a sync's CPU). */
  stmt = satchel_store_prepare (store, "SELECT id FROM message WHERE folder_id = ? AND uid = ?",
                                error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, uid);
  if (satchel_store_step (store, stmt, error) != SQLITE_ROW)
    return error == NULL || *error == NULL;   /* gone meanwhile: nothing to do */
  id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return satchel_store_set_body_of (store, id, raw, error);
}

/**
 * satchel_store_set_body_of:
 * @message_id: the message's id in the store
 *
 * Keeps the raw message; its text is indexed later (satchel-indexer.c).
 */
gboolean
satchel_store_set_body_of (SatchelStore  *store,
                           gint64         message_id,
                           GBytes        *raw,
                           GError       **error)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store,
                                              "UPDATE message SET body_cached = 1 WHERE id = ?",
                                              error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, message_id);
  return satchel_store_run (store, stmt, error) && insert_body (store, message_id, raw, error);
}

void
satchel_body_to_index_free (SatchelBodyToIndex *body)
{
  if (body == NULL)
    return;
  g_clear_pointer (&body->raw, g_bytes_unref);
  g_free (body);
}

/**
 * satchel_store_bodies_to_index:
 * @limit: the most to return
 *
 * Returns: (transfer full) (element-type SatchelBodyToIndex): cached
 *   bodies whose text is not in the full-text index yet, oldest first
 */
GPtrArray *
satchel_store_bodies_to_index (SatchelStore  *store,
                               guint          limit,
                               GError       **error)
{
  g_autoptr(GPtrArray) bodies = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_body_to_index_free);
  sqlite3_stmt *stmt = satchel_store_prepare (store,
                                              "SELECT b.message_id, b.raw, m.preview IS NULL "
                                              "FROM body b JOIN message m ON m.id = b.message_id "
                                              "WHERE b.indexed = 0 ORDER BY b.message_id LIMIT ?",
                                              error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, limit);
  while ((rc = satchel_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      SatchelBodyToIndex *body = g_new0 (SatchelBodyToIndex, 1);

      body->message_id = sqlite3_column_int64 (stmt, 0);
      body->raw = g_bytes_new (sqlite3_column_blob (stmt, 1), sqlite3_column_bytes (stmt, 1));
      body->wants_preview = sqlite3_column_int (stmt, 2);
      g_ptr_array_add (bodies, body);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&bodies);
}

/**
 * satchel_store_set_preview:
 *
 * Gives the message with @uid in the folder the preview its server made,
 * unless it has one already.
 */
gboolean
satchel_store_set_preview (SatchelStore  *store,
                           gint64         folder_id,
                           guint32        uid,
                           const char    *preview,
                           GError       **error)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store, "UPDATE message SET preview = ? "
                                                     "WHERE folder_id = ? AND uid = ? "
                                                     "AND preview IS NULL", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, preview, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, folder_id);
  sqlite3_bind_int64 (stmt, 3, uid);
  return satchel_store_run (store, stmt, error);
}

/**
 * satchel_store_set_body_text:
 * @text: (nullable): the message's text, or NULL when it has none
 * @preview: (nullable): a preview, kept when the message has none yet
 *
 * Puts a cached body's text into the full-text index.
 */
gboolean
satchel_store_set_body_text (SatchelStore  *store,
                             gint64         message_id,
                             const char    *text,
                             const char    *preview,
                             GError       **error)
{
  sqlite3_stmt *stmt;

  /* The index takes the message out by what the view says now, so the old
   * text goes before the new one is written, and the message goes back
   * in with it (version-009.sql). */
  stmt = satchel_store_prepare (store, "DELETE FROM message_fts WHERE rowid = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, message_id);
  if (!satchel_store_run (store, stmt, error))
    return FALSE;
  stmt = satchel_store_prepare (store, "UPDATE body SET text = ?, indexed = 1 WHERE message_id = ?",
                                error);
  if (stmt == NULL)
    return FALSE;
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, message_id);
  if (!satchel_store_run (store, stmt, error) ||
      !satchel_store_index_messages (store, message_id, message_id, error))
    return FALSE;
  if (preview == NULL)
    return TRUE;
  stmt = satchel_store_prepare (store, "UPDATE message SET preview = ? "
                                       "WHERE id = ? AND preview IS NULL", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, preview, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, message_id);
  return satchel_store_run (store, stmt, error);
}

/**
 * satchel_store_set_references:
 * @references: the message's References header
 *
 * Gives a message whose summary came without References (an IMAP header
 * sync) the ones its cached body has, and moves its conversation to the
 * first message they name: a reply to a message that is not here then
 * joins the rest of its conversation too.
 */
gboolean
satchel_store_set_references (SatchelStore  *store,
                              gint64         message_id,
                              const char    *references,
                              GError       **error)
{
  g_autofree char *valid = g_utf8_make_valid (references, -1);
  sqlite3_stmt *stmt;
  const char *root;
  gsize len = 0;
  gint64 thread = 0;
  int rc;

  root = first_id (g_strstrip (valid), &len);
  if (root == NULL)
    return TRUE;
  /* Two statements, not UPDATE ... RETURNING (see satchel_store_set_body()). */
  stmt = satchel_store_prepare (store, "SELECT thread_id FROM message WHERE id = ? AND refs IS NULL",
                                error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, message_id);
  rc = satchel_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    thread = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    return rc == SQLITE_DONE;
  stmt = satchel_store_prepare (store, "UPDATE message SET refs = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, valid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, message_id);
  if (!satchel_store_run (store, stmt, error))
    return FALSE;
  return rethread (store, thread, thread_number (root, len), error);
}

/* Returns: (transfer full) (nullable): the raw message, or NULL without
 * an error when its body is not cached. */
GBytes *
satchel_store_get_body (SatchelStore  *store,
                        gint64         message_id,
                        GError       **error)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store, "SELECT raw FROM body WHERE message_id = ?",
                                              error);
  GBytes *raw = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, message_id);
  if (satchel_store_step (store, stmt, error) == SQLITE_ROW)
    {
      raw = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
      sqlite3_reset (stmt);
    }
  return raw;
}
