/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-mail-actions.h: what the user does to mail, here at once and
 * queued for the server
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include "model/satchel-account.h"
#include "mime/satchel-mime.h"
#include "store/satchel-store.h"
#include "store/satchel-store-mail.h"

G_BEGIN_DECLS

#define SATCHEL_MAIL_ERROR (satchel_mail_error_quark ())

/**
 * SatchelMailError:
 * @SATCHEL_MAIL_ERROR_NOT_FOUND: no such message or folder
 * @SATCHEL_MAIL_ERROR_EXISTS: a folder of that name exists already
 * @SATCHEL_MAIL_ERROR_INVALID: the name or the request cannot work
 */
typedef enum
{
  SATCHEL_MAIL_ERROR_NOT_FOUND,
  SATCHEL_MAIL_ERROR_EXISTS,
  SATCHEL_MAIL_ERROR_INVALID,
} SatchelMailError;

GQuark   satchel_mail_error_quark   (void);

gboolean satchel_mail_change_flags  (SatchelStore    *store,
                                     gint64           message_id,
                                     guint            add,
                                     guint            remove,
                                     GError         **error);
gboolean satchel_mail_move          (SatchelStore    *store,
                                     gint64           message_id,
                                     const char      *folder,
                                     GError         **error);
gboolean satchel_mail_delete        (SatchelStore    *store,
                                     gint64           message_id,
                                     GError         **error);
gboolean satchel_mail_create_folder (SatchelStore    *store,
                                     SatchelAccount  *account,
                                     const char      *name,
                                     GError         **error);
gboolean satchel_mail_rename_folder (SatchelStore    *store,
                                     SatchelAccount  *account,
                                     const char      *name,
                                     const char      *new_name,
                                     GError         **error);
gboolean satchel_mail_delete_folder (SatchelStore    *store,
                                     SatchelAccount  *account,
                                     const char      *name,
                                     GError         **error);

SatchelMimeHeaders *satchel_summary_of_raw (GBytes                *raw,
                                            SatchelMessageSummary *summary);

gint64   satchel_mail_file_copy     (SatchelStore       *store,
                                     gint64              account_id,
                                     gboolean            imap,
                                     SatchelFolderRole   role,
                                     GBytes             *raw,
                                     guint               flags,
                                     GError            **error);

gboolean satchel_mail_discard_draft (SatchelStore       *store,
                                     gint64              draft,
                                     GError            **error);
gint64   satchel_mail_save_draft    (SatchelStore       *store,
                                     gint64              account_id,
                                     gboolean            imap,
                                     GBytes             *raw,
                                     gint64              previous,
                                     GError            **error);

G_END_DECLS
