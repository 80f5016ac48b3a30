/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-mail-service.h: the application's mail in the background
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gio/gio.h>

#include "accounts/satchel-secrets.h"
#include "mime/satchel-composer.h"
#include "model/satchel-account-list.h"

G_BEGIN_DECLS

/**
 * SatchelAccountState:
 * @SATCHEL_ACCOUNT_STATE_IDLE: up to date, as far as the last check knew
 * @SATCHEL_ACCOUNT_STATE_SYNCING: a check is running
 * @SATCHEL_ACCOUNT_STATE_OFFLINE: the server could not be reached; the
 *   cached mail is readable and changes wait
 * @SATCHEL_ACCOUNT_STATE_NEEDS_PASSWORD: the server refused the password,
 *   or none is saved
 * @SATCHEL_ACCOUNT_STATE_ERROR: the check failed otherwise
 * @SATCHEL_ACCOUNT_STATE_UNTRUSTED: the server's certificate could not be
 *   verified, or is not the one the user trusted: the user decides
 */
typedef enum
{
  SATCHEL_ACCOUNT_STATE_IDLE,
  SATCHEL_ACCOUNT_STATE_SYNCING,
  SATCHEL_ACCOUNT_STATE_OFFLINE,
  SATCHEL_ACCOUNT_STATE_NEEDS_PASSWORD,
  SATCHEL_ACCOUNT_STATE_ERROR,
  SATCHEL_ACCOUNT_STATE_UNTRUSTED,
} SatchelAccountState;

#define SATCHEL_TYPE_MAIL_SERVICE (satchel_mail_service_get_type ())

G_DECLARE_FINAL_TYPE (SatchelMailService, satchel_mail_service, SATCHEL, MAIL_SERVICE, GObject)

SatchelMailService *satchel_mail_service_new          (const char          *store_path,
                                                       SatchelAccountList  *accounts,
                                                       SatchelSecrets      *secrets);
void                satchel_mail_service_start        (SatchelMailService  *self,
                                                       guint                interval);
void                satchel_mail_service_stop         (SatchelMailService  *self);
void                satchel_mail_service_check        (SatchelMailService  *self,
                                                       SatchelAccount      *account);
void                satchel_mail_service_push         (SatchelMailService  *self,
                                                       SatchelAccount      *account);
void                satchel_mail_service_fetch_body   (SatchelMailService  *self,
                                                       SatchelAccount      *account,
                                                       gint64               message_id);
void                satchel_mail_service_search_server (SatchelMailService *self,
                                                        SatchelAccount     *account,
                                                        gint64              folder_id,
                                                        const char         *query);
void                satchel_mail_service_set_interval (SatchelMailService  *self,
                                                       guint                seconds);
SatchelAccountState satchel_mail_service_get_state    (SatchelMailService  *self,
                                                       SatchelAccount      *account,
                                                       const char         **message);
gboolean            satchel_mail_service_get_progress (SatchelMailService  *self,
                                                       SatchelAccount      *account,
                                                       char               **folder,
                                                       guint               *done,
                                                       guint               *total);
gboolean            satchel_mail_service_is_busy      (SatchelMailService  *self);
gboolean            satchel_mail_service_is_watching  (SatchelMailService  *self,
                                                       SatchelAccount      *account);

void                satchel_mail_service_send_async   (SatchelMailService  *self,
                                                       SatchelAccount      *account,
                                                       SatchelDraft        *draft,
                                                       gint64               draft_id,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean            satchel_mail_service_send_finish  (SatchelMailService  *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);
void                satchel_mail_service_save_draft_async (SatchelMailService  *self,
                                                       SatchelAccount      *account,
                                                       SatchelDraft        *draft,
                                                       gint64               previous,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gint64              satchel_mail_service_save_draft_finish (SatchelMailService *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);
void                satchel_mail_service_discard_draft (SatchelMailService *self,
                                                        SatchelAccount     *account,
                                                        gint64              draft_id);

G_END_DECLS
