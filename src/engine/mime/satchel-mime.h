/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-mime.h: reading messages with GMime
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include "mime/satchel-gmime.h"

G_BEGIN_DECLS

GMimeMessage *satchel_mime_parse      (GBytes       *raw);
char         *satchel_mime_get_text   (GMimeMessage *message,
                                       gsize         max);
char         *satchel_mime_get_header (GMimeMessage *message,
                                       const char   *name);

G_END_DECLS
