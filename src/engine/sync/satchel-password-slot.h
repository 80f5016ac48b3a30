/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-password-slot.h: a password that may arrive after the run began
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A run (sync, download, sending) connects while the keyring is asked;
 * its login waits here for the answer. */
typedef struct
{
  char     *password;
  GError   *error;      /* no password, and why */
  gboolean  waiting;    /* a login waits for set() */
} SatchelPasswordSlot;

void         satchel_password_slot_init  (SatchelPasswordSlot  *slot,
                                          const char           *password);
void         satchel_password_slot_clear (SatchelPasswordSlot  *slot);
gboolean     satchel_password_slot_set   (SatchelPasswordSlot  *slot,
                                          const char           *password,
                                          GError               *error);
const char  *satchel_password_slot_get   (SatchelPasswordSlot  *slot,
                                          GError              **error);

G_END_DECLS
