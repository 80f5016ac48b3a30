/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-color-dot.h: a dot in an account's colour
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

GtkWidget *satchel_color_dot_new       (const char *color);
void       satchel_color_dot_set_color (GtkWidget  *dot,
                                        const char *color);

G_END_DECLS
