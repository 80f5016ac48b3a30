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
#include "store/satchel-store.h"

G_BEGIN_DECLS

void satchel_engine_init (void);

G_END_DECLS
