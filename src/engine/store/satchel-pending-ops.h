/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-pending-ops.h: changes made here, not yet confirmed by the server
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include "store/satchel-store.h"

G_BEGIN_DECLS

typedef enum
{
  SATCHEL_OP_FLAGS,
  SATCHEL_OP_MOVE,
  SATCHEL_OP_EXPUNGE,
  SATCHEL_OP_CREATE_FOLDER,
  SATCHEL_OP_RENAME_FOLDER,
  SATCHEL_OP_DELETE_FOLDER,
  SATCHEL_OP_APPEND,
} SatchelOpKind;

/* One queued change. For messages: @folder is where the message was when
 * the change was made, @uid its UID there (0 when not known yet: then
 * @local_id finds it), @message_id its Message-ID. FLAGS: @arg the flags
 * to add, @arg2 those to remove (IMAP names). MOVE: @arg the destination.
 * RENAME_FOLDER: @folder the old name, @arg the new one. */
typedef struct
{
  gint64         id;
  gint64         account_id;
  SatchelOpKind  kind;
  char          *folder;
  guint32        uidvalidity;
  guint32        uid;
  gint64         local_id;
  char          *message_id;
  char          *arg;
  char          *arg2;
  int            attempts;
  char          *last_error;
} SatchelPendingOp;

void       satchel_pending_op_free     (SatchelPendingOp        *op);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SatchelPendingOp, satchel_pending_op_free)

gint64     satchel_store_add_op        (SatchelStore            *store,
                                        const SatchelPendingOp  *op,
                                        GError                 **error);
GPtrArray *satchel_store_list_ops      (SatchelStore            *store,
                                        gint64                   account_id,
                                        GError                 **error);
gboolean   satchel_store_remove_op     (SatchelStore            *store,
                                        gint64                   op_id,
                                        GError                 **error);
gboolean   satchel_store_op_failed     (SatchelStore            *store,
                                        gint64                   op_id,
                                        const char              *message,
                                        GError                 **error);
guint      satchel_store_count_ops     (SatchelStore            *store,
                                        gint64                   account_id,
                                        GError                 **error);
GHashTable *satchel_store_uids_leaving (SatchelStore            *store,
                                        gint64                   folder_id,
                                        GError                 **error);

G_END_DECLS
