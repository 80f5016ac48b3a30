/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-engine.h: the engine's public headers, and its set-up
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include "satchel-types.h"
#include "satchel-enum-types.h"
#include "accounts/satchel-autoconfig-xml.h"
#include "accounts/satchel-profile.h"
#include "accounts/satchel-secrets.h"
#include "model/satchel-account.h"
#include "model/satchel-account-list.h"
#include "model/satchel-mail-query.h"
#include "model/satchel-message-list.h"
#include "mime/satchel-composer.h"
#include "mime/satchel-mime.h"
#include "net/satchel-certificate.h"
#include "net/satchel-net-error.h"
#include "store/satchel-cert-pins.h"
#include "store/satchel-store.h"
#include "store/satchel-pending-ops.h"
#include "store/satchel-store-mail.h"
#include "store/satchel-store-outbox.h"
#include "store/satchel-store-pop3.h"
#include "sync/satchel-autoconfig.h"
#include "sync/satchel-imap-doorbell.h"
#include "sync/satchel-imap-sync.h"
#include "sync/satchel-imap-sync-jobs.h"
#include "sync/satchel-indexer.h"
#include "sync/satchel-login-check.h"
#include "sync/satchel-mail-actions.h"
#include "sync/satchel-mail-service.h"
#include "sync/satchel-outbox.h"
#include "sync/satchel-pop3-fetch.h"
#include "sync/satchel-store-writer.h"

G_BEGIN_DECLS

void satchel_engine_init (void);

G_END_DECLS
