/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-imap-command.h: an IMAP command and how it goes on the wire
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SatchelImapCommand SatchelImapCommand;

SatchelImapCommand *satchel_imap_command_new         (const char         *name);
void                satchel_imap_command_free        (SatchelImapCommand *self);
const char         *satchel_imap_command_get_name    (SatchelImapCommand *self);
void                satchel_imap_command_add_atom    (SatchelImapCommand *self,
                                                      const char         *atom);
void                satchel_imap_command_add_astring (SatchelImapCommand *self,
                                                      const char         *text,
                                                      gssize              len);
void                satchel_imap_command_add_string  (SatchelImapCommand *self,
                                                      const char         *text,
                                                      gssize              len);
void                satchel_imap_command_add_literal (SatchelImapCommand *self,
                                                      const char         *data,
                                                      gsize               len);
void                satchel_imap_command_add_mailbox  (SatchelImapCommand *self,
                                                      const char         *wire_name,
                                                      gssize              len);
void                satchel_imap_command_add_continuation (SatchelImapCommand *self,
                                                      const char         *line);
void                satchel_imap_command_collect     (SatchelImapCommand *self,
                                                      const char         *response_name);
gboolean            satchel_imap_command_collects    (SatchelImapCommand *self,
                                                      const char         *response_name);
GPtrArray          *satchel_imap_command_serialize   (SatchelImapCommand *self,
                                                      const char         *tag,
                                                      gboolean            literal_plus);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SatchelImapCommand, satchel_imap_command_free)

G_END_DECLS
