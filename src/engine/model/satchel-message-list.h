/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-message-list.h: a folder's messages as a list model, read lazily
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gio/gio.h>

#include "model/satchel-mail-query.h"
#include "store/satchel-store.h"

G_BEGIN_DECLS

#define SATCHEL_TYPE_MESSAGE_ITEM (satchel_message_item_get_type ())

G_DECLARE_FINAL_TYPE (SatchelMessageItem, satchel_message_item, SATCHEL, MESSAGE_ITEM, GObject)

SatchelMessageItem      *satchel_message_item_new     (SatchelMessageRow  *row);
const SatchelMessageRow *satchel_message_item_get_row (SatchelMessageItem *self);
void                     satchel_message_item_set_row (SatchelMessageItem *self,
                                                       SatchelMessageRow  *row);
guint                    satchel_message_item_get_count (SatchelMessageItem *self);
guint                    satchel_message_item_get_depth (SatchelMessageItem *self);
guint                    satchel_message_item_get_unread (SatchelMessageItem *self);
gboolean                 satchel_message_item_get_expanded (SatchelMessageItem *self);

#define SATCHEL_TYPE_MESSAGE_LIST (satchel_message_list_get_type ())

G_DECLARE_FINAL_TYPE (SatchelMessageList, satchel_message_list, SATCHEL, MESSAGE_LIST, GObject)

SatchelMessageList *satchel_message_list_new        (SatchelStore        *store,
                                                     gint64               folder_id);
gint64              satchel_message_list_get_folder (SatchelMessageList  *self);
gboolean            satchel_message_list_reload     (SatchelMessageList  *self,
                                                     GError             **error);
guint               satchel_message_list_get_pages_loaded (SatchelMessageList *self);
void                satchel_message_list_set_expanded (SatchelMessageList *self,
                                                       guint               position,
                                                       gboolean            expanded);
GListModel         *satchel_message_list_dup_conversation (SatchelMessageList *self,
                                                           SatchelMessageItem *item);

G_END_DECLS
