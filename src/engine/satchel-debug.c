/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-debug.c: what SATCHEL_DEBUG asks to be shown
 *
 * Copyright 2026 The Satchel authors
 */

#include "config.h"

#include <stdio.h>

#include "satchel-debug.h"

#define MAX_SHOWN 300

guint
satchel_debug_flags (void)
{
  static const GDebugKey keys[] = {
    { "imap", SATCHEL_DEBUG_IMAP },
    { "pop3", SATCHEL_DEBUG_POP3 },
    { "smtp", SATCHEL_DEBUG_SMTP },
  };
  static gsize flags = 0;

  if (g_once_init_enter (&flags))
    {
      guint parsed = g_parse_debug_string (g_getenv ("SATCHEL_DEBUG"), keys,
                                           G_N_ELEMENTS (keys));

      /* 1 << 31 marks "parsed" so that no flag is parsed as 0 again. */
      g_once_init_leave (&flags, parsed | (1u << 31));
    }
  return flags & ~(1u << 31);
}

/**
 * satchel_debug_wire:
 * @direction: "C" for what Satchel sent, "S" for what the server sent
 *
 * Shows one line of a conversation (no CRLF), bytes that are not
 * printable escaped, long lines cut.
 */
void
satchel_debug_wire (const char *protocol,
                    const char *direction,
                    const char *data,
                    gsize       len)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *time = g_date_time_format (now, "%H:%M:%S.%f");

  while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
    len--;
  for (gsize i = 0; i < MIN (len, MAX_SHOWN); i++)
    {
      guchar c = data[i];

      if (c >= 0x20 && c < 0x7f)
        g_string_append_c (out, c);
      else
        g_string_append_printf (out, "\\x%02x", c);
    }
  if (len > MAX_SHOWN)
    g_string_append_printf (out, "... (%" G_GSIZE_FORMAT " bytes)", len);
  /* Microseconds cut to milliseconds. */
  fprintf (stderr, "%.12s %s %s: %s\n", time, protocol, direction, out->str);
}
