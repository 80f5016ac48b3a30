/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-mail-query.h: what the front ends read of mail
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include "satchel-types.h"
#include "store/satchel-store.h"

G_BEGIN_DECLS

typedef struct
{
  gint64    id;
  gint64    folder_id;
  char     *folder;
  guint32   uid;          /* 0: none */
  char     *uidl;
  char     *message_id;
  char     *from;
  char     *to;
  char     *cc;
  char     *subject;
  gint64    date;
  guint     flags;
  char     *keywords;
  guint64   size;
  gboolean  has_attachments;
  gboolean  body_cached;
  char     *preview;
  gint64    thread_id;  /* the conversation; 0 when the message has no id at all */
} SatchelMessageRow;

typedef struct
{
  gint64             id;
  char              *name;
  SatchelFolderRole  role;
  guint              total;
  guint              unread;
  guint32            uidvalidity;
  char               delimiter;     /* of the hierarchy; 0: none */
} SatchelFolderRow;

/* The most messages satchel_query_message_rows() reads at once. */
#define SATCHEL_QUERY_ROWS_MAX 128

/* A folder id that stands for the Inboxes of every account together. */
#define SATCHEL_ALL_INBOXES (-1)

/* Where a message stands in a folder's list (newest first), with its
 * conversation (0: none) and, in a list of conversations, how many of
 * the folder's messages that one holds, and how many of them are unread. */
typedef struct
{
  gint64 date;
  gint64 id;
  gint64 thread_id;
  gint64 count;
  gint64 depth;       /* 1: one of an opened conversation's others */
  gint64 unread;
} SatchelMessageKey;

void        satchel_message_row_free        (SatchelMessageRow  *row);
SatchelMessageRow *satchel_message_row_copy (const SatchelMessageRow *row);
void        satchel_folder_row_free         (SatchelFolderRow   *row);

/* Someone mail was sent to or came from, for address completion. */
typedef struct
{
  char *name;      /* "" when none was seen */
  char *address;
} SatchelContact;

void        satchel_contact_free            (SatchelContact     *contact);
GPtrArray  *satchel_query_contacts          (SatchelStore       *store,
                                             guint               limit,
                                             GError            **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SatchelMessageRow, satchel_message_row_free)

GPtrArray  *satchel_query_folders           (SatchelStore       *store,
                                             gint64              account_id,
                                             GError            **error);
GPtrArray  *satchel_query_messages          (SatchelStore       *store,
                                             gint64              folder_id,
                                             guint               limit,
                                             gboolean            by_uid,
                                             GError            **error);
SatchelMessageRow *satchel_query_message    (SatchelStore       *store,
                                             gint64              message_id,
                                             GError            **error);
GPtrArray  *satchel_query_thread            (SatchelStore       *store,
                                             gint64              thread_id,
                                             GError            **error);
GPtrArray  *satchel_query_search            (SatchelStore       *store,
                                             const char         *query,
                                             gint64              account_id,
                                             gint64              folder_id,
                                             guint               limit,
                                             GError            **error);
GArray     *satchel_query_message_keys      (SatchelStore       *store,
                                             gint64              folder_id,
                                             GError            **error);
guint       satchel_query_unread_in_inboxes (SatchelStore     *store);
gint64      satchel_query_inbox_last_id     (SatchelStore     *store,
                                             gint64            account_id);
GPtrArray  *satchel_query_inbox_unread_after (SatchelStore    *store,
                                              gint64           account_id,
                                              gint64           after,
                                              guint            limit,
                                              GError         **error);
GPtrArray  *satchel_query_message_rows      (SatchelStore             *store,
                                             const gint64             *ids,
                                             guint                     n_ids,
                                             GError                  **error);
GPtrArray  *satchel_query_conversation      (SatchelStore             *store,
                                             gint64                    folder_id,
                                             gint64                    thread_id,
                                             GError                  **error);
GStrv       satchel_flag_names              (guint               flags,
                                             const char         *keywords);
const char *satchel_folder_role_name        (SatchelFolderRole   role);

G_END_DECLS
