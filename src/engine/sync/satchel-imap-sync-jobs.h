/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-imap-sync-jobs.h: what IMAP sync asks of the store writer
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include "imap/satchel-imap-fetch.h"
#include "model/satchel-account.h"
#include "net/satchel-connection.h"
#include "store/satchel-pending-ops.h"
#include "store/satchel-store-mail.h"
#include "sync/satchel-store-writer.h"

G_BEGIN_DECLS

/* What the store has of a folder when its sync starts. */
typedef struct
{
  SatchelFolderInfo *info;
  GHashTable        *states;    /* UID -> SatchelMessageState; NULL when not asked for */
  guint32            max_uid;
} SatchelFolderLocal;

void      satchel_folder_local_free (SatchelFolderLocal *local);

/* What satchel_job_load_folder() loads: the messages' states only when
 * the server cannot say what changed (no QRESYNC). */
typedef struct
{
  gint64   folder_id;
  gboolean with_states;
} SatchelFolderLoad;

/* A message that a sync added, for "new mail" (satchel-cli watch,
 * notifications). */
typedef struct
{
  gint64  id;
  char   *folder;
  char   *from;
  char   *subject;
} SatchelNewMessage;

void      satchel_new_message_free  (SatchelNewMessage *message);

typedef struct
{
  gint64     folder_id;
  char      *folder_name;
  GPtrArray *fetches;       /* SatchelImapFetch */
  gboolean   report_new;    /* return the new messages, for "new mail" */
} SatchelFetchBatch;

SatchelFetchBatch *satchel_fetch_batch_new (gint64             folder_id,
                                            const char        *folder_name);
void      satchel_fetch_batch_free  (SatchelFetchBatch *batch);

/* A body the user asked for: where the message is on the server. */
typedef struct
{
  gint64   folder_id;
  char    *folder_name;
  GBytes  *wire_name;
  guint32  uid;
} SatchelWantedBody;

void      satchel_wanted_body_free  (SatchelWantedBody *wanted);

/* The folders to search on the server, and what a search found. */
typedef struct
{
  gint64   account_id;
  gint64   folder_id;     /* 0: every folder of the account */
} SatchelSearchTarget;

typedef struct
{
  gint64   folder_id;
  GArray  *uids;          /* guint32 */
} SatchelUidLookup;

void      satchel_uid_lookup_free   (SatchelUidLookup *lookup);

typedef struct
{
  gint64     folder_id;
  GArray    *deleted;       /* guint32 UIDs */
  GPtrArray *changed;       /* SatchelImapFetch with FLAGS */
} SatchelFolderChanges;

void      satchel_folder_changes_free (SatchelFolderChanges *changes);

typedef struct
{
  gint64             account_id;
  GPtrArray         *server;   /* SatchelFolderInfo, as LIST said */
  GPtrArray         *keep;     /* char *: folder names queued changes still need */
} SatchelFolderList;

void      satchel_folder_list_free  (SatchelFolderList *list);

/* Where a queued change applies now. */
typedef struct
{
  char    *wire;          /* the folder, as the server names it */
  guint32  uidvalidity;   /* as the store knows it (0: not known) */
  guint32  uid;           /* the message's UID there (0: none) */
  char    *dest_wire;     /* MOVE and RENAME_FOLDER: the destination */
  gint64   dest_id;       /* MOVE: the destination folder (0: not in the store) */
  GBytes  *raw;           /* APPEND: the message (NULL: no longer here) */
} SatchelOpTarget;

void      satchel_op_target_free    (SatchelOpTarget *target);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SatchelOpTarget, satchel_op_target_free)

/* What became of a queued change. */
typedef struct
{
  gint64   op_id;
  gboolean done;          /* confirmed, or refused for good: leaves the queue */
  char    *error;         /* why it failed, kept with it */
  gint64   local_id;      /* MOVE and APPEND: the local message ... */
  guint32  new_uid;       /* ... and its UID in the destination (0: not known) */
} SatchelOpOutcome;

void      satchel_op_outcome_free   (SatchelOpOutcome *outcome);

SatchelConnection *satchel_incoming_connection_new (SatchelAccount *account,
                                                   const char     *pin);

/* Jobs; each runs in the writer's thread, the writes in one transaction. */
gpointer  satchel_job_resolve_op       (SatchelStore *store, gpointer data, GError **error);
gpointer  satchel_job_finish_op        (SatchelStore *store, gpointer data, GError **error);
gpointer  satchel_job_lookup_pin       (SatchelStore *store, gpointer data, GError **error);
gpointer  satchel_job_resolve_wanted   (SatchelStore *store, gpointer data, GError **error);
gpointer  satchel_job_search_folders   (SatchelStore *store, gpointer data, GError **error);
gpointer  satchel_job_ids_for_uids     (SatchelStore *store, gpointer data, GError **error);
gpointer  satchel_job_list_ops         (SatchelStore *store, gpointer data, GError **error);
gpointer  satchel_job_apply_folder_list (SatchelStore *store, gpointer data, GError **error);
gpointer  satchel_job_load_folder      (SatchelStore *store, gpointer data, GError **error);
gpointer  satchel_job_reset_folder     (SatchelStore *store, gpointer data, GError **error);
gpointer  satchel_job_apply_changes    (SatchelStore *store, gpointer data, GError **error);
gpointer  satchel_job_add_messages     (SatchelStore *store, gpointer data, GError **error);
gpointer  satchel_job_add_bodies       (SatchelStore *store, gpointer data, GError **error);
gpointer  satchel_job_set_previews     (SatchelStore *store, gpointer data, GError **error);
gpointer  satchel_job_save_folder_state (SatchelStore *store, gpointer data, GError **error);

G_END_DECLS
