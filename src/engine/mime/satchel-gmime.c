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

/**
 * satchel_text_one_line:
 * @text: (nullable): UTF-8 text, changed in place
 *
 * A header's text as a message list shows it, on one line: the CR and LF
 * that an encoded word or a server's literal may carry, tabs and the other
 * ASCII control characters become spaces.
 *
 * Returns: @text
 */
char *
satchel_text_one_line (char *text)
{
  for (char *p = text; p != NULL && *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = ' ';
  return text;
}
