/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-test-utils.h: what the C tests share
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "store/satchel-store.h"

G_BEGIN_DECLS

void      satchel_test_init             (int          *argc,
                                         char       ***argv);
char     *satchel_test_make_dir         (void);
void      satchel_test_remove_dir       (const char   *path);
gboolean  satchel_test_require_servers  (void);
GBytes   *satchel_test_read_file        (const char   *path);
void      satchel_test_finalize_soon    (gpointer      object);
void      satchel_test_mailctl          (const char   *first,
                                         ...) G_GNUC_NULL_TERMINATED;
JsonArray *satchel_test_server_messages (const char *user,
                                         const char   *password,
                                         const char   *folder);
gboolean  satchel_test_server_has_folder (const char *user,
                                         const char   *password,
                                         const char   *folder);
SatchelStore *satchel_test_open_store  (const char   *dir,
                                         const char   *email);
gint64    satchel_test_query_int        (SatchelStore *store,
                                         const char   *sql);

G_END_DECLS
