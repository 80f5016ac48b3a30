/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-engine.h: the engine's public headers, and its set-up
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include "satchel-types.h"
#include "satchel-enum-types.h"
#include "accounts/satchel-profile.h"
#include "accounts/satchel-secrets.h"
#include "model/satchel-account.h"
#include "model/satchel-account-list.h"
#include "net/satchel-certificate.h"
#include "net/satchel-net-error.h"
#include "store/satchel-cert-pins.h"
#include "store/satchel-store.h"
#include "sync/satchel-login-check.h"

G_BEGIN_DECLS

void satchel_engine_init (void);

G_END_DECLS
