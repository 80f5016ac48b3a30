/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-imap-utf7.c: libFuzzer target for modified UTF-7 mailbox names
 *
 * Copyright 2026 The Satchel authors
 *
 * The input is taken both ways. As a name a server sent: when it decodes,
 * the UTF-8 must be valid and encode back to exactly the same bytes (a
 * name has one spelling, so two names on the server never show as one);
 * and whether it decodes or not, the name shown for it is valid UTF-8
 * without control characters. As a name the user typed: valid UTF-8 must
 * encode to printable ASCII that decodes back to it, and anything else
 * must be refused with NULL. Any crash, leak, overflow, undefined
 * behaviour or difference is a bug.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap/satchel-imap-utf7.h"

/* Mailbox names are short; longer inputs only slow the fuzzer down. */
#define MAX_NAME (16 * 1024)

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

G_GNUC_NORETURN static void
differ (const char *what,
        const char *input,
        gsize       input_len,
        const char *output)
{
  fprintf (stderr, "%s\ninput:  ", what);
  fwrite (input, 1, input_len, stderr);
  fprintf (stderr, "\noutput: %s\n", output != NULL ? output : "(null)");
  abort ();
}

static gboolean
is_shown_text (const char *text)
{
  if (!g_utf8_validate (text, -1, NULL))
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return FALSE;
  return TRUE;
}

/* The input as a name from the server. */
static void
check_wire (const char *wire,
            gsize       len)
{
  g_autofree char *decoded = satchel_imap_utf7_decode (wire, len);
  g_autofree char *shown = satchel_imap_name_for_display (wire, len, FALSE);
  g_autofree char *shown_utf8 = satchel_imap_name_for_display (wire, len, TRUE);

  if (decoded != NULL)
    {
      g_autofree char *encoded = NULL;

      if (!g_utf8_validate (decoded, -1, NULL))
        differ ("decoded to invalid UTF-8", wire, len, decoded);
      encoded = satchel_imap_utf7_encode (decoded);
      if (encoded == NULL || strlen (encoded) != len || memcmp (encoded, wire, len) != 0)
        differ ("decoded, then encoded to other bytes", wire, len, encoded);
      if (is_shown_text (decoded) && g_strcmp0 (shown, decoded) != 0)
        differ ("shown otherwise than it decodes", wire, len, shown);
    }
  if (shown == NULL || !is_shown_text (shown))
    differ ("shown with invalid UTF-8 or a control character", wire, len, shown);
  if (shown_utf8 == NULL || !is_shown_text (shown_utf8))
    differ ("shown (UTF8=ACCEPT) with invalid UTF-8 or a control character", wire, len,
            shown_utf8);
}

/* The input as a name the user typed: C strings end at the first NUL. */
static void
check_typed (const char *text)
{
  g_autofree char *encoded = satchel_imap_utf7_encode (text);
  g_autofree char *decoded = NULL;

  if (!g_utf8_validate (text, -1, NULL))
    {
      if (encoded != NULL)
        differ ("invalid UTF-8 encoded", text, strlen (text), encoded);
      return;
    }
  if (encoded == NULL)
    differ ("valid UTF-8 refused", text, strlen (text), NULL);
  for (const char *p = encoded; *p != '\0'; p++)
    if (*p < 0x20 || *p > 0x7e)
      differ ("encoded to other than printable ASCII", text, strlen (text), encoded);
  decoded = satchel_imap_utf7_decode (encoded, strlen (encoded));
  if (g_strcmp0 (decoded, text) != 0)
    differ ("encoded, then decoded to another name", text, strlen (text), decoded);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = NULL;

  if (size > MAX_NAME)
    return 0;
  check_wire ((const char *) data, size);
  text = g_strndup ((const char *) data, size);
  check_typed (text);
  return 0;
}
