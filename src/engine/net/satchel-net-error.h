/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-net-error.h: what can go wrong between Satchel and a mail server
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SATCHEL_NET_ERROR (satchel_net_error_quark ())

/**
 * SatchelNetError:
 * @SATCHEL_NET_ERROR_RESOLVE: the server's name was not found (retryable)
 * @SATCHEL_NET_ERROR_CONNECT: no connection could be made (retryable)
 * @SATCHEL_NET_ERROR_TIMEOUT: the server did not answer in time (retryable)
 * @SATCHEL_NET_ERROR_CLOSED: the server closed the connection (retryable)
 * @SATCHEL_NET_ERROR_TLS: the TLS handshake or the TLS session failed
 * @SATCHEL_NET_ERROR_UNTRUSTED_CERTIFICATE: the certificate could not be
 *   verified and is not pinned; the connection keeps it (satchel_connection_get_rejected_certificate())
 * @SATCHEL_NET_ERROR_INSECURE: the connection is not secure as configured
 *   (STARTTLS missing, refused or answered oddly; data injected before
 *   TLS; TLS older than 1.2; PREAUTH on an account that requires TLS). No
 *   password was sent.
 * @SATCHEL_NET_ERROR_PROTOCOL: the server broke the protocol (a malformed
 *   or oversized reply, a reply to a command never sent)
 * @SATCHEL_NET_ERROR_AUTH_FAILED: the server refused the login
 * @SATCHEL_NET_ERROR_AUTH_UNAVAILABLE: the server offers no login method that
 *   may be used on this connection
 * @SATCHEL_NET_ERROR_SERVER: the server refused a command; the message
 *   carries its words
 * @SATCHEL_NET_ERROR_REJECTED: the server refused a message for good (SMTP
 *   5xx, or too large for it); sending it again as it is will not help
 * @SATCHEL_NET_ERROR_TEMPORARY: the server refused a message for now (SMTP
 *   4xx); it may take it later
 * @SATCHEL_NET_ERROR_DELIVERY_UNKNOWN: the whole message was sent and the
 *   connection broke before the server said whether it took it
 *
 * Errors of the connection and of the protocol sessions on it. Messages
 * are sentences for the user that name the server.
 */
typedef enum
{
  SATCHEL_NET_ERROR_RESOLVE,
  SATCHEL_NET_ERROR_CONNECT,
  SATCHEL_NET_ERROR_TIMEOUT,
  SATCHEL_NET_ERROR_CLOSED,
  SATCHEL_NET_ERROR_TLS,
  SATCHEL_NET_ERROR_UNTRUSTED_CERTIFICATE,
  SATCHEL_NET_ERROR_INSECURE,
  SATCHEL_NET_ERROR_PROTOCOL,
  SATCHEL_NET_ERROR_AUTH_FAILED,
  SATCHEL_NET_ERROR_AUTH_UNAVAILABLE,
  SATCHEL_NET_ERROR_SERVER,
  SATCHEL_NET_ERROR_REJECTED,
  SATCHEL_NET_ERROR_TEMPORARY,
  SATCHEL_NET_ERROR_DELIVERY_UNKNOWN,
} SatchelNetError;

GQuark            satchel_net_error_quark            (void);
gboolean          satchel_net_error_is_retryable     (const GError *error);

G_END_DECLS
