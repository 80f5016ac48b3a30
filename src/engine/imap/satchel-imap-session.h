/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-imap-session.h: an IMAP session on one connection
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gio/gio.h>

#include "imap/satchel-imap-command.h"
#include "imap/satchel-imap-uid-set.h"
#include "imap/satchel-imap-response.h"
#include "net/satchel-connection.h"

G_BEGIN_DECLS

typedef enum
{
  SATCHEL_IMAP_SESSION_DISCONNECTED,
  SATCHEL_IMAP_SESSION_NOT_AUTHENTICATED,
  SATCHEL_IMAP_SESSION_AUTHENTICATED,
  SATCHEL_IMAP_SESSION_SELECTED,
  SATCHEL_IMAP_SESSION_LOGGED_OUT,
} SatchelImapSessionState;

/* What a command brought back: its tagged OK and the untagged responses it
 * collected. */
typedef struct
{
  SatchelImapResponse *tagged;
  GPtrArray           *untagged;  /* SatchelImapResponse */
} SatchelImapResult;

void satchel_imap_result_free (SatchelImapResult *result);

/* What SELECT or EXAMINE said about a mailbox. */
typedef struct
{
  guint32            uidvalidity;
  guint32            uidnext;
  guint64            highestmodseq;   /* 0: no mod-sequences */
  guint32            exists;
  gboolean           read_only;
  SatchelImapUidSet *vanished;        /* with QRESYNC: expunged since */
  GPtrArray         *changed;         /* with QRESYNC: SatchelImapFetch, flags changed since */
} SatchelImapMailbox;

void satchel_imap_mailbox_free (SatchelImapMailbox *mailbox);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SatchelImapMailbox, satchel_imap_mailbox_free)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SatchelImapResult, satchel_imap_result_free)

#define SATCHEL_TYPE_IMAP_SESSION (satchel_imap_session_get_type ())

G_DECLARE_FINAL_TYPE (SatchelImapSession, satchel_imap_session, SATCHEL, IMAP_SESSION, GObject)

SatchelImapSession     *satchel_imap_session_new              (SatchelConnection   *connection);
SatchelConnection      *satchel_imap_session_get_connection   (SatchelImapSession  *self);
SatchelImapSessionState satchel_imap_session_get_state        (SatchelImapSession  *self);
gboolean                satchel_imap_session_has_capability   (SatchelImapSession  *self,
                                                               const char          *capability);

void                    satchel_imap_session_connect_async    (SatchelImapSession  *self,
                                                               GCancellable        *cancellable,
                                                               GAsyncReadyCallback  callback,
                                                               gpointer             user_data);
gboolean                satchel_imap_session_connect_finish   (SatchelImapSession  *self,
                                                               GAsyncResult        *result,
                                                               GError             **error);

void                    satchel_imap_session_login_async      (SatchelImapSession  *self,
                                                               const char          *user,
                                                               const char          *password,
                                                               GCancellable        *cancellable,
                                                               GAsyncReadyCallback  callback,
                                                               gpointer             user_data);
gboolean                satchel_imap_session_login_finish     (SatchelImapSession  *self,
                                                               GAsyncResult        *result,
                                                               GError             **error);

void                    satchel_imap_session_run_async        (SatchelImapSession  *self,
                                                               SatchelImapCommand  *command,
                                                               GCancellable        *cancellable,
                                                               GAsyncReadyCallback  callback,
                                                               gpointer             user_data);
SatchelImapResult      *satchel_imap_session_run_finish       (SatchelImapSession  *self,
                                                               GAsyncResult        *result,
                                                               GError             **error);

void                    satchel_imap_session_logout_async     (SatchelImapSession  *self,
                                                               GCancellable        *cancellable,
                                                               GAsyncReadyCallback  callback,
                                                               gpointer             user_data);
gboolean                satchel_imap_session_logout_finish    (SatchelImapSession  *self,
                                                               GAsyncResult        *result,
                                                               GError             **error);

void                    satchel_imap_session_compress_async   (SatchelImapSession  *self,
                                                               GCancellable        *cancellable,
                                                               GAsyncReadyCallback  callback,
                                                               gpointer             user_data);
gboolean                satchel_imap_session_compress_finish  (SatchelImapSession  *self,
                                                               GAsyncResult        *result,
                                                               GError             **error);
void                    satchel_imap_session_enable_async     (SatchelImapSession  *self,
                                                               const char * const  *extensions,
                                                               GCancellable        *cancellable,
                                                               GAsyncReadyCallback  callback,
                                                               gpointer             user_data);
gboolean                satchel_imap_session_enable_finish    (SatchelImapSession  *self,
                                                               GAsyncResult        *result,
                                                               GError             **error);
gboolean                satchel_imap_session_is_enabled       (SatchelImapSession  *self,
                                                               const char          *extension);

void                    satchel_imap_session_select_async     (SatchelImapSession  *self,
                                                               const char          *wire_name,
                                                               gsize                wire_len,
                                                               gboolean             read_only,
                                                               guint32              uidvalidity,
                                                               guint64              modseq,
                                                               GCancellable        *cancellable,
                                                               GAsyncReadyCallback  callback,
                                                               gpointer             user_data);
SatchelImapMailbox     *satchel_imap_session_select_finish    (SatchelImapSession  *self,
                                                               GAsyncResult        *result,
                                                               GError             **error);

void                    satchel_imap_session_idle_async       (SatchelImapSession  *self,
                                                               GCancellable        *cancellable,
                                                               GAsyncReadyCallback  callback,
                                                               gpointer             user_data);
void                    satchel_imap_session_idle_done        (SatchelImapSession  *self);
gboolean                satchel_imap_session_is_idling        (SatchelImapSession  *self);

gboolean                satchel_imap_parse_vanished           (const SatchelImapResponse *response,
                                                               SatchelImapUidSet   *uids,
                                                               gboolean            *earlier);

G_END_DECLS
