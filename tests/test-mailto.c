/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-mailto.c: drafts from mailto: links (RFC 6068)
 *
 * Copyright 2026 The Satchel authors
 */

#include "config.h"

#include "mime/satchel-composer.h"
#include "satchel-test-utils.h"

static char *
joined (GPtrArray *list)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < list->len; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? " | " : "", (char *) g_ptr_array_index (list, i));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The examples of RFC 6068, section 6, and what they must give. */
static void
test_mailto_rfc_examples (void)
{
  static const struct {
    const char *uri;
    const char *to;
    const char *cc;
    const char *subject;
    const char *body;
  } cases[] = {
    { "mailto:chris@example.com", "chris@example.com", "", NULL, NULL },
    { "mailto:infobot@example.com?subject=current-issue", "infobot@example.com", "",
      "current-issue", NULL },
    { "mailto:infobot@example.com?body=send%20current-issue", "infobot@example.com", "", NULL,
      "send current-issue" },
    { "mailto:infobot@example.com?body=send%20current-issue%0D%0Asend%20index",
      "infobot@example.com", "", NULL, "send current-issue\nsend index" },
    { "mailto:list@example.org?In-Reply-To=%3C3469A91.D10AF4C@example.com%3E",
      "list@example.org", "", NULL, NULL },
    { "mailto:joe@example.com?cc=bob@example.com&body=hello", "joe@example.com",
      "bob@example.com", NULL, "hello" },
    { "mailto:gorby%25kremvax@example.com", "gorby%kremvax@example.com", "", NULL, NULL },
    { "mailto:?to=joe@example.com&cc=bob@example.com&body=hello", "joe@example.com",
      "bob@example.com", NULL, "hello" },
    { "mailto:joe@example.com?cc=bob@example.com?body=hello", "joe@example.com",
      "bob@example.com?body=hello", NULL, NULL },
    { "mailto:user@example.org?subject=caf%C3%A9", "user@example.org", "", "café", NULL },
    { "MAILTO:a@example.org,b@example.org?SUBJECT=Hi&To=c@example.org", "a@example.org | "
      "b@example.org | c@example.org", "", "Hi", NULL },
    { "mailto:a@example.org?subject=1+1%3D2", "a@example.org", "", "1+1=2", NULL },
    /* The launcher's New Message. */
    { "mailto:", "", "", NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) ignored = NULL;
      SatchelDraft *draft = satchel_draft_new_from_mailto (cases[i].uri, &ignored, &error);
      g_autofree char *to = NULL;
      g_autofree char *cc = NULL;

      g_test_message ("%s", cases[i].uri);
      g_assert_no_error (error);
      g_assert_nonnull (draft);
      to = joined (draft->to);
      cc = joined (draft->cc);
      g_assert_cmpstr (to, ==, cases[i].to);
      g_assert_cmpstr (cc, ==, cases[i].cc);
      g_assert_cmpstr (draft->subject, ==, cases[i].subject);
      g_assert_cmpstr (draft->body, ==, cases[i].body);
      g_assert_null (ignored);
      satchel_draft_free (draft);
    }
}

/* A link never attaches a file: what it asked for is only reported. */
static void
test_mailto_attach_ignored (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ignored = NULL;
  SatchelDraft *draft = satchel_draft_new_from_mailto ("mailto:a@example.org?attach=%2Fetc%2F"
                                                       "passwd&Attachment=~/.ssh/id_rsa&"
                                                       "subject=x", &ignored, &error);

  g_assert_no_error (error);
  g_assert_nonnull (draft);
  g_assert_cmpuint (draft->attachments->len, ==, 0);
  g_assert_nonnull (ignored);
  g_assert_cmpuint (g_strv_length (ignored), ==, 2);
  g_assert_cmpstr (ignored[0], ==, "/etc/passwd");
  g_assert_cmpstr (ignored[1], ==, "~/.ssh/id_rsa");
  g_assert_cmpstr (draft->subject, ==, "x");
  satchel_draft_free (draft);
}

static void
test_mailto_invalid (void)
{
  static const char *bad[] = {
    "http://example.org", "mailto:a@example.org?subject=%", "mailto:a@example.org?subject=%zz",
    "mailto:a@example.org?subject=a%00b", "mailto:a@example.org?subject=%C3", "mailto",
    "mailto:a@example.org?subject",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", bad[i]);
      g_assert_null (satchel_draft_new_from_mailto (bad[i], NULL, &error));
      g_assert_error (error, G_URI_ERROR, G_URI_ERROR_FAILED);
    }
  {
    g_autofree char *huge = g_strnfill (70 * 1024, 'a');
    g_autofree char *uri = g_strconcat ("mailto:a@example.org?body=", huge, NULL);
    g_autoptr(GError) error = NULL;

    g_assert_null (satchel_draft_new_from_mailto (uri, NULL, &error));
    g_assert_nonnull (error);
  }
}

int
main (int   argc,
      char *argv[])
{
  satchel_test_init (&argc, &argv);

  g_test_add_func ("/mailto/rfc-examples", test_mailto_rfc_examples);
  g_test_add_func ("/mailto/attach-ignored", test_mailto_attach_ignored);
  g_test_add_func ("/mailto/invalid", test_mailto_invalid);
  return g_test_run ();
}
