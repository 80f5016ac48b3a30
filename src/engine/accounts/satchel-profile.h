/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-profile.h: where a profile keeps its database and configuration
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SATCHEL_TYPE_PROFILE (satchel_profile_get_type ())

G_DECLARE_FINAL_TYPE (SatchelProfile, satchel_profile, SATCHEL, PROFILE, GObject)

SatchelProfile *satchel_profile_new              (const char      *directory);
const char     *satchel_profile_get_data_dir     (SatchelProfile  *self);
const char     *satchel_profile_get_config_dir   (SatchelProfile  *self);
char           *satchel_profile_dup_store_path   (SatchelProfile  *self);
gboolean        satchel_profile_ensure           (SatchelProfile  *self,
                                                  GError         **error);

G_END_DECLS
