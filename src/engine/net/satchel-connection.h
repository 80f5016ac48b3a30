/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-connection.h: one connection to a mail server, with TLS
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gio/gio.h>

#include "satchel-types.h"
#include "net/satchel-certificate.h"

G_BEGIN_DECLS

#define SATCHEL_CONNECTION_DEFAULT_CONNECT_TIMEOUT 30
#define SATCHEL_CONNECTION_DEFAULT_IDLE_TIMEOUT    60

#define SATCHEL_TYPE_CONNECTION (satchel_connection_get_type ())

G_DECLARE_FINAL_TYPE (SatchelConnection, satchel_connection, SATCHEL, CONNECTION, GObject)

SatchelConnection  *satchel_connection_new                  (const char          *host,
                                                             guint16              port,
                                                             SatchelSecurity      security);
const char         *satchel_connection_get_host             (SatchelConnection   *self);
guint16             satchel_connection_get_port             (SatchelConnection   *self);
SatchelSecurity     satchel_connection_get_security         (SatchelConnection   *self);
void                satchel_connection_set_ca_file          (SatchelConnection   *self,
                                                             const char          *path);
void                satchel_connection_set_pinned_sha256    (SatchelConnection   *self,
                                                             const char          *sha256);
void                satchel_connection_set_timeouts         (SatchelConnection   *self,
                                                             guint                connect_seconds,
                                                             guint                idle_seconds);

void                satchel_connection_connect_async        (SatchelConnection   *self,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
gboolean            satchel_connection_connect_finish       (SatchelConnection   *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

void                satchel_connection_starttls_async       (SatchelConnection   *self,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
gboolean            satchel_connection_starttls_finish      (SatchelConnection   *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

void                satchel_connection_read_line_async      (SatchelConnection   *self,
                                                             gsize                max_length,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
char               *satchel_connection_read_line_finish     (SatchelConnection   *self,
                                                             GAsyncResult        *result,
                                                             gsize               *length,
                                                             GError             **error);

void                satchel_connection_read_bytes_async     (SatchelConnection   *self,
                                                             gsize                count,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
GBytes             *satchel_connection_read_bytes_finish    (SatchelConnection   *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

char               *satchel_connection_try_read_line        (SatchelConnection   *self,
                                                             gsize                max_length,
                                                             gsize               *length,
                                                             GError             **error);
GBytes             *satchel_connection_try_read_bytes       (SatchelConnection   *self,
                                                             gsize                count);
void                satchel_connection_wait_async           (SatchelConnection   *self,
                                                             gsize                at_least,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
gboolean            satchel_connection_wait_finish          (SatchelConnection   *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

void                satchel_connection_write_async          (SatchelConnection   *self,
                                                             GBytes              *data,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
gboolean            satchel_connection_write_finish         (SatchelConnection   *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

void                satchel_connection_set_expecting_reply  (SatchelConnection   *self,
                                                             gboolean             expecting);
void                satchel_connection_close                (SatchelConnection   *self);

GError             *satchel_connection_error_before_tls     (SatchelConnection   *self,
                                                             GError              *error);
gboolean            satchel_connection_is_connected         (SatchelConnection   *self);
gboolean            satchel_connection_is_encrypted         (SatchelConnection   *self);
GTlsProtocolVersion satchel_connection_get_tls_version      (SatchelConnection   *self);
const char         *satchel_connection_describe_tls         (SatchelConnection   *self);
SatchelCertificate *satchel_connection_get_rejected_certificate (SatchelConnection *self);
gboolean            satchel_connection_has_buffered_input   (SatchelConnection   *self);
void                satchel_connection_set_probe            (SatchelConnection   *self,
                                                             gboolean             probe);
SatchelCertificate *satchel_connection_dup_peer_certificate (SatchelConnection   *self);
char               *satchel_connection_dup_local_address_literal (SatchelConnection *self);

void                satchel_connection_read_environment       (void);
void                satchel_connection_warm_up                (const char *host,
                                                               gboolean    system_trust);
gboolean            satchel_connection_is_local               (SatchelConnection  *self);
gboolean            satchel_connection_start_compression      (SatchelConnection  *self,
                                                               GError            **error);
gboolean            satchel_connection_is_compressed          (SatchelConnection  *self);

G_END_DECLS
