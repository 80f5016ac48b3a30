/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-indexer.h: the text of cached bodies into the full-text index
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include "store/satchel-store.h"

G_BEGIN_DECLS

gint      satchel_index_bodies     (SatchelStore  *store,
                                    guint          limit,
                                    GError       **error);
gboolean  satchel_index_all_bodies (SatchelStore  *store,
                                    guint         *indexed,
                                    GError       **error);
gpointer  satchel_job_index_bodies (SatchelStore  *store,
                                    gpointer       data,
                                    GError       **error);

G_END_DECLS
