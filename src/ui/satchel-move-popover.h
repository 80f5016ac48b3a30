/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-move-popover.h: pick the folder to move a message to
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SATCHEL_TYPE_MOVE_POPOVER (satchel_move_popover_get_type ())

G_DECLARE_FINAL_TYPE (SatchelMovePopover, satchel_move_popover, SATCHEL, MOVE_POPOVER, GtkPopover)

GtkWidget *satchel_move_popover_new        (void);
void       satchel_move_popover_add_folder (SatchelMovePopover *self,
                                            const char         *icon_name,
                                            const char         *title,
                                            const char         *name);
void       satchel_move_popover_clear      (SatchelMovePopover *self);

G_END_DECLS
