/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-mime.h: reading messages with GMime
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include "mime/satchel-gmime.h"

G_BEGIN_DECLS

/* What a message list shows of a message. */
typedef struct
{
  char     *message_id;
  char     *in_reply_to;
  char     *references;
  char     *subject;
  char     *from;
  char     *to;
  char     *cc;
  gint64    date;
  gboolean  has_attachments;
} SatchelMimeHeaders;

void                satchel_mime_headers_free (SatchelMimeHeaders *headers);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SatchelMimeHeaders, satchel_mime_headers_free)

SatchelMimeHeaders *satchel_mime_read_headers (GMimeMessage *message);

GMimeMessage *satchel_mime_parse      (GBytes       *raw);
char         *satchel_mime_get_text   (GMimeMessage *message,
                                       gsize         max);
gboolean      satchel_mime_is_attachment   (GMimeObject  *part,
                                            gboolean      shows_inline);
char         *satchel_mime_get_html        (GMimeMessage *message);
GPtrArray    *satchel_mime_get_attachments (GMimeMessage *message);
GMimePart    *satchel_mime_find_content_id (GMimeMessage *message,
                                            const char   *id);
GBytes       *satchel_mime_part_get_bytes  (GMimeObject  *part);
char         *satchel_mime_part_dup_filename (GMimeObject *part);
char         *satchel_mime_get_header (GMimeMessage *message,
                                       const char   *name);

G_END_DECLS
