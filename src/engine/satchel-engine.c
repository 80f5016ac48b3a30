/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-engine.c: one-time set-up of the libraries the engine stands on
 *
 * Copyright 2026 The Satchel authors
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include "mime/satchel-gmime.h"
#include "net/satchel-connection.h"

#include "satchel-engine.h"

/**
 * satchel_engine_init:
 *
 * Sets up GMime and Satchel's translations (from LOCALEDIR, or from
 * $SATCHEL_LOCALEDIR: the build tree's po/, to run translated without
 * installing). Front ends and tests call it once before anything else;
 * later calls do nothing.
 */
void
satchel_engine_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      const char *dir = g_getenv ("SATCHEL_LOCALEDIR");

      bindtextdomain (GETTEXT_PACKAGE, dir != NULL && dir[0] != '\0' ? dir : LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      satchel_gmime_ensure_init ();
      satchel_connection_read_environment ();
      g_once_init_leave (&initialized, 1);
    }
}
