/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-imap-session.c: an IMAP session on one connection
 *
 * Copyright 2026 The Satchel authors
 *
 * The session reads responses for as long as it is connected and sends
 * tagged commands as they come, many in flight at once. A tagged response
 * completes its command; untagged responses that a command asked for
 * (LIST for LIST, FETCH for UID FETCH) go to it, the rest are emitted as
 * "untagged" for whoever follows the mailbox. A reply to a command never
 * sent, or anything malformed, ends the session.
 *
 * Commands are written in order. A synchronizing literal (without
 * LITERAL+) holds the queue until the server's continuation, so that no
 * later command is mistaken for the literal's bytes.
 *
 * Until TLS is up on an account that wants it, every failure is reported
 * as SATCHEL_NET_ERROR_INSECURE, except an untrusted certificate; and no
 * password is ever sent on a connection that is not encrypted, unless the
 * account was set up without encryption on purpose.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "imap/satchel-imap-fetch.h"
#include "imap/satchel-imap-parser.h"
#include "net/satchel-net-error.h"
#include "net/satchel-sasl.h"
#include "satchel-debug.h"
#include "satchel-imap-session.h"

#define MAX_LINE (8 * 1024 * 1024)

/* The most memory the untagged responses collected for one command may
 * take. The largest real answers (a QRESYNC SELECT reporting 100,000
 * changed messages, a LIST of 100,000 folders, the biggest SEARCH) take
 * well under it; a server that sends millions of "* 1 EXISTS" in answer
 * to one command would otherwise take gigabytes. */
#define MAX_COLLECTED_SIZE (128 * 1024 * 1024)

typedef struct
{
  char               *tag;
  SatchelImapCommand *command;
  GPtrArray          *parts;      /* GBytes still to send, the next first */
  GPtrArray          *untagged;   /* collected responses */
  gsize               collected_size; /* the memory they take */
  GTask              *task;
  gboolean            awaiting_continuation;
  gboolean            pauses_reading; /* STARTTLS: nothing may be read after its reply */
  gboolean            idle;           /* IDLE: DONE waits for satchel_imap_session_idle_done() */
  gboolean            idling;         /* the server said "+": idling now */
  gboolean            done_wanted;
  gulong              cancel_id;
} Pending;

struct _SatchelImapSession
{
  GObject parent_instance;

  SatchelImapSessionState state;
  guint                   next_tag;
  gboolean                reading;
  gboolean                pause_after_reply;
  gboolean                bye_seen;

  /* Owned */
  SatchelConnection      *connection;
  SatchelImapParser      *parser;
  GHashTable             *capabilities;  /* upper-case names */
  GCancellable           *cancellable;   /* the read loop's; cancelled on dispose */
  GQueue                  in_flight;     /* Pending, sent or being sent */
  GQueue                  to_send;       /* Pending, not yet fully written (borrowed) */
  GTask                  *greeting;      /* waits for the greeting */
  GError                 *fatal;
  char                   *greeting_text;
  GHashTable             *enabled;       /* upper-case names ENABLE confirmed */
  Pending                *idle;          /* borrowed from in_flight */
};

G_DEFINE_FINAL_TYPE (SatchelImapSession, satchel_imap_session, G_TYPE_OBJECT)

enum {
  UNTAGGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void read_next       (SatchelImapSession *self);
static void pump_writes     (SatchelImapSession *self);
static void fail_session    (SatchelImapSession *self,
                             GError             *error);

void
satchel_imap_result_free (SatchelImapResult *result)
{
  if (result == NULL)
    return;
  satchel_imap_response_free (result->tagged);
  g_clear_pointer (&result->untagged, g_ptr_array_unref);
  g_free (result);
}

static void
pending_free (Pending *pending)
{
  if (pending->cancel_id != 0)
    g_cancellable_disconnect (g_task_get_cancellable (pending->task), pending->cancel_id);
  g_free (pending->tag);
  satchel_imap_command_free (pending->command);
  g_clear_pointer (&pending->parts, g_ptr_array_unref);
  g_clear_pointer (&pending->untagged, g_ptr_array_unref);
  g_clear_object (&pending->task);
  g_free (pending);
}

/* Weak references for callbacks of the read loop, which must not keep the
 * session alive. */
static GWeakRef *
weak_self (SatchelImapSession *self)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_weak_ref_init (ref, self);
  return ref;
}

static SatchelImapSession *
take_weak_self (GWeakRef *ref)
{
  SatchelImapSession *self = g_weak_ref_get (ref);

  g_weak_ref_clear (ref);
  g_free (ref);
  return self;
}

static const char *
host (SatchelImapSession *self)
{
  return satchel_connection_get_host (self->connection);
}

/* Silence counts only while a reply is due: not while idling. */
static void
update_expecting (SatchelImapSession *self)
{
  guint waiting = self->in_flight.length;

  if (self->idle != NULL && self->idle->idling && !self->idle->done_wanted)
    waiting--;
  satchel_connection_set_expecting_reply (self->connection,
                                          self->greeting != NULL || waiting > 0);
}

/* Capabilities */

static void
set_capabilities (SatchelImapSession     *self,
                  const SatchelImapValue *list,
                  guint                   first)
{
  g_auto(GStrv) ignored = NULL;
  const char *ignore = g_getenv ("SATCHEL_IMAP_IGNORE");

  /* SATCHEL_IMAP_IGNORE=QRESYNC,CONDSTORE: behave as with a server that
   * lacks them, to try the paths other servers take. */
  if (ignore != NULL)
    ignored = g_strsplit (ignore, ",", -1);
  g_hash_table_remove_all (self->capabilities);
  for (guint i = first; i < satchel_imap_value_get_length (list); i++)
    {
      const SatchelImapValue *item = satchel_imap_value_get_item (list, i);
      g_autofree char *name = NULL;

      if (item == NULL || item->kind != SATCHEL_IMAP_VALUE_ATOM)
        continue;
      name = g_ascii_strup (item->text, item->len);
      if (ignored != NULL && g_strv_contains ((const char * const *) ignored, name))
        continue;
      g_hash_table_add (self->capabilities, g_steal_pointer (&name));
    }
}

static void
take_capability_code (SatchelImapSession        *self,
                      const SatchelImapResponse *response)
{
  SatchelImapValue *code = satchel_imap_response_get_code (response, "CAPABILITY");

  if (code != NULL)
    set_capabilities (self, code, 1);
}

/* Writing */

static void
write_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SatchelImapSession) self = take_weak_self (user_data);
  g_autoptr(GError) error = NULL;

  if (!satchel_connection_write_finish (SATCHEL_CONNECTION (source), result, &error) &&
      self != NULL)
    fail_session (self, g_steal_pointer (&error));
}

static void
debug_sent (Pending *pending,
            GBytes  *part)
{
  const char *name = satchel_imap_command_get_name (pending->command);
  gsize len;
  const char *data = g_bytes_get_data (part, &len);

  if (g_ascii_strcasecmp (name, "LOGIN") == 0 || g_ascii_strcasecmp (name, "AUTHENTICATE") == 0)
    {
      g_autofree char *hidden = g_strdup_printf ("%s %s (credentials hidden)", pending->tag, name);

      satchel_debug_wire ("imap", "C", hidden, strlen (hidden));
      return;
    }
  satchel_debug_wire ("imap", "C", data, len);
}

static void
pump_writes (SatchelImapSession *self)
{
  Pending *pending;

  while ((pending = g_queue_peek_head (&self->to_send)) != NULL)
    {
      g_autoptr(GBytes) part = NULL;

      if (pending->awaiting_continuation)
        return;
      if (pending->idle && pending->idling && !pending->done_wanted)
        return;
      part = g_ptr_array_steal_index (pending->parts, 0);
      if (SATCHEL_DEBUGGING (SATCHEL_DEBUG_IMAP))
        debug_sent (pending, part);
      satchel_connection_write_async (self->connection, part, NULL, write_cb, weak_self (self));
      if (pending->parts->len > 0)
        {
          pending->awaiting_continuation = TRUE;
          return;
        }
      g_queue_pop_head (&self->to_send);
    }
}

/* Completing */

static Pending *
find_in_flight (SatchelImapSession *self,
                const char         *tag)
{
  for (GList *l = self->in_flight.head; l != NULL; l = l->next)
    {
      Pending *pending = l->data;

      if (g_str_equal (pending->tag, tag))
        return pending;
    }
  return NULL;
}

static void
fail_session (SatchelImapSession *self,
              GError             *error)
{
  Pending *pending;

  if (self->fatal == NULL)
    self->fatal = g_error_copy (error);
  self->state = SATCHEL_IMAP_SESSION_DISCONNECTED;
  satchel_connection_close (self->connection);
  g_cancellable_cancel (self->cancellable);

  if (self->greeting != NULL)
    {
      GTask *greeting = g_steal_pointer (&self->greeting);

      g_task_return_error (greeting, g_error_copy (error));
      g_object_unref (greeting);
    }
  g_queue_clear (&self->to_send);
  self->idle = NULL;
  while ((pending = g_queue_pop_head (&self->in_flight)) != NULL)
    {
      g_task_return_error (pending->task, g_error_copy (error));
      pending_free (pending);
    }
  satchel_connection_set_expecting_reply (self->connection, FALSE);
  g_error_free (error);
}

static void
complete (SatchelImapSession  *self,
          SatchelImapResponse *response)
{
  Pending *pending = find_in_flight (self, response->tag);
  SatchelImapResult *result;

  if (pending == NULL)
    {
      fail_session (self, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                                       _("The server %s answered a command that was never sent."),
                                       host (self)));
      satchel_imap_response_free (response);
      return;
    }

  g_queue_remove (&self->in_flight, pending);
  g_queue_remove (&self->to_send, pending);
  if (pending == self->idle)
    self->idle = NULL;
  if (pending->pauses_reading)
    self->pause_after_reply = TRUE;
  take_capability_code (self, response);

  result = g_new0 (SatchelImapResult, 1);
  result->tagged = response;
  result->untagged = g_steal_pointer (&pending->untagged);
  g_task_return_pointer (pending->task, result, (GDestroyNotify) satchel_imap_result_free);
  pending_free (pending);
  update_expecting (self);
  pump_writes (self);
}

static const char *
response_name (const SatchelImapResponse *response)
{
  const SatchelImapValue *first;
  guint64 n;

  switch (response->status)
    {
    case SATCHEL_IMAP_STATUS_OK:
      return "OK";
    case SATCHEL_IMAP_STATUS_NO:
      return "NO";
    case SATCHEL_IMAP_STATUS_BAD:
      return "BAD";
    case SATCHEL_IMAP_STATUS_PREAUTH:
      return "PREAUTH";
    case SATCHEL_IMAP_STATUS_BYE:
      return "BYE";
    case SATCHEL_IMAP_STATUS_NONE:
    default:
      break;
    }
  first = satchel_imap_value_get_item (response->data, 0);
  if (satchel_imap_value_get_number (first, G_MAXUINT64, &n))
    first = satchel_imap_value_get_item (response->data, 1);
  return satchel_imap_value_get_text (first);
}

static void
handle_greeting (SatchelImapSession  *self,
                 SatchelImapResponse *greeting)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->greeting);
  g_autoptr(SatchelImapResponse) response = greeting;
  gboolean encrypted = satchel_connection_is_encrypted (self->connection);

  if (response->kind != SATCHEL_IMAP_RESPONSE_UNTAGGED ||
      (response->status != SATCHEL_IMAP_STATUS_OK &&
       response->status != SATCHEL_IMAP_STATUS_PREAUTH &&
       response->status != SATCHEL_IMAP_STATUS_BYE))
    {
      g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                               _("The server %s did not greet as an IMAP server does."),
                               host (self));
      return;
    }
  if (response->status == SATCHEL_IMAP_STATUS_BYE)
    {
      g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_SERVER,
                               _("The server %s refused the connection: %s"), host (self),
                               response->text);
      return;
    }
  if (response->status == SATCHEL_IMAP_STATUS_PREAUTH && !encrypted &&
      satchel_connection_get_security (self->connection) != SATCHEL_SECURITY_NONE)
    {
      g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_INSECURE,
                               _("The server %s logged in before the connection was encrypted "
                                 "(PREAUTH), so it cannot be encrypted as the account "
                                 "requires."),
                               host (self));
      return;
    }

  g_free (self->greeting_text);
  self->greeting_text = g_strdup (response->text);
  take_capability_code (self, response);
  self->state = response->status == SATCHEL_IMAP_STATUS_PREAUTH
                ? SATCHEL_IMAP_SESSION_AUTHENTICATED : SATCHEL_IMAP_SESSION_NOT_AUTHENTICATED;
  update_expecting (self);
  g_task_return_boolean (task, TRUE);
}

static void
dispatch (SatchelImapSession  *self,
          SatchelImapResponse *response)
{
  const char *name;

  if (self->greeting != NULL)
    {
      handle_greeting (self, response);
      return;
    }

  switch (response->kind)
    {
    case SATCHEL_IMAP_RESPONSE_TAGGED:
      complete (self, response);
      return;

    case SATCHEL_IMAP_RESPONSE_CONTINUATION:
      {
        Pending *head = g_queue_peek_head (&self->to_send);

        satchel_imap_response_free (response);
        if (head == NULL || !head->awaiting_continuation)
          {
            fail_session (self, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                                             _("The server %s asked for data that no command "
                                               "has."), host (self)));
            return;
          }
        head->awaiting_continuation = FALSE;
        if (head->idle)
          {
            head->idling = TRUE;
            update_expecting (self);
          }
        pump_writes (self);
        return;
      }

    case SATCHEL_IMAP_RESPONSE_UNTAGGED:
    default:
      break;
    }

  if (response->status == SATCHEL_IMAP_STATUS_BYE)
    self->bye_seen = TRUE;
  if (satchel_imap_response_is_data (response, "CAPABILITY"))
    set_capabilities (self, response->data, 1);
  take_capability_code (self, response);

  name = response_name (response);
  for (GList *l = self->in_flight.head; name != NULL && l != NULL; l = l->next)
    {
      Pending *pending = l->data;

      if (satchel_imap_command_collects (pending->command, name))
        {
          pending->collected_size += sizeof *response + satchel_imap_arena_get_size (response->arena);
          if (pending->collected_size > MAX_COLLECTED_SIZE)
            {
              satchel_imap_response_free (response);
              fail_session (self, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                                               _("The server %s sent more in answer to one "
                                                 "command than Satchel accepts."),
                                               host (self)));
              return;
            }
          g_ptr_array_add (pending->untagged, response);
          return;
        }
    }

  g_signal_emit (self, signals[UNTAGGED], 0, response);
  satchel_imap_response_free (response);
}

/* Reading */

static void
read_error (SatchelImapSession *self,
            GError             *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      return;
    }
  if (self->bye_seen && g_error_matches (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_CLOSED))
    {
      g_error_free (error);
      error = g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_CLOSED,
                           _("The server %s ended the session."), host (self));
    }
  fail_session (self, error);
}

/* Reading: responses are parsed as long as the buffer holds them, without
 * a trip through the main loop per line; the main loop gets its turn at
 * least every few milliseconds; and the connection is asked for more only
 * when the buffer runs dry. A large literal is read straight into its own
 * memory. */

#define PUMP_SLICE_USEC  4000
#define DIRECT_LITERAL   (1024 * 1024)

static void pump_reads (SatchelImapSession *self);

static gboolean
pump_idle_cb (gpointer user_data)
{
  g_autoptr(SatchelImapSession) self = take_weak_self (user_data);

  if (self != NULL)
    {
      self->reading = FALSE;
      pump_reads (self);
    }
  return G_SOURCE_REMOVE;
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SatchelImapSession) self = take_weak_self (user_data);
  g_autoptr(GError) error = NULL;

  if (!satchel_connection_wait_finish (SATCHEL_CONNECTION (source), result, &error))
    {
      if (self != NULL)
        {
          self->reading = FALSE;
          read_error (self, g_steal_pointer (&error));
        }
      return;
    }
  if (self != NULL)
    {
      self->reading = FALSE;
      pump_reads (self);
    }
}

static void
literal_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SatchelImapSession) self = take_weak_self (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  SatchelImapParseState state;

  bytes = satchel_connection_read_bytes_finish (SATCHEL_CONNECTION (source), result, &error);
  if (self == NULL)
    return;
  self->reading = FALSE;
  if (bytes == NULL)
    {
      read_error (self, g_steal_pointer (&error));
      return;
    }
  if (!satchel_imap_parser_feed_literal_bytes (self->parser, bytes, &state, &error))
    {
      fail_session (self, g_steal_pointer (&error));
      return;
    }
  pump_reads (self);
}

static void
pump_reads (SatchelImapSession *self)
{
  gint64 started = g_get_monotonic_time ();
  guint handled = 0;

  while (self->fatal == NULL && !self->pause_after_reply)
    {
      g_autoptr(GError) error = NULL;
      SatchelImapParseState state;
      guint64 literal = 0;

      if (self->reading)
        return;

      if (satchel_imap_parser_wants_literal (self->parser, &literal))
        {
          g_autoptr(GBytes) bytes = NULL;

          if (literal > DIRECT_LITERAL)
            {
              self->reading = TRUE;
              satchel_connection_read_bytes_async (self->connection, literal, self->cancellable,
                                                   literal_cb, weak_self (self));
              return;
            }
          bytes = satchel_connection_try_read_bytes (self->connection, literal);
          if (bytes == NULL)
            {
              self->reading = TRUE;
              satchel_connection_wait_async (self->connection, literal, self->cancellable,
                                             wait_cb, weak_self (self));
              return;
            }
          if (!satchel_imap_parser_feed_literal_bytes (self->parser, bytes, &state, &error))
            {
              fail_session (self, g_steal_pointer (&error));
              return;
            }
          continue;
        }

      {
        g_autofree char *line = NULL;
        gsize len = 0;

        line = satchel_connection_try_read_line (self->connection, MAX_LINE, &len, &error);
        if (line == NULL)
          {
            if (error != NULL)
              {
                fail_session (self, g_steal_pointer (&error));
                return;
              }
            self->reading = TRUE;
            satchel_connection_wait_async (self->connection, 0, self->cancellable, wait_cb,
                                           weak_self (self));
            return;
          }
        if (SATCHEL_DEBUGGING (SATCHEL_DEBUG_IMAP))
          satchel_debug_wire ("imap", "S", line, len);
        if (!satchel_imap_parser_feed_line (self->parser, line, len, &state, &literal, &error))
          {
            g_prefix_error (&error, _("%s: "), host (self));
            fail_session (self, g_steal_pointer (&error));
            return;
          }
      }

      if (state == SATCHEL_IMAP_PARSE_DONE)
        {
          dispatch (self, satchel_imap_parser_take (self->parser));
          /* Give the main loop its turn now and then. */
          if (++handled % 32 == 0 && g_get_monotonic_time () - started > PUMP_SLICE_USEC)
            {
              self->reading = TRUE;
              g_idle_add_full (G_PRIORITY_DEFAULT, pump_idle_cb, weak_self (self), NULL);
              return;
            }
        }
    }
}

static void
read_next (SatchelImapSession *self)
{
  pump_reads (self);
}

/* Commands */

static gboolean
cancelled_idle_cb (gpointer user_data)
{
  g_autoptr(SatchelImapSession) self = take_weak_self (user_data);

  if (self != NULL && self->fatal == NULL)
    fail_session (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                             _("The operation was cancelled.")));
  return G_SOURCE_REMOVE;
}

/* A command cannot be taken back once sent: cancelling one ends the
 * session, and every command in flight reports the cancellation. */
static void
command_cancelled_cb (GCancellable *cancellable,
                      gpointer      user_data)
{
  SatchelImapSession *self = user_data;

  g_idle_add (cancelled_idle_cb, weak_self (self));
}

static Pending *
queue_command (SatchelImapSession *self,
               SatchelImapCommand *command,
               GTask              *task)
{
  Pending *pending = g_new0 (Pending, 1);
  gboolean literal_plus = satchel_imap_session_has_capability (self, "LITERAL+");

  pending->tag = g_strdup_printf ("s%u", ++self->next_tag);
  pending->command = command;
  pending->parts = satchel_imap_command_serialize (command, pending->tag, literal_plus);
  pending->untagged = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_imap_response_free);
  pending->task = g_object_ref (task);
  if (g_task_get_cancellable (task) != NULL)
    pending->cancel_id = g_cancellable_connect (g_task_get_cancellable (task),
                                                G_CALLBACK (command_cancelled_cb), self, NULL);
  /* A command asked for while idling ends the IDLE first. */
  if (self->idle != NULL)
    satchel_imap_session_idle_done (self);
  g_queue_push_tail (&self->in_flight, pending);
  g_queue_push_tail (&self->to_send, pending);
  update_expecting (self);
  pump_writes (self);
  return pending;
}

/**
 * satchel_imap_session_run_async:
 * @command: (transfer full): the command
 *
 * Sends @command (pipelined after those in flight) and completes when its
 * tagged response arrives. A NO or BAD is a result, not an error: see
 * the result's tagged status. Errors are the connection's and the
 * protocol's.
 */
void
satchel_imap_session_run_async (SatchelImapSession  *self,
                                SatchelImapCommand  *command,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SATCHEL_IS_IMAP_SESSION (self));
  g_return_if_fail (command != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_imap_session_run_async);

  if (self->fatal != NULL)
    {
      satchel_imap_command_free (command);
      g_task_return_error (task, g_error_copy (self->fatal));
      return;
    }
  if (self->state == SATCHEL_IMAP_SESSION_DISCONNECTED ||
      self->state == SATCHEL_IMAP_SESSION_LOGGED_OUT)
    {
      satchel_imap_command_free (command);
      g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_CLOSED,
                               _("The session with %s is closed."), host (self));
      return;
    }
  queue_command (self, command, task);
}

SatchelImapResult *
satchel_imap_session_run_finish (SatchelImapSession  *self,
                                 GAsyncResult        *result,
                                 GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Connecting: greeting, capabilities, STARTTLS */

typedef struct
{
  gboolean tls_done;
} ConnectData;

static void connect_step (GTask *task);

static void
connect_fail (GTask  *task,
              GError *error)
{
  SatchelImapSession *self = g_task_get_source_object (task);

  error = satchel_connection_error_before_tls (self->connection, error);
  if (self->fatal == NULL)
    fail_session (self, g_error_copy (error));
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
capability_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  SatchelImapSession *self = g_task_get_source_object (task);
  g_autoptr(SatchelImapResult) reply = NULL;
  GError *error = NULL;

  reply = satchel_imap_session_run_finish (self, result, &error);
  if (reply == NULL)
    {
      connect_fail (task, error);
      return;
    }
  if (reply->tagged->status != SATCHEL_IMAP_STATUS_OK ||
      g_hash_table_size (self->capabilities) == 0)
    {
      connect_fail (task, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                                       _("The server %s did not say what it can do "
                                         "(CAPABILITY)."),
                                       host (self)));
      return;
    }
  connect_step (task);
}

static void
tls_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  GTask *task = user_data;
  SatchelImapSession *self = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!satchel_connection_starttls_finish (SATCHEL_CONNECTION (source), result, &error))
    {
      connect_fail (task, error);
      return;
    }
  data->tls_done = TRUE;
  /* Nothing said before TLS counts after it. */
  g_hash_table_remove_all (self->capabilities);
  self->pause_after_reply = FALSE;
  read_next (self);
  connect_step (task);
}

static void
starttls_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  SatchelImapSession *self = g_task_get_source_object (task);
  g_autoptr(SatchelImapResult) reply = NULL;
  GError *error = NULL;

  reply = satchel_imap_session_run_finish (self, result, &error);
  if (reply == NULL)
    {
      connect_fail (task, error);
      return;
    }
  if (reply->tagged->status != SATCHEL_IMAP_STATUS_OK)
    {
      connect_fail (task, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_INSECURE,
                                       _("The server %s refused to encrypt the connection "
                                         "(STARTTLS): %s"),
                                       host (self), reply->tagged->text));
      return;
    }
  satchel_connection_starttls_async (self->connection, g_task_get_cancellable (task), tls_cb,
                                     task);
}

static void
run_internal (SatchelImapSession  *self,
              SatchelImapCommand  *command,
              gboolean             pauses_reading,
              GTask               *outer,
              GAsyncReadyCallback  callback)
{
  g_autoptr(GTask) task = g_task_new (self, g_task_get_cancellable (outer), callback, outer);
  Pending *pending;

  g_task_set_source_tag (task, satchel_imap_session_run_async);
  if (self->fatal != NULL)
    {
      satchel_imap_command_free (command);
      g_task_return_error (task, g_error_copy (self->fatal));
      return;
    }
  pending = queue_command (self, command, task);
  pending->pauses_reading = pauses_reading;
}

static void
connect_step (GTask *task)
{
  SatchelImapSession *self = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  gboolean wants_tls = satchel_connection_get_security (self->connection) ==
                       SATCHEL_SECURITY_STARTTLS;

  if (g_hash_table_size (self->capabilities) == 0)
    {
      SatchelImapCommand *command = satchel_imap_command_new ("CAPABILITY");

      satchel_imap_command_collect (command, "CAPABILITY");
      run_internal (self, command, FALSE, task, capability_cb);
      return;
    }

  if (wants_tls && !data->tls_done)
    {
      if (!satchel_imap_session_has_capability (self, "STARTTLS"))
        {
          connect_fail (task, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_INSECURE,
                                           _("The server %s does not offer STARTTLS, so the "
                                             "connection cannot be encrypted as the account "
                                             "requires."),
                                           host (self)));
          return;
        }
      run_internal (self, satchel_imap_command_new ("STARTTLS"), TRUE, task, starttls_cb);
      return;
    }

  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
greeting_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      connect_fail (task, error);
      return;
    }
  connect_step (task);
}

static void
connection_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  SatchelImapSession *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!satchel_connection_connect_finish (SATCHEL_CONNECTION (source), result, &error))
    {
      connect_fail (task, error);
      return;
    }
  self->greeting = g_task_new (self, g_task_get_cancellable (task), greeting_cb, task);
  update_expecting (self);
  read_next (self);
}

/**
 * satchel_imap_session_connect_async:
 *
 * Connects, reads the greeting and the capabilities, and encrypts the
 * connection as its security says (STARTTLS after the greeting).
 */
void
satchel_imap_session_connect_async (SatchelImapSession  *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SATCHEL_IS_IMAP_SESSION (self));
  g_return_if_fail (self->state == SATCHEL_IMAP_SESSION_DISCONNECTED && self->fatal == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_imap_session_connect_async);
  g_task_set_task_data (task, g_new0 (ConnectData, 1), g_free);
  satchel_connection_connect_async (self->connection, cancellable, connection_cb, task);
}

gboolean
satchel_imap_session_connect_finish (SatchelImapSession  *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Logging in */

static void
login_reply_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SatchelImapSession *self = g_task_get_source_object (task);
  g_autoptr(SatchelImapResult) reply = NULL;
  const char *user = g_task_get_task_data (task);
  GError *error = NULL;

  reply = satchel_imap_session_run_finish (self, result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (reply->tagged->status == SATCHEL_IMAP_STATUS_OK)
    {
      self->state = SATCHEL_IMAP_SESSION_AUTHENTICATED;
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (satchel_imap_response_get_code (reply->tagged, "UNAVAILABLE") != NULL)
    g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_SERVER,
                             _("The server %s cannot log in %s now: %s"), host (self), user,
                             reply->tagged->text);
  else
    g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_AUTH_FAILED,
                             _("The server %s refused the password for %s: %s"), host (self),
                             user, reply->tagged->text);
}

/**
 * satchel_imap_session_login_async:
 *
 * Logs in with AUTHENTICATE PLAIN when offered (in one round trip with
 * SASL-IR), else LOGIN; never when the server says LOGINDISABLED, and
 * never on an unencrypted connection that the account did not choose.
 */
void
satchel_imap_session_login_async (SatchelImapSession  *self,
                                  const char          *user,
                                  const char          *password,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SatchelImapCommand *command;
  gboolean plain = satchel_imap_session_has_capability (self, "AUTH=PLAIN");
  gboolean login = !satchel_imap_session_has_capability (self, "LOGINDISABLED");

  g_return_if_fail (SATCHEL_IS_IMAP_SESSION (self));
  g_return_if_fail (user != NULL && password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_imap_session_login_async);
  g_task_set_task_data (task, g_strdup (user), g_free);

  if (self->state == SATCHEL_IMAP_SESSION_AUTHENTICATED)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->state != SATCHEL_IMAP_SESSION_NOT_AUTHENTICATED)
    {
      g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_CLOSED,
                               _("The session with %s is closed."), host (self));
      return;
    }
  if (!satchel_connection_is_encrypted (self->connection) &&
      satchel_connection_get_security (self->connection) != SATCHEL_SECURITY_NONE)
    {
      g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_INSECURE,
                               _("The connection to %s is not encrypted; the password was not "
                                 "sent."),
                               host (self));
      return;
    }
  if (!plain && !login)
    {
      g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_AUTH_UNAVAILABLE,
                               _("The server %s offers no way to log in that Satchel may use "
                                 "on this connection."),
                               host (self));
      return;
    }

  if (plain)
    {
      g_autofree char *initial = satchel_sasl_plain (user, password);

      command = satchel_imap_command_new ("AUTHENTICATE");
      satchel_imap_command_add_atom (command, "PLAIN");
      if (satchel_imap_session_has_capability (self, "SASL-IR"))
        satchel_imap_command_add_atom (command, initial);
      else
        satchel_imap_command_add_continuation (command, initial);
      explicit_bzero (initial, strlen (initial));
    }
  else
    {
      command = satchel_imap_command_new ("LOGIN");
      satchel_imap_command_add_astring (command, user, -1);
      satchel_imap_command_add_string (command, password, -1);
    }
  satchel_imap_session_run_async (self, command, cancellable, login_reply_cb,
                                  g_steal_pointer (&task));
}

gboolean
satchel_imap_session_login_finish (SatchelImapSession  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Compression */

static void
compress_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SatchelImapSession *self = g_task_get_source_object (task);
  g_autoptr(SatchelImapResult) reply = NULL;
  GError *error = NULL;

  reply = satchel_imap_session_run_finish (self, result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (reply->tagged->status == SATCHEL_IMAP_STATUS_OK &&
      !satchel_connection_start_compression (self->connection, &error))
    {
      fail_session (self, g_error_copy (error));
      g_task_return_error (task, error);
      return;
    }
  self->pause_after_reply = FALSE;
  read_next (self);
  /* A refusal is no error: the session goes on uncompressed. */
  g_task_return_boolean (task, reply->tagged->status == SATCHEL_IMAP_STATUS_OK);
}

/**
 * satchel_imap_session_compress_async:
 *
 * Turns on COMPRESS=DEFLATE (RFC 4978) when the server offers it and the
 * connection is not to this computer or a local network, where deflating
 * costs more than it saves (Dovecot's is about 9 times slower than the
 * plain stream on loopback). SATCHEL_IMAP_COMPRESS=always or never
 * overrides the choice. Nothing else may be sent until it finishes.
 * The result says whether the session is now compressed.
 */
void
satchel_imap_session_compress_async (SatchelImapSession  *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const char *choice = g_getenv ("SATCHEL_IMAP_COMPRESS");
  gboolean wanted;

  g_return_if_fail (SATCHEL_IS_IMAP_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_imap_session_compress_async);

  if (g_strcmp0 (choice, "always") == 0)
    wanted = TRUE;
  else if (g_strcmp0 (choice, "never") == 0)
    wanted = FALSE;
  else
    wanted = !satchel_connection_is_local (self->connection);
  if (!wanted || self->state != SATCHEL_IMAP_SESSION_AUTHENTICATED ||
      !satchel_imap_session_has_capability (self, "COMPRESS=DEFLATE") ||
      satchel_connection_is_compressed (self->connection))
    {
      g_task_return_boolean (task, satchel_connection_is_compressed (self->connection));
      return;
    }

  /* Nothing may be read past the reply until the stream is inflated. */
  run_internal (self, satchel_imap_command_new ("COMPRESS DEFLATE"), TRUE,
                g_steal_pointer (&task), compress_cb);
}

gboolean
satchel_imap_session_compress_finish (SatchelImapSession  *self,
                                      GAsyncResult        *result,
                                      GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Logging out */

static void
logout_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SatchelImapSession *self = g_task_get_source_object (task);
  g_autoptr(SatchelImapResult) reply = NULL;
  GError *error = NULL;

  reply = satchel_imap_session_run_finish (self, result, &error);
  self->state = SATCHEL_IMAP_SESSION_LOGGED_OUT;
  g_cancellable_cancel (self->cancellable);
  satchel_connection_close (self->connection);
  if (reply == NULL && !g_error_matches (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_CLOSED))
    {
      g_task_return_error (task, error);
      return;
    }
  g_clear_error (&error);
  g_task_return_boolean (task, TRUE);
}

void
satchel_imap_session_logout_async (SatchelImapSession  *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SATCHEL_IS_IMAP_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_imap_session_logout_async);
  satchel_imap_session_run_async (self, satchel_imap_command_new ("LOGOUT"), cancellable,
                                  logout_cb, task);
}

gboolean
satchel_imap_session_logout_finish (SatchelImapSession  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Object */

static void
satchel_imap_session_dispose (GObject *object)
{
  SatchelImapSession *self = (SatchelImapSession *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->connection != NULL)
    satchel_connection_close (self->connection);

  G_OBJECT_CLASS (satchel_imap_session_parent_class)->dispose (object);
}

static void
satchel_imap_session_finalize (GObject *object)
{
  SatchelImapSession *self = (SatchelImapSession *)object;

  g_queue_clear (&self->to_send);
  g_queue_clear_full (&self->in_flight, (GDestroyNotify) pending_free);
  g_clear_object (&self->connection);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->parser, satchel_imap_parser_free);
  g_clear_pointer (&self->capabilities, g_hash_table_unref);
  g_clear_pointer (&self->greeting_text, g_free);
  g_clear_pointer (&self->enabled, g_hash_table_unref);
  g_clear_error (&self->fatal);

  G_OBJECT_CLASS (satchel_imap_session_parent_class)->finalize (object);
}

static void
satchel_imap_session_class_init (SatchelImapSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = satchel_imap_session_dispose;
  object_class->finalize = satchel_imap_session_finalize;

  /**
   * SatchelImapSession::untagged:
   * @response: (type gpointer): a SatchelImapResponse no command asked for
   *   (EXISTS, EXPUNGE, FETCH of flags, ...); valid during the emission
   */
  signals[UNTAGGED] =
    g_signal_new ("untagged",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
satchel_imap_session_init (SatchelImapSession *self)
{
  self->parser = satchel_imap_parser_new ();
  self->capabilities = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->enabled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
  g_queue_init (&self->in_flight);
  g_queue_init (&self->to_send);
}

SatchelImapSession *
satchel_imap_session_new (SatchelConnection *connection)
{
  SatchelImapSession *self;

  g_return_val_if_fail (SATCHEL_IS_CONNECTION (connection), NULL);

  self = g_object_new (SATCHEL_TYPE_IMAP_SESSION, NULL);
  self->connection = g_object_ref (connection);
  return self;
}

SatchelConnection *
satchel_imap_session_get_connection (SatchelImapSession *self)
{
  g_return_val_if_fail (SATCHEL_IS_IMAP_SESSION (self), NULL);
  return self->connection;
}

SatchelImapSessionState
satchel_imap_session_get_state (SatchelImapSession *self)
{
  g_return_val_if_fail (SATCHEL_IS_IMAP_SESSION (self), SATCHEL_IMAP_SESSION_DISCONNECTED);
  return self->state;
}

gboolean
satchel_imap_session_has_capability (SatchelImapSession *self,
                                     const char         *capability)
{
  g_autofree char *upper = g_ascii_strup (capability, -1);

  g_return_val_if_fail (SATCHEL_IS_IMAP_SESSION (self), FALSE);
  return g_hash_table_contains (self->capabilities, upper);
}

/* ENABLE */

static void
enable_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SatchelImapSession *self = g_task_get_source_object (task);
  g_autoptr(SatchelImapResult) reply = NULL;
  GError *error = NULL;

  reply = satchel_imap_session_run_finish (self, result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < reply->untagged->len; i++)
    {
      SatchelImapResponse *response = g_ptr_array_index (reply->untagged, i);

      for (guint j = 1; j < satchel_imap_value_get_length (response->data); j++)
        {
          const char *name = satchel_imap_value_get_text (satchel_imap_value_get_item (response->data, j));

          if (name != NULL)
            g_hash_table_add (self->enabled, g_ascii_strup (name, -1));
        }
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * satchel_imap_session_enable_async:
 * @extensions: NULL-terminated names the server offered (QRESYNC, ...)
 *
 * Sends ENABLE for those of @extensions that the server offers; see
 * satchel_imap_session_is_enabled() for what it accepted.
 */
void
satchel_imap_session_enable_async (SatchelImapSession  *self,
                                   const char * const  *extensions,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SatchelImapCommand) command = satchel_imap_command_new ("ENABLE");
  gboolean any = FALSE;

  g_return_if_fail (SATCHEL_IS_IMAP_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_imap_session_enable_async);
  for (guint i = 0; extensions[i] != NULL; i++)
    if (satchel_imap_session_has_capability (self, extensions[i]))
      {
        satchel_imap_command_add_atom (command, extensions[i]);
        any = TRUE;
      }
  if (!any || !satchel_imap_session_has_capability (self, "ENABLE"))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  satchel_imap_command_collect (command, "ENABLED");
  satchel_imap_session_run_async (self, g_steal_pointer (&command), cancellable, enable_cb,
                                  g_steal_pointer (&task));
}

gboolean
satchel_imap_session_enable_finish (SatchelImapSession  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
satchel_imap_session_is_enabled (SatchelImapSession *self,
                                 const char         *extension)
{
  g_autofree char *upper = g_ascii_strup (extension, -1);

  g_return_val_if_fail (SATCHEL_IS_IMAP_SESSION (self), FALSE);
  return g_hash_table_contains (self->enabled, upper);
}

/* SELECT and EXAMINE */

void
satchel_imap_mailbox_free (SatchelImapMailbox *mailbox)
{
  if (mailbox == NULL)
    return;
  g_clear_pointer (&mailbox->vanished, satchel_imap_uid_set_free);
  g_clear_pointer (&mailbox->changed, g_ptr_array_unref);
  g_free (mailbox);
}

static gboolean
code_number (const SatchelImapResponse *response,
             const char                *name,
             guint64                    max,
             guint64                   *out)
{
  SatchelImapValue *code = satchel_imap_response_get_code (response, name);

  return code != NULL && satchel_imap_value_get_number (satchel_imap_value_get_item (code, 1),
                                                        max, out);
}

static void
select_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SatchelImapSession *self = g_task_get_source_object (task);
  g_autoptr(SatchelImapResult) reply = NULL;
  g_autoptr(SatchelImapMailbox) mailbox = NULL;
  const char *name = g_task_get_task_data (task);
  GError *error = NULL;
  guint64 n;

  reply = satchel_imap_session_run_finish (self, result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (reply->tagged->status != SATCHEL_IMAP_STATUS_OK)
    {
      self->state = SATCHEL_IMAP_SESSION_AUTHENTICATED;
      g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_SERVER,
                               _("The server %s could not open the folder %s: %s"), host (self),
                               name, reply->tagged->text);
      return;
    }

  mailbox = g_new0 (SatchelImapMailbox, 1);
  mailbox->vanished = satchel_imap_uid_set_new ();
  mailbox->changed = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_imap_fetch_free);
  mailbox->read_only = satchel_imap_response_get_code (reply->tagged, "READ-ONLY") != NULL;

  for (guint i = 0; i < reply->untagged->len; i++)
    {
      SatchelImapResponse *response = g_ptr_array_index (reply->untagged, i);

      if (response->status == SATCHEL_IMAP_STATUS_OK)
        {
          if (code_number (response, "UIDVALIDITY", G_MAXUINT32, &n))
            mailbox->uidvalidity = n;
          else if (code_number (response, "UIDNEXT", G_MAXUINT32, &n))
            mailbox->uidnext = n;
          else if (code_number (response, "HIGHESTMODSEQ", G_MAXINT64, &n))
            mailbox->highestmodseq = n;
          else if (satchel_imap_response_get_code (response, "NOMODSEQ") != NULL)
            mailbox->highestmodseq = 0;
        }
      else if (satchel_imap_response_is_data (response, "EXISTS"))
        {
          if (satchel_imap_value_get_number (satchel_imap_value_get_item (response->data, 0),
                                             G_MAXUINT32, &n))
            mailbox->exists = n;
        }
      else if (satchel_imap_response_is_data (response, "VANISHED"))
        {
          if (!satchel_imap_parse_vanished (response, mailbox->vanished, NULL))
            {
              g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                                       _("The server %s sent a malformed VANISHED response."),
                                       host (self));
              return;
            }
        }
      else if (satchel_imap_response_is_data (response, "FETCH"))
        {
          SatchelImapFetch *fetch = satchel_imap_fetch_parse (response, &error);

          if (fetch == NULL)
            {
              g_task_return_error (task, error);
              return;
            }
          g_ptr_array_add (mailbox->changed, fetch);
        }
    }

  if (mailbox->uidvalidity == 0)
    {
      g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                               _("The server %s opened the folder %s without saying its "
                                 "UIDVALIDITY."),
                               host (self), name);
      return;
    }
  self->state = SATCHEL_IMAP_SESSION_SELECTED;
  g_task_return_pointer (task, g_steal_pointer (&mailbox),
                         (GDestroyNotify) satchel_imap_mailbox_free);
}

/**
 * satchel_imap_session_select_async:
 * @wire_name: the mailbox as the server names it
 * @read_only: EXAMINE rather than SELECT
 * @uidvalidity: with @modseq, what Satchel knew: with QRESYNC enabled, the
 *   server then reports only what changed since (0: not known)
 */
void
satchel_imap_session_select_async (SatchelImapSession  *self,
                                   const char          *wire_name,
                                   gsize                wire_len,
                                   gboolean             read_only,
                                   guint32              uidvalidity,
                                   guint64              modseq,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SatchelImapCommand *command;

  g_return_if_fail (SATCHEL_IS_IMAP_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_imap_session_select_async);
  g_task_set_task_data (task, g_utf8_make_valid (wire_name, wire_len), g_free);

  command = satchel_imap_command_new (read_only ? "EXAMINE" : "SELECT");
  satchel_imap_command_add_mailbox (command, wire_name, wire_len);
  if (uidvalidity != 0 && modseq != 0 && satchel_imap_session_is_enabled (self, "QRESYNC"))
    {
      g_autofree char *params = g_strdup_printf ("(QRESYNC (%u %" G_GUINT64_FORMAT "))",
                                                 uidvalidity, modseq);

      satchel_imap_command_add_atom (command, params);
    }
  else if (satchel_imap_session_has_capability (self, "CONDSTORE") &&
           !satchel_imap_session_is_enabled (self, "QRESYNC"))
    {
      satchel_imap_command_add_atom (command, "(CONDSTORE)");
    }
  satchel_imap_command_collect (command, "OK");
  satchel_imap_command_collect (command, "FLAGS");
  satchel_imap_command_collect (command, "EXISTS");
  satchel_imap_command_collect (command, "RECENT");
  satchel_imap_command_collect (command, "VANISHED");
  satchel_imap_command_collect (command, "FETCH");
  satchel_imap_session_run_async (self, command, cancellable, select_cb, g_steal_pointer (&task));
}

SatchelImapMailbox *
satchel_imap_session_select_finish (SatchelImapSession  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* IDLE */

/**
 * satchel_imap_session_idle_async:
 *
 * Starts IDLE. While idling, what the server reports comes as "untagged";
 * satchel_imap_session_idle_done() ends it, and then this completes.
 */
void
satchel_imap_session_idle_async (SatchelImapSession  *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SatchelImapCommand *command;
  Pending *pending;

  g_return_if_fail (SATCHEL_IS_IMAP_SESSION (self));
  g_return_if_fail (self->idle == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_imap_session_run_async);
  if (self->fatal != NULL)
    {
      g_task_return_error (task, g_error_copy (self->fatal));
      return;
    }
  command = satchel_imap_command_new ("IDLE");
  satchel_imap_command_add_continuation (command, "DONE");
  pending = queue_command (self, command, task);
  pending->idle = TRUE;
  self->idle = pending;
}

void
satchel_imap_session_idle_done (SatchelImapSession *self)
{
  g_return_if_fail (SATCHEL_IS_IMAP_SESSION (self));

  if (self->idle == NULL || self->idle->done_wanted)
    return;
  self->idle->done_wanted = TRUE;
  update_expecting (self);
  pump_writes (self);
}

gboolean
satchel_imap_session_is_idling (SatchelImapSession *self)
{
  g_return_val_if_fail (SATCHEL_IS_IMAP_SESSION (self), FALSE);
  return self->idle != NULL && self->idle->idling && !self->idle->done_wanted;
}

/**
 * satchel_imap_parse_vanished:
 * @response: an untagged response
 * @uids: where the UIDs it names are added
 * @earlier: (out) (optional): whether it was "VANISHED (EARLIER)", the
 *   answer to a command (SELECT or FETCH with QRESYNC), not news of an
 *   expunge just made (RFC 7162, 3.2.10)
 *
 * Returns: whether @response is a VANISHED response that could be read
 */
gboolean
satchel_imap_parse_vanished (const SatchelImapResponse *response,
                             SatchelImapUidSet         *uids,
                             gboolean                  *earlier)
{
  guint n;
  const char *set;

  if (!satchel_imap_response_is_data (response, "VANISHED"))
    return FALSE;
  n = satchel_imap_value_get_length (response->data);
  if (n == 3 && !satchel_imap_value_is_atom (satchel_imap_value_get_item (
                  satchel_imap_value_get_item (response->data, 1), 0), "EARLIER"))
    return FALSE;
  set = satchel_imap_value_get_text (satchel_imap_value_get_item (response->data, n - 1));
  if ((n != 2 && n != 3) || set == NULL || !satchel_imap_uid_set_parse (uids, set, NULL))
    return FALSE;
  if (earlier != NULL)
    *earlier = n == 3;
  return TRUE;
}
