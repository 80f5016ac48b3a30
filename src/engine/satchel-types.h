/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-types.h: enumerations shared by every layer of the engine
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * SatchelAccountKind:
 * @SATCHEL_ACCOUNT_KIND_IMAP: mail stays on the server; Satchel keeps a cache
 * @SATCHEL_ACCOUNT_KIND_POP3: mail is downloaded to this computer
 */
typedef enum
{
  SATCHEL_ACCOUNT_KIND_IMAP,
  SATCHEL_ACCOUNT_KIND_POP3,
} SatchelAccountKind;

/**
 * SatchelSecurity:
 * @SATCHEL_SECURITY_TLS: TLS from the first byte (ports 993, 995, 465)
 * @SATCHEL_SECURITY_STARTTLS: plain connection upgraded with STARTTLS or STLS
 *   before anything else is said (ports 143, 110, 587)
 * @SATCHEL_SECURITY_NONE: no encryption; only when the user chose it
 */
typedef enum
{
  SATCHEL_SECURITY_TLS,
  SATCHEL_SECURITY_STARTTLS,
  SATCHEL_SECURITY_NONE,
} SatchelSecurity;

guint16     satchel_standard_port      (SatchelAccountKind  kind,
                                        SatchelSecurity     security);
guint16     satchel_standard_smtp_port (SatchelSecurity     security);
const char *satchel_enum_to_nick       (GType               type,
                                        int                 value);
gboolean    satchel_enum_from_nick     (GType               type,
                                        const char         *nick,
                                        int                *out_value);

G_END_DECLS
