/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-tls-database.h: the certificates a connection trusts
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SATCHEL_TYPE_TLS_DATABASE (satchel_tls_database_get_type ())

G_DECLARE_FINAL_TYPE (SatchelTlsDatabase, satchel_tls_database, SATCHEL, TLS_DATABASE, GTlsDatabase)

GTlsDatabase *satchel_tls_database_new               (GList *extra_cas);
void          satchel_tls_database_load_system_trust (void);

G_END_DECLS
