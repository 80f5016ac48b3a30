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
    { "net", SATCHEL_DEBUG_NET },
    { "keyring", SATCHEL_DEBUG_KEYRING },
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

/* The wall-clock time to the millisecond, as every debug line starts. */
static char *
now_text (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *time = g_date_time_format (now, "%H:%M:%S.%f");

  /* Microseconds cut to milliseconds. */
  return g_strndup (time, 12);
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
  g_autofree char *time = now_text ();

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
  fprintf (stderr, "%s %s %s: %s\n", time, protocol, direction, out->str);
}

/**
 * satchel_debug_note:
 * @topic: what the note is about, e.g. "net"
 *
 * Shows one line about what is happening, with the time.
 */
void
satchel_debug_note (const char *topic,
                    const char *format,
                    ...)
{
  g_autofree char *time = now_text ();
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "%s %s: %s\n", time, topic, text);
}
