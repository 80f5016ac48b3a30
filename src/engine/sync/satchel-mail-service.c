/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-mail-service.c: the application's mail in the background
 *
 * Copyright 2026 The Satchel authors
 *
 * The application's windows read the store; this object keeps it up to
 * date. It checks every account when asked, every few minutes and when an
 * account appears, one run per account at a time (IMAP: SatchelImapSync,
 * POP3: SatchelPop3Fetch, through one store writer), and delivers the
 * changes the user makes (satchel-mail-actions.c queues them) soon after
 * they are made. A check asked for while one runs follows it.
 *
 * What each account is doing, and why it failed in words, is its state:
 * the sidebar shows it. "changed" says that the store holds new mail or
 * flags for the account: views reload what they show.
 *
 * An IMAP account whose check succeeded also keeps IDLE on its Inbox, on
 * a connection of its own (SatchelImapDoorbell): a change the server
 * announces there starts a check at once, so new mail shows within
 * seconds instead of at the next interval.
 *
 * It also sends what the composer gives it: the message goes into the
 * outbox, which is sent at once, one run at a time per account
 * (SatchelOutbox), and again after each check while something waits; and
 * it keeps and discards drafts.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "net/satchel-net-error.h"
#include "satchel-mail-service.h"
#include "store/satchel-store-outbox.h"
#include "sync/satchel-imap-doorbell.h"
#include "sync/satchel-imap-sync.h"
#include "sync/satchel-indexer.h"
#include "sync/satchel-mail-actions.h"
#include "sync/satchel-outbox.h"
#include "sync/satchel-pop3-fetch.h"
#include "sync/satchel-store-writer.h"

/* With each account on its own interval, how often to see which are due. */
#define TICK_SECONDS       30
#define CHANGED_EVERY_USEC (G_USEC_PER_SEC / 2)
/* An Inbox watch whose connection broke is tried again after 2 s, then
 * twice as long each time it fails, up to 5 minutes. */
#define WATCH_RETRY_FIRST  2
#define WATCH_RETRY_MAX    (5 * 60)
/* A watch that listened this long worked: its next break starts the
 * back-off again. */
#define WATCH_STEADY_USEC  (60 * G_USEC_PER_SEC)
/* Mod-sequences of flag changes made here, kept for the Inbox's watch. */
#define OWN_CHANGES_MAX    1024

typedef struct
{
  SatchelMailService  *service;      /* borrowed: the service outlives its runs */
  SatchelAccount      *account;
  SatchelAccountState  state;
  char                *message;
  GObject             *sync;         /* the running SatchelImapSync or SatchelPop3Fetch */
  GCancellable        *cancellable;
  gboolean             changes_only; /* the running sync only delivers changes */
  gboolean             check_next;   /* asked for while one ran */
  gboolean             push_next;
  gint64               last_changed;
  gint64               last_checked; /* monotonic: when the last check started */
  SatchelImapSync     *body_sync;    /* fetching the bodies asked for, beside the run */
  SatchelImapSync     *search_sync;  /* searching the server, beside the run */
  GCancellable        *cancellable_search;
  GCancellable        *cancellable_bodies;
  GArray              *bodies_next;  /* message ids asked for meanwhile */
  SatchelOutbox       *outbox;       /* sending what the outbox holds */
  GCancellable        *cancellable_outbox;
  gboolean             outbox_next;  /* another outbox run after this one */
  GQueue               sends;        /* GTask: a message each, waiting for a run to try it */
  SatchelImapDoorbell *doorbell;     /* IDLE on the Inbox, between checks */
  guint                doorbell_retry_id;
  guint                doorbell_backoff; /* seconds before the next try; 0: none failed */
  gboolean             doorbell_catch_up; /* check once it listens */
  gint64               doorbell_since;    /* monotonic: when it began to listen, or 0 */
  GArray              *own_changes;       /* guint64: MODSEQs of our flag changes in the Inbox */
  GArray              *own_expunges;      /* guint64: UIDs we took out of the Inbox */
} AccountRun;

struct _SatchelMailService
{
  GObject parent_instance;

  char               *store_path;
  SatchelAccountList *accounts;
  SatchelSecrets     *secrets;
  SatchelStoreWriter *writer;
  GHashTable         *runs;         /* SatchelAccount → AccountRun */
  guint               interval_id;
  guint               interval;      /* seconds for every account; 0: each its own */
  gboolean            started;      /* checks accounts by itself */
};

G_DEFINE_FINAL_TYPE (SatchelMailService, satchel_mail_service, G_TYPE_OBJECT)

enum
{
  SIGNAL_CHANGED,
  SIGNAL_STATE_CHANGED,
  SIGNAL_SERVER_SEARCH_DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_run (AccountRun *run,
                       gboolean    changes_only);
static void start_outbox (AccountRun *run);
static void send_due     (AccountRun *run);

static void
stop_doorbell (AccountRun *run)
{
  g_autoptr(SatchelImapDoorbell) doorbell = g_steal_pointer (&run->doorbell);

  if (doorbell == NULL)
    return;
  g_signal_handlers_disconnect_by_data (doorbell, run);
  satchel_imap_doorbell_stop (doorbell);
}

static void
account_run_free (AccountRun *run)
{
  g_signal_handlers_disconnect_by_data (run->account, run);
  g_clear_handle_id (&run->doorbell_retry_id, g_source_remove);
  stop_doorbell (run);
  g_cancellable_cancel (run->cancellable);
  g_clear_object (&run->cancellable);
  g_cancellable_cancel (run->cancellable_bodies);
  g_clear_object (&run->cancellable_bodies);
  if (run->sync != NULL)
    g_signal_handlers_disconnect_by_data (run->sync, run);
  g_clear_object (&run->sync);
  g_clear_object (&run->body_sync);
  g_cancellable_cancel (run->cancellable_search);
  g_clear_object (&run->cancellable_search);
  g_clear_object (&run->search_sync);
  g_clear_pointer (&run->bodies_next, g_array_unref);
  g_clear_pointer (&run->own_changes, g_array_unref);
  g_clear_pointer (&run->own_expunges, g_array_unref);
  g_cancellable_cancel (run->cancellable_outbox);
  g_clear_object (&run->cancellable_outbox);
  g_clear_object (&run->outbox);
  while (!g_queue_is_empty (&run->sends))
    {
      g_autoptr(GTask) task = g_queue_pop_head (&run->sends);

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("Satchel stopped before the message was sent; it waits in the "
                                 "outbox."));
    }
  g_clear_object (&run->account);
  g_free (run->message);
  g_free (run);
}

static void
set_state (AccountRun          *run,
           SatchelAccountState  state,
           const char          *message)
{
  run->state = state;
  g_free (run->message);
  run->message = g_strdup (message);
  g_signal_emit (run->service, signals[SIGNAL_STATE_CHANGED], 0, run->account);
}

/* The account's incoming server changed (the preferences, which check it
 * again): the Inbox watch on the old one goes; the next check that goes
 * well starts one on the new. */
static void
account_notify_cb (SatchelAccount *account,
                   GParamSpec     *pspec,
                   AccountRun     *run)
{
  static const char *const server[] = { "host", "port", "security", "user", "ca-file", NULL };

  if (g_strv_contains (server, pspec->name))
    {
      g_clear_handle_id (&run->doorbell_retry_id, g_source_remove);
      run->doorbell_backoff = 0;
      stop_doorbell (run);
    }
}

static AccountRun *
run_of (SatchelMailService *self,
        SatchelAccount     *account)
{
  AccountRun *run;

  if (self->runs == NULL)
    return NULL;
  run = g_hash_table_lookup (self->runs, account);
  if (run == NULL)
    {
      run = g_new0 (AccountRun, 1);
      run->service = self;
      run->cancellable_bodies = g_cancellable_new ();
      run->account = g_object_ref (account);
      g_signal_connect (account, "notify", G_CALLBACK (account_notify_cb), run);
      g_hash_table_insert (self->runs, account, run);
    }
  return run;
}

/* How a failed run leaves the account. */
static SatchelAccountState
state_for_error (const GError *error)
{
  if (error->domain == SATCHEL_NET_ERROR)
    switch ((SatchelNetError) error->code)
      {
      case SATCHEL_NET_ERROR_RESOLVE:
      case SATCHEL_NET_ERROR_CONNECT:
      case SATCHEL_NET_ERROR_TIMEOUT:
      case SATCHEL_NET_ERROR_CLOSED:
        return SATCHEL_ACCOUNT_STATE_OFFLINE;
      case SATCHEL_NET_ERROR_AUTH_FAILED:
      case SATCHEL_NET_ERROR_AUTH_UNAVAILABLE:
        return SATCHEL_ACCOUNT_STATE_NEEDS_PASSWORD;
      case SATCHEL_NET_ERROR_UNTRUSTED_CERTIFICATE:
        return SATCHEL_ACCOUNT_STATE_UNTRUSTED;
      case SATCHEL_NET_ERROR_TLS:
      case SATCHEL_NET_ERROR_INSECURE:
      case SATCHEL_NET_ERROR_PROTOCOL:
      case SATCHEL_NET_ERROR_SERVER:
      case SATCHEL_NET_ERROR_REJECTED:
      case SATCHEL_NET_ERROR_TEMPORARY:
      case SATCHEL_NET_ERROR_DELIVERY_UNKNOWN:
      default:
        break;
      }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE))
    return SATCHEL_ACCOUNT_STATE_OFFLINE;
  return SATCHEL_ACCOUNT_STATE_ERROR;
}

static void
emit_changed (AccountRun *run)
{
  run->last_changed = g_get_monotonic_time ();
  g_signal_emit (run->service, signals[SIGNAL_CHANGED], 0, run->account);
}

/* At once when a sync emptied a folder the server renumbered, before any
 * of its messages comes again: the notifier starts over then
 * (satchel-notifier.c), and the views show it empty rather than stale. */
static void
folder_cleared_cb (SatchelImapSync *sync,
                   gint64           folder_id,
                   AccountRun      *run)
{
  /* UIDs and mod-sequences of the old numbering name nothing now, or
   * worse, another message: what the watch hears next is checked. */
  if (run->own_changes != NULL)
    g_array_set_size (run->own_changes, 0);
  if (run->own_expunges != NULL)
    g_array_set_size (run->own_expunges, 0);
  emit_changed (run);
}

/* Progress: the sidebar shows it, and during a long first sync the views
 * take what arrived, at most twice a second. */
static void
progress_cb (GObject    *sync,
             GParamSpec *pspec,
             AccountRun *run)
{
  g_signal_emit (run->service, signals[SIGNAL_STATE_CHANGED], 0, run->account);
  if (g_get_monotonic_time () - run->last_changed >= CHANGED_EVERY_USEC)
    emit_changed (run);
}

/* user_data: the service, referenced by the run. */
static gpointer
job_index_bodies (SatchelStore  *store,
                  gpointer       data,
                  GError       **error)
{
  return satchel_index_all_bodies (store, NULL, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

static void
indexed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result, &error) == NULL)
    g_warning ("The text of downloaded mail could not be indexed: %s", error->message);
}

/* Bodies that came are read into the full-text index, in the writer's
 * thread, after the run that brought them. */
static void
index_bodies (SatchelMailService *self)
{
  if (self->writer != NULL)
    satchel_store_writer_run_async (self->writer, job_index_bodies, NULL, NULL, NULL, NULL,
                                    indexed_cb, NULL);
}

/* Where @value is in @own (guint64), or -1. */
static gint
own_index (const GArray *own,
           guint64       value)
{
  for (guint i = 0; own != NULL && i < own->len; i++)
    if (g_array_index (own, guint64, i) == value)
      return (gint) i;
  return -1;
}

static gboolean
all_in (const GArray *own,
        const GArray *heard)
{
  for (guint i = 0; i < heard->len; i++)
    if (own_index (own, g_array_index (heard, guint64, i)) < 0)
      return FALSE;
  return TRUE;
}

static void
forget (GArray       *own,
        const GArray *heard)
{
  for (guint i = 0; i < heard->len; i++)
    {
      gint j = own_index (own, g_array_index (heard, guint64, i));

      if (j >= 0)
        g_array_remove_index (own, j);   /* the oldest stay first */
    }
}

/* A flag changed here, read or starred, and a message moved or deleted
 * here come back through the Inbox's watch as any other device's change:
 * checking the account for them would bring nothing. A mod-sequence
 * names one change of one message (RFC 7162), and a UID one message, so
 * what the watch heard was ours if the server gave ours each of its
 * mod-sequences, and took out each of its UIDs for us. Anything else is
 * checked. */
static void
doorbell_rang_cb (SatchelImapDoorbell *doorbell,
                  GArray              *flag_changes,
                  GArray              *vanished,
                  AccountRun          *run)
{
  if (flag_changes != NULL && vanished != NULL && flag_changes->len + vanished->len > 0 &&
      all_in (run->own_changes, flag_changes) && all_in (run->own_expunges, vanished))
    {
      forget (run->own_changes, flag_changes);
      forget (run->own_expunges, vanished);
      return;
    }
  start_run (run, FALSE);
}

/* Keeps @value of a change of ours in the Inbox in @own. */
static void
remember (GArray     **own,
          const char  *folder,
          guint64      value)
{
  /* The watch is on "INBOX", which names the Inbox on every server. */
  if (g_ascii_strcasecmp (folder, "INBOX") != 0)
    return;
  if (*own == NULL)
    *own = g_array_new (FALSE, FALSE, sizeof (guint64));
  /* Those the watch never heard of (it was not listening) must not pile
   * up: the oldest go. */
  if ((*own)->len >= OWN_CHANGES_MAX)
    g_array_remove_range (*own, 0, (*own)->len - OWN_CHANGES_MAX + 1);
  g_array_append_val (*own, value);
}

/* The server gave a flag change of ours @modseq (SatchelImapSync). */
static void
own_change_cb (SatchelImapSync *sync,
               const char      *folder,
               guint64          modseq,
               AccountRun      *run)
{
  remember (&run->own_changes, folder, modseq);
}

/* The server took message @uid out of @folder for us. */
static void
own_expunge_cb (SatchelImapSync *sync,
                const char      *folder,
                guint            uid,
                AccountRun      *run)
{
  remember (&run->own_expunges, folder, uid);
}

static void start_doorbell (AccountRun *run);

static gboolean
doorbell_retry_cb (gpointer user_data)
{
  AccountRun *run = user_data;

  run->doorbell_retry_id = 0;
  start_doorbell (run);
  return G_SOURCE_REMOVE;
}

static void
doorbell_ended_cb (SatchelImapDoorbell *doorbell,
                   const GError        *error,
                   AccountRun          *run)
{
  stop_doorbell (run);
  /* Its connection broke (the server restarted, the network went): try
   * again soon, then less and less often. A refused login, or a server
   * without IDLE, waits for the next check that goes well instead. */
  if (error != NULL && state_for_error (error) == SATCHEL_ACCOUNT_STATE_OFFLINE)
    {
      /* Listening for a while proved it worked; a connection cut soon
       * after each start (a proxy that drops IDLE) backs off further. */
      if (run->doorbell_since != 0 &&
          g_get_monotonic_time () - run->doorbell_since >= WATCH_STEADY_USEC)
        run->doorbell_backoff = 0;
      run->doorbell_since = 0;
      run->doorbell_backoff = run->doorbell_backoff == 0
                              ? WATCH_RETRY_FIRST
                              : MIN (run->doorbell_backoff * 2, WATCH_RETRY_MAX);
      run->doorbell_catch_up = TRUE;
      g_clear_handle_id (&run->doorbell_retry_id, g_source_remove);
      run->doorbell_retry_id = g_timeout_add_seconds (run->doorbell_backoff, doorbell_retry_cb,
                                                      run);
    }
}

static void
doorbell_listening_cb (SatchelImapDoorbell *doorbell,
                       gboolean             missed,
                       AccountRun          *run)
{
  run->doorbell_since = g_get_monotonic_time ();
  /* What came between the check and now (or during a break) was not
   * rung: EXAMINE counts it without a word. When the Inbox is as the
   * check left it, checking again would only repeat that check. */
  if (run->doorbell_catch_up)
    {
      run->doorbell_catch_up = FALSE;
      if (missed)
        start_run (run, FALSE);
    }
}

static void
doorbell_password_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(SatchelImapDoorbell) doorbell = user_data;
  g_autoptr(SatchelPassword) password = NULL;

  password = satchel_secrets_lookup_finish (SATCHEL_SECRETS (source), result, NULL);
  if (password != NULL)
    satchel_imap_doorbell_start (doorbell, password);
  else
    satchel_imap_doorbell_stop (doorbell);
}

/* After a check of an IMAP account went well, or when a broken watch is
 * tried again: IDLE on its Inbox, if it is not there already. Only when
 * the service checks by itself (the application), not for one command
 * of satchel-cli. */
static void
start_doorbell (AccountRun *run)
{
  SatchelMailService *self = run->service;

  if (run->doorbell != NULL || !self->started || self->writer == NULL ||
      satchel_account_get_kind (run->account) != SATCHEL_ACCOUNT_KIND_IMAP)
    return;
  g_clear_handle_id (&run->doorbell_retry_id, g_source_remove);
  run->doorbell_catch_up = TRUE;
  run->doorbell = satchel_imap_doorbell_new (run->account, self->writer);
  g_signal_connect (run->doorbell, "listening", G_CALLBACK (doorbell_listening_cb), run);
  g_signal_connect (run->doorbell, "rang", G_CALLBACK (doorbell_rang_cb), run);
  g_signal_connect (run->doorbell, "ended", G_CALLBACK (doorbell_ended_cb), run);
  satchel_secrets_lookup_async (self->secrets, satchel_account_get_uuid (run->account),
                                SATCHEL_SECRET_INCOMING, NULL, doorbell_password_cb,
                                g_object_ref (run->doorbell));
}

static void
run_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SatchelMailService) self = user_data;
  gpointer account = g_object_get_data (source, "satchel-account");
  AccountRun *run = self->runs != NULL ? g_hash_table_lookup (self->runs, account) : NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (SATCHEL_IS_POP3_FETCH (source))
    ok = satchel_pop3_fetch_run_finish (SATCHEL_POP3_FETCH (source), result, &error);
  else
    ok = satchel_imap_sync_run_finish (SATCHEL_IMAP_SYNC (source), result, &error);
  /* The account went, or the service stopped. */
  if (run == NULL || run->sync != source)
    return;

  g_signal_handlers_disconnect_by_data (run->sync, run);
  g_clear_object (&run->sync);
  g_clear_object (&run->cancellable);
  if (ok)
    set_state (run, SATCHEL_ACCOUNT_STATE_IDLE, NULL);
  else
    set_state (run, state_for_error (error), error->message);
  index_bodies (self);
  emit_changed (run);
  /* The server could be reached again: what waits may go. */
  if (ok && !run->changes_only)
    {
      send_due (run);
      start_doorbell (run);
    }

  if (run->check_next || run->push_next)
    {
      gboolean changes_only = !run->check_next;

      run->check_next = run->push_next = FALSE;
      start_run (run, changes_only);
    }
}

static void
password_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GObject) sync = user_data;
  g_autoptr(GError) lookup_error = NULL;
  g_autoptr(SatchelPassword) password = NULL;
  GError *error = NULL;

  password = satchel_secrets_lookup_finish (SATCHEL_SECRETS (source), result, &lookup_error);
  if (password == NULL)
    error = g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_AUTH_UNAVAILABLE, "%s",
                         lookup_error != NULL ? lookup_error->message
                                              : _("No password is saved for this account."));
  if (SATCHEL_IS_POP3_FETCH (sync))
    satchel_pop3_fetch_set_password (SATCHEL_POP3_FETCH (sync), password, error);
  else
    satchel_imap_sync_set_password (SATCHEL_IMAP_SYNC (sync), password, error);
}

static gboolean
ensure_writer (SatchelMailService  *self,
               GError             **error)
{
  if (self->writer == NULL)
    self->writer = satchel_store_writer_new (self->store_path, error);
  return self->writer != NULL;
}

/* Runs @sync (a SatchelImapSync or SatchelPop3Fetch made without a
 * password) for @run's account: the keyring gives the password while it
 * connects; @done gets the service. */
static void
launch (AccountRun          *run,
        GObject             *sync,
        GCancellable        *cancellable,
        GAsyncReadyCallback  done)
{
  SatchelMailService *self = run->service;

  g_object_set_data (sync, "satchel-account", run->account);
  satchel_secrets_lookup_async (self->secrets, satchel_account_get_uuid (run->account),
                                SATCHEL_SECRET_INCOMING, cancellable, password_cb,
                                g_object_ref (sync));
  if (SATCHEL_IS_POP3_FETCH (sync))
    satchel_pop3_fetch_run_async (SATCHEL_POP3_FETCH (sync), cancellable, done,
                                  g_object_ref (self));
  else
    satchel_imap_sync_run_async (SATCHEL_IMAP_SYNC (sync), cancellable, done, g_object_ref (self));
}

static void
start_run (AccountRun *run,
           gboolean    changes_only)
{
  SatchelMailService *self;
  gboolean pop3;
  g_autoptr(GError) error = NULL;

  if (run == NULL)
    return;   /* stopped */
  self = run->service;
  pop3 = satchel_account_get_kind (run->account) == SATCHEL_ACCOUNT_KIND_POP3;
  if (run->sync != NULL)
    {
      /* After this one; a check delivers the changes too. */
      if (changes_only)
        run->push_next = TRUE;
      else
        run->check_next = TRUE;
      return;
    }
  /* A POP3 server keeps nothing the user changes here. */
  if (pop3 && changes_only)
    return;
  if (!changes_only)
    run->last_checked = g_get_monotonic_time ();
  if (!ensure_writer (self, &error))
    {
      set_state (run, SATCHEL_ACCOUNT_STATE_ERROR, error->message);
      return;
    }

  run->changes_only = changes_only;
  run->cancellable = g_cancellable_new ();
  if (pop3)
    run->sync = G_OBJECT (satchel_pop3_fetch_new (run->account, NULL, self->writer));
  else
    run->sync = G_OBJECT (satchel_imap_sync_new (run->account, NULL, self->writer,
                                                 changes_only ? SATCHEL_IMAP_SYNC_CHANGES_ONLY
                                                              : 0));
  g_signal_connect (run->sync, "notify", G_CALLBACK (progress_cb), run);
  if (!pop3)
    {
      g_signal_connect (run->sync, "folder-cleared", G_CALLBACK (folder_cleared_cb), run);
      g_signal_connect (run->sync, "own-change", G_CALLBACK (own_change_cb), run);
      g_signal_connect (run->sync, "own-expunge", G_CALLBACK (own_expunge_cb), run);
    }
  if (!changes_only)
    set_state (run, SATCHEL_ACCOUNT_STATE_SYNCING, NULL);
  launch (run, run->sync, run->cancellable, run_done_cb);
}

static void start_bodies (AccountRun *run);

/* user_data: the service, referenced by the fetch. */
static void
bodies_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SatchelMailService) self = user_data;
  gpointer account = g_object_get_data (source, "satchel-account");
  AccountRun *run = self->runs != NULL ? g_hash_table_lookup (self->runs, account) : NULL;
  g_autoptr(GError) error = NULL;

  satchel_imap_sync_run_finish (SATCHEL_IMAP_SYNC (source), result, &error);
  if (run == NULL || G_OBJECT (run->body_sync) != source)
    return;
  g_clear_object (&run->body_sync);
  if (error != NULL)
    set_state (run, state_for_error (error), error->message);
  index_bodies (self);
  emit_changed (run);
  start_bodies (run);
}

static void
start_bodies (AccountRun *run)
{
  SatchelMailService *self = run->service;
  g_autoptr(GArray) ids = g_steal_pointer (&run->bodies_next);
  g_autoptr(GError) error = NULL;

  if (ids == NULL || ids->len == 0 || run->body_sync != NULL)
    {
      run->bodies_next = g_steal_pointer (&ids);
      return;
    }
  if (!ensure_writer (self, &error))
    {
      set_state (run, SATCHEL_ACCOUNT_STATE_ERROR, error->message);
      return;
    }
  run->body_sync = satchel_imap_sync_new (run->account, NULL, self->writer,
                                          SATCHEL_IMAP_SYNC_WANTED_ONLY);
  satchel_imap_sync_want_bodies (run->body_sync, (const gint64 *) ids->data, ids->len);
  launch (run, G_OBJECT (run->body_sync), run->cancellable_bodies, bodies_done_cb);
}

/* user_data: the service, referenced by the search. */
static void
search_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SatchelMailService) self = user_data;
  gpointer account = g_object_get_data (source, "satchel-account");
  AccountRun *run = self->runs != NULL ? g_hash_table_lookup (self->runs, account) : NULL;
  g_autoptr(GError) error = NULL;
  GArray *found;

  satchel_imap_sync_run_finish (SATCHEL_IMAP_SYNC (source), result, &error);
  if (run == NULL || G_OBJECT (run->search_sync) != source)
    return;   /* another search replaced it */
  found = satchel_imap_sync_get_found (run->search_sync);
  if (error == NULL && found != NULL)
    g_signal_emit (self, signals[SIGNAL_SERVER_SEARCH_DONE], 0, run->account,
                   g_object_get_data (source, "satchel-query"), found);
  else if (error != NULL)
    g_debug ("The server search failed: %s", error->message);
  g_clear_object (&run->search_sync);
}

/**
 * satchel_mail_service_search_server:
 * @folder_id: a folder of @account, or 0 for all of them
 *
 * Searches an IMAP server for what the store cannot answer (words in
 * bodies not cached), replacing the account's search that runs;
 * "server-search-done" says what it found.
 */
void
satchel_mail_service_search_server (SatchelMailService *self,
                                    SatchelAccount     *account,
                                    gint64              folder_id,
                                    const char         *query)
{
  g_autoptr(GError) error = NULL;
  AccountRun *run;

  g_return_if_fail (SATCHEL_IS_MAIL_SERVICE (self));
  g_return_if_fail (SATCHEL_IS_ACCOUNT (account));

  if (satchel_account_get_kind (account) != SATCHEL_ACCOUNT_KIND_IMAP ||
      (run = run_of (self, account)) == NULL)
    return;
  g_cancellable_cancel (run->cancellable_search);
  g_clear_object (&run->cancellable_search);
  g_clear_object (&run->search_sync);
  if (!ensure_writer (self, &error))
    return;
  run->cancellable_search = g_cancellable_new ();
  run->search_sync = satchel_imap_sync_new (account, NULL, self->writer,
                                            SATCHEL_IMAP_SYNC_WANTED_ONLY);
  satchel_imap_sync_search_server (run->search_sync, folder_id, query);
  g_object_set_data_full (G_OBJECT (run->search_sync), "satchel-query", g_strdup (query), g_free);
  launch (run, G_OBJECT (run->search_sync), run->cancellable_search, search_done_cb);
}

/* Sending */

typedef struct
{
  SatchelAccount *account;
  SatchelDraft   *draft;
  gint64          draft_id;     /* the saved draft it came from, or 0 */
  GBytes         *raw;
  GStrv           recipients;
  char           *subject;
  char           *from;
  gint64          outbox_id;
} Outgoing;

static void
outgoing_free (Outgoing *outgoing)
{
  g_clear_object (&outgoing->account);
  g_clear_pointer (&outgoing->draft, satchel_draft_free);
  g_clear_pointer (&outgoing->raw, g_bytes_unref);
  g_clear_pointer (&outgoing->recipients, g_strfreev);
  g_free (outgoing->subject);
  g_free (outgoing->from);
  g_free (outgoing);
}

/* In a thread: attachments are read from disk. */
static void
build_thread (GTask        *task,
              gpointer      source,
              gpointer      data,
              GCancellable *cancellable)
{
  Outgoing *outgoing = data;
  g_autoptr(GMimeMessage) message = NULL;
  GError *error = NULL;

  message = satchel_draft_build (outgoing->draft, &error);
  if (message == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  outgoing->raw = satchel_mime_to_bytes (message);
  outgoing->recipients = satchel_draft_dup_recipients (outgoing->draft);
  outgoing->subject = g_strdup (outgoing->draft->subject);
  outgoing->from = g_strdup (outgoing->draft->from_address);
  g_task_return_boolean (task, TRUE);
}

/* Builds @draft into @outgoing, then goes on with @then. */
static void
build_async (SatchelMailService  *self,
             Outgoing            *outgoing,
             GCancellable        *cancellable,
             GAsyncReadyCallback  then,
             GTask               *task)
{
  g_autoptr(GTask) build = g_task_new (self, cancellable, then, task);

  g_task_set_task_data (build, outgoing, NULL);
  g_task_run_in_thread (build, build_thread);
}

/* Writer job: the message into the outbox, then the draft it came from
 * out of Drafts. Returns the outbox id. */
static gpointer
job_queue (SatchelStore  *store,
           gpointer       data,
           GError       **error)
{
  Outgoing *outgoing = data;
  gint64 *id = g_new0 (gint64, 1);

  *id = satchel_store_outbox_add (store, satchel_account_get_id (outgoing->account),
                                  outgoing->raw, outgoing->subject, outgoing->from,
                                  (const char * const *) outgoing->recipients,
                                  g_get_real_time () / G_USEC_PER_SEC, error);
  if (*id == 0)
    {
      g_free (id);
      return NULL;
    }
  /* Sent or not, the message is safe in the outbox: its draft goes. */
  if (outgoing->draft_id != 0)
    {
      g_autoptr(GError) draft_error = NULL;

      if (!satchel_mail_discard_draft (store, outgoing->draft_id, &draft_error))
        g_debug ("The draft of a message sent stays: %s", draft_error->message);
    }
  return id;
}

/* The id that a writer job for @task returned, or 0 when the job failed
 * (@task then has its error). */
static gint64
job_id (GObject      *writer,
        GAsyncResult *result,
        GTask        *task)
{
  g_autofree gint64 *id = NULL;
  GError *error = NULL;

  id = satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (writer), result, &error);
  if (id == NULL)
    {
      g_task_return_error (task, error);
      return 0;
    }
  return *id;
}

static void
queued_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SatchelMailService *self = g_task_get_source_object (task);
  Outgoing *outgoing = g_task_get_task_data (task);
  AccountRun *run;

  outgoing->outbox_id = job_id (source, result, task);
  if (outgoing->outbox_id == 0)
    return;
  run = run_of (self, outgoing->account);
  if (run == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("Satchel stopped before the message was sent; it waits in the "
                                 "outbox."));
      return;
    }
  if (outgoing->draft_id != 0)
    {
      emit_changed (run);
      start_run (run, TRUE);
    }
  g_queue_push_tail (&run->sends, g_steal_pointer (&task));
  start_outbox (run);
}

static void
send_built_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SatchelMailService *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (!ensure_writer (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  satchel_store_writer_run_async (self->writer, job_queue, g_task_get_task_data (task), NULL,
                                  g_free, NULL, queued_cb, g_object_ref (task));
}

/* The password of the outgoing server, or of the incoming one, which is
 * the same for most accounts. */
static void
outgoing_password_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(SatchelOutbox) outbox = user_data;
  g_autoptr(SatchelPassword) password = NULL;
  g_autoptr(GError) lookup_error = NULL;
  SatchelAccount *account = g_object_get_data (G_OBJECT (outbox), "satchel-account");
  gboolean incoming = g_object_get_data (G_OBJECT (outbox), "satchel-incoming") != NULL;

  password = satchel_secrets_lookup_finish (SATCHEL_SECRETS (source), result, &lookup_error);
  if (password == NULL && !incoming &&
      !g_error_matches (lookup_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_set_data (G_OBJECT (outbox), "satchel-incoming", GINT_TO_POINTER (TRUE));
      satchel_secrets_lookup_async (SATCHEL_SECRETS (source), satchel_account_get_uuid (account),
                                    SATCHEL_SECRET_INCOMING, NULL, outgoing_password_cb,
                                    g_steal_pointer (&outbox));
      return;
    }
  satchel_outbox_set_password (outbox, password,
                               password != NULL ? NULL
                               : g_error_new (SATCHEL_NET_ERROR,
                                              SATCHEL_NET_ERROR_AUTH_UNAVAILABLE,
                                              _("No password for the outgoing server of %s is "
                                                "saved."),
                                              satchel_account_get_label (account)));
}

/* user_data: the service, referenced by the run. */
static void
outbox_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SatchelMailService) self = user_data;
  gpointer account = g_object_get_data (source, "satchel-account");
  AccountRun *run = self->runs != NULL ? g_hash_table_lookup (self->runs, account) : NULL;
  g_autoptr(GError) error = NULL;
  GQueue waiting = G_QUEUE_INIT;
  gboolean ok;

  ok = satchel_outbox_send_finish (SATCHEL_OUTBOX (source), result, &error);
  if (run == NULL || G_OBJECT (run->outbox) != source)
    return;
  /* Each message learns what became of it; one queued after this run
   * looked waits for the next. */
  while (!g_queue_is_empty (&run->sends))
    {
      g_autoptr(GTask) task = g_queue_pop_head (&run->sends);
      Outgoing *outgoing = g_task_get_task_data (task);
      gboolean tried = FALSE;
      const GError *outcome = satchel_outbox_get_outcome (run->outbox, outgoing->outbox_id,
                                                          &tried);

      if (tried && outcome == NULL)
        g_task_return_boolean (task, TRUE);
      else if (tried)
        g_task_return_error (task, g_error_copy (outcome));
      else if (!ok)
        g_task_return_error (task, g_error_copy (error));
      else
        g_queue_push_tail (&waiting, g_steal_pointer (&task));
    }
  run->sends = waiting;
  if (satchel_outbox_get_sent (run->outbox) > 0)
    {
      /* The copies in Sent: here at once, on an IMAP server with the
       * next delivery. */
      emit_changed (run);
      start_run (run, TRUE);
    }
  g_clear_object (&run->outbox);
  g_clear_object (&run->cancellable_outbox);
  if (run->outbox_next || !g_queue_is_empty (&run->sends))
    {
      run->outbox_next = FALSE;
      start_outbox (run);
    }
}

static void
start_outbox (AccountRun *run)
{
  SatchelMailService *self = run->service;

  if (run->outbox != NULL)
    {
      run->outbox_next = TRUE;
      return;
    }
  if (self->writer == NULL)
    return;
  run->outbox = satchel_outbox_new (run->account, NULL, self->writer);
  run->cancellable_outbox = g_cancellable_new ();
  g_object_set_data (G_OBJECT (run->outbox), "satchel-account", run->account);
  satchel_secrets_lookup_async (self->secrets, satchel_account_get_uuid (run->account),
                                SATCHEL_SECRET_OUTGOING, run->cancellable_outbox,
                                outgoing_password_cb, g_object_ref (run->outbox));
  satchel_outbox_send_async (run->outbox, FALSE, run->cancellable_outbox, outbox_done_cb,
                             g_object_ref (self));
}

/* The service and an account, for a writer job's callback. */
typedef struct
{
  SatchelMailService *service;
  SatchelAccount     *account;
} ServiceAccount;

static ServiceAccount *
service_account_new (SatchelMailService *service,
                     SatchelAccount     *account)
{
  ServiceAccount *pair = g_new (ServiceAccount, 1);

  pair->service = g_object_ref (service);
  pair->account = g_object_ref (account);
  return pair;
}

static void
service_account_free (ServiceAccount *pair)
{
  g_object_unref (pair->service);
  g_object_unref (pair->account);
  g_free (pair);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ServiceAccount, service_account_free)

/* Writer job: whether the account's outbox holds a message due now (or
 * one a stopped process left "sending"). */
static gpointer
job_outbox_due (SatchelStore  *store,
                gpointer       data,
                GError       **error)
{
  g_autoptr(GPtrArray) items = satchel_store_outbox_list (store, GPOINTER_TO_SIZE (data), error);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (items == NULL)
    return NULL;
  for (guint i = 0; i < items->len; i++)
    {
      SatchelOutboxItem *item = g_ptr_array_index (items, i);

      if (satchel_outbox_item_wants_run (item, now))
        return GINT_TO_POINTER (2);
    }
  return GINT_TO_POINTER (1);
}

static void
outbox_due_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ServiceAccount) pair = user_data;
  AccountRun *run;

  if (GPOINTER_TO_INT (satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result,
                                                        NULL)) != 2 ||
      (run = run_of (pair->service, pair->account)) == NULL)
    return;
  start_outbox (run);
}

/* What waits in the outbox and is due goes now. */
static void
send_due (AccountRun *run)
{
  SatchelMailService *self = run->service;

  if (!satchel_account_has_smtp (run->account) || run->outbox != NULL || self->writer == NULL)
    return;
  satchel_store_writer_run_async (self->writer, job_outbox_due,
                                  GSIZE_TO_POINTER (satchel_account_get_id (run->account)), NULL,
                                  NULL, NULL, outbox_due_cb,
                                  service_account_new (self, run->account));
}

/**
 * satchel_mail_service_send_async:
 * @draft: (transfer full): what the user wrote
 * @draft_id: the saved draft it came from, discarded once the message is
 *   in the outbox; or 0
 *
 * Builds the message, puts it in the account's outbox, and sends it.
 * The result says what became of it: sent (%TRUE), refused for good
 * (%SATCHEL_NET_ERROR_REJECTED, with the server's words), or waiting in
 * the outbox (another error, which says why); an address that is not
 * one or an attachment that cannot be read fails before anything is kept.
 */
void
satchel_mail_service_send_async (SatchelMailService  *self,
                                 SatchelAccount      *account,
                                 SatchelDraft        *draft,
                                 gint64               draft_id,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Outgoing *outgoing;

  g_return_if_fail (SATCHEL_IS_MAIL_SERVICE (self));
  g_return_if_fail (SATCHEL_IS_ACCOUNT (account));
  g_return_if_fail (draft != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_mail_service_send_async);
  outgoing = g_new0 (Outgoing, 1);
  outgoing->account = g_object_ref (account);
  outgoing->draft = draft;
  outgoing->draft_id = draft_id;
  g_task_set_task_data (task, outgoing, (GDestroyNotify) outgoing_free);
  if (!satchel_account_has_smtp (account))
    {
      g_task_return_new_error (task, SATCHEL_MAIL_ERROR, SATCHEL_MAIL_ERROR_INVALID,
                               _("The account %s has no outgoing server to send with."),
                               satchel_account_get_label (account));
      return;
    }
  build_async (self, outgoing, cancellable, send_built_cb, g_steal_pointer (&task));
}

gboolean
satchel_mail_service_send_finish (SatchelMailService  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Drafts */

/* Writer job: the draft kept, the version it replaces gone. Returns its id. */
static gpointer
job_save_draft (SatchelStore  *store,
                gpointer       data,
                GError       **error)
{
  Outgoing *outgoing = data;
  gint64 *id = g_new0 (gint64, 1);

  *id = satchel_mail_save_draft (store, satchel_account_get_id (outgoing->account),
                                 satchel_account_get_kind (outgoing->account)
                                 == SATCHEL_ACCOUNT_KIND_IMAP,
                                 outgoing->raw, outgoing->draft_id, error);
  if (*id == 0)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, SATCHEL_MAIL_ERROR, SATCHEL_MAIL_ERROR_NOT_FOUND,
                     _("The account %s has no Drafts folder."),
                     satchel_account_get_label (outgoing->account));
      g_free (id);
      return NULL;
    }
  return id;
}

static void
draft_saved_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SatchelMailService *self = g_task_get_source_object (task);
  Outgoing *outgoing = g_task_get_task_data (task);
  gint64 id = job_id (source, result, task);
  AccountRun *run;

  if (id == 0)
    return;
  run = run_of (self, outgoing->account);
  if (run != NULL)
    {
      emit_changed (run);
      start_run (run, TRUE);
    }
  g_task_return_int (task, id);
}

static void
draft_built_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SatchelMailService *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error) || !ensure_writer (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  satchel_store_writer_run_async (self->writer, job_save_draft, g_task_get_task_data (task),
                                  NULL, g_free, NULL, draft_saved_cb, g_object_ref (task));
}

/**
 * satchel_mail_service_save_draft_async:
 * @draft: (transfer full): what the user wrote so far
 * @previous: the version of the draft it replaces, or 0
 *
 * Keeps the draft in the account's Drafts folder (and on an IMAP server).
 * The result is its new id.
 */
void
satchel_mail_service_save_draft_async (SatchelMailService  *self,
                                       SatchelAccount      *account,
                                       SatchelDraft        *draft,
                                       gint64               previous,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  GTask *task;
  Outgoing *outgoing;

  g_return_if_fail (SATCHEL_IS_MAIL_SERVICE (self));
  g_return_if_fail (SATCHEL_IS_ACCOUNT (account));
  g_return_if_fail (draft != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_mail_service_save_draft_async);
  outgoing = g_new0 (Outgoing, 1);
  outgoing->account = g_object_ref (account);
  outgoing->draft = draft;
  outgoing->draft_id = previous;
  g_task_set_task_data (task, outgoing, (GDestroyNotify) outgoing_free);
  build_async (self, outgoing, cancellable, draft_built_cb, task);
}

/**
 * satchel_mail_service_save_draft_finish:
 *
 * Returns: the draft's id in the store, or 0 with @error
 */
gint64
satchel_mail_service_save_draft_finish (SatchelMailService  *self,
                                        GAsyncResult        *result,
                                        GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  return g_task_propagate_int (G_TASK (result), error);
}

static gpointer
job_discard_draft (SatchelStore  *store,
                   gpointer       data,
                   GError       **error)
{
  return satchel_mail_discard_draft (store, *(gint64 *) data, error) ? GINT_TO_POINTER (TRUE)
                                                                     : NULL;
}

static void
draft_discarded_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(ServiceAccount) pair = user_data;
  g_autoptr(GError) error = NULL;
  AccountRun *run;

  if (satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result, &error) == NULL)
    g_warning ("A draft could not be discarded: %s", error->message);
  else if ((run = run_of (pair->service, pair->account)) != NULL)
    {
      emit_changed (run);
      start_run (run, TRUE);
    }
}

/**
 * satchel_mail_service_discard_draft:
 * @draft_id: a draft of @account in the store
 *
 * Deletes the draft for good, here and on the server.
 */
void
satchel_mail_service_discard_draft (SatchelMailService *self,
                                    SatchelAccount     *account,
                                    gint64              draft_id)
{
  g_autoptr(GError) error = NULL;
  gint64 *id;

  g_return_if_fail (SATCHEL_IS_MAIL_SERVICE (self));
  g_return_if_fail (SATCHEL_IS_ACCOUNT (account));

  if (!ensure_writer (self, &error))
    {
      g_warning ("A draft could not be discarded: %s", error->message);
      return;
    }
  id = g_new (gint64, 1);
  *id = draft_id;
  satchel_store_writer_run_async (self->writer, job_discard_draft, id, g_free, NULL, NULL,
                                  draft_discarded_cb, service_account_new (self, account));
}

/* Accounts that appear get their first check; those that go, go. */
static void
accounts_changed_cb (GListModel         *accounts,
                     guint               position,
                     guint               removed,
                     guint               added,
                     SatchelMailService *self)
{
  g_autoptr(GHashTable) present = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer account;

  if (self->runs == NULL)
    return;
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(SatchelAccount) item = g_list_model_get_item (accounts, i);

      g_hash_table_add (present, item);
      if (!g_hash_table_contains (self->runs, item) && self->started)
        start_run (run_of (self, item), FALSE);
    }
  g_hash_table_iter_init (&iter, self->runs);
  while (g_hash_table_iter_next (&iter, &account, NULL))
    if (!g_hash_table_contains (present, account))
      g_hash_table_iter_remove (&iter);
}

static gboolean
interval_cb (gpointer user_data)
{
  SatchelMailService *self = user_data;
  gint64 now = g_get_monotonic_time ();

  if (self->interval != 0)
    {
      satchel_mail_service_check (self, NULL);
      return G_SOURCE_CONTINUE;
    }
  /* Each account when its own interval has passed since its last check. */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->accounts)); i++)
    {
      g_autoptr(SatchelAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      AccountRun *run = run_of (self, account);
      gint64 every = (gint64) satchel_account_get_check_interval (account) * 60 * G_USEC_PER_SEC;

      if (run != NULL && now - run->last_checked >= every)
        start_run (run, FALSE);
    }
  return G_SOURCE_CONTINUE;
}

static void
satchel_mail_service_dispose (GObject *object)
{
  SatchelMailService *self = SATCHEL_MAIL_SERVICE (object);

  satchel_mail_service_stop (self);
  g_clear_object (&self->accounts);
  g_clear_object (&self->secrets);
  g_clear_object (&self->writer);

  G_OBJECT_CLASS (satchel_mail_service_parent_class)->dispose (object);
}

static void
satchel_mail_service_finalize (GObject *object)
{
  SatchelMailService *self = SATCHEL_MAIL_SERVICE (object);

  g_free (self->store_path);

  G_OBJECT_CLASS (satchel_mail_service_parent_class)->finalize (object);
}

static void
satchel_mail_service_class_init (SatchelMailServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = satchel_mail_service_dispose;
  object_class->finalize = satchel_mail_service_finalize;

  /**
   * SatchelMailService::changed:
   * @account: the account whose mail changed in the store
   */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, SATCHEL_TYPE_ACCOUNT);
  /**
   * SatchelMailService::state-changed:
   * @account: the account whose state or progress changed
   */
  signals[SIGNAL_STATE_CHANGED] =
    g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, SATCHEL_TYPE_ACCOUNT);
  /**
   * SatchelMailService::server-search-done:
   * @account: the account searched
   * @query: what was searched for
   * @found: (element-type gint64): the store's ids of what the server found
   */
  signals[SIGNAL_SERVER_SEARCH_DONE] =
    g_signal_new ("server-search-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 3, SATCHEL_TYPE_ACCOUNT, G_TYPE_STRING, G_TYPE_ARRAY);
}

static void
satchel_mail_service_init (SatchelMailService *self)
{
  self->runs = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) account_run_free);
}

/**
 * satchel_mail_service_new:
 * @store_path: the profile's store, which the service writes through a
 *   writer of its own
 *
 * The service checks only when asked until satchel_mail_service_start().
 */
SatchelMailService *
satchel_mail_service_new (const char         *store_path,
                          SatchelAccountList *accounts,
                          SatchelSecrets     *secrets)
{
  SatchelMailService *self = g_object_new (SATCHEL_TYPE_MAIL_SERVICE, NULL);

  self->store_path = g_strdup (store_path);
  self->accounts = g_object_ref (accounts);
  self->secrets = g_object_ref (secrets);
  g_signal_connect (accounts, "items-changed", G_CALLBACK (accounts_changed_cb), self);
  return self;
}

/**
 * satchel_mail_service_start:
 * @interval: how often every account is checked, in seconds; 0: each
 *   account as often as its check-interval says
 *
 * Checks every account now, each new account when it appears, and then
 * each one again when its interval has passed.
 */
void
satchel_mail_service_start (SatchelMailService *self,
                            guint               interval)
{
  g_return_if_fail (SATCHEL_IS_MAIL_SERVICE (self));

  self->started = TRUE;
  accounts_changed_cb (G_LIST_MODEL (self->accounts), 0, 0, 0, self);
  satchel_mail_service_set_interval (self, interval);
}

/**
 * satchel_mail_service_stop:
 *
 * Cancels every run and checks no more: for the application's shutdown.
 * Each run holds the service until its end, which comes soon after.
 */
void
satchel_mail_service_stop (SatchelMailService *self)
{
  g_return_if_fail (SATCHEL_IS_MAIL_SERVICE (self));

  g_clear_handle_id (&self->interval_id, g_source_remove);
  if (self->accounts != NULL)
    g_signal_handlers_disconnect_by_data (self->accounts, self);
  g_clear_pointer (&self->runs, g_hash_table_unref);
}

/**
 * satchel_mail_service_set_interval:
 * @seconds: how often every account is checked; 0: each account as often
 *   as its check-interval says
 */
void
satchel_mail_service_set_interval (SatchelMailService *self,
                                   guint               seconds)
{
  g_return_if_fail (SATCHEL_IS_MAIL_SERVICE (self));

  g_clear_handle_id (&self->interval_id, g_source_remove);
  self->interval = seconds;
  self->interval_id = g_timeout_add_seconds (seconds != 0 ? seconds : TICK_SECONDS, interval_cb,
                                             self);
}

/**
 * satchel_mail_service_check:
 * @account: (nullable): the account, or %NULL for every account
 *
 * Delivers the changes made here and fetches what is new.
 */
void
satchel_mail_service_check (SatchelMailService *self,
                            SatchelAccount     *account)
{
  g_return_if_fail (SATCHEL_IS_MAIL_SERVICE (self));

  if (account != NULL)
    {
      start_run (run_of (self, account), FALSE);
      return;
    }
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->accounts)); i++)
    {
      g_autoptr(SatchelAccount) item = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

      start_run (run_of (self, item), FALSE);
    }
}

/**
 * satchel_mail_service_push:
 *
 * Delivers the changes queued for @account's server (flags, moves,
 * deletions, folders), without fetching.
 */
void
satchel_mail_service_push (SatchelMailService *self,
                           SatchelAccount     *account)
{
  g_return_if_fail (SATCHEL_IS_MAIL_SERVICE (self));
  g_return_if_fail (SATCHEL_IS_ACCOUNT (account));

  start_run (run_of (self, account), TRUE);
}

/**
 * satchel_mail_service_fetch_body:
 * @message_id: the store's id of a message of @account
 *
 * Fetches the message's body now, beside any check that runs, as when
 * the user opens a message that is not cached. "changed" says when it
 * is there (or the account's state says why not).
 */
void
satchel_mail_service_fetch_body (SatchelMailService *self,
                                 SatchelAccount     *account,
                                 gint64              message_id)
{
  AccountRun *run;

  g_return_if_fail (SATCHEL_IS_MAIL_SERVICE (self));
  g_return_if_fail (SATCHEL_IS_ACCOUNT (account));

  /* A POP3 message is whole here from the start. */
  run = satchel_account_get_kind (account) == SATCHEL_ACCOUNT_KIND_IMAP ? run_of (self, account)
                                                                         : NULL;
  if (run == NULL)
    return;
  if (run->bodies_next == NULL)
    run->bodies_next = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_append_val (run->bodies_next, message_id);
  start_bodies (run);
}

/**
 * satchel_mail_service_get_state:
 * @message: (out) (optional) (transfer none): why it failed, in words
 */
SatchelAccountState
satchel_mail_service_get_state (SatchelMailService  *self,
                                SatchelAccount      *account,
                                const char         **message)
{
  AccountRun *run;

  g_return_val_if_fail (SATCHEL_IS_MAIL_SERVICE (self), SATCHEL_ACCOUNT_STATE_IDLE);

  run = self->runs != NULL ? g_hash_table_lookup (self->runs, account) : NULL;
  if (message != NULL)
    *message = run != NULL ? run->message : NULL;
  return run != NULL ? run->state : SATCHEL_ACCOUNT_STATE_IDLE;
}

/**
 * satchel_mail_service_get_progress:
 * @folder: (out) (optional) (transfer full): the folder being synced
 *
 * Returns: whether a check of @account runs; its progress then
 */
gboolean
satchel_mail_service_get_progress (SatchelMailService  *self,
                                   SatchelAccount      *account,
                                   char               **folder,
                                   guint               *done,
                                   guint               *total)
{
  AccountRun *run;

  g_return_val_if_fail (SATCHEL_IS_MAIL_SERVICE (self), FALSE);

  run = self->runs != NULL ? g_hash_table_lookup (self->runs, account) : NULL;
  if (run == NULL || run->sync == NULL || run->changes_only)
    return FALSE;
  g_object_get (run->sync, "folder", folder, "done", done, "total", total, NULL);
  return TRUE;
}

/**
 * satchel_mail_service_is_watching:
 *
 * Returns: whether @account's Inbox is watched in IDLE now, so that what
 *   arrives there is checked at once
 */
gboolean
satchel_mail_service_is_watching (SatchelMailService *self,
                                  SatchelAccount     *account)
{
  AccountRun *run;

  g_return_val_if_fail (SATCHEL_IS_MAIL_SERVICE (self), FALSE);

  run = self->runs != NULL ? g_hash_table_lookup (self->runs, account) : NULL;
  return run != NULL && run->doorbell != NULL && satchel_imap_doorbell_is_listening (run->doorbell);
}

/**
 * satchel_mail_service_is_busy:
 *
 * Returns: whether any run is under way (tests wait for this to end)
 */
gboolean
satchel_mail_service_is_busy (SatchelMailService *self)
{
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (SATCHEL_IS_MAIL_SERVICE (self), FALSE);

  if (self->runs == NULL)
    return FALSE;
  g_hash_table_iter_init (&iter, self->runs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((AccountRun *) value)->sync != NULL || ((AccountRun *) value)->body_sync != NULL ||
        ((AccountRun *) value)->search_sync != NULL)
      return TRUE;
  return FALSE;
}
