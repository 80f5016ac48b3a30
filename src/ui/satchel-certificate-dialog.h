/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-certificate-dialog.h: whether to trust a server's certificate, or
 * no encryption
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <adwaita.h>

#include "satchel-engine.h"

G_BEGIN_DECLS

AdwMessageDialog *satchel_certificate_dialog_new (GtkWindow          *parent,
                                                  const char         *host,
                                                  guint16             port,
                                                  SatchelCertificate *certificate,
                                                  gboolean            changed);
char             *satchel_format_fingerprint     (const char         *sha256);
AdwMessageDialog *satchel_insecure_dialog_new    (GtkWindow          *parent);

G_END_DECLS
