/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-imap-sync.h: mirror an IMAP account in the store, both ways
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gio/gio.h>

#include "model/satchel-account.h"
#include "sync/satchel-store-writer.h"

G_BEGIN_DECLS

#define SATCHEL_TYPE_IMAP_SYNC (satchel_imap_sync_get_type ())

G_DECLARE_FINAL_TYPE (SatchelImapSync, satchel_imap_sync, SATCHEL, IMAP_SYNC, GObject)

SatchelImapSync  *satchel_imap_sync_new            (SatchelAccount        *account,
                                                    const char            *password,
                                                    SatchelStoreWriter    *writer,
                                                    SatchelImapSyncFlags   flags);
void              satchel_imap_sync_want_bodies    (SatchelImapSync       *self,
                                                    const gint64          *ids,
                                                    guint                  n_ids);
void              satchel_imap_sync_search_server  (SatchelImapSync       *self,
                                                    gint64                 folder_id,
                                                    const char            *query);
GArray           *satchel_imap_sync_get_found      (SatchelImapSync       *self);
void              satchel_imap_sync_set_password   (SatchelImapSync       *self,
                                                    const char            *password,
                                                    GError                *error);
SatchelSyncPhase  satchel_imap_sync_get_phase      (SatchelImapSync       *self);
const char       *satchel_imap_sync_get_folder     (SatchelImapSync       *self);
guint             satchel_imap_sync_get_done       (SatchelImapSync       *self);
guint             satchel_imap_sync_get_total      (SatchelImapSync       *self);
guint             satchel_imap_sync_get_pending_left (SatchelImapSync     *self);

void              satchel_imap_sync_run_async      (SatchelImapSync       *self,
                                                    GCancellable          *cancellable,
                                                    GAsyncReadyCallback    callback,
                                                    gpointer               user_data);
gboolean          satchel_imap_sync_run_finish     (SatchelImapSync       *self,
                                                    GAsyncResult          *result,
                                                    GError               **error);

void              satchel_imap_sync_watch_async    (SatchelImapSync       *self,
                                                    GCancellable          *cancellable,
                                                    GAsyncReadyCallback    callback,
                                                    gpointer               user_data);
gboolean          satchel_imap_sync_watch_finish   (SatchelImapSync       *self,
                                                    GAsyncResult          *result,
                                                    GError               **error);

G_END_DECLS
