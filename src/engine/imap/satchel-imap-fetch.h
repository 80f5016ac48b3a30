/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-imap-fetch.h: what a FETCH response says about one message
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <glib.h>

#include "imap/satchel-imap-response.h"

G_BEGIN_DECLS

typedef enum
{
  SATCHEL_IMAP_FETCH_UID           = 1 << 0,
  SATCHEL_IMAP_FETCH_FLAGS         = 1 << 1,
  SATCHEL_IMAP_FETCH_INTERNALDATE  = 1 << 2,
  SATCHEL_IMAP_FETCH_SIZE          = 1 << 3,
  SATCHEL_IMAP_FETCH_ENVELOPE      = 1 << 4,
  SATCHEL_IMAP_FETCH_BODYSTRUCTURE = 1 << 5,
  SATCHEL_IMAP_FETCH_REFERENCES    = 1 << 6,
  SATCHEL_IMAP_FETCH_PREVIEW       = 1 << 7,
  SATCHEL_IMAP_FETCH_MODSEQ        = 1 << 8,
  SATCHEL_IMAP_FETCH_BODY          = 1 << 9,
} SatchelImapFetchItems;

/* One message, as much as the response said: see @items. Texts are UTF-8
 * (RFC 2047 decoded); addresses are "Name <addr>" joined with ", ". */
typedef struct
{
  SatchelImapFetchItems items;
  guint32               seq;
  guint32               uid;
  guint                 flags;       /* SatchelFlags */
  char                 *keywords;    /* other flags and keywords, space-separated */
  gint64                internal_date;
  guint64               size;
  guint64               modseq;
  gint64                date;
  char                 *subject;
  char                 *from;
  char                 *sender_address;  /* From's first mailbox, as parts */
  char                 *sender_name;
  char                 *to;
  char                 *cc;
  char                 *message_id;
  char                 *in_reply_to;
  char                 *references;  /* message ids, space-separated */
  char                 *preview;
  gboolean              has_attachments;
  GBytes               *body;
} SatchelImapFetch;

SatchelImapFetch *satchel_imap_fetch_parse        (const SatchelImapResponse  *response,
                                                   GError                    **error);
void              satchel_imap_fetch_free         (SatchelImapFetch           *fetch);
guint             satchel_imap_flags_parse        (const SatchelImapValue     *list,
                                                   char                      **keywords);
char             *satchel_imap_flags_to_string    (guint                       flags,
                                                   const char                 *keywords);
gboolean          satchel_imap_parse_internaldate (const char                 *text,
                                                   gint64                     *out);
gboolean          satchel_imap_parse_date         (const char                 *text,
                                                   gint64                     *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SatchelImapFetch, satchel_imap_fetch_free)

G_END_DECLS
