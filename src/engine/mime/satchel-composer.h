/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-composer.h: building the messages Satchel sends, with GMime
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include "mime/satchel-gmime.h"

G_BEGIN_DECLS

/* What the user wrote, and what it answers. Addresses are "Name <addr>"
 * or bare addresses. */
typedef struct
{
  char      *from_name;
  char      *from_address;
  GPtrArray *to;            /* char * */
  GPtrArray *cc;
  GPtrArray *bcc;           /* only for the envelope: never in the headers */
  char      *subject;
  char      *body;          /* plain text, UTF-8: what the user wrote */
  char      *quoted;        /* after it: the quote of a reply, or a forwarded message */
  char      *signature;     /* appended after "-- " */
  GPtrArray *attachments;   /* char *: paths */
  char      *in_reply_to;   /* "<id>" */
  char      *references;    /* "<id> <id> ..." */
  GPtrArray *carried;       /* GMimeObject: parts carried over (forwarding) */
} SatchelDraft;

SatchelDraft *satchel_draft_new            (void);
SatchelDraft *satchel_draft_new_from_mailto (const char   *uri,
                                            GStrv        *ignored,
                                            GError      **error);
void          satchel_draft_free           (SatchelDraft   *draft);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SatchelDraft, satchel_draft_free)

void          satchel_draft_reply          (SatchelDraft   *draft,
                                            GMimeMessage   *original,
                                            gboolean        all,
                                            const char     *own_address);
void          satchel_draft_forward        (SatchelDraft   *draft,
                                            GMimeMessage   *original,
                                            gboolean        as_attachment);

void          satchel_draft_add_addresses  (GPtrArray      *list,
                                            const char     *text);
GMimeMessage *satchel_draft_build          (SatchelDraft   *draft,
                                            GError        **error);
GStrv         satchel_draft_dup_recipients (SatchelDraft   *draft);
GBytes       *satchel_mime_to_bytes        (GMimeMessage   *message);
char         *satchel_flowed_encode        (const char     *text);
char         *satchel_address_of           (const char     *mailbox);

G_END_DECLS
