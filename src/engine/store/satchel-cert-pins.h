/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-cert-pins.h: certificates the user chose to trust
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include "store/satchel-store.h"

G_BEGIN_DECLS

typedef struct
{
  char   *host;
  guint16 port;
  char   *sha256;
  gint64  added;   /* Unix time */
} SatchelCertPin;


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

void       satchel_cert_pin_free   (SatchelCertPin *pin);
GPtrArray *satchel_cert_pin_list   (SatchelStore   *store,
                                    GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SatchelCertPin, satchel_cert_pin_free)

G_END_DECLS
