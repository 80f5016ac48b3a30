/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-sasl.h: the SASL mechanisms the sessions share
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *satchel_sasl_plain (const char *user,
                          const char *password);

G_END_DECLS
