/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-gmime.c: GMime for the engine
 *
 * Copyright 2026 The Satchel authors
 */

#include "config.h"

#include "satchel-gmime.h"

/* GMime must be set up once before any use; any layer may be first. */
void
satchel_gmime_ensure_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      g_mime_init ();
      g_once_init_leave (&initialized, 1);
    }
}
