/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-connection.c: one connection to a mail server, with TLS
 *
 * Copyright 2026 The Satchel authors
 *
 * SatchelConnection knows no protocol. It connects (30 s at most), gives
 * up on a server that says nothing for 60 s, speaks TLS from the first
 * byte or upgrades with starttls once the protocol agreed, and reads lines
 * and counted bytes through its own bounded buffer, so that a hostile
 * server cannot make it hold more than the caller allowed.
 *
 * Certificates are verified with the host name always set, against the
 * CAs of the account's own CA file and the system's (SatchelTlsDatabase).
 * A certificate that fails verification is accepted only when its SHA-256
 * fingerprint is the one pinned for this host and port; otherwise the
 * handshake fails and the certificate is kept for the user to look at.
 * TLS older than 1.2 is refused.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "satchel-connection.h"
#include "satchel-debug.h"
#include "satchel-net-error.h"
#include "satchel-tls-database.h"

#define READ_CHUNK 65536
/* A counted read (an IMAP literal) first gets this much memory, then twice
 * as much each time it is full, up to the count. */
#define COUNTED_FIRST (1024 * 1024)

struct _SatchelConnection
{
  GObject parent_instance;

  SatchelSecurity       security;
  guint16               port;
  guint                 connect_timeout;
  guint                 idle_timeout;
  gboolean              encrypted;
  gboolean              expecting;
  gboolean              timed_out;
  gboolean              probe;
  GTlsCertificateFlags  seen_problems;

  /* Owned */
  char                 *host;
  char                 *ca_file;
  char                 *pinned_sha256;
  GList                *extra_cas;        /* GTlsCertificate */
  GSocketConnection    *socket;
  GIOStream            *stream;           /* the socket, or TLS over it */
  GInputStream         *inflated;         /* COMPRESS: the stream's input, inflated */
  GConverter           *deflate;          /* COMPRESS: what is written goes through it */
  GTlsCertificate      *seen_certificate; /* the last one verification judged */
  SatchelCertificate   *rejected;
  GByteArray           *buffer;           /* read, not yet consumed: [start, len) */
  gsize                 start;
  GQueue                writes;           /* GTask, the head is being written */
  GSource              *watchdog;         /* while a reply is expected */
};

G_DEFINE_FINAL_TYPE (SatchelConnection, satchel_connection, G_TYPE_OBJECT)

typedef struct
{
  gsize       max_length;
  gsize       count;
  guint8     *collected;  /* a counted read: capacity + 1 bytes, filled in front */
  gsize       filled;
  gsize       capacity;
} ReadData;

static void read_data_free (ReadData *data);
static void fill_line (GTask *task);
static void fill_bytes (GTask *task);
static void write_next (SatchelConnection *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReadData, read_data_free)

/* Where reads come from: the stream, or its inflated form. */
static GInputStream *
input_stream (SatchelConnection *self)
{
  return self->inflated != NULL ? self->inflated : g_io_stream_get_input_stream (self->stream);
}

static void
read_data_free (ReadData *data)
{
  g_clear_pointer (&data->collected, g_free);
  g_free (data);
}

/* Errors in words */

static GError *
error_timed_out (SatchelConnection *self)
{
  return g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_TIMEOUT,
                      _("The server %s stopped answering (nothing for %u seconds)."),
                      self->host, self->idle_timeout);
}

static GError *
error_for_io (SatchelConnection *self,
              const GError      *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);
  if (self->timed_out)
    return error_timed_out (self);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_TIMEOUT,
                        _("The server %s stopped answering (nothing for %u seconds)."),
                        self->host, self->idle_timeout);
  if (error->domain == G_TLS_ERROR)
    return g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_TLS,
                        _("The encrypted connection to %s failed: %s"), self->host,
                        error->message);
  return g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_CLOSED,
                      _("The connection to %s was lost: %s"), self->host, error->message);
}

static GError *
error_closed (SatchelConnection *self)
{
  if (self->timed_out)
    return error_timed_out (self);
  return g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_CLOSED,
                      _("The server %s closed the connection."), self->host);
}

static GError *
error_for_connect (SatchelConnection *self,
                   const GError      *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);
  if (error->domain == G_RESOLVER_ERROR)
    return g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_RESOLVE,
                        _("The server name %s was not found. Check its spelling and your "
                          "network connection."),
                        self->host);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_TIMEOUT,
                        _("The server %s did not answer on port %u within %u seconds."),
                        self->host, self->port, self->connect_timeout);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_CONNECT,
                        _("The server %s refused the connection on port %u."),
                        self->host, self->port);
  return g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_CONNECT,
                      _("Could not connect to %s on port %u: %s"), self->host, self->port,
                      error->message);
}

/* The watchdog: while a reply is expected, a server that sends nothing for
 * idle_timeout seconds is given up. Shutting the socket down wakes every
 * pending read and write, which then report the time-out. */

static gboolean
watchdog_fired_cb (gpointer user_data)
{
  SatchelConnection *self = user_data;

  g_autoptr(GError) error = NULL;

  self->timed_out = TRUE;
  g_clear_pointer (&self->watchdog, g_source_unref);
  if (self->socket != NULL)
    g_socket_shutdown (g_socket_connection_get_socket (self->socket), TRUE, TRUE, &error);
  if (SATCHEL_DEBUGGING (SATCHEL_DEBUG_NET))
    satchel_debug_note ("net", "%s:%u: no answer for %u s, shut down%s%s", self->host,
                        self->port, self->idle_timeout, error != NULL ? ": " : "",
                        error != NULL ? error->message : "");
  return G_SOURCE_REMOVE;
}

static void
watchdog_stop (SatchelConnection *self)
{
  if (self->watchdog != NULL)
    {
      g_source_destroy (self->watchdog);
      g_clear_pointer (&self->watchdog, g_source_unref);
    }
}

static void
watchdog_restart (SatchelConnection *self)
{
  watchdog_stop (self);
  if (!self->expecting || self->idle_timeout == 0 || self->timed_out)
    return;
  self->watchdog = g_timeout_source_new_seconds (self->idle_timeout);
  g_source_set_callback (self->watchdog, watchdog_fired_cb, self, NULL);
  g_source_set_static_name (self->watchdog, "[satchel] connection watchdog");
  g_source_attach (self->watchdog, g_main_context_get_thread_default ());
}

/**
 * satchel_connection_set_expecting_reply:
 *
 * Says whether the protocol waits for the server now (a command is in
 * flight). Only then does silence count against the idle timeout; an IMAP
 * session in IDLE, for one, waits without expecting anything.
 */
void
satchel_connection_set_expecting_reply (SatchelConnection *self,
                                        gboolean           expecting)
{
  g_return_if_fail (SATCHEL_IS_CONNECTION (self));

  expecting = !!expecting;
  if (self->expecting == expecting)
    return;
  self->expecting = expecting;
  watchdog_restart (self);
}

/* Certificates */

static gboolean
is_pinned (SatchelConnection *self,
           GTlsCertificate   *peer)
{
  g_autoptr(SatchelCertificate) info = NULL;

  if (self->pinned_sha256 == NULL)
    return FALSE;
  info = satchel_certificate_new (peer, 0, NULL);
  return info != NULL && g_str_equal (satchel_certificate_get_sha256 (info), self->pinned_sha256);
}

static gboolean
accept_certificate_cb (GTlsConnection       *tls,
                       GTlsCertificate      *peer,
                       GTlsCertificateFlags  problems,
                       SatchelConnection    *self)
{
  g_set_object (&self->seen_certificate, peer);
  self->seen_problems = problems;
  return self->probe || is_pinned (self, peer);
}

/* TLS */

static void
handshake_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SatchelConnection *self = g_task_get_source_object (task);
  GTlsConnection *tls = G_TLS_CONNECTION (source);
  g_autoptr(GError) error = NULL;

  satchel_connection_set_expecting_reply (self, GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task),
                                                                                   "was-expecting")));
  if (!g_tls_connection_handshake_finish (tls, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      if (self->seen_certificate != NULL &&
          g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
        {
          g_autofree char *why = NULL;

          g_clear_object (&self->rejected);
          self->rejected = satchel_certificate_new (self->seen_certificate, self->seen_problems,
                                                    NULL);
          if (self->rejected != NULL)
            {
              why = satchel_certificate_describe_problems (self->rejected);
              g_task_return_new_error (task, SATCHEL_NET_ERROR,
                                       SATCHEL_NET_ERROR_UNTRUSTED_CERTIFICATE,
                                       _("The certificate of %s cannot be trusted: %s."),
                                       self->host, why);
              return;
            }
        }
      /* Anything else that stops a verified session from starting means
       * the connection is not secure as configured. */
      if (self->timed_out)
        g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_INSECURE,
                                 _("The server %s stopped answering during the TLS handshake, "
                                   "so no encrypted connection could be set up."),
                                 self->host);
      else
        g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_INSECURE,
                                 _("No encrypted connection could be set up with %s: %s"),
                                 self->host, error->message);
      return;
    }

  if (g_tls_connection_get_protocol_version (tls) < G_TLS_PROTOCOL_VERSION_TLS_1_2)
    {
      g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_INSECURE,
                               _("The server %s offers only TLS older than version 1.2, which "
                                 "is no longer safe."),
                               self->host);
      return;
    }

  if (SATCHEL_DEBUGGING (SATCHEL_DEBUG_NET))
    satchel_debug_note ("net", "%s:%u: TLS handshake done", self->host, self->port);
  g_set_object (&self->stream, G_IO_STREAM (tls));
  self->encrypted = TRUE;
  g_task_return_boolean (task, TRUE);
}

static void
start_tls (SatchelConnection *self,
           GTask             *task)
{
  g_autoptr(GSocketConnectable) identity = g_network_address_new (self->host, self->port);
  g_autoptr(GTlsDatabase) database = satchel_tls_database_new (self->extra_cas);
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GError) error = NULL;

  /* With the database given at construction, glib-networking does not
   * load its default one (see satchel-tls-database.c). */
  tls = g_initable_new (g_tls_backend_get_client_connection_type (g_tls_backend_get_default ()),
                        NULL, &error,
                        "base-io-stream", self->socket,
                        "server-identity", identity,
                        "database", database,
                        NULL);
  if (tls == NULL)
    {
      g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_TLS,
                               _("TLS is not available on this computer: %s"), error->message);
      g_object_unref (task);
      return;
    }

  /* The protocols frame their own data: an end without close_notify is
   * read as the server closing, which the session then judges. */
  g_tls_connection_set_require_close_notify (G_TLS_CONNECTION (tls), FALSE);
  g_signal_connect_object (tls, "accept-certificate", G_CALLBACK (accept_certificate_cb), self, 0);
  g_clear_object (&self->seen_certificate);
  g_clear_object (&self->rejected);
  g_object_set_data (G_OBJECT (task), "was-expecting", GINT_TO_POINTER (self->expecting));
  satchel_connection_set_expecting_reply (self, TRUE);
  if (SATCHEL_DEBUGGING (SATCHEL_DEBUG_NET))
    satchel_debug_note ("net", "%s:%u: TLS handshake", self->host, self->port);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), handshake_cb, task);
}

/* Connecting */

/* Whether @host names this computer: such connections never go through a
 * proxy (GNOME's default "ignore-hosts" says as much). */
static gboolean
is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (host);

  if (address != NULL)
    return g_inet_address_get_is_loopback (address);
  return g_ascii_strcasecmp (host, "localhost") == 0 ||
         (strlen (host) > 10 && g_ascii_strcasecmp (host + strlen (host) - 10, ".localhost") == 0);
}

/* SATCHEL_DEBUG=net: each step of the socket client, with the address. */
static void
client_event_cb (GSocketClient      *client,
                 GSocketClientEvent  event,
                 GSocketConnectable *connectable,
                 GIOStream          *connection,
                 SatchelConnection  *self)
{
  g_autoptr(GEnumClass) events = g_type_class_ref (G_TYPE_SOCKET_CLIENT_EVENT);
  GEnumValue *value = g_enum_get_value (events, event);
  g_autofree char *address = NULL;

  if (G_IS_SOCKET_ADDRESS (connectable))
    address = g_socket_connectable_to_string (connectable);
  satchel_debug_note ("net", "%s:%u: %s%s%s", self->host, self->port,
                      value != NULL ? value->value_nick : "?",
                      address != NULL ? " " : "", address != NULL ? address : "");
}

static void
connect_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SatchelConnection *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  GSocket *socket;

  self->socket = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);
  if (self->socket == NULL)
    {
      g_task_return_error (task, error_for_connect (self, error));
      return;
    }

  socket = g_socket_connection_get_socket (self->socket);
  g_socket_set_keepalive (socket, TRUE);
  /* GSocketClient gives its socket the connect timeout for all its I/O:
   * any read that waits 30 s would fail, an IMAP IDLE among them, which
   * waits for as long as the mailbox is quiet. From here on the watchdog
   * alone decides, and only while a reply is due. */
  g_socket_set_timeout (socket, 0);
  self->stream = G_IO_STREAM (g_object_ref (self->socket));

  if (self->security == SATCHEL_SECURITY_TLS)
    start_tls (self, g_steal_pointer (&task));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * satchel_connection_connect_async:
 *
 * Connects; with implicit TLS also completes a verified handshake.
 */
void
satchel_connection_connect_async (SatchelConnection   *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSocketClient) client = NULL;

  g_return_if_fail (SATCHEL_IS_CONNECTION (self));
  g_return_if_fail (self->socket == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_connection_connect_async);

  if (self->ca_file != NULL && self->extra_cas == NULL)
    {
      g_autoptr(GError) error = NULL;

      self->extra_cas = g_tls_certificate_list_new_from_file (self->ca_file, &error);
      if (self->extra_cas == NULL)
        {
          g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_TLS,
                                   _("The CA file %s cannot be read: %s"), self->ca_file,
                                   error != NULL ? error->message : _("it holds no certificate."));
          return;
        }
    }

  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, self->connect_timeout);
  if (is_loopback (self->host))
    g_socket_client_set_enable_proxy (client, FALSE);
  if (SATCHEL_DEBUGGING (SATCHEL_DEBUG_NET))
    {
      satchel_debug_note ("net", "%s:%u: time-outs: connect %u s, silence %u s "
                          "(SATCHEL_TIMEOUT_SECONDS=%s)", self->host, self->port,
                          self->connect_timeout, self->idle_timeout,
                          g_getenv ("SATCHEL_TIMEOUT_SECONDS"));
      g_signal_connect_object (client, "event", G_CALLBACK (client_event_cb), self, 0);
    }
  g_socket_client_connect_to_host_async (client, self->host, self->port, cancellable,
                                         connect_cb, g_steal_pointer (&task));
}

gboolean
satchel_connection_connect_finish (SatchelConnection  *self,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * satchel_connection_starttls_async:
 *
 * Upgrades the plain connection after the protocol's STARTTLS was agreed.
 * Anything the server sent after its answer and before the handshake was
 * not asked for: it is an injection attempt, and an error.
 */
void
satchel_connection_starttls_async (SatchelConnection   *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SATCHEL_IS_CONNECTION (self));
  g_return_if_fail (self->socket != NULL && !self->encrypted);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_connection_starttls_async);

  if (satchel_connection_has_buffered_input (self))
    {
      g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_INSECURE,
                               _("The server %s sent data before the encrypted connection "
                                 "began, as an attacker would to inject it. Satchel stopped."),
                               self->host);
      return;
    }

  start_tls (self, g_steal_pointer (&task));
}

gboolean
satchel_connection_starttls_finish (SatchelConnection  *self,
                                    GAsyncResult       *result,
                                    GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Reading */

static void
consume (SatchelConnection *self,
         gsize              n)
{
  self->start += n;
  if (self->start == self->buffer->len)
    {
      g_byte_array_set_size (self->buffer, 0);
      self->start = 0;
    }
}

static void
read_more_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SatchelConnection *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  gsize before = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (task), "before"));
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (n < 0)
    {
      g_byte_array_set_size (self->buffer, before);
      g_task_return_error (task, error_for_io (self, error));
      return;
    }
  g_byte_array_set_size (self->buffer, before + n);
  if (n > 0 && self->watchdog != NULL)
    watchdog_restart (self);
  if (n == 0)
    {
      g_task_return_error (task, error_closed (self));
      return;
    }

  fill_line (g_steal_pointer (&task));
}

/* Reads what the server sends next into the buffer, then goes on with
 * @task. */
static void
read_more (SatchelConnection *self,
           GTask             *task)
{
  gsize before;

  if (self->start > 0)
    {
      g_byte_array_remove_range (self->buffer, 0, self->start);
      self->start = 0;
    }
  before = self->buffer->len;
  g_byte_array_set_size (self->buffer, before + READ_CHUNK);
  g_object_set_data (G_OBJECT (task), "before", GSIZE_TO_POINTER (before));
  g_input_stream_read_async (input_stream (self),
                             self->buffer->data + before, READ_CHUNK, G_PRIORITY_DEFAULT,
                             g_task_get_cancellable (task), read_more_cb, task);
}

static void
fill_line (GTask *task)
{
  SatchelConnection *self = g_task_get_source_object (task);
  ReadData *data = g_task_get_task_data (task);
  const guint8 *begin = self->buffer->data + self->start;
  gsize available = self->buffer->len - self->start;
  const guint8 *newline = available > 0 ? memchr (begin, '\n', available) : NULL;

  if (newline != NULL)
    {
      gsize length = newline - begin;
      char *line;

      if (length > 0 && begin[length - 1] == '\r')
        length--;
      if (length > data->max_length)
        goto too_long;
      line = g_strndup ((const char *) begin, length);
      g_object_set_data (G_OBJECT (task), "length", GSIZE_TO_POINTER (length));
      consume (self, newline - begin + 1);
      g_task_return_pointer (task, line, g_free);
      g_object_unref (task);
      return;
    }

  if (available > data->max_length + 1)
    goto too_long;

  read_more (self, task);
  return;

too_long:
  g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                           _("The server %s sent a line longer than %zu bytes."),
                           self->host, data->max_length);
  g_object_unref (task);
}

/**
 * satchel_connection_read_line_async:
 * @max_length: the longest line accepted, without its line end
 *
 * Reads up to the next LF. The line comes without its CRLF (or LF); it may
 * hold NUL bytes, so @length says how long it is.
 */
void
satchel_connection_read_line_async (SatchelConnection   *self,
                                    gsize                max_length,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;
  ReadData *data;

  g_return_if_fail (SATCHEL_IS_CONNECTION (self));
  g_return_if_fail (self->stream != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_connection_read_line_async);
  data = g_new0 (ReadData, 1);
  data->max_length = max_length;
  g_task_set_task_data (task, data, (GDestroyNotify) read_data_free);
  fill_line (task);
}

char *
satchel_connection_read_line_finish (SatchelConnection  *self,
                                     GAsyncResult       *result,
                                     gsize              *length,
                                     GError            **error)
{
  char *line;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  line = g_task_propagate_pointer (G_TASK (result), error);
  if (length != NULL)
    *length = line != NULL ? GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (result), "length")) : 0;
  return line;
}

static void
direct_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SatchelConnection *self = g_task_get_source_object (task);
  ReadData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (n < 0)
    {
      g_task_return_error (task, error_for_io (self, error));
      return;
    }
  if (n == 0)
    {
      g_task_return_error (task, error_closed (self));
      return;
    }
  if (self->watchdog != NULL)
    watchdog_restart (self);
  data->filled += n;
  fill_bytes (g_steal_pointer (&task));
}

/* Room for @more bytes of a counted read. The count is what the server
 * announced, not what it sends: the memory grows with what arrives, so
 * that announcing 256 MB and sending a few bytes costs a few bytes. */
static void
make_room (ReadData *data,
           gsize     more)
{
  gsize capacity = data->capacity;

  while (capacity < data->filled + more)
    capacity = MAX (capacity * 2, COUNTED_FIRST);
  capacity = MIN (capacity, data->count);
  if (capacity != data->capacity || data->collected == NULL)
    {
      data->collected = g_realloc (data->collected, capacity + 1);
      data->capacity = capacity;
    }
}

/* A literal goes straight from the stream into its own memory: what the
 * buffer holds first, then the rest, without passing through the buffer,
 * so that a large body is never held twice. */
static void
fill_bytes (GTask *task)
{
  SatchelConnection *self = g_task_get_source_object (task);
  ReadData *data = g_task_get_task_data (task);
  gsize available = self->buffer->len - self->start;
  gsize wanted = data->count - data->filled;
  gsize take = MIN (available, wanted);

  make_room (data, take);
  if (take > 0)
    {
      memcpy (data->collected + data->filled, self->buffer->data + self->start, take);
      data->filled += take;
      consume (self, take);
    }

  if (data->filled == data->count)
    {
      gsize len = data->filled;
      guint8 *bytes = g_steal_pointer (&data->collected);

      bytes[len] = '\0';
      g_task_return_pointer (task, g_bytes_new_take (bytes, len), (GDestroyNotify) g_bytes_unref);
      g_object_unref (task);
      return;
    }
  if (data->filled == data->capacity)
    make_room (data, 1);
  g_input_stream_read_async (input_stream (self), data->collected + data->filled,
                             data->capacity - data->filled, G_PRIORITY_DEFAULT,
                             g_task_get_cancellable (task), direct_read_cb, task);
}

/**
 * satchel_connection_read_bytes_async:
 * @count: how many bytes; the caller has bounded it
 *
 * Reads exactly @count bytes (an IMAP literal, for example); a NUL
 * follows them in memory, as with satchel_connection_try_read_bytes().
 */
void
satchel_connection_read_bytes_async (SatchelConnection   *self,
                                     gsize                count,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task;
  ReadData *data;

  g_return_if_fail (SATCHEL_IS_CONNECTION (self));
  g_return_if_fail (self->stream != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_connection_read_bytes_async);
  data = g_new0 (ReadData, 1);
  data->count = count;
  g_task_set_task_data (task, data, (GDestroyNotify) read_data_free);
  fill_bytes (task);
}

GBytes *
satchel_connection_read_bytes_finish (SatchelConnection  *self,
                                      GAsyncResult       *result,
                                      GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Reading without waiting: what the buffer already holds */

/**
 * satchel_connection_try_read_line:
 * @length: (out): the line's length
 *
 * Returns: (transfer full) (nullable): the next line if the buffer holds
 *   all of it, without waiting; %NULL without an error when more must be
 *   read first (satchel_connection_wait_async())
 */
char *
satchel_connection_try_read_line (SatchelConnection  *self,
                                  gsize               max_length,
                                  gsize              *length,
                                  GError            **error)
{
  const guint8 *begin = self->buffer->data + self->start;
  gsize available = self->buffer->len - self->start;
  const guint8 *newline = available > 0 ? memchr (begin, '\n', available) : NULL;
  gsize len;
  char *line;

  if (newline == NULL)
    {
      if (available > max_length + 1)
        g_set_error (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                     _("The server %s sent a line longer than %zu bytes."),
                     self->host, max_length);
      return NULL;
    }
  len = newline - begin;
  if (len > 0 && begin[len - 1] == '\r')
    len--;
  if (len > max_length)
    {
      g_set_error (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                   _("The server %s sent a line longer than %zu bytes."),
                   self->host, max_length);
      return NULL;
    }
  line = g_strndup ((const char *) begin, len);
  *length = len;
  consume (self, newline - begin + 1);
  return line;
}

/**
 * satchel_connection_try_read_bytes:
 *
 * Returns: (transfer full) (nullable): the next @count bytes if the buffer
 *   holds them, without waiting. A NUL follows them in memory (not counted
 *   in the size), so that text users may treat them as a string.
 */
GBytes *
satchel_connection_try_read_bytes (SatchelConnection *self,
                                   gsize              count)
{
  char *data;

  if (self->buffer->len - self->start < count)
    return NULL;
  data = g_malloc (count + 1);
  if (count > 0)
    memcpy (data, self->buffer->data + self->start, count);
  data[count] = '\0';
  consume (self, count);
  return g_bytes_new_take (data, count);
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SatchelConnection *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  gsize before = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (task), "before"));
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (n < 0)
    {
      g_byte_array_set_size (self->buffer, before);
      g_task_return_error (task, error_for_io (self, error));
      return;
    }
  g_byte_array_set_size (self->buffer, before + n);
  if (n == 0)
    {
      g_task_return_error (task, error_closed (self));
      return;
    }
  if (self->watchdog != NULL)
    watchdog_restart (self);
  g_task_return_boolean (task, TRUE);
}

/**
 * satchel_connection_wait_async:
 * @at_least: bytes wanted in the buffer in all (a hint for large literals)
 *
 * Reads what the server sends next into the buffer.
 */
void
satchel_connection_wait_async (SatchelConnection   *self,
                               gsize                at_least,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;
  gsize before;
  gsize chunk;

  g_return_if_fail (SATCHEL_IS_CONNECTION (self));
  g_return_if_fail (self->stream != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_connection_wait_async);
  if (self->start > 0)
    {
      g_byte_array_remove_range (self->buffer, 0, self->start);
      self->start = 0;
    }
  before = self->buffer->len;
  /* Read a large literal in large pieces; lines in 64 KiB ones. */
  chunk = MAX (READ_CHUNK, MIN (at_least > before ? at_least - before : 0, 4 * 1024 * 1024));
  g_byte_array_set_size (self->buffer, before + chunk);
  g_object_set_data (G_OBJECT (task), "before", GSIZE_TO_POINTER (before));
  g_input_stream_read_async (input_stream (self),
                             self->buffer->data + before, chunk, G_PRIORITY_DEFAULT,
                             cancellable, wait_cb, task);
}

gboolean
satchel_connection_wait_finish (SatchelConnection  *self,
                                GAsyncResult       *result,
                                GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Writing: one write at a time on the stream, in the order asked. */

static void
write_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  SatchelConnection *self = user_data;
  g_autoptr(GTask) task = g_queue_pop_head (&self->writes);
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    g_task_return_error (task, error_for_io (self, error));
  else
    g_task_return_boolean (task, TRUE);

  write_next (self);
  g_object_unref (self);
}

/* Runs @converter over @input to the end, with @flags; the output in a
 * new GBytes. */
static GBytes *
convert_all (GConverter       *converter,
             const guint8     *input,
             gsize             input_len,
             GConverterFlags   flags,
             GError          **error)
{
  g_autoptr(GByteArray) out = g_byte_array_sized_new (input_len / 2 + 64);
  gsize room = MAX (4096, input_len);

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      gsize read = 0;
      gsize written = 0;
      gsize before = out->len;
      GConverterResult result;

      g_byte_array_set_size (out, before + room);
      result = g_converter_convert (converter, input, input_len, out->data + before, room, flags,
                                    &read, &written, &local_error);
      g_byte_array_set_size (out, before + (result == G_CONVERTER_ERROR ? 0 : written));
      if (result == G_CONVERTER_ERROR)
        {
          /* Not one byte fitted: more room. */
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
            {
              room *= 2;
              continue;
            }
          /* Inflating: all there is was consumed. */
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT) &&
              input_len == 0)
            break;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      input += read;
      input_len -= read;
      if (result == G_CONVERTER_FLUSHED || result == G_CONVERTER_FINISHED ||
          (input_len == 0 && !(flags & G_CONVERTER_FLUSH)))
        break;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* One write's worth, compressed and flushed so that the server can read
 * it at once. */
static GBytes *
deflate_bytes (GConverter  *deflate,
               GBytes      *data,
               GError     **error)
{
  gsize len;
  const guint8 *bytes = g_bytes_get_data (data, &len);

  return convert_all (deflate, bytes, len, G_CONVERTER_FLUSH, error);
}

static void
write_next (SatchelConnection *self)
{
  GTask *task = g_queue_peek_head (&self->writes);
  GBytes *data;
  gsize len;
  const void *bytes;

  if (task == NULL)
    return;
  if (self->stream == NULL)
    {
      g_queue_pop_head (&self->writes);
      g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_CLOSED,
                               _("The connection to %s is closed."), self->host);
      g_object_unref (task);
      write_next (self);
      return;
    }
  data = g_task_get_task_data (task);
  if (self->deflate != NULL)
    {
      g_autoptr(GError) error = NULL;
      GBytes *compressed = deflate_bytes (self->deflate, data, &error);

      if (compressed == NULL)
        {
          g_queue_pop_head (&self->writes);
          g_task_return_new_error (task, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                                   _("Satchel could not compress what it sends to %s: %s"),
                                   self->host, error->message);
          g_object_unref (task);
          write_next (self);
          return;
        }
      /* The task keeps what goes on the wire. */
      g_task_set_task_data (task, compressed, (GDestroyNotify) g_bytes_unref);
      data = compressed;
    }
  bytes = g_bytes_get_data (data, &len);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (self->stream), bytes, len,
                                   G_PRIORITY_DEFAULT, g_task_get_cancellable (task), write_cb,
                                   g_object_ref (self));
}

void
satchel_connection_write_async (SatchelConnection   *self,
                                GBytes              *data,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SATCHEL_IS_CONNECTION (self));
  g_return_if_fail (data != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_connection_write_async);
  g_task_set_task_data (task, g_bytes_ref (data), (GDestroyNotify) g_bytes_unref);
  g_queue_push_tail (&self->writes, task);
  if (self->writes.length == 1)
    write_next (self);
}

gboolean
satchel_connection_write_finish (SatchelConnection  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Closing */

/**
 * satchel_connection_close:
 *
 * Drops the connection at once; pending reads fail. A polite goodbye
 * (LOGOUT, QUIT) is the protocol session's, before this.
 */
void
satchel_connection_close (SatchelConnection *self)
{
  g_return_if_fail (SATCHEL_IS_CONNECTION (self));

  if (SATCHEL_DEBUGGING (SATCHEL_DEBUG_NET) && self->stream != NULL &&
      !g_io_stream_is_closed (self->stream))
    satchel_debug_note ("net", "%s:%u: closing", self->host, self->port);
  if (self->stream != NULL)
    g_io_stream_close (self->stream, NULL, NULL);
  if (self->socket != NULL)
    g_io_stream_close (G_IO_STREAM (self->socket), NULL, NULL);
}

static void
satchel_connection_dispose (GObject *object)
{
  SatchelConnection *self = (SatchelConnection *)object;

  watchdog_stop (self);
  satchel_connection_close (self);
  g_clear_object (&self->inflated);
  g_clear_object (&self->deflate);
  g_clear_object (&self->stream);
  g_clear_object (&self->socket);

  G_OBJECT_CLASS (satchel_connection_parent_class)->dispose (object);
}

static void
satchel_connection_finalize (GObject *object)
{
  SatchelConnection *self = (SatchelConnection *)object;

  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_pointer (&self->pinned_sha256, g_free);
  g_list_free_full (self->extra_cas, g_object_unref);
  g_clear_object (&self->seen_certificate);
  g_clear_object (&self->rejected);
  g_clear_pointer (&self->buffer, g_byte_array_unref);

  G_OBJECT_CLASS (satchel_connection_parent_class)->finalize (object);
}

static void
satchel_connection_class_init (SatchelConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = satchel_connection_dispose;
  object_class->finalize = satchel_connection_finalize;
}

/* SATCHEL_TIMEOUT_SECONDS, for tests only: the hostile-server tests
 * (tests/hostile/) play servers that stop answering, and a minute per case
 * would make them too slow to run. It only ever shortens the waits: the
 * contract's limits stay the longest ones. 0 when it is not set. */
static guint test_timeout;

/**
 * satchel_connection_read_environment:
 *
 * Reads what the environment says of connections, once per process:
 * satchel_engine_init() calls it before any thread starts, and a
 * connection made later does not read the environment again.
 */
void
satchel_connection_read_environment (void)
{
  static gsize read = 0;

  if (g_once_init_enter (&read))
    {
      const char *override = g_getenv ("SATCHEL_TIMEOUT_SECONDS");
      guint64 seconds = 0;

      if (override != NULL && g_ascii_string_to_unsigned (override, 10, 1,
                                                          SATCHEL_CONNECTION_DEFAULT_IDLE_TIMEOUT,
                                                          &seconds, NULL))
        test_timeout = seconds;
      g_once_init_leave (&read, 1);
    }
}

static void
satchel_connection_init (SatchelConnection *self)
{
  satchel_connection_read_environment ();
  self->buffer = g_byte_array_new ();
  self->connect_timeout = SATCHEL_CONNECTION_DEFAULT_CONNECT_TIMEOUT;
  self->idle_timeout = SATCHEL_CONNECTION_DEFAULT_IDLE_TIMEOUT;
  if (test_timeout != 0)
    {
      self->connect_timeout = MIN (self->connect_timeout, test_timeout);
      self->idle_timeout = MIN (self->idle_timeout, test_timeout);
    }
  g_queue_init (&self->writes);
}

SatchelConnection *
satchel_connection_new (const char      *host,
                        guint16          port,
                        SatchelSecurity  security)
{
  SatchelConnection *self;

  g_return_val_if_fail (host != NULL, NULL);

  self = g_object_new (SATCHEL_TYPE_CONNECTION, NULL);
  self->host = g_strdup (host);
  self->port = port;
  self->security = security;
  return self;
}

const char *
satchel_connection_get_host (SatchelConnection *self)
{
  g_return_val_if_fail (SATCHEL_IS_CONNECTION (self), NULL);
  return self->host;
}

guint16
satchel_connection_get_port (SatchelConnection *self)
{
  g_return_val_if_fail (SATCHEL_IS_CONNECTION (self), 0);
  return self->port;
}

SatchelSecurity
satchel_connection_get_security (SatchelConnection *self)
{
  g_return_val_if_fail (SATCHEL_IS_CONNECTION (self), SATCHEL_SECURITY_TLS);
  return self->security;
}

/**
 * satchel_connection_set_ca_file:
 * @path: (nullable): PEM file of CA certificates also trusted for this
 *   server, as for a company's private CA; host name and dates still count
 */
void
satchel_connection_set_ca_file (SatchelConnection *self,
                                const char        *path)
{
  g_return_if_fail (SATCHEL_IS_CONNECTION (self));

  g_free (self->ca_file);
  self->ca_file = g_strdup (path);
  g_list_free_full (g_steal_pointer (&self->extra_cas), g_object_unref);
}

/**
 * satchel_connection_set_pinned_sha256:
 * @sha256: (nullable): the fingerprint of the certificate the user chose to
 *   trust for this host and port
 */
void
satchel_connection_set_pinned_sha256 (SatchelConnection *self,
                                      const char        *sha256)
{
  g_return_if_fail (SATCHEL_IS_CONNECTION (self));

  g_free (self->pinned_sha256);
  self->pinned_sha256 = satchel_fingerprint_normalize (sha256);
}

void
satchel_connection_set_timeouts (SatchelConnection *self,
                                 guint              connect_seconds,
                                 guint              idle_seconds)
{
  g_return_if_fail (SATCHEL_IS_CONNECTION (self));

  self->connect_timeout = connect_seconds;
  self->idle_timeout = idle_seconds;
}

/**
 * satchel_connection_error_before_tls:
 * @error: (transfer full): what went wrong in a protocol session
 *
 * Until the connection is encrypted as the account requires, any failure
 * but an untrusted certificate (and those before a connection was made)
 * means that it is not secure as configured: the session reports it so.
 *
 * Returns: (transfer full): @error, or the error that replaces it
 */
GError *
satchel_connection_error_before_tls (SatchelConnection *self,
                                     GError            *error)
{
  GError *wrapped;

  if (self->socket == NULL || self->encrypted || self->security == SATCHEL_SECURITY_NONE ||
      error->domain != SATCHEL_NET_ERROR ||
      error->code == SATCHEL_NET_ERROR_UNTRUSTED_CERTIFICATE ||
      error->code == SATCHEL_NET_ERROR_INSECURE)
    return error;
  wrapped = g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_INSECURE,
                         _("No encrypted connection could be set up with %s: %s"), self->host,
                         error->message);
  g_error_free (error);
  return wrapped;
}

/* Whether the connection was made (even if it is closed since). */
gboolean
satchel_connection_is_connected (SatchelConnection *self)
{
  g_return_val_if_fail (SATCHEL_IS_CONNECTION (self), FALSE);
  return self->socket != NULL;
}

gboolean
satchel_connection_is_encrypted (SatchelConnection *self)
{
  g_return_val_if_fail (SATCHEL_IS_CONNECTION (self), FALSE);
  return self->encrypted;
}

GTlsProtocolVersion
satchel_connection_get_tls_version (SatchelConnection *self)
{
  g_return_val_if_fail (SATCHEL_IS_CONNECTION (self), G_TLS_PROTOCOL_VERSION_UNKNOWN);

  if (!self->encrypted)
    return G_TLS_PROTOCOL_VERSION_UNKNOWN;
  return g_tls_connection_get_protocol_version (G_TLS_CONNECTION (self->stream));
}

/**
 * satchel_connection_describe_tls:
 *
 * Returns: "TLS 1.3", "TLS 1.2", or a phrase for an unencrypted connection
 */
const char *
satchel_connection_describe_tls (SatchelConnection *self)
{
  switch (satchel_connection_get_tls_version (self))
    {
    case G_TLS_PROTOCOL_VERSION_TLS_1_3:
      return "TLS 1.3";
    case G_TLS_PROTOCOL_VERSION_TLS_1_2:
      return "TLS 1.2";
    case G_TLS_PROTOCOL_VERSION_UNKNOWN:
    case G_TLS_PROTOCOL_VERSION_SSL_3_0:
    case G_TLS_PROTOCOL_VERSION_TLS_1_0:
    case G_TLS_PROTOCOL_VERSION_TLS_1_1:
    case G_TLS_PROTOCOL_VERSION_DTLS_1_0:
    case G_TLS_PROTOCOL_VERSION_DTLS_1_2:
    default:
      return self->encrypted ? "TLS" : _("not encrypted");
    }
}

/**
 * satchel_connection_get_rejected_certificate:
 *
 * Returns: (transfer none) (nullable): the certificate that made the last
 *   handshake fail with %SATCHEL_NET_ERROR_UNTRUSTED_CERTIFICATE
 */
SatchelCertificate *
satchel_connection_get_rejected_certificate (SatchelConnection *self)
{
  g_return_val_if_fail (SATCHEL_IS_CONNECTION (self), NULL);
  return self->rejected;
}

/**
 * satchel_connection_dup_local_address_literal:
 *
 * Returns: (transfer full): this end's address as an SMTP address literal
 *   ("[192.0.2.1]", "[IPv6:2001:db8::1]"), to introduce the client in EHLO
 */
char *
satchel_connection_dup_local_address_literal (SatchelConnection *self)
{
  g_autoptr(GSocketAddress) local = NULL;
  g_autofree char *text = NULL;
  GInetAddress *address;

  g_return_val_if_fail (SATCHEL_IS_CONNECTION (self), NULL);

  if (self->socket != NULL)
    local = g_socket_connection_get_local_address (self->socket, NULL);
  if (!G_IS_INET_SOCKET_ADDRESS (local))
    return g_strdup ("[127.0.0.1]");
  address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local));
  text = g_inet_address_to_string (address);
  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("[IPv6:%s]", text);
  return g_strdup_printf ("[%s]", text);
}

/**
 * satchel_connection_set_probe:
 *
 * Makes the connection accept any certificate, so that the user can be
 * shown what the server presents (`satchel-cli trust`). Such a connection
 * must carry nothing but the protocol's greeting and goodbye.
 */
void
satchel_connection_set_probe (SatchelConnection *self,
                              gboolean           probe)
{
  g_return_if_fail (SATCHEL_IS_CONNECTION (self));
  self->probe = probe;
}

/**
 * satchel_connection_dup_peer_certificate:
 *
 * Returns: (transfer full) (nullable): the certificate of the encrypted
 *   connection, with what verification found wrong with it
 */
SatchelCertificate *
satchel_connection_dup_peer_certificate (SatchelConnection *self)
{
  GTlsCertificate *peer;

  g_return_val_if_fail (SATCHEL_IS_CONNECTION (self), NULL);

  if (!self->encrypted)
    return NULL;
  peer = g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (self->stream));
  if (peer == NULL)
    return NULL;
  return satchel_certificate_new (peer, peer == self->seen_certificate ? self->seen_problems : 0,
                                  NULL);
}

gboolean
satchel_connection_has_buffered_input (SatchelConnection *self)
{
  g_return_val_if_fail (SATCHEL_IS_CONNECTION (self), FALSE);
  return self->buffer->len > self->start;
}

static gpointer
load_tls (gpointer data)
{
  g_tls_backend_get_default ();
  return NULL;
}

static gpointer
load_proxy (gpointer data)
{
  g_proxy_resolver_get_default ();
  return NULL;
}

static gpointer
load_trust (gpointer data)
{
  satchel_tls_database_load_system_trust ();
  return NULL;
}

static void
start_once (gsize       *started,
            const char  *name,
            GThreadFunc  func)
{
  if (g_once_init_enter (started))
    {
      GThread *thread = g_thread_try_new (name, func, NULL, NULL);

      if (thread != NULL)
        g_thread_unref (thread);
      g_once_init_leave (started, 1);
    }
}

/**
 * satchel_connection_warm_up:
 * @host: (nullable): the server that will be connected to, if known
 * @system_trust: whether the system's trusted certificates will be needed
 *
 * Loads the TLS module, the proxy settings (unless @host is this computer,
 * which is never reached through a proxy) and with @system_trust the
 * system's trusted certificates, in threads of their own, once per
 * process, while the caller does other work (opening the store, asking the
 * keyring, connecting). The certificates are needed unless the account's
 * own CA file vouches for the server; reading them (15 ms here) competes
 * with the rest for the processor, so they are read only when asked for.
 */
void
satchel_connection_warm_up (const char *host,
                            gboolean    system_trust)
{
  static gsize tls_started = 0;
  static gsize proxy_started = 0;
  static gsize trust_started = 0;

  start_once (&tls_started, "satchel-tls", load_tls);
  if (host != NULL && !is_loopback (host))
    start_once (&proxy_started, "satchel-proxy", load_proxy);
  if (system_trust)
    start_once (&trust_started, "satchel-trust", load_trust);
}

/**
 * satchel_connection_is_local:
 *
 * Returns: whether the peer is this computer or on a local network
 *   (loopback, link-local, private ranges), where compression costs more
 *   time than it saves
 */
gboolean
satchel_connection_is_local (SatchelConnection *self)
{
  g_autoptr(GSocketAddress) remote = NULL;
  GInetAddress *address;

  g_return_val_if_fail (SATCHEL_IS_CONNECTION (self), FALSE);

  if (self->socket == NULL)
    return FALSE;
  remote = g_socket_connection_get_remote_address (self->socket, NULL);
  if (!G_IS_INET_SOCKET_ADDRESS (remote))
    return TRUE;   /* a Unix socket */
  address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote));
  return g_inet_address_get_is_loopback (address) || g_inet_address_get_is_link_local (address) ||
         g_inet_address_get_is_site_local (address);
}

/**
 * satchel_connection_start_compression:
 *
 * From now on both directions are raw DEFLATE (RFC 1951), as IMAP's
 * COMPRESS=DEFLATE (RFC 4978) agrees: what is written is compressed and
 * flushed per write, what is read is inflated. Bytes already read past the
 * reply that agreed to it were compressed by the server: they are inflated
 * first.
 */
gboolean
satchel_connection_start_compression (SatchelConnection  *self,
                                      GError            **error)
{
  g_autoptr(GZlibDecompressor) inflate = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (SATCHEL_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (self->stream != NULL && self->deflate == NULL, FALSE);

  inflate = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW);
  if (self->buffer->len > self->start)
    {
      g_autoptr(GBytes) plain = convert_all (G_CONVERTER (inflate), self->buffer->data + self->start,
                                             self->buffer->len - self->start,
                                             G_CONVERTER_NO_FLAGS, &local_error);
      gsize len;
      const guint8 *data;

      if (plain == NULL)
        {
          g_set_error (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                       _("The server %s sent data that does not inflate: %s"), self->host,
                       local_error->message);
          return FALSE;
        }
      data = g_bytes_get_data (plain, &len);
      g_byte_array_set_size (self->buffer, 0);
      self->start = 0;
      g_byte_array_append (self->buffer, data, len);
    }
  self->inflated = g_converter_input_stream_new (g_io_stream_get_input_stream (self->stream),
                                                 G_CONVERTER (inflate));
  self->deflate = G_CONVERTER (g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW, -1));
  return TRUE;
}

gboolean
satchel_connection_is_compressed (SatchelConnection *self)
{
  g_return_val_if_fail (SATCHEL_IS_CONNECTION (self), FALSE);
  return self->deflate != NULL;
}
