/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-mail-actions.c: what the user does to mail, here at once and
 * queued for the server
 *
 * Copyright 2026 The Satchel authors
 *
 * Each action changes the local copy and, for an IMAP account, queues the
 * same change for the server, in one transaction: the view shows it at
 * once, a crash loses neither, and the next delivery of the queue (or
 * sync) makes it on the server. A POP3 account's folders and flags are
 * this computer's only.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "imap/satchel-imap-fetch.h"
#include "imap/satchel-imap-utf7.h"
#include "mime/satchel-mime.h"
#include "satchel-mail-actions.h"
#include "store/satchel-pending-ops.h"
#include "store/satchel-store-mail.h"

G_DEFINE_QUARK (satchel-mail-error-quark, satchel_mail_error)

typedef struct
{
  gint64             id;
  gint64             folder_id;
  guint32            uid;
  guint              flags;
  char              *keywords;
  char              *message_id;
  char              *folder;
  SatchelFolderRole  role;
  guint32            uidvalidity;
  gint64             account_id;
  gboolean           imap;
} MessageContext;

static void
message_context_free (MessageContext *context)
{
  g_free (context->keywords);
  g_free (context->message_id);
  g_free (context->folder);
  g_free (context);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MessageContext, message_context_free)

static MessageContext *
load_message (SatchelStore  *store,
              gint64         message_id,
              GError       **error)
{
  sqlite3_stmt *stmt;
  MessageContext *context;
  int role = SATCHEL_FOLDER_ROLE_NONE;

  stmt = satchel_store_prepare (store,
    "SELECT m.id, m.folder_id, m.uid, m.flags, m.keywords, m.message_id, f.name, f.role, "
    "  f.uidvalidity, f.account_id, a.kind "
    "FROM message m JOIN folder f ON f.id = m.folder_id JOIN account a ON a.id = f.account_id "
    "WHERE m.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, message_id);
  if (satchel_store_step (store, stmt, error) != SQLITE_ROW)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, SATCHEL_MAIL_ERROR, SATCHEL_MAIL_ERROR_NOT_FOUND,
                     _("There is no message %lld."), (long long) message_id);
      return NULL;
    }
  context = g_new0 (MessageContext, 1);
  context->id = sqlite3_column_int64 (stmt, 0);
  context->folder_id = sqlite3_column_int64 (stmt, 1);
  context->uid = sqlite3_column_int64 (stmt, 2);
  context->flags = sqlite3_column_int (stmt, 3);
  context->keywords = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  context->message_id = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  context->folder = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
  if (sqlite3_column_type (stmt, 7) != SQLITE_NULL)
    {
      static const char *roles[] = { NULL, "inbox", "sent", "drafts", "trash", "junk", "archive" };

      for (guint i = 1; i < G_N_ELEMENTS (roles); i++)
        if (g_strcmp0 (roles[i], (const char *) sqlite3_column_text (stmt, 7)) == 0)
          role = i;
    }
  context->role = role;
  context->uidvalidity = sqlite3_column_int64 (stmt, 8);
  context->account_id = sqlite3_column_int64 (stmt, 9);
  context->imap = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 10), "imap") == 0;
  sqlite3_reset (stmt);
  return context;
}

static gboolean
commit_or_rollback (SatchelStore  *store,
                    gboolean       ok,
                    GError       **error)
{
  if (!ok)
    {
      satchel_store_rollback (store);
      return FALSE;
    }
  return satchel_store_commit (store, error);
}

static SatchelPendingOp
op_for_message (MessageContext *context,
                SatchelOpKind   kind)
{
  SatchelPendingOp op = { 0 };

  op.account_id = context->account_id;
  op.kind = kind;
  op.folder = context->folder;
  op.uidvalidity = context->uidvalidity;
  op.uid = context->uid;
  op.local_id = context->id;
  op.message_id = context->message_id;
  return op;
}

/**
 * satchel_mail_change_flags:
 * @add: SatchelFlags to set
 * @remove: SatchelFlags to clear
 */
gboolean
satchel_mail_change_flags (SatchelStore  *store,
                           gint64         message_id,
                           guint          add,
                           guint          remove,
                           GError       **error)
{
  g_autoptr(MessageContext) context = load_message (store, message_id, error);
  g_autofree char *add_names = NULL;
  g_autofree char *remove_names = NULL;
  sqlite3_stmt *stmt;
  guint flags;
  gboolean ok;

  if (context == NULL)
    return FALSE;

  /* Only what really changes is queued. */
  add &= ~context->flags;
  remove &= context->flags;
  if (add == 0 && remove == 0)
    return TRUE;
  flags = (context->flags | add) & ~remove;

  if (!satchel_store_begin (store, error))
    return FALSE;
  stmt = satchel_store_prepare (store, "UPDATE message SET flags = ? WHERE id = ?", error);
  ok = stmt != NULL;
  if (ok)
    {
      sqlite3_bind_int (stmt, 1, flags);
      sqlite3_bind_int64 (stmt, 2, context->id);
      ok = satchel_store_run (store, stmt, error);
    }
  if (ok && context->imap)
    {
      SatchelPendingOp op = op_for_message (context, SATCHEL_OP_FLAGS);

      add_names = satchel_imap_flags_to_string (add, NULL);
      remove_names = satchel_imap_flags_to_string (remove, NULL);
      op.arg = add_names;
      op.arg2 = remove_names;
      ok = satchel_store_add_op (store, &op, error) != 0;
    }
  return commit_or_rollback (store, ok, error);
}

static SatchelFolderInfo *
find_folder (SatchelStore  *store,
             gint64         account_id,
             const char    *name,
             GError       **error)
{
  GError *local_error = NULL;
  SatchelFolderInfo *folder = satchel_store_find_folder (store, account_id, name, &local_error);

  if (folder == NULL && local_error == NULL)
    g_set_error (error, SATCHEL_MAIL_ERROR, SATCHEL_MAIL_ERROR_NOT_FOUND,
                 _("There is no folder “%s” in this account."), name);
  else if (local_error != NULL)
    g_propagate_error (error, local_error);
  return folder;
}

static gboolean
move_to (SatchelStore       *store,
         MessageContext     *context,
         SatchelFolderInfo  *dest,
         GError            **error)
{
  sqlite3_stmt *stmt;
  gboolean ok;

  if (!satchel_store_begin (store, error))
    return FALSE;

  /* Here the message goes at once; its UID there comes from the server
   * when the move is made (until then it has none). */
  stmt = satchel_store_prepare (store, "UPDATE message SET folder_id = ?, uid = NULL, modseq = NULL "
                                       "WHERE id = ?", error);
  ok = stmt != NULL;
  if (ok)
    {
      sqlite3_bind_int64 (stmt, 1, dest->id);
      sqlite3_bind_int64 (stmt, 2, context->id);
      ok = satchel_store_run (store, stmt, error);
    }
  if (ok && context->imap)
    {
      SatchelPendingOp op = op_for_message (context, SATCHEL_OP_MOVE);

      op.arg = dest->name;
      ok = satchel_store_add_op (store, &op, error) != 0;
    }
  return commit_or_rollback (store, ok, error);
}

gboolean
satchel_mail_move (SatchelStore  *store,
                   gint64         message_id,
                   const char    *folder,
                   GError       **error)
{
  g_autoptr(MessageContext) context = load_message (store, message_id, error);
  g_autoptr(SatchelFolderInfo) dest = NULL;

  if (context == NULL)
    return FALSE;
  dest = find_folder (store, context->account_id, folder, error);
  if (dest == NULL)
    return FALSE;
  if (dest->id == context->folder_id)
    return TRUE;
  if (!dest->selectable)
    {
      g_set_error (error, SATCHEL_MAIL_ERROR, SATCHEL_MAIL_ERROR_INVALID,
                   _("The folder “%s” cannot hold messages."), folder);
      return FALSE;
    }
  return move_to (store, context, dest, error);
}

/**
 * satchel_mail_delete:
 *
 * Moves the message to the Trash; in the Trash (or without one), deletes
 * it for good.
 */
gboolean
satchel_mail_delete (SatchelStore  *store,
                     gint64         message_id,
                     GError       **error)
{
  g_autoptr(MessageContext) context = load_message (store, message_id, error);
  g_autoptr(SatchelFolderInfo) trash = NULL;
  GError *local_error = NULL;
  sqlite3_stmt *stmt;
  gboolean ok;

  if (context == NULL)
    return FALSE;
  if (context->role != SATCHEL_FOLDER_ROLE_TRASH)
    {
      trash = satchel_store_find_folder_by_role (store, context->account_id,
                                                 SATCHEL_FOLDER_ROLE_TRASH, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      if (trash != NULL)
        return move_to (store, context, trash, error);
    }

  if (!satchel_store_begin (store, error))
    return FALSE;
  stmt = satchel_store_prepare (store, "DELETE FROM message WHERE id = ?", error);
  ok = stmt != NULL;
  if (ok)
    {
      sqlite3_bind_int64 (stmt, 1, context->id);
      ok = satchel_store_run (store, stmt, error);
    }
  if (ok && context->imap)
    {
      SatchelPendingOp op = op_for_message (context, SATCHEL_OP_EXPUNGE);

      op.local_id = 0;
      ok = satchel_store_add_op (store, &op, error) != 0;
    }
  return commit_or_rollback (store, ok, error);
}

static gboolean
check_folder_name (const char  *name,
                   GError     **error)
{
  if (name == NULL || name[0] == '\0' || !g_utf8_validate (name, -1, NULL) ||
      strpbrk (name, "\r\n") != NULL)
    {
      g_set_error (error, SATCHEL_MAIL_ERROR, SATCHEL_MAIL_ERROR_INVALID,
                   _("“%s” cannot be a folder name."), name != NULL ? name : "");
      return FALSE;
    }
  for (const char *p = name; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      {
        g_set_error (error, SATCHEL_MAIL_ERROR, SATCHEL_MAIL_ERROR_INVALID,
                     _("A folder name cannot hold control characters."));
        return FALSE;
      }
  if (g_ascii_strcasecmp (name, "INBOX") == 0)
    {
      g_set_error (error, SATCHEL_MAIL_ERROR, SATCHEL_MAIL_ERROR_EXISTS,
                   _("The Inbox exists already."));
      return FALSE;
    }
  return TRUE;
}

static gboolean
account_is_imap (SatchelAccount *account)
{
  return satchel_account_get_kind (account) == SATCHEL_ACCOUNT_KIND_IMAP;
}

/* The delimiter the account's other folders use, for a new one. */
static char
account_delimiter (SatchelStore *store,
                   gint64        account_id)
{
  g_autoptr(GPtrArray) folders = satchel_store_list_folders (store, account_id, NULL);

  for (guint i = 0; folders != NULL && i < folders->len; i++)
    {
      SatchelFolderInfo *info = g_ptr_array_index (folders, i);

      if (info->delimiter != '\0')
        return info->delimiter;
    }
  return '/';
}

gboolean
satchel_mail_create_folder (SatchelStore    *store,
                            SatchelAccount  *account,
                            const char      *name,
                            GError         **error)
{
  gint64 account_id = satchel_account_get_id (account);
  g_autoptr(SatchelFolderInfo) existing = NULL;
  g_autofree char *wire = NULL;
  SatchelFolderInfo info = { 0 };
  GError *local_error = NULL;
  gboolean ok;

  if (!check_folder_name (name, error))
    return FALSE;
  existing = satchel_store_find_folder (store, account_id, name, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (existing != NULL)
    {
      g_set_error (error, SATCHEL_MAIL_ERROR, SATCHEL_MAIL_ERROR_EXISTS,
                   _("There is a folder “%s” already."), name);
      return FALSE;
    }

  info.account_id = account_id;
  info.name = (char *) name;
  info.selectable = TRUE;
  info.subscribed = TRUE;
  info.delimiter = account_delimiter (store, account_id);
  info.local_only = !account_is_imap (account);
  if (account_is_imap (account))
    {
      wire = satchel_imap_utf7_encode (name);
      info.wire_name = g_bytes_new_static (wire, strlen (wire));
    }

  if (!satchel_store_begin (store, error))
    return FALSE;
  ok = satchel_store_save_folder (store, &info, error) != 0;
  if (ok && account_is_imap (account))
    {
      SatchelPendingOp op = { 0 };

      op.account_id = account_id;
      op.kind = SATCHEL_OP_CREATE_FOLDER;
      op.folder = (char *) name;
      ok = satchel_store_add_op (store, &op, error) != 0;
    }
  g_clear_pointer (&info.wire_name, g_bytes_unref);
  return commit_or_rollback (store, ok, error);
}

gboolean
satchel_mail_rename_folder (SatchelStore    *store,
                            SatchelAccount  *account,
                            const char      *name,
                            const char      *new_name,
                            GError         **error)
{
  gint64 account_id = satchel_account_get_id (account);
  g_autoptr(SatchelFolderInfo) folder = NULL;
  g_autoptr(SatchelFolderInfo) existing = NULL;
  g_autoptr(GPtrArray) all = NULL;
  GError *local_error = NULL;
  gboolean ok = TRUE;

  if (g_ascii_strcasecmp (name, "INBOX") == 0)
    {
      g_set_error (error, SATCHEL_MAIL_ERROR, SATCHEL_MAIL_ERROR_INVALID,
                   _("The Inbox cannot be renamed."));
      return FALSE;
    }
  if (!check_folder_name (new_name, error))
    return FALSE;
  folder = find_folder (store, account_id, name, error);
  if (folder == NULL)
    return FALSE;
  existing = satchel_store_find_folder (store, account_id, new_name, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (existing != NULL)
    {
      g_set_error (error, SATCHEL_MAIL_ERROR, SATCHEL_MAIL_ERROR_EXISTS,
                   _("There is a folder “%s” already."), new_name);
      return FALSE;
    }
  all = satchel_store_list_folders (store, account_id, error);
  if (all == NULL)
    return FALSE;

  if (!satchel_store_begin (store, error))
    return FALSE;
  /* The folder and those below it, as the server renames them. */
  for (guint i = 0; ok && i < all->len; i++)
    {
      SatchelFolderInfo *info = g_ptr_array_index (all, i);
      g_autofree char *renamed = NULL;
      g_autofree char *wire = NULL;
      g_autoptr(GBytes) wire_bytes = NULL;
      gsize len = strlen (name);

      if (g_str_equal (info->name, name))
        renamed = g_strdup (new_name);
      else if (folder->delimiter != '\0' && g_str_has_prefix (info->name, name) &&
               info->name[len] == folder->delimiter)
        renamed = g_strconcat (new_name, info->name + len, NULL);
      else
        continue;
      if (account_is_imap (account))
        {
          wire = satchel_imap_utf7_encode (renamed);
          wire_bytes = g_bytes_new (wire, strlen (wire));
        }
      ok = satchel_store_rename_folder (store, info->id, renamed, wire_bytes, error);
    }
  if (ok && account_is_imap (account))
    {
      SatchelPendingOp op = { 0 };

      op.account_id = account_id;
      op.kind = SATCHEL_OP_RENAME_FOLDER;
      op.folder = (char *) name;
      op.arg = (char *) new_name;
      ok = satchel_store_add_op (store, &op, error) != 0;
    }
  return commit_or_rollback (store, ok, error);
}

gboolean
satchel_mail_delete_folder (SatchelStore    *store,
                            SatchelAccount  *account,
                            const char      *name,
                            GError         **error)
{
  gint64 account_id = satchel_account_get_id (account);
  g_autoptr(SatchelFolderInfo) folder = NULL;
  gboolean ok;

  if (g_ascii_strcasecmp (name, "INBOX") == 0)
    {
      g_set_error (error, SATCHEL_MAIL_ERROR, SATCHEL_MAIL_ERROR_INVALID,
                   _("The Inbox cannot be deleted."));
      return FALSE;
    }
  folder = find_folder (store, account_id, name, error);
  if (folder == NULL)
    return FALSE;

  if (!satchel_store_begin (store, error))
    return FALSE;
  ok = satchel_store_delete_folder (store, folder->id, error);
  if (ok && account_is_imap (account) && !folder->local_only)
    {
      SatchelPendingOp op = { 0 };

      op.account_id = account_id;
      op.kind = SATCHEL_OP_DELETE_FOLDER;
      op.folder = (char *) name;
      ok = satchel_store_add_op (store, &op, error) != 0;
    }
  return commit_or_rollback (store, ok, error);
}

/**
 * satchel_summary_of_raw:
 * @summary: (out caller-allocates): filled from the message's headers and
 *   size; its strings belong to the returned headers
 *
 * Returns: (transfer full) (nullable): the headers @summary points into,
 *   or %NULL when @raw is not a message (then only the size is set)
 */
SatchelMimeHeaders *
satchel_summary_of_raw (GBytes                *raw,
                        SatchelMessageSummary *summary)
{
  g_autoptr(GMimeMessage) message = satchel_mime_parse (raw);
  SatchelMimeHeaders *headers = message != NULL ? satchel_mime_read_headers (message) : NULL;

  memset (summary, 0, sizeof *summary);
  summary->size = g_bytes_get_size (raw);
  if (headers == NULL)
    return NULL;
  summary->message_id = headers->message_id;
  summary->in_reply_to = headers->in_reply_to;
  summary->references = headers->references;
  summary->subject = headers->subject;
  summary->sender = headers->from;
  summary->to = headers->to;
  summary->cc = headers->cc;
  summary->date = headers->date;
  summary->has_attachments = headers->has_attachments;
  return headers;
}

/**
 * satchel_mail_file_copy:
 * @role: the folder it goes to (Sent, Drafts)
 * @raw: the message
 * @flags: SatchelFlags it has there
 *
 * Puts a message Satchel made in one of the account's folders, in the
 * caller's transaction: here at once, and for an IMAP account on the
 * server too (APPEND, queued like every change). An account without such
 * a folder keeps no copy.
 *
 * Returns: the message's id here; 0 with @error unset when there is no
 *   such folder
 */
gint64
satchel_mail_file_copy (SatchelStore       *store,
                        gint64              account_id,
                        gboolean            imap,
                        SatchelFolderRole   role,
                        GBytes             *raw,
                        guint               flags,
                        GError            **error)
{
  g_autoptr(SatchelFolderInfo) folder = NULL;
  g_autoptr(SatchelMimeHeaders) headers = NULL;
  g_autofree char *flag_names = NULL;
  SatchelMessageSummary summary = { 0 };
  GError *local_error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 id;

  folder = satchel_store_find_folder_by_role (store, account_id, role, &local_error);
  if (folder == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      return 0;
    }
  headers = satchel_summary_of_raw (raw, &summary);
  summary.internal_date = now;
  summary.flags = flags;
  id = satchel_store_add_message (store, folder->id, &summary, NULL, error);
  if (id == 0 || !satchel_store_set_body_of (store, id, raw, error))
    return 0;
  if (imap)
    {
      SatchelPendingOp op = { 0 };

      flag_names = satchel_imap_flags_to_string (flags, NULL);
      op.account_id = account_id;
      op.kind = SATCHEL_OP_APPEND;
      op.folder = folder->name;
      op.local_id = id;
      op.message_id = headers != NULL ? headers->message_id : NULL;
      op.arg = flag_names;
      if (satchel_store_add_op (store, &op, error) == 0)
        return 0;
    }
  return id;
}

/* Deletes a draft version for good, here and (queued) on the server: a
 * draft replaced or discarded goes to no Trash. Inside a transaction. */
static gboolean
delete_draft (SatchelStore    *store,
              MessageContext  *context,
              GError         **error)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store, "DELETE FROM message WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, context->id);
  if (!satchel_store_run (store, stmt, error))
    return FALSE;
  if (context->imap && context->uid != 0)
    {
      SatchelPendingOp op = op_for_message (context, SATCHEL_OP_EXPUNGE);

      op.local_id = 0;
      return satchel_store_add_op (store, &op, error) != 0;
    }
  return TRUE;
}

/**
 * satchel_mail_discard_draft:
 * @draft: the id here of a message in a Drafts folder
 *
 * Deletes the draft for good, here and on the server: what the user
 * discards, or what was sent.
 */
gboolean
satchel_mail_discard_draft (SatchelStore  *store,
                            gint64         draft,
                            GError       **error)
{
  g_autoptr(MessageContext) context = load_message (store, draft, error);

  if (context == NULL)
    return FALSE;
  if (context->role != SATCHEL_FOLDER_ROLE_DRAFTS)
    {
      g_set_error (error, SATCHEL_MAIL_ERROR, SATCHEL_MAIL_ERROR_INVALID,
                   _("Message %lld is not a draft."), (long long) draft);
      return FALSE;
    }
  if (!satchel_store_begin (store, error))
    return FALSE;
  return commit_or_rollback (store, delete_draft (store, context, error), error);
}

/**
 * satchel_mail_save_draft:
 * @previous: the draft this one replaces (its id here), or 0
 *
 * Keeps a draft in the account's Drafts folder (on the server too for an
 * IMAP account), marked \Draft and read; the version it replaces is
 * deleted for good, here and on the server.
 *
 * Returns: the new draft's id; 0 with @error unset when the account has no
 *   Drafts folder
 */
gint64
satchel_mail_save_draft (SatchelStore  *store,
                         gint64         account_id,
                         gboolean       imap,
                         GBytes        *raw,
                         gint64         previous,
                         GError       **error)
{
  GError *local_error = NULL;
  gint64 id;

  if (!satchel_store_begin (store, error))
    return 0;
  id = satchel_mail_file_copy (store, account_id, imap, SATCHEL_FOLDER_ROLE_DRAFTS, raw,
                               SATCHEL_FLAG_DRAFT | SATCHEL_FLAG_SEEN, &local_error);
  if (id != 0 && previous != 0)
    {
      g_autoptr(MessageContext) context = load_message (store, previous, &local_error);

      if (context != NULL && context->account_id == account_id)
        delete_draft (store, context, &local_error);
      /* A previous version that is gone already is fine. */
      if (g_error_matches (local_error, SATCHEL_MAIL_ERROR, SATCHEL_MAIL_ERROR_NOT_FOUND))
        g_clear_error (&local_error);
    }
  if (local_error != NULL)
    {
      satchel_store_rollback (store);
      g_propagate_error (error, local_error);
      return 0;
    }
  if (!satchel_store_commit (store, error))
    return 0;
  return id;
}
