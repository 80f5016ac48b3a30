/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-imap-doorbell.c: IDLE on an IMAP Inbox, to check it at once
 *
 * Copyright 2026 The Satchel authors
 *
 * The mail service checks each account every few minutes. With this, a
 * change in an IMAP Inbox (new mail, mail gone, flags changed on another
 * device) is checked within a second: a connection of its own EXAMINEs
 * the Inbox and stays in IDLE (RFC 2177), renewed every 25 minutes since
 * servers may end an IDLE after 30. Whatever the server then says of the
 * Inbox (EXISTS, EXPUNGE, VANISHED, FETCH) rings it ("rang", at most once
 * in RING_DELAY_MS), and the service checks the account. When all it
 * heard were flag changes with mod-sequences and messages gone by UID
 * (VANISHED, once QRESYNC is on), "rang" names those, so that the service
 * can tell its own changes from another device's.
 *
 * It writes nothing: the check does the work, one run per account as
 * always, so that nothing here can race a sync. What changed before it
 * listened rings nothing; "listening" says whether anything did, from
 * what EXAMINE says and what the store holds of the Inbox. It ends
 * ("ended") when its connection fails, or at once when the server has no
 * IDLE; the service then starts another (satchel-mail-service.c says
 * when).
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "imap/satchel-imap-session.h"
#include "net/satchel-net-error.h"
#include "satchel-debug.h"
#include "satchel-imap-doorbell.h"
#include "satchel-imap-sync-jobs.h"
#include "store/satchel-cert-pins.h"
#include "sync/satchel-password-slot.h"

#define RENEW_SECONDS (25 * 60)
#define RING_DELAY_MS 300
#define HEARD_MAX     1024   /* changes named in one ring; beyond, "more" */

struct _SatchelImapDoorbell
{
  GObject parent_instance;

  SatchelAccount     *account;
  SatchelStoreWriter *writer;
  SatchelPasswordSlot password;      /* until the login; wiped when cleared */
  GCancellable       *cancellable;
  SatchelConnection  *connection;
  SatchelImapSession *session;
  guint               renew_id;
  guint               ring_id;
  /* What it heard until it rings: MODSEQs of flag changes, UIDs gone
   * (guint64 each); NULL both when it heard anything else. */
  GArray             *flag_changes;
  GArray             *vanished;
  SatchelImapMailbox *examined;    /* what EXAMINE said, until "listening" */
  gboolean            listening;   /* in IDLE on the Inbox */
  gboolean            ended;
};

G_DEFINE_FINAL_TYPE (SatchelImapDoorbell, satchel_imap_doorbell, G_TYPE_OBJECT)

enum
{
  SIGNAL_LISTENING,
  SIGNAL_RANG,
  SIGNAL_ENDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_idle (SatchelImapDoorbell *self);

static void
note (SatchelImapDoorbell *self,
      const char          *what)
{
  if (SATCHEL_DEBUGGING (SATCHEL_DEBUG_IMAP))
    satchel_debug_note ("imap", "%s: Inbox watch: %s", satchel_account_get_host (self->account),
                        what);
}

/* Stops for good, once; @error says why, or nothing when stopped. */
static void
end (SatchelImapDoorbell *self,
     GError              *error)
{
  g_autoptr(GError) owned = error;

  if (self->ended)
    return;
  self->ended = TRUE;
  self->listening = FALSE;
  g_clear_handle_id (&self->renew_id, g_source_remove);
  g_clear_handle_id (&self->ring_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  if (self->connection != NULL)
    satchel_connection_close (self->connection);
  satchel_password_slot_clear (&self->password);
  note (self, owned != NULL ? owned->message : "stopped");
  /* A handler may drop every other reference. */
  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_ENDED], 0, owned);
  g_object_unref (self);
}

static gboolean
ring_cb (gpointer user_data)
{
  SatchelImapDoorbell *self = user_data;
  g_autoptr(GArray) flag_changes = g_steal_pointer (&self->flag_changes);
  g_autoptr(GArray) vanished = g_steal_pointer (&self->vanished);

  self->ring_id = 0;
  note (self, flag_changes != NULL ? "flags changed, or mail gone, in the Inbox"
                                   : "the Inbox changed");
  g_signal_emit (self, signals[SIGNAL_RANG], 0, flag_changes, vanished);
  return G_SOURCE_REMOVE;
}

/* Notes the UIDs of "VANISHED uid-set" in @uids; FALSE when the set is
 * not one (an EARLIER one answers a command, and this one sends none),
 * or names more than HEARD_MAX in all. */
static gboolean
note_vanished (const SatchelImapResponse *response,
               GArray                    *uids)
{
  g_autoptr(SatchelImapUidSet) set = satchel_imap_uid_set_new ();
  gboolean earlier = FALSE;

  if (!satchel_imap_parse_vanished (response, set, &earlier) || earlier ||
      satchel_imap_uid_set_count (set) > HEARD_MAX - uids->len)
    return FALSE;
  for (guint i = 0; i < satchel_imap_uid_set_n_ranges (set); i++)
    {
      const SatchelImapUidRange *range = satchel_imap_uid_set_get_range (set, i);

      for (guint64 uid = range->first; uid <= range->last; uid++)
        g_array_append_val (uids, uid);
    }
  return TRUE;
}

/* Notes what a flag change's MODSEQ or a VANISHED names, while that is
 * all it heard; anything else (new mail, an EXPUNGE by number, a FETCH
 * without MODSEQ) only rings. */
static gboolean
note_heard (SatchelImapDoorbell       *self,
            const SatchelImapResponse *response)
{
  g_autoptr(SatchelImapFetch) fetch = NULL;

  if (self->flag_changes == NULL)
    return FALSE;
  if (satchel_imap_response_is_data (response, "VANISHED"))
    return note_vanished (response, self->vanished);
  if (!satchel_imap_response_is_data (response, "FETCH") ||
      (fetch = satchel_imap_fetch_parse (response, NULL)) == NULL ||
      !(fetch->items & SATCHEL_IMAP_FETCH_MODSEQ) || self->flag_changes->len >= HEARD_MAX)
    return FALSE;
  g_array_append_val (self->flag_changes, fetch->modseq);
  return TRUE;
}

static void
untagged_cb (SatchelImapSession        *session,
             const SatchelImapResponse *response,
             SatchelImapDoorbell       *self)
{
  if (!self->listening ||
      !(satchel_imap_response_is_data (response, "EXISTS") ||
        satchel_imap_response_is_data (response, "EXPUNGE") ||
        satchel_imap_response_is_data (response, "VANISHED") ||
        satchel_imap_response_is_data (response, "FETCH")))
    return;
  if (self->ring_id == 0)
    {
      self->flag_changes = g_array_new (FALSE, FALSE, sizeof (guint64));
      self->vanished = g_array_new (FALSE, FALSE, sizeof (guint64));
      self->ring_id = g_timeout_add (RING_DELAY_MS, ring_cb, self);
    }
  if (!note_heard (self, response))
    {
      g_clear_pointer (&self->flag_changes, g_array_unref);
      g_clear_pointer (&self->vanished, g_array_unref);
    }
}

static gboolean
renew_cb (gpointer user_data)
{
  SatchelImapDoorbell *self = user_data;

  /* DONE; idle_cb() starts the next IDLE. */
  self->renew_id = 0;
  if (satchel_imap_session_is_idling (self->session))
    satchel_imap_session_idle_done (self->session);
  return G_SOURCE_REMOVE;
}

static void
idle_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SatchelImapDoorbell) self = user_data;
  g_autoptr(SatchelImapResult) reply = NULL;
  GError *error = NULL;

  reply = satchel_imap_session_run_finish (SATCHEL_IMAP_SESSION (source), result, &error);
  if (self->ended)
    {
      g_clear_error (&error);
      return;
    }
  if (reply == NULL)
    {
      end (self, error);
      return;
    }
  /* Refused: asking again at once would ask forever. */
  if (reply->tagged->status != SATCHEL_IMAP_STATUS_OK)
    {
      end (self, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_SERVER,
                              _("The server %s refused to wait for new mail: %s"),
                              satchel_account_get_host (self->account), reply->tagged->text));
      return;
    }
  start_idle (self);
}

static void
start_idle (SatchelImapDoorbell *self)
{
  self->listening = TRUE;
  satchel_imap_session_idle_async (self->session, self->cancellable, idle_cb,
                                   g_object_ref (self));
  g_clear_handle_id (&self->renew_id, g_source_remove);
  self->renew_id = g_timeout_add_seconds (RENEW_SECONDS, renew_cb, self);
}

/* data: the account's id (gint64 *). Returns its Inbox as the store has
 * it, or NULL. */
static gpointer
job_load_inbox (SatchelStore  *store,
                gpointer       data,
                GError       **error)
{
  return satchel_store_find_folder_by_role (store, *(gint64 *) data, SATCHEL_FOLDER_ROLE_INBOX,
                                            error);
}

/* Whether the Inbox may hold what the store has not: anything but the
 * same UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ as the last check stored.
 * Without mod-sequences a flag changed elsewhere leaves no mark, and
 * without QRESYNC an expunge may not either (RFC 7162, 3.2.10): then
 * anything may have changed. */
static gboolean
missed_something (SatchelImapSession       *session,
                  const SatchelImapMailbox *now,
                  const SatchelFolderInfo  *stored)
{
  if (stored == NULL || now->highestmodseq == 0 || stored->highestmodseq == 0 ||
      !satchel_imap_session_has_capability (session, "QRESYNC"))
    return TRUE;
  return now->uidvalidity != stored->uidvalidity || now->uidnext != stored->uidnext ||
         now->highestmodseq != stored->highestmodseq;
}

static void
inbox_loaded_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SatchelImapDoorbell) self = user_data;
  g_autoptr(SatchelFolderInfo) stored = NULL;
  g_autoptr(SatchelImapMailbox) examined = g_steal_pointer (&self->examined);
  g_autoptr(GError) error = NULL;
  gboolean missed;

  /* Not read (the store failed): as if anything had changed. */
  stored = satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result, &error);
  if (self->ended || examined == NULL)
    return;
  missed = missed_something (self->session, examined, stored);
  note (self, missed ? "listening; the Inbox changed since the last check"
                     : "listening; the Inbox is as the last check left it");
  g_signal_emit (self, signals[SIGNAL_LISTENING], 0, missed);
}

static void
examined_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SatchelImapDoorbell) self = user_data;
  GError *error = NULL;
  gint64 *account_id;

  self->examined = satchel_imap_session_select_finish (SATCHEL_IMAP_SESSION (source), result,
                                                       &error);
  if (self->ended)
    {
      g_clear_pointer (&self->examined, satchel_imap_mailbox_free);
      g_clear_error (&error);
      return;
    }
  if (self->examined == NULL)
    {
      end (self, error);
      return;
    }
  /* Listening first: what comes while the store is read rings. */
  start_idle (self);
  account_id = g_new (gint64, 1);
  *account_id = satchel_account_get_id (self->account);
  satchel_store_writer_run_async (self->writer, job_load_inbox, account_id, g_free,
                                  (GDestroyNotify) satchel_folder_info_free, self->cancellable,
                                  inbox_loaded_cb, g_object_ref (self));
}

static void
examine (SatchelImapDoorbell *self)
{
  /* "INBOX" names the Inbox on every server (RFC 3501, 5.1). */
  satchel_imap_session_select_async (self->session, "INBOX", 5, TRUE, 0, 0, self->cancellable,
                                     examined_cb, g_object_ref (self));
}

static void
enabled_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SatchelImapDoorbell) self = user_data;
  GError *error = NULL;

  /* Refused (NO), it listens as without: every expunge rings as another
   * client's. */
  if (!satchel_imap_session_enable_finish (SATCHEL_IMAP_SESSION (source), result, &error) ||
      self->ended)
    {
      if (self->ended)
        g_clear_error (&error);
      end (self, error);
      return;
    }
  examine (self);
}

static void
login_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SatchelImapDoorbell) self = user_data;
  GError *error = NULL;

  if (!satchel_imap_session_login_finish (SATCHEL_IMAP_SESSION (source), result, &error) ||
      self->ended)
    {
      if (self->ended)
        g_clear_error (&error);
      end (self, error);
      return;
    }
  /* Without IDLE the service's checks are all there is. */
  if (!satchel_imap_session_has_capability (self->session, "IDLE"))
    {
      end (self, NULL);
      return;
    }
  /* With QRESYNC on, mail gone comes as VANISHED with its UIDs, not as
   * EXPUNGE with a number (RFC 7162, 3.2.10): the service can tell its
   * own moves and deletions. */
  if (satchel_imap_session_has_capability (self->session, "QRESYNC"))
    {
      static const char *qresync[] = { "QRESYNC", NULL };

      satchel_imap_session_enable_async (self->session, qresync, self->cancellable, enabled_cb,
                                         g_object_ref (self));
      return;
    }
  examine (self);
}

static void
connect_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SatchelImapDoorbell) self = user_data;
  GError *error = NULL;

  if (!satchel_imap_session_connect_finish (SATCHEL_IMAP_SESSION (source), result, &error) ||
      self->ended)
    {
      if (self->ended)
        g_clear_error (&error);
      end (self, error);
      return;
    }
  satchel_imap_session_login_async (self->session, satchel_account_get_user (self->account),
                                    satchel_password_slot_get (&self->password, NULL),
                                    self->cancellable, login_cb, g_object_ref (self));
  satchel_password_slot_clear (&self->password);
}

static void
pin_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(SatchelImapDoorbell) self = user_data;
  g_autofree char *pin = NULL;
  GError *error = NULL;

  pin = satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result, &error);
  if (pin == NULL || self->ended)
    {
      if (self->ended)
        g_clear_error (&error);
      end (self, error);
      return;
    }
  self->connection = satchel_incoming_connection_new (self->account, pin);
  self->session = satchel_imap_session_new (self->connection);
  g_signal_connect_object (self->session, "untagged", G_CALLBACK (untagged_cb), self, 0);
  satchel_imap_session_connect_async (self->session, self->cancellable, connect_cb,
                                      g_object_ref (self));
}

static void
satchel_imap_doorbell_dispose (GObject *object)
{
  SatchelImapDoorbell *self = SATCHEL_IMAP_DOORBELL (object);

  g_clear_handle_id (&self->renew_id, g_source_remove);
  g_clear_handle_id (&self->ring_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_pointer (&self->flag_changes, g_array_unref);
  g_clear_pointer (&self->vanished, g_array_unref);
  g_clear_pointer (&self->examined, satchel_imap_mailbox_free);
  g_clear_object (&self->session);
  g_clear_object (&self->connection);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->writer);
  g_clear_object (&self->account);

  G_OBJECT_CLASS (satchel_imap_doorbell_parent_class)->dispose (object);
}

static void
satchel_imap_doorbell_finalize (GObject *object)
{
  SatchelImapDoorbell *self = SATCHEL_IMAP_DOORBELL (object);

  satchel_password_slot_clear (&self->password);

  G_OBJECT_CLASS (satchel_imap_doorbell_parent_class)->finalize (object);
}

static void
satchel_imap_doorbell_class_init (SatchelImapDoorbellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = satchel_imap_doorbell_dispose;
  object_class->finalize = satchel_imap_doorbell_finalize;

  /**
   * SatchelImapDoorbell::listening:
   * @missed: whether the Inbox may have changed since the store's last
   *   check of it: what changed before now rang nothing
   *
   * It waits in IDLE on the Inbox now: what changes there from here on
   * rings it.
   */
  signals[SIGNAL_LISTENING] =
    g_signal_new ("listening", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  /**
   * SatchelImapDoorbell::rang:
   * @flag_changes: (nullable) (element-type guint64): when all the server
   *   said were flag changes and messages gone, the flag changes'
   *   mod-sequences; %NULL when it said more
   * @vanished: (nullable) (element-type guint64): then, the UIDs of the
   *   messages gone; %NULL when it said more
   *
   * The server said something of the Inbox: check the account.
   */
  signals[SIGNAL_RANG] =
    g_signal_new ("rang", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_ARRAY, G_TYPE_ARRAY);
  /**
   * SatchelImapDoorbell::ended:
   * @error: (nullable): why, or %NULL when stopped or the server has no IDLE
   *
   * It listens no more, for good.
   */
  signals[SIGNAL_ENDED] =
    g_signal_new ("ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
satchel_imap_doorbell_init (SatchelImapDoorbell *self)
{
  self->cancellable = g_cancellable_new ();
}

/**
 * satchel_imap_doorbell_new:
 * @writer: the writer through which the store's certificate pins are read
 */
SatchelImapDoorbell *
satchel_imap_doorbell_new (SatchelAccount     *account,
                           SatchelStoreWriter *writer)
{
  SatchelImapDoorbell *self = g_object_new (SATCHEL_TYPE_IMAP_DOORBELL, NULL);

  self->account = g_object_ref (account);
  self->writer = g_object_ref (writer);
  return self;
}

/**
 * satchel_imap_doorbell_start:
 * @password: what the account logs in with
 *
 * Connects, logs in and listens; once only, and not once stopped.
 */
void
satchel_imap_doorbell_start (SatchelImapDoorbell *self,
                             const char          *password)
{
  SatchelFolderInfo *where;

  g_return_if_fail (SATCHEL_IS_IMAP_DOORBELL (self));
  g_return_if_fail (password != NULL);
  g_return_if_fail (self->session == NULL && self->password.password == NULL);

  if (self->ended)
    return;   /* stopped before the keyring answered */
  satchel_password_slot_init (&self->password, password);
  /* Which certificate is pinned for this host and port. */
  where = g_new0 (SatchelFolderInfo, 1);
  where->name = g_strdup (satchel_account_get_host (self->account));
  where->uidnext = satchel_account_get_effective_port (self->account);
  satchel_store_writer_run_async (self->writer, satchel_job_lookup_pin, where,
                                  (GDestroyNotify) satchel_folder_info_free, g_free,
                                  self->cancellable, pin_cb, g_object_ref (self));
}

/**
 * satchel_imap_doorbell_stop:
 *
 * Closes the connection; "ended" follows, without an error.
 */
void
satchel_imap_doorbell_stop (SatchelImapDoorbell *self)
{
  g_return_if_fail (SATCHEL_IS_IMAP_DOORBELL (self));

  end (self, NULL);
}

/**
 * satchel_imap_doorbell_is_listening:
 *
 * Returns: whether it waits in IDLE on the Inbox now
 */
gboolean
satchel_imap_doorbell_is_listening (SatchelImapDoorbell *self)
{
  g_return_val_if_fail (SATCHEL_IS_IMAP_DOORBELL (self), FALSE);

  return self->listening;
}
