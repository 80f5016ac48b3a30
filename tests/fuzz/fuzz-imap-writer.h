/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-imap-writer.h: IMAP values written back, read again and compared
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <glib.h>

#include "imap/satchel-imap-parser.h"

G_BEGIN_DECLS

void                 fuzz_imap_write_value   (GString                *out,
                                              const SatchelImapValue *value,
                                              guint32                 seed);
gboolean             fuzz_imap_value_equal   (const SatchelImapValue *a,
                                              const SatchelImapValue *b);
SatchelImapResponse *fuzz_imap_read_response (SatchelImapParser      *parser,
                                              const char             *text,
                                              gsize                   len,
                                              GError                **error);

G_END_DECLS
