/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-window.h: the main window
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <adwaita.h>

#include "satchel-application.h"

G_BEGIN_DECLS

#define SATCHEL_TYPE_WINDOW (satchel_window_get_type ())

G_DECLARE_FINAL_TYPE (SatchelWindow, satchel_window, SATCHEL, WINDOW, AdwApplicationWindow)

SatchelWindow *satchel_window_new        (SatchelApplication *application);
void           satchel_window_add_toast  (SatchelWindow      *self,
                                          const char         *message);
const char    *satchel_window_get_page   (SatchelWindow      *self);
gboolean       satchel_window_show_folder (SatchelWindow     *self,
                                           gint64             folder_id);
void           satchel_window_show_account (SatchelWindow    *self,
                                            SatchelAccount   *account);
void           satchel_window_show_message (SatchelWindow    *self,
                                            gint64            folder_id,
                                            gint64            message_id);
gint64         satchel_window_get_folder   (SatchelWindow    *self);
void           satchel_window_mark_read    (SatchelWindow    *self,
                                            gint64            message_id);
void           satchel_window_compose      (SatchelWindow    *self,
                                            SatchelDraft     *draft,
                                            const char * const *ignored);

G_END_DECLS
