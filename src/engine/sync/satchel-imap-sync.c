/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-imap-sync.c: mirror an IMAP account in the store, both ways
 *
 * Copyright 2026 The Satchel authors
 *
 * One run: connect and log in; ENABLE QRESYNC (or CONDSTORE); deliver the
 * queued local changes, oldest first, each leaving the queue only once the
 * server confirmed it; mirror the folder list; then for each folder:
 *
 *   SELECT, with QRESYNC when the folder's UIDVALIDITY and HIGHESTMODSEQ
 *   are known, so that the server reports only what changed since;
 *   a new UIDVALIDITY drops the folder's cache (never the queue);
 *   expunges from VANISHED, or by comparing the UID sets;
 *   flag changes from QRESYNC, from CHANGEDSINCE, or by comparing flags;
 *   headers of new messages, newest first, in pipelined batches;
 *   bodies too when the account keeps all mail offline;
 *   and last, the folder's new UIDNEXT and HIGHESTMODSEQ.
 *
 * Store work goes to the writer's thread, in order; the network does not
 * wait for the disk unless the writer falls behind by more than a few
 * batches. Nothing here deletes anything on a server unless a queued
 * change made by the user asks it.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "imap/satchel-imap-session.h"
#include "model/satchel-search.h"
#include "imap/satchel-imap-utf7.h"
#include "net/satchel-net-error.h"
#include "satchel-enum-types.h"
#include "satchel-imap-sync.h"
#include "satchel-imap-sync-jobs.h"
#include "sync/satchel-password-slot.h"

#define HEADER_BATCH       250     /* per FETCH: its reply is parsed at once */
#define COMMIT_MESSAGES    5000    /* per commit, after the first batch */
#define COMMIT_BYTES       (8 * 1024 * 1024)
#define COMBINED_BATCH     100
#define LARGE_MESSAGE      (128 * 1024)
#define PREVIEW_MESSAGES   HEADER_BATCH
#define FLAGS_BATCH        5000
#define BODY_BATCH_BYTES   (4 * 1024 * 1024)
#define BODY_BATCH_MAX     100
#define MAX_IN_FLIGHT      4
#define MAX_WRITES_PENDING 2
#define IDLE_RENEW_SECONDS (25 * 60)
/* How many more messages than EXISTS announced a search may name, for
 * servers that announce new mail late (see search_cb()). */
#define SEARCH_SLACK       1000

/* No References: ENVELOPE has In-Reply-To, which threads as well once the
 * parents are here (satchel_store_add_message()), while References would
 * make the server read every message's header (measured on Dovecot: +0.8 s
 * of its CPU for 100,000 messages, a quarter of the sync). They come with
 * the body. */
#define HEADER_ITEMS "UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE"

typedef struct _FolderSync FolderSync;

struct _SatchelImapSync
{
  GObject parent_instance;

  SatchelImapSyncFlags  flags;
  SatchelSyncPhase      phase;
  guint                 done;
  guint                 total;
  guint                 pending_left;

  /* Owned */
  SatchelAccount       *account;
  SatchelPasswordSlot   password;
  SatchelStoreWriter   *writer;
  SatchelConnection    *connection;
  SatchelImapSession   *session;
  char                 *folder;        /* the folder being synced, for progress */
  char                 *selected;      /* wire name of the selected mailbox */
  GTask                *task;          /* the run */
  GPtrArray            *ops;           /* SatchelPendingOp */
  guint                 op_index;
  GPtrArray            *folders;       /* SatchelFolderInfo to sync */
  GHashTable           *status;        /* wire name (GBytes) -> ServerStatus */
  guint                 statuses_left;
  gboolean              statuses_failed;
  gboolean              listed;        /* the folder list of this run is saved */
  guint                 folder_index;
  FolderSync           *current;
  GSource              *idle_timer;
  GTask                *watch;         /* satchel_imap_sync_watch_async() */
  SatchelFolderInfo    *inbox;         /* watched */
  gboolean              resync_wanted;
  guint                 backoff;       /* seconds before reconnecting */
  gulong                untagged_id;
  GArray               *wanted;        /* message ids whose bodies the user asked for */
  GPtrArray            *wanted_bodies; /* SatchelWantedBody, being fetched */
  guint                 wanted_index;
  char                 *search;        /* a server search asked for, in the search bar's words */
  gint64                search_folder;
  GPtrArray            *search_folders; /* SatchelWantedBody: where it looks */
  guint                 search_index;
  GArray               *found;         /* the store's ids of what it found */
};

G_DEFINE_FINAL_TYPE (SatchelImapSync, satchel_imap_sync, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PHASE,
  PROP_FOLDER,
  PROP_DONE,
  PROP_TOTAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  NEW_MESSAGE,
  FOLDER_CLEARED,
  OWN_CHANGE,
  OWN_EXPUNGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void next_op        (SatchelImapSync *self);
static void start_run      (SatchelImapSync *self);
static void next_folder    (SatchelImapSync *self);
static void list_folders   (SatchelImapSync *self);
static void fetch_wanted   (SatchelImapSync *self);
static void finish_run     (SatchelImapSync *self,
                            GError          *error);

/* Progress */

static void
set_phase (SatchelImapSync  *self,
           SatchelSyncPhase  phase,
           const char       *folder)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->phase != phase)
    {
      self->phase = phase;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PHASE]);
    }
  if (g_strcmp0 (self->folder, folder) != 0)
    {
      g_free (self->folder);
      self->folder = g_strdup (folder);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLDER]);
    }
  if (self->done != 0 || self->total != 0)
    {
      self->done = self->total = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DONE]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
set_progress (SatchelImapSync *self,
              guint            done,
              guint            total)
{
  if (self->total != total)
    {
      self->total = total;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
    }
  if (self->done != done)
    {
      self->done = done;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DONE]);
    }
}

static GCancellable *
cancellable (SatchelImapSync *self)
{
  if (self->task != NULL)
    return g_task_get_cancellable (self->task);
  return self->watch != NULL ? g_task_get_cancellable (self->watch) : NULL;
}

/* The store writer, from the sync's side */

static void
write_async (SatchelImapSync     *self,
             SatchelStoreJob      job,
             gpointer             data,
             GDestroyNotify       data_free,
             GDestroyNotify       result_free,
             GAsyncReadyCallback  callback)
{
  satchel_store_writer_run_async (self->writer, job, data, data_free, result_free,
                                  cancellable (self), callback, g_object_ref (self));
}

/* Folder sync */

typedef enum
{
  WORK_HEADERS,
  WORK_FLAGS,
  WORK_BODIES,
} WorkKind;

struct _FolderSync
{
  SatchelImapSync    *sync;          /* borrowed */
  SatchelFolderInfo  *info;          /* owned: the folder as the store had it */
  SatchelFolderLocal *local;
  SatchelImapMailbox *mailbox;
  gboolean            qresync;       /* SELECT reported the changes since */
  GArray             *todo;          /* guint32 UIDs still to fetch, in order */
  guint               todo_next;
  WorkKind            work;
  guint               in_flight;     /* FETCH commands out */
  guint               writes;        /* writer jobs out */
  guint               done;
  guint64             modseq_seen;
  SatchelImapUidSet  *large;         /* with bodies: messages too large for a combined FETCH */
  SatchelFetchBatch  *pending;       /* headers fetched, not yet given to the writer */
  gsize               pending_bytes;
  gboolean            first_written;
  gboolean            previews_asked;
  SatchelFetchBatch  *previews;      /* PREVIEW fetches, written after the headers */
  gboolean            sizing;        /* asking for those */
  GError             *error;
};

/* What STATUS said about a folder. */
typedef struct
{
  guint32 uidvalidity;
  guint32 uidnext;
  guint64 highestmodseq;
} ServerStatus;

static void folder_step_after_select (FolderSync *folder);
static void folder_pump              (FolderSync *folder);
static void folder_finish            (FolderSync *folder);

static void
folder_sync_free (FolderSync *folder)
{
  satchel_folder_info_free (folder->info);
  satchel_folder_local_free (folder->local);
  satchel_imap_mailbox_free (folder->mailbox);
  g_clear_pointer (&folder->todo, g_array_unref);
  g_clear_pointer (&folder->large, satchel_imap_uid_set_free);
  g_clear_pointer (&folder->pending, satchel_fetch_batch_free);
  g_clear_pointer (&folder->previews, satchel_fetch_batch_free);
  g_clear_error (&folder->error);
  g_free (folder);
}

static void
folder_fail (FolderSync *folder,
             GError     *error)
{
  if (folder->error == NULL)
    folder->error = error;
  else
    g_error_free (error);
  folder_pump (folder);
}

static const char *
folder_wire (FolderSync *folder,
             gsize      *len)
{
  *len = g_bytes_get_size (folder->info->wire_name);
  return g_bytes_get_data (folder->info->wire_name, NULL);
}

/* The result of a writer job for the folder being synced, counted as
 * done; NULL when the run moved on from that folder (the result is freed
 * with @result_free), or when the job failed (the folder then has the
 * error). */
static gpointer
folder_write_result (SatchelImapSync *self,
                     GObject         *source,
                     GAsyncResult    *result,
                     GDestroyNotify   result_free)
{
  FolderSync *folder = self->current;
  GError *error = NULL;
  gpointer value;

  value = satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result, &error);
  if (folder == NULL)
    {
      g_clear_error (&error);
      if (value != NULL && result_free != NULL)
        result_free (value);
      return NULL;
    }
  folder->writes--;
  if (value == NULL)
    folder_fail (folder, error);
  return value;
}

/* Anything else written: go on. */
static void
changes_written_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;

  if (folder_write_result (self, source, result, NULL) != NULL)
    folder_pump (self->current);
}

/* Headers written: the messages that are new mail. */
static void
headers_written_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  g_autoptr(GPtrArray) added = folder_write_result (self, source, result,
                                                    (GDestroyNotify) g_ptr_array_unref);

  if (added == NULL)
    return;
  for (guint i = 0; i < added->len; i++)
    g_signal_emit (self, signals[NEW_MESSAGE], 0, g_ptr_array_index (added, i));
  folder_pump (self->current);
}

/* The reply to a command of the folder being synced, counted as done;
 * NULL when the run moved on from that folder, or when the command
 * failed (the folder then has the error). */
static SatchelImapResult *
folder_reply (SatchelImapSync *self,
              GObject         *source,
              GAsyncResult    *result)
{
  FolderSync *folder = self->current;
  SatchelImapResult *reply;
  GError *error = NULL;

  reply = satchel_imap_session_run_finish (SATCHEL_IMAP_SESSION (source), result, &error);
  if (folder == NULL)
    {
      g_clear_error (&error);
      g_clear_pointer (&reply, satchel_imap_result_free);
      return NULL;
    }
  folder->in_flight--;
  if (reply == NULL)
    folder_fail (folder, error);
  return reply;
}

static void
write_pending (FolderSync *folder)
{
  /* A reply of previews alone leaves nothing to write. */
  if (folder->pending->fetches->len == 0)
    {
      g_clear_pointer (&folder->pending, satchel_fetch_batch_free);
      return;
    }
  folder->first_written = TRUE;
  folder->pending_bytes = 0;
  folder->writes++;
  write_async (folder->sync, satchel_job_add_messages, g_steal_pointer (&folder->pending),
               (GDestroyNotify) satchel_fetch_batch_free, (GDestroyNotify) g_ptr_array_unref,
               headers_written_cb);
}

static void
fetch_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  FolderSync *folder = self->current;
  g_autoptr(SatchelImapResult) reply = NULL;
  SatchelFetchBatch *batch;
  GError *error = NULL;
  gsize bytes = 0;
  guint n = 0;

  reply = folder_reply (self, source, result);
  if (reply == NULL)
    return;
  if (reply->tagged->status != SATCHEL_IMAP_STATUS_OK)
    {
      folder_fail (folder, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_SERVER,
                                        _("The server %s refused to send messages of %s: %s"),
                                        satchel_account_get_host (self->account),
                                        folder->info->name, reply->tagged->text));
      return;
    }

  batch = satchel_fetch_batch_new (folder->info->id, folder->info->name);
  /* A first sync brings old mail, not new mail. */
  batch->report_new = folder->info->uidvalidity != 0;
  for (guint i = 0; i < reply->untagged->len; i++)
    {
      SatchelImapFetch *fetch = satchel_imap_fetch_parse (g_ptr_array_index (reply->untagged, i),
                                                          &error);

      if (fetch == NULL)
        {
          satchel_fetch_batch_free (batch);
          folder_fail (folder, error);
          return;
        }
      /* Unsolicited FETCHes (flags changed by another client) count too. */
      if (fetch->items & SATCHEL_IMAP_FETCH_MODSEQ)
        folder->modseq_seen = MAX (folder->modseq_seen, fetch->modseq);
      /* A preview of a message whose header came, or comes, in another
       * response (ask_previews()). */
      if (fetch->items == (SATCHEL_IMAP_FETCH_UID | SATCHEL_IMAP_FETCH_PREVIEW))
        {
          if (folder->previews == NULL)
            folder->previews = satchel_fetch_batch_new (folder->info->id, NULL);
          g_ptr_array_add (folder->previews->fetches, fetch);
          continue;
        }
      if (fetch->items & SATCHEL_IMAP_FETCH_UID)
        n++;
      if (fetch->body != NULL)
        bytes += g_bytes_get_size (fetch->body);
      g_ptr_array_add (batch->fetches, fetch);
    }

  folder->done += n;
  set_progress (self, folder->done, folder->todo->len);

  folder->writes++;
  switch (folder->work)
    {
    case WORK_HEADERS:
      /* Several replies per commit: each commit rewrites the pages of
       * every index it touched. The first goes at once, so that the
       * newest mail shows soon. */
      folder->writes--;
      if (folder->pending == NULL)
        folder->pending = batch;
      else
        {
          g_ptr_array_extend_and_steal (folder->pending->fetches, g_steal_pointer (&batch->fetches));
          satchel_fetch_batch_free (batch);
        }
      folder->pending_bytes += bytes;
      if (!folder->first_written || folder->pending->fetches->len >= COMMIT_MESSAGES ||
          folder->pending_bytes >= COMMIT_BYTES ||
          (folder->in_flight == 0 && folder->todo_next >= folder->todo->len))
        write_pending (folder);
      break;
    case WORK_BODIES:
      write_async (self, satchel_job_add_bodies, batch, (GDestroyNotify) satchel_fetch_batch_free,
                   NULL, changes_written_cb);
      break;
    case WORK_FLAGS:
    default:
      {
        SatchelFolderChanges *changes = g_new0 (SatchelFolderChanges, 1);

        changes->folder_id = folder->info->id;
        changes->deleted = g_array_new (FALSE, FALSE, sizeof (guint32));
        changes->changed = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_imap_fetch_free);
        /* Only what differs from the store is written. */
        for (guint i = 0; i < batch->fetches->len; i++)
          {
            SatchelImapFetch *fetch = g_ptr_array_index (batch->fetches, i);
            SatchelMessageState *state = g_hash_table_lookup (folder->local->states,
                                                              GUINT_TO_POINTER (fetch->uid));

            if (state != NULL && (state->flags != fetch->flags ||
                                  g_strcmp0 (state->keywords, fetch->keywords) != 0))
              g_ptr_array_add (changes->changed, g_ptr_array_steal_index (batch->fetches, i--));
          }
        satchel_fetch_batch_free (batch);
        write_async (self, satchel_job_apply_changes, changes,
                     (GDestroyNotify) satchel_folder_changes_free, NULL, changes_written_cb);
      }
      break;
    }
  folder_pump (folder);
}

static void
send_fetch (FolderSync    *folder,
            const guint32 *uids,
            guint          n,
            const char    *items)
{
  SatchelImapSync *self = folder->sync;
  g_autoptr(SatchelImapCommand) command = satchel_imap_command_new ("UID FETCH");
  g_autofree char *set = satchel_imap_uid_set_format_uids (uids, n);

  satchel_imap_command_add_atom (command, set);
  satchel_imap_command_add_atom (command, items);
  satchel_imap_command_collect (command, "FETCH");
  folder->in_flight++;
  satchel_imap_session_run_async (self->session, g_steal_pointer (&command), cancellable (self),
                                  fetch_cb, g_object_ref (self));
}

/* The previews of the newest messages this sync brought, asked for after
 * their headers: the list shows them first. The server reads each of
 * these messages for it (Dovecot: the first one opened costs as much as
 * the headers of 20,000), so only those that the list shows first, and
 * only when the bodies, which give previews of their own, do not come.
 * The server may answer it together with the last header FETCHes, their
 * responses mixed: the previews are told apart by what they hold, and
 * written after every header (folder_pump()). */
static gboolean
ask_previews (FolderSync *folder)
{
  SatchelImapSync *self = folder->sync;

  if (folder->previews_asked || folder->work != WORK_HEADERS || folder->todo->len == 0 ||
      (self->flags & SATCHEL_IMAP_SYNC_BODIES) ||
      !satchel_imap_session_has_capability (self->session, "PREVIEW"))
    return FALSE;
  folder->previews_asked = TRUE;
  send_fetch (folder, (const guint32 *) folder->todo->data,
              MIN (folder->todo->len, PREVIEW_MESSAGES), "(UID PREVIEW)");
  return TRUE;
}

/* The next FETCH of the current work: HEADER_BATCH UIDs for headers (with
 * bodies, COMBINED_BATCH, each small message's body in the same FETCH),
 * FLAGS_BATCH for flags, BODY_BATCH_MAX for bodies. */
static gboolean
send_next_fetch (FolderSync *folder)
{
  g_autofree char *items = NULL;
  gboolean combined = folder->work == WORK_HEADERS && folder->large != NULL;
  guint limit = combined ? COMBINED_BATCH
                : folder->work == WORK_HEADERS ? HEADER_BATCH
                : folder->work == WORK_FLAGS ? FLAGS_BATCH : BODY_BATCH_MAX;
  guint first = folder->todo_next;
  guint n = MIN (limit, folder->todo->len - first);
  const guint32 *uids = &g_array_index (folder->todo, guint32, first);

  if (folder->sizing)
    return FALSE;
  if (n == 0)
    return ask_previews (folder);
  folder->todo_next += n;

  switch (folder->work)
    {
    case WORK_HEADERS:
      /* No previews: the server reads each body for them (ask_previews()). */
      items = g_strdup_printf ("(" HEADER_ITEMS "%s",
                               folder->mailbox->highestmodseq != 0 ? " MODSEQ" : "");
      if (combined)
        {
          /* Keeping all mail offline: the server reads each message once.
           * Large ones come later, a few at a time, so that no batch holds
           * much in memory. */
          g_autoptr(GArray) small = g_array_new (FALSE, FALSE, sizeof (guint32));
          g_autoptr(GArray) large = g_array_new (FALSE, FALSE, sizeof (guint32));
          g_autofree char *with_body = g_strconcat (items, " BODY.PEEK[])", NULL);
          g_autofree char *without = g_strconcat (items, ")", NULL);

          for (guint i = 0; i < n; i++)
            g_array_append_val (satchel_imap_uid_set_contains (folder->large, uids[i]) ? large
                                                                                      : small,
                                uids[i]);
          if (small->len > 0)
            send_fetch (folder, (guint32 *) small->data, small->len, with_body);
          if (large->len > 0)
            send_fetch (folder, (guint32 *) large->data, large->len, without);
          return TRUE;
        }
      {
        g_autofree char *closed = g_strconcat (items, ")", NULL);

        send_fetch (folder, uids, n, closed);
      }
      return TRUE;
    case WORK_FLAGS:
      send_fetch (folder, uids, n, folder->mailbox->highestmodseq != 0 ? "(UID FLAGS MODSEQ)"
                                                                        : "(UID FLAGS)");
      return TRUE;
    case WORK_BODIES:
    default:
      send_fetch (folder, uids, n, "(UID BODY.PEEK[])");
      return TRUE;
    }
}

static void start_bodies (FolderSync *folder);

/* Keeps MAX_IN_FLIGHT fetches out while the writer keeps up, and moves on
 * when the work is done. */
static void
folder_pump (FolderSync *folder)
{
  if (folder->error != NULL)
    {
      if (folder->in_flight == 0 && folder->writes == 0)
        folder_finish (folder);
      return;
    }

  while (folder->in_flight < MAX_IN_FLIGHT && folder->writes < MAX_WRITES_PENDING &&
         send_next_fetch (folder))
    ;

  if (folder->in_flight > 0 || folder->todo_next < folder->todo->len)
    return;

  /* This work is sent and answered; its writes may still be out. */
  switch (folder->work)
    {
    case WORK_FLAGS:
      folder->work = WORK_HEADERS;
      g_array_set_size (folder->todo, 0);
      folder->todo_next = 0;
      folder_step_after_select (folder);
      return;
    case WORK_HEADERS:
      /* After every header: the writer keeps the order of its jobs. */
      if (folder->previews != NULL)
        {
          folder->writes++;
          write_async (folder->sync, satchel_job_set_previews, g_steal_pointer (&folder->previews),
                       (GDestroyNotify) satchel_fetch_batch_free, NULL, changes_written_cb);
        }
      if (folder->sync->flags & SATCHEL_IMAP_SYNC_BODIES)
        {
          if (folder->writes == 0)
            start_bodies (folder);
          return;
        }
      break;
    case WORK_BODIES:
    default:
      break;
    }
  if (folder->writes == 0)
    folder_finish (folder);
}

static void
bodies_todo_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  FolderSync *folder = self->current;
  GArray *uids = folder_write_result (self, source, result, (GDestroyNotify) g_array_unref);

  if (uids == NULL)
    return;
  g_array_unref (folder->todo);
  folder->todo = uids;
  folder->todo_next = 0;
  folder->done = 0;
  folder->work = WORK_BODIES;
  set_phase (self, SATCHEL_SYNC_PHASE_FETCHING_BODIES, folder->info->name);
  set_progress (self, 0, uids->len);
  folder_pump (folder);
}

static gpointer
job_uids_without_body (SatchelStore  *store,
                       gpointer       data,
                       GError       **error)
{
  return satchel_store_uids_without_body (store, *(gint64 *) data, error);
}

static void
start_bodies (FolderSync *folder)
{
  gint64 *id = g_new (gint64, 1);

  *id = folder->info->id;
  folder->writes++;
  folder->work = WORK_BODIES;
  write_async (folder->sync, job_uids_without_body, id, g_free, (GDestroyNotify) g_array_unref,
               bodies_todo_cb);
}

static void
state_saved_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  g_autoptr(GError) error = NULL;
  FolderSync *folder = g_steal_pointer (&self->current);

  satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result, &error);
  if (folder == NULL)
    return;
  folder_sync_free (folder);
  if (error != NULL)
    {
      finish_run (self, g_steal_pointer (&error));
      return;
    }
  next_folder (self);
}

/* Everything of the folder is written: record how far it got. */
static void
folder_finish (FolderSync *folder)
{
  SatchelImapSync *self = folder->sync;
  SatchelFolderInfo *state;

  if (folder->error != NULL)
    {
      GError *error = g_steal_pointer (&folder->error);

      self->current = NULL;
      folder_sync_free (folder);
      /* A connection that broke ends the run; a folder the server would
       * not open or send is skipped, and said so. */
      if (error->domain == SATCHEL_NET_ERROR && error->code == SATCHEL_NET_ERROR_SERVER)
        {
          g_message ("%s", error->message);
          g_error_free (error);
          next_folder (self);
        }
      else
        finish_run (self, error);
      return;
    }

  state = g_new0 (SatchelFolderInfo, 1);
  state->id = folder->info->id;
  state->uidvalidity = folder->mailbox->uidvalidity;
  state->uidnext = folder->mailbox->uidnext;
  state->highestmodseq = MAX (folder->mailbox->highestmodseq, folder->modseq_seen);
  write_async (self, satchel_job_save_folder_state, state,
               (GDestroyNotify) satchel_folder_info_free, NULL, state_saved_cb);
}


/* Deleted on the server: drop here. Returns the UIDs of @vanished that
 * the store may have: those it has when their states are loaded, else
 * all up to the highest UID it has. */
static GArray *
local_uids_in (SatchelFolderLocal      *local,
               const SatchelImapUidSet *vanished)
{
  GArray *gone = g_array_new (FALSE, FALSE, sizeof (guint32));

  if (local->states == NULL)
    {
      for (guint r = 0; r < satchel_imap_uid_set_n_ranges (vanished); r++)
        {
          const SatchelImapUidRange *range = satchel_imap_uid_set_get_range (vanished, r);

          for (guint64 uid = range->first; uid <= range->last && uid <= local->max_uid; uid++)
            {
              guint32 u = uid;

              g_array_append_val (gone, u);
            }
        }
      return gone;
    }

  for (guint r = 0; r < satchel_imap_uid_set_n_ranges (vanished); r++)
    {
      const SatchelImapUidRange *range = satchel_imap_uid_set_get_range (vanished, r);

      /* A range can be far larger than the folder: walk the smaller. */
      if (range->last - range->first >= g_hash_table_size (local->states))
        {
          GHashTableIter iter;
          gpointer key;

          g_hash_table_iter_init (&iter, local->states);
          while (g_hash_table_iter_next (&iter, &key, NULL))
            {
              guint32 uid = GPOINTER_TO_UINT (key);

              if (uid >= range->first && uid <= range->last)
                g_array_append_val (gone, uid);
            }
        }
      else
        for (guint64 uid = range->first; uid <= range->last; uid++)
          {
            guint32 u = uid;

            if (g_hash_table_contains (local->states, GUINT_TO_POINTER (u)))
              g_array_append_val (gone, u);
          }
    }
  return gone;
}

static int
compare_uids_descending (gconstpointer a,
                         gconstpointer b)
{
  guint32 x = *(const guint32 *) a;
  guint32 y = *(const guint32 *) b;

  return x < y ? 1 : x > y ? -1 : 0;
}

/* The server's UIDs are known: what to delete here, what to fetch. */
static void
compare_with_server (FolderSync        *folder,
                     SatchelImapUidSet *server)
{
  SatchelImapSync *self = folder->sync;
  SatchelFolderChanges *changes = g_new0 (SatchelFolderChanges, 1);
  GHashTableIter iter;
  gpointer key;

  changes->folder_id = folder->info->id;
  changes->deleted = g_array_new (FALSE, FALSE, sizeof (guint32));
  changes->changed = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_imap_fetch_free);

  /* Without loaded states the store has nothing above max_uid, which is
   * 0 when this is asked: nothing to compare. */
  if (folder->local->states == NULL)
    folder->local->states = g_hash_table_new_full (NULL, NULL, NULL,
                                                   (GDestroyNotify) satchel_message_state_free);
  g_hash_table_iter_init (&iter, folder->local->states);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      guint32 uid = GPOINTER_TO_UINT (key);

      if (!satchel_imap_uid_set_contains (server, uid))
        {
          g_array_append_val (changes->deleted, uid);
          g_hash_table_iter_remove (&iter);
        }
    }

  /* New on the server, newest first. */
  g_array_set_size (folder->todo, 0);
  for (guint r = satchel_imap_uid_set_n_ranges (server); r > 0; r--)
    {
      const SatchelImapUidRange *range = satchel_imap_uid_set_get_range (server, r - 1);

      for (guint64 uid = range->last; uid >= range->first && uid > 0; uid--)
        {
          guint32 u = uid;

          if (!g_hash_table_contains (folder->local->states, GUINT_TO_POINTER (u)))
            g_array_append_val (folder->todo, u);
        }
    }

  folder->writes++;
  write_async (self, satchel_job_apply_changes, changes,
               (GDestroyNotify) satchel_folder_changes_free, NULL, changes_written_cb);
}

/* The UIDs of a UID SEARCH reply, ESEARCH or not; NULL when malformed. */
static SatchelImapUidSet *
search_result (SatchelImapSync   *self,
               SatchelImapResult *reply)
{
  g_autoptr(SatchelImapUidSet) found = satchel_imap_uid_set_new ();

  for (guint i = 0; i < reply->untagged->len; i++)
    {
      SatchelImapResponse *response = g_ptr_array_index (reply->untagged, i);

      if (satchel_imap_response_is_data (response, "ESEARCH"))
        {
          /* (TAG "x") UID ALL set */
          for (guint j = 1; j + 1 < satchel_imap_value_get_length (response->data); j++)
            if (satchel_imap_value_is_atom (satchel_imap_value_get_item (response->data, j), "ALL"))
              {
                const char *set = satchel_imap_value_get_text (satchel_imap_value_get_item (response->data, j + 1));

                if (set == NULL || !satchel_imap_uid_set_parse (found, set, NULL))
                  return NULL;
              }
        }
      else if (satchel_imap_response_is_data (response, "SEARCH"))
        {
          for (guint j = 1; j < satchel_imap_value_get_length (response->data); j++)
            {
              guint64 uid;

              if (satchel_imap_value_get_number (satchel_imap_value_get_item (response->data, j),
                                                 G_MAXUINT32, &uid) && uid > 0)
                satchel_imap_uid_set_add (found, uid);
            }
        }
    }
  return g_steal_pointer (&found);
}

static void
large_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  FolderSync *folder = self->current;
  g_autoptr(SatchelImapResult) reply = NULL;

  if (folder != NULL)
    folder->sizing = FALSE;
  reply = folder_reply (self, source, result);
  if (reply == NULL)
    return;
  /* Refused or odd: then every body comes in the size-bounded pass. */
  if (reply->tagged->status == SATCHEL_IMAP_STATUS_OK)
    folder->large = search_result (self, reply);
  folder_pump (folder);
}

/* Which of the new messages are too large to come with their headers. */
static void
find_large (FolderSync *folder)
{
  SatchelImapSync *self = folder->sync;
  g_autoptr(SatchelImapCommand) command = satchel_imap_command_new ("UID SEARCH");
  g_autofree char *larger = g_strdup_printf ("LARGER %u", LARGE_MESSAGE);

  if (satchel_imap_session_has_capability (self->session, "ESEARCH"))
    satchel_imap_command_add_atom (command, "RETURN (ALL)");
  satchel_imap_command_add_atom (command, larger);
  satchel_imap_command_collect (command, "ESEARCH");
  satchel_imap_command_collect (command, "SEARCH");
  folder->sizing = TRUE;
  folder->in_flight++;
  satchel_imap_session_run_async (self->session, g_steal_pointer (&command), cancellable (self),
                                  large_cb, g_object_ref (self));
}

static void
search_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  FolderSync *folder = self->current;
  g_autoptr(SatchelImapResult) reply = NULL;
  g_autoptr(SatchelImapUidSet) server = NULL;
  gboolean only_new = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (result), "only-new"));

  reply = folder_reply (self, source, result);
  if (reply == NULL)
    return;
  if (reply->tagged->status != SATCHEL_IMAP_STATUS_OK)
    {
      folder_fail (folder, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_SERVER,
                                        _("The server %s refused to list the messages of %s: %s"),
                                        satchel_account_get_host (self->account),
                                        folder->info->name, reply->tagged->text));
      return;
    }

  server = search_result (self, reply);
  if (server == NULL)
    {
      folder_fail (folder, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                                        _("The server %s sent a malformed search result."),
                                        satchel_account_get_host (self->account)));
      return;
    }
  /* The folder holds the messages that SELECT and later EXISTS responses
   * announced (RFC 3501: a new message is announced before a search names
   * it). A search that names more made them up, and each would be
   * fetched: "1:4294967295" is four billion UIDs, 16 GB as a list. */
  if (satchel_imap_uid_set_count (server) > (guint64) folder->mailbox->exists + SEARCH_SLACK)
    {
      folder_fail (folder, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                                        _("The server %s named %llu messages in %s, which holds %u."),
                                        satchel_account_get_host (self->account),
                                        (unsigned long long) satchel_imap_uid_set_count (server),
                                        folder->info->name,
                                        folder->mailbox->exists));
      return;
    }

  if (only_new)
    {
      /* "n:*" names the last message even when its UID is below n. */
      g_array_set_size (folder->todo, 0);
      for (guint r = satchel_imap_uid_set_n_ranges (server); r > 0; r--)
        {
          const SatchelImapUidRange *range = satchel_imap_uid_set_get_range (server, r - 1);

          for (guint64 uid = range->last; uid >= range->first && uid > folder->local->max_uid;
               uid--)
            {
              guint32 u = uid;

              g_array_append_val (folder->todo, u);
            }
        }
    }
  else
    compare_with_server (folder, server);

  set_progress (self, 0, folder->todo->len);
  if ((self->flags & SATCHEL_IMAP_SYNC_BODIES) && folder->todo->len > 0)
    find_large (folder);
  folder_pump (folder);
}

static void
search_uids (FolderSync *folder,
             guint32     from)
{
  SatchelImapSync *self = folder->sync;
  g_autoptr(SatchelImapCommand) command = satchel_imap_command_new ("UID SEARCH");
  g_autofree char *range = g_strdup_printf ("%u:*", from);

  if (satchel_imap_session_has_capability (self->session, "ESEARCH"))
    satchel_imap_command_add_atom (command, "RETURN (ALL)");
  if (from > 1)
    {
      satchel_imap_command_add_atom (command, "UID");
      satchel_imap_command_add_atom (command, range);
    }
  else
    satchel_imap_command_add_atom (command, "ALL");
  satchel_imap_command_collect (command, "ESEARCH");
  satchel_imap_command_collect (command, "SEARCH");
  folder->in_flight++;
  satchel_imap_session_run_async (self->session, g_steal_pointer (&command), cancellable (self),
                                  search_cb, g_object_ref (self));
}

static void
search_cb_only_new (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_object_set_data (G_OBJECT (result), "only-new", GINT_TO_POINTER (TRUE));
  search_cb (source, result, user_data);
}

/* After SELECT: find what changed, and what is new. */
static void
folder_step_after_select (FolderSync *folder)
{
  SatchelImapSync *self = folder->sync;

  if (folder->qresync || folder->local->states == NULL ||
      g_hash_table_size (folder->local->states) == 0)
    {
      /* Changes and expunges came with SELECT (or there is nothing here
       * to compare): only what is new needs finding. */
      if (folder->local->max_uid == 0)
        {
          search_uids (folder, 1);
        }
      else
        {
          g_autoptr(SatchelImapCommand) command = satchel_imap_command_new ("UID SEARCH");
          g_autofree char *range = g_strdup_printf ("%u:*", folder->local->max_uid + 1);

          if (satchel_imap_session_has_capability (self->session, "ESEARCH"))
            satchel_imap_command_add_atom (command, "RETURN (ALL)");
          satchel_imap_command_add_atom (command, "UID");
          satchel_imap_command_add_atom (command, range);
          satchel_imap_command_collect (command, "ESEARCH");
          satchel_imap_command_collect (command, "SEARCH");
          folder->in_flight++;
          satchel_imap_session_run_async (self->session, g_steal_pointer (&command),
                                          cancellable (self), search_cb_only_new,
                                          g_object_ref (self));
        }
      return;
    }

  /* Without QRESYNC: compare the UID sets for expunges and new mail. */
  search_uids (folder, 1);
}

/* Flags without QRESYNC: only those changed since (CONDSTORE), or all. */
static void
start_flags (FolderSync *folder)
{
  SatchelImapSync *self = folder->sync;
  GHashTableIter iter;
  gpointer key;

  folder->work = WORK_FLAGS;
  g_array_set_size (folder->todo, 0);
  folder->todo_next = 0;

  if (folder->info->highestmodseq != 0 && folder->mailbox->highestmodseq != 0 &&
      folder->info->highestmodseq == folder->mailbox->highestmodseq)
    {
      /* Nothing changed since the last sync. */
      folder->work = WORK_HEADERS;
      folder_step_after_select (folder);
      return;
    }

  g_hash_table_iter_init (&iter, folder->local->states);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      guint32 uid = GPOINTER_TO_UINT (key);

      g_array_append_val (folder->todo, uid);
    }
  g_array_sort (folder->todo, compare_uids_descending);

  if (folder->info->highestmodseq != 0 && folder->mailbox->highestmodseq != 0 &&
      satchel_imap_session_has_capability (self->session, "CONDSTORE"))
    {
      /* One command: only the messages changed since. */
      g_autoptr(SatchelImapCommand) command = satchel_imap_command_new ("UID FETCH");
      g_autofree char *changed = g_strdup_printf ("(UID FLAGS MODSEQ) (CHANGEDSINCE %"
                                                  G_GUINT64_FORMAT ")",
                                                  folder->info->highestmodseq);

      satchel_imap_command_add_atom (command, "1:*");
      satchel_imap_command_add_atom (command, changed);
      satchel_imap_command_collect (command, "FETCH");
      folder->todo_next = folder->todo->len;
      folder->in_flight++;
      satchel_imap_session_run_async (self->session, g_steal_pointer (&command),
                                      cancellable (self), fetch_cb, g_object_ref (self));
      return;
    }
  folder_pump (folder);
}

static void
reset_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  FolderSync *folder = self->current;

  if (folder_write_result (self, source, result, NULL) == NULL)
    return;
  if (folder->local->states != NULL)
    g_hash_table_remove_all (folder->local->states);
  folder->local->max_uid = 0;
  /* What comes now was there before: not new mail (fetch_cb()). */
  folder->info->uidvalidity = 0;
  folder->info->highestmodseq = 0;
  g_signal_emit (self, signals[FOLDER_CLEARED], 0, folder->info->id);
  folder_step_after_select (folder);
}

static void
select_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  FolderSync *folder = self->current;
  GError *error = NULL;

  if (folder == NULL)
    return;
  folder->in_flight--;
  folder->mailbox = satchel_imap_session_select_finish (SATCHEL_IMAP_SESSION (source), result,
                                                        &error);
  if (folder->mailbox == NULL)
    {
      g_clear_pointer (&self->selected, g_free);
      folder->todo_next = folder->todo->len;
      folder_fail (folder, error);
      return;
    }
  g_free (self->selected);
  self->selected = g_strndup (g_bytes_get_data (folder->info->wire_name, NULL),
                              g_bytes_get_size (folder->info->wire_name));

  if (folder->info->uidvalidity != 0 && folder->info->uidvalidity != folder->mailbox->uidvalidity)
    {
      /* The server renumbered the folder: the cache means nothing now. */
      SatchelFolderInfo *reset = g_new0 (SatchelFolderInfo, 1);

      reset->id = folder->info->id;
      folder->qresync = FALSE;
      folder->writes++;
      write_async (self, satchel_job_reset_folder, reset, (GDestroyNotify) satchel_folder_info_free,
                   NULL, reset_done_cb);
      return;
    }

  if (folder->qresync)
    {
      SatchelFolderChanges *changes = g_new0 (SatchelFolderChanges, 1);

      changes->folder_id = folder->info->id;
      changes->deleted = local_uids_in (folder->local, folder->mailbox->vanished);
      if (folder->local->states != NULL)
        for (guint i = 0; i < changes->deleted->len; i++)
          g_hash_table_remove (folder->local->states,
                               GUINT_TO_POINTER (g_array_index (changes->deleted, guint32, i)));
      changes->changed = g_steal_pointer (&folder->mailbox->changed);
      folder->mailbox->changed = g_ptr_array_new ();
      folder->writes++;
      write_async (self, satchel_job_apply_changes, changes,
                   (GDestroyNotify) satchel_folder_changes_free, NULL, changes_written_cb);
      folder_step_after_select (folder);
      return;
    }

  if (folder->local->states != NULL && g_hash_table_size (folder->local->states) > 0)
    start_flags (folder);
  else
    folder_step_after_select (folder);
}

static void load_folder (FolderSync *folder,
                         gboolean    with_states);

static void
folder_loaded_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  FolderSync *folder = self->current;
  GError *error = NULL;
  gsize len;
  const char *wire;
  guint32 uidvalidity;
  guint64 modseq;

  if (folder == NULL)
    return;
  folder->writes--;
  folder->local = satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result, &error);
  if (folder->local == NULL)
    {
      folder->todo_next = folder->todo->len;
      folder_fail (folder, error);
      return;
    }

  uidvalidity = folder->local->info->uidvalidity;
  modseq = folder->local->info->highestmodseq;
  folder->info->uidvalidity = uidvalidity;
  folder->info->highestmodseq = modseq;
  folder->qresync = uidvalidity != 0 && modseq != 0 &&
                    satchel_imap_session_is_enabled (self->session, "QRESYNC");
  if (!folder->qresync && folder->local->states == NULL)
    {
      /* The folder changed since it was listed: compare it all. */
      g_clear_pointer (&folder->local, satchel_folder_local_free);
      load_folder (folder, TRUE);
      return;
    }

  wire = folder_wire (folder, &len);
  folder->in_flight++;
  satchel_imap_session_select_async (self->session, wire, len, FALSE, uidvalidity, modseq,
                                     cancellable (self), select_cb, g_object_ref (self));
}

static void
load_folder (FolderSync *folder,
             gboolean    with_states)
{
  SatchelFolderLoad *load = g_new0 (SatchelFolderLoad, 1);

  load->folder_id = folder->info->id;
  load->with_states = with_states;
  folder->writes++;
  write_async (folder->sync, satchel_job_load_folder, load, g_free,
               (GDestroyNotify) satchel_folder_local_free, folder_loaded_cb);
}

/* Whether STATUS showed that nothing changed in the folder since the
 * last sync: the same UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ. With QRESYNC
 * every change raises HIGHESTMODSEQ, expunges included (RFC 7162, 3.2.10). */
static gboolean
unchanged_on_server (SatchelImapSync         *self,
                     const SatchelFolderInfo *info)
{
  const ServerStatus *status;

  if (self->status == NULL || info->uidvalidity == 0 || info->highestmodseq == 0 ||
      !satchel_imap_session_is_enabled (self->session, "QRESYNC"))
    return FALSE;
  status = g_hash_table_lookup (self->status, info->wire_name);
  return status != NULL && status->uidvalidity == info->uidvalidity &&
         status->uidnext == info->uidnext && status->highestmodseq == info->highestmodseq;
}

static void
next_folder (SatchelImapSync *self)
{
  SatchelFolderInfo *info;
  FolderSync *folder;

  if (self->folder_index >= self->folders->len)
    {
      finish_run (self, NULL);
      return;
    }
  info = g_ptr_array_index (self->folders, self->folder_index++);
  if (!info->selectable || info->wire_name == NULL)
    {
      next_folder (self);
      return;
    }
  /* Bodies still to cache need the folder opened, changed or not. */
  if (unchanged_on_server (self, info) && !(self->flags & SATCHEL_IMAP_SYNC_BODIES))
    {
      g_debug ("%s: unchanged since the last sync", info->name);
      next_folder (self);
      return;
    }

  folder = g_new0 (FolderSync, 1);
  folder->sync = self;
  folder->info = g_new0 (SatchelFolderInfo, 1);
  folder->info->id = info->id;
  folder->info->name = g_strdup (info->name);
  folder->info->wire_name = g_bytes_ref (info->wire_name);
  folder->todo = g_array_new (FALSE, FALSE, sizeof (guint32));
  folder->work = WORK_HEADERS;
  self->current = folder;
  set_phase (self, SATCHEL_SYNC_PHASE_SYNCING_FOLDER, info->name);

  /* With QRESYNC the server says what changed: no need to load the state
   * of every message. */
  load_folder (folder, !(info->uidvalidity != 0 && info->highestmodseq != 0 &&
                         satchel_imap_session_is_enabled (self->session, "QRESYNC")));
}

/* The folder list */

static SatchelFolderRole
role_from_flags (const SatchelImapValue *flags)
{
  static const struct { const char *flag; SatchelFolderRole role; } roles[] = {
    { "\\Sent", SATCHEL_FOLDER_ROLE_SENT },
    { "\\Drafts", SATCHEL_FOLDER_ROLE_DRAFTS },
    { "\\Trash", SATCHEL_FOLDER_ROLE_TRASH },
    { "\\Junk", SATCHEL_FOLDER_ROLE_JUNK },
    { "\\Archive", SATCHEL_FOLDER_ROLE_ARCHIVE },
  };

  for (guint i = 0; i < satchel_imap_value_get_length (flags); i++)
    for (guint r = 0; r < G_N_ELEMENTS (roles); r++)
      if (satchel_imap_value_is_atom (satchel_imap_value_get_item (flags, i), roles[r].flag))
        return roles[r].role;
  return SATCHEL_FOLDER_ROLE_NONE;
}

static SatchelFolderRole
role_from_name (const char *name)
{
  static const struct { const char *name; SatchelFolderRole role; } roles[] = {
    { "Sent", SATCHEL_FOLDER_ROLE_SENT },
    { "Sent Items", SATCHEL_FOLDER_ROLE_SENT },
    { "Sent Messages", SATCHEL_FOLDER_ROLE_SENT },
    { "Sent Mail", SATCHEL_FOLDER_ROLE_SENT },
    { "Drafts", SATCHEL_FOLDER_ROLE_DRAFTS },
    { "Trash", SATCHEL_FOLDER_ROLE_TRASH },
    { "Deleted Items", SATCHEL_FOLDER_ROLE_TRASH },
    { "Deleted Messages", SATCHEL_FOLDER_ROLE_TRASH },
    { "Junk", SATCHEL_FOLDER_ROLE_JUNK },
    { "Spam", SATCHEL_FOLDER_ROLE_JUNK },
    { "Junk E-mail", SATCHEL_FOLDER_ROLE_JUNK },
    { "Archive", SATCHEL_FOLDER_ROLE_ARCHIVE },
    { "Archives", SATCHEL_FOLDER_ROLE_ARCHIVE },
  };

  for (guint r = 0; r < G_N_ELEMENTS (roles); r++)
    if (g_ascii_strcasecmp (name, roles[r].name) == 0)
      return roles[r].role;
  return SATCHEL_FOLDER_ROLE_NONE;
}

static gboolean
has_flag (const SatchelImapValue *flags,
          const char             *flag)
{
  for (guint i = 0; i < satchel_imap_value_get_length (flags); i++)
    if (satchel_imap_value_is_atom (satchel_imap_value_get_item (flags, i), flag))
      return TRUE;
  return FALSE;
}

/* Folders are synced INBOX first, then the others by name. */
static int
compare_for_sync (gconstpointer a,
                  gconstpointer b)
{
  const SatchelFolderInfo *x = *(SatchelFolderInfo * const *) a;
  const SatchelFolderInfo *y = *(SatchelFolderInfo * const *) b;

  if ((x->role == SATCHEL_FOLDER_ROLE_INBOX) != (y->role == SATCHEL_FOLDER_ROLE_INBOX))
    return x->role == SATCHEL_FOLDER_ROLE_INBOX ? -1 : 1;
  return g_strcmp0 (x->name, y->name);
}

static void maybe_start_folders (SatchelImapSync *self);

static void
folders_saved_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  GError *error = NULL;
  GPtrArray *folders;

  folders = satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result, &error);
  if (folders == NULL)
    {
      finish_run (self, error);
      return;
    }
  g_clear_pointer (&self->folders, g_ptr_array_unref);
  self->folders = folders;
  g_ptr_array_sort (self->folders, compare_for_sync);
  for (guint i = 0; i < folders->len; i++)
    {
      SatchelFolderInfo *info = g_ptr_array_index (folders, i);

      if (info->role == SATCHEL_FOLDER_ROLE_INBOX && info->wire_name != NULL)
        {
          satchel_folder_info_free (self->inbox);
          self->inbox = g_new0 (SatchelFolderInfo, 1);
          self->inbox->id = info->id;
          self->inbox->name = g_strdup (info->name);
          self->inbox->wire_name = g_bytes_ref (info->wire_name);
          self->inbox->selectable = TRUE;
        }
    }
  self->listed = TRUE;
  maybe_start_folders (self);
}

/* "* STATUS name (UIDVALIDITY n UIDNEXT n HIGHESTMODSEQ n)": kept only
 * when complete and well-formed. */
static void
take_status (SatchelImapSync     *self,
             SatchelImapResponse *response)
{
  const SatchelImapValue *name = satchel_imap_value_get_item (response->data, 1);
  const SatchelImapValue *items = satchel_imap_value_get_item (response->data, 2);
  ServerStatus status = { 0 };
  guint seen = 0;

  if (!satchel_imap_response_is_data (response, "STATUS") ||
      satchel_imap_value_get_text (name) == NULL || items == NULL ||
      items->kind != SATCHEL_IMAP_VALUE_LIST)
    return;
  for (guint i = 0; i + 1 < satchel_imap_value_get_length (items); i += 2)
    {
      const SatchelImapValue *key = satchel_imap_value_get_item (items, i);
      const SatchelImapValue *value = satchel_imap_value_get_item (items, i + 1);
      guint64 n;

      if (!satchel_imap_value_get_number (value, G_MAXINT64, &n))
        return;
      if (satchel_imap_value_is_atom (key, "UIDVALIDITY") && n <= G_MAXUINT32)
        status.uidvalidity = n, seen |= 1;
      else if (satchel_imap_value_is_atom (key, "UIDNEXT") && n <= G_MAXUINT32)
        status.uidnext = n, seen |= 2;
      else if (satchel_imap_value_is_atom (key, "HIGHESTMODSEQ"))
        status.highestmodseq = n, seen |= 4;
    }
  if (seen == 7)
    g_hash_table_replace (self->status, g_bytes_new (name->text, name->len),
                          g_memdup2 (&status, sizeof status));
}

static void
status_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  g_autoptr(SatchelImapResult) reply = NULL;
  GError *error = NULL;

  reply = satchel_imap_session_run_finish (SATCHEL_IMAP_SESSION (source), result, &error);
  if (reply == NULL)
    {
      /* The session broke: the first answer to see it ends the run. */
      self->statuses_left--;
      if (!self->statuses_failed)
        {
          self->statuses_failed = TRUE;
          finish_run (self, error);
        }
      else
        g_clear_error (&error);
      return;
    }
  for (guint i = 0; i < reply->untagged->len; i++)
    take_status (self, g_ptr_array_index (reply->untagged, i));
  self->statuses_left--;
  maybe_start_folders (self);
}

/* Once the folder list is saved and every STATUS answered. */
static void
maybe_start_folders (SatchelImapSync *self)
{
  if (!self->listed || self->statuses_left > 0 || self->statuses_failed)
    return;
  self->folder_index = 0;
  next_folder (self);
}

/* Largest UIDNEXT, a fair guess at the largest folder, first. */
static int
compare_by_uidnext (gconstpointer a,
                    gconstpointer b)
{
  const SatchelFolderInfo *x = *(SatchelFolderInfo * const *) a;
  const SatchelFolderInfo *y = *(SatchelFolderInfo * const *) b;

  return x->uidnext < y->uidnext ? 1 : x->uidnext > y->uidnext ? -1 : 0;
}

/* Asks, all at once, for the state of every folder of @known (the store's
 * list) that was synced before; one that did not change since need not be
 * opened. They go before LIST: after a LIST Dovecot opens the mailbox for
 * STATUS (100 ms for 100,000 messages); the first STATUS of a session it
 * answers from its list index in under one. (LIST-STATUS opens every
 * mailbox too.) */
static void
ask_statuses (SatchelImapSync *self,
              GPtrArray       *known)
{
  g_clear_pointer (&self->status, g_hash_table_unref);
  self->status = g_hash_table_new_full (g_bytes_hash, g_bytes_equal,
                                        (GDestroyNotify) g_bytes_unref, g_free);
  self->statuses_left = 0;
  self->statuses_failed = FALSE;
  if (!satchel_imap_session_is_enabled (self->session, "QRESYNC"))
    return;
  /* Dovecot answers the first STATUS of a session from its list index;
   * later ones may open the mailbox, at a cost that grows with its size:
   * the largest first. */
  g_ptr_array_sort (known, compare_by_uidnext);
  for (guint i = 0; i < known->len; i++)
    {
      SatchelFolderInfo *info = g_ptr_array_index (known, i);
      SatchelImapCommand *command;

      if (!info->selectable || info->wire_name == NULL || info->uidvalidity == 0 ||
          info->highestmodseq == 0)
        continue;
      command = satchel_imap_command_new ("STATUS");
      satchel_imap_command_add_mailbox (command, g_bytes_get_data (info->wire_name, NULL),
                                        g_bytes_get_size (info->wire_name));
      satchel_imap_command_add_atom (command, "(UIDVALIDITY UIDNEXT HIGHESTMODSEQ)");
      satchel_imap_command_collect (command, "STATUS");
      self->statuses_left++;
      satchel_imap_session_run_async (self->session, command, cancellable (self), status_cb,
                                      g_object_ref (self));
    }
}

static void
list_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  g_autoptr(SatchelImapResult) reply = NULL;
  SatchelFolderList *list;
  gboolean roles_seen[SATCHEL_FOLDER_ROLE_ARCHIVE + 1] = { FALSE };
  GError *error = NULL;

  reply = satchel_imap_session_run_finish (SATCHEL_IMAP_SESSION (source), result, &error);
  if (reply == NULL)
    {
      finish_run (self, error);
      return;
    }
  if (reply->tagged->status != SATCHEL_IMAP_STATUS_OK)
    {
      finish_run (self, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_SERVER,
                                     _("The server %s refused to list the folders: %s"),
                                     satchel_account_get_host (self->account),
                                     reply->tagged->text));
      return;
    }

  list = g_new0 (SatchelFolderList, 1);
  list->account_id = satchel_account_get_id (self->account);
  list->server = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_folder_info_free);
  list->keep = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < reply->untagged->len; i++)
    {
      SatchelImapResponse *response = g_ptr_array_index (reply->untagged, i);
      const SatchelImapValue *flags = satchel_imap_value_get_item (response->data, 1);
      const SatchelImapValue *delimiter = satchel_imap_value_get_item (response->data, 2);
      const SatchelImapValue *name = satchel_imap_value_get_item (response->data, 3);
      SatchelFolderInfo *info;
      const char *delim_text;

      if (!satchel_imap_response_is_data (response, "LIST") ||
          flags == NULL || flags->kind != SATCHEL_IMAP_VALUE_LIST || name == NULL ||
          (name->kind != SATCHEL_IMAP_VALUE_ATOM && name->kind != SATCHEL_IMAP_VALUE_STRING) ||
          name->len == 0 || memchr (name->text, '\0', name->len) != NULL ||
          has_flag (flags, "\\NonExistent"))
        continue;

      info = g_new0 (SatchelFolderInfo, 1);
      info->wire_name = g_bytes_new (name->text, name->len);
      if (g_ascii_strcasecmp (name->text, "INBOX") == 0)
        {
          info->name = g_strdup ("INBOX");
          info->role = SATCHEL_FOLDER_ROLE_INBOX;
        }
      else
        {
          info->name = satchel_imap_name_for_display (name->text, name->len, FALSE);
          info->role = role_from_flags (flags);
          if (info->role == SATCHEL_FOLDER_ROLE_NONE)
            info->role = role_from_name (info->name);
        }
      /* One folder per role; the first that claims it. */
      if (roles_seen[info->role] && info->role != SATCHEL_FOLDER_ROLE_NONE)
        info->role = SATCHEL_FOLDER_ROLE_NONE;
      roles_seen[info->role] = TRUE;
      delim_text = satchel_imap_value_get_text (delimiter);
      info->delimiter = delim_text != NULL && delimiter->len == 1 ? delim_text[0] : '\0';
      info->selectable = !has_flag (flags, "\\Noselect");
      info->subscribed = TRUE;

      /* Two server names that show the same (undecodable ones escaped)
       * would be one folder here: keep the first. */
      for (guint j = 0; j < list->server->len; j++)
        if (g_strcmp0 (((SatchelFolderInfo *) g_ptr_array_index (list->server, j))->name,
                       info->name) == 0)
          g_clear_pointer (&info, satchel_folder_info_free);
      if (info != NULL)
        g_ptr_array_add (list->server, info);
    }

  write_async (self, satchel_job_apply_folder_list, list, (GDestroyNotify) satchel_folder_list_free,
               (GDestroyNotify) g_ptr_array_unref, folders_saved_cb);
}

static gpointer
job_list_folders (SatchelStore  *store,
                  gpointer       data,
                  GError       **error)
{
  return satchel_store_list_folders (store, *(gint64 *) data, error);
}

static void
known_folders_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  g_autoptr(GPtrArray) known = NULL;
  SatchelImapCommand *command;
  GError *error = NULL;

  known = satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result, &error);
  if (known == NULL)
    {
      finish_run (self, error);
      return;
    }
  ask_statuses (self, known);

  command = satchel_imap_command_new ("LIST");
  satchel_imap_command_add_atom (command, "\"\"");
  satchel_imap_command_add_atom (command, "\"*\"");
  if (satchel_imap_session_has_capability (self->session, "LIST-EXTENDED") &&
      satchel_imap_session_has_capability (self->session, "SPECIAL-USE"))
    satchel_imap_command_add_atom (command, "RETURN (SPECIAL-USE)");
  satchel_imap_command_collect (command, "LIST");
  satchel_imap_session_run_async (self->session, command, cancellable (self), list_cb,
                                  g_object_ref (self));
}

static void
list_folders (SatchelImapSync *self)
{
  gint64 *account_id = g_new (gint64, 1);

  set_phase (self, SATCHEL_SYNC_PHASE_LISTING_FOLDERS, NULL);
  self->listed = FALSE;
  *account_id = satchel_account_get_id (self->account);
  write_async (self, job_list_folders, account_id, g_free, (GDestroyNotify) g_ptr_array_unref,
               known_folders_cb);
}

/* Delivering queued changes */

typedef struct
{
  SatchelImapSync  *sync;      /* owned */
  SatchelPendingOp *op;        /* borrowed from sync->ops */
  SatchelOpTarget  *target;
  guint             step;      /* which command of the change is next */
  guint32           new_uid;
  gboolean          looked;    /* APPEND: the folder was searched for an earlier copy */
  gboolean          marked;    /* APPEND: this attempt is on disk */
  gboolean          removes;   /* the command out takes the message out of its folder */
} Replay;

static void replay_step (Replay *replay);

static void
replay_free (Replay *replay)
{
  g_clear_object (&replay->sync);
  satchel_op_target_free (replay->target);
  g_free (replay);
}

static void
op_finished_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  GError *error = NULL;

  if (satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result, &error) == NULL)
    {
      finish_run (self, error);
      return;
    }
  next_op (self);
}

/* The server confirmed the change, or refused it for good (@refusal says
 * why): either way it leaves the queue. */
static void
replay_done (Replay     *replay,
             const char *refusal)
{
  SatchelImapSync *self = replay->sync;
  SatchelOpOutcome *outcome = g_new0 (SatchelOpOutcome, 1);

  outcome->op_id = replay->op->id;
  outcome->done = TRUE;
  if (refusal != NULL)
    g_message (_("A change could not be made on %s and was dropped: %s"),
               satchel_account_get_host (self->account), refusal);
  if ((replay->op->kind == SATCHEL_OP_MOVE || replay->op->kind == SATCHEL_OP_APPEND) &&
      refusal == NULL)
    {
      outcome->local_id = replay->op->local_id;
      outcome->new_uid = replay->new_uid;
    }
  if (self->pending_left > 0)
    self->pending_left--;
  write_async (self, satchel_job_finish_op, outcome, (GDestroyNotify) satchel_op_outcome_free,
               NULL, op_finished_cb);
  replay_free (replay);
}

/* The connection failed: the change stays queued for the next time. */
static void
replay_abort (Replay *replay,
              GError *error)
{
  SatchelImapSync *self = g_object_ref (replay->sync);

  replay_free (replay);
  finish_run (self, error);
  g_object_unref (self);
}

/* The MODSEQ that the server gave a flag change of ours: the Inbox's
 * watch hears of it too, and need not check for it (own-change). */
static void
take_own_change (Replay                    *replay,
                 const SatchelImapResponse *response)
{
  g_autoptr(SatchelImapFetch) fetch = NULL;

  if (!satchel_imap_response_is_data (response, "FETCH") ||
      (fetch = satchel_imap_fetch_parse (response, NULL)) == NULL ||
      !(fetch->items & SATCHEL_IMAP_FETCH_UID) || !(fetch->items & SATCHEL_IMAP_FETCH_MODSEQ) ||
      fetch->uid != replay->target->uid)
    return;
  g_signal_emit (replay->sync, signals[OWN_CHANGE], 0, replay->target->wire, fetch->modseq);
}

/* Whether @reply said that message @uid went (VANISHED, with QRESYNC on;
 * without it, EXPUNGE names no UID). */
static gboolean
vanished_here (const SatchelImapResult *reply,
               guint32                  uid)
{
  g_autoptr(SatchelImapUidSet) set = satchel_imap_uid_set_new ();
  gboolean earlier = FALSE;

  for (guint i = 0; i < reply->untagged->len; i++)
    if (satchel_imap_parse_vanished (g_ptr_array_index (reply->untagged, i), set, &earlier) &&
        !earlier && satchel_imap_uid_set_contains (set, uid))
      return TRUE;
  return FALSE;
}

static void
take_copyuid (Replay                    *replay,
              const SatchelImapResponse *response)
{
  SatchelImapValue *code = satchel_imap_response_get_code (response, "COPYUID");
  g_autoptr(SatchelImapUidSet) dest = NULL;
  const char *set;

  /* APPENDUID uidvalidity uid (RFC 4315), for a message appended here;
   * from another numbering it names nothing. */
  if (code == NULL && replay->op->kind == SATCHEL_OP_APPEND &&
      (code = satchel_imap_response_get_code (response, "APPENDUID")) != NULL)
    {
      guint64 uidvalidity = 0;
      guint64 uid = 0;

      if (satchel_imap_value_get_number (satchel_imap_value_get_item (code, 1), G_MAXUINT32,
                                         &uidvalidity) &&
          satchel_imap_value_get_number (satchel_imap_value_get_item (code, 2), G_MAXUINT32,
                                         &uid) &&
          uid > 0 &&
          (replay->target->uidvalidity == 0 || uidvalidity == replay->target->uidvalidity))
        replay->new_uid = uid;
      return;
    }
  if (code == NULL)
    return;
  set = satchel_imap_value_get_text (satchel_imap_value_get_item (code, 3));
  dest = satchel_imap_uid_set_new ();
  if (set != NULL && satchel_imap_uid_set_parse (dest, set, NULL) &&
      satchel_imap_uid_set_count (dest) == 1)
    replay->new_uid = satchel_imap_uid_set_get_range (dest, 0)->first;
}

static void
replay_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Replay *replay = user_data;
  g_autoptr(SatchelImapResult) reply = NULL;
  GError *error = NULL;

  reply = satchel_imap_session_run_finish (SATCHEL_IMAP_SESSION (source), result, &error);
  if (reply == NULL)
    {
      replay_abort (replay, error);
      return;
    }

  for (guint i = 0; i < reply->untagged->len; i++)
    {
      take_copyuid (replay, g_ptr_array_index (reply->untagged, i));
      if (reply->tagged->status == SATCHEL_IMAP_STATUS_OK)
        take_own_change (replay, g_ptr_array_index (reply->untagged, i));
    }
  take_copyuid (replay, reply->tagged);
  /* The watch hears of this as of another client's expunge. Only what
   * the server said went is ours: a UID that another client took away
   * first is answered OK too, and that client's expunge is not ours. */
  if (replay->removes && reply->tagged->status == SATCHEL_IMAP_STATUS_OK &&
      vanished_here (reply, replay->target->uid))
    g_signal_emit (replay->sync, signals[OWN_EXPUNGE], 0, replay->target->wire,
                   replay->target->uid);

  if (reply->tagged->status != SATCHEL_IMAP_STATUS_OK)
    {
      /* A folder that is there already, or gone already, is what was
       * wanted; anything else the server refuses, it will refuse again. */
      if (satchel_imap_response_get_code (reply->tagged, "ALREADYEXISTS") != NULL ||
          satchel_imap_response_get_code (reply->tagged, "NONEXISTENT") != NULL)
        replay_done (replay, NULL);
      else
        replay_done (replay, reply->tagged->text);
      return;
    }
  replay->step++;
  replay_step (replay);
}

static void
replay_select_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Replay *replay = user_data;
  SatchelImapSync *self = replay->sync;
  g_autoptr(SatchelImapMailbox) mailbox = NULL;
  GError *error = NULL;

  mailbox = satchel_imap_session_select_finish (SATCHEL_IMAP_SESSION (source), result, &error);
  if (mailbox == NULL)
    {
      g_clear_pointer (&self->selected, g_free);
      if (error->domain == SATCHEL_NET_ERROR && error->code == SATCHEL_NET_ERROR_SERVER)
        {
          replay_done (replay, error->message);
          g_error_free (error);
        }
      else
        replay_abort (replay, error);
      return;
    }
  g_free (self->selected);
  self->selected = g_strdup (replay->target->wire);
  if (replay->target->uidvalidity != 0 && mailbox->uidvalidity != replay->target->uidvalidity)
    {
      /* The UID belongs to a numbering that is gone: it names nothing. */
      replay_done (replay, _("the folder was renumbered (UIDVALIDITY changed)"));
      return;
    }
  replay->step++;
  replay_step (replay);
}

static SatchelImapCommand *
store_flags_command (const char *uid,
                     const char *change,
                     const char *flags)
{
  SatchelImapCommand *command = satchel_imap_command_new ("UID STORE");
  g_autofree char *list = g_strdup_printf ("(%s)", flags);

  satchel_imap_command_add_atom (command, uid);
  satchel_imap_command_add_atom (command, change);
  satchel_imap_command_add_atom (command, list);
  /* With CONDSTORE even a silent STORE answers with the new MODSEQ
   * (RFC 7162, 3.1.3): take_own_change(). */
  satchel_imap_command_collect (command, "FETCH");
  return command;
}

static gboolean
has_text (const char *text)
{
  return text != NULL && text[0] != '\0';
}

/* The command for step @step of a change about a message; NULL when the
 * change is complete. Step 0 (opening the folder) is done before. */
static SatchelImapCommand *
message_command (Replay *replay)
{
  SatchelImapSync *self = replay->sync;
  SatchelPendingOp *op = replay->op;
  g_autofree char *uid = g_strdup_printf ("%u", replay->target->uid);
  gboolean uidplus = satchel_imap_session_has_capability (self->session, "UIDPLUS");
  SatchelImapCommand *command;

  switch (op->kind)
    {
    case SATCHEL_OP_FLAGS:
      /* 1: add, 2: remove. */
      if (replay->step == 1 && !has_text (op->arg))
        replay->step = 2;
      if (replay->step == 1)
        return store_flags_command (uid, "+FLAGS.SILENT", op->arg);
      if (replay->step == 2 && has_text (op->arg2))
        return store_flags_command (uid, "-FLAGS.SILENT", op->arg2);
      return NULL;

    case SATCHEL_OP_MOVE:
      /* With MOVE, 1: MOVE. Without, 1: COPY, 2: \Deleted, 3: expunge. */
      if (satchel_imap_session_has_capability (self->session, "MOVE"))
        {
          if (replay->step != 1)
            return NULL;
          command = satchel_imap_command_new ("UID MOVE");
          satchel_imap_command_add_atom (command, uid);
          satchel_imap_command_add_mailbox (command, replay->target->dest_wire, -1);
          satchel_imap_command_collect (command, "OK");
          satchel_imap_command_collect (command, "VANISHED");
          replay->removes = TRUE;
          return command;
        }
      if (replay->step == 1)
        {
          command = satchel_imap_command_new ("UID COPY");
          satchel_imap_command_add_atom (command, uid);
          satchel_imap_command_add_mailbox (command, replay->target->dest_wire, -1);
          return command;
        }
      if (replay->step == 2)
        return store_flags_command (uid, "+FLAGS.SILENT", "\\Deleted");
      break;

    case SATCHEL_OP_EXPUNGE:
      /* 1: \Deleted, 2: expunge. */
      if (replay->step == 1)
        return store_flags_command (uid, "+FLAGS.SILENT", "\\Deleted");
      if (replay->step != 2)
        return NULL;
      break;

    case SATCHEL_OP_CREATE_FOLDER:
    case SATCHEL_OP_RENAME_FOLDER:
    case SATCHEL_OP_DELETE_FOLDER:
    case SATCHEL_OP_APPEND:
    default:
      g_assert_not_reached ();
    }

  /* The expunge step of MOVE (3) and EXPUNGE (2). Without UIDPLUS, EXPUNGE
   * would also remove what others marked \Deleted in the folder: only with
   * it is one message alone expunged. */
  if (replay->step != (op->kind == SATCHEL_OP_MOVE ? 3u : 2u))
    return NULL;
  if (uidplus)
    {
      command = satchel_imap_command_new ("UID EXPUNGE");
      satchel_imap_command_add_atom (command, uid);
      satchel_imap_command_collect (command, "VANISHED");
      replay->removes = TRUE;
      return command;
    }
  return satchel_imap_command_new ("EXPUNGE");
}

/* The command for step @step of a change about a folder; NULL when the
 * change is complete. */
static SatchelImapCommand *
folder_command (Replay *replay)
{
  SatchelImapSync *self = replay->sync;
  SatchelOpTarget *target = replay->target;
  SatchelImapCommand *command = NULL;

  switch (replay->op->kind)
    {
    case SATCHEL_OP_CREATE_FOLDER:
      /* 0: CREATE, 1: SUBSCRIBE. */
      if (replay->step > 1)
        return NULL;
      command = satchel_imap_command_new (replay->step == 0 ? "CREATE" : "SUBSCRIBE");
      satchel_imap_command_add_mailbox (command, target->wire, -1);
      return command;

    case SATCHEL_OP_RENAME_FOLDER:
      if (replay->step > 0)
        return NULL;
      if (g_strcmp0 (self->selected, target->wire) == 0)
        g_clear_pointer (&self->selected, g_free);
      command = satchel_imap_command_new ("RENAME");
      satchel_imap_command_add_mailbox (command, target->wire, -1);
      satchel_imap_command_add_mailbox (command, target->dest_wire, -1);
      return command;

    case SATCHEL_OP_DELETE_FOLDER:
      /* 0: leave the folder if it is selected, 1: DELETE. */
      if (replay->step == 0)
        {
          replay->step = 1;
          if (g_strcmp0 (self->selected, target->wire) == 0)
            {
              g_clear_pointer (&self->selected, g_free);
              replay->step = 0;
              return satchel_imap_command_new (satchel_imap_session_has_capability (self->session,
                                                                                    "UNSELECT")
                                               ? "UNSELECT" : "CLOSE");
            }
        }
      if (replay->step > 1)
        return NULL;
      command = satchel_imap_command_new ("DELETE");
      satchel_imap_command_add_mailbox (command, target->wire, -1);
      return command;

    case SATCHEL_OP_APPEND:
      /* 0: APPEND, with the message as a literal. */
      if (replay->step > 0)
        return NULL;
      {
        g_autofree char *flags = g_strdup_printf ("(%s)", has_text (replay->op->arg)
                                                         ? replay->op->arg : "");

        command = satchel_imap_command_new ("APPEND");
        satchel_imap_command_add_mailbox (command, target->wire, -1);
        satchel_imap_command_add_atom (command, flags);
      }
      satchel_imap_command_add_literal (command, g_bytes_get_data (target->raw, NULL),
                                        g_bytes_get_size (target->raw));
      satchel_imap_command_collect (command, "OK");
      return command;

    case SATCHEL_OP_FLAGS:
    case SATCHEL_OP_MOVE:
    case SATCHEL_OP_EXPUNGE:
    default:
      g_assert_not_reached ();
    }
  return NULL;
}

/* A copy to append that was tried before (a run stopped, or the process
 * was killed, before the server's answer was on disk) may be on the server
 * already: a message there with its Message-ID and size is that copy, and
 * is taken instead of appending another. */
static void
append_found_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Replay *replay = user_data;
  g_autoptr(SatchelImapResult) reply = NULL;
  g_autoptr(SatchelImapUidSet) found = NULL;
  GError *error = NULL;
  guint n;

  reply = satchel_imap_session_run_finish (SATCHEL_IMAP_SESSION (source), result, &error);
  if (reply == NULL)
    {
      replay_abort (replay, error);
      return;
    }
  if (reply->tagged->status == SATCHEL_IMAP_STATUS_OK &&
      (found = search_result (replay->sync, reply)) != NULL &&
      (n = satchel_imap_uid_set_count (found)) > 0)
    {
      replay->new_uid = satchel_imap_uid_set_get_range (found, n - 1)->last;
      replay_done (replay, NULL);
      return;
    }
  replay_step (replay);
}

static void
append_examined_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Replay *replay = user_data;
  SatchelImapSync *self = replay->sync;
  g_autoptr(SatchelImapMailbox) mailbox = NULL;
  g_autoptr(SatchelImapCommand) command = NULL;
  g_autofree char *larger = NULL;
  g_autofree char *smaller = NULL;
  GError *error = NULL;
  gsize size = g_bytes_get_size (replay->target->raw);

  mailbox = satchel_imap_session_select_finish (SATCHEL_IMAP_SESSION (source), result, &error);
  g_clear_pointer (&self->selected, g_free);
  if (mailbox == NULL)
    {
      /* A folder the server will not open gets its refusal from APPEND. */
      if (error->domain == SATCHEL_NET_ERROR && error->code == SATCHEL_NET_ERROR_SERVER)
        {
          g_error_free (error);
          replay_step (replay);
        }
      else
        replay_abort (replay, error);
      return;
    }
  command = satchel_imap_command_new ("UID SEARCH");
  satchel_imap_command_add_atom (command, "HEADER");
  satchel_imap_command_add_atom (command, "Message-ID");
  satchel_imap_command_add_string (command, replay->op->message_id, -1);
  larger = g_strdup_printf ("%" G_GSIZE_FORMAT, size > 0 ? size - 1 : 0);
  smaller = g_strdup_printf ("%" G_GSIZE_FORMAT, size + 1);
  satchel_imap_command_add_atom (command, "LARGER");
  satchel_imap_command_add_atom (command, larger);
  satchel_imap_command_add_atom (command, "SMALLER");
  satchel_imap_command_add_atom (command, smaller);
  satchel_imap_command_collect (command, "SEARCH");
  satchel_imap_session_run_async (self->session, g_steal_pointer (&command), cancellable (self),
                                  append_found_cb, replay);
}

static void
append_marked_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Replay *replay = user_data;
  GError *error = NULL;

  if (satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result, &error) == NULL)
    {
      replay_abort (replay, error);
      return;
    }
  replay_step (replay);
}

/* Before an APPEND: looks for the copy an earlier attempt may have left,
 * then puts this attempt on disk, so that the next run looks too. Returns
 * whether that is under way (the replay goes on from its callbacks). */
static gboolean
append_first (Replay *replay)
{
  SatchelImapSync *self = replay->sync;
  SatchelOpOutcome *attempt;

  if (!replay->looked && replay->op->attempts > 0 && has_text (replay->op->message_id))
    {
      replay->looked = TRUE;
      satchel_imap_session_select_async (self->session, replay->target->wire,
                                         strlen (replay->target->wire), TRUE, 0, 0,
                                         cancellable (self), append_examined_cb, replay);
      return TRUE;
    }
  if (replay->marked)
    return FALSE;
  replay->marked = TRUE;
  replay->op->attempts++;
  attempt = g_new0 (SatchelOpOutcome, 1);
  attempt->op_id = replay->op->id;
  satchel_store_writer_run_async (self->writer, satchel_job_finish_op, attempt,
                                  (GDestroyNotify) satchel_op_outcome_free, NULL,
                                  cancellable (self), append_marked_cb, replay);
  return TRUE;
}

static void
replay_step (Replay *replay)
{
  SatchelImapSync *self = replay->sync;
  SatchelPendingOp *op = replay->op;
  SatchelOpTarget *target = replay->target;
  SatchelImapCommand *command;
  gboolean about_message = op->kind == SATCHEL_OP_FLAGS || op->kind == SATCHEL_OP_MOVE ||
                           op->kind == SATCHEL_OP_EXPUNGE;

  if (target->wire[0] == '\0' || (op->kind == SATCHEL_OP_MOVE && target->dest_wire == NULL))
    {
      replay_done (replay, _("the folder name cannot be sent to the server"));
      return;
    }
  if (op->kind == SATCHEL_OP_APPEND && target->raw == NULL)
    {
      /* Deleted here before it reached the server: nothing to copy. */
      replay_done (replay, NULL);
      return;
    }

  if (about_message)
    {
      if (target->uid == 0)
        {
          replay_done (replay, _("the message is no longer known"));
          return;
        }
      /* Step 0 opens the folder the message is in. */
      if (replay->step == 0)
        {
          if (g_strcmp0 (self->selected, target->wire) == 0 && target->uidvalidity != 0)
            replay->step = 1;
          else
            {
              satchel_imap_session_select_async (self->session, target->wire,
                                                 strlen (target->wire), FALSE, 0, 0,
                                                 cancellable (self), replay_select_cb, replay);
              return;
            }
        }
      replay->removes = FALSE;
      command = message_command (replay);
    }
  else if (op->kind == SATCHEL_OP_APPEND && replay->step == 0 && append_first (replay))
    return;
  else
    command = folder_command (replay);

  if (command == NULL)
    {
      replay_done (replay, NULL);
      return;
    }
  satchel_imap_session_run_async (self->session, command, cancellable (self), replay_cb, replay);
}

static void
op_resolved_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  GError *error = NULL;
  Replay *replay;
  SatchelOpTarget *target;

  target = satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result, &error);
  if (target == NULL)
    {
      finish_run (self, error);
      return;
    }
  replay = g_new0 (Replay, 1);
  replay->sync = g_object_ref (self);
  replay->op = g_ptr_array_index (self->ops, self->op_index - 1);
  replay->target = target;
  replay_step (replay);
}

/* Opens @where read-only, to fetch a body or to search it. */
static void
examine (SatchelImapSync         *self,
         SatchelSyncPhase         phase,
         const SatchelWantedBody *where,
         GAsyncReadyCallback      callback)
{
  set_phase (self, phase, where->folder_name);
  satchel_imap_session_select_async (self->session, g_bytes_get_data (where->wire_name, NULL),
                                     g_bytes_get_size (where->wire_name), TRUE, 0, 0,
                                     cancellable (self), callback, g_object_ref (self));
}

/* The end of examine(). Examined, not selected: whatever writes next
 * opens its folder again. A folder the server would not open returns
 * NULL with @skip set (the next one is tried); a connection that broke
 * ends the run. */
static SatchelImapMailbox *
examined (SatchelImapSync *self,
          GObject         *source,
          GAsyncResult    *result,
          gboolean        *skip)
{
  SatchelImapMailbox *mailbox;
  GError *error = NULL;

  mailbox = satchel_imap_session_select_finish (SATCHEL_IMAP_SESSION (source), result, &error);
  g_clear_pointer (&self->selected, g_free);
  *skip = FALSE;
  if (mailbox != NULL)
    return mailbox;
  if (error->domain == SATCHEL_NET_ERROR && error->code == SATCHEL_NET_ERROR_SERVER)
    {
      g_message ("%s", error->message);
      g_error_free (error);
      *skip = TRUE;
    }
  else
    finish_run (self, error);
  return NULL;
}

/* Bodies the user asked for (satchel_imap_sync_want_bodies()): each
 * message's folder opened, its body fetched and stored; then the run goes
 * on with the folders, or ends. */
static void wanted_step (SatchelImapSync *self);

static void search_server (SatchelImapSync *self);

static void
wanted_done (SatchelImapSync *self)
{
  g_clear_pointer (&self->wanted_bodies, g_ptr_array_unref);
  if (self->search != NULL && self->found == NULL)
    {
      search_server (self);
      return;
    }
  if (self->flags & (SATCHEL_IMAP_SYNC_CHANGES_ONLY | SATCHEL_IMAP_SYNC_WANTED_ONLY))
    finish_run (self, NULL);
  else
    list_folders (self);
}

static void
wanted_written_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  GError *error = NULL;

  if (satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result, &error) == NULL)
    {
      finish_run (self, error);
      return;
    }
  wanted_step (self);
}

static void
wanted_fetched_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  g_autoptr(SatchelImapResult) reply = NULL;
  SatchelWantedBody *wanted = g_ptr_array_index (self->wanted_bodies, self->wanted_index - 1);
  SatchelFetchBatch *batch;
  GError *error = NULL;

  reply = satchel_imap_session_run_finish (SATCHEL_IMAP_SESSION (source), result, &error);
  if (reply == NULL)
    {
      finish_run (self, error);
      return;
    }
  batch = satchel_fetch_batch_new (wanted->folder_id, wanted->folder_name);
  for (guint i = 0; reply->tagged->status == SATCHEL_IMAP_STATUS_OK && i < reply->untagged->len;
       i++)
    {
      SatchelImapFetch *fetch = satchel_imap_fetch_parse (g_ptr_array_index (reply->untagged, i),
                                                          &error);

      if (fetch == NULL)
        {
          satchel_fetch_batch_free (batch);
          finish_run (self, error);
          return;
        }
      /* Only the message asked for: a server may add others' flags. */
      if (fetch->uid == wanted->uid && fetch->body != NULL)
        g_ptr_array_add (batch->fetches, fetch);
      else
        satchel_imap_fetch_free (fetch);
    }
  /* A message gone from the server meanwhile has no body to fetch: the
   * next sync removes it here. */
  write_async (self, satchel_job_add_bodies, batch, (GDestroyNotify) satchel_fetch_batch_free,
               NULL, wanted_written_cb);
}

static void
wanted_selected_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  SatchelWantedBody *wanted = g_ptr_array_index (self->wanted_bodies, self->wanted_index - 1);
  g_autoptr(SatchelImapMailbox) mailbox = NULL;
  g_autoptr(SatchelImapCommand) command = NULL;
  g_autofree char *uid = NULL;
  gboolean skip;

  mailbox = examined (self, source, result, &skip);
  if (mailbox == NULL)
    {
      if (skip)
        wanted_step (self);
      return;
    }
  command = satchel_imap_command_new ("UID FETCH");
  uid = g_strdup_printf ("%u", wanted->uid);
  satchel_imap_command_add_atom (command, uid);
  satchel_imap_command_add_atom (command, "(UID BODY.PEEK[])");
  satchel_imap_command_collect (command, "FETCH");
  satchel_imap_session_run_async (self->session, g_steal_pointer (&command), cancellable (self),
                                  wanted_fetched_cb, g_object_ref (self));
}

static void
wanted_step (SatchelImapSync *self)
{
  SatchelWantedBody *wanted;

  if (self->wanted_bodies == NULL || self->wanted_index >= self->wanted_bodies->len)
    {
      wanted_done (self);
      return;
    }
  wanted = g_ptr_array_index (self->wanted_bodies, self->wanted_index++);
  examine (self, SATCHEL_SYNC_PHASE_FETCHING_BODIES, wanted, wanted_selected_cb);
}

static void
wanted_resolved_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  GError *error = NULL;

  self->wanted_bodies = satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result,
                                                         &error);
  if (self->wanted_bodies == NULL)
    {
      finish_run (self, error);
      return;
    }
  self->wanted_index = 0;
  wanted_step (self);
}

static void
fetch_wanted (SatchelImapSync *self)
{
  if (self->wanted == NULL || self->wanted->len == 0)
    {
      wanted_done (self);
      return;
    }
  write_async (self, satchel_job_resolve_wanted, g_array_ref (self->wanted),
               (GDestroyNotify) g_array_unref, (GDestroyNotify) g_ptr_array_unref,
               wanted_resolved_cb);
}

/* A search on the server (satchel_imap_sync_search_server()): each folder
 * examined and searched with what IMAP SEARCH can say of the query; the
 * UIDs found become the store's ids. */
static void search_step (SatchelImapSync *self);

/* Adds the search keys for @query to @command; returns FALSE when IMAP
 * cannot express any of it (has:attachment is the store's own). */
static gboolean
add_search_keys (SatchelImapCommand *command,
                 const char         *query)
{
  g_autoptr(GPtrArray) terms = satchel_search_terms (query);
  gboolean any = FALSE;
  gboolean ascii = g_str_is_ascii (query);

  if (!ascii)
    satchel_imap_command_add_atom (command, "CHARSET UTF-8");
  for (guint i = 0; i < terms->len; i++)
    {
      SatchelSearchTerm *term = g_ptr_array_index (terms, i);
      g_autofree char *lower = g_ascii_strdown (term->value, -1);
      g_autofree char *words = NULL;

      if (g_strcmp0 (term->key, "from") == 0)
        satchel_imap_command_add_atom (command, "FROM");
      else if (g_strcmp0 (term->key, "to") == 0)
        {
          satchel_imap_command_add_atom (command, "OR TO");
          satchel_imap_command_add_string (command, term->value, -1);
          satchel_imap_command_add_atom (command, "CC");
        }
      else if (g_strcmp0 (term->key, "subject") == 0)
        satchel_imap_command_add_atom (command, "SUBJECT");
      else if (g_strcmp0 (term->key, "is") == 0 &&
               (g_str_equal (lower, "unread") || g_str_equal (lower, "read") ||
                g_str_equal (lower, "starred") || g_str_equal (lower, "flagged")))
        {
          satchel_imap_command_add_atom (command, g_str_equal (lower, "unread") ? "UNSEEN"
                                                  : g_str_equal (lower, "read") ? "SEEN"
                                                  : "FLAGGED");
          any = TRUE;
          continue;
        }
      else if (g_strcmp0 (term->key, "has") == 0)
        continue;
      else if (term->key != NULL)
        {
          words = g_strconcat (term->key, ":", term->value, NULL);
          satchel_imap_command_add_atom (command, "TEXT");
          satchel_imap_command_add_string (command, words, -1);
          any = TRUE;
          continue;
        }
      else
        satchel_imap_command_add_atom (command, "TEXT");
      satchel_imap_command_add_string (command, term->value, -1);
      any = TRUE;
    }
  return any;
}

static void
search_mapped_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  g_autoptr(GArray) ids = NULL;
  GError *error = NULL;

  ids = satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result, &error);
  if (ids == NULL)
    {
      finish_run (self, error);
      return;
    }
  g_array_append_vals (self->found, ids->data, ids->len);
  search_step (self);
}

static void
search_found_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  g_autoptr(SatchelImapResult) reply = NULL;
  g_autoptr(SatchelImapUidSet) found = NULL;
  SatchelWantedBody *folder = g_ptr_array_index (self->search_folders, self->search_index - 1);
  SatchelUidLookup *lookup;
  GError *error = NULL;

  reply = satchel_imap_session_run_finish (SATCHEL_IMAP_SESSION (source), result, &error);
  if (reply == NULL)
    {
      finish_run (self, error);
      return;
    }
  found = reply->tagged->status == SATCHEL_IMAP_STATUS_OK ? search_result (self, reply) : NULL;
  if (found == NULL)
    {
      /* A folder the server would not search: the others still are. */
      g_message ("The server %s did not search %s: %s", satchel_account_get_host (self->account),
                 folder->folder_name, reply->tagged->text);
      search_step (self);
      return;
    }
  lookup = g_new0 (SatchelUidLookup, 1);
  lookup->folder_id = folder->folder_id;
  lookup->uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (guint r = 0; r < satchel_imap_uid_set_n_ranges (found) && lookup->uids->len < 10000; r++)
    {
      const SatchelImapUidRange *range = satchel_imap_uid_set_get_range (found, r);

      for (guint64 uid = range->first; uid <= range->last && lookup->uids->len < 10000; uid++)
        {
          guint32 value = (guint32) uid;

          g_array_append_val (lookup->uids, value);
        }
    }
  write_async (self, satchel_job_ids_for_uids, lookup, (GDestroyNotify) satchel_uid_lookup_free,
               (GDestroyNotify) g_array_unref, search_mapped_cb);
}

static void
search_selected_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  g_autoptr(SatchelImapMailbox) mailbox = NULL;
  g_autoptr(SatchelImapCommand) command = NULL;
  gboolean skip;

  mailbox = examined (self, source, result, &skip);
  if (mailbox == NULL)
    {
      if (skip)
        search_step (self);
      return;
    }
  command = satchel_imap_command_new ("UID SEARCH");
  if (satchel_imap_session_has_capability (self->session, "ESEARCH"))
    satchel_imap_command_add_atom (command, "RETURN (ALL)");
  add_search_keys (command, self->search);
  satchel_imap_command_collect (command, "ESEARCH");
  satchel_imap_command_collect (command, "SEARCH");
  satchel_imap_session_run_async (self->session, g_steal_pointer (&command), cancellable (self),
                                  search_found_cb, g_object_ref (self));
}

static void
search_step (SatchelImapSync *self)
{
  SatchelWantedBody *folder;

  if (self->search_index >= self->search_folders->len)
    {
      wanted_done (self);
      return;
    }
  folder = g_ptr_array_index (self->search_folders, self->search_index++);
  examine (self, SATCHEL_SYNC_PHASE_SYNCING_FOLDER, folder, search_selected_cb);
}

static void
search_folders_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  GError *error = NULL;

  self->search_folders = satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result,
                                                          &error);
  if (self->search_folders == NULL)
    {
      finish_run (self, error);
      return;
    }
  self->search_index = 0;
  search_step (self);
}

static void
search_server (SatchelImapSync *self)
{
  g_autoptr(SatchelImapCommand) probe = satchel_imap_command_new ("UID SEARCH");
  SatchelSearchTarget *target;

  self->found = g_array_new (FALSE, FALSE, sizeof (gint64));
  /* Nothing IMAP can search for: nothing to ask. */
  if (!add_search_keys (probe, self->search))
    {
      wanted_done (self);
      return;
    }
  target = g_new0 (SatchelSearchTarget, 1);
  target->account_id = satchel_account_get_id (self->account);
  target->folder_id = self->search_folder;
  write_async (self, satchel_job_search_folders, target, g_free,
               (GDestroyNotify) g_ptr_array_unref, search_folders_cb);
}

static void
next_op (SatchelImapSync *self)
{
  SatchelPendingOp *op;

  if (self->ops == NULL || self->op_index >= self->ops->len)
    {
      fetch_wanted (self);
      return;
    }
  op = g_ptr_array_index (self->ops, self->op_index++);
  set_progress (self, self->op_index - 1, self->ops->len);
  /* The job gets its own reference-free view of the op, which outlives it
   * in self->ops. */
  write_async (self, satchel_job_resolve_op, op, NULL, (GDestroyNotify) satchel_op_target_free,
               op_resolved_cb);
}

static void
ops_listed_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  GError *error = NULL;

  self->ops = satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result, &error);
  if (self->ops == NULL)
    {
      finish_run (self, error);
      return;
    }
  self->pending_left = self->ops->len;
  self->op_index = 0;
  set_phase (self, SATCHEL_SYNC_PHASE_SENDING_CHANGES, NULL);
  next_op (self);
}

/* Watching: IDLE on the Inbox */

static void watch_cycle (SatchelImapSync *self,
                         gboolean         reconnect);
static void start_idle  (SatchelImapSync *self);

static void
untagged_cb (SatchelImapSession        *session,
             const SatchelImapResponse *response,
             SatchelImapSync           *self)
{
  guint64 exists;

  /* New mail in the folder being synced: its searches may name it. */
  if (satchel_imap_response_is_data (response, "EXISTS") && self->current != NULL &&
      self->current->mailbox != NULL &&
      satchel_imap_value_get_number (satchel_imap_value_get_item (response->data, 0),
                                     G_MAXUINT32, &exists))
    self->current->mailbox->exists = MAX (self->current->mailbox->exists, exists);
  if (satchel_imap_response_is_data (response, "EXISTS") ||
      satchel_imap_response_is_data (response, "EXPUNGE") ||
      satchel_imap_response_is_data (response, "VANISHED") ||
      satchel_imap_response_is_data (response, "FETCH"))
    {
      self->resync_wanted = TRUE;
      if (satchel_imap_session_is_idling (session))
        satchel_imap_session_idle_done (session);
    }
}

static gboolean
renew_idle_cb (gpointer user_data)
{
  SatchelImapSync *self = user_data;

  /* Servers drop an IDLE after 30 minutes: say DONE and idle again. */
  g_clear_pointer (&self->idle_timer, g_source_unref);
  if (self->session != NULL && satchel_imap_session_is_idling (self->session))
    satchel_imap_session_idle_done (self->session);
  return G_SOURCE_REMOVE;
}

static void
stop_idle_timer (SatchelImapSync *self)
{
  if (self->idle_timer != NULL)
    {
      g_source_destroy (self->idle_timer);
      g_clear_pointer (&self->idle_timer, g_source_unref);
    }
}

static gboolean
reconnect_cb (gpointer user_data)
{
  SatchelImapSync *self = user_data;

  self->idle_timer = NULL;
  watch_cycle (self, TRUE);
  return G_SOURCE_REMOVE;
}

/* The watch failed: try again later, waiting longer each time. */
static void
watch_failed (SatchelImapSync *self,
              GError          *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->watch == NULL ||
      g_cancellable_is_cancelled (g_task_get_cancellable (self->watch)))
    {
      g_autoptr(GTask) watch = g_steal_pointer (&self->watch);

      if (watch != NULL)
        g_task_return_error (watch, error);
      else
        g_error_free (error);
      return;
    }
  g_message (_("Watching %s failed, trying again in %u seconds: %s"),
             satchel_account_get_label (self->account), MAX (self->backoff, 2), error->message);
  g_error_free (error);
  self->backoff = CLAMP (self->backoff * 2, 2, 300);
  stop_idle_timer (self);
  self->idle_timer = g_timeout_source_new_seconds (self->backoff);
  g_source_set_callback (self->idle_timer, reconnect_cb, self, NULL);
  g_source_attach (self->idle_timer, NULL);
  g_source_unref (self->idle_timer);
}

static void
idle_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  g_autoptr(SatchelImapResult) reply = NULL;
  GError *error = NULL;

  stop_idle_timer (self);
  reply = satchel_imap_session_run_finish (SATCHEL_IMAP_SESSION (source), result, &error);
  if (reply == NULL)
    {
      watch_failed (self, error);
      return;
    }
  /* Refused: asking again at once would ask forever. */
  if (reply->tagged->status != SATCHEL_IMAP_STATUS_OK)
    {
      watch_failed (self, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_SERVER,
                                       _("The server %s refused to wait for new mail: %s"),
                                       satchel_account_get_host (self->account),
                                       reply->tagged->text));
      return;
    }
  if (self->watch == NULL)
    return;
  if (self->resync_wanted)
    watch_cycle (self, FALSE);
  else
    start_idle (self);
}

static void
watch_select_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  g_autoptr(SatchelImapMailbox) mailbox = NULL;
  GError *error = NULL;

  mailbox = satchel_imap_session_select_finish (SATCHEL_IMAP_SESSION (source), result, &error);
  if (mailbox == NULL)
    {
      watch_failed (self, error);
      return;
    }
  g_free (self->selected);
  self->selected = g_strndup (g_bytes_get_data (self->inbox->wire_name, NULL),
                              g_bytes_get_size (self->inbox->wire_name));
  start_idle (self);
}

static void
start_idle (SatchelImapSync *self)
{
  gsize len = g_bytes_get_size (self->inbox->wire_name);
  const char *wire = g_bytes_get_data (self->inbox->wire_name, NULL);

  set_phase (self, SATCHEL_SYNC_PHASE_WATCHING, self->inbox->name);
  if (self->selected == NULL || strlen (self->selected) != len ||
      memcmp (self->selected, wire, len) != 0)
    {
      satchel_imap_session_select_async (self->session, wire, len, FALSE, 0, 0,
                                         cancellable (self), watch_select_cb,
                                         g_object_ref (self));
      return;
    }
  self->resync_wanted = FALSE;
  if (satchel_imap_session_has_capability (self->session, "IDLE"))
    {
      satchel_imap_session_idle_async (self->session, cancellable (self), idle_cb,
                                       g_object_ref (self));
      stop_idle_timer (self);
      self->idle_timer = g_timeout_source_new_seconds (IDLE_RENEW_SECONDS);
    }
  else
    {
      /* No IDLE: poll the Inbox every minute. */
      self->resync_wanted = TRUE;
      stop_idle_timer (self);
      self->idle_timer = g_timeout_source_new_seconds (60);
    }
  g_source_set_callback (self->idle_timer,
                         satchel_imap_session_has_capability (self->session, "IDLE")
                         ? renew_idle_cb : reconnect_cb, self, NULL);
  g_source_attach (self->idle_timer, NULL);
}

static void
cycle_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  SatchelImapSync *self = SATCHEL_IMAP_SYNC (source);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      watch_failed (self, error);
      return;
    }
  self->backoff = 0;
  if (self->watch == NULL)
    return;
  if (self->inbox == NULL)
    {
      g_autoptr(GTask) watch = g_steal_pointer (&self->watch);

      g_task_return_new_error (watch, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_SERVER,
                               _("The server %s has no Inbox to watch."),
                               satchel_account_get_host (self->account));
      return;
    }
  start_idle (self);
}

/* One sync before idling: the whole account after (re)connecting, only
 * the Inbox when it reported a change. */
static void
watch_cycle (SatchelImapSync *self,
             gboolean         reconnect)
{
  if (self->watch == NULL)
    return;
  self->task = g_task_new (self, g_task_get_cancellable (self->watch), cycle_done_cb, NULL);
  self->resync_wanted = FALSE;
  if (reconnect || self->session == NULL || self->inbox == NULL)
    {
      start_run (self);
      return;
    }
  g_clear_pointer (&self->folders, g_ptr_array_unref);
  g_clear_pointer (&self->status, g_hash_table_unref);   /* only as new as the last LIST */
  self->folders = g_ptr_array_new ();
  g_ptr_array_add (self->folders, self->inbox);
  self->folder_index = 0;
  next_folder (self);
  /* self->folders borrows the inbox; it must not free it. */
  g_ptr_array_set_free_func (self->folders, NULL);
}

static gboolean
watch_cancelled_idle_cb (gpointer user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  g_autoptr(GTask) watch = g_steal_pointer (&self->watch);

  stop_idle_timer (self);
  if (watch != NULL)
    g_task_return_new_error (watch, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("Watching was cancelled."));
  /* Whatever is in flight fails now, and finds no watch to go on with. */
  if (self->connection != NULL)
    satchel_connection_close (self->connection);
  return G_SOURCE_REMOVE;
}

static void
watch_cancelled_cb (GCancellable    *cancellable,
                    SatchelImapSync *self)
{
  g_idle_add (watch_cancelled_idle_cb, g_object_ref (self));
}

/**
 * satchel_imap_sync_watch_async:
 *
 * Syncs the account, then keeps IDLE on the Inbox: each change the server
 * reports brings the Inbox up to date (new messages are announced with
 * new-message). A broken connection is retried with back-off. It ends
 * only when cancelled.
 */
void
satchel_imap_sync_watch_async (SatchelImapSync     *self,
                               GCancellable        *cancellable_,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (SATCHEL_IS_IMAP_SYNC (self));
  g_return_if_fail (self->task == NULL && self->watch == NULL);

  self->watch = g_task_new (self, cancellable_, callback, user_data);
  g_task_set_source_tag (self->watch, satchel_imap_sync_watch_async);
  if (cancellable_ != NULL)
    g_cancellable_connect (cancellable_, G_CALLBACK (watch_cancelled_cb), self, NULL);
  watch_cycle (self, TRUE);
}

gboolean
satchel_imap_sync_watch_finish (SatchelImapSync  *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Connecting */

static void
enabled_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  GError *error = NULL;
  gint64 *account_id;

  if (!satchel_imap_session_enable_finish (SATCHEL_IMAP_SESSION (source), result, &error))
    {
      finish_run (self, error);
      return;
    }
  /* Another run delivers the changes. */
  if (self->flags & SATCHEL_IMAP_SYNC_WANTED_ONLY)
    {
      fetch_wanted (self);
      return;
    }
  account_id = g_new (gint64, 1);
  *account_id = satchel_account_get_id (self->account);
  write_async (self, satchel_job_list_ops, account_id, g_free, (GDestroyNotify) g_ptr_array_unref,
               ops_listed_cb);
}

static void
compressed_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  static const char *extensions[] = { "QRESYNC", "CONDSTORE", NULL };
  GError *error = NULL;

  if (!satchel_imap_session_compress_finish (SATCHEL_IMAP_SESSION (source), result, &error) &&
      error != NULL)
    {
      finish_run (self, error);
      return;
    }
  /* QRESYNC implies CONDSTORE; ask for both, the server takes what it has. */
  satchel_imap_session_enable_async (self->session,
                                     satchel_imap_session_has_capability (self->session, "QRESYNC")
                                     ? (const char * const *) extensions
                                     : (const char * const *) extensions + 1,
                                     cancellable (self), enabled_cb, g_object_ref (self));
}

static void
login_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  GError *error = NULL;

  if (!satchel_imap_session_login_finish (SATCHEL_IMAP_SESSION (source), result, &error))
    {
      finish_run (self, error);
      return;
    }
  satchel_imap_session_compress_async (self->session, cancellable (self), compressed_cb,
                                       g_object_ref (self));
}

static void log_in (SatchelImapSync *self);

static void
connect_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  GError *error = NULL;

  if (!satchel_imap_session_connect_finish (SATCHEL_IMAP_SESSION (source), result, &error))
    {
      finish_run (self, error);
      return;
    }
  log_in (self);
}

/* With the password, once it is known (satchel_imap_sync_set_password()). */
static void
log_in (SatchelImapSync *self)
{
  GError *error = NULL;
  const char *password = satchel_password_slot_get (&self->password, &error);

  if (password == NULL)
    {
      if (error != NULL)
        finish_run (self, error);
      return;
    }
  satchel_imap_session_login_async (self->session, satchel_account_get_user (self->account),
                                    password, cancellable (self), login_cb, g_object_ref (self));
}

/**
 * satchel_imap_sync_set_password:
 * @password: (nullable): the password, or %NULL when there is none
 * @error: (nullable) (transfer full): with no password, why
 *
 * Gives a sync created without a password the one it logs in with. The
 * sync connects meanwhile, so that asking the keyring and setting up TLS
 * overlap; it waits at the login for this. Without a password the run
 * ends with @error.
 */
void
satchel_imap_sync_set_password (SatchelImapSync *self,
                                const char      *password,
                                GError          *error)
{
  g_return_if_fail (SATCHEL_IS_IMAP_SYNC (self));
  g_return_if_fail (password != NULL || error != NULL);

  if (satchel_password_slot_set (&self->password, password, error))
    log_in (self);
}

static void
pin_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  g_autofree char *pin = NULL;
  GError *error = NULL;

  pin = satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result, &error);
  if (pin == NULL)
    {
      finish_run (self, error);
      return;
    }
  g_clear_object (&self->session);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->selected, g_free);
  self->connection = satchel_incoming_connection_new (self->account, pin);
  self->session = satchel_imap_session_new (self->connection);
  if (self->watch != NULL)
    g_signal_connect_object (self->session, "untagged", G_CALLBACK (untagged_cb), self, 0);
  satchel_imap_session_connect_async (self->session, cancellable (self), connect_cb,
                                      g_object_ref (self));
}

static void
logout_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SatchelImapSync) self = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  satchel_imap_session_logout_finish (SATCHEL_IMAP_SESSION (source), result, NULL);
  set_phase (self, SATCHEL_SYNC_PHASE_DONE, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
finish_run (SatchelImapSync *self,
            GError          *error)
{
  g_autoptr(GTask) task = NULL;

  if (self->task == NULL)
    {
      g_clear_error (&error);
      return;
    }
  if (error == NULL && self->watch == NULL)
    {
      /* A polite goodbye; the task ends when it is said. */
      satchel_imap_session_logout_async (self->session, NULL, logout_cb, g_object_ref (self));
      return;
    }
  task = g_steal_pointer (&self->task);
  if (error != NULL)
    {
      if (self->connection != NULL)
        satchel_connection_close (self->connection);
      g_task_return_error (task, error);
      return;
    }
  /* Watching goes on from here with the same session. */
  g_task_return_boolean (task, TRUE);
}

static void
start_run (SatchelImapSync *self)
{
  SatchelFolderInfo *where;

  set_phase (self, SATCHEL_SYNC_PHASE_CONNECTING, NULL);
  satchel_connection_warm_up (satchel_account_get_host (self->account),
                              satchel_account_get_ca_file (self->account) == NULL);

  /* Which certificate is pinned for this host and port. */
  where = g_new0 (SatchelFolderInfo, 1);
  where->name = g_strdup (satchel_account_get_host (self->account));
  where->uidnext = satchel_account_get_effective_port (self->account);
  write_async (self, satchel_job_lookup_pin, where, (GDestroyNotify) satchel_folder_info_free,
               g_free, pin_cb);
}

/**
 * satchel_imap_sync_want_bodies:
 * @ids: the store's ids of messages whose bodies the user wants now
 *
 * The run fetches these bodies first, after delivering the changes (with
 * %SATCHEL_IMAP_SYNC_WANTED_ONLY: only these), as when a message is
 * opened whose body is not cached.
 */
void
satchel_imap_sync_want_bodies (SatchelImapSync *self,
                               const gint64    *ids,
                               guint            n_ids)
{
  g_return_if_fail (SATCHEL_IS_IMAP_SYNC (self));
  g_return_if_fail (self->task == NULL);

  if (self->wanted == NULL)
    self->wanted = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_append_vals (self->wanted, ids, n_ids);
}

/**
 * satchel_imap_sync_search_server:
 * @folder_id: the folder to search, or 0 for all of the account's
 * @query: words and operators, as the search bar takes them
 *
 * The run searches the server too (after the bodies asked for), for what
 * the store cannot answer: words in bodies that are not cached. What it
 * found is satchel_imap_sync_get_found() after the run.
 */
void
satchel_imap_sync_search_server (SatchelImapSync *self,
                                 gint64           folder_id,
                                 const char      *query)
{
  g_return_if_fail (SATCHEL_IS_IMAP_SYNC (self));
  g_return_if_fail (self->task == NULL);

  g_free (self->search);
  self->search = g_strdup (query);
  self->search_folder = folder_id;
}

/**
 * satchel_imap_sync_get_found:
 *
 * Returns: (transfer none) (nullable) (element-type gint64): the store's
 *   ids of the messages that the server search found
 */
GArray *
satchel_imap_sync_get_found (SatchelImapSync *self)
{
  g_return_val_if_fail (SATCHEL_IS_IMAP_SYNC (self), NULL);

  return self->found;
}

/**
 * satchel_imap_sync_run_async:
 *
 * One sync of the whole account (or, with CHANGES_ONLY, the delivery of
 * the queued changes). Errors say what failed in words; what was written
 * before stays written.
 */
void
satchel_imap_sync_run_async (SatchelImapSync     *self,
                             GCancellable        *cancellable_,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (SATCHEL_IS_IMAP_SYNC (self));
  g_return_if_fail (self->task == NULL);

  self->task = g_task_new (self, cancellable_, callback, user_data);
  g_task_set_source_tag (self->task, satchel_imap_sync_run_async);
  start_run (self);
}

gboolean
satchel_imap_sync_run_finish (SatchelImapSync  *self,
                              GAsyncResult     *result,
                              GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Object */

static void
satchel_imap_sync_dispose (GObject *object)
{
  SatchelImapSync *self = (SatchelImapSync *)object;

  if (self->idle_timer != NULL)
    {
      g_source_destroy (self->idle_timer);
      g_clear_pointer (&self->idle_timer, g_source_unref);
    }
  g_clear_object (&self->session);
  g_clear_object (&self->connection);
  g_clear_object (&self->writer);

  G_OBJECT_CLASS (satchel_imap_sync_parent_class)->dispose (object);
}

static void
satchel_imap_sync_finalize (GObject *object)
{
  SatchelImapSync *self = (SatchelImapSync *)object;

  g_clear_object (&self->account);
  satchel_password_slot_clear (&self->password);
  g_clear_pointer (&self->folder, g_free);
  g_clear_pointer (&self->selected, g_free);
  g_clear_pointer (&self->ops, g_ptr_array_unref);
  g_clear_pointer (&self->folders, g_ptr_array_unref);
  g_clear_pointer (&self->status, g_hash_table_unref);
  g_clear_pointer (&self->wanted, g_array_unref);
  g_clear_pointer (&self->wanted_bodies, g_ptr_array_unref);
  g_clear_pointer (&self->search, g_free);
  g_clear_pointer (&self->search_folders, g_ptr_array_unref);
  g_clear_pointer (&self->found, g_array_unref);
  g_clear_pointer (&self->current, folder_sync_free);
  g_clear_pointer (&self->inbox, satchel_folder_info_free);

  G_OBJECT_CLASS (satchel_imap_sync_parent_class)->finalize (object);
}

static void
satchel_imap_sync_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SatchelImapSync *self = SATCHEL_IMAP_SYNC (object);

  switch (prop_id)
    {
    case PROP_PHASE:
      g_value_set_enum (value, self->phase);
      break;
    case PROP_FOLDER:
      g_value_set_string (value, self->folder);
      break;
    case PROP_DONE:
      g_value_set_uint (value, self->done);
      break;
    case PROP_TOTAL:
      g_value_set_uint (value, self->total);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
satchel_imap_sync_class_init (SatchelImapSyncClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = satchel_imap_sync_dispose;
  object_class->finalize = satchel_imap_sync_finalize;
  object_class->get_property = satchel_imap_sync_get_property;

  properties[PROP_PHASE] =
    g_param_spec_enum ("phase", NULL, "What the sync is doing", SATCHEL_TYPE_SYNC_PHASE,
                       SATCHEL_SYNC_PHASE_IDLE, ro);
  properties[PROP_FOLDER] =
    g_param_spec_string ("folder", NULL, "The folder being synced", NULL, ro);
  properties[PROP_DONE] =
    g_param_spec_uint ("done", NULL, "How much of the phase is done", 0, G_MAXUINT, 0, ro);
  properties[PROP_TOTAL] =
    g_param_spec_uint ("total", NULL, "How much the phase has to do", 0, G_MAXUINT, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SatchelImapSync::new-message:
   * @message: (type gpointer): a SatchelNewMessage, valid during the emission
   *
   * A message that was not in the store before arrived.
   */
  signals[NEW_MESSAGE] =
    g_signal_new ("new-message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /**
   * SatchelImapSync::folder-cleared:
   * @folder_id: the store's id of the folder
   *
   * The server renumbered the folder (a new UIDVALIDITY): the store holds
   * none of its messages now, and the folder counts as never synced until
   * they have all come again. Emitted before any of them is written.
   */
  signals[FOLDER_CLEARED] =
    g_signal_new ("folder-cleared", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  /**
   * SatchelImapSync::own-change:
   * @folder: the folder's name as the server has it (modified UTF-7)
   * @modseq: the mod-sequence the server gave the change
   *
   * The server made a flag change of a queued local change, and gave it
   * @modseq: other connections hear of it as of another client's.
   */
  signals[OWN_CHANGE] =
    g_signal_new ("own-change", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_UINT64);
  /**
   * SatchelImapSync::own-expunge:
   * @folder: the folder's name as the server has it (modified UTF-7)
   * @uid: the message's UID there
   *
   * The server took a message out of @folder for a queued local change
   * (UID MOVE, or UID EXPUNGE) and said so (VANISHED): other connections
   * hear of it as of another client's expunge. A plain EXPUNGE, which
   * takes what others marked \Deleted too, says nothing.
   */
  signals[OWN_EXPUNGE] =
    g_signal_new ("own-expunge", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_UINT);
}

static void
satchel_imap_sync_init (SatchelImapSync *self)
{
}

/**
 * satchel_imap_sync_new:
 * @account: a saved IMAP account
 * @password: (nullable): its password for the incoming server, or %NULL to
 *   give it later with satchel_imap_sync_set_password()
 * @writer: the profile's store writer
 */
SatchelImapSync *
satchel_imap_sync_new (SatchelAccount        *account,
                       const char            *password,
                       SatchelStoreWriter    *writer,
                       SatchelImapSyncFlags   flags)
{
  SatchelImapSync *self;

  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (satchel_account_get_id (account) != 0, NULL);
  g_return_val_if_fail (SATCHEL_IS_STORE_WRITER (writer), NULL);

  self = g_object_new (SATCHEL_TYPE_IMAP_SYNC, NULL);
  self->account = g_object_ref (account);
  satchel_password_slot_init (&self->password, password);
  self->writer = g_object_ref (writer);
  self->flags = flags;
  if (satchel_account_get_keep_offline (account))
    self->flags |= SATCHEL_IMAP_SYNC_BODIES;
  return self;
}

SatchelSyncPhase
satchel_imap_sync_get_phase (SatchelImapSync *self)
{
  g_return_val_if_fail (SATCHEL_IS_IMAP_SYNC (self), SATCHEL_SYNC_PHASE_IDLE);
  return self->phase;
}

const char *
satchel_imap_sync_get_folder (SatchelImapSync *self)
{
  g_return_val_if_fail (SATCHEL_IS_IMAP_SYNC (self), NULL);
  return self->folder;
}

guint
satchel_imap_sync_get_done (SatchelImapSync *self)
{
  g_return_val_if_fail (SATCHEL_IS_IMAP_SYNC (self), 0);
  return self->done;
}

guint
satchel_imap_sync_get_total (SatchelImapSync *self)
{
  g_return_val_if_fail (SATCHEL_IS_IMAP_SYNC (self), 0);
  return self->total;
}

/* How many queued changes were not delivered (after CHANGES_ONLY). */
guint
satchel_imap_sync_get_pending_left (SatchelImapSync *self)
{
  g_return_val_if_fail (SATCHEL_IS_IMAP_SYNC (self), 0);
  return self->pending_left;
}
