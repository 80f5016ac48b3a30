/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-store-private.h: what the engine and the tests may reach of the store
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include "satchel-store.h"

G_BEGIN_DECLS

/* The application_id that marks a file as a Satchel database ("Stch"). */
#define SATCHEL_STORE_APPLICATION_ID 0x53746368

/* Opens (creating if needed) and migrates only up to @version, so that tests
 * can build a database as an earlier release left it. */
SatchelStore *satchel_store_open_at_version (const char  *path,
                                             int          version,
                                             GError     **error);

sqlite3      *satchel_store_get_db          (SatchelStore *self);
gboolean      satchel_store_note_added      (SatchelStore *self,
                                             gint64        id,
                                             GError      **error);

G_END_DECLS
