/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-smtp-session.h: an SMTP submission session on one connection
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gio/gio.h>

#include "net/satchel-connection.h"

G_BEGIN_DECLS

/* One reply: its code, the enhanced status code if any ("5.1.1"), and
 * its lines of text joined with spaces. */
typedef struct
{
  guint  code;
  char  *enhanced;
  char  *text;
  GPtrArray *lines;  /* char *: the text of each line */
} SatchelSmtpReply;

void      satchel_smtp_reply_free    (SatchelSmtpReply *reply);

/* Parses one reply line: "250-text" (more follow) or "250 text" (last). */
gboolean  satchel_smtp_parse_line    (const char       *line,
                                      gsize             len,
                                      guint            *code,
                                      gboolean         *last,
                                      const char      **text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SatchelSmtpReply, satchel_smtp_reply_free)

#define SATCHEL_TYPE_SMTP_SESSION (satchel_smtp_session_get_type ())

G_DECLARE_FINAL_TYPE (SatchelSmtpSession, satchel_smtp_session, SATCHEL, SMTP_SESSION, GObject)

SatchelSmtpSession *satchel_smtp_session_new              (SatchelConnection   *connection);
SatchelConnection  *satchel_smtp_session_get_connection   (SatchelSmtpSession  *self);
gboolean            satchel_smtp_session_has_extension    (SatchelSmtpSession  *self,
                                                           const char          *extension);

void                satchel_smtp_session_connect_async    (SatchelSmtpSession  *self,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean            satchel_smtp_session_connect_finish   (SatchelSmtpSession  *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

void                satchel_smtp_session_login_async      (SatchelSmtpSession  *self,
                                                           const char          *user,
                                                           const char          *password,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean            satchel_smtp_session_login_finish     (SatchelSmtpSession  *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

void                satchel_smtp_session_command_async    (SatchelSmtpSession  *self,
                                                           const char          *line,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
SatchelSmtpReply   *satchel_smtp_session_command_finish   (SatchelSmtpSession  *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

GBytes             *satchel_smtp_dot_stuff                (GBytes              *message);
void                satchel_smtp_session_send_async       (SatchelSmtpSession  *self,
                                                           const char          *from,
                                                           const char * const  *recipients,
                                                           GBytes              *message,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean            satchel_smtp_session_send_finish      (SatchelSmtpSession  *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

void                satchel_smtp_session_quit_async       (SatchelSmtpSession  *self,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean            satchel_smtp_session_quit_finish      (SatchelSmtpSession  *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

G_END_DECLS
