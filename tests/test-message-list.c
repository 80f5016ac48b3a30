/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-message-list.c: a folder's messages as a lazily read list model
 *
 * Copyright 2026 The Satchel authors
 */

#include "config.h"

#include "satchel-engine.h"
#include "satchel-test-utils.h"

#define COUNT 1000

typedef struct
{
  char         *dir;
  SatchelStore *store;
  gint64        folder;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SatchelFolderInfo folder = { 0 };

  fixture->dir = satchel_test_make_dir ();
  fixture->store = satchel_test_open_store (fixture->dir, "a@example.org");
  folder.account_id = 1;
  folder.name = (char *) "INBOX";
  fixture->folder = satchel_store_save_folder (fixture->store, &folder, &error);
  g_assert_no_error (error);

  g_assert_true (satchel_store_begin (fixture->store, &error));
  for (guint i = 1; i <= COUNT; i++)
    {
      g_autofree char *subject = g_strdup_printf ("Message %u", i);
      SatchelMessageSummary summary = { 0 };

      summary.uid = i;
      summary.subject = subject;
      /* Two messages a day apart at most share a date: the id orders them. */
      summary.date = 1700000000 + (i / 2) * 86400;
      satchel_store_add_message (fixture->store, fixture->folder, &summary, NULL, &error);
      g_assert_no_error (error);
    }
  g_assert_true (satchel_store_commit (fixture->store, &error));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_finalize_object (fixture->store);
  satchel_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
}

static guint
uid_at (GListModel *model,
        guint       position)
{
  g_autoptr(SatchelMessageItem) item = g_list_model_get_item (model, position);

  g_assert_nonnull (item);
  return satchel_message_item_get_row (item)->uid;
}

static void
test_order_and_laziness (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(SatchelMessageList) list = satchel_message_list_new (fixture->store, fixture->folder);
  GListModel *model = G_LIST_MODEL (list);
  guint previous_uid = G_MAXUINT;
  gint64 previous_date = G_MAXINT64;

  /* Its length is known before any row is read. */
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, COUNT);
  g_assert_cmpuint (satchel_message_list_get_pages_loaded (list), ==, 0);
  g_assert_true (g_list_model_get_item_type (model) == SATCHEL_TYPE_MESSAGE_ITEM);

  /* The last row alone reads one page. */
  g_assert_cmpuint (uid_at (model, COUNT - 1), ==, 1);
  g_assert_cmpuint (satchel_message_list_get_pages_loaded (list), ==, 1);
  g_assert_null (g_list_model_get_item (model, COUNT));

  /* Newest first, same dates by id, every message once. */
  for (guint i = 0; i < COUNT; i++)
    {
      g_autoptr(SatchelMessageItem) item = g_list_model_get_item (model, i);
      const SatchelMessageRow *row = satchel_message_item_get_row (item);

      g_assert_true (row->date < previous_date ||
                     (row->date == previous_date && row->uid < previous_uid));
      previous_date = row->date;
      previous_uid = row->uid;
    }
  g_assert_cmpuint (uid_at (model, 0), ==, COUNT);
  /* 1000 rows are 8 pages of 128: the last one was read already. */
  g_assert_cmpuint (satchel_message_list_get_pages_loaded (list), ==, 8);
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  GString    *log)
{
  g_string_append_printf (log, "%u-%u+%u;", position, removed, added);
}

static void
notify_cb (GObject    *item,
           GParamSpec *pspec,
           guint      *notified)
{
  (*notified)++;
}

/* A reload says only which places changed; an item that someone holds
 * (the selection) stays the same object and takes its new flags. */
static void
test_reload (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(SatchelMessageList) list = satchel_message_list_new (fixture->store, fixture->folder);
  GListModel *model = G_LIST_MODEL (list);
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelMessageItem) held = NULL;
  g_autoptr(SatchelMessageItem) again = NULL;
  SatchelMessageSummary summary = { 0 };
  guint notified = 0;

  g_signal_connect (list, "items-changed", G_CALLBACK (items_changed_cb), log);
  held = g_list_model_get_item (model, 10);
  g_assert_cmpuint (satchel_message_item_get_row (held)->flags & SATCHEL_FLAG_SEEN, ==, 0);
  g_signal_connect (held, "notify::row", G_CALLBACK (notify_cb), &notified);

  /* New mail: one place at the top. */
  summary.uid = COUNT + 1;
  summary.subject = "Newest";
  summary.date = G_MAXINT32;
  satchel_store_add_message (fixture->store, fixture->folder, &summary, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (satchel_message_list_reload (list, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (log->str, ==, "0-0+1;");
  g_assert_cmpuint (uid_at (model, 0), ==, COUNT + 1);
  g_assert_cmpuint (notified, ==, 0);

  /* Read elsewhere: no place changes, the held item says it changed. */
  g_assert_true (satchel_store_set_message_flags (fixture->store, fixture->folder,
                                                  satchel_message_item_get_row (held)->uid,
                                                  SATCHEL_FLAG_SEEN, NULL, 0, &error));
  g_assert_true (satchel_message_list_reload (list, &error));
  g_assert_cmpstr (log->str, ==, "0-0+1;");
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpuint (satchel_message_item_get_row (held)->flags & SATCHEL_FLAG_SEEN, !=, 0);
  again = g_list_model_get_item (model, 11);
  g_assert_true (again == held);

  /* Deleted: its place goes. */
  g_assert_true (satchel_store_delete_uids (fixture->store, fixture->folder,
                                            (guint32[]) { COUNT }, 1, &error));
  g_assert_true (satchel_message_list_reload (list, &error));
  g_assert_cmpstr (log->str, ==, "0-0+1;1-1+0;");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, COUNT);

  /* An empty folder is an empty list. */
  {
    g_autoptr(SatchelMessageList) empty = satchel_message_list_new (fixture->store, 999);

    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (empty)), ==, 0);
    g_assert_null (g_list_model_get_item (G_LIST_MODEL (empty), 0));
  }
}

/* Every account's Inbox in one list: newest first across them, nothing
 * of their other folders. */
static void
test_all_inboxes (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelMessageList) list = NULL;
  g_autoptr(SatchelMessageItem) first = NULL;
  SatchelFolderInfo folder = { 0 };
  SatchelMessageSummary summary = { 0 };
  gint64 home_inbox, home_archive;

  g_assert_true (satchel_store_exec (fixture->store,
                                     "INSERT INTO account (uuid, label, email, kind, host, "
                                     "security, user, created) VALUES ('u2', 'Home', "
                                     "'b@example.org', 'imap', 'h', 'tls', 'b', 0)", &error));
  g_assert_true (satchel_store_exec (fixture->store, "UPDATE folder SET role = 'inbox'", &error));
  folder.account_id = 2;
  folder.name = (char *) "INBOX";
  folder.role = SATCHEL_FOLDER_ROLE_INBOX;
  home_inbox = satchel_store_save_folder (fixture->store, &folder, &error);
  folder.name = (char *) "Archive";
  folder.role = SATCHEL_FOLDER_ROLE_ARCHIVE;
  home_archive = satchel_store_save_folder (fixture->store, &folder, &error);
  g_assert_no_error (error);

  summary.uid = 1;
  summary.subject = "Newest, at home";
  summary.date = G_MAXINT32;
  satchel_store_add_message (fixture->store, home_inbox, &summary, NULL, &error);
  summary.subject = "Archived";
  satchel_store_add_message (fixture->store, home_archive, &summary, NULL, &error);
  g_assert_no_error (error);

  list = satchel_message_list_new (fixture->store, SATCHEL_ALL_INBOXES);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, COUNT + 1);
  first = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_cmpstr (satchel_message_item_get_row (first)->subject, ==, "Newest, at home");
  g_assert_cmpuint (uid_at (G_LIST_MODEL (list), 1), ==, COUNT);
  g_assert_cmpuint (uid_at (G_LIST_MODEL (list), COUNT), ==, 1);
  /* All unread: the fixture's and the one at home. */
  g_assert_cmpuint (satchel_query_unread_in_inboxes (fixture->store), ==, COUNT + 1);
}

/* What the notifier starts from: the Inbox's last message once the
 * Inbox was brought in whole, -1 before (an IMAP Inbox whose first sync
 * did not end: no UIDVALIDITY stored; a POP3 account never checked to
 * the end), so that the rest of an interrupted first sync is not "new
 * mail" in the next run. */
static void
test_inbox_last_id (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 last = satchel_test_query_int (fixture->store, "SELECT max (id) FROM message");

  /* No Inbox at all. */
  g_assert_cmpint (satchel_query_inbox_last_id (fixture->store, 1), ==, -1);
  g_assert_true (satchel_store_exec (fixture->store, "UPDATE folder SET role = 'inbox'", &error));
  /* 1000 messages, but the first sync never ended. */
  g_assert_cmpint (satchel_query_inbox_last_id (fixture->store, 1), ==, -1);
  g_assert_true (satchel_store_set_folder_state (fixture->store, fixture->folder, 7, 1001, 0,
                                                 &error));
  g_assert_cmpint (satchel_query_inbox_last_id (fixture->store, 1), ==, last);
  g_assert_true (satchel_store_exec (fixture->store, "DELETE FROM message", &error));
  g_assert_cmpint (satchel_query_inbox_last_id (fixture->store, 1), ==, 0);

  /* POP3: the account's last complete check says it. */
  g_assert_true (satchel_store_exec (fixture->store,
                                     "UPDATE account SET kind = 'pop3'; "
                                     "UPDATE folder SET uidvalidity = NULL", &error));
  g_assert_cmpint (satchel_query_inbox_last_id (fixture->store, 1), ==, -1);
  g_assert_true (satchel_store_pop3_set_checked (fixture->store, 1, 1700000000, &error));
  g_assert_cmpint (satchel_query_inbox_last_id (fixture->store, 1), ==, 0);
  g_assert_no_error (error);
}

static void
add_mail (Fixture    *fixture,
          gint64      folder,
          guint       uid,
          const char *message_id,
          const char *in_reply_to,
          gint64      date)
{
  g_autoptr(GError) error = NULL;
  SatchelMessageSummary summary = { 0 };

  summary.uid = uid;
  summary.message_id = message_id;
  summary.in_reply_to = in_reply_to;
  summary.subject = message_id;
  summary.date = date;
  satchel_store_add_message (fixture->store, folder, &summary, NULL, &error);
  g_assert_no_error (error);
}

/* The entry at @position: its subject and how many messages it holds. */
static void
assert_entry (GListModel *model,
              guint       position,
              const char *subject,
              guint       count)
{
  g_autoptr(SatchelMessageItem) item = g_list_model_get_item (model, position);

  g_assert_nonnull (item);
  g_assert_cmpstr (satchel_message_item_get_row (item)->subject, ==, subject);
  g_assert_cmpuint (satchel_message_item_get_count (item), ==, count);
}

static void
count_notify_cb (guint *count)
{
  (*count)++;
}

/* A conversation is one entry, in the place of its newest message in
 * the folder, with the number of its messages there; the others come
 * when asked for, newest first; a reply that arrives moves it up. */
static void
test_conversations (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelMessageList) list = NULL;
  g_autoptr(SatchelMessageItem) head = NULL;
  g_autoptr(GListModel) others = NULL;
  g_autoptr(GString) log = g_string_new (NULL);
  SatchelFolderInfo folder = { 0 };
  gint64 talk, sent;

  folder.account_id = 1;
  folder.name = (char *) "Talk";
  talk = satchel_store_save_folder (fixture->store, &folder, &error);
  folder.name = (char *) "Sent";
  sent = satchel_store_save_folder (fixture->store, &folder, &error);
  g_assert_no_error (error);

  /* Plans: three here, and the user's reply in Sent, which is newer. */
  add_mail (fixture, talk, 1, "<plans@t>", NULL, 1000);
  add_mail (fixture, talk, 2, "<other@t>", NULL, 1500);
  add_mail (fixture, talk, 3, "<re1@t>", "<plans@t>", 2000);
  add_mail (fixture, talk, 4, "<alone@t>", NULL, 2500);
  add_mail (fixture, talk, 5, "<re2@t>", "<re1@t>", 3000);
  add_mail (fixture, sent, 1, "<mine@t>", "<re2@t>", 4000);

  list = satchel_message_list_new (fixture->store, talk);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 3);
  assert_entry (G_LIST_MODEL (list), 0, "<re2@t>", 3);
  assert_entry (G_LIST_MODEL (list), 1, "<alone@t>", 1);
  assert_entry (G_LIST_MODEL (list), 2, "<other@t>", 1);

  head = g_list_model_get_item (G_LIST_MODEL (list), 0);
  others = satchel_message_list_dup_conversation (list, head);
  g_assert_nonnull (others);
  g_assert_cmpuint (g_list_model_get_n_items (others), ==, 2);
  assert_entry (others, 0, "<re1@t>", 1);
  assert_entry (others, 1, "<plans@t>", 1);
  {
    g_autoptr(SatchelMessageItem) alone = g_list_model_get_item (G_LIST_MODEL (list), 1);

    g_assert_null (satchel_message_list_dup_conversation (list, alone));
  }

  /* Opened: its others below it, newest first, one level in, and still
   * there after a reload; closed again. */
  satchel_message_list_set_expanded (list, 0, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 5);
  assert_entry (G_LIST_MODEL (list), 1, "<re1@t>", 1);
  assert_entry (G_LIST_MODEL (list), 2, "<plans@t>", 1);
  assert_entry (G_LIST_MODEL (list), 3, "<alone@t>", 1);
  {
    g_autoptr(SatchelMessageItem) other = g_list_model_get_item (G_LIST_MODEL (list), 2);

    g_assert_cmpuint (satchel_message_item_get_depth (other), ==, 1);
    g_assert_true (satchel_message_item_get_expanded (head));
  }
  g_assert_true (satchel_message_list_reload (list, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 5);
  satchel_message_list_set_expanded (list, 0, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 3);
  g_assert_false (satchel_message_item_get_expanded (head));

  /* A late reply to the oldest conversation but one: it comes first,
   * with one more message; "Plans" keeps its entry. */
  g_signal_connect (list, "items-changed", G_CALLBACK (items_changed_cb), log);
  add_mail (fixture, talk, 6, "<re-other@t>", "<other@t>", 5000);
  g_assert_true (satchel_message_list_reload (list, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 3);
  g_assert_cmpstr (log->str, ==, "0-3+3;");
  assert_entry (G_LIST_MODEL (list), 0, "<re-other@t>", 2);
  assert_entry (G_LIST_MODEL (list), 1, "<re2@t>", 3);

  /* A closed conversation is unread while any of its messages is: here
   * its newest is read, an older one not. Reading that one changes the
   * row that stands for it, not its place in the list. */
  {
    g_autoptr(SatchelMessageItem) plans = g_list_model_get_item (G_LIST_MODEL (list), 1);
    guint notified = 0;

    g_assert_cmpuint (satchel_message_item_get_unread (plans), ==, 3);
    g_assert_true (satchel_store_set_message_flags (fixture->store, talk, 5, SATCHEL_FLAG_SEEN,
                                                    NULL, 0, &error));
    g_assert_true (satchel_store_set_message_flags (fixture->store, talk, 1, SATCHEL_FLAG_SEEN,
                                                    NULL, 0, &error));
    g_string_truncate (log, 0);
    g_signal_connect_swapped (plans, "notify::row", G_CALLBACK (count_notify_cb), &notified);
    g_assert_true (satchel_message_list_reload (list, &error));
    g_assert_cmpuint (satchel_message_item_get_unread (plans), ==, 1);
    g_assert_cmpuint (notified, >, 0);
    g_assert_true (satchel_store_set_message_flags (fixture->store, talk, 3, SATCHEL_FLAG_SEEN,
                                                    NULL, 0, &error));
    notified = 0;
    g_assert_true (satchel_message_list_reload (list, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (satchel_message_item_get_unread (plans), ==, 0);
    g_assert_cmpuint (notified, ==, 1);
    g_assert_cmpstr (log->str, ==, "");

    /* Opened, its newest stands for itself alone. */
    satchel_message_list_set_expanded (list, 1, TRUE);
    g_assert_true (satchel_store_set_message_flags (fixture->store, talk, 3, 0, NULL, 0, &error));
    g_assert_true (satchel_message_list_reload (list, &error));
    g_assert_cmpuint (satchel_message_item_get_unread (plans), ==, 0);
    satchel_message_list_set_expanded (list, 1, FALSE);
    g_assert_cmpuint (satchel_message_item_get_unread (plans), ==, 1);
  }
}

int
main (int   argc,
      char *argv[])
{
  satchel_test_init (&argc, &argv);

  g_test_add ("/message-list/order-and-laziness", Fixture, NULL, fixture_set_up,
              test_order_and_laziness, fixture_tear_down);
  g_test_add ("/message-list/reload", Fixture, NULL, fixture_set_up, test_reload,
              fixture_tear_down);
  g_test_add ("/message-list/inbox-last-id", Fixture, NULL, fixture_set_up, test_inbox_last_id,
              fixture_tear_down);
  g_test_add ("/message-list/all-inboxes", Fixture, NULL, fixture_set_up, test_all_inboxes,
              fixture_tear_down);
  g_test_add ("/message-list/conversations", Fixture, NULL, fixture_set_up, test_conversations,
              fixture_tear_down);
  return g_test_run ();
}
