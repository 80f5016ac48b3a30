/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-preferences-window.h: the application's and the accounts' settings
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <adwaita.h>

#include "satchel-application.h"

G_BEGIN_DECLS

#define SATCHEL_TYPE_PREFERENCES_WINDOW (satchel_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (SatchelPreferencesWindow, satchel_preferences_window, SATCHEL,
                      PREFERENCES_WINDOW, AdwPreferencesWindow)

SatchelPreferencesWindow *satchel_preferences_window_new (SatchelApplication *app,
                                                          GtkWindow          *parent);
void                      satchel_preferences_window_show_account (SatchelPreferencesWindow *self,
                                                                   SatchelAccount           *account);

G_END_DECLS
