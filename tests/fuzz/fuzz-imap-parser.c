/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-imap-parser.c: libFuzzer target for the IMAP response parser
 *
 * Copyright 2026 The Satchel authors
 *
 * The input is what a server might send: it is cut into lines and
 * literals the way the session reads them, fed to the parser, and every
 * response it completes is read again as a FETCH (ENVELOPE, BODYSTRUCTURE,
 * flags, dates), printed back (satchel_imap_value_to_string()) and freed.
 * Any crash, leak, overflow or undefined behaviour is a bug; a malformed
 * response must only ever be an error.
 *
 * Each ENVELOPE, BODYSTRUCTURE and BODY of a FETCH is also written back
 * (fuzz-imap-writer.c), in its plain form and in forms chosen from the
 * input, and read again: the parser must give the same value, and the
 * FETCH reading must say the same of it. What the parser accepted once it
 * must accept again; a server that wrote the same value in another form
 * must not be understood otherwise. A difference aborts.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-imap-writer.h"
#include "imap/satchel-imap-fetch.h"
#include "imap/satchel-imap-parser.h"

/* Small limits: the fuzzer should find the edges, not exhaust memory. */
#define MAX_DEPTH    16
#define MAX_LITERAL  (64 * 1024)
#define MAX_RESPONSE (256 * 1024)

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

G_GNUC_NORETURN static void
differ (const char *what,
        const char *wire,
        gsize       len)
{
  fprintf (stderr, "Written back and read again, %s differs. Written:\n", what);
  fwrite (wire, 1, len, stderr);
  fputc ('\n', stderr);
  abort ();
}

/* What the engine reads of @value as the only item of a FETCH, "* 1 FETCH
 * (@name @value)", built around the parsed value itself. */
static SatchelImapFetch *
fetch_of_item (const SatchelImapValue  *name,
               const SatchelImapValue  *value,
               GError                 **error)
{
  g_autoptr(SatchelImapResponse) response = g_new0 (SatchelImapResponse, 1);
  SatchelImapArena *arena = satchel_imap_arena_new ();
  SatchelImapValue *items;

  response->kind = SATCHEL_IMAP_RESPONSE_UNTAGGED;
  response->arena = arena;
  response->data = satchel_imap_value_new (arena, SATCHEL_IMAP_VALUE_LIST, NULL, 0);
  response->data->n_items = 3;
  response->data->items = satchel_imap_arena_alloc (arena, 3 * sizeof (SatchelImapValue *));
  response->data->items[0] = satchel_imap_value_new (arena, SATCHEL_IMAP_VALUE_ATOM, "1", 1);
  response->data->items[1] = satchel_imap_value_new (arena, SATCHEL_IMAP_VALUE_ATOM, "FETCH", 5);
  items = satchel_imap_value_new (arena, SATCHEL_IMAP_VALUE_LIST, NULL, 0);
  items->n_items = 2;
  items->items = satchel_imap_arena_alloc (arena, 2 * sizeof (SatchelImapValue *));
  /* Borrowed: the response frees only its own arena. */
  items->items[0] = (SatchelImapValue *) name;
  items->items[1] = (SatchelImapValue *) value;
  response->data->items[2] = items;
  return satchel_imap_fetch_parse (response, error);
}

static gboolean
same_fetch (const SatchelImapFetch *a,
            const SatchelImapFetch *b)
{
  return a->items == b->items && a->date == b->date && a->has_attachments == b->has_attachments &&
         g_strcmp0 (a->subject, b->subject) == 0 && g_strcmp0 (a->from, b->from) == 0 &&
         g_strcmp0 (a->sender_address, b->sender_address) == 0 &&
         g_strcmp0 (a->sender_name, b->sender_name) == 0 && g_strcmp0 (a->to, b->to) == 0 &&
         g_strcmp0 (a->cc, b->cc) == 0 && g_strcmp0 (a->message_id, b->message_id) == 0 &&
         g_strcmp0 (a->in_reply_to, b->in_reply_to) == 0;
}

/* Writes "* 1 FETCH (@name @value)" as @seed chooses, reads it again and
 * compares. */
static void
write_and_reread (const SatchelImapValue *name,
                  const SatchelImapValue *value,
                  guint32                 seed)
{
  g_autoptr(GString) wire = g_string_new ("* 1 FETCH (");
  g_autoptr(SatchelImapParser) parser = satchel_imap_parser_new ();
  g_autoptr(SatchelImapResponse) again = NULL;
  g_autoptr(SatchelImapFetch) before = NULL;
  g_autoptr(SatchelImapFetch) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) before_error = NULL;
  g_autoptr(GError) after_error = NULL;
  const SatchelImapValue *items;

  g_string_append_len (wire, name->text, name->len);
  g_string_append_c (wire, ' ');
  fuzz_imap_write_value (wire, value, seed);
  g_string_append (wire, ")\r\n");

  /* The value sits as deep as it did; a quoted string of the first
   * response may come back as a literal, so literals may be as long as a
   * whole response was; the writing may be longer than the original. */
  satchel_imap_parser_set_limits (parser, MAX_DEPTH, MAX_RESPONSE,
                                  SATCHEL_IMAP_PARSER_DEFAULT_MAX_RESPONSE);
  again = fuzz_imap_read_response (parser, wire->str, wire->len, &error);
  if (again == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      differ ("whether it parses", wire->str, wire->len);
    }
  items = satchel_imap_value_get_item (again->data, 2);
  if (!satchel_imap_response_is_data (again, "FETCH") ||
      satchel_imap_value_get_length (again->data) != 3 ||
      satchel_imap_value_get_length (items) != 2 ||
      !fuzz_imap_value_equal (satchel_imap_value_get_item (items, 0), name))
    differ ("the response around the value", wire->str, wire->len);
  if (!fuzz_imap_value_equal (satchel_imap_value_get_item (items, 1), value))
    differ ("the value", wire->str, wire->len);

  before = fetch_of_item (name, value, &before_error);
  after = satchel_imap_fetch_parse (again, &after_error);
  if ((before == NULL) != (after == NULL) ||
      (before != NULL && !same_fetch (before, after)))
    differ ("what the FETCH says", wire->str, wire->len);
}

/* The plain form is what satchel_imap_value_to_string() prints, which
 * returns no length: up to its first NUL, if any, it must agree. */
static void
check_printed (const SatchelImapValue *value)
{
  g_autofree char *printed = satchel_imap_value_to_string (value);
  g_autoptr(GString) plain = g_string_new (NULL);
  gsize len = strlen (printed);

  fuzz_imap_write_value (plain, value, 0);
  if (len > plain->len || memcmp (printed, plain->str, len) != 0 ||
      (len < plain->len && plain->str[len] != '\0'))
    differ ("satchel_imap_value_to_string()", printed, len);
}

static void
check_structures (const SatchelImapResponse *response,
                  guint32                    seed)
{
  const SatchelImapValue *items = satchel_imap_value_get_item (response->data, 2);

  for (guint i = 0; i + 1 < satchel_imap_value_get_length (items); i += 2)
    {
      const SatchelImapValue *name = satchel_imap_value_get_item (items, i);
      const SatchelImapValue *value = satchel_imap_value_get_item (items, i + 1);

      if (!satchel_imap_value_is_atom (name, "ENVELOPE") &&
          !satchel_imap_value_is_atom (name, "BODYSTRUCTURE") &&
          !satchel_imap_value_is_atom (name, "BODY"))
        continue;
      check_printed (value);
      write_and_reread (name, value, 0);
      /* Never 0: that would be the plain form again. */
      write_and_reread (name, value, (seed ^ (i * 0x9e3779b9u)) | 1);
    }
}

static void
use_response (SatchelImapResponse *response,
              guint32              seed)
{
  g_autoptr(SatchelImapFetch) fetch = NULL;
  g_autoptr(GError) error = NULL;

  if (response->data != NULL)
    g_free (satchel_imap_value_to_string (response->data));
  if (response->code != NULL)
    g_free (satchel_imap_value_to_string (response->code));
  if (satchel_imap_response_is_data (response, "FETCH"))
    fetch = satchel_imap_fetch_parse (response, &error);
  g_assert ((fetch == NULL) != (error == NULL) || !satchel_imap_response_is_data (response, "FETCH"));
  if (satchel_imap_response_is_data (response, "FETCH"))
    check_structures (response, seed);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(SatchelImapParser) parser = satchel_imap_parser_new ();
  const char *p = (const char *) data;
  const char *end = p + size;
  SatchelImapParseState state = SATCHEL_IMAP_PARSE_DONE;
  guint64 literal = 0;
  guint32 seed = 2166136261u;

  /* FNV-1a of the input: the forms written back follow from it. */
  for (size_t i = 0; i < size; i++)
    seed = (seed ^ data[i]) * 16777619u;
  satchel_imap_parser_set_limits (parser, MAX_DEPTH, MAX_LITERAL, MAX_RESPONSE);

  while (p < end)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok;

      if (state == SATCHEL_IMAP_PARSE_NEED_LITERAL)
        {
          if ((guint64) (end - p) < literal)
            break;
          ok = satchel_imap_parser_feed_literal (parser, p, literal, &state, &error);
          p += literal;
        }
      else
        {
          const char *eol = memmem (p, end - p, "\r\n", 2);

          if (eol == NULL)
            break;
          ok = satchel_imap_parser_feed_line (parser, p, eol - p, &state, &literal, &error);
          p = eol + 2;
        }

      if (!ok)
        {
          /* As the session does: the connection ends there. */
          g_assert_nonnull (error);
          break;
        }
      g_assert_null (error);
      if (state == SATCHEL_IMAP_PARSE_DONE)
        {
          g_autoptr(SatchelImapResponse) response = satchel_imap_parser_take (parser);

          g_assert_nonnull (response);
          use_response (response, seed);
        }
    }
  return 0;
}
