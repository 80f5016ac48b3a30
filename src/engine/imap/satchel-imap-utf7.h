/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-imap-utf7.h: IMAP's modified UTF-7 for mailbox names
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *satchel_imap_utf7_encode      (const char *utf8);
char *satchel_imap_utf7_decode      (const char *mutf7,
                                     gsize       len);
char *satchel_imap_name_for_display (const char *wire,
                                     gsize       len,
                                     gboolean    utf8_mode);

G_END_DECLS
