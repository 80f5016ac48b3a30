/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-imap-parser.h: a streaming parser of IMAP server responses
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <glib.h>

#include "imap/satchel-imap-response.h"

G_BEGIN_DECLS

#define SATCHEL_IMAP_PARSER_DEFAULT_MAX_DEPTH    64
#define SATCHEL_IMAP_PARSER_DEFAULT_MAX_LITERAL  (256 * 1024 * 1024)
#define SATCHEL_IMAP_PARSER_DEFAULT_MAX_RESPONSE (512 * 1024 * 1024)

typedef enum
{
  SATCHEL_IMAP_PARSE_DONE,
  SATCHEL_IMAP_PARSE_NEED_LITERAL,
  SATCHEL_IMAP_PARSE_NEED_LINE,
} SatchelImapParseState;

typedef struct _SatchelImapParser SatchelImapParser;

SatchelImapParser   *satchel_imap_parser_new          (void);
void                 satchel_imap_parser_free         (SatchelImapParser     *self);
void                 satchel_imap_parser_set_limits   (SatchelImapParser     *self,
                                                       guint                  max_depth,
                                                       guint64                max_literal,
                                                       guint64                max_response);
gboolean             satchel_imap_parser_feed_line    (SatchelImapParser     *self,
                                                       const char            *line,
                                                       gsize                  len,
                                                       SatchelImapParseState *state,
                                                       guint64               *literal_size,
                                                       GError               **error);
gboolean             satchel_imap_parser_feed_literal (SatchelImapParser     *self,
                                                       const char            *data,
                                                       gsize                  len,
                                                       SatchelImapParseState *state,
                                                       GError               **error);
gboolean             satchel_imap_parser_feed_literal_bytes (SatchelImapParser *self,
                                                       GBytes                *bytes,
                                                       SatchelImapParseState *state,
                                                       GError               **error);
gboolean             satchel_imap_parser_wants_literal (SatchelImapParser    *self,
                                                       guint64               *size);
SatchelImapResponse *satchel_imap_parser_take         (SatchelImapParser     *self);
void                 satchel_imap_parser_reset        (SatchelImapParser     *self);

SatchelImapResponse *satchel_imap_parse_response      (const char            *text,
                                                       gsize                  len,
                                                       GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SatchelImapParser, satchel_imap_parser_free)

G_END_DECLS
