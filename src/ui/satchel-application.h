/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-application.h: the Satchel application
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <adwaita.h>

#include "satchel-engine.h"

G_BEGIN_DECLS

#define SATCHEL_TYPE_APPLICATION (satchel_application_get_type ())

G_DECLARE_FINAL_TYPE (SatchelApplication, satchel_application, SATCHEL, APPLICATION, AdwApplication)

typedef struct _SatchelNotifier SatchelNotifier;
typedef struct _SatchelTray SatchelTray;

SatchelApplication *satchel_application_new            (void);
SatchelStore       *satchel_application_get_store      (SatchelApplication *self);
SatchelAccountList *satchel_application_get_accounts   (SatchelApplication *self);
SatchelMailService *satchel_application_get_mail_service (SatchelApplication *self);
SatchelSecrets     *satchel_application_get_secrets    (SatchelApplication *self);
const GError       *satchel_application_get_store_error (SatchelApplication *self);
SatchelNotifier    *satchel_application_get_notifier   (SatchelApplication *self);
SatchelTray        *satchel_application_get_tray       (SatchelApplication *self);
void                satchel_application_toggle_window  (SatchelApplication *self);

G_END_DECLS
