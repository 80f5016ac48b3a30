/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-pop3-fetch.c: download a POP3 maildrop into the account's Inbox
 *
 * Copyright 2026 The Satchel authors
 *
 * One run: connect and log in, list the maildrop (UIDL and LIST), RETR
 * every message whose UIDL the store does not know (pipelined when the
 * server offers PIPELINING), store each with its UIDL in one transaction
 * that reaches the disk, then DELE what the account's server-copy options
 * say may go, and QUIT.
 *
 * No mail is lost: a DELE is sent only for a message committed here, and
 * the server deletes only at a QUIT it answers with +OK; a run that stops
 * anywhere before leaves every message on the server, and the next run
 * downloads none twice (the UIDL is stored with the message). Deletions
 * are marked done only after that +OK.
 *
 * A server without UIDL cannot tell its messages apart from one session
 * to the next: then the account must not leave mail on the server (the
 * run says so and downloads nothing), and each message is known by a
 * SHA-256 of its bytes, which keeps a message from being stored twice
 * when a QUIT failed and it is downloaded again.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "mime/satchel-mime.h"
#include "net/satchel-net-error.h"
#include "pop3/satchel-pop3-session.h"
#include "satchel-enum-types.h"
#include "store/satchel-cert-pins.h"
#include "store/satchel-store-outbox.h"
#include "store/satchel-store-pop3.h"
#include "sync/satchel-imap-sync-jobs.h"
#include "sync/satchel-mail-actions.h"
#include "sync/satchel-password-slot.h"
#include "sync/satchel-pop3-fetch.h"

/* RETR commands out at once when the server takes them pipelined. */
#define WINDOW             16
/* Downloads written in one transaction, and in flight to the writer. */
#define BATCH_MESSAGES     200
#define BATCH_BYTES        (8 * 1024 * 1024)
#define MAX_WRITES_PENDING 2
/* The largest message taken, whatever the server says of its size. */
#define MAX_MESSAGE        ((gsize) 512 * 1024 * 1024)

typedef struct
{
  guint    number;
  char    *uidl;     /* NULL without UIDL */
  guint64  size;     /* from LIST; 0 when not known */
} Listed;

typedef struct
{
  char   *uidl;      /* NULL: known by its bytes' SHA-256 */
  GBytes *raw;
  Listed *listed;    /* borrowed, never touched by the writer's thread */
} Download;

typedef struct
{
  gint64     account_id;
  gint64     folder_id;
  gint64     now;
  gboolean   report_new;
  GPtrArray *downloads;   /* Download */
  gsize      bytes;
} Batch;

typedef struct
{
  GPtrArray *uidls;       /* char *: each download's, in order (computed if need be) */
  GPtrArray *listed;      /* Listed, borrowed: each download's, in order */
  GPtrArray *added;       /* SatchelNewMessage */
} BatchResult;

typedef struct
{
  gint64      account_id;
  char       *host;
  guint16     port;
  char       *pin;
  gint64      inbox_id;
  GHashTable *known;
  gboolean    checked_before;
} Prepare;

typedef struct
{
  gint64      account_id;
  gint64      now;
  GPtrArray  *deleted;      /* char * */
  GHashTable *on_server;    /* set of char * */
} Finish;

struct _SatchelPop3Fetch
{
  GObject             parent_instance;

  SatchelAccount     *account;
  SatchelStoreWriter *writer;
  SatchelPasswordSlot   password;

  GTask              *task;
  GError             *error;          /* the first failure; reported when writes are over */
  SatchelConnection  *connection;
  SatchelPop3Session *session;

  gint64              account_id;
  gint64              inbox_id;
  gint64              now;
  GHashTable         *known;          /* UIDL → SatchelPop3Known */
  gboolean            first_run;
  gboolean            has_uidl;
  GPtrArray          *listed;         /* Listed, in maildrop order */
  GHashTable         *sizes;          /* message number → guint64 size */
  GPtrArray          *todo;           /* Listed, borrowed: to download */
  guint               next;
  guint               in_flight;
  guint               writes_pending;
  Batch              *batch;
  GQueue              retrieving;     /* Listed, borrowed: RETR out, in order */
  GQueue              deleting_out;   /* char *: DELE out, in order */
  GPtrArray          *deleting;       /* char *: DELE answered +OK */
  guint               deletes_out;
  gboolean            quitting;
  guint               deleted;

  SatchelSyncPhase    phase;
  guint               done;
  guint               total;
};

G_DEFINE_FINAL_TYPE (SatchelPop3Fetch, satchel_pop3_fetch, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_PHASE,
  PROP_FOLDER,
  PROP_DONE,
  PROP_TOTAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  NEW_MESSAGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void pump (SatchelPop3Fetch *self);
static void delete_and_quit (SatchelPop3Fetch *self);
static void finish_run (SatchelPop3Fetch *self);

/**
 * satchel_now:
 *
 * The time in seconds since 1970; the tests set SATCHEL_NOW to move the
 * clock ("delete from the server after N days").
 */
gint64
satchel_now (void)
{
  const char *now = g_getenv ("SATCHEL_NOW");

  if (now != NULL && now[0] != '\0')
    return g_ascii_strtoll (now, NULL, 10);
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
listed_free (Listed *listed)
{
  g_free (listed->uidl);
  g_free (listed);
}

static void
download_free (Download *download)
{
  g_free (download->uidl);
  g_clear_pointer (&download->raw, g_bytes_unref);
  g_free (download);
}

static void
batch_free (Batch *batch)
{
  if (batch == NULL)
    return;
  g_ptr_array_unref (batch->downloads);
  g_free (batch);
}

static void
batch_result_free (BatchResult *result)
{
  g_ptr_array_unref (result->uidls);
  g_ptr_array_unref (result->listed);
  g_ptr_array_unref (result->added);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatchResult, batch_result_free)

static void
prepare_free (Prepare *prepare)
{
  g_free (prepare->host);
  g_free (prepare->pin);
  g_clear_pointer (&prepare->known, g_hash_table_unref);
  g_free (prepare);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Prepare, prepare_free)

static void
finish_free (Finish *finish)
{
  g_ptr_array_unref (finish->deleted);
  g_hash_table_unref (finish->on_server);
  g_free (finish);
}

static const char *
host (SatchelPop3Fetch *self)
{
  return satchel_account_get_host (self->account);
}

static GCancellable *
cancellable (SatchelPop3Fetch *self)
{
  return self->task != NULL ? g_task_get_cancellable (self->task) : NULL;
}

static void
set_phase (SatchelPop3Fetch *self,
           SatchelSyncPhase  phase,
           guint             total)
{
  if (self->phase != phase)
    {
      self->phase = phase;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PHASE]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLDER]);
    }
  self->done = 0;
  self->total = total;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DONE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
}

static void
write_async (SatchelPop3Fetch    *self,
             SatchelStoreJob      job,
             gpointer             data,
             GDestroyNotify       data_free,
             GDestroyNotify       result_free,
             GAsyncReadyCallback  callback)
{
  satchel_store_writer_run_async (self->writer, job, data, data_free, result_free,
                                  cancellable (self), callback, g_object_ref (self));
}

/* Stops asking the server for anything; the run ends with @error once
 * the writes under way are over. */
static void
fail (SatchelPop3Fetch *self,
      GError           *error)
{
  if (self->error == NULL)
    self->error = error;
  else
    g_error_free (error);
  finish_run (self);
}

/* Jobs, in the writer's thread */

static gpointer
job_prepare (SatchelStore  *store,
             gpointer       data,
             GError       **error)
{
  const Prepare *query = data;
  g_autoptr(SatchelFolderInfo) inbox = NULL;
  Prepare *prepared = g_new0 (Prepare, 1);
  GError *local_error = NULL;
  char *pin;

  pin = satchel_cert_pin_lookup (store, query->host, query->port, &local_error);
  if (local_error != NULL)
    goto failed;
  prepared->pin = pin != NULL ? pin : g_strdup ("");
  if (!satchel_store_begin (store, &local_error))
    goto failed;
  if (!satchel_store_ensure_local_folders (store, query->account_id, &local_error) ||
      !satchel_store_commit (store, &local_error))
    {
      satchel_store_rollback (store);
      goto failed;
    }
  inbox = satchel_store_find_folder_by_role (store, query->account_id,
                                             SATCHEL_FOLDER_ROLE_INBOX, &local_error);
  if (inbox == NULL)
    {
      if (local_error == NULL)
        local_error = g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_SERVER,
                                   _("The account has no Inbox to download mail to."));
      goto failed;
    }
  prepared->inbox_id = inbox->id;
  prepared->known = satchel_store_pop3_known (store, query->account_id, &local_error);
  if (prepared->known == NULL)
    goto failed;
  prepared->checked_before = satchel_store_pop3_checked_before (store, query->account_id,
                                                                &local_error);
  if (local_error != NULL)
    goto failed;
  return prepared;

failed:
  g_propagate_error (error, local_error);
  prepare_free (prepared);
  return NULL;
}

/* Stores a batch of downloads, each with its UIDL, in one transaction that
 * reaches the disk before any of them may be deleted on the server. */
static gpointer
job_add (SatchelStore  *store,
         gpointer       data,
         GError       **error)
{
  Batch *batch = data;
  BatchResult *result = g_new0 (BatchResult, 1);
  g_autoptr(GHashTable) senders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean began;
  gboolean ok;

  result->uidls = g_ptr_array_new_with_free_func (g_free);
  result->listed = g_ptr_array_new ();
  result->added = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_new_message_free);
  ok = began = satchel_store_begin (store, error);
  for (guint i = 0; ok && i < batch->downloads->len; i++)
    {
      Download *download = g_ptr_array_index (batch->downloads, i);
      g_autoptr(SatchelMimeHeaders) headers = NULL;
      g_autofree char *uidl = NULL;
      SatchelMessageSummary summary = { 0 };
      GError *local_error = NULL;
      gint64 id;

      if (download->uidl != NULL)
        uidl = g_strdup (download->uidl);
      else
        {
          g_autofree char *digest = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256,
                                                                  download->raw);

          uidl = g_strconcat ("sha256:", digest, NULL);
        }
      headers = satchel_summary_of_raw (download->raw, &summary);
      summary.uidl = uidl;
      summary.internal_date = batch->now;
      id = satchel_store_pop3_add (store, batch->account_id, batch->folder_id, &summary,
                                   download->raw, batch->now, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          ok = FALSE;
          break;
        }
      g_ptr_array_add (result->uidls, g_steal_pointer (&uidl));
      g_ptr_array_add (result->listed, download->listed);
      if (id == 0)
        continue;   /* its bytes were stored already */
      if (summary.sender != NULL)
        {
          guint seen = GPOINTER_TO_UINT (g_hash_table_lookup (senders, summary.sender));

          g_hash_table_replace (senders, g_strdup (summary.sender), GUINT_TO_POINTER (seen + 1));
        }
      if (batch->report_new)
        {
          SatchelNewMessage *added = g_new0 (SatchelNewMessage, 1);

          added->id = id;
          added->folder = g_strdup ("INBOX");
          added->from = g_strdup (summary.sender != NULL ? summary.sender : "");
          added->subject = g_strdup (summary.subject != NULL ? summary.subject : "");
          g_ptr_array_add (result->added, added);
        }
    }
  if (ok)
    ok = satchel_store_note_senders (store, senders, batch->now, error);
  if (ok)
    ok = satchel_store_commit (store, error);
  else if (began)
    satchel_store_rollback (store);
  if (!ok)
    {
      batch_result_free (result);
      return NULL;
    }
  return result;
}

static gpointer
job_finish (SatchelStore  *store,
            gpointer       data,
            GError       **error)
{
  Finish *finish = data;

  if (!satchel_store_begin (store, error))
    return NULL;
  if (!satchel_store_pop3_deleted_on_server (store, finish->account_id, finish->deleted, error) ||
      !satchel_store_pop3_forget (store, finish->account_id, finish->on_server, error) ||
      !satchel_store_pop3_set_checked (store, finish->account_id, finish->now, error) ||
      !satchel_store_commit (store, error))
    {
      satchel_store_rollback (store);
      return NULL;
    }
  return GINT_TO_POINTER (TRUE);
}

/* Ending */

static void
finished_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SatchelPop3Fetch) self = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&self->task);
  GError *error = NULL;

  if (satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result, &error) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  set_phase (self, SATCHEL_SYNC_PHASE_DONE, 0);
  g_task_return_boolean (task, TRUE);
}

/* Ends a failed run once no write is under way (what was downloaded stays
 * downloaded). */
static void
finish_run (SatchelPop3Fetch *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->task == NULL || self->writes_pending > 0)
    return;
  task = g_steal_pointer (&self->task);
  if (self->connection != NULL)
    satchel_connection_close (self->connection);
  g_task_return_error (task, g_steal_pointer (&self->error));
}

static void
quit_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SatchelPop3Fetch) self = user_data;
  GError *error = NULL;
  Finish *finish;

  if (!satchel_pop3_session_quit_finish (SATCHEL_POP3_SESSION (source), result, &error))
    {
      if (self->deleting->len > 0)
        g_prefix_error (&error, _("No message was deleted on the server; Satchel will try again "
                                  "next time. "));
      fail (self, error);
      return;
    }

  /* The server deleted what it was told to: remember, and forget what it
   * no longer has. */
  self->deleted = self->deleting->len;
  finish = g_new0 (Finish, 1);
  finish->account_id = self->account_id;
  finish->now = self->now;
  finish->deleted = g_ptr_array_ref (self->deleting);
  finish->on_server = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < self->listed->len; i++)
    {
      Listed *listed = g_ptr_array_index (self->listed, i);

      if (listed->uidl != NULL)
        g_hash_table_add (finish->on_server, listed->uidl);
    }
  /* Deleted ones are not on the server any more. */
  for (guint i = 0; i < self->deleting->len; i++)
    g_hash_table_remove (finish->on_server, g_ptr_array_index (self->deleting, i));
  /* finish->on_server borrows the UIDLs of self->listed, which outlives
   * the job: the job is over before self is released. */
  write_async (self, job_finish, finish, (GDestroyNotify) finish_free, NULL, finished_cb);
}

/* Deleting on the server */

static void
dele_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SatchelPop3Fetch) self = user_data;
  g_autofree char *uidl = g_queue_pop_head (&self->deleting_out);
  g_autoptr(SatchelPop3Reply) reply = NULL;
  GError *error = NULL;

  self->deletes_out--;
  reply = satchel_pop3_session_command_finish (SATCHEL_POP3_SESSION (source), result, &error);
  if (reply == NULL || self->error != NULL)
    {
      if (reply == NULL)
        fail (self, error);
      else
        finish_run (self);
      return;
    }
  /* A DELE refused leaves that message on the server: nothing is lost,
   * and the next run asks again. */
  if (reply->ok)
    g_ptr_array_add (self->deleting, g_steal_pointer (&uidl));
  if (self->deletes_out == 0 && self->error == NULL)
    satchel_pop3_session_quit_async (self->session, cancellable (self), quit_cb,
                                     g_object_ref (self));
}

/* Whether the account's options let the server forget @known now. */
static gboolean
may_delete (SatchelPop3Fetch       *self,
            const SatchelPop3Known *known)
{
  guint days;

  if (known->deleted_on_server)
    return TRUE;   /* a DELE the server confirmed, yet it lists it: again */
  if (!satchel_account_get_leave_on_server (self->account))
    return TRUE;
  days = satchel_account_get_delete_after_days (self->account);
  if (satchel_account_get_delete_after (self->account) && days > 0 &&
      self->now - known->downloaded >= (gint64) days * 24 * 60 * 60)
    return TRUE;
  return satchel_account_get_delete_when_deleted (self->account) && known->deleted_here;
}

static void
delete_and_quit (SatchelPop3Fetch *self)
{
  if (self->quitting)
    return;
  self->quitting = TRUE;
  set_phase (self, SATCHEL_SYNC_PHASE_SENDING_CHANGES, 0);
  for (guint i = 0; i < self->listed->len; i++)
    {
      Listed *listed = g_ptr_array_index (self->listed, i);
      SatchelPop3Known *known = listed->uidl != NULL
                                ? g_hash_table_lookup (self->known, listed->uidl) : NULL;
      g_autofree char *line = NULL;

      /* Only what is stored here (known) may go. */
      if (known == NULL || !may_delete (self, known))
        continue;
      line = g_strdup_printf ("DELE %u", listed->number);
      self->deletes_out++;
      g_queue_push_tail (&self->deleting_out, g_strdup (listed->uidl));
      satchel_pop3_session_command_async (self->session, line, FALSE, cancellable (self),
                                          dele_cb, g_object_ref (self));
    }
  if (self->deletes_out == 0)
    satchel_pop3_session_quit_async (self->session, cancellable (self), quit_cb,
                                     g_object_ref (self));
}

/* Downloading */

static void
added_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SatchelPop3Fetch) self = user_data;
  g_autoptr(BatchResult) added = NULL;
  GError *error = NULL;

  self->writes_pending--;
  added = satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result, &error);
  if (added == NULL)
    {
      fail (self, error);
      return;
    }
  for (guint i = 0; i < added->uidls->len; i++)
    {
      SatchelPop3Known *known = g_new0 (SatchelPop3Known, 1);
      Listed *listed = g_ptr_array_index (added->listed, i);

      /* Without UIDL, the message is known by its bytes from now on. */
      if (listed->uidl == NULL)
        listed->uidl = g_strdup (g_ptr_array_index (added->uidls, i));

      known->downloaded = self->now;
      g_hash_table_replace (self->known, g_strdup (g_ptr_array_index (added->uidls, i)), known);
    }
  for (guint i = 0; i < added->added->len; i++)
    g_signal_emit (self, signals[NEW_MESSAGE], 0, g_ptr_array_index (added->added, i));
  if (self->error != NULL)
    {
      finish_run (self);
      return;
    }
  pump (self);
}

static void
flush (SatchelPop3Fetch *self)
{
  Batch *batch = g_steal_pointer (&self->batch);

  if (batch == NULL)
    return;
  self->writes_pending++;
  write_async (self, job_add, batch, (GDestroyNotify) batch_free,
               (GDestroyNotify) batch_result_free, added_cb);
}

static void
retr_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SatchelPop3Fetch) self = user_data;
  Listed *listed = g_queue_pop_head (&self->retrieving);
  g_autoptr(SatchelPop3Reply) reply = NULL;
  GError *error = NULL;
  Download *download;

  self->in_flight--;
  reply = satchel_pop3_session_command_finish (SATCHEL_POP3_SESSION (source), result, &error);
  if (self->error != NULL)
    {
      g_clear_error (&error);
      finish_run (self);
      return;
    }
  /* What came whole before a failure is kept. */
  if (reply == NULL)
    {
      flush (self);
      fail (self, error);
      return;
    }
  if (!reply->ok)
    {
      flush (self);
      fail (self, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_SERVER,
                               _("The server %s would not send message %u: %s"),
                               host (self), listed->number, reply->text));
      return;
    }

  if (self->batch == NULL)
    {
      self->batch = g_new0 (Batch, 1);
      self->batch->account_id = self->account_id;
      self->batch->folder_id = self->inbox_id;
      self->batch->now = self->now;
      self->batch->report_new = !self->first_run;
      self->batch->downloads = g_ptr_array_new_with_free_func ((GDestroyNotify) download_free);
    }
  download = g_new0 (Download, 1);
  download->uidl = g_strdup (listed->uidl);
  download->listed = listed;
  download->raw = g_steal_pointer (&reply->message);
  self->batch->bytes += g_bytes_get_size (download->raw);
  g_ptr_array_add (self->batch->downloads, download);
  self->done++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DONE]);
  if (self->batch->downloads->len >= BATCH_MESSAGES || self->batch->bytes >= BATCH_BYTES ||
      (self->next == self->todo->len && self->in_flight == 0))
    flush (self);
  pump (self);
}

/* Keeps RETR commands going, as many as the server takes at once and the
 * writer keeps up with; when all are stored, deletes and quits. */
static void
pump (SatchelPop3Fetch *self)
{
  guint window = satchel_pop3_session_has_capability (self->session, "PIPELINING") ? WINDOW : 1;

  if (self->error != NULL)
    return;
  while (self->in_flight < window && self->next < self->todo->len &&
         self->writes_pending < MAX_WRITES_PENDING)
    {
      Listed *listed = g_ptr_array_index (self->todo, self->next++);
      g_autofree char *line = g_strdup_printf ("RETR %u", listed->number);
      gsize max = listed->size > 0 ? MIN (listed->size * 2 + 65536, MAX_MESSAGE) : MAX_MESSAGE;

      self->in_flight++;
      g_queue_push_tail (&self->retrieving, listed);
      satchel_pop3_session_retrieve_async (self->session, line, max, cancellable (self), retr_cb,
                                           g_object_ref (self));
    }
  if (self->next == self->todo->len && self->in_flight == 0 && self->writes_pending == 0)
    {
      flush (self);
      if (self->writes_pending == 0)
        delete_and_quit (self);
    }
}

static void
start_downloads (SatchelPop3Fetch *self)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  if (!self->has_uidl && satchel_account_get_leave_on_server (self->account))
    {
      fail (self, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_SERVER,
                               _("The server %s cannot tell its messages apart from one visit "
                                 "to the next (it does not support UIDL), so Satchel cannot "
                                 "leave mail on it without downloading everything again each "
                                 "time. Turn off “Leave a copy on the server” for this account "
                                 "to download the mail and remove it from the server."),
                               host (self)));
      return;
    }

  self->todo = g_ptr_array_new ();
  for (guint i = 0; i < self->listed->len; i++)
    {
      Listed *listed = g_ptr_array_index (self->listed, i);
      gpointer size;
      gboolean listed_by_list = g_hash_table_lookup_extended (self->sizes,
                                                              GUINT_TO_POINTER (listed->number),
                                                              NULL, &size);

      if (listed_by_list)
        listed->size = GPOINTER_TO_SIZE (size);
      if (listed->uidl != NULL && g_hash_table_contains (self->known, listed->uidl))
        continue;
      if (listed->uidl != NULL && !g_hash_table_add (seen, listed->uidl))
        {
          fail (self, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                                   _("The server %s gave two messages the same UIDL (“%s”); "
                                     "nothing was downloaded, so that no message is lost."),
                                   host (self), listed->uidl));
          return;
        }
      /* LIST names every message of the maildrop (RFC 1939). One that only
       * UIDL names has no size to bound its download by: a server could
       * send half a gigabyte for it. It is left for a later visit. */
      if (!listed_by_list)
        continue;
      g_ptr_array_add (self->todo, listed);
    }
  set_phase (self, SATCHEL_SYNC_PHASE_SYNCING_FOLDER, self->todo->len);
  pump (self);
}

static GError *
malformed (SatchelPop3Fetch *self,
           const char       *command)
{
  return g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                      _("The server %s answered %s with a malformed line."), host (self),
                      command);
}

static void
list_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SatchelPop3Fetch) self = user_data;
  g_autoptr(SatchelPop3Reply) reply = NULL;
  GError *error = NULL;

  reply = satchel_pop3_session_command_finish (SATCHEL_POP3_SESSION (source), result, &error);
  if (self->error != NULL)
    {
      g_clear_error (&error);
      finish_run (self);
      return;
    }
  if (reply == NULL)
    {
      fail (self, error);
      return;
    }
  if (!reply->ok)
    {
      fail (self, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_SERVER,
                               _("The server %s would not list its messages: %s"), host (self),
                               reply->text));
      return;
    }
  for (guint i = 0; i < reply->lines->len; i++)
    {
      const char *line = g_ptr_array_index (reply->lines, i);
      const char *rest;
      guint number;
      guint64 size;

      if (!satchel_pop3_parse_listing (line, &number, &rest) ||
          !satchel_pop3_parse_size (rest, &size))
        {
          fail (self, malformed (self, "LIST"));
          return;
        }
      g_hash_table_insert (self->sizes, GUINT_TO_POINTER (number),
                           GSIZE_TO_POINTER ((gsize) size));
    }
  if (!self->has_uidl)
    for (guint i = 0; i < reply->lines->len; i++)
      {
        Listed *listed = g_new0 (Listed, 1);
        const char *rest;

        satchel_pop3_parse_listing (g_ptr_array_index (reply->lines, i), &listed->number, &rest);
        g_ptr_array_add (self->listed, listed);
      }
  start_downloads (self);
}

static void
uidl_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SatchelPop3Fetch) self = user_data;
  g_autoptr(SatchelPop3Reply) reply = NULL;
  g_autoptr(GHashTable) numbers = NULL;
  GError *error = NULL;

  reply = satchel_pop3_session_command_finish (SATCHEL_POP3_SESSION (source), result, &error);
  if (reply == NULL)
    {
      fail (self, error);
      return;
    }
  self->has_uidl = reply->ok;
  if (!reply->ok)
    return;   /* LIST's reply goes on */
  numbers = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < reply->lines->len; i++)
    {
      const char *line = g_ptr_array_index (reply->lines, i);
      const char *uidl;
      guint number;
      Listed *listed;

      if (!satchel_pop3_parse_listing (line, &number, &uidl) || !satchel_pop3_uidl_is_valid (uidl))
        {
          fail (self, malformed (self, "UIDL"));
          return;
        }
      /* One message under two UIDLs would be downloaded, stored and
       * deleted twice. */
      if (!g_hash_table_add (numbers, GUINT_TO_POINTER (number)))
        {
          fail (self, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                                   _("The server %s gave message %u two UIDLs; nothing was "
                                     "downloaded."),
                                   host (self), number));
          return;
        }
      listed = g_new0 (Listed, 1);
      listed->number = number;
      listed->uidl = g_strdup (uidl);
      g_ptr_array_add (self->listed, listed);
    }
}

static void
login_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SatchelPop3Fetch) self = user_data;
  GError *error = NULL;

  if (!satchel_pop3_session_login_finish (SATCHEL_POP3_SESSION (source), result, &error))
    {
      fail (self, error);
      return;
    }
  set_phase (self, SATCHEL_SYNC_PHASE_LISTING_FOLDERS, 0);
  satchel_pop3_session_command_async (self->session, "UIDL", TRUE, cancellable (self), uidl_cb,
                                      g_object_ref (self));
  satchel_pop3_session_command_async (self->session, "LIST", TRUE, cancellable (self), list_cb,
                                      g_object_ref (self));
}

static void
log_in (SatchelPop3Fetch *self)
{
  GError *error = NULL;
  const char *password = satchel_password_slot_get (&self->password, &error);

  if (password == NULL)
    {
      if (error != NULL)
        fail (self, error);
      return;
    }
  satchel_pop3_session_login_async (self->session, satchel_account_get_user (self->account),
                                    password, cancellable (self), login_cb, g_object_ref (self));
}

static void
connect_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SatchelPop3Fetch) self = user_data;
  GError *error = NULL;

  if (!satchel_pop3_session_connect_finish (SATCHEL_POP3_SESSION (source), result, &error))
    {
      fail (self, error);
      return;
    }
  log_in (self);
}

static void
prepare_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SatchelPop3Fetch) self = user_data;
  g_autoptr(Prepare) prepare = NULL;
  GError *error = NULL;

  prepare = satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result, &error);
  if (prepare == NULL)
    {
      fail (self, error);
      return;
    }
  self->inbox_id = prepare->inbox_id;
  self->known = g_steal_pointer (&prepare->known);
  self->first_run = !prepare->checked_before;

  self->connection = satchel_incoming_connection_new (self->account, prepare->pin);
  self->session = satchel_pop3_session_new (self->connection);
  satchel_pop3_session_set_apop (self->session, satchel_account_get_apop (self->account));
  satchel_pop3_session_connect_async (self->session, cancellable (self), connect_cb,
                                      g_object_ref (self));
}

/**
 * satchel_pop3_fetch_set_password:
 * @password: (nullable): the password, or %NULL when there is none
 * @error: (nullable) (transfer full): with no password, why
 *
 * As satchel_imap_sync_set_password(): the run connects meanwhile.
 */
void
satchel_pop3_fetch_set_password (SatchelPop3Fetch *self,
                                 const char       *password,
                                 GError           *error)
{
  g_return_if_fail (SATCHEL_IS_POP3_FETCH (self));
  g_return_if_fail (password != NULL || error != NULL);

  if (satchel_password_slot_set (&self->password, password, error))
    log_in (self);
}

/**
 * satchel_pop3_fetch_get_deleted:
 *
 * Returns: how many messages the last run deleted on the server
 */
guint
satchel_pop3_fetch_get_deleted (SatchelPop3Fetch *self)
{
  g_return_val_if_fail (SATCHEL_IS_POP3_FETCH (self), 0);
  return self->deleted;
}

/**
 * satchel_pop3_fetch_run_async:
 *
 * Downloads the new messages, then deletes on the server what the
 * account's options say may go. Errors say what failed in words; what was
 * downloaded before stays downloaded.
 */
void
satchel_pop3_fetch_run_async (SatchelPop3Fetch    *self,
                              GCancellable        *cancellable_,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  Prepare *prepare;

  g_return_if_fail (SATCHEL_IS_POP3_FETCH (self));
  g_return_if_fail (self->task == NULL);

  self->task = g_task_new (self, cancellable_, callback, user_data);
  g_task_set_source_tag (self->task, satchel_pop3_fetch_run_async);
  g_clear_error (&self->error);
  g_clear_object (&self->session);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->known, g_hash_table_unref);
  g_clear_pointer (&self->todo, g_ptr_array_unref);
  g_clear_pointer (&self->batch, batch_free);
  g_ptr_array_set_size (self->listed, 0);
  g_ptr_array_set_size (self->deleting, 0);
  g_queue_clear (&self->retrieving);
  g_queue_clear_full (&self->deleting_out, g_free);
  self->quitting = FALSE;
  g_hash_table_remove_all (self->sizes);
  self->next = self->in_flight = self->writes_pending = self->deletes_out = self->deleted = 0;
  self->has_uidl = FALSE;
  self->now = satchel_now ();

  set_phase (self, SATCHEL_SYNC_PHASE_CONNECTING, 0);
  satchel_connection_warm_up (satchel_account_get_host (self->account),
                              satchel_account_get_ca_file (self->account) == NULL);
  prepare = g_new0 (Prepare, 1);
  prepare->account_id = self->account_id;
  prepare->host = g_strdup (satchel_account_get_host (self->account));
  prepare->port = satchel_account_get_effective_port (self->account);
  satchel_store_writer_run_async (self->writer, job_prepare, prepare,
                                  (GDestroyNotify) prepare_free, (GDestroyNotify) prepare_free,
                                  cancellable (self), prepare_cb, g_object_ref (self));
}

gboolean
satchel_pop3_fetch_run_finish (SatchelPop3Fetch  *self,
                               GAsyncResult      *result,
                               GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Object */

static void
satchel_pop3_fetch_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SatchelPop3Fetch *self = SATCHEL_POP3_FETCH (object);

  switch (prop_id)
    {
    case PROP_PHASE:
      g_value_set_enum (value, self->phase);
      break;
    case PROP_FOLDER:
      g_value_set_string (value, self->phase == SATCHEL_SYNC_PHASE_SYNCING_FOLDER ? "INBOX" : NULL);
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
satchel_pop3_fetch_finalize (GObject *object)
{
  SatchelPop3Fetch *self = SATCHEL_POP3_FETCH (object);

  g_assert (self->task == NULL);
  satchel_password_slot_clear (&self->password);
  g_clear_error (&self->error);
  g_clear_object (&self->session);
  g_clear_object (&self->connection);
  g_clear_object (&self->account);
  g_clear_object (&self->writer);
  g_clear_pointer (&self->known, g_hash_table_unref);
  g_clear_pointer (&self->todo, g_ptr_array_unref);
  g_clear_pointer (&self->batch, batch_free);
  g_ptr_array_unref (self->listed);
  g_ptr_array_unref (self->deleting);
  g_queue_clear (&self->retrieving);
  g_queue_clear_full (&self->deleting_out, g_free);
  g_hash_table_unref (self->sizes);

  G_OBJECT_CLASS (satchel_pop3_fetch_parent_class)->finalize (object);
}

static void
satchel_pop3_fetch_class_init (SatchelPop3FetchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = satchel_pop3_fetch_finalize;
  object_class->get_property = satchel_pop3_fetch_get_property;

  properties[PROP_PHASE] =
    g_param_spec_enum ("phase", NULL, "What the run is doing", SATCHEL_TYPE_SYNC_PHASE,
                       SATCHEL_SYNC_PHASE_IDLE, ro);
  properties[PROP_FOLDER] =
    g_param_spec_string ("folder", NULL, "The folder being filled", NULL, ro);
  properties[PROP_DONE] =
    g_param_spec_uint ("done", NULL, "How much of the phase is done", 0, G_MAXUINT, 0, ro);
  properties[PROP_TOTAL] =
    g_param_spec_uint ("total", NULL, "How much the phase has to do", 0, G_MAXUINT, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SatchelPop3Fetch::new-message:
   * @message: (type gpointer): a SatchelNewMessage, valid during the emission
   *
   * A message was downloaded (not on an account's first run).
   */
  signals[NEW_MESSAGE] =
    g_signal_new ("new-message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
satchel_pop3_fetch_init (SatchelPop3Fetch *self)
{
  self->listed = g_ptr_array_new_with_free_func ((GDestroyNotify) listed_free);
  self->deleting = g_ptr_array_new_with_free_func (g_free);
  self->sizes = g_hash_table_new (NULL, NULL);
}

/**
 * satchel_pop3_fetch_new:
 * @account: a saved POP3 account
 * @password: (nullable): its password, or %NULL to give it later with
 *   satchel_pop3_fetch_set_password()
 * @writer: the profile's store writer
 */
SatchelPop3Fetch *
satchel_pop3_fetch_new (SatchelAccount     *account,
                        const char         *password,
                        SatchelStoreWriter *writer)
{
  SatchelPop3Fetch *self;

  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (satchel_account_get_id (account) != 0, NULL);
  g_return_val_if_fail (SATCHEL_IS_STORE_WRITER (writer), NULL);

  self = g_object_new (SATCHEL_TYPE_POP3_FETCH, NULL);
  self->account = g_object_ref (account);
  self->account_id = satchel_account_get_id (account);
  self->writer = g_object_ref (writer);
  satchel_password_slot_init (&self->password, password);
  return self;
}
