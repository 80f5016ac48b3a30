/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-pop3-session.h: a POP3 session on one connection
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gio/gio.h>

#include "net/satchel-connection.h"

G_BEGIN_DECLS

/* One reply: the status line's verdict and text, the extended response
 * code if any ("IN-USE", "SYS/TEMP", ...), and for a multi-line reply its
 * lines, dot-unstuffed. */
typedef struct
{
  gboolean   ok;
  char      *code;
  char      *text;
  GPtrArray *lines;   /* char *, or NULL for a one-line reply */
  GBytes    *message; /* satchel_pop3_session_retrieve_async()'s */
} SatchelPop3Reply;

void      satchel_pop3_reply_free         (SatchelPop3Reply  *reply);
gboolean  satchel_pop3_parse_status_line  (const char        *line,
                                           gsize              len,
                                           SatchelPop3Reply  *reply,
                                           GError           **error);

gboolean  satchel_pop3_parse_listing      (const char        *line,
                                           guint             *number,
                                           const char       **rest);
gboolean  satchel_pop3_parse_size         (const char        *text,
                                           guint64           *size);
gboolean  satchel_pop3_uidl_is_valid      (const char        *uidl);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SatchelPop3Reply, satchel_pop3_reply_free)

#define SATCHEL_TYPE_POP3_SESSION (satchel_pop3_session_get_type ())

G_DECLARE_FINAL_TYPE (SatchelPop3Session, satchel_pop3_session, SATCHEL, POP3_SESSION, GObject)

SatchelPop3Session *satchel_pop3_session_new              (SatchelConnection   *connection);
SatchelConnection  *satchel_pop3_session_get_connection   (SatchelPop3Session  *self);
gboolean            satchel_pop3_session_has_capability   (SatchelPop3Session  *self,
                                                           const char          *capability);

void                satchel_pop3_session_connect_async    (SatchelPop3Session  *self,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean            satchel_pop3_session_connect_finish   (SatchelPop3Session  *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

void                satchel_pop3_session_set_apop         (SatchelPop3Session  *self,
                                                           gboolean             apop);
void                satchel_pop3_session_login_async      (SatchelPop3Session  *self,
                                                           const char          *user,
                                                           const char          *password,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean            satchel_pop3_session_login_finish     (SatchelPop3Session  *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

void                satchel_pop3_session_command_async    (SatchelPop3Session  *self,
                                                           const char          *line,
                                                           gboolean             multiline,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
SatchelPop3Reply   *satchel_pop3_session_command_finish   (SatchelPop3Session  *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

void                satchel_pop3_session_retrieve_async   (SatchelPop3Session  *self,
                                                           const char          *command,
                                                           gsize                max_bytes,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);

void                satchel_pop3_session_quit_async       (SatchelPop3Session  *self,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean            satchel_pop3_session_quit_finish      (SatchelPop3Session  *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

G_END_DECLS
