/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-imap-utf7.c: IMAP's modified UTF-7 for mailbox names
 *
 * Copyright 2026 The Satchel authors
 *
 * RFC 3501, 5.1.3: printable ASCII stands for itself, "&" is "&-", and
 * anything else is UTF-16BE in base64 (with "," for "/", no padding)
 * between "&" and "-". The decoder is strict, as a name that does not
 * decode must be shown in its raw wire form rather than guessed at.
 */

#include "config.h"

#include <string.h>

#include "satchel-imap-utf7.h"

static const char alphabet[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static int
alphabet_index (char c)
{
  const char *p = c != '\0' ? strchr (alphabet, c) : NULL;

  return p != NULL ? (int) (p - alphabet) : -1;
}

static void
flush_shifted (GString   *out,
               GArray    *units)
{
  guint32 bits = 0;
  int nbits = 0;

  if (units->len == 0)
    return;
  g_string_append_c (out, '&');
  for (guint i = 0; i < units->len; i++)
    {
      guint16 unit = g_array_index (units, guint16, i);

      bits = (bits << 16) | unit;
      nbits += 16;
      while (nbits >= 6)
        {
          nbits -= 6;
          g_string_append_c (out, alphabet[(bits >> nbits) & 0x3f]);
        }
    }
  if (nbits > 0)
    g_string_append_c (out, alphabet[(bits << (6 - nbits)) & 0x3f]);
  g_string_append_c (out, '-');
  g_array_set_size (units, 0);
}

/**
 * satchel_imap_utf7_encode:
 * @utf8: a mailbox name in UTF-8
 *
 * Returns: (transfer full) (nullable): the name in modified UTF-7, or %NULL
 *   when @utf8 is not valid UTF-8
 */
char *
satchel_imap_utf7_encode (const char *utf8)
{
  g_autoptr(GString) out = NULL;
  g_autoptr(GArray) units = NULL;

  if (!g_utf8_validate (utf8, -1, NULL))
    return NULL;

  out = g_string_new (NULL);
  units = g_array_new (FALSE, FALSE, sizeof (guint16));
  for (const char *p = utf8; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= 0x20 && c <= 0x7e)
        {
          flush_shifted (out, units);
          if (c == '&')
            g_string_append (out, "&-");
          else
            g_string_append_c (out, (char) c);
          continue;
        }
      if (c >= 0x10000)
        {
          guint16 high = 0xd800 + ((c - 0x10000) >> 10);
          guint16 low = 0xdc00 + ((c - 0x10000) & 0x3ff);

          g_array_append_val (units, high);
          g_array_append_val (units, low);
        }
      else
        {
          guint16 unit = c;

          g_array_append_val (units, unit);
        }
    }
  flush_shifted (out, units);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Decodes the base64 between "&" and "-" into UTF-8. */
static gboolean
decode_shifted (const char *text,
                gsize       len,
                GString    *out)
{
  guint32 bits = 0;
  int nbits = 0;
  gunichar high = 0;
  gboolean any = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      int v = alphabet_index (text[i]);

      if (v < 0)
        return FALSE;
      bits = (bits << 6) | (guint32) v;
      nbits += 6;
      if (nbits >= 16)
        {
          guint16 unit;

          nbits -= 16;
          unit = (bits >> nbits) & 0xffff;
          bits &= (1u << nbits) - 1;
          any = TRUE;

          if (unit >= 0xd800 && unit <= 0xdbff)
            {
              if (high != 0)
                return FALSE;
              high = unit;
              continue;
            }
          if (unit >= 0xdc00 && unit <= 0xdfff)
            {
              if (high == 0)
                return FALSE;
              g_string_append_unichar (out, 0x10000 + ((high - 0xd800) << 10) + (unit - 0xdc00));
              high = 0;
              continue;
            }
          if (high != 0)
            return FALSE;
          /* Printable ASCII must stand for itself, and NUL has no place. */
          if ((unit >= 0x20 && unit <= 0x7e) || unit == 0)
            return FALSE;
          g_string_append_unichar (out, unit);
        }
    }
  /* Leftover bits must be padding: fewer than 6, and zero. */
  return any && high == 0 && nbits < 6 && bits == 0;
}

/**
 * satchel_imap_utf7_decode:
 * @mutf7: a mailbox name as the server sent it
 *
 * Returns: (transfer full) (nullable): the name in UTF-8, or %NULL when
 *   @mutf7 is not valid modified UTF-7
 */
char *
satchel_imap_utf7_decode (const char *mutf7,
                          gsize       len)
{
  g_autoptr(GString) out = g_string_sized_new (len);
  gboolean after_run = FALSE;
  gsize i = 0;

  while (i < len)
    {
      guchar c = mutf7[i];

      if (c < 0x20 || c > 0x7e)
        return NULL;
      if (c != '&')
        {
          g_string_append_c (out, c);
          after_run = FALSE;
          i++;
          continue;
        }
      {
        const char *end = memchr (mutf7 + i + 1, '-', len - i - 1);
        gsize run;

        if (end == NULL)
          return NULL;
        run = end - (mutf7 + i + 1);
        /* Two runs side by side spell a name that has a shorter form,
         * with one run (the encoder's): refused, as Dovecot does, so
         * that two names on the server never decode to the same one. */
        if (run > 0 && after_run)
          return NULL;
        if (run == 0)
          g_string_append_c (out, '&');
        else if (!decode_shifted (mutf7 + i + 1, run, out))
          return NULL;
        after_run = run > 0;
        i += run + 2;
      }
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * satchel_imap_name_for_display:
 *
 * Returns: (transfer full): the name in UTF-8 when it decodes, else its raw
 *   wire form with bytes that are not UTF-8 or are control characters
 *   written as \xNN (so no name holds NUL, CR or LF)
 */
char *
satchel_imap_name_for_display (const char *wire,
                               gsize       len,
                               gboolean    utf8_mode)
{
  g_autoptr(GString) out = NULL;
  char *decoded = NULL;

  if (!utf8_mode)
    decoded = satchel_imap_utf7_decode (wire, len);
  else if (g_utf8_validate_len (wire, len, NULL) && memchr (wire, '\0', len) == NULL)
    decoded = g_strndup (wire, len);
  if (decoded != NULL)
    {
      gboolean clean = TRUE;

      for (const char *p = decoded; *p != '\0'; p++)
        if ((guchar) *p < 0x20 || *p == 0x7f)
          clean = FALSE;
      if (clean)
        return decoded;
      g_free (decoded);
    }

  out = g_string_sized_new (len);
  for (gsize i = 0; i < len;)
    {
      guchar c = wire[i];

      if (c >= 0x20 && c != 0x7f && c < 0x80)
        {
          g_string_append_c (out, c);
          i++;
          continue;
        }
      if (c >= 0x80)
        {
          gsize n = g_utf8_skip[c];

          if (n <= len - i && g_utf8_validate_len (wire + i, n, NULL))
            {
              g_string_append_len (out, wire + i, n);
              i += n;
              continue;
            }
        }
      g_string_append_printf (out, "\\x%02X", c);
      i++;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
