/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-mime.c: libFuzzer target for reading messages with GMime
 *
 * Copyright 2026 The Satchel authors
 *
 * The input is a message as a server or a POP3 download could hand it
 * over. It goes through everything the store, the indexer and the reader
 * do with a message (satchel-mime.h): the summary that goes into the
 * store, the headers, the text for the index and for previews, the HTML,
 * the attachments and their bytes, the lookup of cid: parts, and a reply
 * and a forward built from it. What comes out must keep the promises
 * made: texts are UTF-8, a text is no longer than asked for, the summary
 * says there are attachments when there are, a Content-ID finds its part.
 * Any crash, leak, overflow, undefined behaviour, GLib critical or broken
 * promise is a bug.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime/satchel-composer.h"
#include "mime/satchel-mime.h"
#include "sync/satchel-mail-actions.h"

/* Large enough for nested multiparts and encoded attachments; beyond it
 * GMime's own work, not Satchel's, takes the time. */
#define MAX_MESSAGE (256 * 1024)

int LLVMFuzzerInitialize    (int           *argc,
                             char        ***argv);
int LLVMFuzzerTestOneInput  (const guint8  *data,
                             size_t         size);

G_GNUC_NORETURN static void
broken (const char *what,
        const char *value)
{
  fprintf (stderr, "%s: %s\n", what, value != NULL ? value : "(null)");
  abort ();
}

static void
check_text (const char *what,
            const char *text)
{
  if (text != NULL && !g_utf8_validate (text, -1, NULL))
    broken (what, text);
}

static void
check_headers (GMimeMessage *message,
               GBytes       *raw)
{
  static const char *const header_names[] = { "Subject", "References", "X-Mailer" };
  g_autoptr(SatchelMimeHeaders) headers = satchel_mime_read_headers (message);
  g_autoptr(SatchelMimeHeaders) stored = NULL;
  g_autoptr(GPtrArray) attachments = satchel_mime_get_attachments (message);
  SatchelMessageSummary summary;

  check_text ("Message-ID", headers->message_id);
  check_text ("In-Reply-To", headers->in_reply_to);
  check_text ("References", headers->references);
  check_text ("Subject", headers->subject);
  check_text ("From", headers->from);
  check_text ("To", headers->to);
  check_text ("Cc", headers->cc);
  if (headers->has_attachments != (attachments->len > 0))
    broken ("has_attachments", headers->has_attachments ? "TRUE" : "FALSE");

  /* What the store keeps of a downloaded or saved message: the same
   * reading of the same bytes. */
  stored = satchel_summary_of_raw (raw, &summary);
  if (stored == NULL || summary.size != g_bytes_get_size (raw) ||
      g_strcmp0 (summary.subject, headers->subject) != 0 ||
      g_strcmp0 (summary.sender, headers->from) != 0 || summary.date != headers->date ||
      summary.has_attachments != headers->has_attachments)
    broken ("the stored summary differs", summary.subject);

  for (guint i = 0; i < G_N_ELEMENTS (header_names); i++)
    {
      g_autofree char *value = satchel_mime_get_header (message, header_names[i]);

      check_text (header_names[i], value);
    }
}

/* What the indexer and the reader take as the message's text. */
static void
check_texts (GMimeMessage *message,
             gsize         short_max)
{
  g_autofree char *text = satchel_mime_get_text (message, 4 * 1024 * 1024);
  g_autofree char *shorter = satchel_mime_get_text (message, short_max);
  g_autofree char *html = satchel_mime_get_html (message);

  check_text ("text", text);
  check_text ("shorter text", shorter);
  check_text ("HTML", html);
  if ((text == NULL) != (shorter == NULL))
    broken ("a text, but not a shorter one", text != NULL ? text : shorter);
  if (shorter != NULL && strlen (shorter) > short_max)
    broken ("a text longer than asked for", shorter);
  /* Cut at a character of the same text: a beginning of it, unless bytes
   * that were not UTF-8 were replaced, which may fall otherwise. */
  if (text != NULL && strstr (text, "\xef\xbf\xbd") == NULL && !g_str_has_prefix (text, shorter))
    broken ("a shorter text that does not begin the text", shorter);
}

/* Every part with a Content-ID among the first few leaves must be found
 * by it: the first with that Content-ID, maybe another. The walk is the
 * engine's (depth first, parts in order, a message/rfc822 part a leaf),
 * kept well within its limits. */
static void
check_content_ids (GMimeMessage *message)
{
  g_autoptr(GPtrArray) pending = g_ptr_array_new ();
  g_autoptr(GArray) depths = g_array_new (FALSE, FALSE, sizeof (guint));
  GMimeObject *root = g_mime_message_get_mime_part (message);
  guint zero = 0;

  if (root == NULL)
    return;
  g_ptr_array_add (pending, root);
  g_array_append_val (depths, zero);
  for (guint seen = 0; pending->len > 0 && seen < 50; seen++)
    {
      GMimeObject *object = g_ptr_array_steal_index (pending, pending->len - 1);
      guint depth = g_array_index (depths, guint, depths->len - 1);
      const char *id;

      g_array_set_size (depths, depths->len - 1);
      if (GMIME_IS_MULTIPART (object))
        {
          guint next = depth + 1;

          if (depth >= 8)
            return;
          for (int i = g_mime_multipart_get_count (GMIME_MULTIPART (object)) - 1; i >= 0; i--)
            {
              g_ptr_array_add (pending, g_mime_multipart_get_part (GMIME_MULTIPART (object), i));
              g_array_append_val (depths, next);
            }
          continue;
        }
      id = g_mime_object_get_content_id (object);
      if (id != NULL && GMIME_IS_PART (object))
        {
          GMimePart *found = satchel_mime_find_content_id (message, id);
          const char *found_id = found != NULL ? g_mime_object_get_content_id (GMIME_OBJECT (found))
                                               : NULL;

          if (found_id == NULL || g_ascii_strcasecmp (found_id, id) != 0)
            broken ("a Content-ID that finds no part", id);
          /* What a cid: URL loads. */
          g_bytes_unref (satchel_mime_part_get_bytes (GMIME_OBJECT (found)));
        }
    }
}

/* What the reader shows of each attachment. */
static void
check_attachments (GMimeMessage *message)
{
  g_autoptr(GPtrArray) attachments = satchel_mime_get_attachments (message);

  for (guint i = 0; i < attachments->len; i++)
    {
      GMimeObject *part = g_ptr_array_index (attachments, i);
      g_autofree char *type = g_mime_content_type_get_mime_type (
        g_mime_object_get_content_type (part));
      g_autofree char *filename = NULL;

      if (!satchel_mime_is_attachment (part, FALSE))
        broken ("an attachment that is not one", type);
      /* What opening and saving it writes out. */
      g_bytes_unref (satchel_mime_part_get_bytes (part));
      filename = satchel_mime_part_dup_filename (part);
      check_text ("file name", filename);
    }
  {
    GMimePart *found = satchel_mime_find_content_id (message, "Part1@Fuzz.Invalid");
    const char *found_id = found != NULL ? g_mime_object_get_content_id (GMIME_OBJECT (found))
                                         : NULL;

    if (found != NULL && g_ascii_strcasecmp (found_id, "part1@fuzz.invalid") != 0)
      broken ("a Content-ID that finds another part", found_id);
  }
}

/* The reader answers a message from what it parsed. */
static void
check_answers (GMimeMessage *message)
{
  g_autoptr(SatchelDraft) reply = satchel_draft_new ();
  g_autoptr(SatchelDraft) forward = satchel_draft_new ();
  g_autoptr(SatchelDraft) attached = satchel_draft_new ();
  SatchelDraft *drafts[] = { reply, forward, attached };

  satchel_draft_reply (reply, message, TRUE, "me@example.org");
  satchel_draft_forward (forward, message, FALSE);
  satchel_draft_forward (attached, message, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (drafts); i++)
    {
      g_autoptr(GMimeMessage) built = NULL;
      g_autoptr(GError) error = NULL;

      check_text ("draft subject", drafts[i]->subject);
      check_text ("draft quote", drafts[i]->quoted);
      for (guint j = 0; j < drafts[i]->to->len; j++)
        check_text ("draft To", g_ptr_array_index (drafts[i]->to, j));
      for (guint j = 0; j < drafts[i]->cc->len; j++)
        check_text ("draft Cc", g_ptr_array_index (drafts[i]->cc, j));
      drafts[i]->from_address = g_strdup ("me@example.org");
      built = satchel_draft_build (drafts[i], &error);
      if ((built == NULL) == (error == NULL))
        broken ("a draft neither built nor refused", drafts[i]->subject);
      if (built != NULL)
        g_bytes_unref (satchel_mime_to_bytes (built));
    }
}

/* A critical or a warning is a bug, as under the tests' G_DEBUG=
 * fatal-warnings; but GLib's own way to make them fatal traps, which
 * libFuzzer does not catch: abort instead, for a crash report and the
 * input that caused it. */
static gboolean
is_fatal (GLogLevelFlags level)
{
  return (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) != 0;
}

static void
log_cb (const char     *domain,
        GLogLevelFlags  level,
        const char     *message,
        gpointer        data)
{
  g_log_default_handler (domain, level, message, data);
  if (is_fatal (level))
    abort ();
}

static GLogWriterOutput
log_writer_cb (GLogLevelFlags   level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         data)
{
  GLogWriterOutput output = g_log_writer_default (level, fields, n_fields, data);

  if (is_fatal (level))
    abort ();
  return output;
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_default_handler (log_cb, NULL);
  g_log_set_writer_func (log_writer_cb, NULL, NULL);
  satchel_gmime_ensure_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GMimeMessage) message = NULL;

  if (size > MAX_MESSAGE)
    return 0;
  raw = g_bytes_new (data, size);
  message = satchel_mime_parse (raw);
  if (message == NULL)
    return 0;
  check_headers (message, raw);
  /* A shorter text's length that varies with the input, so that cuts
   * fall everywhere. */
  check_texts (message, size % 256);
  check_attachments (message);
  check_content_ids (message);
  check_answers (message);
  return 0;
}
