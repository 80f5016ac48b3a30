/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-account-list.h: the profile's accounts, as a list model over the store
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gio/gio.h>

#include "model/satchel-account.h"
#include "store/satchel-store.h"

G_BEGIN_DECLS

#define SATCHEL_TYPE_ACCOUNT_LIST (satchel_account_list_get_type ())

G_DECLARE_FINAL_TYPE (SatchelAccountList, satchel_account_list, SATCHEL, ACCOUNT_LIST, GObject)

SatchelAccountList *satchel_account_list_new          (SatchelStore        *store,
                                                       GError             **error);
SatchelStore       *satchel_account_list_get_store    (SatchelAccountList  *self);
gboolean            satchel_account_list_add          (SatchelAccountList  *self,
                                                       SatchelAccount      *account,
                                                       GError             **error);
gboolean            satchel_account_list_remove       (SatchelAccountList  *self,
                                                       SatchelAccount      *account,
                                                       GError             **error);
SatchelAccount     *satchel_account_list_lookup       (SatchelAccountList  *self,
                                                       const char          *email_or_label);
SatchelAccount     *satchel_account_list_find         (SatchelAccountList  *self,
                                                       const char          *email_or_label,
                                                       GError             **error);
gboolean            satchel_account_list_check_unique (SatchelAccountList  *self,
                                                       SatchelAccount      *account,
                                                       GError             **error);

G_END_DECLS
