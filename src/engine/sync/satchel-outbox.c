/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-outbox.c: sending what waits in the outbox
 *
 * Copyright 2026 The Satchel authors
 *
 * One run sends an account's messages that are due, one after another on
 * one SMTP session. Each is marked "sending" (on disk) before its MAIL
 * command, and leaves the outbox only in the transaction that files its
 * copy in Sent, after the server accepted it. A refusal for good marks it
 * "failed" with the server's words; a refusal for now, or a connection
 * that broke before the whole message went out, queues it again with a
 * back-off; a connection that broke after that marks it "unknown", and it
 * is not sent again unless the user asks (retry). A process that stops
 * while a message is "sending" leaves it "unknown" too.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "net/satchel-net-error.h"
#include "smtp/satchel-smtp-session.h"
#include "store/satchel-cert-pins.h"
#include "store/satchel-store-outbox.h"
#include "sync/satchel-mail-actions.h"
#include "sync/satchel-outbox.h"
#include "sync/satchel-password-slot.h"

#define BACKOFF_FIRST 60
#define BACKOFF_MAX   (60 * 60)

typedef struct
{
  gint64   account_id;
  gboolean imap;
  char    *host;
  guint16  port;
  gboolean retry;
  gint64   now;
  /* Out */
  char      *pin;
  GPtrArray *items;   /* SatchelOutboxItem: what to send now */
} Prepare;

typedef struct
{
  gint64    id;
  gint64    account_id;
  gboolean  imap;
  GStrv     recipients;
  char     *state;       /* the new state; NULL: sent */
  char     *error;
  gboolean  attempted;
  gint64    next_attempt;
} Outcome;

struct _SatchelOutbox
{
  GObject             parent_instance;

  SatchelAccount     *account;
  SatchelStoreWriter *writer;
  SatchelPasswordSlot   password;

  GTask              *task;
  SatchelConnection  *connection;
  SatchelSmtpSession *session;
  GPtrArray          *items;       /* SatchelOutboxItem */
  guint               next;
  GBytes             *raw;         /* the message being sent */
  GHashTable         *outcomes;    /* id (gint64 *) → GError * or NULL: tried */
  guint               sent;
  gboolean            retry;
  gint64              now;
};

G_DEFINE_FINAL_TYPE (SatchelOutbox, satchel_outbox, G_TYPE_OBJECT)

static void send_next (SatchelOutbox *self);

static void
prepare_free (Prepare *prepare)
{
  g_free (prepare->host);
  g_free (prepare->pin);
  g_clear_pointer (&prepare->items, g_ptr_array_unref);
  g_free (prepare);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Prepare, prepare_free)

static void
outcome_free (Outcome *outcome)
{
  g_strfreev (outcome->recipients);
  g_free (outcome->state);
  g_free (outcome->error);
  g_free (outcome);
}

static void
clear_error (gpointer error)
{
  if (error != NULL)
    g_error_free (error);
}

static GCancellable *
cancellable (SatchelOutbox *self)
{
  return self->task != NULL ? g_task_get_cancellable (self->task) : NULL;
}

/* Jobs */

static gpointer
job_prepare (SatchelStore  *store,
             gpointer       data,
             GError       **error)
{
  Prepare *query = data;
  g_autoptr(Prepare) prepared = g_new0 (Prepare, 1);
  g_autoptr(GPtrArray) all = NULL;
  GError *local_error = NULL;

  if (!satchel_store_outbox_interrupted (store, error))
    return NULL;
  all = satchel_store_outbox_list (store, query->account_id, error);
  if (all == NULL)
    return NULL;
  prepared->items = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_outbox_item_free);
  for (guint i = 0; i < all->len; i++)
    {
      SatchelOutboxItem *item = g_ptr_array_index (all, i);

      /* What is still "sending" here is another running process's. */
      if (g_str_equal (item->state, "sending"))
        continue;
      if (query->retry || (g_str_equal (item->state, "queued") &&
                           item->next_attempt <= query->now))
        g_ptr_array_add (prepared->items, g_ptr_array_steal_index (all, i--));
    }
  prepared->pin = satchel_cert_pin_lookup (store, query->host, query->port, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  return g_steal_pointer (&prepared);
}

/* data: the item's id; returns its bytes, marked "sending" on disk. */
static gpointer
job_start (SatchelStore  *store,
           gpointer       data,
           GError       **error)
{
  gint64 id = *(gint64 *) data;
  GBytes *raw;

  if (!satchel_store_outbox_set_state (store, id, "sending", NULL, TRUE, 0, error))
    return NULL;
  raw = satchel_store_outbox_get_raw (store, id, error);
  if (raw == NULL && error != NULL && *error == NULL)
    g_set_error (error, SATCHEL_STORE_ERROR, SATCHEL_STORE_ERROR_FAILED,
                 _("The message %lld left the outbox."), (long long) id);
  return raw;
}

static gpointer
job_outcome (SatchelStore  *store,
             gpointer       data,
             GError       **error)
{
  Outcome *outcome = data;
  gboolean ok;

  if (!satchel_store_begin (store, error))
    return NULL;
  if (outcome->state != NULL)
    ok = satchel_store_outbox_set_state (store, outcome->id, outcome->state, outcome->error,
                                         FALSE, outcome->next_attempt, error);
  else
    {
      GBytes *raw = satchel_store_outbox_get_raw (store, outcome->id, error);
      GError *local_error = NULL;

      /* Sent: out of the outbox, a copy in Sent, the recipients counted. */
      ok = raw != NULL && satchel_store_outbox_remove (store, outcome->id, error);
      if (ok)
        {
          satchel_mail_file_copy (store, outcome->account_id, outcome->imap,
                                  SATCHEL_FOLDER_ROLE_SENT, raw, SATCHEL_FLAG_SEEN, &local_error);
          if (local_error != NULL)
            {
              g_propagate_error (error, local_error);
              ok = FALSE;
            }
        }
      ok = ok && satchel_store_note_contacts (store, (const char * const *) outcome->recipients,
                                              TRUE, g_get_real_time () / G_USEC_PER_SEC, error);
      g_clear_pointer (&raw, g_bytes_unref);
    }
  if (!ok)
    {
      satchel_store_rollback (store);
      return NULL;
    }
  if (!satchel_store_commit (store, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

/* The server could not be reached or refused the login: the messages
 * that were queued wait for their next attempt, with the reason. */
typedef struct
{
  GArray *ids;          /* gint64 */
  GArray *next;         /* gint64: each one's next attempt */
  char   *error;
} Postpone;

static void
postpone_free (Postpone *postpone)
{
  g_array_unref (postpone->ids);
  g_array_unref (postpone->next);
  g_free (postpone->error);
  g_free (postpone);
}

static gpointer
job_postpone (SatchelStore  *store,
              gpointer       data,
              GError       **error)
{
  Postpone *postpone = data;

  if (!satchel_store_begin (store, error))
    return NULL;
  for (guint i = 0; i < postpone->ids->len; i++)
    if (!satchel_store_outbox_set_state (store, g_array_index (postpone->ids, gint64, i), "queued",
                                         postpone->error, TRUE,
                                         g_array_index (postpone->next, gint64, i), error))
      {
        satchel_store_rollback (store);
        return NULL;
      }
  if (!satchel_store_commit (store, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

/* Ending */

static void
quit_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SatchelOutbox) self = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  satchel_smtp_session_quit_finish (SATCHEL_SMTP_SESSION (source), result, NULL);
  g_task_return_boolean (task, TRUE);
}

static gint64 backoff (SatchelOutboxItem *item,
                       gint64             now);

static void
postponed_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SatchelOutbox) self = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&self->task);
  GError *error = g_object_steal_data (G_OBJECT (task), "error");

  satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result, NULL);
  g_task_return_error (task, error);
}

static void
finish (SatchelOutbox *self,
        GError        *error)
{
  g_autoptr(GTask) task = NULL;

  /* Nothing could be tried: what was queued counts one more attempt. */
  if (error != NULL && self->next == 0 && self->items != NULL && self->items->len > 0)
    {
      Postpone *postpone = g_new0 (Postpone, 1);

      postpone->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      postpone->next = g_array_new (FALSE, FALSE, sizeof (gint64));
      postpone->error = g_strdup (error->message);
      for (guint i = 0; i < self->items->len; i++)
        {
          SatchelOutboxItem *item = g_ptr_array_index (self->items, i);
          gint64 next = backoff (item, self->now);

          if (!g_str_equal (item->state, "queued"))
            continue;
          g_array_append_val (postpone->ids, item->id);
          g_array_append_val (postpone->next, next);
        }
      self->next = self->items->len;
      if (self->connection != NULL)
        satchel_connection_close (self->connection);
      g_object_set_data (G_OBJECT (self->task), "error", error);
      satchel_store_writer_run_async (self->writer, job_postpone, postpone,
                                      (GDestroyNotify) postpone_free, NULL, NULL, postponed_cb,
                                      g_object_ref (self));
      return;
    }

  if (error == NULL && self->session != NULL && satchel_connection_is_connected (self->connection))
    {
      satchel_smtp_session_quit_async (self->session, NULL, quit_cb, g_object_ref (self));
      return;
    }
  task = g_steal_pointer (&self->task);
  if (self->connection != NULL)
    satchel_connection_close (self->connection);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Sending, one message after another */

static void
outcome_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SatchelOutbox) self = user_data;
  GError *error = NULL;

  if (satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result, &error) == NULL)
    {
      finish (self, error);
      return;
    }
  send_next (self);
}

static gint64
backoff (SatchelOutboxItem *item,
         gint64             now)
{
  gint64 delay = BACKOFF_FIRST;

  for (int i = 0; i < item->attempts && delay < BACKOFF_MAX; i++)
    delay *= 2;
  return now + MIN (delay, BACKOFF_MAX);
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SatchelOutbox) self = user_data;
  SatchelOutboxItem *item = g_ptr_array_index (self->items, self->next - 1);
  Outcome *outcome = g_new0 (Outcome, 1);
  GError *error = NULL;
  gboolean connection_lost = FALSE;

  g_clear_pointer (&self->raw, g_bytes_unref);
  outcome->id = item->id;
  outcome->account_id = item->account_id;
  outcome->imap = satchel_account_get_kind (self->account) == SATCHEL_ACCOUNT_KIND_IMAP;
  outcome->recipients = g_strdupv (item->recipients);
  if (satchel_smtp_session_send_finish (SATCHEL_SMTP_SESSION (source), result, &error))
    self->sent++;
  else if (g_error_matches (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_REJECTED))
    {
      outcome->state = g_strdup ("failed");
      outcome->error = g_strdup (error->message);
    }
  else if (g_error_matches (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_DELIVERY_UNKNOWN))
    {
      outcome->state = g_strdup ("unknown");
      outcome->error = g_strdup (error->message);
      connection_lost = TRUE;
    }
  else
    {
      /* For now, or the connection broke before the message was whole:
       * it goes again later. */
      outcome->state = g_strdup ("queued");
      outcome->error = g_strdup (error->message);
      outcome->next_attempt = backoff (item, self->now);
      connection_lost = !g_error_matches (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_TEMPORARY);
    }
  g_hash_table_insert (self->outcomes, g_memdup2 (&item->id, sizeof item->id), error);
  if (connection_lost)
    self->next = self->items->len;   /* the rest waits */
  satchel_store_writer_run_async (self->writer, job_outcome, outcome, (GDestroyNotify) outcome_free,
                                  NULL, cancellable (self), outcome_cb, g_object_ref (self));
}

static void
started_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SatchelOutbox) self = user_data;
  SatchelOutboxItem *item = g_ptr_array_index (self->items, self->next - 1);
  GError *error = NULL;

  self->raw = satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result, &error);
  if (self->raw == NULL)
    {
      finish (self, error);
      return;
    }
  satchel_smtp_session_send_async (self->session, item->mail_from,
                                   (const char * const *) item->recipients, self->raw,
                                   cancellable (self), sent_cb, g_object_ref (self));
}

static void
send_next (SatchelOutbox *self)
{
  SatchelOutboxItem *item;

  if (self->next >= self->items->len)
    {
      finish (self, NULL);
      return;
    }
  item = g_ptr_array_index (self->items, self->next++);
  satchel_store_writer_run_async (self->writer, job_start, g_memdup2 (&item->id, sizeof item->id),
                                  g_free, (GDestroyNotify) g_bytes_unref, cancellable (self),
                                  started_cb, g_object_ref (self));
}

/* Connecting */

static void
login_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SatchelOutbox) self = user_data;
  GError *error = NULL;

  if (!satchel_smtp_session_login_finish (SATCHEL_SMTP_SESSION (source), result, &error))
    {
      finish (self, error);
      return;
    }
  send_next (self);
}

static void
log_in (SatchelOutbox *self)
{
  GError *error = NULL;
  const char *password = satchel_password_slot_get (&self->password, &error);

  if (password == NULL)
    {
      if (error != NULL)
        finish (self, error);
      return;
    }
  satchel_smtp_session_login_async (self->session,
                                    satchel_account_get_effective_smtp_user (self->account),
                                    password, cancellable (self), login_cb, g_object_ref (self));
}

static void
connect_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SatchelOutbox) self = user_data;
  GError *error = NULL;

  if (!satchel_smtp_session_connect_finish (SATCHEL_SMTP_SESSION (source), result, &error))
    {
      finish (self, error);
      return;
    }
  log_in (self);
}

static void
prepare_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SatchelOutbox) self = user_data;
  g_autoptr(Prepare) prepared = NULL;
  GError *error = NULL;

  prepared = satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result, &error);
  if (prepared == NULL)
    {
      finish (self, error);
      return;
    }
  g_clear_pointer (&self->items, g_ptr_array_unref);
  self->items = g_steal_pointer (&prepared->items);
  if (self->items->len == 0)
    {
      finish (self, NULL);
      return;
    }
  self->connection = satchel_connection_new (satchel_account_get_smtp_host (self->account),
                                             satchel_account_get_effective_smtp_port (self->account),
                                             satchel_account_get_smtp_security (self->account));
  satchel_connection_set_ca_file (self->connection, satchel_account_get_ca_file (self->account));
  satchel_connection_set_pinned_sha256 (self->connection,
                                        prepared->pin != NULL && prepared->pin[0] != '\0'
                                        ? prepared->pin : NULL);
  self->session = satchel_smtp_session_new (self->connection);
  satchel_smtp_session_connect_async (self->session, cancellable (self), connect_cb,
                                      g_object_ref (self));
}

/**
 * satchel_outbox_send_async:
 * @retry: also what failed or whose delivery is unknown, and what waits
 *   for a later attempt: the user asked
 *
 * Sends the account's messages that are due. Fails only when no message
 * could be tried (the server cannot be reached, the login was refused);
 * each message's outcome is satchel_outbox_get_outcome()'s.
 */
void
satchel_outbox_send_async (SatchelOutbox       *self,
                           gboolean             retry,
                           GCancellable        *cancellable_,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  Prepare *prepare;

  g_return_if_fail (SATCHEL_IS_OUTBOX (self));
  g_return_if_fail (self->task == NULL);

  self->task = g_task_new (self, cancellable_, callback, user_data);
  g_task_set_source_tag (self->task, satchel_outbox_send_async);
  g_clear_object (&self->session);
  g_clear_object (&self->connection);
  g_hash_table_remove_all (self->outcomes);
  self->next = 0;
  self->sent = 0;
  self->retry = retry;
  self->now = g_get_real_time () / G_USEC_PER_SEC;

  if (!satchel_account_has_smtp (self->account))
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->task);

      g_task_return_new_error (task, SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_INVALID,
                               _("The account %s has no outgoing server."),
                               satchel_account_get_label (self->account));
      return;
    }
  satchel_connection_warm_up (satchel_account_get_smtp_host (self->account),
                              satchel_account_get_ca_file (self->account) == NULL);
  prepare = g_new0 (Prepare, 1);
  prepare->account_id = satchel_account_get_id (self->account);
  prepare->host = g_strdup (satchel_account_get_smtp_host (self->account));
  prepare->port = satchel_account_get_effective_smtp_port (self->account);
  prepare->retry = retry;
  prepare->now = self->now;
  satchel_store_writer_run_async (self->writer, job_prepare, prepare, (GDestroyNotify) prepare_free,
                                  (GDestroyNotify) prepare_free, cancellable (self), prepare_cb,
                                  g_object_ref (self));
}

gboolean
satchel_outbox_send_finish (SatchelOutbox  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * satchel_outbox_get_outcome:
 * @tried: (out): whether the last run tried to send message @id
 *
 * Returns: (nullable): why message @id was not sent; %NULL when it was
 *   (or was not tried)
 */
const GError *
satchel_outbox_get_outcome (SatchelOutbox *self,
                            gint64         id,
                            gboolean      *tried)
{
  gpointer error = NULL;

  g_return_val_if_fail (SATCHEL_IS_OUTBOX (self), NULL);

  *tried = g_hash_table_lookup_extended (self->outcomes, &id, NULL, &error);
  return error;
}

guint
satchel_outbox_get_sent (SatchelOutbox *self)
{
  g_return_val_if_fail (SATCHEL_IS_OUTBOX (self), 0);
  return self->sent;
}

/**
 * satchel_outbox_set_password:
 * @password: (nullable): the outgoing server's password
 * @error: (nullable) (transfer full): with no password, why
 */
void
satchel_outbox_set_password (SatchelOutbox *self,
                             const char    *password,
                             GError        *error)
{
  g_return_if_fail (SATCHEL_IS_OUTBOX (self));

  if (satchel_password_slot_set (&self->password, password, error))
    log_in (self);
}

static void
satchel_outbox_finalize (GObject *object)
{
  SatchelOutbox *self = SATCHEL_OUTBOX (object);

  g_assert (self->task == NULL);
  satchel_password_slot_clear (&self->password);
  g_clear_object (&self->session);
  g_clear_object (&self->connection);
  g_clear_object (&self->account);
  g_clear_object (&self->writer);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->raw, g_bytes_unref);
  g_hash_table_unref (self->outcomes);

  G_OBJECT_CLASS (satchel_outbox_parent_class)->finalize (object);
}

static void
satchel_outbox_class_init (SatchelOutboxClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = satchel_outbox_finalize;
}

static void
satchel_outbox_init (SatchelOutbox *self)
{
  self->outcomes = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, clear_error);
}

/**
 * satchel_outbox_new:
 * @password: (nullable): the outgoing server's password, or %NULL to give
 *   it later with satchel_outbox_set_password()
 */
SatchelOutbox *
satchel_outbox_new (SatchelAccount     *account,
                    const char         *password,
                    SatchelStoreWriter *writer)
{
  SatchelOutbox *self;

  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (SATCHEL_IS_STORE_WRITER (writer), NULL);

  self = g_object_new (SATCHEL_TYPE_OUTBOX, NULL);
  self->account = g_object_ref (account);
  self->writer = g_object_ref (writer);
  satchel_password_slot_init (&self->password, password);
  return self;
}
