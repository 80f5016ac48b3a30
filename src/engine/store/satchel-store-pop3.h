/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-store-pop3.h: what a POP3 account downloaded, and its local folders
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include "satchel-store.h"
#include "satchel-store-mail.h"

G_BEGIN_DECLS

/* A message of the maildrop that was downloaded before. */
typedef struct
{
  gint64    downloaded;          /* when, in seconds since 1970 */
  gboolean  deleted_here;        /* deleted for good here, or in the Trash */
  gboolean  deleted_on_server;   /* DELE confirmed by a QUIT */
} SatchelPop3Known;

gboolean    satchel_store_ensure_local_folders (SatchelStore                 *store,
                                                gint64                        account_id,
                                                GError                      **error);
GHashTable *satchel_store_pop3_known           (SatchelStore                 *store,
                                                gint64                        account_id,
                                                GError                      **error);
gint64      satchel_store_pop3_add             (SatchelStore                 *store,
                                                gint64                        account_id,
                                                gint64                        folder_id,
                                                const SatchelMessageSummary  *summary,
                                                GBytes                       *raw,
                                                gint64                        now,
                                                GError                      **error);
gboolean    satchel_store_pop3_deleted_on_server (SatchelStore               *store,
                                                  gint64                      account_id,
                                                  GPtrArray                  *uidls,
                                                  GError                    **error);
gboolean    satchel_store_pop3_forget          (SatchelStore                 *store,
                                                gint64                        account_id,
                                                GHashTable                   *on_server,
                                                GError                      **error);

gboolean    satchel_store_pop3_checked_before (SatchelStore                *store,
                                               gint64                       account_id,
                                               GError                     **error);
gboolean    satchel_store_pop3_set_checked    (SatchelStore                *store,
                                               gint64                       account_id,
                                               gint64                       when,
                                               GError                     **error);

G_END_DECLS
