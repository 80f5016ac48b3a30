/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-certificate.h: a server certificate as the user is shown it
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SATCHEL_TYPE_CERTIFICATE (satchel_certificate_get_type ())

G_DECLARE_FINAL_TYPE (SatchelCertificate, satchel_certificate, SATCHEL, CERTIFICATE, GObject)

SatchelCertificate   *satchel_certificate_new            (GTlsCertificate      *certificate,
                                                          GTlsCertificateFlags  problems,
                                                          GError              **error);
GTlsCertificate      *satchel_certificate_get_tls        (SatchelCertificate   *self);
const char           *satchel_certificate_get_subject    (SatchelCertificate   *self);
const char           *satchel_certificate_get_issuer     (SatchelCertificate   *self);
GDateTime            *satchel_certificate_get_not_before (SatchelCertificate   *self);
GDateTime            *satchel_certificate_get_not_after  (SatchelCertificate   *self);
const char           *satchel_certificate_get_sha256     (SatchelCertificate   *self);
GTlsCertificateFlags  satchel_certificate_get_problems   (SatchelCertificate   *self);
char                 *satchel_certificate_dup_pem        (SatchelCertificate   *self);
char                 *satchel_certificate_describe_problems (SatchelCertificate *self);
char                 *satchel_certificate_format         (SatchelCertificate   *self);

char                 *satchel_fingerprint_normalize      (const char           *text);

G_END_DECLS
