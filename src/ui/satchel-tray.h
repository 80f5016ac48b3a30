/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-tray.h: the icon in the system tray
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gtk/gtk.h>

#include "satchel-application.h"

G_BEGIN_DECLS

#define SATCHEL_TYPE_TRAY (satchel_tray_get_type ())

G_DECLARE_FINAL_TYPE (SatchelTray, satchel_tray, SATCHEL, TRAY, GObject)

SatchelTray *satchel_tray_new        (SatchelApplication *app,
                                      GDBusConnection    *bus);
guint        satchel_tray_get_unread (SatchelTray        *self);
void         satchel_tray_update     (SatchelTray        *self);

G_END_DECLS
