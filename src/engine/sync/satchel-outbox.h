/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-outbox.h: sending what waits in the outbox
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gio/gio.h>

#include "model/satchel-account.h"
#include "sync/satchel-store-writer.h"

G_BEGIN_DECLS

#define SATCHEL_TYPE_OUTBOX (satchel_outbox_get_type ())

G_DECLARE_FINAL_TYPE (SatchelOutbox, satchel_outbox, SATCHEL, OUTBOX, GObject)

SatchelOutbox *satchel_outbox_new          (SatchelAccount      *account,
                                            const char          *password,
                                            SatchelStoreWriter  *writer);
void           satchel_outbox_set_password (SatchelOutbox       *self,
                                            const char          *password,
                                            GError              *error);
void           satchel_outbox_send_async   (SatchelOutbox       *self,
                                            gboolean             retry,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean       satchel_outbox_send_finish  (SatchelOutbox       *self,
                                            GAsyncResult        *result,
                                            GError             **error);
const GError  *satchel_outbox_get_outcome  (SatchelOutbox       *self,
                                            gint64               id,
                                            gboolean            *tried);
guint          satchel_outbox_get_sent     (SatchelOutbox       *self);

G_END_DECLS
