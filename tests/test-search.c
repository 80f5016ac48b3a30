/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-search.c: the search bar's words and operators over the store
 *
 * Copyright 2026 The Satchel authors
 */

#include "config.h"

#include "satchel-engine.h"
#include "satchel-test-utils.h"

typedef struct
{
  char         *dir;
  SatchelStore *store;
  gint64        inbox;
  gint64        archive;
} Fixture;

static const struct
{
  const char *folder;
  const char *from;
  const char *to;
  const char *subject;
  guint       flags;
  gboolean    attachment;
} mail[] = {
  { "INBOX", "Ada Lovelace <ada@example.org>", "bob@example.org", "Lunch on Friday", 0, FALSE },
  { "INBOX", "Carol <carol@example.org>", "bob@example.org, dave@example.org",
    "Friday lunch menu", SATCHEL_FLAG_SEEN, TRUE },
  { "INBOX", "ada@example.org", "erin@example.org", "Budget 100% approved",
    SATCHEL_FLAG_SEEN | SATCHEL_FLAG_FLAGGED, FALSE },
  { "Archive", "Ada Lovelace <ada@example.org>", "bob@example.org", "Old lunch", SATCHEL_FLAG_SEEN,
    FALSE },
  { "INBOX", "under_score@example.org", "bob@example.org", "Quotes \"and\" stars*", 0, FALSE },
};

static gint64
add_folder (SatchelStore *store,
            const char   *name)
{
  g_autoptr(GError) error = NULL;
  SatchelFolderInfo folder = { 0 };
  gint64 id;

  folder.account_id = 1;
  folder.name = (char *) name;
  id = satchel_store_save_folder (store, &folder, &error);
  g_assert_no_error (error);
  return id;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = satchel_test_make_dir ();
  fixture->store = satchel_test_open_store (fixture->dir, "bob@example.org");
  fixture->inbox = add_folder (fixture->store, "INBOX");
  fixture->archive = add_folder (fixture->store, "Archive");
  for (guint i = 0; i < G_N_ELEMENTS (mail); i++)
    {
      SatchelMessageSummary summary = { 0 };

      summary.uid = i + 1;
      summary.sender = mail[i].from;
      summary.to = mail[i].to;
      summary.subject = mail[i].subject;
      summary.flags = mail[i].flags;
      summary.has_attachments = mail[i].attachment;
      summary.date = 1700000000 + i;
      g_assert_cmpint (satchel_store_add_message (fixture->store,
                                                  g_str_equal (mail[i].folder, "INBOX")
                                                  ? fixture->inbox : fixture->archive,
                                                  &summary, NULL, &error), >, 0);
      g_assert_no_error (error);
    }
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_finalize_object (fixture->store);
  satchel_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
}

/* The subjects found, newest first, joined by "|". */
static char *
found (Fixture    *fixture,
       const char *query,
       gint64      folder_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = satchel_query_search (fixture->store, query, 0, folder_id, 0,
                                                    &error);
  g_autoptr(GString) out = g_string_new (NULL);

  g_assert_no_error (error);
  g_assert_nonnull (rows);
  for (guint i = 0; i < rows->len; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? "|" : "",
                            ((SatchelMessageRow *) g_ptr_array_index (rows, i))->subject);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

#define assert_found(query, folder, expected) \
  G_STMT_START { \
    g_autofree char *subjects_ = found (fixture, (query), (folder)); \
    g_assert_cmpstr (subjects_, ==, (expected)); \
  } G_STMT_END

static void
test_words (Fixture       *fixture,
            gconstpointer  data)
{
  /* Every word, anywhere, in any order; any case. */
  assert_found ("lunch", 0, "Old lunch|Friday lunch menu|Lunch on Friday");
  assert_found ("FRIDAY lunch", 0, "Friday lunch menu|Lunch on Friday");
  /* A phrase keeps its order. */
  assert_found ("\"friday lunch\"", 0, "Friday lunch menu");
  /* Addresses are words too. */
  assert_found ("carol", 0, "Friday lunch menu");
  /* The folder shown, or all. */
  assert_found ("lunch", fixture->archive, "Old lunch");
  assert_found ("nothing-like-it", 0, "");
  assert_found ("   ", 0, "");
}

static void
test_operators (Fixture       *fixture,
                gconstpointer  data)
{
  assert_found ("from:ada", 0, "Old lunch|Budget 100% approved|Lunch on Friday");
  assert_found ("from:\"Ada Lovelace\" lunch", fixture->inbox, "Lunch on Friday");
  assert_found ("to:dave", 0, "Friday lunch menu");
  assert_found ("to:bob from:carol", 0, "Friday lunch menu");
  assert_found ("subject:friday", 0, "Friday lunch menu|Lunch on Friday");
  /* A name in the addresses is not in the subject. */
  assert_found ("subject:carol", 0, "");
  assert_found ("has:attachment", 0, "Friday lunch menu");
  assert_found ("is:unread", 0, "Quotes \"and\" stars*|Lunch on Friday");
  assert_found ("is:starred", 0, "Budget 100% approved");
  assert_found ("is:read lunch", fixture->inbox, "Friday lunch menu");
  /* Not an operator: words. */
  assert_found ("menu:x", 0, "");
}

/* Whatever the user types is text: no FTS5 or SQL syntax, no wildcard. */
static void
test_hostile (Fixture       *fixture,
              gconstpointer  data)
{
  static const char *queries[] = {
    "\"", "\"\"", "*", "stars*", "NEAR(a b)", "a AND OR NOT", "subject:", ":", "from:",
    "from:\"", "x' OR 1=1 --", "%", "from:%", "from:_", "(", ")", "^lunch", "subject:\"\"",
  };

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autofree char *subjects = found (fixture, queries[i], 0);

      g_test_message ("%s → %s", queries[i], subjects);
    }
  /* % and _ are themselves, not LIKE's wildcards. */
  assert_found ("from:%", 0, "");
  assert_found ("from:_", 0, "Quotes \"and\" stars*");
  assert_found ("from:under_score", 0, "Quotes \"and\" stars*");
  assert_found ("100%", 0, "Budget 100% approved");
  assert_found ("stars*", 0, "Quotes \"and\" stars*");
}

int
main (int   argc,
      char *argv[])
{
  satchel_test_init (&argc, &argv);

  g_test_add ("/search/words", Fixture, NULL, fixture_set_up, test_words, fixture_tear_down);
  g_test_add ("/search/operators", Fixture, NULL, fixture_set_up, test_operators,
              fixture_tear_down);
  g_test_add ("/search/hostile", Fixture, NULL, fixture_set_up, test_hostile,
              fixture_tear_down);

  return g_test_run ();
}
