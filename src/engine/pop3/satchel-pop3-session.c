/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-pop3-session.c: a POP3 session on one connection
 *
 * Copyright 2026 The Satchel authors
 *
 * Commands run one after another in the order asked. connect() reads the
 * greeting and CAPA, and with STARTTLS security upgrades with STLS and
 * reads CAPA again (nothing said before TLS counts after it). login() uses
 * AUTH PLAIN (RFC 5034) when offered, else USER and PASS, and never on an
 * unencrypted connection the account did not choose.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "net/satchel-net-error.h"
#include "net/satchel-sasl.h"
#include "satchel-debug.h"
#include "satchel-pop3-session.h"

#define MAX_LINE         65536
#define MAX_REPLY_LINES  1000000
/* The text of a multi-line reply that is not a message (UIDL, LIST, CAPA).
 * A UIDL line may be 512 characters, so a million lines alone would let a
 * server fill half a gigabyte; a real maildrop of 100,000 messages lists
 * a few MB. */
#define MAX_REPLY_BYTES  (32 * 1024 * 1024)
/* A message's lines: longer ones than RFC 5322 allows exist in the wild. */
#define MAX_MESSAGE_LINE (4 * 1024 * 1024)

typedef struct
{
  GBytes     *line;
  gboolean    multiline;
  gboolean    written;     /* sent ahead (PIPELINING) */
  gsize       max_bytes;   /* a message: its lines go to reply->message */
  gsize       reply_bytes; /* not a message: the text of reply->lines */
  GByteArray *message;
  SatchelPop3Reply *reply;
} Command;

struct _SatchelPop3Session
{
  GObject parent_instance;

  gboolean            running;
  gboolean            authenticated;
  gboolean            pipelining;     /* commands are sent without waiting */
  gboolean            apop;           /* log in with APOP (the user chose it) */

  /* Owned */
  SatchelConnection  *connection;
  GHashTable         *capabilities;   /* upper-case first words of CAPA lines */
  GQueue              queue;          /* GTask; the head is running */
  char               *greeting;
};

G_DEFINE_FINAL_TYPE (SatchelPop3Session, satchel_pop3_session, G_TYPE_OBJECT)

static void run_next (SatchelPop3Session *self);

void
satchel_pop3_reply_free (SatchelPop3Reply *reply)
{
  if (reply == NULL)
    return;
  g_free (reply->code);
  g_free (reply->text);
  g_clear_pointer (&reply->lines, g_ptr_array_unref);
  g_clear_pointer (&reply->message, g_bytes_unref);
  g_free (reply);
}

static void
command_free (Command *command)
{
  g_clear_pointer (&command->line, g_bytes_unref);
  g_clear_pointer (&command->message, g_byte_array_unref);
  g_clear_pointer (&command->reply, satchel_pop3_reply_free);
  g_free (command);
}

static const char *
host (SatchelPop3Session *self)
{
  return satchel_connection_get_host (self->connection);
}

/**
 * satchel_pop3_parse_status_line:
 * @reply: filled with the verdict, the response code and the text
 *
 * Reads "+OK text" or "-ERR [CODE] text" (RFC 2449 extended codes).
 */
gboolean
satchel_pop3_parse_status_line (const char        *line,
                                gsize              len,
                                SatchelPop3Reply  *reply,
                                GError           **error)
{
  gsize pos;

  if (len >= 3 && memcmp (line, "+OK", 3) == 0)
    {
      reply->ok = TRUE;
      pos = 3;
    }
  else if (len >= 4 && memcmp (line, "-ERR", 4) == 0)
    {
      reply->ok = FALSE;
      pos = 4;
    }
  else
    {
      g_set_error (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                   _("The server sent a reply that is neither +OK nor -ERR."));
      return FALSE;
    }
  if (pos < len && line[pos] != ' ')
    {
      g_set_error (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                   _("The server sent a malformed reply."));
      return FALSE;
    }
  if (pos < len)
    pos++;
  if (pos < len && line[pos] == '[')
    {
      const char *end = memchr (line + pos, ']', len - pos);

      if (end != NULL && end - (line + pos) <= 64)
        {
          reply->code = g_ascii_strup (line + pos + 1, end - (line + pos) - 1);
          pos = end - line + 1;
          if (pos < len && line[pos] == ' ')
            pos++;
        }
    }
  reply->text = g_utf8_make_valid (line + pos, len - pos);
  return TRUE;
}

/**
 * satchel_pop3_parse_listing:
 * @number: (out): the message number, 1 or more
 * @rest: (out): what follows the number and one space: never empty
 *
 * Reads one line of a UIDL or LIST reply: "NUMBER SP REST".
 */
gboolean
satchel_pop3_parse_listing (const char  *line,
                            guint       *number,
                            const char **rest)
{
  guint64 value = 0;
  const char *p = line;

  if (!g_ascii_isdigit (*p))
    return FALSE;
  for (; g_ascii_isdigit (*p); p++)
    {
      value = value * 10 + (guint64) (*p - '0');
      if (value > G_MAXUINT32)
        return FALSE;
    }
  if (value == 0 || *p != ' ' || p[1] == '\0')
    return FALSE;
  *number = (guint) value;
  *rest = p + 1;
  return TRUE;
}

/**
 * satchel_pop3_parse_size:
 * @size: (out): the size a LIST line gives
 *
 * Reads the size of a LIST line's REST: digits, perhaps followed by a
 * space and more (RFC 1939 allows it); at most 2^48.
 */
gboolean
satchel_pop3_parse_size (const char *text,
                         guint64    *size)
{
  guint64 value = 0;
  const char *p = text;

  if (!g_ascii_isdigit (*p))
    return FALSE;
  for (; g_ascii_isdigit (*p); p++)
    {
      value = value * 10 + (guint64) (*p - '0');
      if (value > G_GUINT64_CONSTANT (1) << 48)
        return FALSE;
    }
  if (*p != '\0' && *p != ' ')
    return FALSE;
  *size = value;
  return TRUE;
}

/**
 * satchel_pop3_uidl_is_valid:
 *
 * Whether @uidl may be a unique-id: 1 to 512 printable ASCII characters
 * without spaces (RFC 1939 says 70; some servers use more).
 */
gboolean
satchel_pop3_uidl_is_valid (const char *uidl)
{
  gsize len = 0;

  for (const char *p = uidl; *p != '\0'; p++, len++)
    if ((guchar) *p < 0x21 || (guchar) *p > 0x7e || len >= 512)
      return FALSE;
  return len > 0;
}

/* Running commands */

static void
finish_head (SatchelPop3Session *self,
             GError             *error)
{
  g_autoptr(GTask) task = g_queue_pop_head (&self->queue);
  Command *command = g_task_get_task_data (task);

  self->running = FALSE;
  satchel_connection_set_expecting_reply (self->connection, FALSE);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&command->reply),
                           (GDestroyNotify) satchel_pop3_reply_free);
  run_next (self);
}

static void read_more (SatchelPop3Session *self);

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  SatchelPop3Session *self = user_data;
  GError *error = NULL;

  if (!satchel_connection_wait_finish (SATCHEL_CONNECTION (source), result, &error))
    finish_head (self, error);
  else
    read_more (self);
  g_object_unref (self);
}

/* One line of a multi-line reply, dot-unstuffed. Returns FALSE with @error
 * set when the reply is too long. */
static gboolean
take_line (SatchelPop3Session *self,
           Command            *command,
           const char         *line,
           gsize               len,
           GError            **error)
{
  if (line[0] == '.')
    {
      line++;
      len--;
    }
  if (command->message != NULL)
    {
      if (command->message->len + len + 2 > command->max_bytes)
        {
          g_set_error (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                       _("The server %s sent a message larger than the %zu "
                         "bytes it announced."), host (self), command->max_bytes);
          return FALSE;
        }
      g_byte_array_append (command->message, (const guint8 *) line, len);
      g_byte_array_append (command->message, (const guint8 *) "\r\n", 2);
      return TRUE;
    }
  if (command->reply->lines->len >= MAX_REPLY_LINES)
    {
      g_set_error (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                   _("The server %s sent a reply of more than %d lines."),
                   host (self), MAX_REPLY_LINES);
      return FALSE;
    }
  command->reply_bytes += len + 2;
  if (command->reply_bytes > MAX_REPLY_BYTES)
    {
      g_set_error (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                   _("The server %s sent a reply of more than %d MB."),
                   host (self), MAX_REPLY_BYTES / (1024 * 1024));
      return FALSE;
    }
  g_ptr_array_add (command->reply->lines, g_strndup (line, len));
  return TRUE;
}

/* The lines of a multi-line reply that the buffer holds, up to the lone
 * "."; then waits for more. */
static void
read_more (SatchelPop3Session *self)
{
  GTask *task = g_queue_peek_head (&self->queue);
  Command *command = g_task_get_task_data (task);
  gsize max = command->message != NULL ? MAX_MESSAGE_LINE : MAX_LINE;

  for (;;)
    {
      GError *error = NULL;
      gsize len;
      g_autofree char *line = satchel_connection_try_read_line (self->connection, max, &len,
                                                                 &error);

      if (line == NULL && error != NULL)
        {
          finish_head (self, error);
          return;
        }
      if (line == NULL)
        break;
      if (len == 1 && line[0] == '.')
        {
          if (SATCHEL_DEBUGGING (SATCHEL_DEBUG_POP3))
            {
              g_autofree char *what = command->message != NULL
                ? g_strdup_printf ("(a message of %u bytes)", command->message->len)
                : g_strdup_printf ("(%u lines)", command->reply->lines->len);

              satchel_debug_wire ("pop3", "S", what, strlen (what));
            }
          if (command->message != NULL)
            command->reply->message = g_byte_array_free_to_bytes (g_steal_pointer (&command->message));
          finish_head (self, NULL);
          return;
        }
      if (!take_line (self, command, line, len, &error))
        {
          finish_head (self, error);
          return;
        }
    }
  satchel_connection_wait_async (self->connection, 0, g_task_get_cancellable (task), wait_cb,
                                 g_object_ref (self));
}

static void
status_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  SatchelPop3Session *self = user_data;
  GTask *task = g_queue_peek_head (&self->queue);
  Command *command = g_task_get_task_data (task);
  g_autofree char *line = NULL;
  GError *error = NULL;
  gsize len;

  line = satchel_connection_read_line_finish (SATCHEL_CONNECTION (source), result, &len, &error);
  if (line != NULL && SATCHEL_DEBUGGING (SATCHEL_DEBUG_POP3))
    satchel_debug_wire ("pop3", "S", line, len);
  command->reply = g_new0 (SatchelPop3Reply, 1);
  if (line == NULL || !satchel_pop3_parse_status_line (line, len, command->reply, &error))
    {
      if (error->domain == SATCHEL_NET_ERROR && error->code == SATCHEL_NET_ERROR_PROTOCOL)
        g_prefix_error (&error, "%s: ", host (self));
      finish_head (self, error);
      g_object_unref (self);
      return;
    }
  if (!command->reply->ok || !command->multiline)
    {
      finish_head (self, NULL);
      g_object_unref (self);
      return;
    }
  if (command->max_bytes > 0)
    command->message = g_byte_array_sized_new (MIN (command->max_bytes, 1024 * 1024));
  else
    command->reply->lines = g_ptr_array_new_with_free_func (g_free);
  read_more (self);
  g_object_unref (self);
}

static void
write_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  SatchelPop3Session *self = user_data;
  GError *error = NULL;

  /* A failed write also fails the read of its reply; that reports it. */
  if (!satchel_connection_write_finish (SATCHEL_CONNECTION (source), result, &error))
    g_error_free (error);
  g_object_unref (self);
}

/* Sends @command's line, shown with SATCHEL_DEBUG=pop3 (credentials
 * left out). */
static void
send_line (SatchelPop3Session *self,
           Command            *command)
{
  if (SATCHEL_DEBUGGING (SATCHEL_DEBUG_POP3))
    {
      gsize len;
      const char *data = g_bytes_get_data (command->line, &len);

      if (g_ascii_strncasecmp (data, "PASS ", 5) == 0 || g_ascii_strncasecmp (data, "AUTH ", 5) == 0 ||
          g_ascii_strncasecmp (data, "APOP ", 5) == 0)
        satchel_debug_wire ("pop3", "C", data, 4);
      else
        satchel_debug_wire ("pop3", "C", data, len);
    }
  command->written = TRUE;
  satchel_connection_write_async (self->connection, command->line, NULL, write_cb,
                                  g_object_ref (self));
}

static void
run_next (SatchelPop3Session *self)
{
  GTask *task = g_queue_peek_head (&self->queue);
  Command *command;

  if (self->running || task == NULL)
    return;
  command = g_task_get_task_data (task);
  self->running = TRUE;
  satchel_connection_set_expecting_reply (self->connection, TRUE);
  if (command->line != NULL && !command->written)
    send_line (self, command);
  satchel_connection_read_line_async (self->connection, MAX_LINE, g_task_get_cancellable (task),
                                      status_cb, g_object_ref (self));
}

static void
queue_command_full (SatchelPop3Session  *self,
                    const char          *line,
                    gboolean             multiline,
                    gsize                max_bytes,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Command *command = g_new0 (Command, 1);

  g_task_set_source_tag (task, satchel_pop3_session_command_async);
  if (line != NULL)
    command->line = g_bytes_new_take (g_strconcat (line, "\r\n", NULL), strlen (line) + 2);
  command->multiline = multiline;
  command->max_bytes = max_bytes;
  g_task_set_task_data (task, command, (GDestroyNotify) command_free);
  /* With PIPELINING (RFC 2449) the command goes out now; its reply is
   * read in turn. */
  if (self->pipelining && command->line != NULL && !g_queue_is_empty (&self->queue))
    send_line (self, command);
  g_queue_push_tail (&self->queue, task);
  run_next (self);
}

static void
queue_command (SatchelPop3Session  *self,
               const char          *line,
               gboolean             multiline,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  queue_command_full (self, line, multiline, 0, cancellable, callback, user_data);
}

/**
 * satchel_pop3_session_command_async:
 * @line: the command without CRLF
 * @multiline: whether a +OK reply goes on until a line with a lone "."
 *
 * Runs one command after those before it. A -ERR is a reply, not an error.
 */
void
satchel_pop3_session_command_async (SatchelPop3Session  *self,
                                    const char          *line,
                                    gboolean             multiline,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (SATCHEL_IS_POP3_SESSION (self));
  g_return_if_fail (line != NULL);

  queue_command (self, line, multiline, cancellable, callback, user_data);
}

SatchelPop3Reply *
satchel_pop3_session_command_finish (SatchelPop3Session  *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * satchel_pop3_session_retrieve_async:
 * @command: "RETR n" or "TOP n 0"
 * @max_bytes: the most the message may have (from LIST, with room for
 *   line ends): more is a protocol error
 *
 * Runs a command whose reply is a message: the reply's message holds its
 * bytes, dot-unstuffed, every line ending in CRLF.
 */
void
satchel_pop3_session_retrieve_async (SatchelPop3Session  *self,
                                     const char          *command,
                                     gsize                max_bytes,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (SATCHEL_IS_POP3_SESSION (self));
  g_return_if_fail (command != NULL && max_bytes > 0);

  queue_command_full (self, command, TRUE, max_bytes, cancellable, callback, user_data);
}

/* Connecting */

typedef enum
{
  STEP_GREETING,
  STEP_CAPA,
  STEP_STLS,
  STEP_TLS,
  STEP_CAPA_AFTER_TLS,
} Step;

static void connect_reply_cb (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data);

static void
connect_fail (GTask  *task,
              GError *error)
{
  SatchelPop3Session *self = g_task_get_source_object (task);

  satchel_connection_close (self->connection);
  g_task_return_error (task, satchel_connection_error_before_tls (self->connection, error));
  g_object_unref (task);
}

static void
take_capabilities (SatchelPop3Session *self,
                   SatchelPop3Reply   *reply)
{
  g_hash_table_remove_all (self->capabilities);
  if (!reply->ok || reply->lines == NULL)
    return;
  for (guint i = 0; i < reply->lines->len; i++)
    {
      const char *line = g_ptr_array_index (reply->lines, i);
      const char *space = strchr (line, ' ');
      g_autofree char *word = g_ascii_strup (line, space != NULL ? space - line : -1);

      g_hash_table_add (self->capabilities, g_steal_pointer (&word));
      /* "SASL PLAIN LOGIN": each mechanism as "SASL PLAIN". */
      if (space != NULL && g_ascii_strncasecmp (line, "SASL ", 5) == 0)
        {
          g_auto(GStrv) mechanisms = g_strsplit (space + 1, " ", -1);

          for (guint m = 0; mechanisms[m] != NULL; m++)
            {
              g_autofree char *mechanism = g_ascii_strup (mechanisms[m], -1);

              if (mechanism[0] != '\0')
                g_hash_table_add (self->capabilities, g_strconcat ("SASL ", mechanism, NULL));
            }
        }
    }
}

static void
connect_next (GTask *task,
              Step   step)
{
  SatchelPop3Session *self = g_task_get_source_object (task);

  g_object_set_data (G_OBJECT (task), "step", GINT_TO_POINTER (step));
  switch (step)
    {
    case STEP_GREETING:
      queue_command (self, NULL, FALSE, g_task_get_cancellable (task), connect_reply_cb, task);
      break;
    case STEP_CAPA:
    case STEP_CAPA_AFTER_TLS:
      queue_command (self, "CAPA", TRUE, g_task_get_cancellable (task), connect_reply_cb, task);
      break;
    case STEP_STLS:
      queue_command (self, "STLS", FALSE, g_task_get_cancellable (task), connect_reply_cb, task);
      break;
    case STEP_TLS:
    default:
      g_assert_not_reached ();
    }
}

static void
tls_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!satchel_connection_starttls_finish (SATCHEL_CONNECTION (source), result, &error))
    {
      connect_fail (task, error);
      return;
    }
  connect_next (task, STEP_CAPA_AFTER_TLS);
}

static void
connect_reply_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  SatchelPop3Session *self = g_task_get_source_object (task);
  Step step = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "step"));
  g_autoptr(SatchelPop3Reply) reply = NULL;
  gboolean wants_tls = satchel_connection_get_security (self->connection) ==
                       SATCHEL_SECURITY_STARTTLS;
  GError *error = NULL;

  reply = satchel_pop3_session_command_finish (self, result, &error);
  if (reply == NULL)
    {
      connect_fail (task, error);
      return;
    }

  switch (step)
    {
    case STEP_GREETING:
      if (!reply->ok)
        {
          connect_fail (task, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_SERVER,
                                           _("The server %s refused the connection: %s"),
                                           host (self), reply->text));
          return;
        }
      g_free (self->greeting);
      self->greeting = g_strdup (reply->text);
      connect_next (task, STEP_CAPA);
      return;

    case STEP_CAPA:
      take_capabilities (self, reply);
      if (!wants_tls || satchel_connection_is_encrypted (self->connection))
        break;
      if (!satchel_pop3_session_has_capability (self, "STLS"))
        {
          connect_fail (task, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_INSECURE,
                                           _("The server %s does not offer STLS, so the "
                                             "connection cannot be encrypted as the account "
                                             "requires."),
                                           host (self)));
          return;
        }
      connect_next (task, STEP_STLS);
      return;

    case STEP_STLS:
      if (!reply->ok)
        {
          connect_fail (task, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_INSECURE,
                                           _("The server %s refused to encrypt the connection "
                                             "(STLS): %s"),
                                           host (self), reply->text));
          return;
        }
      g_object_set_data (G_OBJECT (task), "step", GINT_TO_POINTER (STEP_TLS));
      satchel_connection_starttls_async (self->connection, g_task_get_cancellable (task), tls_cb,
                                         task);
      return;

    case STEP_CAPA_AFTER_TLS:
      take_capabilities (self, reply);
      break;

    case STEP_TLS:
    default:
      g_assert_not_reached ();
    }

  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
connection_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!satchel_connection_connect_finish (SATCHEL_CONNECTION (source), result, &error))
    {
      connect_fail (task, error);
      return;
    }
  connect_next (task, STEP_GREETING);
}

void
satchel_pop3_session_connect_async (SatchelPop3Session  *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SATCHEL_IS_POP3_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_pop3_session_connect_async);
  satchel_connection_connect_async (self->connection, cancellable, connection_cb, task);
}

gboolean
satchel_pop3_session_connect_finish (SatchelPop3Session  *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Logging in */

/* The "<...>" of an APOP greeting, or NULL. */
static char *
apop_timestamp (const char *greeting)
{
  const char *start = greeting != NULL ? strchr (greeting, '<') : NULL;
  const char *end = start != NULL ? strchr (start, '>') : NULL;

  if (end == NULL || end - start < 3 || end - start > 256 || memchr (start, ' ', end - start))
    return NULL;
  return g_strndup (start, end - start + 1);
}

/**
 * satchel_pop3_session_set_apop:
 *
 * Makes login() use APOP, as the user chose for the account.
 */
void
satchel_pop3_session_set_apop (SatchelPop3Session *self,
                               gboolean            apop)
{
  g_return_if_fail (SATCHEL_IS_POP3_SESSION (self));
  self->apop = apop;
}

typedef struct
{
  char *user;
  char *password;
} Login;

static void
login_free (Login *login)
{
  g_free (login->user);
  if (login->password != NULL)
    explicit_bzero (login->password, strlen (login->password));
  g_free (login->password);
  g_free (login);
}

static GError *
login_error (SatchelPop3Session *self,
             const char         *user,
             SatchelPop3Reply   *reply)
{
  if (g_strcmp0 (reply->code, "IN-USE") == 0)
    return g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_SERVER,
                        _("The mailbox of %s on %s is in use by another program; try again "
                          "when it is done: %s"),
                        user, host (self), reply->text);
  if (g_strcmp0 (reply->code, "LOGIN-DELAY") == 0)
    return g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_SERVER,
                        _("The server %s allows %s to log in only every so often; try again "
                          "later: %s"),
                        host (self), user, reply->text);
  if (g_strcmp0 (reply->code, "SYS/TEMP") == 0)
    return g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_SERVER,
                        _("The server %s has a temporary problem; try again later: %s"),
                        host (self), reply->text);
  if (g_strcmp0 (reply->code, "SYS/PERM") == 0)
    return g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_SERVER,
                        _("The server %s cannot open the mailbox of %s: %s"),
                        host (self), user, reply->text);
  return g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_AUTH_FAILED,
                      _("The server %s refused the password for %s: %s"), host (self), user,
                      reply->text);
}

static void
pass_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SatchelPop3Session *self = g_task_get_source_object (task);
  Login *login = g_task_get_task_data (task);
  g_autoptr(SatchelPop3Reply) reply = NULL;
  GError *error = NULL;

  reply = satchel_pop3_session_command_finish (self, result, &error);
  if (reply == NULL)
    g_task_return_error (task, error);
  else if (!reply->ok)
    g_task_return_error (task, login_error (self, login->user, reply));
  else
    {
      self->authenticated = TRUE;
      self->pipelining = satchel_pop3_session_has_capability (self, "PIPELINING");
      g_task_return_boolean (task, TRUE);
    }
}

static void
user_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SatchelPop3Session *self = g_task_get_source_object (task);
  Login *login = g_task_get_task_data (task);
  g_autoptr(SatchelPop3Reply) reply = NULL;
  g_autofree char *line = NULL;
  GCancellable *cancellable;
  GError *error = NULL;

  reply = satchel_pop3_session_command_finish (self, result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!reply->ok)
    {
      g_task_return_error (task, login_error (self, login->user, reply));
      return;
    }
  line = g_strconcat ("PASS ", login->password, NULL);
  /* The cancellable is taken before the task is handed on: the order in
   * which arguments are evaluated is not defined. */
  cancellable = g_task_get_cancellable (task);
  queue_command (self, line, FALSE, cancellable, pass_cb, g_steal_pointer (&task));
  explicit_bzero (line, strlen (line));
}

void
satchel_pop3_session_login_async (SatchelPop3Session  *self,
                                  const char          *user,
                                  const char          *password,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *line = NULL;
  Login *login;

  g_return_if_fail (SATCHEL_IS_POP3_SESSION (self));
  g_return_if_fail (user != NULL && password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_pop3_session_login_async);
  login = g_new0 (Login, 1);
  login->user = g_strdup (user);
  login->password = g_strdup (password);
  g_task_set_task_data (task, login, (GDestroyNotify) login_free);

  if (!satchel_connection_is_encrypted (self->connection) &&
      satchel_connection_get_security (self->connection) != SATCHEL_SECURITY_NONE)
    {
      g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_INSECURE,
                               _("The connection to %s is not encrypted; the password was not "
                                 "sent."),
                               host (self));
      return;
    }
  if (strpbrk (user, "\r\n") != NULL || strpbrk (password, "\r\n") != NULL)
    {
      g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_AUTH_UNAVAILABLE,
                               _("A login name or password with a line break cannot be sent "
                                 "to %s."),
                               host (self));
      return;
    }

  if (self->apop)
    {
      g_autofree char *timestamp = apop_timestamp (self->greeting);
      g_autofree char *secret = NULL;
      g_autofree char *digest = NULL;

      /* APOP (RFC 1939): the MD5 of the greeting's timestamp and the
       * password, which the user asked for; never anything else. */
      if (timestamp == NULL)
        {
          g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_AUTH_UNAVAILABLE,
                                   _("The server %s does not offer APOP (its greeting has no "
                                     "timestamp); turn APOP off for this account."),
                                   host (self));
          return;
        }
      secret = g_strconcat (timestamp, password, NULL);
      digest = g_compute_checksum_for_string (G_CHECKSUM_MD5, secret, -1);
      explicit_bzero (secret, strlen (secret));
      line = g_strconcat ("APOP ", user, " ", digest, NULL);
      queue_command (self, line, FALSE, cancellable, pass_cb, g_steal_pointer (&task));
      return;
    }
  if (satchel_pop3_session_has_capability (self, "SASL PLAIN"))
    {
      g_autofree char *initial = satchel_sasl_plain (user, password);

      line = g_strconcat ("AUTH PLAIN ", initial, NULL);
      explicit_bzero (initial, strlen (initial));
      queue_command (self, line, FALSE, cancellable, pass_cb, g_steal_pointer (&task));
      explicit_bzero (line, strlen (line));
      return;
    }
  if (g_hash_table_size (self->capabilities) > 0 &&
      !satchel_pop3_session_has_capability (self, "USER"))
    {
      g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_AUTH_UNAVAILABLE,
                               _("The server %s offers no way to log in that Satchel may use "
                                 "on this connection."),
                               host (self));
      return;
    }
  line = g_strconcat ("USER ", user, NULL);
  queue_command (self, line, FALSE, cancellable, user_cb, g_steal_pointer (&task));
}

gboolean
satchel_pop3_session_login_finish (SatchelPop3Session  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Quitting */

static void
quit_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SatchelPop3Session *self = g_task_get_source_object (task);
  g_autoptr(SatchelPop3Reply) reply = NULL;
  GError *error = NULL;

  reply = satchel_pop3_session_command_finish (self, result, &error);
  satchel_connection_close (self->connection);
  if (reply == NULL)
    g_task_return_error (task, error);
  else if (!reply->ok)
    g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_SERVER,
                             _("The server %s did not end the session cleanly: %s"),
                             host (self), reply->text);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * satchel_pop3_session_quit_async:
 *
 * Ends the session. Deletions (DELE) take effect only when this succeeds.
 */
void
satchel_pop3_session_quit_async (SatchelPop3Session  *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SATCHEL_IS_POP3_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_pop3_session_quit_async);
  queue_command (self, "QUIT", FALSE, cancellable, quit_cb, task);
}

gboolean
satchel_pop3_session_quit_finish (SatchelPop3Session  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Object */

static void
satchel_pop3_session_finalize (GObject *object)
{
  SatchelPop3Session *self = (SatchelPop3Session *)object;

  g_assert (g_queue_is_empty (&self->queue));
  g_clear_object (&self->connection);
  g_clear_pointer (&self->capabilities, g_hash_table_unref);
  g_clear_pointer (&self->greeting, g_free);

  G_OBJECT_CLASS (satchel_pop3_session_parent_class)->finalize (object);
}

static void
satchel_pop3_session_class_init (SatchelPop3SessionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = satchel_pop3_session_finalize;
}

static void
satchel_pop3_session_init (SatchelPop3Session *self)
{
  self->capabilities = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&self->queue);
}

SatchelPop3Session *
satchel_pop3_session_new (SatchelConnection *connection)
{
  SatchelPop3Session *self;

  g_return_val_if_fail (SATCHEL_IS_CONNECTION (connection), NULL);

  self = g_object_new (SATCHEL_TYPE_POP3_SESSION, NULL);
  self->connection = g_object_ref (connection);
  return self;
}

SatchelConnection *
satchel_pop3_session_get_connection (SatchelPop3Session *self)
{
  g_return_val_if_fail (SATCHEL_IS_POP3_SESSION (self), NULL);
  return self->connection;
}

gboolean
satchel_pop3_session_has_capability (SatchelPop3Session *self,
                                     const char         *capability)
{
  g_autofree char *upper = g_ascii_strup (capability, -1);

  g_return_val_if_fail (SATCHEL_IS_POP3_SESSION (self), FALSE);
  return g_hash_table_contains (self->capabilities, upper);
}
