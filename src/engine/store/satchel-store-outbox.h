/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-store-outbox.h: messages waiting to be sent, and the address book
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include "satchel-store.h"

G_BEGIN_DECLS

typedef struct
{
  gint64   id;
  gint64   account_id;
  char    *subject;
  char    *mail_from;
  GStrv    recipients;
  char    *state;          /* queued, sending, failed, unknown */
  gboolean sender_alive;   /* sending, by a process that still runs */
  int      attempts;
  char    *last_error;
  gint64   next_attempt;
  gint64   created;
} SatchelOutboxItem;

void        satchel_outbox_item_free       (SatchelOutboxItem  *item);
gboolean    satchel_outbox_item_wants_run  (const SatchelOutboxItem *item,
                                            gint64              now);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SatchelOutboxItem, satchel_outbox_item_free)

gint64      satchel_store_outbox_add       (SatchelStore       *store,
                                            gint64              account_id,
                                            GBytes             *raw,
                                            const char         *subject,
                                            const char         *mail_from,
                                            const char * const *recipients,
                                            gint64              now,
                                            GError            **error);
GPtrArray  *satchel_store_outbox_list      (SatchelStore       *store,
                                            gint64              account_id,
                                            GError            **error);
GBytes     *satchel_store_outbox_get_raw   (SatchelStore       *store,
                                            gint64              id,
                                            GError            **error);
gboolean    satchel_store_outbox_set_state (SatchelStore       *store,
                                            gint64              id,
                                            const char         *state,
                                            const char         *last_error,
                                            gboolean            attempted,
                                            gint64              next_attempt,
                                            GError            **error);
gboolean    satchel_store_outbox_remove    (SatchelStore       *store,
                                            gint64              id,
                                            GError            **error);
gboolean    satchel_store_outbox_interrupted (SatchelStore     *store,
                                              GError          **error);
gboolean    satchel_store_note_contact     (SatchelStore       *store,
                                            const char         *address,
                                            const char         *name,
                                            guint               sent,
                                            guint               received,
                                            gint64              now,
                                            GError            **error);
gboolean    satchel_store_note_contacts    (SatchelStore       *store,
                                            const char * const *mailboxes,
                                            gboolean            sent,
                                            gint64              now,
                                            GError            **error);

gboolean    satchel_store_note_senders     (SatchelStore       *store,
                                            GHashTable         *senders,
                                            gint64              now,
                                            GError            **error);

gboolean    satchel_store_remote_content_allowed (SatchelStore *store,
                                                  const char   *address);
gboolean    satchel_store_allow_remote_content   (SatchelStore  *store,
                                                  const char    *address,
                                                  GError       **error);

G_END_DECLS
