/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c: starts Satchel
 *
 * Copyright 2026 The Satchel authors
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "satchel-application.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(SatchelApplication) app = NULL;

  setlocale (LC_ALL, "");
  /* Binds the translations. */
  satchel_engine_init ();
  textdomain (GETTEXT_PACKAGE);
  g_set_application_name (_("Satchel"));

  app = satchel_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
