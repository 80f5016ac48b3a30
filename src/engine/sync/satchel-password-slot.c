/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-password-slot.c: a password that may arrive after the run began
 *
 * Copyright 2026 The Satchel authors
 */

#include "config.h"

#include <string.h>

#include "satchel-password-slot.h"

static void
forget (SatchelPasswordSlot *slot)
{
  if (slot->password != NULL)
    explicit_bzero (slot->password, strlen (slot->password));
  g_clear_pointer (&slot->password, g_free);
  g_clear_error (&slot->error);
}

/**
 * satchel_password_slot_init:
 * @password: (nullable): the password if it is known now
 */
void
satchel_password_slot_init (SatchelPasswordSlot *slot,
                            const char          *password)
{
  memset (slot, 0, sizeof *slot);
  slot->password = g_strdup (password);
}

void
satchel_password_slot_clear (SatchelPasswordSlot *slot)
{
  forget (slot);
  slot->waiting = FALSE;
}

/**
 * satchel_password_slot_set:
 * @password: (nullable): the password, or %NULL when there is none
 * @error: (nullable) (transfer full): with no password, why
 *
 * Returns: whether a login was waiting for it: the caller logs in now
 */
gboolean
satchel_password_slot_set (SatchelPasswordSlot *slot,
                           const char          *password,
                           GError              *error)
{
  g_return_val_if_fail (password != NULL || error != NULL, FALSE);

  forget (slot);
  slot->password = g_strdup (password);
  if (password != NULL)
    g_clear_error (&error);
  else
    slot->error = error;
  return slot->waiting;
}

/**
 * satchel_password_slot_get:
 * @error: set when it is known that there is no password
 *
 * Returns: (nullable): the password; %NULL with @error set when there is
 *   none, %NULL without when it is not known yet (the slot then remembers
 *   that a login waits: satchel_password_slot_set() says so)
 */
const char *
satchel_password_slot_get (SatchelPasswordSlot  *slot,
                           GError              **error)
{
  slot->waiting = slot->password == NULL && slot->error == NULL;
  if (slot->password == NULL && slot->error != NULL)
    g_propagate_error (error, g_steal_pointer (&slot->error));
  return slot->password;
}
