/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-imap-sync-jobs.c: what IMAP sync asks of the store writer
 *
 * Copyright 2026 The Satchel authors
 *
 * Each job runs in the writer's thread. A job that writes does it in one
 * transaction, so that a crash leaves either all of it or none, and the
 * state that lets the next sync skip work (UIDNEXT, HIGHESTMODSEQ) is
 * saved only after the messages it stands for.
 */

#include "config.h"

#include <string.h>

#include "imap/satchel-imap-utf7.h"
#include "satchel-imap-sync-jobs.h"
#include "store/satchel-store-outbox.h"
#include "store/satchel-cert-pins.h"


void
satchel_folder_local_free (SatchelFolderLocal *local)
{
  if (local == NULL)
    return;
  satchel_folder_info_free (local->info);
  g_clear_pointer (&local->states, g_hash_table_unref);
  g_free (local);
}

void
satchel_new_message_free (SatchelNewMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->folder);
  g_free (message->from);
  g_free (message->subject);
  g_free (message);
}

SatchelFetchBatch *
satchel_fetch_batch_new (gint64      folder_id,
                         const char *folder_name)
{
  SatchelFetchBatch *batch = g_new0 (SatchelFetchBatch, 1);

  batch->folder_id = folder_id;
  batch->folder_name = g_strdup (folder_name);
  batch->fetches = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_imap_fetch_free);
  return batch;
}

void
satchel_fetch_batch_free (SatchelFetchBatch *batch)
{
  if (batch == NULL)
    return;
  g_free (batch->folder_name);
  g_clear_pointer (&batch->fetches, g_ptr_array_unref);
  g_free (batch);
}

void
satchel_folder_changes_free (SatchelFolderChanges *changes)
{
  if (changes == NULL)
    return;
  g_clear_pointer (&changes->deleted, g_array_unref);
  g_clear_pointer (&changes->changed, g_ptr_array_unref);
  g_free (changes);
}

void
satchel_folder_list_free (SatchelFolderList *list)
{
  if (list == NULL)
    return;
  g_clear_pointer (&list->server, g_ptr_array_unref);
  g_clear_pointer (&list->keep, g_ptr_array_unref);
  g_free (list);
}

static gpointer
done_or_rollback (SatchelStore  *store,
                  gboolean       ok,
                  GError       **error)
{
  if (!ok)
    {
      satchel_store_rollback (store);
      return NULL;
    }
  if (!satchel_store_commit (store, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

/**
 * satchel_incoming_connection_new:
 * @pin: what satchel_job_lookup_pin() found for the account's server
 *
 * Returns: (transfer full): a connection to @account's incoming server,
 *   trusted as its syncs trust it: the system's CAs or the account's CA
 *   file, or the certificate the user pinned ("" for none)
 */
SatchelConnection *
satchel_incoming_connection_new (SatchelAccount *account,
                                 const char     *pin)
{
  SatchelConnection *connection = satchel_connection_new (satchel_account_get_host (account),
                                                          satchel_account_get_effective_port (account),
                                                          satchel_account_get_security (account));

  satchel_connection_set_ca_file (connection, satchel_account_get_ca_file (account));
  satchel_connection_set_pinned_sha256 (connection, pin != NULL && pin[0] != '\0' ? pin : NULL);
  return connection;
}

/* data: SatchelFolderInfo with name = host and uidnext = port.
 * Returns the pinned fingerprint, or "". */
gpointer
satchel_job_lookup_pin (SatchelStore  *store,
                        gpointer       data,
                        GError       **error)
{
  SatchelFolderInfo *where = data;
  GError *local_error = NULL;
  char *pin = satchel_cert_pin_lookup (store, where->name, where->uidnext, &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  return pin != NULL ? pin : g_strdup ("");
}

/* data: gint64 *account_id. Returns GPtrArray of SatchelPendingOp. */
gpointer
satchel_job_list_ops (SatchelStore  *store,
                      gpointer       data,
                      GError       **error)
{
  return satchel_store_list_ops (store, *(gint64 *) data, error);
}

static gboolean
name_in (GPtrArray  *names,
         const char *name)
{
  for (guint i = 0; names != NULL && i < names->len; i++)
    if (g_strcmp0 (g_ptr_array_index (names, i), name) == 0)
      return TRUE;
  return FALSE;
}

/* data: SatchelFolderList. Mirrors the server's folders: new ones are
 * added, gone ones dropped with their cached mail (unless a queued change
 * still needs them). Returns the account's folders after that. */
gpointer
satchel_job_apply_folder_list (SatchelStore  *store,
                               gpointer       data,
                               GError       **error)
{
  SatchelFolderList *list = data;
  g_autoptr(GPtrArray) local = NULL;
  gboolean ok;

  if (!satchel_store_begin_copy (store, error))
    return NULL;

  local = satchel_store_list_folders (store, list->account_id, error);
  ok = local != NULL;
  for (guint i = 0; ok && i < list->server->len; i++)
    {
      SatchelFolderInfo *info = g_ptr_array_index (list->server, i);

      info->account_id = list->account_id;
      ok = satchel_store_save_folder (store, info, error) != 0;
    }
  for (guint i = 0; ok && i < local->len; i++)
    {
      SatchelFolderInfo *mine = g_ptr_array_index (local, i);
      gboolean on_server = FALSE;

      if (mine->local_only)
        continue;
      for (guint j = 0; j < list->server->len && !on_server; j++)
        on_server = g_strcmp0 (((SatchelFolderInfo *) g_ptr_array_index (list->server, j))->name,
                               mine->name) == 0;
      if (!on_server && !name_in (list->keep, mine->name))
        ok = satchel_store_delete_folder (store, mine->id, error);
    }
  if (done_or_rollback (store, ok, error) == NULL)
    return NULL;
  return satchel_store_list_folders (store, list->account_id, error);
}

/* data: SatchelFolderLoad. Returns SatchelFolderLocal. */
gpointer
satchel_job_load_folder (SatchelStore  *store,
                         gpointer       data,
                         GError       **error)
{
  SatchelFolderLoad *load = data;
  g_autoptr(SatchelFolderInfo) info = satchel_store_get_folder (store, load->folder_id, error);
  SatchelFolderLocal *local;
  GError *local_error = NULL;

  if (info == NULL)
    return NULL;
  local = g_new0 (SatchelFolderLocal, 1);
  if (load->with_states)
    {
      local->states = satchel_store_folder_states (store, info->id, error);
      if (local->states == NULL)
        {
          satchel_folder_local_free (local);
          return NULL;
        }
    }
  local->max_uid = satchel_store_folder_max_uid (store, info->id, &local_error);
  local->info = g_steal_pointer (&info);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      satchel_folder_local_free (local);
      return NULL;
    }
  return local;
}

/* data: SatchelFolderInfo with id and the new uidvalidity. Drops the
 * folder's cached messages: their UIDs mean nothing any more. Queued
 * changes stay; they are found again by Message-ID. */
gpointer
satchel_job_reset_folder (SatchelStore  *store,
                          gpointer       data,
                          GError       **error)
{
  SatchelFolderInfo *info = data;
  gboolean ok;

  if (!satchel_store_begin_copy (store, error))
    return NULL;
  /* As if never synced, until the folder has been fetched again: so its
   * messages are not news (satchel_query_inbox_last_id()). */
  ok = satchel_store_clear_folder (store, info->id, error) &&
       satchel_store_set_folder_state (store, info->id, 0, 0, 0, error);
  return done_or_rollback (store, ok, error);
}

/* data: SatchelFolderChanges. */
gpointer
satchel_job_apply_changes (SatchelStore  *store,
                           gpointer       data,
                           GError       **error)
{
  SatchelFolderChanges *changes = data;
  gboolean ok;

  if (!satchel_store_begin_copy (store, error))
    return NULL;
  ok = satchel_store_delete_uids (store, changes->folder_id,
                                  (const guint32 *) changes->deleted->data,
                                  changes->deleted->len, error);
  for (guint i = 0; ok && i < changes->changed->len; i++)
    {
      SatchelImapFetch *fetch = g_ptr_array_index (changes->changed, i);

      if ((fetch->items & SATCHEL_IMAP_FETCH_UID) && (fetch->items & SATCHEL_IMAP_FETCH_FLAGS))
        ok = satchel_store_set_message_flags (store, changes->folder_id, fetch->uid, fetch->flags,
                                              fetch->keywords, fetch->modseq, error);
    }
  return done_or_rollback (store, ok, error);
}

static void
fetch_to_summary (const SatchelImapFetch *fetch,
                  SatchelMessageSummary  *summary)
{
  memset (summary, 0, sizeof *summary);
  summary->uid = fetch->uid;
  summary->message_id = fetch->message_id;
  summary->in_reply_to = fetch->in_reply_to;
  summary->references = fetch->references;
  summary->subject = fetch->subject;
  summary->sender = fetch->from;
  summary->to = fetch->to;
  summary->cc = fetch->cc;
  summary->date = fetch->date;
  summary->internal_date = fetch->internal_date;
  summary->size = fetch->size;
  summary->flags = fetch->flags;
  summary->keywords = fetch->keywords;
  summary->modseq = fetch->modseq;
  summary->has_attachments = fetch->has_attachments;
  summary->preview = fetch->preview;
}

/* The senders of a batch, by address: their latest name and how many
 * messages came from each. */
typedef struct
{
  const char *name;
  guint       count;
} SenderTally;

static gboolean
note_senders (SatchelStore  *store,
              GHashTable    *senders,
              GError       **error)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  GHashTableIter iter;
  gpointer address, value;

  g_hash_table_iter_init (&iter, senders);
  while (g_hash_table_iter_next (&iter, &address, &value))
    {
      SenderTally *tally = value;

      if (!satchel_store_note_contact (store, address, tally->name, 0, tally->count, now, error))
        return FALSE;
    }
  return TRUE;
}

/* data: SatchelFetchBatch of header fetches. Returns GPtrArray of
 * SatchelNewMessage: those that were not in the store before. */
gpointer
satchel_job_add_messages (SatchelStore  *store,
                          gpointer       data,
                          GError       **error)
{
  SatchelFetchBatch *batch = data;
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_new_message_free);
  gboolean ok = TRUE;

  g_autoptr(GHashTable) senders = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GHashTable) leaving = NULL;

  if (!satchel_store_begin_copy (store, error))
    return NULL;
  /* Moved or deleted here since this sync listed the queued changes: the
   * server still has them, the folder here no longer. */
  leaving = satchel_store_uids_leaving (store, batch->folder_id, error);
  if (leaving == NULL)
    return done_or_rollback (store, FALSE, error);
  for (guint i = 0; ok && i < batch->fetches->len; i++)
    {
      SatchelImapFetch *fetch = g_ptr_array_index (batch->fetches, i);
      SatchelMessageSummary summary;
      gboolean is_new = FALSE;
      gint64 id;

      if (!(fetch->items & SATCHEL_IMAP_FETCH_UID))
        continue;
      /* Not a header: the flags of a message another client changed,
       * which the store may not have yet. An empty message must not
       * take the place of the one whose header is still to come. */
      if (!(fetch->items & SATCHEL_IMAP_FETCH_ENVELOPE))
        {
          if (fetch->items & SATCHEL_IMAP_FETCH_FLAGS)
            ok = satchel_store_set_message_flags (store, batch->folder_id, fetch->uid,
                                                  fetch->flags, fetch->keywords, fetch->modseq,
                                                  error);
          continue;
        }
      if (g_hash_table_contains (leaving, GUINT_TO_POINTER (fetch->uid)))
        continue;
      fetch_to_summary (fetch, &summary);
      id = satchel_store_add_message (store, batch->folder_id, &summary, &is_new, error);
      ok = id != 0;
      /* Keeping mail offline, small messages come whole. */
      if (ok && fetch->body != NULL)
        ok = satchel_store_set_body_of (store, id, fetch->body, error);
      if (ok && is_new)
        {
          SatchelNewMessage *message;

          if (fetch->sender_address != NULL)
            {
              SenderTally *tally = g_hash_table_lookup (senders, fetch->sender_address);

              if (tally == NULL)
                {
                  tally = g_new0 (SenderTally, 1);
                  g_hash_table_insert (senders, fetch->sender_address, tally);
                }
              if (fetch->sender_name != NULL)
                tally->name = fetch->sender_name;
              tally->count++;
            }
          if (!batch->report_new)
            continue;
          message = g_new0 (SatchelNewMessage, 1);
          message->id = id;
          message->folder = g_strdup (batch->folder_name);
          message->from = g_strdup (fetch->from != NULL ? fetch->from : "");
          message->subject = g_strdup (fetch->subject != NULL ? fetch->subject : "");
          g_ptr_array_add (added, message);
        }
    }
  if (ok)
    ok = note_senders (store, senders, error);
  if (done_or_rollback (store, ok, error) == NULL)
    return NULL;
  return g_steal_pointer (&added);
}

/* data: SatchelFetchBatch of BODY[] fetches. Only the raw bytes: the
 * indexer reads the text out of them later (satchel-indexer.c). */
gpointer
satchel_job_add_bodies (SatchelStore  *store,
                        gpointer       data,
                        GError       **error)
{
  SatchelFetchBatch *batch = data;
  gboolean ok = TRUE;

  if (!satchel_store_begin_copy (store, error))
    return NULL;
  for (guint i = 0; ok && i < batch->fetches->len; i++)
    {
      SatchelImapFetch *fetch = g_ptr_array_index (batch->fetches, i);

      if (fetch->body == NULL || !(fetch->items & SATCHEL_IMAP_FETCH_UID))
        continue;
      ok = satchel_store_set_body (store, batch->folder_id, fetch->uid, fetch->body, error);
    }
  return done_or_rollback (store, ok, error);
}

/* data: SatchelFetchBatch of PREVIEW fetches. */
gpointer
satchel_job_set_previews (SatchelStore  *store,
                          gpointer       data,
                          GError       **error)
{
  SatchelFetchBatch *batch = data;
  gboolean ok = TRUE;

  if (!satchel_store_begin_copy (store, error))
    return NULL;
  for (guint i = 0; ok && i < batch->fetches->len; i++)
    {
      SatchelImapFetch *fetch = g_ptr_array_index (batch->fetches, i);

      if (fetch->preview == NULL || !(fetch->items & SATCHEL_IMAP_FETCH_UID))
        continue;
      ok = satchel_store_set_preview (store, batch->folder_id, fetch->uid, fetch->preview, error);
    }
  return done_or_rollback (store, ok, error);
}

/* data: SatchelFolderInfo with id, uidvalidity, uidnext, highestmodseq. */
gpointer
satchel_job_save_folder_state (SatchelStore  *store,
                               gpointer       data,
                               GError       **error)
{
  SatchelFolderInfo *info = data;

  /* What the server said, as the headers before it: a power cut that
   * loses it loses them too (the log keeps the order of commits), and the
   * next sync asks again. Not waiting for the disk saves a few
   * milliseconds a folder. */
  if (!satchel_store_begin_copy (store, error))
    return NULL;
  return done_or_rollback (store,
                           satchel_store_set_folder_state (store, info->id, info->uidvalidity,
                                                           info->uidnext, info->highestmodseq,
                                                           error),
                           error);
}

void
satchel_op_target_free (SatchelOpTarget *target)
{
  if (target == NULL)
    return;
  g_free (target->wire);
  g_free (target->dest_wire);
  g_clear_pointer (&target->raw, g_bytes_unref);
  g_free (target);
}

void
satchel_op_outcome_free (SatchelOpOutcome *outcome)
{
  if (outcome == NULL)
    return;
  g_free (outcome->error);
  g_free (outcome);
}

/* The wire name of a folder of the account: the server's, or for one that
 * exists only here so far, its name encoded. */
static char *
wire_name_of (SatchelStore  *store,
              gint64         account_id,
              const char    *name,
              guint32       *uidvalidity,
              gint64        *folder_id,
              GError       **error)
{
  g_autoptr(SatchelFolderInfo) info = satchel_store_find_folder (store, account_id, name, error);

  if (info != NULL && uidvalidity != NULL)
    *uidvalidity = info->uidvalidity;
  if (info != NULL && folder_id != NULL)
    *folder_id = info->id;
  if (info != NULL && info->wire_name != NULL)
    return g_strndup (g_bytes_get_data (info->wire_name, NULL), g_bytes_get_size (info->wire_name));
  return satchel_imap_utf7_encode (name);
}

/* data: SatchelPendingOp. Returns SatchelOpTarget. */
gpointer
satchel_job_resolve_op (SatchelStore  *store,
                        gpointer       data,
                        GError       **error)
{
  SatchelPendingOp *op = data;
  g_autoptr(SatchelOpTarget) target = g_new0 (SatchelOpTarget, 1);
  GError *local_error = NULL;
  const char *folder = op->folder;

  if (op->kind == SATCHEL_OP_CREATE_FOLDER && folder == NULL)
    folder = op->arg;
  if (folder == NULL)
    folder = "";
  target->wire = wire_name_of (store, op->account_id, folder, &target->uidvalidity, NULL,
                               &local_error);
  target->uid = op->uid;

  /* APPEND: the message's bytes, if the user did not delete it meanwhile. */
  if (op->kind == SATCHEL_OP_APPEND && op->local_id != 0 && local_error == NULL)
    target->raw = satchel_store_get_body (store, op->local_id, &local_error);

  /* A message moved here before an earlier move reached the server: its
   * UID is known only now, if at all. */
  if (op->kind != SATCHEL_OP_APPEND && target->uid == 0 && op->local_id != 0 &&
      local_error == NULL)
    {
      sqlite3_stmt *stmt = satchel_store_prepare (store, "SELECT uid FROM message WHERE id = ?",
                                                  &local_error);

      if (stmt != NULL)
        {
          sqlite3_bind_int64 (stmt, 1, op->local_id);
          if (satchel_store_step (store, stmt, &local_error) == SQLITE_ROW)
            {
              target->uid = sqlite3_column_int64 (stmt, 0);
              sqlite3_reset (stmt);
            }
        }
    }
  if (local_error == NULL && op->arg != NULL &&
      (op->kind == SATCHEL_OP_MOVE || op->kind == SATCHEL_OP_RENAME_FOLDER))
    target->dest_wire = wire_name_of (store, op->account_id, op->arg, NULL, &target->dest_id,
                                      &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (target->wire == NULL || (op->arg != NULL && op->kind == SATCHEL_OP_MOVE &&
                               target->dest_wire == NULL))
    {
      /* A name that cannot be written for the server: leave the wire
       * empty; the replay drops the change with a word. */
      g_clear_pointer (&target->wire, g_free);
      target->wire = g_strdup ("");
    }
  return g_steal_pointer (&target);
}

/* data: SatchelOpOutcome. */
gpointer
satchel_job_finish_op (SatchelStore  *store,
                       gpointer       data,
                       GError       **error)
{
  SatchelOpOutcome *outcome = data;
  gboolean ok = TRUE;

  if (!satchel_store_begin (store, error))
    return NULL;
  if (outcome->local_id != 0)
    {
      sqlite3_stmt *stmt;

      /* With the new UID the moved message is known in its folder; without
       * one (no UIDPLUS) the local copy goes, and the next sync of that
       * folder brings the server's. */
      if (outcome->new_uid != 0)
        stmt = satchel_store_prepare (store, "UPDATE OR REPLACE message SET uid = ? WHERE id = ?",
                                      error);
      else
        stmt = satchel_store_prepare (store, "DELETE FROM message WHERE id = ? AND uid IS NULL",
                                      error);
      ok = stmt != NULL;
      if (ok && outcome->new_uid != 0)
        {
          sqlite3_bind_int64 (stmt, 1, outcome->new_uid);
          sqlite3_bind_int64 (stmt, 2, outcome->local_id);
        }
      else if (ok)
        sqlite3_bind_int64 (stmt, 1, outcome->local_id);
      ok = ok && satchel_store_run (store, stmt, error);
    }
  if (ok && outcome->done)
    ok = satchel_store_remove_op (store, outcome->op_id, error);
  else if (ok)
    ok = satchel_store_op_failed (store, outcome->op_id, outcome->error, error);
  return done_or_rollback (store, ok, error);
}

void
satchel_wanted_body_free (SatchelWantedBody *wanted)
{
  if (wanted == NULL)
    return;
  g_free (wanted->folder_name);
  g_clear_pointer (&wanted->wire_name, g_bytes_unref);
  g_free (wanted);
}

/* data: GArray of message ids. Returns the SatchelWantedBody of those
 * that are on the server and not cached yet. */
gpointer
satchel_job_resolve_wanted (SatchelStore  *store,
                            gpointer       data,
                            GError       **error)
{
  GArray *ids = data;
  g_autoptr(GPtrArray) wanted = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_wanted_body_free);

  for (guint i = 0; i < ids->len; i++)
    {
      sqlite3_stmt *stmt = satchel_store_prepare (store,
        "SELECT m.folder_id, f.name, f.wire_name, m.uid FROM message m "
        "JOIN folder f ON f.id = m.folder_id "
        "WHERE m.id = ? AND m.uid IS NOT NULL AND m.body_cached = 0 AND f.wire_name IS NOT NULL",
        error);
      int rc;

      if (stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 1, g_array_index (ids, gint64, i));
      rc = satchel_store_step (store, stmt, error);
      if (rc == SQLITE_ROW)
        {
          SatchelWantedBody *body = g_new0 (SatchelWantedBody, 1);

          body->folder_id = sqlite3_column_int64 (stmt, 0);
          body->folder_name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
          body->wire_name = g_bytes_new (sqlite3_column_blob (stmt, 2),
                                         sqlite3_column_bytes (stmt, 2));
          body->uid = (guint32) sqlite3_column_int64 (stmt, 3);
          g_ptr_array_add (wanted, body);
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return NULL;
    }
  return g_steal_pointer (&wanted);
}

void
satchel_uid_lookup_free (SatchelUidLookup *lookup)
{
  if (lookup == NULL)
    return;
  g_array_unref (lookup->uids);
  g_free (lookup);
}

/* data: SatchelSearchTarget. Returns the folders (as SatchelWantedBody,
 * without a UID) that a server search looks in. */
gpointer
satchel_job_search_folders (SatchelStore  *store,
                            gpointer       data,
                            GError       **error)
{
  SatchelSearchTarget *target = data;
  g_autoptr(GPtrArray) folders = satchel_store_list_folders (store, target->account_id, error);
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_wanted_body_free);

  if (folders == NULL)
    return NULL;
  for (guint i = 0; i < folders->len; i++)
    {
      SatchelFolderInfo *info = g_ptr_array_index (folders, i);
      SatchelWantedBody *folder;

      if (!info->selectable || info->wire_name == NULL ||
          (target->folder_id != 0 && info->id != target->folder_id))
        continue;
      folder = g_new0 (SatchelWantedBody, 1);
      folder->folder_id = info->id;
      folder->folder_name = g_strdup (info->name);
      folder->wire_name = g_bytes_ref (info->wire_name);
      g_ptr_array_add (found, folder);
    }
  return g_steal_pointer (&found);
}

/* data: SatchelUidLookup. Returns the store's ids (gint64) of the
 * folder's messages with those UIDs. */
gpointer
satchel_job_ids_for_uids (SatchelStore  *store,
                          gpointer       data,
                          GError       **error)
{
  SatchelUidLookup *lookup = data;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < lookup->uids->len; i++)
    {
      sqlite3_stmt *stmt = satchel_store_prepare (store, "SELECT id FROM message "
                                                         "WHERE folder_id = ? AND uid = ?", error);
      int rc;

      if (stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 1, lookup->folder_id);
      sqlite3_bind_int64 (stmt, 2, g_array_index (lookup->uids, guint32, i));
      rc = satchel_store_step (store, stmt, error);
      if (rc == SQLITE_ROW)
        {
          gint64 id = sqlite3_column_int64 (stmt, 0);

          g_array_append_val (ids, id);
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return NULL;
    }
  return g_steal_pointer (&ids);
}
