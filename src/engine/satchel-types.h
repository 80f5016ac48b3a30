/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-types.h: enumerations shared by every layer of the engine
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * SatchelAccountKind:
 * @SATCHEL_ACCOUNT_KIND_IMAP: mail stays on the server; Satchel keeps a cache
 * @SATCHEL_ACCOUNT_KIND_POP3: mail is downloaded to this computer
 */
typedef enum
{
  SATCHEL_ACCOUNT_KIND_IMAP,
  SATCHEL_ACCOUNT_KIND_POP3,
} SatchelAccountKind;

/**
 * SatchelSecurity:
 * @SATCHEL_SECURITY_TLS: TLS from the first byte (ports 993, 995, 465)
 * @SATCHEL_SECURITY_STARTTLS: plain connection upgraded with STARTTLS or STLS
 *   before anything else is said (ports 143, 110, 587)
 * @SATCHEL_SECURITY_NONE: no encryption; only when the user chose it
 */
typedef enum
{
  SATCHEL_SECURITY_TLS,
  SATCHEL_SECURITY_STARTTLS,
  SATCHEL_SECURITY_NONE,
} SatchelSecurity;

/**
 * SatchelFolderRole:
 *
 * What a folder is for, from SPECIAL-USE or, failing that, its name.
 */
typedef enum
{
  SATCHEL_FOLDER_ROLE_NONE,
  SATCHEL_FOLDER_ROLE_INBOX,
  SATCHEL_FOLDER_ROLE_SENT,
  SATCHEL_FOLDER_ROLE_DRAFTS,
  SATCHEL_FOLDER_ROLE_TRASH,
  SATCHEL_FOLDER_ROLE_JUNK,
  SATCHEL_FOLDER_ROLE_ARCHIVE,
} SatchelFolderRole;

typedef enum
{
  SATCHEL_SYNC_PHASE_IDLE,
  SATCHEL_SYNC_PHASE_CONNECTING,
  SATCHEL_SYNC_PHASE_SENDING_CHANGES,
  SATCHEL_SYNC_PHASE_LISTING_FOLDERS,
  SATCHEL_SYNC_PHASE_SYNCING_FOLDER,
  SATCHEL_SYNC_PHASE_FETCHING_BODIES,
  SATCHEL_SYNC_PHASE_WATCHING,
  SATCHEL_SYNC_PHASE_DONE,
} SatchelSyncPhase;

typedef enum
{
  SATCHEL_IMAP_SYNC_FULL        = 0,
  SATCHEL_IMAP_SYNC_BODIES      = 1 << 0,  /* fetch every body, as "keep all mail offline" */
  SATCHEL_IMAP_SYNC_CHANGES_ONLY = 1 << 1, /* deliver queued changes, fetch nothing */
  SATCHEL_IMAP_SYNC_WANTED_ONLY = 1 << 2,  /* only the bodies asked for (want_bodies()) */
} SatchelImapSyncFlags;

guint16     satchel_standard_port      (SatchelAccountKind  kind,
                                        SatchelSecurity     security);
guint16     satchel_standard_smtp_port (SatchelSecurity     security);
const char *satchel_enum_to_nick       (GType               type,
                                        int                 value);
gboolean    satchel_enum_from_nick     (GType               type,
                                        const char         *nick,
                                        int                *out_value);

G_END_DECLS
