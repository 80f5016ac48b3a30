/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-pop3-reply.c: libFuzzer target for what POP3 replies are read with
 *
 * Copyright 2026 The Satchel authors
 *
 * The input is cut into lines as the session cuts them. The first is read
 * as a status line (+OK / -ERR with an extended code); every other one as
 * a line of a UIDL or LIST reply (number, UIDL or size). Any crash, leak,
 * overflow or undefined behaviour is a bug; bad input must only ever be
 * refused.
 */

#include "config.h"

#include <string.h>

#include "pop3/satchel-pop3-session.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  const char *p = (const char *) data;
  const char *end = p + size;
  gboolean first = TRUE;

  while (p < end)
    {
      const char *newline = memchr (p, '\n', end - p);
      gsize len = (newline != NULL ? newline : end) - p;
      g_autofree char *line = NULL;

      if (len > 0 && p[len - 1] == '\r')
        len--;
      /* The connection hands lines over as strings: no NUL inside. */
      line = g_strndup (p, len);
      len = strlen (line);
      if (first)
        {
          SatchelPop3Reply *reply = g_new0 (SatchelPop3Reply, 1);
          g_autoptr(GError) error = NULL;

          if (satchel_pop3_parse_status_line (line, len, reply, &error))
            g_assert (reply->text != NULL && g_utf8_validate (reply->text, -1, NULL));
          else
            g_assert (error != NULL);
          satchel_pop3_reply_free (reply);
          first = FALSE;
        }
      else
        {
          const char *rest = NULL;
          guint number = 0;
          guint64 octets = 0;

          if (satchel_pop3_parse_listing (line, &number, &rest))
            {
              g_assert (number > 0 && rest != NULL && rest[0] != '\0');
              if (satchel_pop3_uidl_is_valid (rest))
                g_assert (strlen (rest) <= 512 && strchr (rest, ' ') == NULL);
              if (satchel_pop3_parse_size (rest, &octets))
                g_assert (octets <= G_GUINT64_CONSTANT (1) << 48);
            }
        }
      p += (newline != NULL ? newline - p + 1 : end - p);
    }
  return 0;
}
