/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-notifier.h: desktop notifications of new mail
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gtk/gtk.h>

#include "satchel-application.h"

G_BEGIN_DECLS

#define SATCHEL_TYPE_NOTIFIER (satchel_notifier_get_type ())

G_DECLARE_FINAL_TYPE (SatchelNotifier, satchel_notifier, SATCHEL, NOTIFIER, GObject)

SatchelNotifier *satchel_notifier_new (SatchelApplication *app,
                                       GSettings          *settings);

G_END_DECLS
