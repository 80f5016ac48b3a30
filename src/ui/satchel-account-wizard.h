/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-account-wizard.h: setting up an account
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <adwaita.h>

#include "satchel-application.h"

G_BEGIN_DECLS

#define SATCHEL_TYPE_ACCOUNT_WIZARD (satchel_account_wizard_get_type ())

G_DECLARE_FINAL_TYPE (SatchelAccountWizard, satchel_account_wizard, SATCHEL, ACCOUNT_WIZARD,
                      AdwWindow)

SatchelAccountWizard *satchel_account_wizard_new (SatchelApplication *app,
                                                  GtkWindow          *parent);

G_END_DECLS
