/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-smtp-session.c: an SMTP submission session on one connection
 *
 * Copyright 2026 The Satchel authors
 *
 * connect() reads the greeting and says EHLO (HELO when EHLO is unknown);
 * with STARTTLS security it upgrades and says EHLO again, and a server
 * that then does not answer EHLO ends the session: it never goes on in
 * plain text. login() uses AUTH PLAIN, else AUTH LOGIN, and never on an
 * unencrypted connection the account did not choose.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "net/satchel-net-error.h"
#include "mime/satchel-gmime.h"
#include "net/satchel-sasl.h"
#include "satchel-debug.h"
#include "satchel-smtp-session.h"

#define MAX_LINE        65536
#define MAX_REPLY_LINES 1000

typedef struct
{
  GBytes           *line;      /* a command with its CRLF, or a message's data */
  gboolean          written;   /* sent ahead (PIPELINING) */
  SatchelSmtpReply *reply;
} Command;

struct _SatchelSmtpSession
{
  GObject parent_instance;

  gboolean            running;
  gboolean            esmtp;

  /* Owned */
  SatchelConnection  *connection;
  GHashTable         *extensions;   /* upper-case keyword -> parameters */
  GQueue              queue;        /* GTask; the head is running */
};

G_DEFINE_FINAL_TYPE (SatchelSmtpSession, satchel_smtp_session, G_TYPE_OBJECT)

static void run_next (SatchelSmtpSession *self);

void
satchel_smtp_reply_free (SatchelSmtpReply *reply)
{
  if (reply == NULL)
    return;
  g_free (reply->enhanced);
  g_free (reply->text);
  g_clear_pointer (&reply->lines, g_ptr_array_unref);
  g_free (reply);
}

static void
command_free (Command *command)
{
  g_clear_pointer (&command->line, g_bytes_unref);
  g_clear_pointer (&command->reply, satchel_smtp_reply_free);
  g_free (command);
}

static const char *
host (SatchelSmtpSession *self)
{
  return satchel_connection_get_host (self->connection);
}

gboolean
satchel_smtp_parse_line (const char  *line,
                         gsize        len,
                         guint       *code,
                         gboolean    *last,
                         const char **text)
{
  if (len < 3 || !g_ascii_isdigit (line[0]) || !g_ascii_isdigit (line[1]) ||
      !g_ascii_isdigit (line[2]) || line[0] < '2' || line[0] > '5')
    return FALSE;
  if (len > 3 && line[3] != ' ' && line[3] != '-')
    return FALSE;
  *code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  *last = len == 3 || line[3] == ' ';
  *text = len > 4 ? line + 4 : "";
  return TRUE;
}

/* "5.1.1 text" at the start of the first line (RFC 3463). */
static void
take_enhanced_code (SatchelSmtpReply *reply)
{
  const char *first = reply->lines->len > 0 ? g_ptr_array_index (reply->lines, 0) : "";
  const char *p = first;
  int dots = 0;

  if (!(g_ascii_isdigit (p[0]) && p[1] == '.'))
    return;
  while (*p != '\0' && *p != ' ' && (g_ascii_isdigit (*p) || *p == '.'))
    {
      if (*p == '.')
        dots++;
      p++;
    }
  if (dots == 2 && p - first <= 11)
    reply->enhanced = g_strndup (first, p - first);
}

/* Running commands */

static void
finish_head (SatchelSmtpSession *self,
             GError             *error)
{
  g_autoptr(GTask) task = g_queue_pop_head (&self->queue);
  Command *command = g_task_get_task_data (task);

  self->running = FALSE;
  satchel_connection_set_expecting_reply (self->connection, FALSE);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    {
      SatchelSmtpReply *reply = g_steal_pointer (&command->reply);

      take_enhanced_code (reply);
      reply->text = g_strjoinv (" ", (char **) reply->lines->pdata);
      g_task_return_pointer (task, reply, (GDestroyNotify) satchel_smtp_reply_free);
    }
  run_next (self);
}

static void
reply_line_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  SatchelSmtpSession *self = user_data;
  GTask *task = g_queue_peek_head (&self->queue);
  Command *command = g_task_get_task_data (task);
  g_autofree char *line = NULL;
  GError *error = NULL;
  const char *text;
  gboolean last;
  guint code;
  gsize len;

  line = satchel_connection_read_line_finish (SATCHEL_CONNECTION (source), result, &len, &error);
  if (line != NULL && SATCHEL_DEBUGGING (SATCHEL_DEBUG_SMTP))
    satchel_debug_wire ("smtp", "S", line, len);
  if (line == NULL)
    {
      finish_head (self, error);
      g_object_unref (self);
      return;
    }
  if (memchr (line, '\0', len) != NULL || !satchel_smtp_parse_line (line, len, &code, &last, &text) ||
      (command->reply->code != 0 && code != command->reply->code))
    {
      finish_head (self, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                                      _("The server %s sent a malformed reply."), host (self)));
      g_object_unref (self);
      return;
    }
  command->reply->code = code;
  if (command->reply->lines->len >= MAX_REPLY_LINES)
    {
      finish_head (self, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                                      _("The server %s sent a reply of more than %d lines."),
                                      host (self), MAX_REPLY_LINES));
      g_object_unref (self);
      return;
    }
  g_ptr_array_add (command->reply->lines, g_utf8_make_valid (text, -1));
  if (last)
    {
      finish_head (self, NULL);
      g_object_unref (self);
      return;
    }
  satchel_connection_read_line_async (self->connection, MAX_LINE, g_task_get_cancellable (task),
                                      reply_line_cb, self);
}

static void
write_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  SatchelSmtpSession *self = user_data;
  GError *error = NULL;

  /* A failed write also fails the read of its reply; that reports it. */
  if (!satchel_connection_write_finish (SATCHEL_CONNECTION (source), result, &error))
    g_error_free (error);
  g_object_unref (self);
}

/* SATCHEL_DEBUG=smtp: commands are shown; AUTH's data and the lines of an
 * AUTH LOGIN exchange (user name, password) are not. */
static void
debug_command (GBytes *line)
{
  static const char *shown[] = { "EHLO ", "HELO ", "STARTTLS", "MAIL ", "RCPT ", "DATA\r", "QUIT",
                                 "RSET", "NOOP", "BDAT " };
  gsize len;
  const char *data = g_bytes_get_data (line, &len);

  if (len > 200 || memchr (data, '\n', len) != data + len - 1)
    {
      g_autofree char *what = g_strdup_printf ("(a message of %" G_GSIZE_FORMAT " bytes)", len);

      satchel_debug_wire ("smtp", "C", what, strlen (what));
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (shown); i++)
    if (g_ascii_strncasecmp (data, shown[i], strlen (shown[i])) == 0)
      {
        satchel_debug_wire ("smtp", "C", data, len);
        return;
      }
  if (g_ascii_strncasecmp (data, "AUTH ", 5) == 0)
    {
      const char *space = memchr (data + 5, ' ', len - 5);

      satchel_debug_wire ("smtp", "C", data, space != NULL ? (gsize) (space - data) : len);
      return;
    }
  satchel_debug_wire ("smtp", "C", "(credentials hidden)", 20);
}

static void
send_line (SatchelSmtpSession *self,
           Command            *command)
{
  if (SATCHEL_DEBUGGING (SATCHEL_DEBUG_SMTP))
    debug_command (command->line);
  command->written = TRUE;
  satchel_connection_write_async (self->connection, command->line, NULL, write_cb,
                                  g_object_ref (self));
}

static void
run_next (SatchelSmtpSession *self)
{
  GTask *task = g_queue_peek_head (&self->queue);
  Command *command;

  if (self->running || task == NULL)
    return;
  command = g_task_get_task_data (task);
  self->running = TRUE;
  satchel_connection_set_expecting_reply (self->connection, TRUE);
  command->reply = g_new0 (SatchelSmtpReply, 1);
  /* NULL-terminated, so that the lines can be joined. */
  command->reply->lines = g_ptr_array_new_null_terminated (1, g_free, TRUE);
  if (command->line != NULL && !command->written)
    send_line (self, command);
  satchel_connection_read_line_async (self->connection, MAX_LINE, g_task_get_cancellable (task),
                                      reply_line_cb, g_object_ref (self));
}

/* @ahead: send it now, before the replies to the commands queued earlier
 * (PIPELINING, RFC 2920). */
static void
queue_bytes (SatchelSmtpSession  *self,
             GBytes              *bytes,
             gboolean             ahead,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Command *command = g_new0 (Command, 1);

  g_task_set_source_tag (task, satchel_smtp_session_command_async);
  command->line = bytes;
  g_task_set_task_data (task, command, (GDestroyNotify) command_free);
  if (ahead && bytes != NULL && !g_queue_is_empty (&self->queue))
    send_line (self, command);
  g_queue_push_tail (&self->queue, task);
  run_next (self);
}

static void
queue_command (SatchelSmtpSession  *self,
               const char          *line,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GBytes *bytes = NULL;

  if (line != NULL)
    bytes = g_bytes_new_take (g_strconcat (line, "\r\n", NULL), strlen (line) + 2);
  queue_bytes (self, bytes, FALSE, cancellable, callback, user_data);
}

/**
 * satchel_smtp_session_command_async:
 * @line: the command without CRLF
 *
 * Runs one command after those before it. A 4xx or 5xx is a reply, not an
 * error.
 */
void
satchel_smtp_session_command_async (SatchelSmtpSession  *self,
                                    const char          *line,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (SATCHEL_IS_SMTP_SESSION (self));
  g_return_if_fail (line != NULL);

  queue_command (self, line, cancellable, callback, user_data);
}

SatchelSmtpReply *
satchel_smtp_session_command_finish (SatchelSmtpSession  *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Connecting */

typedef enum
{
  STEP_GREETING,
  STEP_EHLO,
  STEP_HELO,
  STEP_STARTTLS,
  STEP_EHLO_AFTER_TLS,
} Step;

static void connect_reply_cb (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data);

static void
connect_fail (GTask  *task,
              GError *error)
{
  SatchelSmtpSession *self = g_task_get_source_object (task);

  satchel_connection_close (self->connection);
  g_task_return_error (task, satchel_connection_error_before_tls (self->connection, error));
  g_object_unref (task);
}

static void
take_extensions (SatchelSmtpSession *self,
                 SatchelSmtpReply   *reply)
{
  g_hash_table_remove_all (self->extensions);
  /* The first line is the server's greeting to us. */
  for (guint i = 1; i < reply->lines->len; i++)
    {
      const char *line = g_ptr_array_index (reply->lines, i);
      const char *space = strchr (line, ' ');

      g_hash_table_replace (self->extensions,
                            g_ascii_strup (line, space != NULL ? space - line : -1),
                            g_strdup (space != NULL ? space + 1 : ""));
    }
}

static void
connect_next (GTask *task,
              Step   step)
{
  SatchelSmtpSession *self = g_task_get_source_object (task);
  g_autofree char *line = NULL;
  g_autofree char *client = NULL;

  g_object_set_data (G_OBJECT (task), "step", GINT_TO_POINTER (step));
  switch (step)
    {
    case STEP_GREETING:
      break;
    case STEP_EHLO:
    case STEP_EHLO_AFTER_TLS:
    case STEP_HELO:
      client = satchel_connection_dup_local_address_literal (self->connection);
      line = g_strdup_printf ("%s %s", step == STEP_HELO ? "HELO" : "EHLO", client);
      break;
    case STEP_STARTTLS:
      line = g_strdup ("STARTTLS");
      break;
    default:
      g_assert_not_reached ();
    }
  queue_command (self, line, g_task_get_cancellable (task), connect_reply_cb, task);
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
  connect_next (task, STEP_EHLO_AFTER_TLS);
}

static void
connect_reply_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  SatchelSmtpSession *self = g_task_get_source_object (task);
  Step step = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "step"));
  g_autoptr(SatchelSmtpReply) reply = NULL;
  gboolean wants_tls = satchel_connection_get_security (self->connection) ==
                       SATCHEL_SECURITY_STARTTLS;
  GError *error = NULL;

  reply = satchel_smtp_session_command_finish (self, result, &error);
  if (reply == NULL)
    {
      connect_fail (task, error);
      return;
    }

  switch (step)
    {
    case STEP_GREETING:
      if (reply->code != 220)
        {
          connect_fail (task, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_SERVER,
                                           _("The server %s refused the connection: %u %s"),
                                           host (self), reply->code, reply->text));
          return;
        }
      connect_next (task, STEP_EHLO);
      return;

    case STEP_EHLO:
      if (reply->code / 100 != 2)
        {
          /* An old server without ESMTP cannot do STARTTLS or AUTH. */
          if (wants_tls)
            {
              connect_fail (task, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_INSECURE,
                                               _("The server %s does not speak ESMTP, so the "
                                                 "connection cannot be encrypted as the "
                                                 "account requires."),
                                               host (self)));
              return;
            }
          connect_next (task, STEP_HELO);
          return;
        }
      self->esmtp = TRUE;
      take_extensions (self, reply);
      if (!wants_tls || satchel_connection_is_encrypted (self->connection))
        break;
      if (!satchel_smtp_session_has_extension (self, "STARTTLS"))
        {
          connect_fail (task, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_INSECURE,
                                           _("The server %s does not offer STARTTLS, so the "
                                             "connection cannot be encrypted as the account "
                                             "requires."),
                                           host (self)));
          return;
        }
      connect_next (task, STEP_STARTTLS);
      return;

    case STEP_HELO:
      if (reply->code / 100 != 2)
        {
          connect_fail (task, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_SERVER,
                                           _("The server %s refused to start a session: %u %s"),
                                           host (self), reply->code, reply->text));
          return;
        }
      g_hash_table_remove_all (self->extensions);
      break;

    case STEP_STARTTLS:
      if (reply->code != 220)
        {
          connect_fail (task, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_INSECURE,
                                           _("The server %s refused to encrypt the connection "
                                             "(STARTTLS): %u %s"),
                                           host (self), reply->code, reply->text));
          return;
        }
      satchel_connection_starttls_async (self->connection, g_task_get_cancellable (task), tls_cb,
                                         task);
      return;

    case STEP_EHLO_AFTER_TLS:
      if (reply->code / 100 != 2)
        {
          connect_fail (task, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                                           _("The server %s did not answer EHLO after "
                                             "encrypting the connection: %u %s"),
                                           host (self), reply->code, reply->text));
          return;
        }
      take_extensions (self, reply);
      break;

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
satchel_smtp_session_connect_async (SatchelSmtpSession  *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SATCHEL_IS_SMTP_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_smtp_session_connect_async);
  satchel_connection_connect_async (self->connection, cancellable, connection_cb, task);
}

gboolean
satchel_smtp_session_connect_finish (SatchelSmtpSession  *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Logging in */

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
auth_error (SatchelSmtpSession *self,
            const char         *user,
            SatchelSmtpReply   *reply)
{
  if (reply->code / 100 == 4)
    return g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_SERVER,
                        _("The server %s cannot log in %s now; try again later: %u %s"),
                        host (self), user, reply->code, reply->text);
  return g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_AUTH_FAILED,
                      _("The server %s refused the password for %s: %u %s"), host (self), user,
                      reply->code, reply->text);
}

static void
auth_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SatchelSmtpSession *self = g_task_get_source_object (task);
  Login *login = g_task_get_task_data (task);
  g_autoptr(SatchelSmtpReply) reply = NULL;
  GError *error = NULL;

  reply = satchel_smtp_session_command_finish (self, result, &error);
  if (reply == NULL)
    g_task_return_error (task, error);
  else if (reply->code != 235)
    g_task_return_error (task, auth_error (self, login->user, reply));
  else
    g_task_return_boolean (task, TRUE);
}

static void
auth_login_step_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SatchelSmtpSession *self = g_task_get_source_object (task);
  Login *login = g_task_get_task_data (task);
  g_autoptr(SatchelSmtpReply) reply = NULL;
  g_autofree char *answer = NULL;
  gboolean user_sent = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "user-sent"));
  GCancellable *cancellable;
  GError *error = NULL;

  reply = satchel_smtp_session_command_finish (self, result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (reply->code != 334)
    {
      g_task_return_error (task, auth_error (self, login->user, reply));
      return;
    }
  if (!user_sent)
    {
      answer = g_base64_encode ((const guchar *) login->user, strlen (login->user));
      g_object_set_data (G_OBJECT (task), "user-sent", GINT_TO_POINTER (TRUE));
      /* Not g_task_get_cancellable (task) in the same call as
       * g_steal_pointer (&task): arguments are evaluated in any order. */
      cancellable = g_task_get_cancellable (task);
      queue_command (self, answer, cancellable, auth_login_step_cb, g_steal_pointer (&task));
      return;
    }
  answer = g_base64_encode ((const guchar *) login->password, strlen (login->password));
  cancellable = g_task_get_cancellable (task);
  queue_command (self, answer, cancellable, auth_done_cb, g_steal_pointer (&task));
  explicit_bzero (answer, strlen (answer));
}

static gboolean
offers_mechanism (SatchelSmtpSession *self,
                  const char         *mechanism)
{
  const char *mechanisms = g_hash_table_lookup (self->extensions, "AUTH");
  g_auto(GStrv) names = NULL;

  if (mechanisms == NULL)
    return FALSE;
  names = g_strsplit (mechanisms, " ", -1);
  for (guint i = 0; names[i] != NULL; i++)
    if (g_ascii_strcasecmp (names[i], mechanism) == 0)
      return TRUE;
  return FALSE;
}

void
satchel_smtp_session_login_async (SatchelSmtpSession  *self,
                                  const char          *user,
                                  const char          *password,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Login *login;

  g_return_if_fail (SATCHEL_IS_SMTP_SESSION (self));
  g_return_if_fail (user != NULL && password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_smtp_session_login_async);
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

  if (offers_mechanism (self, "PLAIN"))
    {
      g_autofree char *initial = satchel_sasl_plain (user, password);
      g_autofree char *line = g_strconcat ("AUTH PLAIN ", initial, NULL);

      queue_command (self, line, cancellable, auth_done_cb, g_steal_pointer (&task));
      explicit_bzero (initial, strlen (initial));
      explicit_bzero (line, strlen (line));
      return;
    }
  if (offers_mechanism (self, "LOGIN"))
    {
      queue_command (self, "AUTH LOGIN", cancellable, auth_login_step_cb,
                     g_steal_pointer (&task));
      return;
    }
  g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_AUTH_UNAVAILABLE,
                           _("The server %s offers no way to log in that Satchel may use on "
                             "this connection."),
                           host (self));
}

gboolean
satchel_smtp_session_login_finish (SatchelSmtpSession  *self,
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
  SatchelSmtpSession *self = g_task_get_source_object (task);
  g_autoptr(SatchelSmtpReply) reply = NULL;
  GError *error = NULL;

  reply = satchel_smtp_session_command_finish (self, result, &error);
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
satchel_smtp_session_quit_async (SatchelSmtpSession  *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SATCHEL_IS_SMTP_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_smtp_session_quit_async);
  queue_command (self, "QUIT", cancellable, quit_cb, task);
}

gboolean
satchel_smtp_session_quit_finish (SatchelSmtpSession  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Object */

static void
satchel_smtp_session_finalize (GObject *object)
{
  SatchelSmtpSession *self = (SatchelSmtpSession *)object;

  g_assert (g_queue_is_empty (&self->queue));
  g_clear_object (&self->connection);
  g_clear_pointer (&self->extensions, g_hash_table_unref);

  G_OBJECT_CLASS (satchel_smtp_session_parent_class)->finalize (object);
}

static void
satchel_smtp_session_class_init (SatchelSmtpSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = satchel_smtp_session_finalize;
}

static void
satchel_smtp_session_init (SatchelSmtpSession *self)
{
  self->extensions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_queue_init (&self->queue);
}

SatchelSmtpSession *
satchel_smtp_session_new (SatchelConnection *connection)
{
  SatchelSmtpSession *self;

  g_return_val_if_fail (SATCHEL_IS_CONNECTION (connection), NULL);

  self = g_object_new (SATCHEL_TYPE_SMTP_SESSION, NULL);
  self->connection = g_object_ref (connection);
  return self;
}

SatchelConnection *
satchel_smtp_session_get_connection (SatchelSmtpSession *self)
{
  g_return_val_if_fail (SATCHEL_IS_SMTP_SESSION (self), NULL);
  return self->connection;
}

gboolean
satchel_smtp_session_has_extension (SatchelSmtpSession *self,
                                    const char         *extension)
{
  g_autofree char *upper = g_ascii_strup (extension, -1);

  g_return_val_if_fail (SATCHEL_IS_SMTP_SESSION (self), FALSE);
  return g_hash_table_contains (self->extensions, upper);
}

/* Sending a message */

typedef struct
{
  char     *from;
  GStrv     recipients;
  GBytes   *data;          /* dot-stuffed, ending with CRLF . CRLF */
  guint     replies_left;  /* MAIL and RCPT replies still to come */
  GString  *refused;       /* "address: reply" for each refusal */
  gboolean  permanent;     /* a refusal was a 5xx */
  gboolean  mail_refused;
} Send;

static void
send_free (Send *send)
{
  g_free (send->from);
  g_strfreev (send->recipients);
  g_clear_pointer (&send->data, g_bytes_unref);
  g_string_free (send->refused, TRUE);
  g_free (send);
}

/**
 * satchel_smtp_dot_stuff:
 *
 * Returns: (transfer full): @message as DATA sends it: lines ending in
 *   CRLF, those that start with "." given another, and the final "."
 */
GBytes *
satchel_smtp_dot_stuff (GBytes *message)
{
  g_autoptr(GMimeStream) source = NULL;
  g_autoptr(GMimeStream) sink = g_mime_stream_mem_new ();
  g_autoptr(GMimeStream) filtered = g_mime_stream_filter_new (sink);
  g_autoptr(GMimeFilter) crlf = g_mime_filter_dos2unix_new (FALSE);
  g_autoptr(GMimeFilter) dos = g_mime_filter_unix2dos_new (TRUE);
  g_autoptr(GMimeFilter) dots = g_mime_filter_smtp_data_new ();
  GByteArray *bytes;
  gsize len;
  const char *data = g_bytes_get_data (message, &len);

  satchel_gmime_ensure_init ();
  source = g_mime_stream_mem_new_with_buffer (data, len);
  /* Any line end to LF, then every LF to CRLF (a last one added), then
   * the dots. */
  g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), crlf);
  g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), dos);
  g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), dots);
  g_mime_stream_write_to_stream (source, filtered);
  g_mime_stream_flush (filtered);
  bytes = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (sink));
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (sink), FALSE);
  g_byte_array_append (bytes, (const guint8 *) ".\r\n", 3);
  return g_byte_array_free_to_bytes (bytes);
}

static GError *
refusal (SatchelSmtpSession *self,
         SatchelSmtpReply   *reply,
         const char         *what)
{
  return g_error_new (SATCHEL_NET_ERROR,
                      reply->code >= 500 ? SATCHEL_NET_ERROR_REJECTED : SATCHEL_NET_ERROR_TEMPORARY,
                      reply->code >= 500
                      ? _("The server %s refused %s: %u %s")
                      : _("The server %s cannot take %s now; it will be tried again later: %u %s"),
                      host (self), what, reply->code, reply->text);
}

static void
final_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SatchelSmtpSession *self = g_task_get_source_object (task);
  g_autoptr(SatchelSmtpReply) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = satchel_smtp_session_command_finish (self, result, &error);
  if (reply == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_DELIVERY_UNKNOWN,
                                 _("The whole message was sent to %s, then the connection broke "
                                   "before the server said whether it took it (%s). It is not "
                                   "sent again by itself: check whether it arrived first."),
                                 host (self), error->message);
      return;
    }
  if (reply->code / 100 != 2)
    {
      g_task_return_error (task, refusal (self, reply, _("the message")));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
data_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SatchelSmtpSession *self = g_task_get_source_object (task);
  Send *send = g_task_get_task_data (task);
  g_autoptr(SatchelSmtpReply) reply = NULL;
  GCancellable *cancellable;
  GError *error = NULL;

  reply = satchel_smtp_session_command_finish (self, result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (reply->code != 354)
    {
      g_task_return_error (task, refusal (self, reply, _("the message")));
      return;
    }
  cancellable = g_task_get_cancellable (task);
  queue_bytes (self, g_bytes_ref (send->data), FALSE, cancellable, final_cb,
               g_steal_pointer (&task));
}

static void
rset_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SatchelSmtpReply) reply = NULL;

  /* Only to leave the session clean: its answer changes nothing. */
  reply = satchel_smtp_session_command_finish (SATCHEL_SMTP_SESSION (source), result, NULL);
}

/* Each MAIL and RCPT command holds a reference to the task. */
static void
envelope_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SatchelSmtpSession *self = g_task_get_source_object (task);
  Send *send = g_task_get_task_data (task);
  const char *recipient = g_object_get_data (G_OBJECT (result), "recipient");
  g_autoptr(SatchelSmtpReply) reply = NULL;
  GError *error = NULL;

  reply = satchel_smtp_session_command_finish (self, result, &error);
  send->replies_left--;
  if (reply == NULL)
    {
      /* The connection is gone: the first of these reports it. */
      if (!g_task_had_error (task))
        g_task_return_error (task, error);
      else
        g_error_free (error);
      return;
    }
  if (reply->code / 100 != 2)
    {
      g_autofree char *what = recipient != NULL ? g_strdup_printf ("“%s”", recipient)
                                                : g_strdup (_("the sender address"));

      if (recipient == NULL)
        send->mail_refused = TRUE;
      if (reply->code >= 500)
        send->permanent = TRUE;
      if (send->refused->len > 0)
        g_string_append (send->refused, "; ");
      g_string_append_printf (send->refused, "%s: %u %s", what, reply->code, reply->text);
    }
  if (send->replies_left > 0 || g_task_had_error (task))
    return;

  if (send->refused->len > 0)
    {
      /* Nobody gets it unless everyone can. */
      queue_command (self, "RSET", NULL, rset_cb, NULL);
      g_task_return_new_error (task, SATCHEL_NET_ERROR,
                               send->permanent ? SATCHEL_NET_ERROR_REJECTED
                                               : SATCHEL_NET_ERROR_TEMPORARY,
                               _("The server %s did not take the message, so it was sent to "
                                 "nobody: %s"), host (self), send->refused->str);
      return;
    }
  queue_command (self, "DATA", g_task_get_cancellable (task), data_cb, g_object_ref (task));
}

static gboolean
is_ascii (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p >= 0x80)
      return FALSE;
  return TRUE;
}

static gboolean
valid_address (const char *address)
{
  return address[0] != '\0' && strpbrk (address, "\r\n<> \t") == NULL &&
         g_utf8_validate (address, -1, NULL);
}

/* Refuses the send when @address cannot be written in MAIL or RCPT; notes
 * whether it needs SMTPUTF8. */
static gboolean
check_address (GTask      *task,
               const char *address,
               gboolean   *utf8)
{
  if (!valid_address (address))
    {
      g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_REJECTED,
                               _("“%s” is not an address mail can be sent to or from."),
                               address);
      return FALSE;
    }
  *utf8 |= !is_ascii (address);
  return TRUE;
}

/**
 * satchel_smtp_session_send_async:
 * @from: the envelope sender (an address)
 * @recipients: the envelope recipients (addresses), at least one
 * @message: the message, lines ending in CRLF or LF
 *
 * Sends one message on a session that is logged in (or needs no login):
 * MAIL and every RCPT (pipelined when the server offers PIPELINING), and
 * DATA only when every recipient was accepted; otherwise nobody gets it
 * and the error lists each refusal with the server's words. Errors:
 * %SATCHEL_NET_ERROR_REJECTED for good, %SATCHEL_NET_ERROR_TEMPORARY for
 * now, %SATCHEL_NET_ERROR_DELIVERY_UNKNOWN when the connection broke after
 * the whole message went out.
 */
void
satchel_smtp_session_send_async (SatchelSmtpSession  *self,
                                 const char          *from,
                                 const char * const  *recipients,
                                 GBytes              *message,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GString) mail = NULL;
  const char *size_limit;
  guint64 max_size;
  gboolean pipelining;
  gboolean utf8 = FALSE;
  gboolean eight_bit = FALSE;
  gsize len;
  const guint8 *data;
  Send *send;

  g_return_if_fail (SATCHEL_IS_SMTP_SESSION (self));
  g_return_if_fail (from != NULL && recipients != NULL && message != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_smtp_session_send_async);

  if (recipients[0] == NULL)
    {
      g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_REJECTED,
                               _("The message has no recipient."));
      return;
    }
  if (!check_address (task, from, &utf8))
    return;
  for (guint i = 0; recipients[i] != NULL; i++)
    if (!check_address (task, recipients[i], &utf8))
      return;
  if (utf8 && !satchel_smtp_session_has_extension (self, "SMTPUTF8"))
    {
      g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_REJECTED,
                               _("The server %s cannot take addresses with characters beyond "
                                 "ASCII (it does not offer SMTPUTF8)."), host (self));
      return;
    }

  data = g_bytes_get_data (message, &len);
  for (gsize i = 0; i < len && !eight_bit; i++)
    eight_bit = data[i] >= 0x80;
  if (eight_bit && !utf8 && !satchel_smtp_session_has_extension (self, "8BITMIME"))
    {
      g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_REJECTED,
                               _("The message holds 8-bit text, which the server %s does not "
                                 "take (it does not offer 8BITMIME)."), host (self));
      return;
    }
  /* The limit counts only as a number (RFC 1870; 0 is none): "1e9" is
   * not a limit of one byte that would fail every message. */
  size_limit = g_hash_table_lookup (self->extensions, "SIZE");
  if (size_limit != NULL &&
      g_ascii_string_to_unsigned (size_limit, 10, 0, G_MAXUINT64, &max_size, NULL) &&
      max_size > 0 && len > max_size)
    {
      g_autofree char *size = g_format_size (len);
      g_autofree char *limit = g_format_size (max_size);

      g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_REJECTED,
                               _("The message is %s, larger than the %s the server %s takes. "
                                 "Send smaller attachments, or a link to them."),
                               size, limit, host (self));
      return;
    }

  send = g_new0 (Send, 1);
  send->from = g_strdup (from);
  send->recipients = g_strdupv ((char **) recipients);
  send->data = satchel_smtp_dot_stuff (message);
  send->refused = g_string_new (NULL);
  send->replies_left = g_strv_length (send->recipients) + 1;
  g_task_set_task_data (task, send, (GDestroyNotify) send_free);

  mail = g_string_new (NULL);
  g_string_printf (mail, "MAIL FROM:<%s>", from);
  if (satchel_smtp_session_has_extension (self, "SIZE"))
    g_string_append_printf (mail, " SIZE=%" G_GSIZE_FORMAT, len);
  if (eight_bit && satchel_smtp_session_has_extension (self, "8BITMIME"))
    g_string_append (mail, " BODY=8BITMIME");
  if (utf8)
    g_string_append (mail, " SMTPUTF8");
  pipelining = satchel_smtp_session_has_extension (self, "PIPELINING");

  /* The task is held until every envelope reply is in. */
  queue_command (self, mail->str, cancellable, envelope_cb, g_object_ref (task));
  for (guint i = 0; send->recipients[i] != NULL; i++)
    {
      g_autofree char *line = g_strdup_printf ("RCPT TO:<%s>\r\n", send->recipients[i]);
      gsize n = strlen (line);
      GTask *rcpt;

      queue_bytes (self, g_bytes_new_take (g_steal_pointer (&line), n), pipelining, cancellable,
                   envelope_cb, g_object_ref (task));
      rcpt = g_queue_peek_tail (&self->queue);
      g_object_set_data (G_OBJECT (rcpt), "recipient", send->recipients[i]);
    }
}

gboolean
satchel_smtp_session_send_finish (SatchelSmtpSession  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
