/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-preferences.c: the preferences window, used as a user uses it
 *
 * Copyright 2026 The Satchel authors
 *
 * Satchel runs on a profile with one account of a user of the test
 * Dovecot; the test opens Preferences from the application's action,
 * changes settings through the rows a user types into and clicks, and
 * checks what the account, the keyring, the store and GSettings then
 * hold.
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "satchel-preferences-window.h"
#include "satchel-test-utils.h"
#include "satchel-ui-test-utils.h"

static char *user_email;
static char *user_password;

static SatchelPreferencesWindow *
preferences_of (SatchelApplication *app)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (SATCHEL_IS_PREFERENCES_WINDOW (l->data) && gtk_widget_get_mapped (l->data))
      return l->data;
  return NULL;
}

static gboolean
preferences_shown (gpointer app)
{
  return preferences_of (app) != NULL;
}

/* The row titled @row (in the group titled @group), or its widget of
 * @type, once the window is drawn. */
static GtkWidget *
field (GtkWidget  *window,
       const char *group,
       const char *row,
       GType       type)
{
  wait_for_draw (window);
  return find_field (window, group, row, type);
}

/* Types into an entry row and presses its apply button. */
static void
type_and_apply (GtkWidget  *window,
                const char *group,
                const char *row,
                const char *text)
{
  GtkWidget *entry = field (window, group, row, G_TYPE_INVALID);

  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  g_signal_emit_by_name (entry, "apply");
}

static gboolean
toast_says (GtkWidget  *window,
            const char *text)
{
  /* The toast's title is a label in the window's overlay. */
  return find_widget (window, is_mapped_label, text) != NULL;
}

static SatchelAccount *
first_account (SatchelApplication *app)
{
  SatchelAccountList *accounts = satchel_application_get_accounts (app);

  if (g_list_model_get_n_items (G_LIST_MODEL (accounts)) == 0)
    return NULL;
  return g_list_model_get_item (G_LIST_MODEL (accounts), 0);
}

/* A second reading of the store, as the next run would make it. */
static SatchelAccount *
saved_account (SatchelApplication *app)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelAccountList) list = satchel_account_list_new (satchel_application_get_store (app),
                                                                 &error);

  g_assert_no_error (error);
  return g_list_model_get_item (G_LIST_MODEL (list), 0);
}

static GtkWidget *
open_preferences (SatchelApplication *app)
{
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  wait_until (preferences_shown, app, 10);
  wait_for_draw (GTK_WIDGET (preferences_of (app)));
  return GTK_WIDGET (preferences_of (app));
}

static void
open_account_page (GtkWidget  *prefs,
                   const char *label)
{
  GtkWidget *accounts;

  /* The Accounts page, as its switcher would show it. */
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "accounts");
  accounts = field (prefs, "Accounts", label, G_TYPE_INVALID);
  g_signal_emit_by_name (accounts, "activate");
  wait_for_draw (prefs);
  g_assert_nonnull (find_widget (prefs, is_mapped_group_titled, "Signature"));
}

static gboolean
keyring_has_new_password (gpointer app)
{
  g_autoptr(SatchelAccount) account = first_account (app);
  g_autoptr(SatchelPassword) password =
    satchel_secrets_lookup_sync (satchel_application_get_secrets (app),
                                 satchel_account_get_uuid (account), SATCHEL_SECRET_INCOMING,
                                 NULL, NULL);

  return g_strcmp0 (password, "a new password") == 0;
}

static gboolean
no_account (gpointer app)
{
  return g_list_model_get_n_items (G_LIST_MODEL (satchel_application_get_accounts (app))) == 0;
}

static gboolean
account_is_green (gpointer account)
{
  return g_strcmp0 (satchel_account_get_color (account), "#3a944a") == 0;
}

static gboolean
folders_came (gpointer app)
{
  return satchel_test_query_int (satchel_application_get_store (app),
                                 "SELECT count (*) FROM folder") > 0;
}

static void
check_imap_account (SatchelApplication *app,
                    SatchelWindow      *window)
{
  GtkWidget *prefs = open_preferences (app);
  g_autoptr(SatchelAccount) account = first_account (app);
  g_autoptr(SatchelAccount) saved = NULL;
  AdwMessageDialog *dialog = NULL;
  AdwComboRow *security;

  open_account_page (prefs, "Office");
  save_screenshot (prefs, "preferences-account");

  /* A name: at once, and kept. */
  type_and_apply (prefs, "Account", "Account Name", "Work");
  g_assert_cmpstr (satchel_account_get_label (account), ==, "Work");
  saved = saved_account (app);
  g_assert_cmpstr (satchel_account_get_label (saved), ==, "Work");
  g_clear_object (&saved);

  /* A server name that is not one: refused, said, and undone. */
  type_and_apply (prefs, "Incoming Server (IMAP)", "Server", "not a host");
  g_assert_cmpstr (satchel_account_get_host (account), ==, "localhost");
  g_assert_true (toast_says (prefs, "“not a host” is not a valid server name."));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (field (prefs, "Incoming Server (IMAP)",
                                                               "Server", G_TYPE_INVALID))),
                   ==, "localhost");

  /* A colour, from the palette. */
  g_assert_null (satchel_account_get_color (account));
  {
    GtkWidget *row = field (prefs, "Account", "Colour", G_TYPE_INVALID);
    GtkWidget *green = NULL;

    for (GtkWidget *b = find_widget (row, is_widget_of_type,
                                     GSIZE_TO_POINTER (GTK_TYPE_TOGGLE_BUTTON));
         b != NULL; b = gtk_widget_get_next_sibling (b))
      if (g_strcmp0 (gtk_widget_get_tooltip_text (b), "Green") == 0)
        green = b;
    g_assert_nonnull (green);
    /* A button's activation is a click that takes a moment. */
    g_assert_true (gtk_widget_activate (green));
    wait_until (account_is_green, account, 5);
  }

  /* How often to check. */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (field (prefs, NULL, "Check for Mail Every",
                                                     GTK_TYPE_SPIN_BUTTON)), 15);
  g_assert_cmpuint (satchel_account_get_check_interval (account), ==, 15);

  /* Keep all mail offline. */
  gtk_switch_set_active (GTK_SWITCH (field (prefs, NULL, "Keep All Mail Available Offline",
                                            GTK_TYPE_SWITCH)), TRUE);
  g_assert_true (satchel_account_get_keep_offline (account));

  /* A signature, kept as it is typed. */
  {
    GtkWidget *view = find_widget (find_widget (prefs, is_mapped_group_titled, "Signature"),
                                   is_widget_of_type, GSIZE_TO_POINTER (GTK_TYPE_TEXT_VIEW));
    gint64 later = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

    gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), "Zoë\nWork", -1);
    while (g_get_monotonic_time () < later)
      g_main_context_iteration (NULL, FALSE);
    g_assert_cmpstr (satchel_account_get_signature (account), ==, "Zoë\nWork");
  }

  /* No encryption: asked, and cancelled. */
  security = ADW_COMBO_ROW (field (prefs, "Incoming Server (IMAP)", "Security", G_TYPE_INVALID));
  adw_combo_row_set_selected (security, SATCHEL_SECURITY_NONE);
  wait_until (dialog_open, &dialog, 5);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Use an Unencrypted Connection?");
  press_response (dialog, "cancel");
  g_assert_cmpint (satchel_account_get_security (account), ==, SATCHEL_SECURITY_TLS);
  g_assert_cmpuint (adw_combo_row_get_selected (security), ==, SATCHEL_SECURITY_TLS);

  /* A new password goes to the keyring. */
  type_and_apply (prefs, "Incoming Server (IMAP)", "New Password", "a new password");
  wait_until (keyring_has_new_password, app, 10);

  saved = saved_account (app);
  g_assert_cmpstr (satchel_account_get_color (saved), ==, "#3a944a");
  g_assert_cmpuint (satchel_account_get_check_interval (saved), ==, 15);
  g_assert_cmpstr (satchel_account_get_signature (saved), ==, "Zoë\nWork");
  g_assert_true (satchel_account_get_keep_offline (saved));

  /* Removed, after a question: its mail here and its password go. */
  wait_until (folders_came, app, 30);
  g_assert_true (gtk_widget_activate (find_widget (prefs, is_button_labelled,
                                                   "_Remove Account…")));
  /* The question comes once the click is over. */
  wait_until (dialog_open, &dialog, 5);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Remove Work?");
  press_response (dialog, "remove");
  wait_until (no_account, app, 5);
  g_assert_cmpint (satchel_test_query_int (satchel_application_get_store (app),
                                           "SELECT count (*) FROM folder"), ==, 0);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(SatchelPassword) password = NULL;
    gint64 later = g_get_monotonic_time () + G_USEC_PER_SEC;

    while (g_get_monotonic_time () < later)
      g_main_context_iteration (NULL, FALSE);
    password = satchel_secrets_lookup_sync (satchel_application_get_secrets (app),
                                            satchel_account_get_uuid (account),
                                            SATCHEL_SECRET_INCOMING, NULL, &error);
    g_assert_no_error (error);
    g_assert_null (password);
  }
}

/* A profile with the account "Office" of a new user of the test
 * servers, on the IMAPS port, trusted by the test CA. */
static char *
make_profile (SatchelAccountKind kind)
{
  char *profile = satchel_test_make_dir ();
  g_autofree char *path = g_build_filename (profile, "satchel.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelStore) store = satchel_store_open (path, &error);
  g_autoptr(SatchelAccountList) list = satchel_account_list_new (store, &error);
  g_autoptr(SatchelAccount) account = NULL;
  g_autoptr(SatchelSecrets) secrets = satchel_secrets_new ();
  const char *port = kind == SATCHEL_ACCOUNT_KIND_POP3 ? "SATCHEL_TEST_POP3S_PORT"
                                                       : "SATCHEL_TEST_IMAPS_PORT";

  g_free (user_email);
  g_free (user_password);
  user_email = g_strdup_printf ("pref%dx%u@example.org", (int) getpid (), g_random_int ());
  user_password = g_strconcat ("pw-", user_email, NULL);
  g_assert_no_error (error);
  account = satchel_account_new (kind, user_email);
  g_object_set (account, "host", "localhost", "label", "Office",
                "port", (guint) g_ascii_strtoull (g_getenv (port), NULL, 10),
                "ca-file", g_getenv ("SATCHEL_TEST_CA"),
                "smtp-host", "localhost",
                "smtp-port", (guint) g_ascii_strtoull (g_getenv ("SATCHEL_TEST_SMTPS_PORT"),
                                                       NULL, 10), NULL);
  g_assert_true (satchel_account_list_add (list, account, &error));
  g_assert_true (satchel_secrets_store_sync (secrets, satchel_account_get_uuid (account),
                                             user_email, SATCHEL_SECRET_INCOMING, user_password,
                                             NULL, &error));
  g_assert_no_error (error);
  return profile;
}

static void
test_preferences_imap_account (void)
{
  g_autofree char *profile = NULL;

  if (!satchel_test_require_servers ())
    return;
  profile = make_profile (SATCHEL_ACCOUNT_KIND_IMAP);
  g_setenv ("SATCHEL_CHECK_SECONDS", "3600", TRUE);
  run_app (profile, check_imap_account);
  g_setenv ("SATCHEL_CHECK_SECONDS", "never", TRUE);
  satchel_test_remove_dir (profile);
}

/* POP3: the server-copy options hold together. */
static void
check_pop3_account (SatchelApplication *app,
                    SatchelWindow      *window)
{
  GtkWidget *prefs = open_preferences (app);
  g_autoptr(SatchelAccount) account = first_account (app);
  GtkSwitch *leave, *after;

  open_account_page (prefs, "Office");
  leave = GTK_SWITCH (field (prefs, "Copies on the Server", "Leave a Copy on the Server",
                             GTK_TYPE_SWITCH));
  after = GTK_SWITCH (field (prefs, "Copies on the Server", "Delete From the Server After a While",
                             GTK_TYPE_SWITCH));
  g_assert_true (gtk_switch_get_active (leave));
  gtk_switch_set_active (after, TRUE);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (field (prefs, "Copies on the Server",
                                                     "Days After Download",
                                                     GTK_TYPE_SPIN_BUTTON)), 30);
  g_assert_true (satchel_account_get_delete_after (account));
  g_assert_cmpuint (satchel_account_get_delete_after_days (account), ==, 30);
  save_screenshot (prefs, "preferences-pop3");

  /* Without a copy left, nothing is deleted later: both go off. */
  gtk_switch_set_active (leave, FALSE);
  g_assert_false (satchel_account_get_leave_on_server (account));
  g_assert_false (satchel_account_get_delete_after (account));
  g_assert_false (gtk_switch_get_active (after));
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (after)));
}

static void
test_preferences_pop3_account (void)
{
  g_autofree char *profile = NULL;

  if (!satchel_test_require_servers ())
    return;
  profile = make_profile (SATCHEL_ACCOUNT_KIND_POP3);
  run_app (profile, check_pop3_account);
  satchel_test_remove_dir (profile);
}

static gboolean
pin_gone (gpointer app)
{
  g_autofree char *pin = satchel_cert_pin_lookup (satchel_application_get_store (app),
                                                  "mail.example.org", 993, NULL);

  return pin == NULL;
}

/* The application's settings, and the certificates trusted. */
static void
check_general (SatchelApplication *app,
               SatchelWindow      *window)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GError) error = NULL;
  GtkWidget *prefs, *mark_read, *seconds, *pin, *remove;

  g_assert_true (satchel_cert_pin_save (satchel_application_get_store (app), "mail.example.org",
                                        993, "00112233445566778899aabbccddeeff"
                                        "00112233445566778899aabbccddeeff", NULL, &error));
  prefs = open_preferences (app);
  save_screenshot (prefs, "preferences-general");

  mark_read = field (prefs, "Reading", "Mark Messages as Read", GTK_TYPE_SWITCH);
  seconds = field (prefs, "Reading", "After", GTK_TYPE_SPIN_BUTTON);
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (mark_read)));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (seconds), 5);
  g_assert_cmpint (g_settings_get_int (settings, "mark-read-delay"), ==, 5000);
  gtk_switch_set_active (GTK_SWITCH (mark_read), FALSE);
  g_assert_cmpint (g_settings_get_int (settings, "mark-read-delay"), ==, -1);
  g_assert_false (gtk_widget_is_sensitive (seconds));
  gtk_switch_set_active (GTK_SWITCH (mark_read), TRUE);
  g_assert_cmpint (g_settings_get_int (settings, "mark-read-delay"), ==, 5000);

  gtk_switch_set_active (GTK_SWITCH (field (prefs, "Reading",
                                            "Load Remote Content From Trusted Senders",
                                            GTK_TYPE_SWITCH)), FALSE);
  g_assert_false (g_settings_get_boolean (settings, "load-remote-content-trusted"));
  g_settings_reset (settings, "mark-read-delay");
  g_settings_reset (settings, "load-remote-content-trusted");

  /* Start at login: an autostart entry that starts Satchel hidden, and
   * none once it is off again. */
  {
    g_autofree char *path = g_build_filename (g_get_user_config_dir (), "autostart",
                                              APP_ID ".desktop", NULL);
    g_autofree char *entry = NULL;
    GtkSwitch *login = GTK_SWITCH (field (prefs, "New Mail", "Start at Login", GTK_TYPE_SWITCH));

    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    gtk_switch_set_active (login, TRUE);
    g_assert_true (g_settings_get_boolean (settings, "start-at-login"));
    g_assert_true (g_file_get_contents (path, &entry, NULL, NULL));
    g_assert_nonnull (strstr (entry, "\nExec=satchel --background\n"));
    g_assert_nonnull (strstr (entry, "\nX-GNOME-Autostart-enabled=true\n"));
    gtk_switch_set_active (login, FALSE);
    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  }
  gtk_switch_set_active (GTK_SWITCH (field (prefs, "New Mail", "Show Notifications",
                                            GTK_TYPE_SWITCH)), FALSE);
  g_assert_false (g_settings_get_boolean (settings, "show-notifications"));
  g_settings_reset (settings, "show-notifications");

  /* The trusted certificate, listed and then no longer trusted. */
  open_account_page (prefs, "Office");
  adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (prefs));
  pin = field (prefs, "Trusted Certificates", "mail.example.org:993", G_TYPE_INVALID);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (pin)),
                            "SHA-256 00:11:22:33"));
  save_screenshot (prefs, "preferences-accounts");
  remove = find_widget (pin, is_widget_of_type, GSIZE_TO_POINTER (GTK_TYPE_BUTTON));
  g_assert_true (gtk_widget_activate (remove));
  wait_until (pin_gone, app, 5);
}

static void
test_preferences_general (void)
{
  g_autofree char *profile = NULL;

  if (!satchel_test_require_servers ())
    return;
  profile = make_profile (SATCHEL_ACCOUNT_KIND_IMAP);
  run_app (profile, check_general);
  satchel_test_remove_dir (profile);
}

/* Run in the background: closing the window hides it and Satchel goes on;
 * launching it again shows the window. */
static void
check_background (SatchelApplication *app,
                  SatchelWindow      *window)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  g_assert_true (g_settings_get_boolean (settings, "run-in-background"));
  gtk_window_close (GTK_WINDOW (window));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_true (g_list_find (gtk_application_get_windows (GTK_APPLICATION (app)), window) != NULL);
  /* Still checking for mail. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "check-mail", NULL);
  g_assert_true (satchel_mail_service_is_busy (satchel_application_get_mail_service (app)));

  g_application_activate (G_APPLICATION (app));
  wait_for_draw (GTK_WIDGET (window));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
}

static void
test_preferences_background (void)
{
  g_autofree char *profile = NULL;

  if (!satchel_test_require_servers ())
    return;
  profile = make_profile (SATCHEL_ACCOUNT_KIND_IMAP);
  g_setenv ("SATCHEL_CHECK_SECONDS", "3600", TRUE);
  run_app (profile, check_background);
  g_setenv ("SATCHEL_CHECK_SECONDS", "never", TRUE);
  satchel_test_remove_dir (profile);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("SATCHEL_CHECK_SECONDS", "never", TRUE);
  if (!ui_test_init (&argc, &argv))
    return 0;

  g_test_add_func ("/preferences/imap-account", test_preferences_imap_account);
  g_test_add_func ("/preferences/pop3-account", test_preferences_pop3_account);
  g_test_add_func ("/preferences/general", test_preferences_general);
  g_test_add_func ("/preferences/background", test_preferences_background);

  return g_test_run ();
}
