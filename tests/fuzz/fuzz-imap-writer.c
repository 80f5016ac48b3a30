/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-imap-writer.c: IMAP values written back, read again and compared
 *
 * Copyright 2026 The Satchel authors
 *
 * A client never sends a BODYSTRUCTURE or an ENVELOPE, so the engine has
 * no writer for them beyond satchel_imap_value_to_string(), which prints
 * for logs. This one writes any value the parser built in either of two
 * ways: seed 0 gives the plain form that satchel_imap_value_to_string()
 * gives too (a quoted string unless it holds CR, LF or NUL, then a
 * synchronizing literal; NIL in capitals), any other seed picks, string by
 * string, among the forms a server may use for the same value (quoted,
 * {n}, {n+}, ~{n}; NIL in any case). Read again, every form must give the
 * value it was written from.
 */

#include "config.h"

#include <string.h>

#include "fuzz-imap-writer.h"
#include "net/satchel-net-error.h"

/* Deeper than any parser limit the targets set: the writer and the
 * comparison recurse, and only ever on values the parser built. */
#define MAX_DEPTH 256

/* xorshift32: the choices must follow from the input alone, so that a
 * crash is reproduced by its input. */
static guint32
next_choice (guint32 *state)
{
  guint32 x = *state;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *state = x;
  return x;
}

static void
write_string (GString    *out,
              const char *text,
              gsize       len,
              guint32    *state)
{
  gboolean quotable = memchr (text, '\r', len) == NULL && memchr (text, '\n', len) == NULL &&
                      memchr (text, '\0', len) == NULL;
  guint form = *state == 0 ? (quotable ? 0 : 1) : next_choice (state) % 4;

  if (form == 0 && !quotable)
    form = 1;
  switch (form)
    {
    case 0:
      g_string_append_c (out, '"');
      for (gsize i = 0; i < len; i++)
        {
          if (text[i] == '"' || text[i] == '\\')
            g_string_append_c (out, '\\');
          g_string_append_c (out, text[i]);
        }
      g_string_append_c (out, '"');
      return;
    case 1:
      g_string_append_printf (out, "{%" G_GSIZE_FORMAT "}\r\n", len);
      break;
    case 2:
      g_string_append_printf (out, "{%" G_GSIZE_FORMAT "+}\r\n", len);
      break;
    default:
      g_string_append_printf (out, "~{%" G_GSIZE_FORMAT "}\r\n", len);
      break;
    }
  g_string_append_len (out, text, len);
}

static void
write_value (GString                *out,
             const SatchelImapValue *value,
             guint32                *state,
             guint                   depth)
{
  static const char *const nils[] = { "NIL", "nil", "Nil", "nIL" };

  g_assert (depth <= MAX_DEPTH);
  switch (value->kind)
    {
    case SATCHEL_IMAP_VALUE_ATOM:
      g_string_append_len (out, value->text, value->len);
      break;
    case SATCHEL_IMAP_VALUE_STRING:
      write_string (out, value->text, value->len, state);
      break;
    case SATCHEL_IMAP_VALUE_NIL:
      g_string_append (out, nils[*state == 0 ? 0 : next_choice (state) % G_N_ELEMENTS (nils)]);
      break;
    case SATCHEL_IMAP_VALUE_LIST:
    default:
      g_string_append_c (out, '(');
      for (guint i = 0; i < value->n_items; i++)
        {
          if (i > 0)
            g_string_append_c (out, ' ');
          write_value (out, value->items[i], state, depth + 1);
        }
      g_string_append_c (out, ')');
      break;
    }
}

/**
 * fuzz_imap_write_value:
 * @seed: 0 for the plain form, else where the choice of forms starts
 *
 * Appends @value to @out as a server could have sent it.
 */
void
fuzz_imap_write_value (GString                *out,
                       const SatchelImapValue *value,
                       guint32                 seed)
{
  guint32 state = seed;

  write_value (out, value, &state, 0);
}

static gboolean
value_equal (const SatchelImapValue *a,
             const SatchelImapValue *b,
             guint                   depth)
{
  g_assert (depth <= MAX_DEPTH);
  if (a->kind != b->kind)
    return FALSE;
  switch (a->kind)
    {
    case SATCHEL_IMAP_VALUE_ATOM:
    case SATCHEL_IMAP_VALUE_STRING:
      /* Both are NUL-terminated, whatever they hold. */
      return a->len == b->len && memcmp (a->text, b->text, a->len) == 0 &&
             a->text[a->len] == '\0' && b->text[b->len] == '\0';
    case SATCHEL_IMAP_VALUE_NIL:
      return TRUE;
    case SATCHEL_IMAP_VALUE_LIST:
    default:
      if (a->n_items != b->n_items)
        return FALSE;
      for (guint i = 0; i < a->n_items; i++)
        if (!value_equal (a->items[i], b->items[i], depth + 1))
          return FALSE;
      return TRUE;
    }
}

/* Whether @a and @b are the same value: kinds, bytes and items. */
gboolean
fuzz_imap_value_equal (const SatchelImapValue *a,
                       const SatchelImapValue *b)
{
  return value_equal (a, b, 0);
}

/**
 * fuzz_imap_read_response:
 * @text: exactly one response, lines ending in CRLF, literals inline
 *
 * Feeds @text to @parser line by line and literal by literal, as the
 * session does.
 *
 * Returns: (transfer full) (nullable): the response, or %NULL with @error
 *   set when the parser refused it or @text is not exactly one response
 */
SatchelImapResponse *
fuzz_imap_read_response (SatchelImapParser  *parser,
                         const char         *text,
                         gsize               len,
                         GError            **error)
{
  SatchelImapParseState state = SATCHEL_IMAP_PARSE_NEED_LINE;
  const char *p = text;
  const char *end = text + len;
  guint64 literal = 0;

  while (p < end)
    {
      if (state == SATCHEL_IMAP_PARSE_NEED_LITERAL)
        {
          if ((guint64) (end - p) < literal)
            break;
          if (!satchel_imap_parser_feed_literal (parser, p, literal, &state, error))
            return NULL;
          p += literal;
        }
      else
        {
          const char *eol = memmem (p, end - p, "\r\n", 2);

          if (eol == NULL)
            break;
          if (!satchel_imap_parser_feed_line (parser, p, eol - p, &state, &literal, error))
            return NULL;
          p = eol + 2;
          if (state == SATCHEL_IMAP_PARSE_DONE)
            {
              if (p != end)
                break;
              return satchel_imap_parser_take (parser);
            }
        }
    }
  satchel_imap_parser_reset (parser);
  g_set_error_literal (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                       "Not exactly one response");
  return NULL;
}
