/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-imap-uid-set.h: sets of UIDs as ranges
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint32 first;
  guint32 last;
} SatchelImapUidRange;

/* A set of UIDs kept as sorted, disjoint ranges, so that "1:4294967295"
 * from a server costs one range, not four billion entries. */
typedef struct _SatchelImapUidSet SatchelImapUidSet;

SatchelImapUidSet *satchel_imap_uid_set_new        (void);
void               satchel_imap_uid_set_free       (SatchelImapUidSet       *self);
gboolean           satchel_imap_uid_set_parse      (SatchelImapUidSet       *self,
                                                    const char              *text,
                                                    GError                 **error);
void               satchel_imap_uid_set_add        (SatchelImapUidSet       *self,
                                                    guint32                  uid);
void               satchel_imap_uid_set_add_range  (SatchelImapUidSet       *self,
                                                    guint32                  first,
                                                    guint32                  last);
gboolean           satchel_imap_uid_set_contains   (const SatchelImapUidSet *self,
                                                    guint32                  uid);
guint64            satchel_imap_uid_set_count      (const SatchelImapUidSet *self);
guint              satchel_imap_uid_set_n_ranges   (const SatchelImapUidSet *self);
const SatchelImapUidRange *satchel_imap_uid_set_get_range (const SatchelImapUidSet *self,
                                                    guint                    index);
char              *satchel_imap_uid_set_format     (const SatchelImapUidSet *self);
char              *satchel_imap_uid_set_format_uids (const guint32          *uids,
                                                    guint                    n_uids);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SatchelImapUidSet, satchel_imap_uid_set_free)

G_END_DECLS
