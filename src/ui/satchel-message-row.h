/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-message-row.h: one message in the message list
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SATCHEL_TYPE_MESSAGE_ROW_WIDGET (satchel_message_row_widget_get_type ())

G_DECLARE_FINAL_TYPE (SatchelMessageRowWidget, satchel_message_row_widget, SATCHEL,
                      MESSAGE_ROW_WIDGET, GtkWidget)

GtkWidget *satchel_message_row_widget_new (void);
void       satchel_message_row_widget_set (SatchelMessageRowWidget *self,
                                           const char              *sender,
                                           const char              *date,
                                           const char              *subject,
                                           const char              *preview,
                                           gboolean                 unread,
                                           gboolean                 starred,
                                           gboolean                 attachment,
                                           gboolean                 answered);
void       satchel_message_row_widget_set_conversation (SatchelMessageRowWidget *self,
                                                        guint                    count,
                                                        gboolean                 expanded,
                                                        guint                    depth);
gboolean   satchel_message_row_widget_in_toggle (SatchelMessageRowWidget *self,
                                                 double                   x);

char      *satchel_display_sender         (const char              *from);

G_END_DECLS
