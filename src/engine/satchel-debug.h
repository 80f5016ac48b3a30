/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-debug.h: what SATCHEL_DEBUG asks to be shown
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* SATCHEL_DEBUG=imap,pop3,smtp (or "all"): each protocol's conversation on
 * standard error, with the time, passwords left out; net: the steps of
 * setting up each connection (name lookup, connect, TLS handshake);
 * keyring: asking the keyring for passwords. */
typedef enum
{
  SATCHEL_DEBUG_IMAP = 1 << 0,
  SATCHEL_DEBUG_POP3 = 1 << 1,
  SATCHEL_DEBUG_SMTP = 1 << 2,
  SATCHEL_DEBUG_NET  = 1 << 3,
  SATCHEL_DEBUG_KEYRING = 1 << 4,
} SatchelDebugFlags;

guint satchel_debug_flags (void);

#define SATCHEL_DEBUGGING(flag) G_UNLIKELY (satchel_debug_flags () & (flag))

void  satchel_debug_wire  (const char *protocol,
                           const char *direction,
                           const char *data,
                           gsize       len);

void  satchel_debug_note  (const char *topic,
                           const char *format,
                           ...) G_GNUC_PRINTF (2, 3);

G_END_DECLS
