/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-secrets.h: account passwords, in the keyring or for this session
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * SatchelSecretService:
 * @SATCHEL_SECRET_INCOMING: the IMAP or POP3 server's password
 * @SATCHEL_SECRET_OUTGOING: the SMTP server's password
 */
typedef enum
{
  SATCHEL_SECRET_INCOMING,
  SATCHEL_SECRET_OUTGOING,
} SatchelSecretService;

#define SATCHEL_TYPE_SECRETS (satchel_secrets_get_type ())

G_DECLARE_FINAL_TYPE (SatchelSecrets, satchel_secrets, SATCHEL, SECRETS, GObject)

SatchelSecrets *satchel_secrets_new                    (void);
gboolean        satchel_secrets_get_keyring_available  (SatchelSecrets        *self);
const char     *satchel_secrets_get_keyring_problem    (SatchelSecrets        *self);

void            satchel_secrets_store_async            (SatchelSecrets        *self,
                                                        const char            *account_uuid,
                                                        const char            *account_email,
                                                        SatchelSecretService   service,
                                                        const char            *password,
                                                        GCancellable          *cancellable,
                                                        GAsyncReadyCallback    callback,
                                                        gpointer               user_data);
gboolean        satchel_secrets_store_finish           (SatchelSecrets        *self,
                                                        GAsyncResult          *result,
                                                        GError               **error);
gboolean        satchel_secrets_store_sync             (SatchelSecrets        *self,
                                                        const char            *account_uuid,
                                                        const char            *account_email,
                                                        SatchelSecretService   service,
                                                        const char            *password,
                                                        GCancellable          *cancellable,
                                                        GError               **error);

void            satchel_secrets_lookup_async           (SatchelSecrets        *self,
                                                        const char            *account_uuid,
                                                        SatchelSecretService   service,
                                                        GCancellable          *cancellable,
                                                        GAsyncReadyCallback    callback,
                                                        gpointer               user_data);
char           *satchel_secrets_lookup_finish          (SatchelSecrets        *self,
                                                        GAsyncResult          *result,
                                                        GError               **error);
char           *satchel_secrets_lookup_sync            (SatchelSecrets        *self,
                                                        const char            *account_uuid,
                                                        SatchelSecretService   service,
                                                        GCancellable          *cancellable,
                                                        GError               **error);

void            satchel_secrets_clear_async            (SatchelSecrets        *self,
                                                        const char            *account_uuid,
                                                        GCancellable          *cancellable,
                                                        GAsyncReadyCallback    callback,
                                                        gpointer               user_data);
gboolean        satchel_secrets_clear_finish           (SatchelSecrets        *self,
                                                        GAsyncResult          *result,
                                                        GError               **error);
gboolean        satchel_secrets_clear_sync             (SatchelSecrets        *self,
                                                        const char            *account_uuid,
                                                        GCancellable          *cancellable,
                                                        GError               **error);

/* A password string, wiped when freed: g_autoptr(SatchelPassword). */
typedef char SatchelPassword;

void            satchel_password_free                  (SatchelPassword       *password);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SatchelPassword, satchel_password_free)

G_END_DECLS
