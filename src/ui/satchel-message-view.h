/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-message-view.h: a message as the reader shows it
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <adwaita.h>

#include "satchel-engine.h"

G_BEGIN_DECLS

#define SATCHEL_TYPE_MESSAGE_VIEW (satchel_message_view_get_type ())

G_DECLARE_FINAL_TYPE (SatchelMessageView, satchel_message_view, SATCHEL, MESSAGE_VIEW, GtkWidget)

GtkWidget *satchel_message_view_new              (void);
void       satchel_message_view_show             (SatchelMessageView      *self,
                                                  const SatchelMessageRow *row,
                                                  GMimeMessage            *message,
                                                  const char              *placeholder,
                                                  gboolean                 allow_remote);
void       satchel_message_view_set_starred      (SatchelMessageView      *self,
                                                  gboolean                 starred);
gboolean   satchel_message_view_get_remote_blocked (SatchelMessageView    *self);
char      *satchel_message_view_dup_shown_text   (SatchelMessageView      *self);

G_END_DECLS
