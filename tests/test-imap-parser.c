/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-imap-parser.c: the IMAP response parser, on the RFCs' examples and
 * on what a hostile server might send
 *
 * Copyright 2026 The Satchel authors
 */

#include "config.h"

#include <string.h>

#include "imap/satchel-imap-parser.h"
#include "imap/satchel-imap-session.h"
#include "net/satchel-net-error.h"
#include "satchel-engine.h"
#include "satchel-test-utils.h"

static SatchelImapResponse *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  SatchelImapResponse *response = satchel_imap_parse_response (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (response);
  return response;
}

/* A list's item, which must be there. */
static const SatchelImapValue *
item (const SatchelImapValue *list,
      guint                   index)
{
  const SatchelImapValue *value = satchel_imap_value_get_item (list, index);

  if (value == NULL)
    g_error ("no item %u in the list", index);
  return value;
}

static SatchelImapValueKind
item_kind (const SatchelImapValue *list,
           guint                   index)
{
  return item (list, index)->kind;
}

static void
assert_malformed (const char *text,
                  gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelImapResponse) response = satchel_imap_parse_response (text, len, &error);

  g_test_message ("input: %.*s", (int) MIN (len, 80), text);
  g_assert_null (response);
  g_assert_error (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL);
}

static char *
data_string (SatchelImapResponse *response)
{
  return satchel_imap_value_to_string (response->data);
}

static void
test_status_responses (void)
{
  g_autoptr(SatchelImapResponse) greeting = parse ("* OK IMAP4rev1 Service Ready\r\n");
  g_autoptr(SatchelImapResponse) caps = NULL;
  g_autoptr(SatchelImapResponse) tagged = NULL;
  g_autoptr(SatchelImapResponse) perm = NULL;
  g_autoptr(SatchelImapResponse) bye = NULL;
  g_autoptr(SatchelImapResponse) cont = NULL;
  g_autofree char *code = NULL;
  SatchelImapValue *uidvalidity;
  guint64 n;

  g_assert_cmpint (greeting->kind, ==, SATCHEL_IMAP_RESPONSE_UNTAGGED);
  g_assert_cmpint (greeting->status, ==, SATCHEL_IMAP_STATUS_OK);
  g_assert_null (greeting->code);
  g_assert_cmpstr (greeting->text, ==, "IMAP4rev1 Service Ready");

  caps = parse ("* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN LITERAL+] Dovecot ready.\r\n");
  g_assert_nonnull (satchel_imap_response_get_code (caps, "capability"));
  code = satchel_imap_value_to_string (caps->code);
  g_assert_cmpstr (code, ==, "(CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN LITERAL+)");
  g_assert_cmpstr (caps->text, ==, "Dovecot ready.");

  tagged = parse ("A142 OK [UIDVALIDITY 3857529045] SELECT completed\r\n");
  g_assert_cmpint (tagged->kind, ==, SATCHEL_IMAP_RESPONSE_TAGGED);
  g_assert_cmpstr (tagged->tag, ==, "A142");
  uidvalidity = satchel_imap_response_get_code (tagged, "UIDVALIDITY");
  g_assert_true (satchel_imap_value_get_number (satchel_imap_value_get_item (uidvalidity, 1),
                                                G_MAXUINT32, &n));
  g_assert_cmpuint (n, ==, 3857529045u);

  perm = parse ("* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n");
  g_clear_pointer (&code, g_free);
  code = satchel_imap_value_to_string (perm->code);
  g_assert_cmpstr (code, ==, "(PERMANENTFLAGS (\\Deleted \\Seen \\*))");

  bye = parse ("* BYE Autologout; idle for too long\r\n");
  g_assert_cmpint (bye->status, ==, SATCHEL_IMAP_STATUS_BYE);

  cont = parse ("+ Ready for additional command text\r\n");
  g_assert_cmpint (cont->kind, ==, SATCHEL_IMAP_RESPONSE_CONTINUATION);
  g_assert_cmpstr (cont->text, ==, "Ready for additional command text");
}

static void
test_data_responses (void)
{
  g_autoptr(SatchelImapResponse) exists = parse ("* 172 EXISTS\r\n");
  g_autoptr(SatchelImapResponse) flags = parse ("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen "
                                                "\\Draft)\r\n");
  g_autoptr(SatchelImapResponse) list = parse ("* LIST (\\Noselect) \"/\" ~/Mail/foo\r\n");
  g_autoptr(SatchelImapResponse) nil_delim = parse ("* LIST () NIL Foo\r\n");
  g_autoptr(SatchelImapResponse) quoted = parse ("* LIST () \"/\" \"a \\\"b\\\" \\\\ c\"\r\n");
  g_autofree char *text = NULL;
  guint64 n;

  g_assert_true (satchel_imap_response_is_data (exists, "EXISTS"));
  g_assert_true (satchel_imap_value_get_number (satchel_imap_value_get_item (exists->data, 0),
                                                G_MAXUINT32, &n));
  g_assert_cmpuint (n, ==, 172);

  g_assert_true (satchel_imap_response_is_data (flags, "FLAGS"));
  g_assert_cmpuint (satchel_imap_value_get_length (satchel_imap_value_get_item (flags->data, 1)),
                    ==, 5);

  text = data_string (list);
  g_assert_cmpstr (text, ==, "(LIST (\\Noselect) \"/\" ~/Mail/foo)");
  g_assert_cmpint (item_kind (nil_delim->data, 2), ==,
                   SATCHEL_IMAP_VALUE_NIL);
  g_assert_cmpstr (satchel_imap_value_get_text (satchel_imap_value_get_item (quoted->data, 3)),
                   ==, "a \"b\" \\ c");
}

/* RFC 3501, 6.4.5: the FETCH example, with ENVELOPE and BODY. */
static void
test_fetch_example (void)
{
  g_autoptr(SatchelImapResponse) fetch = parse (
    "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" "
    "RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" "
    "\"IMAP4rev1 WG mtg summary and minutes\" "
    "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
    "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
    "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
    "((NIL NIL \"imap\" \"cac.washington.edu\")) "
    "((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\") "
    "(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "
    "\"<B27397-0100000@cac.washington.edu>\") "
    "BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n");
  SatchelImapValue *items = satchel_imap_value_get_item (fetch->data, 2);
  SatchelImapValue *envelope = satchel_imap_value_get_item (items, 7);
  SatchelImapValue *body = satchel_imap_value_get_item (items, 9);
  g_autofree char *again = NULL;
  g_autoptr(SatchelImapResponse) reparsed = NULL;
  g_autofree char *wire = NULL;
  g_autofree char *first = NULL;

  g_assert_true (satchel_imap_response_is_data (fetch, "FETCH"));
  g_assert_cmpuint (satchel_imap_value_get_length (items), ==, 10);
  g_assert_true (satchel_imap_value_is_atom (satchel_imap_value_get_item (items, 6), "ENVELOPE"));
  g_assert_cmpuint (satchel_imap_value_get_length (envelope), ==, 10);
  g_assert_cmpstr (satchel_imap_value_get_text (satchel_imap_value_get_item (envelope, 1)), ==,
                   "IMAP4rev1 WG mtg summary and minutes");
  g_assert_cmpint (item_kind (envelope, 7), ==, SATCHEL_IMAP_VALUE_NIL);
  g_assert_cmpuint (satchel_imap_value_get_length (body), ==, 8);

  /* Written again and parsed again, it is the same. */
  first = data_string (fetch);
  wire = g_strdup_printf ("* %.*s\r\n", (int) strlen (first) - 2, first + 1);
  reparsed = parse (wire);
  again = data_string (reparsed);
  g_assert_cmpstr (again, ==, first);
}

static void
test_literals (void)
{
  static const char header[] = "Date: Wed, 17 Jul 1996\r\nFrom: Terry\r\n\r\n";
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(SatchelImapResponse) fetch = NULL;
  g_autoptr(GError) error = NULL;
  SatchelImapValue *items;
  const SatchelImapValue *literal;
  const SatchelImapValue *binary;

  g_string_append_printf (text, "* 12 FETCH (UID 7 BODY[HEADER.FIELDS (DATE FROM)] {%zu}\r\n%s",
                          strlen (header), header);
  g_string_append (text, " BODY[]<0> ~{5}\r\n");
  g_string_append_len (text, "a\0b\r\n", 5);
  g_string_append (text, ")\r\n");
  fetch = satchel_imap_parse_response (text->str, text->len, &error);
  g_assert_no_error (error);
  items = satchel_imap_value_get_item (fetch->data, 2);
  g_assert_cmpuint (satchel_imap_value_get_length (items), ==, 6);
  g_assert_cmpstr (satchel_imap_value_get_text (satchel_imap_value_get_item (items, 2)), ==,
                   "BODY[HEADER.FIELDS (DATE FROM)]");
  g_assert_cmpint (item_kind (items, 3), ==, SATCHEL_IMAP_VALUE_STRING);
  literal = item (items, 3);
  g_assert_cmpstr (literal->text, ==, header);
  g_assert_cmpstr (satchel_imap_value_get_text (satchel_imap_value_get_item (items, 4)), ==,
                   "BODY[]<0>");
  binary = item (items, 5);
  g_assert_cmpuint (binary->len, ==, 5);
  g_assert_cmpmem (binary->text, 5, "a\0b\r\n", 5);
}

static void
test_numbers (void)
{
  g_autoptr(SatchelImapResponse) big = parse ("* 18446744073709551615 EXISTS\r\n");
  g_autoptr(SatchelImapResponse) bigger = parse ("* 18446744073709551616 EXISTS\r\n");
  guint64 n = 0;

  g_assert_true (satchel_imap_value_get_number (satchel_imap_value_get_item (big->data, 0),
                                                G_MAXUINT64, &n));
  g_assert_cmpuint (n, ==, G_MAXUINT64);
  g_assert_false (satchel_imap_value_get_number (satchel_imap_value_get_item (big->data, 0),
                                                 G_MAXUINT32, &n));
  /* Too large for any number: not a number, and not a wrap-around. */
  g_assert_false (satchel_imap_value_get_number (satchel_imap_value_get_item (bigger->data, 0),
                                                 G_MAXUINT64, &n));
  g_assert_false (satchel_imap_response_is_data (bigger, "EXISTS"));
}

static void
test_malformed (void)
{
  static const char *cases[] = {
    "* FETCH (UID 1\r\n",                      /* unclosed list */
    "* FETCH UID 1)\r\n",                      /* unbalanced */
    "* LIST () \"/\" \"unterminated\r\n",
    "A1 FETCH (UID 1)\r\n",                    /* tagged without status */
    "A1 PREAUTH hello\r\n",
    "* OK [UIDVALIDITY 1 hello\r\n",           /* unclosed code */
    "* 1 FETCH (BODY[TEXT {5}\r\n",
    "* 1 FETCH (BODY[] {99999999999999999999999}\r\n",
    "* 1 FETCH (BODY[] {9999999999}\r\n",      /* beyond the literal limit */
    "* 1 FETCH (BODY[] {5}\r\nabc",            /* cut inside the literal */
    "* 1 FETCH (BODY[] {5} x\r\n",             /* marker not at the end */
    "NOTAG\r\n",
    "* 1 FETCH (\x01)\r\n",
    "",
  };
  g_autoptr(GString) unclosed = g_string_new ("* 1 FETCH (UID 1 BODYSTRUCTURE ");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_malformed (cases[i], strlen (cases[i]));

  /* Nested far too deep, and never closed: refused, without recursion. */
  for (int i = 0; i < 100000; i++)
    g_string_append_c (unclosed, '(');
  for (int i = 0; i < 99999; i++)
    g_string_append_c (unclosed, ')');
  g_string_append (unclosed, "\r\n");
  assert_malformed (unclosed->str, unclosed->len);
}

/* The BODYSTRUCTURE of a message whose parts nest 100,000 deep, as Dovecot
 * sends it: the response is read, and the lists below the depth limit are
 * left out, NIL in their place, literals and strings with parentheses in
 * them included. The response goes on after it. */
static void
test_too_deep (void)
{
  const guint depth = 100000;
  const guint limit = 6;
  g_autoptr(GString) text = g_string_new ("* 1 FETCH (UID 7 BODYSTRUCTURE ");
  g_autoptr(SatchelImapParser) parser = satchel_imap_parser_new ();
  g_autoptr(SatchelImapResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  SatchelImapParseState state;
  guint64 size = 0;
  const SatchelImapValue *items;
  const SatchelImapValue *value;
  guint levels = 0;
  char *line;
  char *next;

  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, '(');
  g_string_append (text, "\"TEXT\" \"PLAIN\" (\"NAME\" \"a)(b\\\"\") NIL NIL \"7BIT\" 1 1)");
  for (guint i = 1; i < depth; i++)
    g_string_append (text, i == depth / 2 ? " {3}\r\n)(()" : " \"MIXED\")");
  g_string_append (text, " FLAGS (\\Seen))\r\n");

  satchel_imap_parser_set_limits (parser, limit, SATCHEL_IMAP_PARSER_DEFAULT_MAX_LITERAL,
                                  SATCHEL_IMAP_PARSER_DEFAULT_MAX_RESPONSE);
  line = text->str;
  next = strstr (line, "\r\n");
  g_assert_true (satchel_imap_parser_feed_line (parser, line, next - line, &state, &size,
                                                &error));
  g_assert_no_error (error);
  g_assert_cmpint (state, ==, SATCHEL_IMAP_PARSE_NEED_LITERAL);
  g_assert_cmpuint (size, ==, 3);
  g_assert_true (satchel_imap_parser_feed_literal (parser, next + 2, 3, &state, &error));
  g_assert_cmpint (state, ==, SATCHEL_IMAP_PARSE_NEED_LINE);
  line = next + 5;
  next = strstr (line, "\r\n");
  g_assert_true (satchel_imap_parser_feed_line (parser, line, next - line, &state, &size,
                                                &error));
  g_assert_no_error (error);
  g_assert_cmpint (state, ==, SATCHEL_IMAP_PARSE_DONE);
  response = satchel_imap_parser_take (parser);

  items = item (response->data, 2);
  g_assert_cmpuint (satchel_imap_value_get_length (items), ==, 6);
  g_assert_cmpstr (item (items, 2)->text, ==, "BODYSTRUCTURE");
  g_assert_cmpstr (item (items, 4)->text, ==, "FLAGS");
  g_assert_cmpstr (item (item (items, 5), 0)->text, ==, "\\Seen");
  /* The data list and the FETCH items take two levels of the limit. */
  for (value = item (items, 3); value->kind == SATCHEL_IMAP_VALUE_LIST; value = item (value, 0))
    {
      g_assert_cmpuint (satchel_imap_value_get_length (value), ==, 2);
      g_assert_cmpstr (item (value, 1)->text, ==, "MIXED");
      levels++;
    }
  g_assert_cmpint (value->kind, ==, SATCHEL_IMAP_VALUE_NIL);
  g_assert_cmpuint (levels, ==, limit - 1);
}

static void
test_limits_configurable (void)
{
  g_autoptr(SatchelImapParser) parser = satchel_imap_parser_new ();
  g_autoptr(GError) error = NULL;
  SatchelImapParseState state;
  guint64 size = 0;
  const char *line = "* 1 FETCH (BODY[] {100}";

  satchel_imap_parser_set_limits (parser, 8, 99, 1024);
  g_assert_false (satchel_imap_parser_feed_line (parser, line, strlen (line), &state, &size,
                                                 &error));
  g_assert_error (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL);
  g_clear_error (&error);

  /* The parser is usable again after an error. */
  line = "* 1 FETCH (BODY[] {99}";
  g_assert_true (satchel_imap_parser_feed_line (parser, line, strlen (line), &state, &size,
                                                &error));
  g_assert_cmpint (state, ==, SATCHEL_IMAP_PARSE_NEED_LITERAL);
  g_assert_cmpuint (size, ==, 99);
}

/* An arena made for a small response, asked for more than its next block
 * would hold (found by the fuzzer): each value gets all its bytes, which
 * the sanitizers check. */
static void
test_arena_growth (void)
{
  for (gsize want = 1; want < 4096; want = want * 3 + 1)
    {
      SatchelImapArena *arena = satchel_imap_arena_new_sized (1);
      g_autofree char *text = g_strnfill (want, 'x');
      SatchelImapValue *first = satchel_imap_value_new (arena, SATCHEL_IMAP_VALUE_ATOM, "a", 1);
      SatchelImapValue *value = satchel_imap_value_new (arena, SATCHEL_IMAP_VALUE_STRING, text,
                                                        want);

      g_assert_cmpstr (first->text, ==, "a");
      g_assert_cmpuint (value->len, ==, want);
      g_assert_cmpstr (value->text, ==, text);
      satchel_imap_arena_free (arena);
    }
}

/* VANISHED (RFC 7162, 3.2.10), as the examples there give it, and what
 * is not one. */
static void
test_vanished (void)
{
  static const char *refused[] = {
    "* VANISHED",
    "* VANISHED (LATER) 41",
    "* VANISHED (EARLIER)",
    "* VANISHED 0:x",
    "* VANISHED 1 2",
    "* 3 EXPUNGE",
  };
  g_autoptr(SatchelImapResponse) now = parse ("* VANISHED 405,407,410,425");
  g_autoptr(SatchelImapResponse) earlier = parse ("* VANISHED (EARLIER) 41,43:116,118,120:211,214:540");
  g_autoptr(SatchelImapUidSet) uids = satchel_imap_uid_set_new ();
  gboolean was_earlier = TRUE;

  g_assert_true (satchel_imap_parse_vanished (now, uids, &was_earlier));
  g_assert_false (was_earlier);
  g_assert_cmpuint (satchel_imap_uid_set_count (uids), ==, 4);
  g_assert_true (satchel_imap_uid_set_contains (uids, 410));
  g_assert_false (satchel_imap_uid_set_contains (uids, 406));

  g_clear_pointer (&uids, satchel_imap_uid_set_free);
  uids = satchel_imap_uid_set_new ();
  g_assert_true (satchel_imap_parse_vanished (earlier, uids, &was_earlier));
  g_assert_true (was_earlier);
  g_assert_cmpuint (satchel_imap_uid_set_count (uids), ==, 1 + 74 + 1 + 92 + 327);

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(SatchelImapResponse) response = parse (refused[i]);
      g_autoptr(SatchelImapUidSet) none = satchel_imap_uid_set_new ();

      if (satchel_imap_parse_vanished (response, none, NULL))
        g_error ("read as VANISHED: %s", refused[i]);
    }
}

int
main (int   argc,
      char *argv[])
{
  satchel_test_init (&argc, &argv);

  g_test_add_func ("/imap-parser/status-responses", test_status_responses);
  g_test_add_func ("/imap-parser/data-responses", test_data_responses);
  g_test_add_func ("/imap-parser/fetch-example", test_fetch_example);
  g_test_add_func ("/imap-parser/literals", test_literals);
  g_test_add_func ("/imap-parser/numbers", test_numbers);
  g_test_add_func ("/imap-parser/malformed", test_malformed);
  g_test_add_func ("/imap-parser/too-deep", test_too_deep);
  g_test_add_func ("/imap-parser/limits", test_limits_configurable);
  g_test_add_func ("/imap-parser/arena-growth", test_arena_growth);
  g_test_add_func ("/imap-parser/vanished", test_vanished);

  return g_test_run ();
}
