/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-cert-pins.h: certificates the user chose to trust
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include "store/satchel-store.h"

G_BEGIN_DECLS

char     *satchel_cert_pin_lookup (SatchelStore  *store,
                                   const char    *host,
                                   guint16        port,
                                   GError       **error);
gboolean  satchel_cert_pin_save   (SatchelStore  *store,
                                   const char    *host,
                                   guint16        port,
                                   const char    *sha256,
                                   const char    *pem,
                                   GError       **error);
gboolean  satchel_cert_pin_remove (SatchelStore  *store,
                                   const char    *host,
                                   guint16        port,
                                   GError       **error);

G_END_DECLS
