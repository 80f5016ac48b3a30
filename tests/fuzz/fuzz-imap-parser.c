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
 */

#include "config.h"

#include <string.h>

#include "imap/satchel-imap-fetch.h"
#include "imap/satchel-imap-parser.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

static void
use_response (SatchelImapResponse *response)
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

  /* Small limits: the fuzzer should find the edges, not exhaust memory. */
  satchel_imap_parser_set_limits (parser, 16, 64 * 1024, 256 * 1024);

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
          use_response (response);
        }
    }
  return 0;
}
