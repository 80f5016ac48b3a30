/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-login-check.h: log in to an account's server to check settings
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gio/gio.h>

#include "accounts/satchel-secrets.h"
#include "model/satchel-account.h"
#include "net/satchel-certificate.h"
#include "store/satchel-store.h"

G_BEGIN_DECLS

void   satchel_login_check_async  (SatchelAccount        *account,
                                   SatchelSecretService   service,
                                   const char            *password,
                                   SatchelStore          *store,
                                   GCancellable          *cancellable,
                                   GAsyncReadyCallback    callback,
                                   gpointer               user_data);
char  *satchel_login_check_finish (GAsyncResult          *result,
                                   SatchelCertificate   **rejected,
                                   GError               **error);

void                satchel_certificate_probe_async  (SatchelAccount        *account,
                                                      SatchelSecretService   service,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
SatchelCertificate *satchel_certificate_probe_finish (GAsyncResult          *result,
                                                      GError               **error);

G_END_DECLS
