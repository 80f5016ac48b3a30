/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-window.c: the application's window, started as a user starts it
 *
 * Copyright 2026 The Satchel authors
 *
 * Each test runs SatchelApplication with g_application_run() and a profile
 * of its own, looks at the window once it is shown, acts on it, and quits.
 * Needs an X server (build-aux/test provides Xvfb).
 */

#include "config.h"

#include <fcntl.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include <webkit/webkit.h>

#include "satchel-application.h"
#include "satchel-composer-window.h"
#include "satchel-message-view.h"
#include "satchel-notifier.h"
#include "satchel-tray.h"
#include "satchel-window.h"
#include "satchel-test-utils.h"
#include "satchel-ui-test-utils.h"

/* The message at @position of the list. */
static SatchelMessageItem *
message_at (gpointer model,
            guint    position)
{
  SatchelMessageItem *item = g_list_model_get_item (G_LIST_MODEL (model), position);

  g_assert_true (SATCHEL_IS_MESSAGE_ITEM (item));
  return item;
}

static void
check_first_run (SatchelApplication *app,
                 SatchelWindow      *window)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelAccount) account = NULL;
  SatchelAccountList *accounts = satchel_application_get_accounts (app);
  GtkWidget *button;

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Satchel");
  g_assert_cmpstr (satchel_window_get_page (window), ==, "welcome");
  g_assert_nonnull (find_widget (GTK_WIDGET (window), is_mapped_status_page_titled,
                                 "Add an account to start"));

  /* The button that opens the account wizard is there, usable, and its
   * action is enabled. */
  button = find_widget (GTK_WIDGET (window), is_button_for_action, "app.add-account");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_mapped (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "add-account"));
  g_assert_true (gtk_widget_activate (button));

  /* The window follows the account model: an account added (here as
   * satchel-cli or the wizard would add it) shows, and the first-run page
   * comes back when it is removed. */
  account = satchel_account_new (SATCHEL_ACCOUNT_KIND_IMAP, "ada@example.org");
  g_object_set (account, "host", "imap.example.org", "label", "Work", NULL);
  g_assert_true (satchel_account_list_add (accounts, account, &error));
  g_assert_no_error (error);
  wait_for_draw (GTK_WIDGET (window));
  g_assert_cmpstr (satchel_window_get_page (window), ==, "accounts");
  g_assert_nonnull (find_widget (GTK_WIDGET (window), is_mapped_row_titled, "Work"));

  /* A bound property: the row's title follows the label. */
  g_object_set (account, "label", "Office", NULL);
  wait_for_draw (GTK_WIDGET (window));
  g_assert_nonnull (find_widget (GTK_WIDGET (window), is_mapped_row_titled, "Office"));

  g_assert_true (satchel_account_list_remove (accounts, account, &error));
  wait_for_draw (GTK_WIDGET (window));
  g_assert_cmpstr (satchel_window_get_page (window), ==, "welcome");
}

static void
test_window_first_run (void)
{
  g_autofree char *profile = satchel_test_make_dir ();

  if (!satchel_test_require_servers ())
    return;
  run_app (profile, check_first_run);
  satchel_test_remove_dir (profile);
}

static void
check_existing_accounts (SatchelApplication *app,
                         SatchelWindow      *window)
{
  g_assert_cmpstr (satchel_window_get_page (window), ==, "accounts");
  g_assert_nonnull (find_widget (GTK_WIDGET (window), is_mapped_row_titled, "Saved"));
}

static void
test_window_existing_accounts (void)
{
  g_autofree char *profile = satchel_test_make_dir ();
  g_autofree char *path = g_build_filename (profile, "satchel.db", NULL);
  g_autoptr(GError) error = NULL;

  if (!satchel_test_require_servers ())
    return;

  /* Saved by an earlier run. */
  {
    g_autoptr(SatchelStore) store = satchel_store_open (path, &error);
    g_autoptr(SatchelAccountList) list = satchel_account_list_new (store, &error);
    g_autoptr(SatchelAccount) account = satchel_account_new (SATCHEL_ACCOUNT_KIND_POP3,
                                                             "bob@example.org");

    g_assert_no_error (error);
    g_object_set (account, "host", "pop.example.org", "label", "Saved", NULL);
    g_assert_true (satchel_account_list_add (list, account, &error));
  }
  run_app (profile, check_existing_accounts);
  satchel_test_remove_dir (profile);
}

static void
check_mail (SatchelApplication *app,
            SatchelWindow      *window)
{
  GtkWidget *list = find_widget (GTK_WIDGET (window), is_widget_of_type,
                                 GSIZE_TO_POINTER (GTK_TYPE_LIST_VIEW));
  GtkWidget *reader = find_widget (GTK_WIDGET (window), is_widget_of_type,
                                   GSIZE_TO_POINTER (SATCHEL_TYPE_MESSAGE_VIEW));
  GtkSelectionModel *selection;
  g_autoptr(SatchelMessageItem) first = NULL;
  g_autofree char *text = NULL;

  /* The Inbox opens with the window: its messages, newest first. */
  g_assert_cmpstr (satchel_window_get_page (window), ==, "accounts");
  g_assert_nonnull (find_widget (GTK_WIDGET (window), is_mapped_row_titled, "Mail"));
  g_assert_nonnull (list);
  g_assert_true (gtk_widget_get_mapped (list));
  selection = gtk_list_view_get_model (GTK_LIST_VIEW (list));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (selection)), ==, 3);
  first = message_at (selection, 0);
  g_assert_cmpstr (satchel_message_item_get_row (first)->subject, ==, "Third");

  /* Selecting a message shows it: its headers, and (its body being
   * nowhere) why there is no text. */
  gtk_selection_model_select_item (selection, 0, TRUE);
  wait_for_draw (GTK_WIDGET (window));
  g_assert_true (gtk_widget_get_mapped (reader));
  g_assert_nonnull (find_widget (reader, is_mapped_label, "Third"));
  g_assert_nonnull (find_widget (reader, is_mapped_label, "Ada <ada@example.org>"));
  text = satchel_message_view_dup_shown_text (SATCHEL_MESSAGE_VIEW (reader));
  g_assert_nonnull (strstr (text, "not on this computer"));
}


/* As narrow as a phone: GNOME's smallest window, 360 pixels. */
static gboolean
window_is_narrow (gpointer window)
{
  return gtk_widget_get_width (window) <= 360;
}

static gboolean
is_mapped_back_button (GtkWidget     *widget,
                       gconstpointer  data)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_widget_get_tooltip_text (widget), "Back to the Messages") == 0;
}

static gboolean
is_mapped_flap_button (GtkWidget     *widget,
                       gconstpointer  data)
{
  return GTK_IS_TOGGLE_BUTTON (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_widget_get_tooltip_text (widget), "Folders") == 0;
}

/* A phone-sized window: the folders fold into a flap, and the list and
 * the message take the width in turn. */
static void
check_narrow (SatchelApplication *app,
              SatchelWindow      *window)
{
  GtkWidget *list = find_widget (GTK_WIDGET (window), is_widget_of_type,
                                 GSIZE_TO_POINTER (GTK_TYPE_LIST_VIEW));
  GtkWidget *reader = find_widget (GTK_WIDGET (window), is_widget_of_type,
                                   GSIZE_TO_POINTER (SATCHEL_TYPE_MESSAGE_VIEW));
  GtkSelectionModel *selection = gtk_list_view_get_model (GTK_LIST_VIEW (list));
  GtkWidget *back, *folders;
  g_autofree char *layout = NULL;

  /* GNOME's title bar buttons: the window closes, and that is all
   * (org.gnome.desktop.wm.preferences button-layout); Xvfb's GTK shows
   * three. The first size folds the panes, which makes the header bar
   * narrower; the second is then allowed. */
  g_object_get (gtk_settings_get_default (), "gtk-decoration-layout", &layout, NULL);
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", "appmenu:close", NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
  wait_for_draw (GTK_WIDGET (window));
  gtk_window_set_default_size (GTK_WINDOW (window), 359, 640);
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
  wait_until (window_is_narrow, window, 5);
  wait_for_draw (GTK_WIDGET (window));
  save_screenshot (GTK_WIDGET (window), "narrow-list");
  g_assert_true (gtk_widget_get_mapped (list));
  g_assert_false (gtk_widget_get_mapped (reader));
  g_assert_null (find_widget (GTK_WIDGET (window), is_mapped_row_titled, "Mail"));
  folders = find_widget (GTK_WIDGET (window), is_mapped_flap_button, NULL);
  g_assert_nonnull (folders);

  /* A message opened: it takes the width, with a way back. */
  gtk_selection_model_select_item (selection, 0, TRUE);
  wait_for_draw (GTK_WIDGET (window));
  wait_for_draw (GTK_WIDGET (window));
  g_assert_true (gtk_widget_get_mapped (reader));
  g_assert_false (gtk_widget_get_mapped (list));
  /* As tall as the phone, too. */
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (window)), <=, 640);
  save_screenshot (GTK_WIDGET (window), "narrow-message");
  back = find_widget (GTK_WIDGET (window), is_mapped_back_button, NULL);
  g_assert_nonnull (back);
  g_assert_true (gtk_widget_activate (back));
  wait_for_draw (GTK_WIDGET (window));
  wait_for_draw (GTK_WIDGET (window));
  g_assert_true (gtk_widget_get_mapped (list));

  /* The folders, from the header bar. */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (folders), TRUE);
  wait_for_draw (GTK_WIDGET (window));
  wait_for_draw (GTK_WIDGET (window));
  g_assert_nonnull (find_widget (GTK_WIDGET (window), is_mapped_row_titled, "Mail"));
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", layout, NULL);
}

static void
test_window_mail (void)
{
  g_autofree char *profile = satchel_test_make_dir ();
  g_autofree char *path = g_build_filename (profile, "satchel.db", NULL);
  g_autoptr(GError) error = NULL;

  if (!satchel_test_require_servers ())
    return;

  {
    g_autoptr(SatchelStore) store = satchel_store_open (path, &error);
    g_autoptr(SatchelAccountList) list = satchel_account_list_new (store, &error);
    g_autoptr(SatchelAccount) account = satchel_account_new (SATCHEL_ACCOUNT_KIND_POP3,
                                                             "bob@example.org");
    g_autoptr(SatchelFolderInfo) inbox = NULL;
    const char *subjects[] = { "First", "Second", "Third" };

    g_assert_no_error (error);
    g_object_set (account, "host", "pop.example.org", "label", "Mail", NULL);
    g_assert_true (satchel_account_list_add (list, account, &error));
    inbox = satchel_store_find_folder_by_role (store, satchel_account_get_id (account),
                                               SATCHEL_FOLDER_ROLE_INBOX, &error);
    g_assert_nonnull (inbox);
    for (guint i = 0; i < G_N_ELEMENTS (subjects); i++)
      {
        SatchelMessageSummary summary = { 0 };

        summary.subject = subjects[i];
        summary.sender = "Ada <ada@example.org>";
        summary.to = "bob@example.org";
        summary.date = 1700000000 + i * 3600;
        satchel_store_add_message (store, inbox->id, &summary, NULL, &error);
        g_assert_no_error (error);
      }
  }
  run_app (profile, check_mail);
  run_app (profile, check_narrow);
  satchel_test_remove_dir (profile);
}



static gboolean
service_idle (gpointer app)
{
  return !satchel_mail_service_is_busy (satchel_application_get_mail_service (app));
}

static gboolean
service_busy (gpointer app)
{
  return !service_idle (app);
}

typedef struct
{
  GtkSelectionModel *selection;
  guint              n;
} Count;

static gboolean
has_n_messages (gpointer data)
{
  Count *count = data;

  return g_list_model_get_n_items (G_LIST_MODEL (count->selection)) == count->n;
}

static gboolean
store_finds_two (gpointer app)
{
  g_autoptr(GPtrArray) found = satchel_query_search (satchel_application_get_store (app), "two",
                                                     0, 0, 0, NULL);

  return found != NULL && found->len == 1;
}

/* The reader shows the text of the message "Newer". */
static gboolean
reader_shows_body (gpointer window)
{
  GtkWidget *reader = find_widget (window, is_widget_of_type,
                                   GSIZE_TO_POINTER (SATCHEL_TYPE_MESSAGE_VIEW));
  g_autofree char *text = satchel_message_view_dup_shown_text (SATCHEL_MESSAGE_VIEW (reader));

  return find_widget (reader, is_mapped_label, "Newer") != NULL && text != NULL &&
         strstr (text, "Two") != NULL;
}

/* The reader shows the message's text in @color. */
static gboolean
reader_text_is (gpointer    window,
                const char *color)
{
  GtkWidget *reader = find_widget (window, is_widget_of_type,
                                   GSIZE_TO_POINTER (SATCHEL_TYPE_MESSAGE_VIEW));
  g_autofree char *text = satchel_message_view_dup_shown_text (SATCHEL_MESSAGE_VIEW (reader));
  g_autofree char *style = g_strdup_printf ("color: %s;", color);

  return text != NULL && strstr (text, style) != NULL && strstr (text, "Two") != NULL;
}

/* The store's id of the folder @name, or 0. */
static gint64
folder_id_of (SatchelApplication *app,
              const char         *name)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count (*), max (id) FROM folder "
                                          "WHERE name = '%s'", name);
  SatchelStore *store = satchel_application_get_store (app);
  sqlite3_stmt *stmt = satchel_store_prepare (store, sql, NULL);
  gint64 id = 0;

  g_assert_nonnull (stmt);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int (stmt, 0) > 0)
    id = sqlite3_column_int64 (stmt, 1);
  sqlite3_reset (stmt);
  return id;
}


/* Runs @action, types @name in the dialog it opens (when it asks for one)
 * and answers it as the user would with the suggested button. */
static void
answer_folder_dialog (SatchelWindow *window,
                      const char    *action,
                      const char    *name)
{
  AdwMessageDialog *dialog = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), action, NULL));
  wait_until (dialog_open, &dialog, 5);
  if (name != NULL)
    {
      GtkWidget *entry = adw_message_dialog_get_extra_child (dialog);

      g_assert_true (GTK_IS_EDITABLE (entry));
      gtk_editable_set_text (GTK_EDITABLE (entry), name);
    }
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "ok"));
  press_response (dialog, "ok");
}

/* The folder picker's search entry, open. */
static gboolean
is_search_entry_for (GtkWidget     *widget,
                     gconstpointer  placeholder)
{
  g_autofree char *text = NULL;

  if (!GTK_IS_SEARCH_ENTRY (widget))
    return FALSE;
  g_object_get (widget, "placeholder-text", &text, NULL);
  return g_strcmp0 (text, placeholder) == 0;
}

static gboolean
is_mapped_move_entry (GtkWidget     *widget,
                      gconstpointer  data)
{
  return gtk_widget_get_mapped (widget) && is_search_entry_for (widget, "Move to…");
}

/* The list shows @n search results. */
static gboolean
search_shows (GtkWidget *list,
              guint      n)
{
  GtkSelectionModel *model = gtk_list_view_get_model (GTK_LIST_VIEW (list));

  return model != NULL && g_list_model_get_n_items (G_LIST_MODEL (model)) == n &&
         G_IS_LIST_STORE (gtk_multi_selection_get_model (GTK_MULTI_SELECTION (model)));
}

static gboolean
search_shows_one (gpointer list)
{
  return search_shows (list, 1);
}

static gboolean
search_shows_two (gpointer list)
{
  return search_shows (list, 2);
}

/* The subject of the list's row @i. */
static const char *
subject_at (GtkWidget *list,
            guint      i)
{
  GListModel *shown = G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (list)));
  g_autoptr(SatchelMessageItem) item = g_list_model_get_item (shown, i);

  /* The list holds its items as long as the test looks. */
  return satchel_message_item_get_row (item)->subject;
}

static void deliver (const char *sender,
                     const char *subject,
                     gboolean    seen);

static gboolean
time_passed (gpointer data)
{
  return g_get_monotonic_time () >= *(gint64 *) data;
}

static const char *window_user;
static gboolean window_changed_pin;
static const char *window_password;
static const char *window_email;   /* the account's address: the SMTP server's MAIL FROM */

/* The flags of the one message that the server has in @folder. */
static char *
server_flags (const char *folder,
              guint      *count)
{
  g_autoptr(JsonArray) messages = satchel_test_server_messages (window_user, window_password,
                                                                folder);
  g_autoptr(GString) flags = g_string_new (NULL);

  *count = json_array_get_length (messages);
  if (*count == 0)
    return NULL;
  {
    JsonArray *list = json_object_get_array_member (json_array_get_object_element (messages, 0),
                                                    "flags");

    for (guint i = 0; i < json_array_get_length (list); i++)
      g_string_append_printf (flags, "%s ", json_array_get_string_element (list, i));
  }
  return g_string_free (g_steal_pointer (&flags), FALSE);
}

/* How many messages of @folder have \Flagged on the server. */
static guint
server_count_flagged (const char *folder)
{
  g_autoptr(JsonArray) messages = satchel_test_server_messages (window_user, window_password,
                                                                folder);
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonArray *flags = json_object_get_array_member (json_array_get_object_element (messages, i),
                                                       "flags");

      for (guint f = 0; f < json_array_get_length (flags); f++)
        n += g_str_equal (json_array_get_string_element (flags, f), "\\Flagged");
    }
  return n;
}

/* The user opens Satchel on an IMAP account: the mail arrives, opening a
 * message marks it read on the server, Delete moves it to the server's
 * Trash, and Undo brings it back. */
static void
check_imap (SatchelApplication *app,
            SatchelWindow      *window)
{
  GtkWidget *list = find_widget (GTK_WIDGET (window), is_widget_of_type,
                                 GSIZE_TO_POINTER (GTK_TYPE_LIST_VIEW));
  Count count = { NULL, 2 };
  g_autofree char *flags = NULL;
  g_autoptr(SatchelMessageItem) item = NULL;
  GtkWidget *search;
  GtkWidget *picker;
  GtkWidget *everywhere;
  gint64 later;
  guint n = 0;

  /* The first check brings the Inbox. */
  wait_until (service_idle, app, 30);
  count.selection = gtk_list_view_get_model (GTK_LIST_VIEW (list));
  g_assert_nonnull (count.selection);
  wait_until (has_n_messages, &count, 10);
  g_assert_nonnull (find_widget (GTK_WIDGET (window), is_mapped_row_titled, "Office"));
  item = message_at (count.selection, 0);
  g_assert_cmpstr (satchel_message_item_get_row (item)->subject, ==, "Newer");
  g_assert_cmpuint (satchel_message_item_get_row (item)->flags & SATCHEL_FLAG_SEEN, ==, 0);

  save_screenshot (GTK_WIDGET (window), "mail");

  /* Both selected: starred together, here and on the server. */
  gtk_selection_model_select_all (count.selection);
  wait_for_draw (GTK_WIDGET (window));
  g_assert_nonnull (find_widget (GTK_WIDGET (window), is_mapped_status_page_titled,
                                 "2 Messages Selected"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.star", NULL));
  wait_until (service_idle, app, 30);
  g_assert_cmpuint (server_count_flagged ("INBOX"), ==, 2);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.unstar", NULL));
  wait_until (service_idle, app, 30);
  g_assert_cmpuint (server_count_flagged ("INBOX"), ==, 0);
  gtk_selection_model_unselect_all (count.selection);

  /* Opened: its body comes from the server, and after a moment it is
   * read, here and on the server. */
  gtk_selection_model_select_item (count.selection, 0, TRUE);
  wait_until (reader_shows_body, window, 10);
  /* Its text goes into the store's index: search finds it here. */
  wait_until (store_finds_two, app, 10);
  later = g_get_monotonic_time () + 1500 * G_TIME_SPAN_MILLISECOND;
  wait_until (time_passed, &later, 5);
  save_screenshot (GTK_WIDGET (window), "reading");
  /* The text follows the style to dark, and back. */
  g_assert_true (reader_text_is (window, "rgba(0, 0, 0, 0.8)"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (reader_text_is (window, "#ffffff"));
  save_screenshot (GTK_WIDGET (window), "reading-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
  g_assert_true (reader_text_is (window, "rgba(0, 0, 0, 0.8)"));
  g_assert_cmpuint (satchel_message_item_get_row (item)->flags & SATCHEL_FLAG_SEEN, !=, 0);
  g_assert_true (gtk_selection_model_is_selected (count.selection, 0));
  wait_until (service_idle, app, 30);
  flags = server_flags ("INBOX", &n);
  g_assert_cmpuint (n, ==, 2);
  g_clear_pointer (&flags, g_free);
  {
    g_autoptr(JsonArray) inbox = satchel_test_server_messages (window_user, window_password,
                                                               "INBOX");
    guint seen = 0;

    for (guint i = 0; i < json_array_get_length (inbox); i++)
      {
        JsonArray *list_flags = json_object_get_array_member (
          json_array_get_object_element (inbox, i), "flags");

        for (guint f = 0; f < json_array_get_length (list_flags); f++)
          seen += g_str_equal (json_array_get_string_element (list_flags, f), "\\Seen");
      }
    g_assert_cmpuint (seen, ==, 1);
  }

  /* Deleted: gone from the list, in the Trash on the server. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.delete", NULL));
  count.n = 1;
  wait_until (has_n_messages, &count, 5);
  wait_until (service_idle, app, 30);
  flags = server_flags ("Trash", &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_nonnull (strstr (flags, "\\Seen"));
  g_clear_pointer (&flags, g_free);
  flags = server_flags ("INBOX", &n);
  g_assert_cmpuint (n, ==, 1);

  /* Moved with the folder picker: "arch", Enter. */
  gtk_selection_model_select_item (count.selection, 0, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.move", NULL));
  later = g_get_monotonic_time () + 300 * G_TIME_SPAN_MILLISECOND;
  wait_until (time_passed, &later, 5);
  picker = find_widget (GTK_WIDGET (window), is_mapped_move_entry, NULL);
  g_assert_nonnull (picker);
  gtk_editable_set_text (GTK_EDITABLE (picker), "arch");
  later = g_get_monotonic_time () + 300 * G_TIME_SPAN_MILLISECOND;
  wait_until (time_passed, &later, 5);
  g_signal_emit_by_name (picker, "activate");
  count.n = 0;
  wait_until (has_n_messages, &count, 5);
  wait_until (service_idle, app, 30);
  g_clear_pointer (&flags, g_free);
  flags = server_flags ("Archive", &n);
  g_assert_cmpuint (n, ==, 1);
  g_clear_pointer (&flags, g_free);
  flags = server_flags ("INBOX", &n);
  g_assert_cmpuint (n, ==, 0);

  /* Ctrl+F, a word: the list shows what matches, as it is typed. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL));
  search = find_widget (GTK_WIDGET (window), is_search_entry_for, "Search mail");
  g_assert_true (gtk_widget_get_mapped (search) || gtk_widget_get_visible (search));
  /* The message is in the Archive now: the search looks in all folders. */
  everywhere = find_widget (GTK_WIDGET (window), is_check_button_labelled, "In all folders");
  g_assert_nonnull (everywhere);
  g_assert_false (gtk_check_button_get_active (GTK_CHECK_BUTTON (everywhere)));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (everywhere), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (search), "from:ada older");
  count.selection = NULL;
  wait_until (search_shows_one, list, 5);
  {
    GListModel *results = G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (list)));
    g_autoptr(SatchelMessageItem) hit = message_at (results, 0);

    g_assert_cmpstr (satchel_message_item_get_row (hit)->subject, ==, "Older");
  }
  /* The results follow the store as a folder's list does. Starred among
   * them: the row shows it at once, and stays selected. */
  gtk_selection_model_select_item (gtk_list_view_get_model (GTK_LIST_VIEW (list)), 0, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.star", NULL));
  {
    GListModel *results = G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (list)));
    g_autoptr(SatchelMessageItem) hit = message_at (results, 0);

    g_assert_cmpuint (satchel_message_item_get_row (hit)->flags & SATCHEL_FLAG_FLAGGED, !=, 0);
    g_assert_true (gtk_selection_model_is_selected (GTK_SELECTION_MODEL (results), 0));
  }
  wait_until (service_idle, app, 30);
  /* A check meanwhile, which changes the Inbox behind (empty now) and
   * brings new mail that matches: the results stay, shown, and take it
   * in at its place, the newest first. */
  deliver ("Ada <ada@example.org>", "Older news", FALSE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "app.check-mail", NULL));
  wait_until (search_shows_two, list, 30);
  wait_until (service_idle, app, 30);
  wait_for_draw (GTK_WIDGET (window));
  g_assert_true (search_shows_two (list));
  g_assert_cmpstr (subject_at (list, 0), ==, "Older news");
  g_assert_cmpstr (subject_at (list, 1), ==, "Older");
  g_assert_true (gtk_widget_get_mapped (list));
  save_screenshot (GTK_WIDGET (window), "search");
  /* Deleted from the results: it leaves them, though the search looks in
   * the Trash too. */
  gtk_selection_model_select_item (gtk_list_view_get_model (GTK_LIST_VIEW (list)), 0, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.delete", NULL));
  g_assert_true (search_shows_one (list));
  g_assert_cmpstr (subject_at (list, 0), ==, "Older");
  /* What was selected went with it: nothing is, and the reader says so. */
  g_assert_true (gtk_bitset_is_empty (gtk_selection_model_get_selection (
    gtk_list_view_get_model (GTK_LIST_VIEW (list)))));
  wait_for_draw (GTK_WIDGET (window));
  g_assert_nonnull (find_widget (GTK_WIDGET (window), is_mapped_status_page_titled,
                                 "No Message Selected"));
  wait_until (service_idle, app, 30);
  g_assert_true (search_shows_one (list));
  /* Mail that does not match comes in behind the results. */
  deliver ("Bob <bob@example.org>", "Lunch", FALSE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "app.check-mail", NULL));
  wait_until (service_busy, app, 10);
  wait_until (service_idle, app, 30);
  g_assert_true (search_shows_one (list));
  gtk_editable_set_text (GTK_EDITABLE (search), "from:nobody");
  later = g_get_monotonic_time () + 500 * G_TIME_SPAN_MILLISECOND;
  wait_until (time_passed, &later, 5);
  wait_for_draw (GTK_WIDGET (window));
  g_assert_nonnull (find_widget (GTK_WIDGET (window), is_mapped_status_page_titled,
                                 "No Results"));
  save_screenshot (GTK_WIDGET (window), "search-no-results");

  /* A word only in the body of a message never opened, which the store
   * has not: the server finds it. */
  {
    g_autofree char *file = g_build_filename (g_get_tmp_dir (), "satchel-junk.eml", NULL);

    g_assert_true (g_file_set_contents (file, "From: spam@example.org\r\nSubject: Offer\r\n"
                                              "\r\nA zebracorn for you\r\n", -1, NULL));
    satchel_test_mailctl ("append", window_user, window_password, "Junk", file, NULL);
    g_unlink (file);
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "app.check-mail", NULL));
  wait_until (service_busy, app, 10);
  wait_until (service_idle, app, 30);
  gtk_editable_set_text (GTK_EDITABLE (search), "zebracorn");
  wait_until (search_shows_one, list, 15);
  {
    GListModel *results = G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (list)));
    g_autoptr(SatchelMessageItem) hit = message_at (results, 0);

    g_autoptr(GPtrArray) local = satchel_query_search (satchel_application_get_store (app),
                                                       "zebracorn", 0, 0, 0, NULL);

    g_assert_cmpstr (satchel_message_item_get_row (hit)->subject, ==, "Offer");
    /* The store's index has not the word: the server answered. */
    g_assert_cmpuint (local->len, ==, 0);
  }
  gtk_editable_set_text (GTK_EDITABLE (search), "");
  gtk_search_bar_set_search_mode (GTK_SEARCH_BAR (gtk_widget_get_ancestor (search,
                                                                          GTK_TYPE_SEARCH_BAR)),
                                  FALSE);
  /* Closed: the Inbox again, with what the checks behind the results
   * brought to it. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (
                      GTK_LIST_VIEW (list)))), ==, 1);
  g_assert_cmpstr (subject_at (list, 0), ==, "Lunch");

  /* A folder of one's own: made, renamed and deleted, on the server too. */
  answer_folder_dialog (window, "win.new-folder", "Receipts");
  wait_until (service_idle, app, 30);
  g_assert_true (satchel_test_server_has_folder (window_user, window_password, "Receipts"));
  /* One inside it: the sidebar shows it under it, by the last part of
   * its name. */
  answer_folder_dialog (window, "win.new-folder", "Receipts/2026");
  wait_until (service_idle, app, 30);
  g_assert_true (satchel_test_server_has_folder (window_user, window_password, "Receipts/2026"));
  wait_for_draw (GTK_WIDGET (window));
  g_assert_nonnull (find_widget (GTK_WIDGET (window), is_mapped_label, "2026"));
  g_assert_true (satchel_window_show_folder (window, folder_id_of (app, "Receipts/2026")));
  answer_folder_dialog (window, "win.delete-folder", NULL);
  wait_until (service_idle, app, 30);
  g_assert_false (satchel_test_server_has_folder (window_user, window_password, "Receipts/2026"));
  g_assert_true (satchel_window_show_folder (window, folder_id_of (app, "Receipts")));
  answer_folder_dialog (window, "win.rename-folder", "Bills");
  wait_until (service_idle, app, 30);
  g_assert_false (satchel_test_server_has_folder (window_user, window_password, "Receipts"));
  g_assert_true (satchel_test_server_has_folder (window_user, window_password, "Bills"));
  g_assert_true (satchel_window_show_folder (window, folder_id_of (app, "Bills")));
  answer_folder_dialog (window, "win.delete-folder", NULL);
  wait_until (service_idle, app, 30);
  g_assert_false (satchel_test_server_has_folder (window_user, window_password, "Bills"));
  g_assert_cmpint (folder_id_of (app, "Bills"), ==, 0);
}

/* A profile with an IMAP account of a new user of the test Dovecot (its
 * password in the keyring, or @stored_password), who has @n_mail
 * messages in the Inbox. Runs Satchel on it with @check, checking mail at
 * once. */
static void
run_imap_app (const char * const *mail,
              guint               n_mail,
              const char         *stored_password,
              WindowCheck         check)
{
  g_autofree char *profile = satchel_test_make_dir ();
  g_autofree char *path = g_build_filename (profile, "satchel.db", NULL);
  g_autofree char *file = g_build_filename (profile, "mail.eml", NULL);
  g_autofree char *user = g_strdup_printf ("win%dx%u", (int) getpid (), g_random_int ());
  g_autofree char *password = g_strconcat ("pw-", user, NULL);
  g_autofree char *email = g_strconcat (user, "@example.org", NULL);
  g_autoptr(GError) error = NULL;

  window_user = user;
  window_password = password;
  window_email = email;
  for (guint i = 0; i < n_mail; i++)
    {
      g_assert_true (g_file_set_contents (file, mail[i], -1, NULL));
      satchel_test_mailctl ("append", user, password, "INBOX", file, NULL);
    }

  {
    g_autoptr(SatchelStore) store = satchel_store_open (path, &error);
    g_autoptr(SatchelAccountList) list = satchel_account_list_new (store, &error);
    g_autoptr(SatchelAccount) account = satchel_account_new (SATCHEL_ACCOUNT_KIND_IMAP, email);
    g_autoptr(SatchelSecrets) secrets = satchel_secrets_new ();

    g_assert_no_error (error);
    guint port = (guint) g_ascii_strtoull (g_getenv ("SATCHEL_TEST_IMAPS_PORT"), NULL, 10);

    /* Trusted by its CA file, or (window_changed_pin) by a pin of
     * another certificate than the server's. */
    if (window_changed_pin)
      g_assert_true (satchel_cert_pin_save (store, "localhost", port,
                                            "00112233445566778899aabbccddeeff"
                                            "00112233445566778899aabbccddeeff", NULL, &error));
    g_object_set (account, "host", "localhost", "label", "Office", "real-name", "Zoë",
                  "port", port, "user", user,
                  "ca-file", window_changed_pin ? NULL : g_getenv ("SATCHEL_TEST_CA"),
                  "smtp-host", "localhost", "smtp-user", user,
                  "smtp-port", (guint) g_ascii_strtoull (g_getenv ("SATCHEL_TEST_SMTPS_PORT"),
                                                         NULL, 10), NULL);
    g_assert_true (satchel_account_list_add (list, account, &error));
    g_assert_true (satchel_secrets_store_sync (secrets, satchel_account_get_uuid (account),
                                               email, SATCHEL_SECRET_INCOMING,
                                               stored_password != NULL ? stored_password
                                                                       : password,
                                               NULL, &error));
    g_assert_no_error (error);
  }
  g_setenv ("SATCHEL_CHECK_SECONDS", "3600", TRUE);
  run_app (profile, check);
  g_setenv ("SATCHEL_CHECK_SECONDS", "never", TRUE);
  window_user = window_password = window_email = NULL;
  satchel_test_remove_dir (profile);
}

static void
test_window_imap (void)
{
  const char *mail[] = {
    "From: Ada <ada@example.org>\r\nSubject: Older\r\n"
    "Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nOne\r\n",
    "From: Ada <ada@example.org>\r\nSubject: Newer\r\n"
    "Date: Tue, 3 Nov 2026 10:00:00 +0000\r\n\r\nTwo\r\n",
  };

  if (!satchel_test_require_servers ())
    return;
  run_imap_app (mail, G_N_ELEMENTS (mail), NULL, check_imap);
}

/* A web server on loopback that answers every request with an empty page
 * and remembers each request's path: what a sender's server would learn. */
typedef struct
{
  GSocketService *service;
  guint16         port;
  GMutex          lock;
  GPtrArray      *paths;
} Spy;

static Spy spy;

static gboolean
spy_run_cb (GThreadedSocketService *service,
            GSocketConnection      *connection,
            GObject                *source,
            gpointer                user_data)
{
  g_autoptr(GDataInputStream) in = g_data_input_stream_new (
    g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_autofree char *line = g_data_input_stream_read_line (in, NULL, NULL, NULL);
  static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  g_auto(GStrv) words = line != NULL ? g_strsplit (line, " ", 3) : NULL;

  g_mutex_lock (&spy.lock);
  g_ptr_array_add (spy.paths, g_strdup (words != NULL && words[0] != NULL && words[1] != NULL
                                        ? words[1] : "?"));
  g_mutex_unlock (&spy.lock);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), reply,
                             sizeof reply - 1, NULL, NULL, NULL);
  return TRUE;
}

static guint
spy_count (const char *path)
{
  guint n = 0;

  g_mutex_lock (&spy.lock);
  for (guint i = 0; i < spy.paths->len; i++)
    n += path == NULL || g_str_equal (g_ptr_array_index (spy.paths, i), path);
  g_mutex_unlock (&spy.lock);
  return n;
}

static gboolean
spy_saw_image (gpointer data)
{
  return spy_count ("/pixel.png") > 0;
}

static gboolean
reader_shows_remote (gpointer window)
{
  GtkWidget *reader = find_widget (window, is_widget_of_type,
                                   GSIZE_TO_POINTER (SATCHEL_TYPE_MESSAGE_VIEW));
  g_autofree char *text = satchel_message_view_dup_shown_text (SATCHEL_MESSAGE_VIEW (reader));

  return text != NULL && strstr (text, "pixel.png") != NULL;
}

static gboolean
is_mapped_info_bar (GtkWidget     *widget,
                    gconstpointer  data)
{
  return GTK_IS_INFO_BAR (widget) && gtk_widget_get_mapped (widget);
}

/* HTML mail loads nothing from the network, and runs no script, until the
 * user asks; then images and styles come, and scripts still do not. */
static void
check_remote_content (SatchelApplication *app,
                      SatchelWindow      *window)
{
  GtkWidget *list = find_widget (GTK_WIDGET (window), is_widget_of_type,
                                 GSIZE_TO_POINTER (GTK_TYPE_LIST_VIEW));
  GtkWidget *reader = find_widget (GTK_WIDGET (window), is_widget_of_type,
                                   GSIZE_TO_POINTER (SATCHEL_TYPE_MESSAGE_VIEW));
  Count count = { NULL, 1 };
  GtkWidget *banner;
  gint64 later;

  wait_until (service_idle, app, 30);
  count.selection = gtk_list_view_get_model (GTK_LIST_VIEW (list));
  wait_until (has_n_messages, &count, 10);
  gtk_selection_model_select_item (count.selection, 0, TRUE);
  wait_until (reader_shows_remote, window, 10);

  /* Time for WebKit to load all it would. */
  later = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  wait_until (time_passed, &later, 5);
  g_assert_cmpuint (spy_count (NULL), ==, 0);
  g_assert_true (satchel_message_view_get_remote_blocked (SATCHEL_MESSAGE_VIEW (reader)));
  banner = find_widget (GTK_WIDGET (window), is_mapped_info_bar, NULL);
  g_assert_nonnull (banner);
  save_screenshot (GTK_WIDGET (window), "remote-content-blocked");

  /* "Show": the image and the style sheet come; the script never runs. */
  gtk_info_bar_response (GTK_INFO_BAR (banner), 1);
  wait_until (spy_saw_image, NULL, 15);
  later = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  wait_until (time_passed, &later, 5);
  g_assert_cmpuint (spy_count ("/style.css"), >=, 1);
  g_assert_cmpuint (spy_count ("/script"), ==, 0);
  g_assert_cmpuint (spy_count ("/frame"), ==, 0);
  g_assert_false (gtk_widget_get_visible (banner));
}

static void
test_window_remote_content (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *html = NULL;
  const char *mail[1];

  if (!satchel_test_require_servers ())
    return;

  g_mutex_init (&spy.lock);
  spy.paths = g_ptr_array_new_with_free_func (g_free);
  spy.service = g_threaded_socket_service_new (4);
  spy.port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (spy.service), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (spy.service, "run", G_CALLBACK (spy_run_cb), NULL);
  g_socket_service_start (spy.service);

  html = g_strdup_printf (
    "From: Shop <news@shop.example>\r\nSubject: Our offers\r\n"
    "Date: Tue, 3 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
    "Content-Type: text/html; charset=utf-8\r\n\r\n"
    "<html><head><link rel=\"stylesheet\" href=\"http://127.0.0.1:%u/style.css\"></head>"
    "<body><p>Offers</p><img src=\"http://127.0.0.1:%u/pixel.png\">"
    "<script>new Image().src = 'http://127.0.0.1:%u/script';</script>"
    "<iframe src=\"http://127.0.0.1:%u/frame\"></iframe></body></html>\r\n",
    spy.port, spy.port, spy.port, spy.port);
  mail[0] = html;
  run_imap_app (mail, 1, NULL, check_remote_content);

  g_socket_service_stop (spy.service);
  g_socket_listener_close (G_SOCKET_LISTENER (spy.service));
  g_clear_object (&spy.service);
  g_clear_pointer (&spy.paths, g_ptr_array_unref);
}

/* What the web view drew, once its snapshot is taken. */
typedef struct
{
  GdkTexture *texture;
  gboolean    done;
} WebSnapshot;

static void
web_snapshot_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  WebSnapshot *shot = user_data;
  g_autoptr(GError) error = NULL;

  shot->texture = webkit_web_view_get_snapshot_finish (WEBKIT_WEB_VIEW (source), result, &error);
  g_assert_no_error (error);
  shot->done = TRUE;
}

static gboolean
web_snapshot_done (gpointer shot)
{
  return ((WebSnapshot *) shot)->done;
}

/* The pixels of @texture that are pure red (the test's image) or close. */
static guint
count_red_pixels (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = (gsize) width * 4;
  g_autofree guchar *pixels = g_malloc (stride * height);
  guint red = 0;

  /* Cairo's order: B, G, R, A on a little-endian machine. */
  gdk_texture_download (texture, pixels, stride);
  for (gsize i = 0; i < stride * height; i += 4)
    {
      guint32 pixel;

      memcpy (&pixel, pixels + i, sizeof pixel);
      if (((pixel >> 16) & 0xff) > 200 && ((pixel >> 8) & 0xff) < 60 && (pixel & 0xff) < 60)
        red++;
    }
  return red;
}

static guint
reader_red_pixels (GtkWidget *reader)
{
  GtkWidget *web = find_widget (reader, is_widget_of_type, GSIZE_TO_POINTER (WEBKIT_TYPE_WEB_VIEW));
  WebSnapshot shot = { NULL, FALSE };
  guint red;

  g_assert_nonnull (web);
  webkit_web_view_get_snapshot (WEBKIT_WEB_VIEW (web), WEBKIT_SNAPSHOT_REGION_VISIBLE,
                                WEBKIT_SNAPSHOT_OPTIONS_NONE, NULL, web_snapshot_cb, &shot);
  wait_until (web_snapshot_done, &shot, 10);
  red = count_red_pixels (shot.texture);
  g_object_unref (shot.texture);
  return red;
}

static gboolean
reader_draws_red (gpointer reader)
{
  /* The image is 48 by 48. */
  return reader_red_pixels (reader) >= 48 * 48;
}

static void
count_finished_loads_cb (WebKitWebView   *web,
                         WebKitLoadEvent  event,
                         int             *loads)
{
  if (event == WEBKIT_LOAD_FINISHED)
    (*loads)++;
}

static gboolean
int_is_positive (gpointer value)
{
  return *(int *) value > 0;
}

/* An HTML message whose image is one of its own parts (cid:, as mail
 * clients send a picture pasted into the text): the image is drawn. */
static void
check_inline_image (SatchelApplication *app,
                    SatchelWindow      *window)
{
  GtkWidget *web;
  int loads = 0;
  GtkWidget *list = find_widget (GTK_WIDGET (window), is_widget_of_type,
                                 GSIZE_TO_POINTER (GTK_TYPE_LIST_VIEW));
  GtkWidget *reader = find_widget (GTK_WIDGET (window), is_widget_of_type,
                                   GSIZE_TO_POINTER (SATCHEL_TYPE_MESSAGE_VIEW));
  Count count = { NULL, 1 };

  wait_until (service_idle, app, 30);
  count.selection = gtk_list_view_get_model (GTK_LIST_VIEW (list));
  wait_until (has_n_messages, &count, 10);
  gtk_selection_model_select_item (count.selection, 0, TRUE);
  wait_until (reader_draws_red, reader, 20);
  g_assert_false (satchel_message_view_get_remote_blocked (SATCHEL_MESSAGE_VIEW (reader)));
  save_screenshot (GTK_WIDGET (window), "inline-image");

  /* The web process ends (as when it crashes): the message is loaded
   * again, and drawn. */
  web = find_widget (reader, is_widget_of_type, GSIZE_TO_POINTER (WEBKIT_TYPE_WEB_VIEW));
  g_signal_connect (web, "load-changed", G_CALLBACK (count_finished_loads_cb), &loads);
  webkit_web_view_terminate_web_process (WEBKIT_WEB_VIEW (web));
  wait_until (int_is_positive, &loads, 20);
  wait_until (reader_draws_red, reader, 20);
  g_signal_handlers_disconnect_by_data (web, &loads);
}

static void
test_window_inline_image (void)
{
  guchar pixels[48 * 48 * 4];
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) image = NULL;
  g_autoptr(GBytes) png = NULL;
  g_autofree char *base64 = NULL;
  g_autofree char *mail_text = NULL;
  GString *wrapped = g_string_new (NULL);
  const char *mail[1];

  if (!satchel_test_require_servers ())
    return;

  for (gsize i = 0; i < sizeof pixels; i += 4)
    {
      pixels[i] = 0xff;     /* R */
      pixels[i + 1] = 0x00; /* G */
      pixels[i + 2] = 0x00; /* B */
      pixels[i + 3] = 0xff; /* A */
    }
  bytes = g_bytes_new (pixels, sizeof pixels);
  image = gdk_memory_texture_new (48, 48, GDK_MEMORY_R8G8B8A8, bytes, 48 * 4);
  png = gdk_texture_save_to_png_bytes (image);
  base64 = g_base64_encode (g_bytes_get_data (png, NULL), g_bytes_get_size (png));
  for (const char *p = base64; *p != '\0'; p += MIN (strlen (p), 76))
    {
      g_string_append_len (wrapped, p, MIN (strlen (p), 76));
      g_string_append (wrapped, "\r\n");
    }

  mail_text = g_strdup_printf (
    "From: Ada <ada@example.org>\r\nSubject: The chart\r\n"
    "Date: Tue, 3 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/related; boundary=\"rel\"; type=\"text/html\"\r\n\r\n"
    "--rel\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    "<html><body><p>Here is the chart:</p>"
    "<img src=\"cid:chart.1@example.org\" alt=\"chart\"></body></html>\r\n"
    "--rel\r\nContent-Type: image/png; name=\"chart.png\"\r\n"
    "Content-ID: <chart.1@example.org>\r\nContent-Disposition: inline\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\n%s--rel--\r\n", wrapped->str);
  g_string_free (wrapped, TRUE);
  mail[0] = mail_text;
  run_imap_app (mail, 1, NULL, check_inline_image);
}

static gboolean
is_password_button (GtkWidget     *widget,
                    gconstpointer  data)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)),
                    "win.update-password") == 0;
}

/* A refused password: the sidebar says so, with a button that asks for
 * the right one, keeps it, and checks again. */
static void
check_update_password (SatchelApplication *app,
                       SatchelWindow      *window)
{
  SatchelMailService *service = satchel_application_get_mail_service (app);
  SatchelAccountList *accounts = satchel_application_get_accounts (app);
  g_autoptr(SatchelAccount) account = g_list_model_get_item (G_LIST_MODEL (accounts), 0);
  GtkWidget *list = find_widget (GTK_WIDGET (window), is_widget_of_type,
                                 GSIZE_TO_POINTER (GTK_TYPE_LIST_VIEW));
  AdwMessageDialog *dialog = NULL;
  GtkWidget *button;
  Count count = { NULL, 1 };

  wait_until (service_idle, app, 30);
  g_assert_cmpint (satchel_mail_service_get_state (service, account, NULL), ==,
                   SATCHEL_ACCOUNT_STATE_NEEDS_PASSWORD);
  wait_for_draw (GTK_WIDGET (window));
  button = find_widget (GTK_WIDGET (window), is_password_button, NULL);
  g_assert_nonnull (button);
  save_screenshot (GTK_WIDGET (window), "password-refused");

  g_assert_true (gtk_widget_activate (button));
  wait_until (dialog_open, &dialog, 5);
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)),
                         window_password);
  press_response (dialog, "ok");

  wait_until (service_busy, app, 10);
  wait_until (service_idle, app, 30);
  g_assert_cmpint (satchel_mail_service_get_state (service, account, NULL), ==,
                   SATCHEL_ACCOUNT_STATE_IDLE);
  count.selection = gtk_list_view_get_model (GTK_LIST_VIEW (list));
  wait_until (has_n_messages, &count, 10);
}

static void
test_window_update_password (void)
{
  const char *mail[] = { "From: a@example.org\r\nSubject: Hello\r\n\r\nHi\r\n" };

  if (!satchel_test_require_servers ())
    return;
  run_imap_app (mail, 1, "not the password", check_update_password);
}

/* New mail: one notification, with the sender and the subject, that
 * opens the message; its "Mark as Read" marks it read. The mail that was
 * there at the account's first sync is not new. */
typedef struct
{
  gint64    message_id;
  char     *title;
  char     *body;
  gboolean  while_active;   /* the main window had the focus then */
} Sent;

static GtkWindow *notified_window;

static void
sent_free (Sent *sent)
{
  g_free (sent->title);
  g_free (sent->body);
  g_free (sent);
}

static void
notification_sent_cb (SatchelNotifier *notifier,
                      gint64           message_id,
                      const char      *title,
                      const char      *body,
                      GPtrArray       *sent)
{
  Sent *one = g_new0 (Sent, 1);

  one->message_id = message_id;
  one->while_active = notified_window != NULL && gtk_window_is_active (notified_window);
  one->title = g_strdup (title);
  one->body = g_strdup (body);
  g_ptr_array_add (sent, one);
}

/* Whether the notification daemon of the test servers (dunst) got a
 * notification titled @title saying @body: the ones shown are closed,
 * which puts them in its history, and the history is read. */
static gboolean
desktop_got (const char *title,
             const char *body)
{
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *list;
  int status = 0;

  g_assert_true (g_spawn_command_line_sync ("dunstctl close-all", NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_usleep (200 * 1000);
  g_assert_true (g_spawn_command_line_sync ("dunstctl history", &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  list = json_array_get_array_element (json_object_get_array_member (
    json_node_get_object (json_parser_get_root (parser)), "data"), 0);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *one = json_array_get_object_element (list, i);
      const char *summary = json_object_get_string_member (
        json_object_get_object_member (one, "summary"), "data");
      const char *text = json_object_get_string_member (
        json_object_get_object_member (one, "body"), "data");

      if (g_strcmp0 (summary, title) == 0 && g_strcmp0 (text, body) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
one_sent (gpointer sent)
{
  return ((GPtrArray *) sent)->len == 1;
}

static gboolean
two_sent (gpointer sent)
{
  return ((GPtrArray *) sent)->len == 2;
}

static gboolean
three_sent (gpointer sent)
{
  return ((GPtrArray *) sent)->len >= 3;
}

static gboolean
shows_new_message (gpointer window)
{
  GtkWidget *reader = find_widget (window, is_widget_of_type,
                                   GSIZE_TO_POINTER (SATCHEL_TYPE_MESSAGE_VIEW));

  return reader != NULL && find_widget (reader, is_mapped_label, "Compilers") != NULL;
}

static gboolean
new_message_read (gpointer app)
{
  return satchel_test_query_int (satchel_application_get_store (app),
                                 "SELECT count (*) FROM message WHERE subject = 'Compilers' "
                                 "AND (flags & 1) = 1") == 1;
}

/* dbus-monitor on the test session bus, writing every Notify call to the
 * desktop's notification server into a file: what reached the desktop,
 * whatever Satchel believes it sent. */
typedef struct
{
  GSubprocess *process;
  char        *path;
} NotifyMonitor;

static gboolean
monitor_listening (gpointer path)
{
  g_autofree char *text = NULL;

  /* Its first line is the bus's NameAcquired signal. */
  return g_file_get_contents (path, &text, NULL, NULL) && strstr (text, "NameAcquired") != NULL;
}

static NotifyMonitor *
notify_monitor_start (void)
{
  NotifyMonitor *monitor = g_new0 (NotifyMonitor, 1);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GError) error = NULL;

  monitor->path = g_build_filename (g_get_tmp_dir (), "satchel-notify-XXXXXX", NULL);
  g_close (g_mkstemp (monitor->path), NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, monitor->path);
  monitor->process = g_subprocess_launcher_spawn (launcher, &error, "dbus-monitor", "--session",
    "type='method_call',interface='org.freedesktop.Notifications',member='Notify'", NULL);
  g_assert_no_error (error);
  wait_until (monitor_listening, monitor->path, 10);
  return monitor;
}

/* Stops @monitor; returns "summary|body" of each Notify call, in order. */
static GPtrArray *
notify_monitor_stop (NotifyMonitor *monitor)
{
  GPtrArray *calls = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  g_subprocess_force_exit (monitor->process);
  g_subprocess_wait (monitor->process, NULL, NULL);
  g_assert_true (g_file_get_contents (monitor->path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) strings = NULL;

      if (strstr (lines[i], "member=Notify") == NULL)
        continue;
      /* Notify (app_name, replaces_id, app_icon, summary, body, …): the
       * strings that follow are the name, the icon, the summary and the
       * body. */
      strings = g_ptr_array_new_with_free_func (g_free);
      for (guint j = i + 1; lines[j] != NULL && strings->len < 4; j++)
        {
          const char *line = g_strstrip (lines[j]);

          if (g_str_has_prefix (line, "method call") || g_str_has_prefix (line, "array"))
            break;
          if (g_str_has_prefix (line, "string \"") && g_str_has_suffix (line, "\""))
            g_ptr_array_add (strings, g_strndup (line + 8, strlen (line) - 9));
        }
      g_assert_cmpuint (strings->len, ==, 4);
      g_ptr_array_add (calls, g_strdup_printf ("%s|%s", (char *) strings->pdata[2],
                                               (char *) strings->pdata[3]));
    }
  g_unlink (monitor->path);
  g_free (monitor->path);
  g_object_unref (monitor->process);
  g_free (monitor);
  return calls;
}

/* A message from @sender about @subject in a file; the caller unlinks it. */
static char *
new_mail_file (const char *sender,
               const char *subject,
               guint       n)
{
  g_autofree char *name = g_strdup_printf ("satchel-new-%u.eml", n);
  char *file = g_build_filename (g_get_tmp_dir (), name, NULL);
  g_autofree char *raw = g_strdup_printf ("From: %s\r\nSubject: %s\r\n"
                                          "Date: Wed, 4 Nov 2026 10:00:00 +0000\r\n"
                                          "\r\nA new one\r\n", sender, subject);

  g_assert_true (g_file_set_contents (file, raw, -1, NULL));
  return file;
}

/* Appends a message from @sender about @subject to the Inbox, as mail
 * delivered while Satchel runs; @seen: read already (on another device). */
static void
deliver (const char *sender,
         const char *subject,
         gboolean    seen)
{
  g_autofree char *file = new_mail_file (sender, subject, 0);

  if (seen)
    satchel_test_mailctl ("append", window_user, window_password, "INBOX", file,
                          "--flag", "\\Seen", NULL);
  else
    satchel_test_mailctl ("append", window_user, window_password, "INBOX", file, NULL);
  g_unlink (file);
}

static void
check_mail_now (SatchelApplication *app)
{
  g_action_group_activate_action (G_ACTION_GROUP (app), "check-mail", NULL);
  wait_until (service_busy, app, 10);
  wait_until (service_idle, app, 30);
}

static NotifyMonitor *new_mail_monitor;

static gboolean
inbox_watched (gpointer app)
{
  SatchelAccountList *accounts = satchel_application_get_accounts (app);
  g_autoptr(SatchelAccount) account = g_list_model_get_item (G_LIST_MODEL (accounts), 0);

  return satchel_mail_service_is_watching (satchel_application_get_mail_service (app), account);
}

static gboolean
window_active (gpointer window)
{
  return gtk_window_is_active (window);
}

/* What arrives unread in the Inbox while Satchel runs is announced, once;
 * what the first sync brought, what was read elsewhere, what arrives
 * while the user looks at the Inbox or with notifications off is not.
 * dbus-monitor sees what reached the desktop's notification server. */
static void
check_new_mail (SatchelApplication *app,
                SatchelWindow      *window)
{
  g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func ((GDestroyNotify) sent_free);
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("io.github.satchelmail.Satchel");
  SatchelNotifier *notifier = satchel_application_get_notifier (app);
  gint64 inbox;
  Sent *one;

  g_assert_nonnull (notifier);
  g_signal_connect (notifier, "sent", G_CALLBACK (notification_sent_cb), sent);
  wait_until (service_idle, app, 30);
  /* Looking elsewhere than the Inbox, where new mail would be seen. */
  g_assert_true (satchel_window_show_folder (window, folder_id_of (app, "Sent")));

  /* Satchel waits in IDLE on the Inbox: what arrives is checked at once,
   * not at the next interval (an hour here). Read on another device
   * already: not news. */
  wait_until (inbox_watched, app, 10);
  deliver ("Edsger Dijkstra <ewd@example.org>", "Goto", TRUE);
  deliver ("Grace Hopper <grace@example.org>", "Compilers", FALSE);
  wait_until (one_sent, sent, 10);
  wait_until (service_idle, app, 30);
  g_assert_cmpuint (sent->len, ==, 1);
  one = g_ptr_array_index (sent, 0);
  g_assert_cmpstr (one->title, ==, "Grace Hopper");
  g_assert_cmpstr (one->body, ==, "Compilers");
  g_assert_cmpint (one->message_id, >, 0);
  /* It reached the desktop. */
  g_assert_true (desktop_got ("Grace Hopper", "Compilers"));

  /* Once only. */
  check_mail_now (app);
  g_assert_cmpuint (sent->len, ==, 1);

  /* Its click opens the message; "Mark as Read" marks it. */
  inbox = folder_id_of (app, "INBOX");
  g_action_group_activate_action (G_ACTION_GROUP (app), "show-message",
                                  g_variant_new ("(xx)", inbox, one->message_id));
  wait_until (shows_new_message, window, 10);
  g_action_group_activate_action (G_ACTION_GROUP (app), "mark-read",
                                  g_variant_new_int64 (one->message_id));
  wait_until (new_message_read, app, 10);

  /* Four at once: one notification counts them and names the newest
   * senders. */
  g_assert_true (satchel_window_show_folder (window, folder_id_of (app, "Sent")));
  {
    /* In one command, so that the Inbox's watch sees them come together. */
    g_autofree char *a = new_mail_file ("Alan Turing <alan@example.org>", "Machines", 1);
    g_autofree char *b = new_mail_file ("Barbara Liskov <barbara@example.org>", "Substitution", 2);
    g_autofree char *c = new_mail_file ("Claude Shannon <claude@example.org>", "Information", 3);
    g_autofree char *d = new_mail_file ("Dennis Ritchie <dmr@example.org>", "C", 4);

    satchel_test_mailctl ("append-at-once", window_user, window_password, "INBOX", a, b, c, d,
                          NULL);
    g_unlink (a);
    g_unlink (b);
    g_unlink (c);
    g_unlink (d);
  }
  check_mail_now (app);
  wait_until (two_sent, sent, 10);
  one = g_ptr_array_index (sent, 1);
  g_assert_cmpint (one->message_id, ==, 0);
  g_assert_cmpstr (one->title, ==, "4 new messages");
  g_assert_cmpstr (one->body, ==, "From Dennis Ritchie, Claude Shannon, Barbara Liskov");

  /* With notifications turned off in the preferences: nothing. */
  g_settings_set_boolean (settings, "show-notifications", FALSE);
  deliver ("Ken Thompson <ken@example.org>", "Unix", FALSE);
  check_mail_now (app);
  g_settings_set_boolean (settings, "show-notifications", TRUE);

  /* The server renumbered the Inbox (a new UIDVALIDITY): it is fetched
   * again, under store ids above those of the mail filed meanwhile, and
   * its unread mail (Ken's, the four above) is not news. What comes after
   * is. */
  {
    g_autofree char *filed = new_mail_file ("Ada <ada@example.org>", "Filed", 5);
    guint before = sent->len;

    satchel_test_mailctl ("append", window_user, window_password, "Sent", filed, NULL);
    g_unlink (filed);
    check_mail_now (app);
    satchel_test_mailctl ("uidvalidity", window_user, "INBOX", "4242", NULL);
    check_mail_now (app);
    g_assert_cmpuint (sent->len, ==, before);
    deliver ("Frances Allen <fran@example.org>", "Optimization", FALSE);
    check_mail_now (app);
    wait_until (three_sent, sent, 10);
    g_assert_cmpuint (sent->len, ==, before + 1);
    one = g_ptr_array_index (sent, before);
    g_assert_cmpstr (one->title, ==, "Frances Allen");
    g_assert_cmpstr (one->body, ==, "Optimization");
  }

  /* Looking at the Inbox in the active window: the user sees it come.
   * The other UI tests' windows on the same display may take the focus
   * meanwhile: what came then may be announced, and that round does not
   * count. */
  g_assert_true (satchel_window_show_folder (window, inbox));
  notified_window = GTK_WINDOW (window);
  for (guint round = 0;; round++)
    {
      guint before = sent->len;
      g_autofree char *subject = g_strdup_printf ("Apollo %u", round);

      g_assert_cmpuint (round, <, 10);
      gtk_window_present (GTK_WINDOW (window));
      wait_until (window_active, window, 10);
      deliver ("Margaret Hamilton <margaret@example.org>", subject, FALSE);
      check_mail_now (app);
      for (guint i = before; i < sent->len; i++)
        g_assert_false (((Sent *) g_ptr_array_index (sent, i))->while_active);
      if (sent->len == before && gtk_window_is_active (GTK_WINDOW (window)))
        break;
    }
  notified_window = NULL;

  /* What reached the desktop: those three, and nothing for the first sync
   * (and what came in rounds above that lost the focus). */
  calls = notify_monitor_stop (g_steal_pointer (&new_mail_monitor));
  g_assert_cmpuint (calls->len, ==, sent->len);
  g_assert_cmpstr (calls->pdata[0], ==, "Grace Hopper|Compilers");
  g_assert_cmpstr (calls->pdata[1], ==,
                   "4 new messages|From Dennis Ritchie, Claude Shannon, Barbara Liskov");
  g_assert_cmpstr (calls->pdata[2], ==, "Frances Allen|Optimization");
  g_signal_handlers_disconnect_by_data (notifier, sent);
}

static void
test_window_new_mail (void)
{
  const char *mail[] = {
    "From: Ada <ada@example.org>\r\nSubject: Older\r\n"
    "Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nOne\r\n",
    "From: Ada <ada@example.org>\r\nSubject: Newer\r\n"
    "Date: Tue, 3 Nov 2026 10:00:00 +0000\r\n\r\nTwo\r\n",
  };

  if (!satchel_test_require_servers ())
    return;
  /* Listening before Satchel starts: its first sync is heard too. */
  new_mail_monitor = notify_monitor_start ();
  run_imap_app (mail, G_N_ELEMENTS (mail), NULL, check_new_mail);
}

static gboolean
is_certificate_button (GtkWidget     *widget,
                       gconstpointer  data)
{
  return is_button_for_action (widget, "win.review-certificate") &&
         gtk_widget_get_mapped (widget);
}

/* The server no longer presents the certificate the user trusted: the
 * sidebar says so, and its button shows the new one, saying it changed;
 * trusted, it is pinned and the account checked again. */
static void
check_changed_certificate (SatchelApplication *app,
                           SatchelWindow      *window)
{
  SatchelMailService *service = satchel_application_get_mail_service (app);
  SatchelAccountList *accounts = satchel_application_get_accounts (app);
  g_autoptr(SatchelAccount) account = g_list_model_get_item (G_LIST_MODEL (accounts), 0);
  GtkWidget *list = find_widget (GTK_WIDGET (window), is_widget_of_type,
                                 GSIZE_TO_POINTER (GTK_TYPE_LIST_VIEW));
  AdwMessageDialog *dialog = NULL;
  GtkWidget *button;
  Count count = { NULL, 1 };
  g_autofree char *pin = NULL;

  wait_until (service_idle, app, 30);
  g_assert_cmpint (satchel_mail_service_get_state (service, account, NULL), ==,
                   SATCHEL_ACCOUNT_STATE_UNTRUSTED);
  wait_for_draw (GTK_WIDGET (window));
  button = find_widget (GTK_WIDGET (window), is_certificate_button, NULL);
  g_assert_nonnull (button);
  save_screenshot (GTK_WIDGET (window), "certificate-changed");

  g_assert_true (gtk_widget_activate (button));
  wait_until (dialog_open, &dialog, 10);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Certificate Changed");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "has changed since you trusted"));
  press_response (dialog, "trust");

  wait_until (service_busy, app, 10);
  wait_until (service_idle, app, 30);
  g_assert_cmpint (satchel_mail_service_get_state (service, account, NULL), ==,
                   SATCHEL_ACCOUNT_STATE_IDLE);
  pin = satchel_cert_pin_lookup (satchel_application_get_store (app), "localhost",
                                 satchel_account_get_effective_port (account), NULL);
  g_assert_cmpstr (pin, !=, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
  count.selection = gtk_list_view_get_model (GTK_LIST_VIEW (list));
  wait_until (has_n_messages, &count, 10);
}

static void
test_window_changed_certificate (void)
{
  const char *mail[] = { "From: a@example.org\r\nSubject: Hello\r\n\r\nHi\r\n" };

  if (!satchel_test_require_servers ())
    return;
  window_changed_pin = TRUE;
  run_imap_app (mail, 1, NULL, check_changed_certificate);
  window_changed_pin = FALSE;
}

/* The body came (it is fetched when the message opens) with its
 * attachment: 12 bytes of PDF, as plan.pdf. */
static gboolean
reader_shows_attachment (gpointer reader)
{
  wait_for_draw (reader);
  return find_widget (reader, is_mapped_label, "plan.pdf (12 bytes)") != NULL;
}

static gboolean
toggle_is_active (gpointer button)
{
  return gtk_toggle_button_get_active (button);
}

static gboolean
is_mapped_expander (GtkWidget     *widget,
                    gconstpointer  data)
{
  return GTK_IS_EXPANDER (widget) && gtk_widget_get_mapped (widget);
}

/* A reply opened: its conversation is listed above it, and each message
 * of it opens from there. */
static void
check_conversation (SatchelApplication *app,
                    SatchelWindow      *window)
{
  GtkWidget *list = find_widget (GTK_WIDGET (window), is_widget_of_type,
                                 GSIZE_TO_POINTER (GTK_TYPE_LIST_VIEW));
  GtkWidget *reader = find_widget (GTK_WIDGET (window), is_widget_of_type,
                                   GSIZE_TO_POINTER (SATCHEL_TYPE_MESSAGE_VIEW));
  Count count = { NULL, 2 };
  GtkWidget *expander;
  GtkWidget *star;
  GtkListBox *conversation;
  guint rows = 0;

  wait_until (service_idle, app, 30);
  count.selection = gtk_list_view_get_model (GTK_LIST_VIEW (list));
  /* Two entries: the conversation, as its newest message, and the other. */
  wait_until (has_n_messages, &count, 10);
  {
    g_autoptr(SatchelMessageItem) plans = message_at (count.selection, 0);
    g_autoptr(SatchelMessageItem) other = message_at (count.selection, 1);

    g_assert_cmpstr (satchel_message_item_get_row (plans)->message_id, ==, "<p3@t>");
    g_assert_cmpuint (satchel_message_item_get_count (plans), ==, 3);
    g_assert_cmpstr (satchel_message_item_get_row (other)->subject, ==, "Else");
    g_assert_cmpuint (satchel_message_item_get_count (other), ==, 1);
  }

  /* Opened (Right, from the keyboard): its other two under it, newest
   * first, one level in. */
  gtk_selection_model_select_item (count.selection, 0, TRUE);
  g_assert_true (gtk_widget_activate_action (list, "win.open-conversation", NULL));
  count.n = 4;
  wait_until (has_n_messages, &count, 5);
  {
    g_autoptr(SatchelMessageItem) second = message_at (count.selection, 1);
    g_autoptr(SatchelMessageItem) first = message_at (count.selection, 2);
    g_autoptr(SatchelMessageItem) head = message_at (count.selection, 0);

    g_assert_cmpstr (satchel_message_item_get_row (second)->message_id, ==, "<p2@t>");
    g_assert_cmpstr (satchel_message_item_get_row (first)->message_id, ==, "<p1@t>");
    g_assert_cmpuint (satchel_message_item_get_depth (first), ==, 1);
    g_assert_true (satchel_message_item_get_expanded (head));
  }
  wait_for_draw (GTK_WIDGET (window));
  save_screenshot (GTK_WIDGET (window), "conversation-list");

  /* One of them read from there; Left closes the conversation and goes
   * back to it. */
  gtk_selection_model_select_item (count.selection, 2, TRUE);
  wait_until (reader_shows_attachment, reader, 10);
  g_assert_true (gtk_widget_activate_action (list, "win.close-conversation", NULL));
  count.n = 2;
  wait_until (has_n_messages, &count, 5);
  g_assert_true (gtk_selection_model_is_selected (count.selection, 0));

  /* Closed, the conversation is acted on whole: all three are read, the
   * other message is not. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.mark-read", NULL));
  g_assert_cmpint (satchel_test_query_int (satchel_application_get_store (app),
                                           "SELECT count (*) FROM message "
                                           "WHERE (flags & 1) = 0 AND message_id LIKE '<p%'"), ==, 0);
  g_assert_cmpint (satchel_test_query_int (satchel_application_get_store (app),
                                           "SELECT count (*) FROM message "
                                           "WHERE (flags & 1) = 0 AND message_id = '<e1@t>'"), ==, 1);

  /* The newest: the second reply. */
  wait_for_draw (GTK_WIDGET (window));
  expander = find_widget (GTK_WIDGET (window), is_mapped_expander, NULL);
  g_assert_nonnull (expander);
  g_assert_cmpstr (gtk_expander_get_label (GTK_EXPANDER (expander)), ==,
                   "Conversation of 3 messages");
  gtk_expander_set_expanded (GTK_EXPANDER (expander), TRUE);
  conversation = GTK_LIST_BOX (gtk_expander_get_child (GTK_EXPANDER (expander)));
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (conversation)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    rows++;
  g_assert_cmpuint (rows, ==, 3);
  save_screenshot (GTK_WIDGET (window), "conversation");

  /* The first message of it, opened from the list above, with its
   * attachment under a name of its own, without the directories. */
  g_signal_emit_by_name (conversation, "row-activated",
                         gtk_list_box_get_row_at_index (conversation, 0));
  wait_until (reader_shows_attachment, reader, 10);
  g_assert_nonnull (find_widget (reader, is_mapped_label, "Plans"));
  g_assert_nonnull (find_widget (reader, is_mapped_label,
                                 "Pl\xef\xbf\xbdne\xef\xbf\xbd (2 bytes)"));
  save_screenshot (GTK_WIDGET (window), "attachment");

  /* The reader's star stars the message it shows, on the server too. */
  star = find_widget (reader, is_widget_of_type, GSIZE_TO_POINTER (GTK_TYPE_TOGGLE_BUTTON));
  g_assert_nonnull (star);
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (star)));
  g_assert_true (gtk_widget_activate (star));
  /* A button activated from the keyboard clicks after a short press. */
  wait_until (toggle_is_active, star, 5);
  g_assert_cmpint (satchel_test_query_int (satchel_application_get_store (app),
                                           "SELECT count (*) FROM message WHERE flags & 4"), ==, 1);
  wait_until (service_idle, app, 30);
  g_assert_cmpuint (server_count_flagged ("INBOX"), ==, 1);
}

static void
test_window_conversation (void)
{
  const char *mail[] = {
    "From: Ada <ada@example.org>\r\nSubject: Plans\r\nMessage-ID: <p1@t>\r\n"
    "Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
    "--b\r\nContent-Type: text/plain\r\n\r\nShall we?\r\n"
    "--b\r\nContent-Type: application/pdf\r\n"
    "Content-Disposition: attachment; filename=\"../../plan.pdf\"\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcfs\r\n"
    /* A name that says UTF-8 and is not (RFC 2231), ending inside a
     * character. */
    "--b\r\nContent-Type: text/plain\r\n"
    "Content-Disposition: attachment; filename*=utf-8''Pl%E4ne%E2\r\n\r\n"
    "ok\r\n--b--\r\n",
    "From: Bob <bob@example.org>\r\nSubject: Re: Plans\r\nMessage-ID: <p2@t>\r\n"
    "In-Reply-To: <p1@t>\r\nDate: Mon, 2 Nov 2026 11:00:00 +0000\r\n\r\nYes\r\n",
    "From: Ada <ada@example.org>\r\nSubject: Re: Plans\r\nMessage-ID: <p3@t>\r\n"
    "In-Reply-To: <p2@t>\r\nDate: Mon, 2 Nov 2026 12:00:00 +0000\r\n\r\nGood\r\n",
    "From: Carol <carol@example.org>\r\nSubject: Else\r\nMessage-ID: <e1@t>\r\n"
    "Date: Mon, 2 Nov 2026 09:00:00 +0000\r\n\r\nOther\r\n",
  };

  if (!satchel_test_require_servers ())
    return;
  run_imap_app (mail, G_N_ELEMENTS (mail), NULL, check_conversation);
}

static gboolean
is_mapped_offline_row (GtkWidget     *widget,
                       gconstpointer  data)
{
  return ADW_IS_ACTION_ROW (widget) && gtk_widget_get_mapped (widget) &&
         g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (widget)), "Offline");
}

/* The server cannot be reached: the account says it is offline, its
 * cached mail reads as ever, and a change waits in the queue. */
static void
check_offline (SatchelApplication *app,
               SatchelWindow      *window)
{
  GtkWidget *list = find_widget (GTK_WIDGET (window), is_widget_of_type,
                                 GSIZE_TO_POINTER (GTK_TYPE_LIST_VIEW));
  GtkSelectionModel *selection = gtk_list_view_get_model (GTK_LIST_VIEW (list));
  SatchelStore *store = satchel_application_get_store (app);

  wait_until (service_idle, app, 30);
  wait_for_draw (GTK_WIDGET (window));
  g_assert_nonnull (find_widget (GTK_WIDGET (window), is_mapped_offline_row, NULL));
  save_screenshot (GTK_WIDGET (window), "offline");

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (selection)), ==, 1);
  gtk_selection_model_select_item (selection, 0, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.star", NULL));
  wait_until (service_idle, app, 30);
  g_assert_cmpint (satchel_test_query_int (store, "SELECT count (*) FROM pending_op"), ==, 1);
  g_assert_nonnull (find_widget (GTK_WIDGET (window), is_mapped_offline_row, NULL));
}

static void
test_window_offline (void)
{
  g_autofree char *profile = satchel_test_make_dir ();
  g_autofree char *path = g_build_filename (profile, "satchel.db", NULL);
  g_autoptr(GSocket) closed = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;

  if (!satchel_test_require_servers ())
    return;

  /* A port that was free a moment ago: nothing listens there. */
  {
    g_autoptr(GSocketListener) listener = g_socket_listener_new ();

    port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
    g_assert_no_error (error);
    g_socket_listener_close (listener);
  }
  {
    g_autoptr(SatchelStore) store = satchel_store_open (path, &error);
    g_autoptr(SatchelAccountList) accounts = satchel_account_list_new (store, &error);
    g_autoptr(SatchelAccount) account = satchel_account_new (SATCHEL_ACCOUNT_KIND_IMAP,
                                                             "away@example.org");
    g_autoptr(SatchelSecrets) secrets = satchel_secrets_new ();
    SatchelFolderInfo inbox = { 0 };
    SatchelMessageSummary summary = { 0 };
    gint64 inbox_id;

    g_object_set (account, "host", "127.0.0.1", "port", (guint) port, "label", "Away",
                  "ca-file", g_getenv ("SATCHEL_TEST_CA"), NULL);
    g_assert_true (satchel_account_list_add (accounts, account, &error));
    g_assert_true (satchel_secrets_store_sync (secrets, satchel_account_get_uuid (account),
                                               "away@example.org", SATCHEL_SECRET_INCOMING, "pw",
                                               NULL, &error));
    inbox.account_id = satchel_account_get_id (account);
    inbox.name = (char *) "INBOX";
    inbox.role = SATCHEL_FOLDER_ROLE_INBOX;
    inbox.wire_name = g_bytes_new_static ("INBOX", 5);
    inbox.uidvalidity = 7;
    inbox_id = satchel_store_save_folder (store, &inbox, &error);
    g_bytes_unref (inbox.wire_name);
    g_assert_no_error (error);
    summary.uid = 1;
    summary.subject = "Cached";
    summary.sender = "Ada <ada@example.org>";
    summary.date = 1700000000;
    satchel_store_add_message (store, inbox_id, &summary, NULL, &error);
    g_assert_no_error (error);
  }
  g_setenv ("SATCHEL_CHECK_SECONDS", "3600", TRUE);
  run_app (profile, check_offline);
  g_setenv ("SATCHEL_CHECK_SECONDS", "never", TRUE);
  satchel_test_remove_dir (profile);
}

static void
check_bad_store (SatchelApplication *app,
                 SatchelWindow      *window)
{
  GtkWidget *page;

  g_assert_cmpstr (satchel_window_get_page (window), ==, "error");
  page = find_widget (GTK_WIDGET (window), is_mapped_status_page_titled,
                      "The Mail Store Cannot Be Opened");
  g_assert_nonnull (page);
  g_assert_nonnull (strstr (adw_status_page_get_description (ADW_STATUS_PAGE (page)),
                            "not a Satchel mail store"));
}

static void
test_window_bad_store (void)
{
  g_autofree char *profile = satchel_test_make_dir ();
  g_autofree char *path = g_build_filename (profile, "satchel.db", NULL);

  if (!satchel_test_require_servers ())
    return;
  g_assert_true (g_file_set_contents (path, "not a database at all\n", -1, NULL));
  run_app (profile, check_bad_store);
  satchel_test_remove_dir (profile);
}

/* Writing */

static gboolean
is_named (GtkWidget     *widget,
          gconstpointer  name)
{
  return g_strcmp0 (gtk_widget_get_name (widget), name) == 0;
}

/* The composer the application shows, or NULL. */
static SatchelComposerWindow *
composer_of (SatchelApplication *app)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (SATCHEL_IS_COMPOSER_WINDOW (l->data))
      return l->data;
  return NULL;
}

static gboolean
composer_open (gpointer app)
{
  SatchelComposerWindow *composer = composer_of (app);

  return composer != NULL && gtk_widget_get_mapped (GTK_WIDGET (composer));
}

static gboolean
composer_gone (gpointer app)
{
  return composer_of (app) == NULL;
}

static SatchelComposerWindow *
open_composer (SatchelApplication *app,
               SatchelWindow      *window,
               const char         *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), action, NULL));
  wait_until (composer_open, app, 5);
  wait_for_draw (GTK_WIDGET (composer_of (app)));
  return composer_of (app);
}

static GtkWidget *
field (SatchelComposerWindow *composer,
       const char            *name)
{
  GtkWidget *widget = find_widget (GTK_WIDGET (composer), is_named, name);

  g_assert_nonnull (widget);
  return widget;
}

/* Whether the keyboard is in @name (an entry's focus is in its text). */
static gboolean
field_has_focus (SatchelComposerWindow *composer,
                 const char            *name)
{
  GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (composer));
  GtkWidget *widget = field (composer, name);

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

static const char *
field_text (SatchelComposerWindow *composer,
            const char            *name)
{
  return gtk_editable_get_text (GTK_EDITABLE (field (composer, name)));
}

static char *
body_of (SatchelComposerWindow *composer)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (field (composer, "body")));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* Types into the composer as the user does. */
static void
write_message (SatchelComposerWindow *composer,
               const char            *to,
               const char            *subject,
               const char            *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (field (composer, "body")));
  GtkTextIter start;

  if (to != NULL)
    gtk_editable_set_text (GTK_EDITABLE (field (composer, "to")), to);
  if (subject != NULL)
    gtk_editable_set_text (GTK_EDITABLE (field (composer, "subject")), subject);
  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_insert (buffer, &start, text, -1);
}

/* The messages the SMTP server took whose raw text holds @needle, as raw
 * texts: those from @from, or sent to @rcpt, when they are given. */
static GPtrArray *
spooled_matching (const char *from,
                  const char *needle,
                  const char *rcpt)
{
  const char *spool = g_getenv ("SATCHEL_TEST_SMTP_SPOOL");
  g_autoptr(GDir) dir = g_dir_open (spool, 0, NULL);
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *base = NULL;
      g_autofree char *eml = NULL;
      g_autofree char *raw = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *meta;
      JsonArray *rcpts;
      gboolean to_rcpt = rcpt == NULL;

      if (!g_str_has_suffix (name, ".json"))
        continue;
      path = g_build_filename (spool, name, NULL);
      if (!json_parser_load_from_file (parser, path, NULL))
        continue;
      meta = json_node_get_object (json_parser_get_root (parser));
      if (from != NULL && g_strcmp0 (json_object_get_string_member (meta, "mail_from"), from) != 0)
        continue;
      rcpts = json_object_get_array_member (meta, "rcpt_tos");
      for (guint i = 0; !to_rcpt && i < json_array_get_length (rcpts); i++)
        to_rcpt = g_strcmp0 (json_array_get_string_element (rcpts, i), rcpt) == 0;
      base = g_strndup (path, strlen (path) - strlen (".json"));
      eml = g_strconcat (base, ".eml", NULL);
      if (to_rcpt && g_file_get_contents (eml, &raw, NULL, NULL) && strstr (raw, needle) != NULL)
        g_ptr_array_add (found, g_steal_pointer (&raw));
    }
  return found;
}

static GPtrArray *
spooled (const char *from,
         const char *needle)
{
  return spooled_matching (from, needle, NULL);
}

/* Whether the message whose raw text holds @needle went to @rcpt. */
static gboolean
spooled_to (const char *needle,
            const char *rcpt)
{
  g_autoptr(GPtrArray) found = spooled_matching (NULL, needle, rcpt);

  return found->len > 0;
}

static gboolean
spooled_once (gpointer needle)
{
  g_autoptr(GPtrArray) found = spooled (window_email, needle);

  return found->len == 1;
}

static gboolean
server_has_one (gpointer folder)
{
  g_autoptr(JsonArray) messages = satchel_test_server_messages (window_user, window_password,
                                                                folder);

  return json_array_get_length (messages) == 1;
}

static gboolean
inbox_answered (gpointer data)
{
  guint count = 0;
  g_autofree char *flags = server_flags ("INBOX", &count);

  return flags != NULL && strstr (flags, "\\Answered") != NULL;
}

static gboolean
reader_shows_plans (gpointer window)
{
  GtkWidget *reader = find_widget (window, is_widget_of_type,
                                   GSIZE_TO_POINTER (SATCHEL_TYPE_MESSAGE_VIEW));
  g_autofree char *text = satchel_message_view_dup_shown_text (SATCHEL_MESSAGE_VIEW (reader));

  return text != NULL && strstr (text, "numbers") != NULL;
}

/* Drops @paths on @composer as a file manager does: through its drop
 * target, which must see files before the text view below it does. */
static void
drop_files (SatchelComposerWindow *composer,
            const char * const    *paths)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (composer));
  g_auto(GValue) value = G_VALUE_INIT;
  GtkDropTarget *target = NULL;
  GSList *files = NULL;
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && target == NULL; i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        target = GTK_DROP_TARGET (controller);
    }
  g_assert_nonnull (target);
  g_assert_cmpint (gtk_event_controller_get_propagation_phase (GTK_EVENT_CONTROLLER (target)),
                   ==, GTK_PHASE_CAPTURE);
  for (guint i = 0; paths[i] != NULL; i++)
    files = g_slist_append (files, g_file_new_for_path (paths[i]));
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (files));
  g_slist_free_full (files, g_object_unref);
  g_signal_emit_by_name (target, "drop", &value, 20.0, 20.0, &handled);
  g_assert_true (handled);
}

static gboolean
file_chooser_open (gpointer found)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (GTK_IS_FILE_CHOOSER_DIALOG (window) && gtk_widget_get_mapped (window))
        {
          *(GtkWidget **) found = window;
          return TRUE;
        }
    }
  return FALSE;
}

static char *chosen_name;

static gboolean
chooser_has_selection (gpointer chooser)
{
  g_autoptr(GFile) file = gtk_file_chooser_get_file (chooser);

  return file != NULL;
}

static gboolean
attachment_shown (gpointer composer)
{
  return find_widget (composer, is_mapped_row_titled, chosen_name) != NULL;
}

/* Attaches @path as the user does with the Attach button (Ctrl+Shift+A):
 * in the file chooser that it opens (GTK's own dialog, with no portal on
 * the test bus). */
static void
attach_with_chooser (SatchelComposerWindow *composer,
                     const char            *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkWidget *chooser = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.attach", NULL));
  wait_until (file_chooser_open, &chooser, 10);
  g_assert_true (gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), file, &error));
  g_assert_no_error (error);
  /* Selected once its folder is read. */
  wait_until (chooser_has_selection, chooser, 10);
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
  chosen_name = g_path_get_basename (path);
  wait_until (attachment_shown, composer, 10);
  g_clear_pointer (&chosen_name, g_free);
}

/* The attachment row titled @name, saying @size. */
static GtkWidget *
attachment_row (SatchelComposerWindow *composer,
                const char            *name,
                goffset                size)
{
  GtkWidget *row = find_widget (GTK_WIDGET (composer), is_mapped_row_titled, name);
  g_autofree char *shown = g_format_size (size);

  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, shown);
  return row;
}

static gboolean
is_remove_button (GtkWidget     *widget,
                  gconstpointer  data)
{
  return GTK_IS_BUTTON (widget) &&
         g_strcmp0 (gtk_widget_get_tooltip_text (widget), "Remove") == 0;
}

static const char *removed_name;

static gboolean
attachment_gone (gpointer composer)
{
  return find_widget (composer, is_mapped_row_titled, removed_name) == NULL;
}

static void
remove_attachment (SatchelComposerWindow *composer,
                   const char            *name,
                   goffset                size)
{
  GtkWidget *button = find_widget (attachment_row (composer, name, size), is_remove_button, NULL);

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_activate (button));
  removed_name = name;
  wait_until (attachment_gone, composer, 5);
}

static gboolean
has_draft (gpointer composer)
{
  return satchel_composer_window_get_draft_id (composer) != 0;
}

static gboolean
draft_saved_said (gpointer composer)
{
  return find_widget (composer, is_mapped_label, "Draft saved") != NULL;
}

static gint64 draft_seen;

static gboolean
has_newer_draft (gpointer composer)
{
  return satchel_composer_window_get_draft_id (composer) > draft_seen;
}

/* Whether @app's store keeps the draft "Quit mid-sentence". */
static gboolean
quit_draft_kept (gpointer app)
{
  return satchel_test_query_int (satchel_application_get_store (app),
                                 "SELECT count (*) FROM message m JOIN folder f "
                                 "ON f.id = m.folder_id WHERE f.role = 'drafts' "
                                 "AND m.subject = 'Quit mid-sentence'") == 1;
}

/* Types @typed in the To field: its completion offers the addresses
 * that mail went to or came from, those used most first (Ada, written to
 * and heard from, before Adalbert, only heard from); the first is taken
 * as a click would take it, and the field then says @expected. */
static void
choose_completion (SatchelComposerWindow *composer,
                   const char            *typed,
                   const char            *expected)
{
  GtkWidget *to = field (composer, "to");
  GtkEntryCompletion *completion = gtk_entry_get_completion (GTK_ENTRY (to));
  GtkWidget *view;
  GtkTreeModel *model;
  GtkTreeIter iter;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  gboolean taken = FALSE;

  g_assert_true (field_has_focus (composer, "to"));
  gtk_editable_set_text (GTK_EDITABLE (to), typed);
  /* What typing does once the keyboard is in the field; asked for here,
   * since the other UI tests' windows on the display may hold the focus
   * and the popup would then wait. */
  gtk_entry_completion_complete (completion);
  view = find_widget (to, is_widget_of_type, GSIZE_TO_POINTER (GTK_TYPE_TREE_VIEW));
  g_assert_nonnull (view);
  model = gtk_tree_view_get_model (GTK_TREE_VIEW (view));
  g_assert_cmpint (gtk_tree_model_iter_n_children (model, NULL), ==, 2);
  g_assert_true (gtk_tree_model_get_iter_first (model, &iter));
  gtk_tree_model_get (model, &iter, 0, &first, -1);
  g_assert_cmpstr (first, ==, "Ada <ada@example.org>");
  g_assert_true (gtk_tree_model_iter_next (model, &iter));
  gtk_tree_model_get (model, &iter, 0, &second, -1);
  g_assert_cmpstr (second, ==, "Adalbert <adalbert@example.org>");
  g_assert_true (gtk_tree_model_get_iter_first (model, &iter));
  g_signal_emit_by_name (completion, "match-selected", model, &iter, &taken);
  g_assert_true (taken);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (to)), ==, expected);
}

/* The user writes: a new message with an attachment through the real SMTP
 * server (its copy in the server's Sent), one without a recipient (said
 * so, nothing sent, then discarded), a reply (its fields filled, the
 * original answered on the server), and one left unfinished (kept in the
 * server's Drafts when its window closes). */
static void
check_compose (SatchelApplication *app,
               SatchelWindow      *window)
{
  GtkWidget *list = find_widget (GTK_WIDGET (window), is_widget_of_type,
                                 GSIZE_TO_POINTER (GTK_TYPE_LIST_VIEW));
  Count count = { NULL, 1 };
  g_autofree char *attachment = g_build_filename (g_get_tmp_dir (), "Überblick März.pdf", NULL);
  g_autofree char *stray = g_build_filename (g_get_tmp_dir (), "stray.txt", NULL);
  g_autofree char *huge = g_build_filename (g_get_tmp_dir (), "huge.bin", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (attachment);
  g_autofree char *new_body = NULL;
  g_autoptr(GPtrArray) sent = NULL;
  g_autofree char *reply_body = NULL;
  SatchelComposerWindow *composer;
  AdwMessageDialog *dialog = NULL;
  gint64 later;

  count.selection = gtk_list_view_get_model (GTK_LIST_VIEW (list));
  wait_until (has_n_messages, &count, 30);
  wait_until (service_idle, app, 30);
  /* Xvfb has no window manager to move the keyboard between windows:
   * GTK 4.8's blinking cursor then warns that its text lost the focus
   * unseen. */
  g_object_set (gtk_settings_get_default (), "gtk-cursor-blink", FALSE, NULL);

  /* A new message, from the header bar's button. */
  g_assert_nonnull (find_widget (GTK_WIDGET (window), is_button_for_action, "win.compose"));
  composer = open_composer (app, window, "win.compose");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (composer)), ==, "New Message");
  g_assert_true (field_has_focus (composer, "to"));
  g_assert_true (g_file_set_contents (attachment, "%PDF-1.4 numbers", -1, NULL));
  write_message (composer, "Ada <ada@example.org>", "Figures for March", "See the figures.\n");
  /* Two files dropped on it, one of them by mistake and removed; one too
   * large for most servers, which asks before sending and is removed. */
  g_assert_true (g_file_set_contents (stray, "not this one", -1, NULL));
  {
    const char *dropped[] = { stray, NULL };
    const char *huge_one[] = { huge, NULL };
    int fd = g_open (huge, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    g_assert_cmpint (fd, >=, 0);
    g_assert_cmpint (ftruncate (fd, 30 * 1000 * 1000), ==, 0);
    g_close (fd, NULL);
    attach_with_chooser (composer, attachment);
    attachment_row (composer, "Überblick März.pdf", 16);
    drop_files (composer, dropped);
    remove_attachment (composer, "stray.txt", 12);
    drop_files (composer, huge_one);
    attachment_row (composer, "huge.bin", 30 * 1000 * 1000);
  }
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (composer)), ==, "Figures for March");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL));
  wait_until (dialog_open, &dialog, 5);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Send a Large Message?");
  press_response (dialog, "cancel");
  wait_until (no_dialog_open, NULL, 5);
  dialog = NULL;
  g_assert_true (composer_open (app));
  remove_attachment (composer, "huge.bin", 30 * 1000 * 1000);
  g_unlink (huge);
  g_unlink (stray);
  save_screenshot (GTK_WIDGET (composer), "composer");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL));
  wait_until (composer_gone, app, 30);
  wait_until (spooled_once, (gpointer) "Figures for March", 10);
  sent = spooled (window_email, "Figures for March");
  {
    g_autoptr(GBytes) raw = g_bytes_new (g_ptr_array_index (sent, 0),
                                         strlen (g_ptr_array_index (sent, 0)));
    g_autoptr(GMimeMessage) message = satchel_mime_parse (raw);
    g_autoptr(GPtrArray) parts = satchel_mime_get_attachments (message);
    g_autofree char *text = satchel_mime_get_text (message, 1000);
    InternetAddressList *from = g_mime_message_get_from (message);

    g_assert_cmpuint (parts->len, ==, 1);
    g_assert_cmpstr (g_mime_part_get_filename (g_ptr_array_index (parts, 0)), ==,
                     "Überblick März.pdf");
    g_assert_nonnull (strstr (text, "See the figures."));
    g_assert_cmpstr (internet_address_get_name (internet_address_list_get_address (from, 0)), ==,
                     "Zoë");
  }
  wait_until (server_has_one, (gpointer) "Sent", 30);
  g_file_delete (file, NULL, NULL);

  /* Nothing written: discarding does not ask. The account's signature
   * is in the text already. */
  {
    g_autoptr(SatchelAccount) account = g_list_model_get_item (
      G_LIST_MODEL (satchel_application_get_accounts (app)), 0);

    g_object_set (account, "signature", "Zoë at the office", NULL);
  }
  composer = open_composer (app, window, "win.compose");
  new_body = body_of (composer);
  g_assert_nonnull (strstr (new_body, "-- \nZoë at the office"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.discard", NULL));
  wait_until (composer_gone, app, 5);
  g_assert_true (no_dialog_open (NULL));

  /* No recipient: said so, nothing goes; discarding asks first. */
  composer = open_composer (app, window, "win.compose");
  write_message (composer, NULL, "To nobody", "Lost words\n");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL));
  later = g_get_monotonic_time () + G_USEC_PER_SEC;
  wait_until (time_passed, &later, 3);
  g_assert_true (composer_open (app));
  g_assert_true (field_has_focus (composer, "to"));
  {
    g_autoptr(GPtrArray) none = spooled (window_email, "To nobody");

    g_assert_cmpuint (none->len, ==, 0);
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.discard", NULL));
  wait_until (dialog_open, &dialog, 5);
  press_response (dialog, "discard");
  wait_until (composer_gone, app, 5);

  /* A reply to the message shown: To, Subject and the quote are there. */
  gtk_selection_model_select_item (count.selection, 0, TRUE);
  wait_until (reader_shows_plans, window, 30);
  composer = open_composer (app, window, "win.reply");
  g_assert_cmpstr (field_text (composer, "to"), ==, "Ada <ada@example.org>");
  g_assert_cmpstr (field_text (composer, "subject"), ==, "Re: Plans");
  reply_body = body_of (composer);
  g_assert_nonnull (strstr (reply_body, "> The numbers are in."));
  save_screenshot (GTK_WIDGET (composer), "composer-reply");
  write_message (composer, NULL, NULL, "Thanks!\n");
  /* Save Draft (Ctrl+S) keeps it and says so; sending it then takes the
   * draft away. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.save-draft", NULL));
  wait_until (has_draft, composer, 10);
  wait_until (draft_saved_said, composer, 5);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL));
  wait_until (composer_gone, app, 30);
  wait_until (spooled_once, (gpointer) "In-Reply-To: <plans@example.org>", 10);
  wait_until (inbox_answered, NULL, 30);

  /* Reply to all: the sender and the other recipients, not this account.
   * Forward: the text below, no recipient yet. Neither written in, so
   * they go without asking. */
  composer = open_composer (app, window, "win.reply-all");
  g_assert_cmpstr (field_text (composer, "to"), ==, "Ada <ada@example.org>, someone@example.org");
  g_assert_cmpstr (field_text (composer, "cc"), ==, "");
  g_assert_cmpstr (field_text (composer, "subject"), ==, "Re: Plans");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.discard", NULL));
  wait_until (composer_gone, app, 5);
  composer = open_composer (app, window, "win.forward");
  g_assert_cmpstr (field_text (composer, "to"), ==, "");
  g_assert_cmpstr (field_text (composer, "subject"), ==, "Fwd: Plans");
  g_clear_pointer (&reply_body, g_free);
  reply_body = body_of (composer);
  g_assert_nonnull (strstr (reply_body, "The numbers are in."));
  g_assert_true (field_has_focus (composer, "to"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.discard", NULL));
  wait_until (composer_gone, app, 5);
  g_assert_true (no_dialog_open (NULL));

  /* Unfinished: kept every few seconds while it changes (every second
   * here), and closing its window keeps the last version in Drafts. */
  g_assert_true (satchel_store_exec (satchel_application_get_store (app),
                                     "INSERT INTO contact (address, name, times_received) "
                                     "VALUES ('adalbert@example.org', 'Adalbert', 1)", NULL));
  /* Only this composer keeps its draft every second: the first one's
   * 30 MB attachment would go to the server's Drafts otherwise. */
  g_setenv ("SATCHEL_AUTOSAVE_SECONDS", "1", TRUE);
  composer = open_composer (app, window, "win.compose");
  g_unsetenv ("SATCHEL_AUTOSAVE_SECONDS");
  choose_completion (composer, "ad", "Ada <ada@example.org>, ");
  write_message (composer, NULL, "Unfinished", "Half a thought\n");
  wait_until (has_draft, composer, 10);
  draft_seen = satchel_composer_window_get_draft_id (composer);
  write_message (composer, NULL, NULL, "and the other half\n");
  wait_until (has_newer_draft, composer, 10);
  g_assert_true (composer_open (app));
  gtk_window_close (GTK_WINDOW (composer));
  wait_until (composer_gone, app, 30);
  wait_until (server_has_one, (gpointer) "Drafts", 30);

  /* Quitting with a composer open keeps what it holds, then quits. */
  composer = open_composer (app, window, "win.compose");
  write_message (composer, NULL, "Quit mid-sentence", "Where was I");
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  wait_until (composer_gone, app, 30);
  wait_until (quit_draft_kept, app, 10);
}

static void
test_window_compose (void)
{
  const char *mail[] = {
    "From: Ada <ada@example.org>\r\nTo: someone@example.org\r\nSubject: Plans\r\n"
    "Message-ID: <plans@example.org>\r\n"
    "Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nThe numbers are in.\r\n",
  };

  if (!satchel_test_require_servers ())
    return;
  run_imap_app (mail, G_N_ELEMENTS (mail), NULL, check_compose);
}

/* A mailto: link, as the desktop hands it over: a composer with its
 * fields, its attachment not attached but said; sent as it is. */
static gboolean
toast_mentions_passwd (gpointer composer)
{
  return find_widget (composer, is_mapped_label,
                      "Not attached: /etc/passwd. Links cannot attach files.") != NULL;
}

static void
check_mailto (SatchelApplication *app,
              SatchelWindow      *window)
{
  g_autoptr(GFile) link = g_file_new_for_commandline_arg (
    "mailto:grace@example.org,ada@example.org?cc=bob%40example.org&bcc=carol%40example.org&"
    "subject=Caf%C3%A9%20at%20four&body=See%20you%20there.%0D%0ABring%20the%20tapes.&"
    "attach=%2Fetc%2Fpasswd");
  GFile *files[] = { link };
  SatchelComposerWindow *composer;
  g_autofree char *body = NULL;
  g_autoptr(GPtrArray) sent = NULL;

  g_application_open (G_APPLICATION (app), files, 1, "");
  wait_until (composer_open, app, 10);
  composer = composer_of (app);
  wait_for_draw (GTK_WIDGET (composer));
  g_assert_cmpstr (field_text (composer, "to"), ==, "grace@example.org, ada@example.org");
  g_assert_cmpstr (field_text (composer, "cc"), ==, "bob@example.org");
  g_assert_cmpstr (field_text (composer, "bcc"), ==, "carol@example.org");
  g_assert_true (gtk_widget_get_mapped (field (composer, "bcc")));
  g_assert_cmpstr (field_text (composer, "subject"), ==, "Café at four");
  body = body_of (composer);
  g_assert_true (g_str_has_prefix (body, "See you there.\nBring the tapes."));
  wait_until (toast_mentions_passwd, composer, 5);
  save_screenshot (GTK_WIDGET (composer), "composer-mailto");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL));
  wait_until (composer_gone, app, 30);
  wait_until (spooled_once, (gpointer) "Bring the tapes.", 10);
  sent = spooled (window_email, "Bring the tapes.");
  g_assert_null (strstr (g_ptr_array_index (sent, 0), "root:"));
  g_assert_null (strstr (g_ptr_array_index (sent, 0), "passwd"));
  /* Bcc: in the envelope, not in the message. */
  g_assert_null (strstr (g_ptr_array_index (sent, 0), "carol@"));
  g_assert_true (spooled_to ("Bring the tapes.", "carol@example.org"));
}

static void
test_window_mailto (void)
{
  if (!satchel_test_require_servers ())
    return;
  run_imap_app (NULL, 0, NULL, check_mailto);
}

/* Under French or German, the window and the wizard speak it. GLib
 * decides once per process whether to translate, so this runs in
 * processes started in those languages (the tests "window-fr" and
 * "window-de") and is skipped in the others. */
static const struct
{
  const char *language;
  const char *empty_title;   /* "Add an account to start" */
  const char *wizard_title;  /* "Add an Email Account" */
} translated[] = {
  { "fr", "Ajoutez un compte pour commencer", "Ajouter un compte de messagerie" },
  { "de", "Fügen Sie ein Konto hinzu, um zu beginnen", "E-Mail-Konto hinzufügen" },
};
static guint translated_index;

static void
check_translated (SatchelApplication *app,
                  SatchelWindow      *window)
{
  g_autofree char *name = g_strdup_printf ("wizard-%s", translated[translated_index].language);
  GtkWidget *wizard = NULL;

  g_assert_nonnull (find_widget (GTK_WIDGET (window), is_mapped_status_page_titled,
                                 (gpointer) translated[translated_index].empty_title));
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (!SATCHEL_IS_WINDOW (l->data))
      wizard = l->data;
  g_assert_nonnull (wizard);
  wait_for_draw (wizard);
  g_assert_nonnull (find_widget (wizard, is_mapped_label,
                                 (gpointer) translated[translated_index].wizard_title));
  save_screenshot (wizard, name);
}

static void
test_window_translated (void)
{
  g_autofree char *profile = NULL;

  for (translated_index = 0; translated_index < G_N_ELEMENTS (translated); translated_index++)
    if (g_strcmp0 (g_getenv ("LANGUAGE"), translated[translated_index].language) == 0)
      break;
  if (translated_index == G_N_ELEMENTS (translated))
    {
      g_test_skip ("runs as the tests window-fr and window-de, with LANGUAGE set");
      return;
    }
  profile = satchel_test_make_dir ();
  run_app (profile, check_translated);
  satchel_test_remove_dir (profile);
}

/* A StatusNotifierWatcher, as a panel runs one: on a connection of its
 * own, it takes the items that register. */
typedef struct
{
  GDBusConnection *bus;
  guint            object_id;
  guint            own_id;
  gboolean         owned;
  const char      *app;        /* the unique name of Satchel's connection */
  char            *item;       /* the bus name it registered */
  guint            tooltips;   /* NewToolTip signals heard */
} Watcher;

static const char watcher_xml[] =
  "<node><interface name='org.kde.StatusNotifierWatcher'>"
  "  <method name='RegisterStatusNotifierItem'><arg name='service' type='s'/></method>"
  "  <property name='IsStatusNotifierHostRegistered' type='b' access='read'/>"
  "  <property name='ProtocolVersion' type='i' access='read'/>"
  "</interface></node>";

static void
watcher_method_cb (GDBusConnection       *bus,
                   const char            *sender,
                   const char            *path,
                   const char            *interface,
                   const char            *method,
                   GVariant              *parameters,
                   GDBusMethodInvocation *invocation,
                   gpointer               user_data)
{
  Watcher *watcher = user_data;

  g_assert_cmpstr (method, ==, "RegisterStatusNotifierItem");
  /* Other tests' Satchels on the same bus register too. */
  if (g_strcmp0 (sender, watcher->app) == 0)
    {
      g_clear_pointer (&watcher->item, g_free);
      g_variant_get (parameters, "(s)", &watcher->item);
    }
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static GVariant *
watcher_property_cb (GDBusConnection *bus,
                     const char      *sender,
                     const char      *path,
                     const char      *interface,
                     const char      *property,
                     GError         **error,
                     gpointer         user_data)
{
  if (g_str_equal (property, "ProtocolVersion"))
    return g_variant_new_int32 (0);
  return g_variant_new_boolean (TRUE);
}

static void
watcher_owned_cb (GDBusConnection *bus,
                  const char      *name,
                  gpointer         user_data)
{
  ((Watcher *) user_data)->owned = TRUE;
}

static void
tooltip_signal_cb (GDBusConnection *bus,
                   const char      *sender,
                   const char      *path,
                   const char      *interface,
                   const char      *signal,
                   GVariant        *parameters,
                   gpointer         user_data)
{
  ((Watcher *) user_data)->tooltips++;
}

static gboolean
watcher_owned (gpointer watcher)
{
  return ((Watcher *) watcher)->owned;
}

static gboolean
item_registered (gpointer watcher)
{
  return ((Watcher *) watcher)->item != NULL;
}

/* As a sandbox that lets Satchel talk to the watcher but not own its
 * item's name: the names it would take are taken. */
static void
take_item_names (GDBusConnection *bus)
{
  for (guint n = 1; n <= 64; n++)
    {
      g_autofree char *name = g_strdup_printf ("org.kde.StatusNotifierItem-%d-%u",
                                               (int) getpid (), n);
      g_autoptr(GVariant) reply = NULL;
      g_autoptr(GError) error = NULL;

      reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                           "org.freedesktop.DBus", "RequestName",
                                           g_variant_new ("(su)", name, 4 /* DO_NOT_QUEUE */),
                                           NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
      g_assert_no_error (error);
    }
}

static void
watcher_start (Watcher *watcher,
               gboolean names_taken)
{
  static const GDBusInterfaceVTable vtable = { watcher_method_cb, watcher_property_cb, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (watcher_xml, NULL);
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GError) error = NULL;

  watcher->bus = g_dbus_connection_new_for_address_sync (
    address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
             G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL, &error);
  g_assert_no_error (error);
  if (names_taken)
    take_item_names (watcher->bus);
  watcher->object_id = g_dbus_connection_register_object (watcher->bus, "/StatusNotifierWatcher",
                                                          node->interfaces[0], &vtable, watcher,
                                                          NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_signal_subscribe (watcher->bus, NULL, "org.kde.StatusNotifierItem",
                                      "NewToolTip", "/StatusNotifierItem", NULL,
                                      G_DBUS_SIGNAL_FLAGS_NONE, tooltip_signal_cb, watcher, NULL);
  watcher->own_id = g_bus_own_name_on_connection (watcher->bus, "org.kde.StatusNotifierWatcher",
                                                  G_BUS_NAME_OWNER_FLAGS_NONE, watcher_owned_cb,
                                                  NULL, watcher, NULL);
  wait_until (watcher_owned, watcher, 10);
}

static void
watcher_stop (Watcher *watcher)
{
  g_bus_unown_name (watcher->own_id);
  g_dbus_connection_unregister_object (watcher->bus, watcher->object_id);
  g_dbus_connection_close_sync (watcher->bus, NULL, NULL);
  g_clear_object (&watcher->bus);
  g_clear_pointer (&watcher->item, g_free);
}

typedef struct
{
  GVariant *reply;
  GError   *error;
} Reply;

static void
reply_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Reply *reply = user_data;

  reply->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &reply->error);
}

static gboolean
replied (gpointer reply)
{
  return ((Reply *) reply)->reply != NULL || ((Reply *) reply)->error != NULL;
}

/* A call to Satchel, which answers from this process's main loop. */
static GVariant *
call (Watcher    *watcher,
      const char *path,
      const char *interface,
      const char *method,
      GVariant   *parameters)
{
  Reply reply = { NULL, NULL };

  g_dbus_connection_call (watcher->bus, watcher->item, path, interface, method, parameters,
                          NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, reply_cb, &reply);
  wait_until (replied, &reply, 15);
  g_assert_no_error (reply.error);
  return reply.reply;
}

static GVariant *
item_property (Watcher    *watcher,
               const char *name)
{
  g_autoptr(GVariant) reply = call (watcher, "/StatusNotifierItem",
                                    "org.freedesktop.DBus.Properties", "Get",
                                    g_variant_new ("(ss)", "org.kde.StatusNotifierItem", name));
  GVariant *value;

  g_variant_get (reply, "(v)", &value);
  return value;
}

static char *
item_string (Watcher    *watcher,
             const char *name)
{
  g_autoptr(GVariant) value = item_property (watcher, name);

  return g_variant_dup_string (value, NULL);
}

static char *
tooltip_of (Watcher *watcher)
{
  g_autoptr(GVariant) value = item_property (watcher, "ToolTip");
  g_autofree char *icon = NULL, *title = NULL;
  char *text;

  g_variant_get (value, "(s@a(iiay)ss)", &icon, NULL, &title, &text);
  g_assert_cmpstr (title, ==, "Satchel");
  return text;
}

/* The menu, as a panel reads it: each item's id and label, but for
 * separators. */
static GHashTable *
menu_items (Watcher   *watcher,
            GPtrArray *labels)
{
  g_autoptr(GVariant) reply = call (watcher, "/MenuBar", "com.canonical.dbusmenu", "GetLayout",
                                    g_variant_new ("(ii@as)", 0, -1,
                                                   g_variant_new_strv (NULL, 0)));
  g_autoptr(GVariant) layout = g_variant_get_child_value (reply, 1);
  g_autoptr(GVariant) children = g_variant_get_child_value (layout, 2);
  GHashTable *ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (gsize i = 0; i < g_variant_n_children (children); i++)
    {
      g_autoptr(GVariant) boxed = g_variant_get_child_value (children, i);
      g_autoptr(GVariant) child = g_variant_get_variant (boxed);
      g_autoptr(GVariant) props = g_variant_get_child_value (child, 1);
      const char *label = NULL, *type = NULL;
      gint32 id;

      g_variant_get_child (child, 0, "i", &id);
      g_variant_lookup (props, "type", "&s", &type);
      if (g_strcmp0 (type, "separator") == 0)
        continue;
      g_assert_true (g_variant_lookup (props, "label", "&s", &label));
      g_ptr_array_add (labels, g_strdup (label));
      g_hash_table_insert (ids, g_strdup (label), GINT_TO_POINTER (id));
    }
  return ids;
}

static void
click_menu_item (Watcher    *watcher,
                 GHashTable *ids,
                 const char *label)
{
  g_autoptr(GVariant) reply = NULL;

  g_assert_true (g_hash_table_contains (ids, label));
  reply = call (watcher, "/MenuBar", "com.canonical.dbusmenu", "Event",
                g_variant_new ("(isvu)", GPOINTER_TO_INT (g_hash_table_lookup (ids, label)),
                               "clicked", g_variant_new_int32 (0), 0));
}

static gboolean
no_item_name (void)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  g_autofree const char **names = NULL;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "ListNames", NULL, NULL,
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  g_assert_nonnull (reply);
  g_autofree char *ours = g_strdup_printf ("org.kde.StatusNotifierItem-%d-", (int) getpid ());

  g_variant_get (reply, "(^a&s)", &names);
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_has_prefix (names[i], ours))
      return FALSE;
  return TRUE;
}

typedef struct
{
  Watcher    *watcher;
  const char *text;
} TooltipWait;

static gboolean
tooltip_says (gpointer data)
{
  TooltipWait *wait = data;
  g_autofree char *text = NULL;

  if (wait->watcher->tooltips == 0)
    return FALSE;
  text = tooltip_of (wait->watcher);
  return g_strcmp0 (text, wait->text) == 0;
}

static gboolean
window_hidden (gpointer window)
{
  return !gtk_widget_get_visible (window);
}

static gboolean
window_shown (gpointer window)
{
  return gtk_widget_get_visible (window);
}

static gboolean quit_heard;

static void
quit_heard_cb (GSimpleAction *action,
               GVariant      *parameter,
               gboolean      *heard)
{
  *heard = TRUE;
}

static gboolean
flag_set (gpointer flag)
{
  return *(gboolean *) flag;
}

/* The tray: nothing on the bus until a watcher comes; then the item
 * registers, counts the unread mail in its tooltip with the badged icon,
 * shows and hides the window on a click, and its menu's four items do
 * what they say. */
static void
check_tray (SatchelApplication *app,
            SatchelWindow      *window)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) ids = NULL;
  g_autoptr(GVariant) unused = NULL;
  g_autofree char *file = g_build_filename (g_get_tmp_dir (), "satchel-tray.eml", NULL);
  g_autofree char *text = NULL, *icon = NULL, *menu = NULL;
  const char *expected[] = { "Open Satchel", "Check Mail", "Compose", "Quit" };
  Watcher watcher = { NULL, 0, 0, FALSE, NULL, NULL, 0 };
  TooltipWait wait = { &watcher, NULL };
  gint64 older;

  wait_until (service_idle, app, 30);
  g_assert_true (no_item_name ());

  /* The panel starts after Satchel, as at login. */
  watcher.app = g_dbus_connection_get_unique_name (
    g_application_get_dbus_connection (G_APPLICATION (app)));
  watcher_start (&watcher, FALSE);
  wait_until (item_registered, &watcher, 10);
  g_assert_true (g_str_has_prefix (watcher.item, "org.kde.StatusNotifierItem-"));
  text = item_string (&watcher, "Id");
  g_assert_cmpstr (text, ==, "io.github.satchelmail.Satchel");
  g_clear_pointer (&text, g_free);
  text = item_string (&watcher, "Category");
  g_assert_cmpstr (text, ==, "Communications");
  g_clear_pointer (&text, g_free);
  text = tooltip_of (&watcher);
  g_assert_cmpstr (text, ==, "2 unread messages");
  icon = item_string (&watcher, "IconName");
  g_assert_cmpstr (icon, ==, "io.github.satchelmail.Satchel-unread");
  {
    g_autoptr(GVariant) path = item_property (&watcher, "Menu");

    menu = g_variant_dup_string (path, NULL);
    g_assert_cmpstr (menu, ==, "/MenuBar");
  }

  ids = menu_items (&watcher, labels);
  g_assert_cmpuint (labels->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < labels->len; i++)
    g_assert_cmpstr (g_ptr_array_index (labels, i), ==, expected[i]);

  /* A click hides the window, and the next one brings it back. */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  unused = call (&watcher, "/StatusNotifierItem", "org.kde.StatusNotifierItem", "Activate",
                 g_variant_new ("(ii)", 0, 0));
  wait_until (window_hidden, window, 10);
  g_clear_pointer (&unused, g_variant_unref);
  unused = call (&watcher, "/StatusNotifierItem", "org.kde.StatusNotifierItem", "Activate",
                 g_variant_new ("(ii)", 0, 0));
  wait_until (window_shown, window, 10);

  /* Hidden again, Open Satchel shows it. */
  gtk_widget_set_visible (GTK_WIDGET (window), FALSE);
  click_menu_item (&watcher, ids, "Open Satchel");
  wait_until (window_shown, window, 10);

  click_menu_item (&watcher, ids, "Compose");
  wait_until (composer_open, app, 10);
  gtk_window_destroy (GTK_WINDOW (composer_of (app)));

  /* Read in the window: the count follows. */
  older = satchel_test_query_int (satchel_application_get_store (app),
                                  "SELECT id FROM message WHERE subject = 'Older'");
  satchel_window_mark_read (window, older);
  wait.text = "1 unread message";
  wait_until (tooltip_says, &wait, 15);

  /* New mail: the Inbox's watch brings it, and the tooltip counts it. */
  wait_until (inbox_watched, app, 10);
  g_assert_true (g_file_set_contents (file, "From: Grace Hopper <grace@example.org>\r\n"
                                            "Subject: Tray\r\n\r\nA new one\r\n", -1, NULL));
  satchel_test_mailctl ("append", window_user, window_password, "INBOX", file, NULL);
  g_unlink (file);
  wait.text = "2 unread messages";
  wait_until (tooltip_says, &wait, 30);
  wait_until (service_idle, app, 30);
  /* Nothing more to come: Check Mail is what starts this check. */
  click_menu_item (&watcher, ids, "Check Mail");
  wait_until (service_busy, app, 10);
  wait_until (service_idle, app, 30);

  /* All read: no badge. */
  satchel_window_mark_read (window, satchel_test_query_int (
    satchel_application_get_store (app), "SELECT id FROM message WHERE subject = 'Newer'"));
  satchel_window_mark_read (window, satchel_test_query_int (
    satchel_application_get_store (app), "SELECT id FROM message WHERE subject = 'Tray'"));
  wait.text = "No unread mail";
  wait_until (tooltip_says, &wait, 15);
  g_clear_pointer (&icon, g_free);
  icon = item_string (&watcher, "IconName");
  g_assert_cmpstr (icon, ==, "io.github.satchelmail.Satchel");
  g_assert_cmpuint (satchel_tray_get_unread (satchel_application_get_tray (app)), ==, 0);

  /* Quit quits (once this check returns to the main loop). */
  g_signal_connect (g_action_map_lookup_action (G_ACTION_MAP (app), "quit"), "activate",
                    G_CALLBACK (quit_heard_cb), &quit_heard);
  click_menu_item (&watcher, ids, "Quit");
  wait_until (flag_set, &quit_heard, 10);

  watcher_stop (&watcher);
  wait_until (service_idle, app, 30);
}

/* In a sandbox that does not let it own its name, the item registers by
 * its connection's unique name. */
static void
check_tray_sandboxed (SatchelApplication *app,
                      SatchelWindow      *window)
{
  Watcher watcher = { NULL, 0, 0, FALSE, NULL, NULL, 0 };
  g_autofree char *id = NULL;
  g_autofree char *text = NULL;

  wait_until (service_idle, app, 30);
  watcher.app = g_dbus_connection_get_unique_name (
    g_application_get_dbus_connection (G_APPLICATION (app)));
  watcher_start (&watcher, TRUE);
  wait_until (item_registered, &watcher, 10);
  g_assert_true (watcher.item[0] == ':');
  id = item_string (&watcher, "Id");
  g_assert_cmpstr (id, ==, "io.github.satchelmail.Satchel");
  text = tooltip_of (&watcher);
  g_assert_cmpstr (text, ==, "1 unread message");
  watcher_stop (&watcher);
}

static void
test_window_tray_sandboxed (void)
{
  const char *mail[] = { "From: Ada <ada@example.org>\r\nSubject: Hello\r\n\r\nHi\r\n" };

  if (!satchel_test_require_servers ())
    return;
  run_imap_app (mail, G_N_ELEMENTS (mail), NULL, check_tray_sandboxed);
}

static void
test_window_tray (void)
{
  const char *mail[] = {
    "From: Ada <ada@example.org>\r\nSubject: Older\r\n"
    "Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nOne\r\n",
    "From: Ada <ada@example.org>\r\nSubject: Newer\r\n"
    "Date: Tue, 3 Nov 2026 10:00:00 +0000\r\n\r\nTwo\r\n",
  };

  if (!satchel_test_require_servers ())
    return;
  run_imap_app (mail, G_N_ELEMENTS (mail), NULL, check_tray);
}

int
main (int   argc,
      char *argv[])
{
  /* The window alone: its accounts are not checked, unless a test says so. */
  g_setenv ("SATCHEL_CHECK_SECONDS", "never", TRUE);
  if (!ui_test_init (&argc, &argv))
    return 0;

  g_test_add_func ("/window/first-run", test_window_first_run);
  g_test_add_func ("/window/existing-accounts", test_window_existing_accounts);
  g_test_add_func ("/window/bad-store", test_window_bad_store);
  g_test_add_func ("/window/mail", test_window_mail);
  g_test_add_func ("/window/imap", test_window_imap);
  g_test_add_func ("/window/remote-content", test_window_remote_content);
  g_test_add_func ("/window/inline-image", test_window_inline_image);
  g_test_add_func ("/window/update-password", test_window_update_password);
  g_test_add_func ("/window/changed-certificate", test_window_changed_certificate);
  g_test_add_func ("/window/new-mail", test_window_new_mail);
  g_test_add_func ("/window/tray", test_window_tray);
  g_test_add_func ("/window/tray-sandboxed", test_window_tray_sandboxed);
  g_test_add_func ("/window/mailto", test_window_mailto);
  g_test_add_func ("/window/translated", test_window_translated);
  g_test_add_func ("/window/conversation", test_window_conversation);
  g_test_add_func ("/window/offline", test_window_offline);
  g_test_add_func ("/window/compose", test_window_compose);

  return g_test_run ();
}
