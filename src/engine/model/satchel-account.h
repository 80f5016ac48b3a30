/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-account.h: one mail account's settings, for views to bind
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gio/gio.h>

#include "satchel-types.h"

G_BEGIN_DECLS

#define SATCHEL_ACCOUNT_ERROR (satchel_account_error_quark ())

/**
 * SatchelAccountError:
 * @SATCHEL_ACCOUNT_ERROR_INVALID: a setting has a value that cannot work
 * @SATCHEL_ACCOUNT_ERROR_INSECURE: a server would be used without encryption
 *   and the user did not confirm it
 * @SATCHEL_ACCOUNT_ERROR_DUPLICATE: another account has that address or label
 * @SATCHEL_ACCOUNT_ERROR_NOT_FOUND: no account has that address or label
 */
typedef enum
{
  SATCHEL_ACCOUNT_ERROR_INVALID,
  SATCHEL_ACCOUNT_ERROR_INSECURE,
  SATCHEL_ACCOUNT_ERROR_DUPLICATE,
  SATCHEL_ACCOUNT_ERROR_NOT_FOUND,
} SatchelAccountError;

#define SATCHEL_ACCOUNT_DEFAULT_DELETE_AFTER_DAYS 14
#define SATCHEL_ACCOUNT_DEFAULT_CHECK_INTERVAL    10
#define SATCHEL_ACCOUNT_MAX_DELETE_AFTER_DAYS     3650
#define SATCHEL_ACCOUNT_MAX_CHECK_INTERVAL        1440

#define SATCHEL_TYPE_ACCOUNT (satchel_account_get_type ())

G_DECLARE_FINAL_TYPE (SatchelAccount, satchel_account, SATCHEL, ACCOUNT, GObject)

GQuark              satchel_account_error_quark         (void);

SatchelAccount     *satchel_account_new                 (SatchelAccountKind  kind,
                                                         const char         *email);
SatchelAccount     *satchel_account_dup                 (SatchelAccount     *self);
void                satchel_account_copy_settings       (SatchelAccount     *self,
                                                         SatchelAccount     *from);

gint64              satchel_account_get_id              (SatchelAccount     *self);
const char         *satchel_account_get_uuid            (SatchelAccount     *self);
const char         *satchel_account_get_label           (SatchelAccount     *self);
const char         *satchel_account_get_real_name       (SatchelAccount     *self);
const char         *satchel_account_get_email           (SatchelAccount     *self);
SatchelAccountKind  satchel_account_get_kind            (SatchelAccount     *self);
const char         *satchel_account_get_host            (SatchelAccount     *self);
guint               satchel_account_get_port            (SatchelAccount     *self);
guint16             satchel_account_get_effective_port  (SatchelAccount     *self);
SatchelSecurity     satchel_account_get_security        (SatchelAccount     *self);
const char         *satchel_account_get_user            (SatchelAccount     *self);
const char         *satchel_account_get_smtp_host       (SatchelAccount     *self);
guint               satchel_account_get_smtp_port       (SatchelAccount     *self);
guint16             satchel_account_get_effective_smtp_port (SatchelAccount *self);
SatchelSecurity     satchel_account_get_smtp_security   (SatchelAccount     *self);
const char         *satchel_account_get_smtp_user       (SatchelAccount     *self);
const char         *satchel_account_get_effective_smtp_user (SatchelAccount *self);
gboolean            satchel_account_get_keep_offline    (SatchelAccount     *self);
gboolean            satchel_account_get_leave_on_server (SatchelAccount     *self);
gboolean            satchel_account_get_delete_after    (SatchelAccount     *self);
guint               satchel_account_get_delete_after_days (SatchelAccount   *self);
gboolean            satchel_account_get_delete_when_deleted (SatchelAccount *self);
gboolean            satchel_account_get_apop            (SatchelAccount     *self);
const char         *satchel_account_get_signature       (SatchelAccount     *self);
const char         *satchel_account_get_ca_file         (SatchelAccount     *self);
guint               satchel_account_get_check_interval  (SatchelAccount     *self);
const char         *satchel_account_get_color           (SatchelAccount     *self);
gboolean            satchel_account_has_smtp            (SatchelAccount     *self);

gboolean            satchel_account_validate            (SatchelAccount     *self,
                                                         gboolean            allow_insecure,
                                                         GError            **error);

gboolean            satchel_email_address_is_valid      (const char         *address);
gboolean            satchel_host_name_is_valid          (const char         *host);

/* For SatchelAccountList, which owns the row in the store. */
void                satchel_account_set_id              (SatchelAccount     *self,
                                                         gint64              id);

G_END_DECLS
