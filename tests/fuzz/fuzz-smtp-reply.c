/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-smtp-reply.c: libFuzzer target for SMTP reply lines and DATA
 *
 * Copyright 2026 The Satchel authors
 *
 * The input is cut into lines as the session cuts them, and each is read
 * as a reply line ("250-text", "550 5.1.1 text"). The whole input is also
 * dot-stuffed as a message for DATA, and the result checked: every line
 * ends in CRLF and the only line that is a lone "." is the last one, so
 * that no message can end its DATA early. Any crash, leak, overflow or
 * undefined behaviour is a bug.
 */

#include "config.h"

#include <string.h>

#include "smtp/satchel-smtp-session.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

static void
check_stuffed (const guint8 *data,
               size_t        size)
{
  g_autoptr(GBytes) message = g_bytes_new (data, size);
  g_autoptr(GBytes) stuffed = satchel_smtp_dot_stuff (message);
  gsize len;
  const char *out = g_bytes_get_data (stuffed, &len);
  const char *p = out;
  const char *end = out + len;

  g_assert (len >= 3 && memcmp (end - 3, ".\r\n", 3) == 0);
  while (p < end)
    {
      const char *lf = memchr (p, '\n', end - p);

      g_assert (lf != NULL && lf > p && lf[-1] == '\r');
      if (lf - p == 2 && p[0] == '.')
        g_assert (lf + 1 == end);   /* the terminator, last */
      p = lf + 1;
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  const char *p = (const char *) data;
  const char *end = p + size;

  while (p < end)
    {
      const char *newline = memchr (p, '\n', end - p);
      gsize len = (newline != NULL ? newline : end) - p;
      const char *text = NULL;
      gboolean last = FALSE;
      guint code = 0;

      if (len > 0 && p[len - 1] == '\r')
        len--;
      if (satchel_smtp_parse_line (p, len, &code, &last, &text))
        {
          g_assert (code >= 200 && code <= 599);
          g_assert (text != NULL);
        }
      p += (newline != NULL ? newline - p + 1 : end - p);
    }
  check_stuffed (data, size);
  return 0;
}
