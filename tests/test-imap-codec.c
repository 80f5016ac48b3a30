/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-imap-codec.c: modified UTF-7, UID sets, and what FETCH says
 *
 * Copyright 2026 The Satchel authors
 */

#include "config.h"

#include <string.h>

#include "imap/satchel-imap-fetch.h"
#include "imap/satchel-imap-parser.h"
#include "imap/satchel-imap-uid-set.h"
#include "imap/satchel-imap-utf7.h"
#include "mime/satchel-mime.h"
#include "net/satchel-net-error.h"
#include "satchel-engine.h"
#include "satchel-test-utils.h"

static void
test_utf7_round_trip (void)
{
  static const struct { const char *utf8; const char *mutf7; } cases[] = {
    { "INBOX", "INBOX" },
    { "Entwürfe", "Entw&APw-rfe" },
    { "~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-" },
    { "A & B", "A &- B" },
    { "&", "&-" },
    { "\xc3\xa9&\xc3\xa9", "&AOk-&-&AOk-" },
    { "Émoji 📬", "&AMk-moji &2D3c7A-" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *encoded = satchel_imap_utf7_encode (cases[i].utf8);
      g_autofree char *decoded = satchel_imap_utf7_decode (cases[i].mutf7, strlen (cases[i].mutf7));

      g_assert_cmpstr (encoded, ==, cases[i].mutf7);
      g_assert_cmpstr (decoded, ==, cases[i].utf8);
    }
}

static void
test_utf7_invalid (void)
{
  static const char *invalid[] = {
    "&",              /* unterminated */
    "&U,BTFw",        /* unterminated */
    "&AGE-",          /* "a": printable ASCII must stand for itself */
    "&2D3c-",         /* a lone high surrogate */
    "&3AA-",          /* a lone low surrogate */
    "&!!-",           /* not base64 */
    "caf\xc3\xa9",    /* 8-bit */
    "tab\there",      /* control character */
    "&AAA-",          /* NUL */
    /* Two runs side by side, another spelling of "&U,BTF2XlZyyKng-";
     * the second is what fuzz-imap-utf7 found. */
    "&U,BTFw-&ZeVnLIqe-",
    "&AMk-&AMk-tt&AOk-",
  };

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autofree char *decoded = satchel_imap_utf7_decode (invalid[i], strlen (invalid[i]));

      g_test_message ("input: %s", invalid[i]);
      g_assert_null (decoded);
    }
}

static void
test_name_for_display (void)
{
  g_autofree char *good = satchel_imap_name_for_display ("Entw&APw-rfe", 12, FALSE);
  g_autofree char *raw = satchel_imap_name_for_display ("bad&name", 8, FALSE);
  g_autofree char *bytes = satchel_imap_name_for_display ("a\x01\xff\r\nb", 6, FALSE);
  g_autofree char *utf8 = satchel_imap_name_for_display ("caf\xc3\xa9 \xe2\x82", 8, FALSE);

  g_assert_cmpstr (good, ==, "Entwürfe");
  /* Not modified UTF-7: the wire form, with what is not text escaped. */
  g_assert_cmpstr (raw, ==, "bad&name");
  g_assert_cmpstr (bytes, ==, "a\\x01\\xFF\\x0D\\x0Ab");
  g_assert_cmpstr (utf8, ==, "café \\xE2\\x82");
}

static void
test_uid_sets (void)
{
  g_autoptr(SatchelImapUidSet) set = satchel_imap_uid_set_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *compact = NULL;
  const guint32 uids[] = { 9, 3, 4, 5, 1, 10, 12, 4 };

  g_assert_true (satchel_imap_uid_set_parse (set, "5:7,1,3,2,20:18,8", &error));
  g_assert_no_error (error);
  text = satchel_imap_uid_set_format (set);
  g_assert_cmpstr (text, ==, "1:3,5:8,18:20");
  g_assert_cmpuint (satchel_imap_uid_set_count (set), ==, 10);
  g_assert_false (satchel_imap_uid_set_contains (set, 4));
  g_assert_true (satchel_imap_uid_set_contains (set, 19));
  g_assert_false (satchel_imap_uid_set_contains (set, 9));

  /* A server's huge range costs one range. */
  g_assert_true (satchel_imap_uid_set_parse (set, "1:4294967295", &error));
  g_assert_cmpuint (satchel_imap_uid_set_n_ranges (set), ==, 1);
  g_assert_cmpuint (satchel_imap_uid_set_count (set), ==, G_MAXUINT32);

  for (const char **bad = (const char *[]) { "", "0", "1:", ":3", "1,,2", "4294967296", "1:*",
                                             "a", "1 2", NULL };
       *bad != NULL; bad++)
    {
      g_autoptr(SatchelImapUidSet) other = satchel_imap_uid_set_new ();

      g_assert_false (satchel_imap_uid_set_parse (other, *bad, &error));
      g_assert_error (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL);
      g_clear_error (&error);
    }

  compact = satchel_imap_uid_set_format_uids (uids, G_N_ELEMENTS (uids));
  g_assert_cmpstr (compact, ==, "1,3:5,9:10,12");
}

static SatchelImapFetch *
parse_fetch (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelImapResponse) response = satchel_imap_parse_response (text, strlen (text), &error);
  SatchelImapFetch *fetch;

  g_assert_no_error (error);
  fetch = satchel_imap_fetch_parse (response, &error);
  g_assert_no_error (error);
  return fetch;
}

static void
test_fetch_items (void)
{
  static const char references[] = "References: <root@example.org>\r\n <parent@example.org>\r\n\r\n";
  g_autofree char *text = g_strdup_printf (
    "* 3 FETCH (UID 42 FLAGS (\\Seen \\Flagged $Label1 \\Recent) "
    "INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 MODSEQ (12121231000) "
    "ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" "
    "\"=?UTF-8?Q?Gr=C3=BC=C3=9Fe?= aus Berlin\" "
    "((\"=?ISO-8859-1?Q?J=F6rg?=\" NIL \"joerg\" \"example.de\")) NIL NIL "
    "((NIL NIL \"ada\" \"example.org\") (\"Bob\" NIL \"bob\" \"example.org\")) "
    "((NIL NIL \"team\" NIL) (NIL NIL \"cy\" \"example.org\") (NIL NIL NIL NIL)) NIL "
    "\"<parent@example.org>\" \"<child@example.org>\") "
    "BODY[HEADER.FIELDS (REFERENCES)] {%zu}\r\n%s PREVIEW \"Hello there\")\r\n",
    strlen (references), references);
  g_autoptr(SatchelImapFetch) fetch = parse_fetch (text);
  gint64 expected;

  g_assert_cmpuint (fetch->seq, ==, 3);
  g_assert_cmpuint (fetch->uid, ==, 42);
  g_assert_cmpuint (fetch->flags, ==, SATCHEL_FLAG_SEEN | SATCHEL_FLAG_FLAGGED);
  g_assert_cmpstr (fetch->keywords, ==, "$Label1");
  g_assert_cmpuint (fetch->size, ==, 4286);
  g_assert_cmpuint (fetch->modseq, ==, 12121231000);
  g_assert_true (satchel_imap_parse_internaldate ("17-Jul-1996 09:44:25 +0000", &expected));
  g_assert_cmpint (fetch->internal_date, ==, expected);
  g_assert_cmpint (fetch->date, ==, expected - 21 * 60);
  g_assert_cmpstr (fetch->subject, ==, "Grüße aus Berlin");
  g_assert_cmpstr (fetch->from, ==, "Jörg <joerg@example.de>");
  g_assert_cmpstr (fetch->to, ==, "ada@example.org, Bob <bob@example.org>");
  g_assert_cmpstr (fetch->cc, ==, "cy@example.org");
  g_assert_cmpstr (fetch->in_reply_to, ==, "<parent@example.org>");
  g_assert_cmpstr (fetch->message_id, ==, "<child@example.org>");
  g_assert_cmpstr (fetch->references, ==, "<root@example.org> <parent@example.org>");
  g_assert_cmpstr (fetch->preview, ==, "Hello there");
}

/* A server's literal, or an encoded word, may put line breaks and other
 * control characters in what the list shows on one line. */
static void
test_fetch_one_line (void)
{
  static const char subject[] = "Two\r\nlines\tand\x01";
  g_autofree char *text = g_strdup_printf (
    "* 1 FETCH (UID 7 ENVELOPE (NIL {%zu}\r\n%s "
    "((\"=?UTF-8?Q?Ada=0D=0AEvil?=\" NIL \"ada\" \"example.org\")) NIL NIL NIL NIL NIL NIL "
    "\"<m@example.org>\"))\r\n", strlen (subject), subject);
  g_autoptr(SatchelImapFetch) fetch = parse_fetch (text);
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(SatchelMimeHeaders) headers = NULL;
  static const char raw[] =
    "From: =?UTF-8?Q?Bob=0D=0AEvil?= <bob@example.org>\r\n"
    "Subject: =?UTF-8?Q?One=0Atwo=09three?=\r\n\r\nHi\r\n";
  g_autoptr(GBytes) bytes = g_bytes_new_static (raw, strlen (raw));

  g_assert_cmpstr (fetch->subject, ==, "Two  lines and ");
  g_assert_cmpstr (fetch->from, ==, "Ada  Evil <ada@example.org>");
  g_assert_cmpstr (fetch->sender_name, ==, "Ada  Evil");

  message = satchel_mime_parse (bytes);
  g_assert_nonnull (message);
  headers = satchel_mime_read_headers (message);
  g_assert_cmpstr (headers->subject, ==, "One two three");
  g_assert_null (strpbrk (headers->from, "\r\n"));
}

/* A Date as GMime reads it, or G_MININT64 when it cannot. */
static gint64
gmime_date (const char *text)
{
  g_autoptr(GDateTime) when = g_mime_utils_header_decode_date (text);

  return when != NULL ? g_date_time_to_unix (when) : G_MININT64;
}

static gint64
satchel_date (const char *text)
{
  gint64 when;

  return satchel_imap_parse_date (text, &when) ? when : G_MININT64;
}

/* Dates in the form most mail has are read without GMime, and must be
 * read exactly as GMime reads them; every other form goes to GMime. */
static void
test_dates (void)
{
  static const char *const dates[] = {
    "Wed, 17 Jul 1996 02:23:25 -0700",
    "Wed, 17 Jul 1996 02:23:25 -0700 (PDT)",
    "17 Jul 1996 02:23:25 +0000",
    "Thu, 1 Jan 1970 00:00:00 +0000",
    "Tue, 29 Feb 2028 23:59:59 +1400",
    "Sun, 30 Feb 2025 10:00:00 +0000",
    "Mon, 3 Nov 2026 10:00 +0100",
    "  Mon,  3   nov 2026   10:00:07   -0930  ",
    "Mon,3 Nov 2026 10:00:07 +0100",
    "Mon, 3 Nov 2026 10:00:60 +0000",
    "Mon, 3 Nov 26 10:00:00 +0000",
    "Mon, 3 Nov 2026 10:00:00 GMT",
    "Mon, 3 Nov 2026 10:00:00 EST",
    "Mon, 3 Nov 2026 10:00:00",
    "Mon, 3 Nov 2026 10:00:00 +01",
    "Mon, 3 Nov 2026 10:00:00 +0100 (CET) trailing",
    "Mon, 3 Nov 2026 25:00:00 +0100",
    "3 Foo 2026 10:00:00 +0100",
    "Mon, 3 Nov 0999 10:00:00 +0100",
    "2026-11-03T10:00:00Z",
    "",
    "garbage",
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261207);

  for (guint i = 0; i < G_N_ELEMENTS (dates); i++)
    {
      g_test_message ("%s", dates[i]);
      g_assert_cmpint (satchel_date (dates[i]), ==, gmime_date (dates[i]));
    }
  g_assert_cmpint (satchel_date ("Wed, 17 Jul 1996 02:23:25 -0700"), ==, 837595405);

  for (guint i = 0; i < 20000; i++)
    {
      static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
      static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
                                            "Aug", "Sep", "Oct", "Nov", "Dec" };
      g_autofree char *text = g_strdup_printf (
        "%s%s %d %s %d %02d:%02d%s%s%c%04d%s",
        g_rand_boolean (rand) ? days[g_rand_int_range (rand, 0, 7)] : "",
        g_rand_boolean (rand) ? "," : "",
        g_rand_int_range (rand, 0, 33), months[g_rand_int_range (rand, 0, 12)],
        g_rand_int_range (rand, 1890, 2110), g_rand_int_range (rand, 0, 25),
        g_rand_int_range (rand, 0, 61), g_rand_boolean (rand) ? ":" : "",
        g_rand_boolean (rand) ? "59" : "", g_rand_boolean (rand) ? '+' : '-',
        g_rand_int_range (rand, 0, 1500), g_rand_boolean (rand) ? " (X)" : "");

      if (satchel_date (text) != gmime_date (text))
        g_error ("%s: %" G_GINT64_FORMAT " here, %" G_GINT64_FORMAT " by GMime", text,
                 satchel_date (text), gmime_date (text));
    }
}

static void
test_fetch_attachments (void)
{
  g_autoptr(SatchelImapFetch) plain = parse_fetch (
    "* 1 FETCH (UID 1 BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL "
    "\"7BIT\" 3028 92 NIL NIL NIL NIL))\r\n");
  g_autoptr(SatchelImapFetch) mixed = parse_fetch (
    "* 2 FETCH (UID 2 BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\") NIL NIL \"7BIT\" "
    "12 1 NIL NIL NIL NIL)(\"APPLICATION\" \"PDF\" (\"NAME\" \"report.pdf\") NIL NIL \"BASE64\" "
    "4000 NIL (\"ATTACHMENT\" (\"FILENAME\" \"report.pdf\")) NIL NIL) \"MIXED\" "
    "(\"BOUNDARY\" \"x\") NIL NIL NIL))\r\n");
  g_autoptr(SatchelImapFetch) alternative = parse_fetch (
    "* 3 FETCH (UID 3 BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 12 1)"
    "(\"TEXT\" \"HTML\" NIL NIL NIL \"7BIT\" 30 2) \"ALTERNATIVE\"))\r\n");

  g_assert_false (plain->has_attachments);
  g_assert_true (mixed->has_attachments);
  g_assert_false (alternative->has_attachments);
}

/* Inline images: a part with a Content-ID that the HTML shows by its cid:
 * URL is not an attachment; with no HTML to show it, or with a disposition
 * of "attachment", it is. The BODYSTRUCTURE reading and GMime's agree. */
static void
test_inline_parts (void)
{
  static const struct
  {
    const char *raw;
    const char *structure;
    guint       attachments;
  } cases[] = {
    { "Content-Type: multipart/related; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/html\r\n\r\n<img src=\"cid:logo@x\">\r\n"
      "--b\r\nContent-Type: image/png; name=logo.png\r\nContent-ID: <logo@x>\r\n"
      "Content-Disposition: inline; filename=logo.png\r\n\r\nPNG\r\n--b--\r\n",
      "((\"TEXT\" \"HTML\" NIL NIL NIL \"7BIT\" 25 1 NIL NIL NIL NIL)"
      "(\"IMAGE\" \"PNG\" (\"NAME\" \"logo.png\") \"<logo@x>\" NIL \"7BIT\" 3 NIL "
      "(\"INLINE\" (\"FILENAME\" \"logo.png\")) NIL NIL) \"RELATED\" (\"BOUNDARY\" \"b\") NIL NIL NIL)",
      0 },
    { "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\n\r\nSee the logo.\r\n"
      "--b\r\nContent-Type: image/png; name=logo.png\r\nContent-ID: <logo@x>\r\n"
      "\r\nPNG\r\n--b--\r\n",
      "((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 13 1 NIL NIL NIL NIL)"
      "(\"IMAGE\" \"PNG\" (\"NAME\" \"logo.png\") \"<logo@x>\" NIL \"7BIT\" 3 NIL NIL NIL NIL) "
      "\"MIXED\" (\"BOUNDARY\" \"b\") NIL NIL NIL)",
      1 },
    { "Content-Type: multipart/related; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/html\r\n\r\n<p>Report</p>\r\n"
      "--b\r\nContent-Type: application/pdf; name=r.pdf\r\nContent-ID: <r@x>\r\n"
      "Content-Disposition: attachment; filename=r.pdf\r\n\r\nPDF\r\n--b--\r\n",
      "((\"TEXT\" \"HTML\" NIL NIL NIL \"7BIT\" 13 1 NIL NIL NIL NIL)"
      "(\"APPLICATION\" \"PDF\" (\"NAME\" \"r.pdf\") \"<r@x>\" NIL \"7BIT\" 3 NIL "
      "(\"ATTACHMENT\" (\"FILENAME\" \"r.pdf\")) NIL NIL) \"RELATED\" (\"BOUNDARY\" \"b\") NIL NIL NIL)",
      1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("* 1 FETCH (UID 1 BODYSTRUCTURE %s)\r\n",
                                               cases[i].structure);
      g_autoptr(SatchelImapFetch) fetch = parse_fetch (text);
      g_autoptr(GBytes) bytes = g_bytes_new_static (cases[i].raw, strlen (cases[i].raw));
      g_autoptr(GMimeMessage) message = satchel_mime_parse (bytes);
      g_autoptr(SatchelMimeHeaders) headers = NULL;
      g_autoptr(GPtrArray) attachments = NULL;

      g_test_message ("case %u", i);
      g_assert_nonnull (message);
      headers = satchel_mime_read_headers (message);
      attachments = satchel_mime_get_attachments (message);
      g_assert_cmpuint (attachments->len, ==, cases[i].attachments);
      g_assert_cmpint (headers->has_attachments, ==, cases[i].attachments > 0);
      g_assert_cmpint (fetch->has_attachments, ==, cases[i].attachments > 0);
    }
}

static void
test_fetch_malformed (void)
{
  static const char *cases[] = {
    "* 0 FETCH (UID 1)\r\n",
    "* 1 FETCH (UID 0)\r\n",
    "* 1 FETCH (UID 4294967296)\r\n",
    "* 1 FETCH (UID)\r\n",
    "* 1 FETCH (FLAGS \\Seen)\r\n",
    "* 1 FETCH (ENVELOPE (\"a\"))\r\n",
    "* 1 FETCH (INTERNALDATE \"yesterday\")\r\n",
    "* 1 FETCH UID 1\r\n",
    "* 1 FETCH (BODY[] NIL)\r\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SatchelImapResponse) response =
        satchel_imap_parse_response (cases[i], strlen (cases[i]), &error);
      g_autoptr(SatchelImapFetch) fetch = NULL;

      g_test_message ("input: %s", cases[i]);
      g_assert_no_error (error);
      fetch = satchel_imap_fetch_parse (response, &error);
      g_assert_null (fetch);
      g_assert_error (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL);
    }
}

int
main (int   argc,
      char *argv[])
{
  satchel_test_init (&argc, &argv);

  g_test_add_func ("/imap-codec/utf7/round-trip", test_utf7_round_trip);
  g_test_add_func ("/imap-codec/utf7/invalid", test_utf7_invalid);
  g_test_add_func ("/imap-codec/utf7/display", test_name_for_display);
  g_test_add_func ("/imap-codec/uid-sets", test_uid_sets);
  g_test_add_func ("/imap-codec/fetch/items", test_fetch_items);
  g_test_add_func ("/imap-codec/fetch/one-line", test_fetch_one_line);
  g_test_add_func ("/imap-codec/dates", test_dates);
  g_test_add_func ("/imap-codec/fetch/attachments", test_fetch_attachments);
  g_test_add_func ("/imap-codec/fetch/inline-parts", test_inline_parts);
  g_test_add_func ("/imap-codec/fetch/malformed", test_fetch_malformed);

  return g_test_run ();
}
