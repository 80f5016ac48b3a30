/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-imap-doorbell.h: IDLE on an IMAP Inbox, to check it at once
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gio/gio.h>

#include "model/satchel-account.h"
#include "sync/satchel-store-writer.h"

G_BEGIN_DECLS

#define SATCHEL_TYPE_IMAP_DOORBELL (satchel_imap_doorbell_get_type ())

G_DECLARE_FINAL_TYPE (SatchelImapDoorbell, satchel_imap_doorbell, SATCHEL, IMAP_DOORBELL, GObject)

SatchelImapDoorbell *satchel_imap_doorbell_new   (SatchelAccount      *account,
                                                  SatchelStoreWriter  *writer);
void                 satchel_imap_doorbell_start (SatchelImapDoorbell *self,
                                                  const char          *password);
void                 satchel_imap_doorbell_stop  (SatchelImapDoorbell *self);
gboolean             satchel_imap_doorbell_is_listening (SatchelImapDoorbell *self);

G_END_DECLS
