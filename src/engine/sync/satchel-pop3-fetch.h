/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-pop3-fetch.h: download a POP3 maildrop into the account's Inbox
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gio/gio.h>

#include "model/satchel-account.h"
#include "sync/satchel-store-writer.h"

G_BEGIN_DECLS

#define SATCHEL_TYPE_POP3_FETCH (satchel_pop3_fetch_get_type ())

G_DECLARE_FINAL_TYPE (SatchelPop3Fetch, satchel_pop3_fetch, SATCHEL, POP3_FETCH, GObject)

SatchelPop3Fetch *satchel_pop3_fetch_new          (SatchelAccount       *account,
                                                   const char           *password,
                                                   SatchelStoreWriter   *writer);
void              satchel_pop3_fetch_set_password (SatchelPop3Fetch     *self,
                                                   const char           *password,
                                                   GError               *error);
guint             satchel_pop3_fetch_get_deleted  (SatchelPop3Fetch     *self);

void              satchel_pop3_fetch_run_async    (SatchelPop3Fetch     *self,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean          satchel_pop3_fetch_run_finish   (SatchelPop3Fetch     *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

gint64            satchel_now                     (void);

G_END_DECLS
