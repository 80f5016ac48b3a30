/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-autostart.h: starting Satchel at login, in the background
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

char     *satchel_autostart_dup_path (void);
gboolean  satchel_autostart_set      (gboolean   enabled,
                                      GError   **error);

G_END_DECLS
