/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-composer-window.h: writing a message
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <adwaita.h>

#include "satchel-application.h"

G_BEGIN_DECLS

#define SATCHEL_TYPE_COMPOSER_WINDOW (satchel_composer_window_get_type ())

G_DECLARE_FINAL_TYPE (SatchelComposerWindow, satchel_composer_window, SATCHEL, COMPOSER_WINDOW,
                      AdwWindow)

SatchelComposerWindow *satchel_composer_window_new            (SatchelApplication    *app,
                                                               SatchelAccount        *account,
                                                               SatchelDraft          *draft,
                                                               gint64                 answers);
void                   satchel_composer_window_add_attachment (SatchelComposerWindow *self,
                                                               GFile                 *file);
gint64                 satchel_composer_window_get_draft_id   (SatchelComposerWindow *self);
void                   satchel_composer_window_add_toast      (SatchelComposerWindow *self,
                                                               const char            *message);

G_END_DECLS
