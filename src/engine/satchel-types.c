/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-types.c: enumerations shared by every layer of the engine
 *
 * Copyright 2026 The Satchel authors
 */

#include "config.h"

#include "satchel-types.h"

/**
 * satchel_standard_port:
 *
 * Returns: the registered port for retrieving mail with @kind over
 *   @security: IMAP 993 (TLS) or 143, POP3 995 (TLS) or 110
 */
guint16
satchel_standard_port (SatchelAccountKind kind,
                       SatchelSecurity    security)
{
  gboolean implicit_tls = security == SATCHEL_SECURITY_TLS;

  if (kind == SATCHEL_ACCOUNT_KIND_POP3)
    return implicit_tls ? 995 : 110;
  return implicit_tls ? 993 : 143;
}

/**
 * satchel_standard_smtp_port:
 *
 * Returns: the submission port for @security: 465 (TLS) or 587
 */
guint16
satchel_standard_smtp_port (SatchelSecurity security)
{
  return security == SATCHEL_SECURITY_TLS ? 465 : 587;
}

const char *
satchel_enum_to_nick (GType type,
                      int   value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);
  GEnumValue *ev = g_enum_get_value (klass, value);

  return ev != NULL ? ev->value_nick : NULL;
}

gboolean
satchel_enum_from_nick (GType       type,
                        const char *nick,
                        int        *out_value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);
  GEnumValue *ev;

  if (nick == NULL)
    return FALSE;
  ev = g_enum_get_value_by_nick (klass, nick);
  if (ev == NULL)
    return FALSE;
  *out_value = ev->value;
  return TRUE;
}
