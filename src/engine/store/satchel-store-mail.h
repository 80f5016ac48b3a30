/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-store-mail.h: folders and messages in the store
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include "satchel-types.h"
#include "store/satchel-store.h"

G_BEGIN_DECLS

typedef struct
{
  gint64             id;
  gint64             account_id;
  char              *name;          /* UTF-8, or the raw wire form escaped */
  GBytes            *wire_name;     /* as the server names it; NULL for local folders */
  char               delimiter;     /* 0: none */
  SatchelFolderRole  role;
  gboolean           subscribed;
  gboolean           selectable;
  gboolean           local_only;
  guint32            uidvalidity;   /* 0: not known yet */
  guint32            uidnext;
  guint64            highestmodseq;
} SatchelFolderInfo;

void               satchel_folder_info_free          (SatchelFolderInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SatchelFolderInfo, satchel_folder_info_free)

GPtrArray         *satchel_store_list_folders        (SatchelStore             *store,
                                                      gint64                    account_id,
                                                      GError                  **error);
SatchelFolderInfo *satchel_store_find_folder         (SatchelStore             *store,
                                                      gint64                    account_id,
                                                      const char               *name,
                                                      GError                  **error);
SatchelFolderInfo *satchel_store_get_folder          (SatchelStore             *store,
                                                      gint64                    folder_id,
                                                      GError                  **error);
SatchelFolderInfo *satchel_store_find_folder_by_role (SatchelStore             *store,
                                                      gint64                    account_id,
                                                      SatchelFolderRole         role,
                                                      GError                  **error);
gint64             satchel_store_save_folder         (SatchelStore             *store,
                                                      const SatchelFolderInfo  *info,
                                                      GError                  **error);
gboolean           satchel_store_delete_folder       (SatchelStore             *store,
                                                      gint64                    folder_id,
                                                      GError                  **error);
gboolean           satchel_store_rename_folder       (SatchelStore             *store,
                                                      gint64                    folder_id,
                                                      const char               *name,
                                                      GBytes                   *wire_name,
                                                      GError                  **error);
gboolean           satchel_store_set_folder_state    (SatchelStore             *store,
                                                      gint64                    folder_id,
                                                      guint32                   uidvalidity,
                                                      guint32                   uidnext,
                                                      guint64                   highestmodseq,
                                                      GError                  **error);
gboolean           satchel_store_clear_folder        (SatchelStore             *store,
                                                      gint64                    folder_id,
                                                      GError                  **error);

/* A message's summary, as a protocol delivers it. */
typedef struct
{
  guint32      uid;           /* IMAP; 0 for none */
  const char  *uidl;          /* POP3 */
  const char  *message_id;
  const char  *in_reply_to;
  const char  *references;
  const char  *subject;
  const char  *sender;
  const char  *to;
  const char  *cc;
  gint64       date;
  gint64       internal_date;
  guint64      size;
  guint        flags;
  const char  *keywords;
  guint64      modseq;
  gboolean     has_attachments;
  const char  *preview;
} SatchelMessageSummary;

/* What sync compares with the server. */
typedef struct
{
  gint64   id;
  guint32  uid;
  guint    flags;
  char    *keywords;
  gboolean body_cached;
} SatchelMessageState;

void               satchel_message_state_free        (SatchelMessageState *state);

gint64             satchel_store_add_message         (SatchelStore                *store,
                                                      gint64                       folder_id,
                                                      const SatchelMessageSummary *summary,
                                                      gboolean                    *added,
                                                      GError                     **error);
gboolean           satchel_store_index_messages      (SatchelStore                *store,
                                                      gint64                       first_id,
                                                      gint64                       last_id,
                                                      GError                     **error);
gboolean           satchel_store_set_message_flags   (SatchelStore                *store,
                                                      gint64                       folder_id,
                                                      guint32                      uid,
                                                      guint                        flags,
                                                      const char                  *keywords,
                                                      guint64                      modseq,
                                                      GError                     **error);
gboolean           satchel_store_delete_uids         (SatchelStore                *store,
                                                      gint64                       folder_id,
                                                      const guint32               *uids,
                                                      guint                        n_uids,
                                                      GError                     **error);
GHashTable        *satchel_store_folder_states       (SatchelStore                *store,
                                                      gint64                       folder_id,
                                                      GError                     **error);
guint32            satchel_store_folder_max_uid      (SatchelStore                *store,
                                                      gint64                       folder_id,
                                                      GError                     **error);
GArray            *satchel_store_uids_without_body   (SatchelStore                *store,
                                                      gint64                       folder_id,
                                                      GError                     **error);
gboolean           satchel_store_set_body            (SatchelStore                *store,
                                                      gint64                       folder_id,
                                                      guint32                      uid,
                                                      GBytes                      *raw,
                                                      GError                     **error);
gboolean           satchel_store_set_body_of         (SatchelStore                *store,
                                                      gint64                       message_id,
                                                      GBytes                      *raw,
                                                      GError                     **error);

/* A cached body whose text waits for the full-text index. */
typedef struct
{
  gint64    message_id;
  GBytes   *raw;
  gboolean  wants_preview;   /* the message has no preview yet */
} SatchelBodyToIndex;

void               satchel_body_to_index_free        (SatchelBodyToIndex *body);
GPtrArray         *satchel_store_bodies_to_index     (SatchelStore                *store,
                                                      guint                        limit,
                                                      GError                     **error);
gboolean           satchel_store_set_preview         (SatchelStore                *store,
                                                      gint64                       folder_id,
                                                      guint32                      uid,
                                                      const char                  *preview,
                                                      GError                     **error);
gboolean           satchel_store_set_body_text       (SatchelStore                *store,
                                                      gint64                       message_id,
                                                      const char                  *text,
                                                      const char                  *preview,
                                                      GError                     **error);
gboolean           satchel_store_set_references      (SatchelStore                *store,
                                                      gint64                       message_id,
                                                      const char                  *references,
                                                      GError                     **error);
GBytes            *satchel_store_get_body            (SatchelStore                *store,
                                                      gint64                       message_id,
                                                      GError                     **error);

G_END_DECLS
