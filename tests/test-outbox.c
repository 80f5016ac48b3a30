/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-outbox.c: composing and sending, from C, under the sanitizers
 *
 * Copyright 2026 The Satchel authors
 *
 * The CLI suite checks sending end to end against the real servers; this
 * drives the composer, the outbox and the drafts directly, so that they
 * also run under AddressSanitizer and UndefinedBehaviorSanitizer.
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "net/satchel-net-error.h"
#include "satchel-engine.h"
#include "satchel-test-utils.h"

typedef struct
{
  char               *dir;
  char               *path;
  SatchelStore       *store;
  SatchelStoreWriter *writer;
  SatchelAccount     *account;
  char               *user;
  char               *password;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelAccountList) list = NULL;
  SatchelAccountKind kind = GPOINTER_TO_INT (data);
  static guint counter;
  const char *smtp_port = g_getenv ("SATCHEL_TEST_SMTPS_PORT");

  fixture->dir = satchel_test_make_dir ();
  fixture->path = g_build_filename (fixture->dir, "satchel.db", NULL);
  fixture->store = satchel_store_open (fixture->path, &error);
  g_assert_no_error (error);
  fixture->writer = satchel_store_writer_new (fixture->path, &error);
  g_assert_no_error (error);
  fixture->user = g_strdup_printf ("outbox%dx%u", (int) getpid (), ++counter);
  fixture->password = g_strconcat ("pw-", fixture->user, NULL);

  fixture->account = satchel_account_new (kind, "zoe@example.org");
  g_object_set (fixture->account,
                "real-name", "Zoë",
                "host", "localhost",
                "user", fixture->user,
                "smtp-host", "localhost",
                "smtp-port", smtp_port != NULL ? (guint) g_ascii_strtoull (smtp_port, NULL, 10) : 465,
                "ca-file", g_getenv ("SATCHEL_TEST_CA"),
                "signature", "Zoë",
                NULL);
  list = satchel_account_list_new (fixture->store, &error);
  g_assert_true (satchel_account_list_add (list, fixture->account, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->account);
  satchel_test_finalize_soon (fixture->writer);
  g_assert_finalize_object (fixture->store);
  satchel_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->user);
  g_free (fixture->password);
}

static GMimeMessage *
parse_text (const char *text)
{
  g_autoptr(GBytes) raw = g_bytes_new (text, strlen (text));

  return satchel_mime_parse (raw);
}

/* An empty body, as a server may send one: not a message, without a
 * critical from GMime (found by fuzz-mime). */
static void
test_mime_parse_empty (void)
{
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GMimeMessage) message = satchel_mime_parse (empty);
  SatchelMessageSummary summary;
  g_autoptr(SatchelMimeHeaders) headers = satchel_summary_of_raw (empty, &summary);

  g_assert_null (message);
  g_assert_null (headers);
  g_assert_cmpuint (summary.size, ==, 0);
}

/* Bytes that are not UTF-8 become three-byte U+FFFDs: the text is still
 * no longer than asked for (found by fuzz-mime). */
static void
test_mime_text_length (void)
{
  g_autoptr(GMimeMessage) message = parse_text (
    "From: a@example.org\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "\xff\xfe\xff\xfe\xff\xfe\xff\xfe\xff\xfe\xff\xfe caf\xc3\xa9\r\n");
  g_autofree char *full = satchel_mime_get_text (message, G_MAXSIZE);
  g_autofree char *cut = satchel_mime_get_text (message, 10);
  g_autofree char *mid = satchel_mime_get_text (message, 41);

  g_assert_true (g_utf8_validate (full, -1, NULL));
  g_assert_true (g_str_has_prefix (full, "\xef\xbf\xbd\xef\xbf\xbd"));
  g_assert_true (g_str_has_suffix (full, " caf\xc3\xa9\r\n"));
  g_assert_cmpstr (cut, ==, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  /* Not inside the é. */
  g_assert_cmpstr (mid, ==, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                            "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                            "\xef\xbf\xbd\xef\xbf\xbd caf");
}

/* RFC 2231 names are percent escapes of any bytes, whatever charset they
 * name: the name the reader shows and saves under is UTF-8 (found by
 * fuzz-mime). */
static void
test_mime_filename (void)
{
  g_autoptr(GMimeMessage) message = parse_text (
    "From: a@example.org\r\n"
    "Content-Type: multipart/mixed; boundary=b\r\n"
    "\r\n"
    "--b\r\n"
    "Content-Type: application/pdf\r\n"
    "Content-Disposition: attachment; filename*=utf-8''%E2%82%AC%20rates.pdf\r\n"
    "\r\n"
    "%PDF\r\n"
    "--b\r\n"
    "Content-Type: application/pdf\r\n"
    "Content-Disposition: attachment; filename*=utf-8'de'Gr%C3%BC%C3%el.pdf\r\n"
    "\r\n"
    "%PDF\r\n"
    "--b\r\n"
    "Content-Type: application/pdf\r\n"
    "Content-Disposition: attachment; filename*=utf-8''report%E2\r\n"
    "\r\n"
    "%PDF\r\n"
    "--b--\r\n");
  g_autoptr(GPtrArray) attachments = satchel_mime_get_attachments (message);
  g_autofree char *good = NULL;
  g_autofree char *broken = NULL;
  g_autofree char *cut = NULL;

  g_assert_cmpuint (attachments->len, ==, 3);
  good = satchel_mime_part_dup_filename (g_ptr_array_index (attachments, 0));
  broken = satchel_mime_part_dup_filename (g_ptr_array_index (attachments, 1));
  cut = satchel_mime_part_dup_filename (g_ptr_array_index (attachments, 2));
  g_assert_cmpstr (good, ==, "\xe2\x82\xac rates.pdf");
  g_assert_true (g_utf8_validate (broken, -1, NULL));
  g_assert_true (g_str_has_prefix (broken, "Gr\xc3\xbc"));
  g_assert_true (g_str_has_suffix (broken, "el.pdf"));
  /* A name that ends inside a character: nothing reads past its end. */
  g_assert_true (g_utf8_validate (cut, -1, NULL));
  g_assert_true (g_str_has_prefix (cut, "report"));
  g_assert_null (satchel_mime_part_dup_filename (GMIME_OBJECT (message)));
}

/* An address that GMime keeps as bytes that are not UTF-8: the reply's
 * recipients and the quote's attribution, which the composer's fields
 * show, are text (found by fuzz-mime). */
static void
test_reply_not_utf8 (void)
{
  g_autoptr(GMimeMessage) original = parse_text (
    "From: a@b\r\xf6\xac\x8a\x94ject: Fwd\r\n"
    "To: zoe@example.org, c@d\xff\r\n"
    "Date: Tue, 1 Apr 2025 10:00:00 +0200\r\n"
    "Subject: Hello\r\n"
    "\r\n"
    "Hi\r\n");
  g_autoptr(SatchelDraft) reply = satchel_draft_new ();
  g_autoptr(SatchelDraft) forward = satchel_draft_new ();

  satchel_draft_reply (reply, original, TRUE, "zoe@example.org");
  satchel_draft_forward (forward, original, FALSE);
  g_assert_cmpuint (reply->to->len + reply->cc->len, >, 0);
  for (guint i = 0; i < reply->to->len; i++)
    g_assert_true (g_utf8_validate (g_ptr_array_index (reply->to, i), -1, NULL));
  for (guint i = 0; i < reply->cc->len; i++)
    g_assert_true (g_utf8_validate (g_ptr_array_index (reply->cc, i), -1, NULL));
  g_assert_true (g_utf8_validate (reply->quoted, -1, NULL));
  g_assert_true (g_utf8_validate (forward->quoted, -1, NULL));
  g_assert_true (g_str_has_suffix (reply->quoted, "> Hi\n"));
}

/* A subject that GMime leaves with bytes that are not UTF-8 (a broken
 * encoded word, then 8-bit bytes after a lone CR): the answer's subject
 * and the forward's quote are text (found by fuzz-mime). */
static void
test_subject_not_utf8 (void)
{
  g_autoptr(GMimeMessage) original = parse_text (
    "From: a@example.org\r\n"
    "Subject: =?ISO-2022-JP?B?GyRnFrom: a@b\r\xf6\xac\x8a\x94ject: thing\r\n"
    "\r\n"
    "Hi\r\n");
  g_autoptr(SatchelDraft) reply = satchel_draft_new ();
  g_autoptr(SatchelDraft) forward = satchel_draft_new ();

  satchel_draft_reply (reply, original, FALSE, NULL);
  satchel_draft_forward (forward, original, FALSE);
  g_assert_true (g_str_has_prefix (reply->subject, "Re: "));
  g_assert_true (g_utf8_validate (reply->subject, -1, NULL));
  g_assert_true (g_str_has_prefix (forward->subject, "Fwd: "));
  g_assert_true (g_utf8_validate (forward->subject, -1, NULL));
  g_assert_true (g_utf8_validate (forward->quoted, -1, NULL));
}

static gint64
count (Fixture    *fixture,
       const char *sql)
{
  return satchel_test_query_int (fixture->store, sql);
}

static void
test_reply_recipients (void)
{
  g_autoptr(GMimeMessage) original = parse_text (
    "From: Carol <carol@example.org>\r\n"
    "Reply-To: list@example.org\r\n"
    "To: zoe@example.org, Dan <dan@example.org>\r\n"
    "Cc: ZOE@example.org, erin@example.org, dan@example.org\r\n"
    "Subject: RE: Re[2]: plans\r\n"
    "Message-ID: <m1@example.org>\r\n"
    "References: <m0@example.org>\r\n"
    "\r\n"
    "Line one\r\n>older quote\r\n");
  g_autoptr(SatchelDraft) draft = satchel_draft_new ();
  g_autoptr(SatchelDraft) forward = satchel_draft_new ();

  satchel_draft_reply (draft, original, TRUE, "zoe@example.org");
  g_assert_cmpuint (draft->to->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (draft->to, 0), ==, "list@example.org");
  g_assert_cmpstr (g_ptr_array_index (draft->to, 1), ==, "Dan <dan@example.org>");
  g_assert_cmpuint (draft->cc->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (draft->cc, 0), ==, "erin@example.org");
  g_assert_cmpstr (draft->subject, ==, "RE: Re[2]: plans");
  g_assert_cmpstr (draft->in_reply_to, ==, "<m1@example.org>");
  g_assert_cmpstr (draft->references, ==, "<m0@example.org> <m1@example.org>");
  g_assert_nonnull (strstr (draft->quoted, "> Line one\n>>older quote\n"));

  satchel_draft_forward (forward, original, FALSE);
  g_assert_cmpstr (forward->subject, ==, "Fwd: RE: Re[2]: plans");
  g_assert_null (forward->in_reply_to);
  g_assert_nonnull (strstr (forward->quoted, "Line one"));
}

static void
test_flowed (void)
{
  g_autofree char *flowed = satchel_flowed_encode (
    " indented\nFrom here\n"
    "a line that is much longer than seventy-two characters and so must be broken at a space\n"
    "-- \nsig   \n");

  g_assert_cmpstr (flowed, ==,
                   "  indented\n"
                   " From here\n"
                   "a line that is much longer than seventy-two characters and so must be \n"
                   "broken at a space\n"
                   "-- \n"
                   "sig\n");
}

static void
test_build_headers (void)
{
  g_autoptr(SatchelDraft) draft = satchel_draft_new ();
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(GMimeMessage) again = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) recipients = NULL;
  const char *data;
  gsize len;

  draft->from_name = g_strdup ("Zoë Ångström");
  draft->from_address = g_strdup ("zoe@example.org");
  g_ptr_array_add (draft->to, g_strdup ("Ada <ada@example.org>"));
  g_ptr_array_add (draft->bcc, g_strdup ("secret@example.org"));
  g_ptr_array_add (draft->bcc, g_strdup ("ADA@example.org"));
  draft->subject = g_strdup ("Grüße ☃");
  draft->body = g_strdup ("Hallo\n");
  message = satchel_draft_build (draft, &error);
  g_assert_no_error (error);
  raw = satchel_mime_to_bytes (message);
  data = g_bytes_get_data (raw, &len);
  g_assert_null (g_strstr_len (data, len, "secret"));
  for (gsize i = 0; i < len; i++)
    g_assert_cmpuint ((guchar) data[i], <, 0x80);
  again = satchel_mime_parse (raw);
  g_assert_cmpstr (g_mime_message_get_subject (again), ==, "Grüße ☃");
  recipients = satchel_draft_dup_recipients (draft);
  g_assert_cmpstrv (recipients, ((const char *[]) { "ada@example.org", "secret@example.org",
                                                    NULL }));

  /* Not an address: refused before anything is queued. */
  g_ptr_array_add (draft->cc, g_strdup ("no address here"));
  g_clear_object (&message);
  message = satchel_draft_build (draft, &error);
  g_assert_null (message);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gint64
queue (Fixture    *fixture,
       const char *to)
{
  g_autoptr(SatchelDraft) draft = satchel_draft_new ();
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) recipients = NULL;
  gint64 id;

  draft->from_address = g_strdup ("zoe@example.org");
  g_ptr_array_add (draft->to, g_strdup (to));
  draft->subject = g_strdup ("From C");
  draft->body = g_strdup ("Hello\n");
  message = satchel_draft_build (draft, &error);
  g_assert_no_error (error);
  raw = satchel_mime_to_bytes (message);
  recipients = satchel_draft_dup_recipients (draft);
  id = satchel_store_outbox_add (fixture->store, satchel_account_get_id (fixture->account), raw,
                                 draft->subject, draft->from_address,
                                 (const char * const *) recipients, 0, &error);
  g_assert_no_error (error);
  return id;
}

static void
test_outbox_send (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(SatchelOutbox) outbox = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const GError *outcome;
  gboolean tried = FALSE;
  gint64 sent, refused;

  if (!satchel_test_require_servers ())
    return;
  sent = queue (fixture, "Ada <ada@example.org>");
  refused = queue (fixture, "reject-me@example.org");

  outbox = satchel_outbox_new (fixture->account, fixture->password, fixture->writer);
  satchel_outbox_send_async (outbox, FALSE, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (satchel_outbox_send_finish (outbox, result, &error));
  g_assert_no_error (error);

  outcome = satchel_outbox_get_outcome (outbox, sent, &tried);
  g_assert_true (tried);
  g_assert_no_error (outcome);
  outcome = satchel_outbox_get_outcome (outbox, refused, &tried);
  g_assert_true (tried);
  g_assert_error (outcome, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_REJECTED);
  g_assert_cmpuint (satchel_outbox_get_sent (outbox), ==, 1);

  /* The sent one left the outbox for Sent (local: a POP3 account); the
   * refused one stays, with the server's words. */
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM outbox"), ==, 1);
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM outbox WHERE state = 'failed' "
                                   "AND last_error LIKE '%550%'"), ==, 1);
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM message m JOIN folder f "
                                   "ON f.id = m.folder_id WHERE f.role = 'sent' "
                                   "AND m.flags & 1"), ==, 1);
  g_assert_cmpint (count (fixture, "SELECT times_sent FROM contact "
                                   "WHERE address = 'ada@example.org'"), ==, 1);
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM pending_op"), ==, 0);
}

static void
test_drafts_replace (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GBytes) first = g_bytes_new_static ("Subject: one\r\n\r\nfirst\r\n", 24);
  g_autoptr(GBytes) second = g_bytes_new_static ("Subject: two\r\n\r\nsecond\r\n", 25);
  g_autoptr(GError) error = NULL;
  gint64 account = satchel_account_get_id (fixture->account);
  gint64 id1, id2;

  id1 = satchel_mail_save_draft (fixture->store, account, FALSE, first, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id1, >, 0);
  id2 = satchel_mail_save_draft (fixture->store, account, FALSE, second, id1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id2, >, id1);
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM message m JOIN folder f "
                                   "ON f.id = m.folder_id WHERE f.role = 'drafts'"), ==, 1);
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM message WHERE subject = 'two' "
                                   "AND flags & 16"), ==, 1);
}

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

static SatchelDraft *
service_draft (const char *to,
               const char *subject)
{
  SatchelDraft *draft = satchel_draft_new ();

  draft->from_address = g_strdup ("zoe@example.org");
  g_ptr_array_add (draft->to, g_strdup (to));
  draft->subject = g_strdup (subject);
  draft->body = g_strdup ("Hello from the window\n");
  return draft;
}

static gint64
in_role (Fixture    *fixture,
         const char *role)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM message m JOIN folder f ON "
                                          "f.id = m.folder_id WHERE f.role = '%s'", role);

  return count (fixture, sql);
}

/* What the window does through the mail service: a draft kept, then
 * sent with an attachment (the draft goes, the copy is in Sent), a
 * recipient refused (the message stays in the outbox, failed), an
 * address that is not one (nothing kept), a draft discarded. The password
 * comes from the keyring: the incoming server's, there being no other. */
static void
test_service_send (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelAccountList) list = NULL;
  g_autoptr(SatchelSecrets) secrets = satchel_secrets_new ();
  g_autoptr(SatchelMailService) service = NULL;
  g_autoptr(SatchelAccount) account = NULL;
  g_autoptr(GAsyncResult) saved = NULL;
  g_autoptr(GAsyncResult) sent = NULL;
  g_autoptr(GAsyncResult) refused = NULL;
  g_autoptr(GAsyncResult) invalid = NULL;
  g_autoptr(GAsyncResult) again = NULL;
  g_autofree char *attachment = g_build_filename (fixture->dir, "plan.pdf", NULL);
  SatchelDraft *draft;
  gint64 draft_id;

  if (!satchel_test_require_servers ())
    return;
  list = satchel_account_list_new (fixture->store, &error);
  g_assert_no_error (error);
  account = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_true (satchel_secrets_store_sync (secrets, satchel_account_get_uuid (account),
                                             "zoe@example.org", SATCHEL_SECRET_INCOMING,
                                             fixture->password, NULL, &error));
  g_assert_no_error (error);
  service = satchel_mail_service_new (fixture->path, list, secrets);
  g_assert_true (g_file_set_contents (attachment, "%PDF-1.4 plan", -1, NULL));

  draft = service_draft ("Ada <ada@example.org>", "Plans, drafted");
  satchel_mail_service_save_draft_async (service, account, draft, 0, NULL, store_result_cb,
                                         &saved);
  draft_id = satchel_mail_service_save_draft_finish (service, wait_for (&saved), &error);
  g_assert_no_error (error);
  g_assert_cmpint (draft_id, >, 0);
  g_assert_cmpint (in_role (fixture, "drafts"), ==, 1);

  draft = service_draft ("Ada <ada@example.org>", "Plans");
  g_ptr_array_add (draft->attachments, g_strdup (attachment));
  satchel_mail_service_send_async (service, account, draft, draft_id, NULL, store_result_cb,
                                   &sent);
  g_assert_true (satchel_mail_service_send_finish (service, wait_for (&sent), &error));
  g_assert_no_error (error);
  g_assert_cmpint (in_role (fixture, "drafts"), ==, 0);
  g_assert_cmpint (in_role (fixture, "sent"), ==, 1);
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM outbox"), ==, 0);
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM message WHERE subject = 'Plans' "
                                   "AND has_attachments"), ==, 1);

  /* Who mail went to comes first in completion. */
  g_assert_true (satchel_store_note_contact (fixture->store, "often@example.org", "Often", 0, 7,
                                             0, &error));
  {
    g_autoptr(GPtrArray) contacts = satchel_query_contacts (fixture->store, 10, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (contacts->len, ==, 2);
    g_assert_cmpstr (((SatchelContact *) g_ptr_array_index (contacts, 0))->address, ==,
                     "ada@example.org");
    g_assert_cmpstr (((SatchelContact *) g_ptr_array_index (contacts, 1))->name, ==, "Often");
  }

  draft = service_draft ("reject-me@example.org", "Refused");
  satchel_mail_service_send_async (service, account, draft, 0, NULL, store_result_cb, &refused);
  g_assert_false (satchel_mail_service_send_finish (service, wait_for (&refused), &error));
  g_assert_error (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_REJECTED);
  g_clear_error (&error);
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM outbox WHERE state = 'failed'"), ==, 1);

  draft = service_draft ("not an address@@", "Nowhere");
  satchel_mail_service_send_async (service, account, draft, 0, NULL, store_result_cb, &invalid);
  g_assert_false (satchel_mail_service_send_finish (service, wait_for (&invalid), &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM outbox"), ==, 1);

  draft = service_draft ("Ada <ada@example.org>", "Second thoughts");
  satchel_mail_service_save_draft_async (service, account, draft, 0, NULL, store_result_cb,
                                         &again);
  draft_id = satchel_mail_service_save_draft_finish (service, wait_for (&again), &error);
  g_assert_no_error (error);
  satchel_mail_service_discard_draft (service, account, draft_id);
  while (in_role (fixture, "drafts") != 0)
    g_main_context_iteration (NULL, TRUE);

  /* Each result holds the service. */
  g_clear_object (&saved);
  g_clear_object (&sent);
  g_clear_object (&refused);
  g_clear_object (&invalid);
  g_clear_object (&again);
  satchel_mail_service_stop (service);
  satchel_test_finalize_soon (g_steal_pointer (&service));
}

/* A million empty parts (10 MB) would be a million GMime objects, more
 * than a gigabyte: such a message is read for its headers only, while one
 * with parts as mail has them is read whole. */
static void
test_mime_parse_many_parts (void)
{
  static const char head[] = "From: a@example.org\r\nSubject: Wide\r\nMIME-Version: 1.0\r\n"
                             "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n";
  static const char part[] = "--b\r\n\r\nx\r\n";
  guint counts[] = { 1000000, 300 };

  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      g_autoptr(GString) raw = g_string_new (head);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GMimeMessage) message = NULL;
      GMimeObject *body;

      for (guint n = 0; n < counts[i]; n++)
        g_string_append (raw, part);
      g_string_append (raw, "--b--\r\n");
      bytes = g_bytes_new (raw->str, raw->len);
      message = satchel_mime_parse (bytes);
      g_assert_nonnull (message);
      g_assert_cmpstr (g_mime_message_get_subject (message), ==, "Wide");
      body = g_mime_message_get_mime_part (message);
      g_assert_true (body == NULL || GMIME_IS_MULTIPART (body));
      g_assert_cmpint (body != NULL ? g_mime_multipart_get_count (GMIME_MULTIPART (body)) : 0, ==,
                       counts[i] == 300 ? 300 : 0);
    }
}

int
main (int   argc,
      char *argv[])
{
  satchel_test_init (&argc, &argv);

  g_test_add_func ("/composer/reply-recipients", test_reply_recipients);
  g_test_add_func ("/composer/flowed", test_flowed);
  g_test_add_func ("/composer/build-headers", test_build_headers);
  g_test_add_func ("/composer/reply-not-utf8", test_reply_not_utf8);
  g_test_add_func ("/composer/subject-not-utf8", test_subject_not_utf8);
  g_test_add_func ("/mime/parse-empty", test_mime_parse_empty);
  g_test_add_func ("/mime/parse-many-parts", test_mime_parse_many_parts);
  g_test_add_func ("/mime/text-length", test_mime_text_length);
  g_test_add_func ("/mime/filename", test_mime_filename);
  g_test_add ("/outbox/send", Fixture, GINT_TO_POINTER (SATCHEL_ACCOUNT_KIND_POP3),
              fixture_set_up, test_outbox_send, fixture_tear_down);
  g_test_add ("/outbox/service", Fixture, GINT_TO_POINTER (SATCHEL_ACCOUNT_KIND_POP3),
              fixture_set_up, test_service_send, fixture_tear_down);
  g_test_add ("/drafts/replace", Fixture, GINT_TO_POINTER (SATCHEL_ACCOUNT_KIND_POP3),
              fixture_set_up, test_drafts_replace, fixture_tear_down);
  return g_test_run ();
}
