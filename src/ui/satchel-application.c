/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-application.c: the Satchel application
 *
 * Copyright 2026 The Satchel authors
 *
 * The application owns the profile's engine objects (store, accounts,
 * secrets) for as long as it runs; windows borrow them. A store that cannot
 * be opened is not fatal: the window says why, in words.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "satchel-account-wizard.h"
#include "satchel-application.h"
#include "satchel-autostart.h"
#include "satchel-composer-window.h"
#include "satchel-notifier.h"
#include "satchel-preferences-window.h"
#include "satchel-tray.h"
#include "satchel-window.h"

struct _SatchelApplication
{
  AdwApplication parent_instance;

  /* Owned */
  char               *profile_dir;
  SatchelProfile     *profile;
  SatchelStore       *store;
  SatchelAccountList *accounts;
  SatchelSecrets     *secrets;
  SatchelMailService *service;
  SatchelNotifier    *notifier;
  SatchelTray        *tray;
  GSettings          *settings;      /* NULL without the schema */
  GError             *store_error;

  gboolean            start_hidden;  /* --background */
  gboolean            no_background; /* --no-background */
  gboolean            held;          /* running on with the window hidden */
  gboolean            quitting;      /* once the composers kept their drafts */
};

G_DEFINE_FINAL_TYPE (SatchelApplication, satchel_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "profile", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Keep the database and configuration under DIR (or set SATCHEL_PROFILE)"), N_("DIR") },
  { "check-mail", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Check for new mail now, in Satchel if it runs"), NULL },
  { "background", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Start without a window, checking for mail (as at login)"), NULL },
  { "no-background", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Quit when the window closes, whatever the preference says"), NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
  { NULL }
};

static GSettings *
load_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = source != NULL
                                      ? g_settings_schema_source_lookup (source, APP_ID, TRUE)
                                      : NULL;

  return schema != NULL ? g_settings_new_full (schema, NULL, NULL) : NULL;
}

/* "Run in the background": closing the window hides it, and Satchel
 * goes on checking for mail and notifying until the user quits. */
static gboolean
runs_in_background (SatchelApplication *self)
{
  return !self->no_background && self->settings != NULL &&
         g_settings_get_boolean (self->settings, "run-in-background");
}

static void
hold_hidden (SatchelApplication *self)
{
  if (!self->held)
    {
      g_application_hold (G_APPLICATION (self));
      self->held = TRUE;
    }
}

static void
release_hidden (SatchelApplication *self)
{
  if (self->held)
    {
      self->held = FALSE;
      g_application_release (G_APPLICATION (self));
    }
}

static gboolean
window_close_request_cb (GtkWindow          *window,
                         SatchelApplication *self)
{
  if (!runs_in_background (self))
    return FALSE;
  gtk_widget_set_visible (GTK_WIDGET (window), FALSE);
  hold_hidden (self);
  return TRUE;
}

static void
start_at_login_changed_cb (GSettings          *settings,
                           const char         *key,
                           SatchelApplication *self)
{
  g_autoptr(GError) error = NULL;

  if (!satchel_autostart_set (g_settings_get_boolean (settings, "start-at-login"), &error))
    g_warning ("%s", error->message);
}

static void
open_profile (SatchelApplication *self)
{
  const char *interval = g_getenv ("SATCHEL_CHECK_SECONDS");
  g_autofree char *path = NULL;

  self->profile = satchel_profile_new (self->profile_dir);
  self->secrets = satchel_secrets_new ();

  if (!satchel_profile_ensure (self->profile, &self->store_error))
    return;
  path = satchel_profile_dup_store_path (self->profile);
  self->store = satchel_store_open (path, &self->store_error);
  if (self->store == NULL)
    return;
  self->accounts = satchel_account_list_new (self->store, &self->store_error);
  if (self->accounts == NULL)
    return;
  self->service = satchel_mail_service_new (path, self->accounts, self->secrets);
  /* Each account as often as its settings say; SATCHEL_CHECK_SECONDS:
   * every account that often, or "never": only when asked (tests of the
   * window alone). */
  if (g_strcmp0 (interval, "never") != 0)
    satchel_mail_service_start (self->service,
                                interval != NULL ? (guint) g_ascii_strtoull (interval, NULL, 10)
                                                 : 0);
}

/* The main window, if there is one (it may be hidden, running in the
 * background). */
static SatchelWindow *
main_window (SatchelApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (SATCHEL_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

/* The main window, shown (made first if need be), for an action that
 * works in it. */
static SatchelWindow *
shown_main_window (SatchelApplication *self)
{
  g_application_activate (G_APPLICATION (self));
  return main_window (self);
}

static void
account_added_cb (SatchelAccountWizard *wizard,
                  SatchelAccount       *account,
                  SatchelWindow        *window)
{
  g_autofree char *message = NULL;

  /* Translators: the address of the account. */
  message = g_strdup_printf (_("Added %s"), satchel_account_get_email (account));
  satchel_window_show_account (window, account);
  satchel_window_add_toast (window, message);
}

/* The wizard, over the main window. */
static void
open_wizard (SatchelApplication *self,
             SatchelWindow      *window)
{
  SatchelAccountWizard *wizard;

  if (self->accounts == NULL)
    return;
  wizard = satchel_account_wizard_new (self, GTK_WINDOW (window));
  g_signal_connect_object (wizard, "account-added", G_CALLBACK (account_added_cb), window, 0);
  gtk_window_present (GTK_WINDOW (wizard));
}

static void
add_account_activated_cb (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  SatchelApplication *self = user_data;
  SatchelWindow *window;

  window = shown_main_window (self);
  if (window != NULL)
    open_wizard (self, window);
}

static void
preferences_activated_cb (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  SatchelApplication *self = user_data;
  SatchelWindow *window;

  window = shown_main_window (self);
  gtk_window_present (GTK_WINDOW (satchel_preferences_window_new (self, GTK_WINDOW (window))));
}

static void
about_activated_cb (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  SatchelApplication *self = user_data;
  static const char *developers[] = { "The Satchel authors", NULL };

  adw_show_about_window (gtk_application_get_active_window (GTK_APPLICATION (self)),
                         "application-name", _("Satchel"),
                         "application-icon", APP_ID,
                         "developer-name", _("The Satchel authors"),
                         "version", PACKAGE_VERSION,
                         "website", "https://github.com/satchelmail/satchel",
                         "issue-url", "https://github.com/satchelmail/satchel/issues",
                         "developers", developers,
                         "copyright", "© 2026 The Satchel authors",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
check_mail_activated_cb (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  SatchelApplication *self = user_data;

  if (self->service != NULL)
    satchel_mail_service_check (self->service, NULL);
}

/* A notification's click: the window, at that message (or folder). */
static void
show_message_activated_cb (GSimpleAction *action,
                           GVariant      *parameter,
                           gpointer       user_data)
{
  SatchelApplication *self = user_data;
  SatchelWindow *window;
  gint64 folder_id, message_id;

  g_variant_get (parameter, "(xx)", &folder_id, &message_id);
  window = shown_main_window (self);
  if (window == NULL)
    return;
  if (message_id != 0)
    satchel_window_show_message (window, folder_id, message_id);
  else
    satchel_window_show_folder (window, folder_id);
}

static void
mark_read_activated_cb (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  SatchelWindow *window = main_window (user_data);

  if (window != NULL)
    satchel_window_mark_read (window, g_variant_get_int64 (parameter));
}

/* The tray's Compose, and the launcher's New Message. */
static void
compose_activated_cb (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  SatchelApplication *self = user_data;
  SatchelWindow *window;

  window = shown_main_window (self);
  if (window != NULL)
    g_action_group_activate_action (G_ACTION_GROUP (window), "compose", NULL);
}

static gboolean
composer_open (SatchelApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (SATCHEL_IS_COMPOSER_WINDOW (l->data))
      return TRUE;
  return FALSE;
}

/* A composer shows again when its draft could not be kept: Satchel
 * stays, for the user to decide, and quits only when asked again. */
static void
composer_shown_cb (GtkWidget          *composer,
                   GParamSpec         *pspec,
                   SatchelApplication *self)
{
  if (gtk_widget_get_visible (composer))
    self->quitting = FALSE;
}

/* Quitting keeps what the composers hold: each closes as its close
 * button would, keeping its draft first, and Satchel quits once they are
 * gone. One whose draft could not be kept shows again, saying why. */
static void
quit_activated_cb (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  SatchelApplication *self = user_data;
  g_autoptr(GList) windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  for (GList *l = windows; l != NULL; l = l->next)
    if (SATCHEL_IS_COMPOSER_WINDOW (l->data))
      {
        if (g_object_get_data (l->data, "satchel-quit-watched") == NULL)
          {
            g_object_set_data (l->data, "satchel-quit-watched", GINT_TO_POINTER (TRUE));
            g_signal_connect_object (l->data, "notify::visible", G_CALLBACK (composer_shown_cb),
                                     self, 0);
          }
        gtk_window_close (l->data);
      }
  if (composer_open (self))
    self->quitting = TRUE;
  else
    g_application_quit (G_APPLICATION (self));
}

static const GActionEntry app_actions[] = {
  { "add-account", add_account_activated_cb },
  { "preferences", preferences_activated_cb },
  { "about", about_activated_cb },
  { "check-mail", check_mail_activated_cb },
  { "compose", compose_activated_cb },
  { "show-message", show_message_activated_cb, "(xx)" },
  { "mark-read", mark_read_activated_cb, "x" },
  { "quit", quit_activated_cb },
};

static int
satchel_application_handle_local_options (GApplication *app,
                                          GVariantDict *options)
{
  SatchelApplication *self = SATCHEL_APPLICATION (app);

  if (g_variant_dict_contains (options, "version"))
    {
      printf ("satchel %s\n", PACKAGE_VERSION);
      return 0;
    }

  self->start_hidden = g_variant_dict_contains (options, "background");
  self->no_background = g_variant_dict_contains (options, "no-background");
  g_variant_dict_lookup (options, "profile", "^ay", &self->profile_dir);
  if (self->profile_dir == NULL && g_getenv ("SATCHEL_PROFILE") != NULL)
    self->profile_dir = g_strdup (g_getenv ("SATCHEL_PROFILE"));

  /* Another profile is another instance: launching Satchel on it must not
   * present the window of the profile that is already open. */
  if (self->profile_dir != NULL)
    g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);

  /* --check-mail: the running Satchel checks; without one, Satchel
   * starts in the background, which checks every account. */
  if (g_variant_dict_contains (options, "check-mail"))
    {
      g_autoptr(GError) error = NULL;

      if (!g_application_register (app, NULL, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      if (g_application_get_is_remote (app))
        {
          GDBusConnection *bus = g_application_get_dbus_connection (app);

          g_action_group_activate_action (G_ACTION_GROUP (app), "check-mail", NULL);
          /* The call must leave before this process does. */
          if (bus != NULL)
            g_dbus_connection_flush_sync (bus, NULL, NULL);
          return 0;
        }
      self->start_hidden = TRUE;
    }

  return -1;
}

static void
satchel_application_startup (GApplication *app)
{
  SatchelApplication *self = SATCHEL_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *add_accels[] = { "<Control><Shift>n", NULL };
  static const char *check_accels[] = { "F5", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (satchel_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.add-account", add_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.check-mail", check_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);

  self->settings = load_settings ();
  open_profile (self);
  if (self->store_error != NULL)
    g_message ("%s", self->store_error->message);
  if (self->service != NULL)
    self->notifier = satchel_notifier_new (self, self->settings);
  self->tray = satchel_tray_new (self, g_application_get_dbus_connection (app));
  if (self->settings != NULL)
    {
      g_signal_connect (self->settings, "changed::start-at-login",
                        G_CALLBACK (start_at_login_changed_cb), self);
      /* Read the key once, so that GSettings tells of its changes. */
      g_settings_get_boolean (self->settings, "start-at-login");
    }
}

static void
satchel_application_activate (GApplication *app)
{
  SatchelApplication *self = SATCHEL_APPLICATION (app);
  SatchelWindow *window = main_window (self);
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window != NULL)
    {
      /* Back from the background; a dialog over the window stays in front. */
      release_hidden (self);
      gtk_window_present (active != NULL && active != GTK_WINDOW (window) ? active
                                                                          : GTK_WINDOW (window));
      return;
    }
  window = satchel_window_new (self);
  g_signal_connect (window, "close-request", G_CALLBACK (window_close_request_cb), self);
  /* Started at login: mail is checked, the window waits to be asked for. */
  if (self->start_hidden)
    {
      self->start_hidden = FALSE;
      hold_hidden (self);
      return;
    }
  gtk_window_present (GTK_WINDOW (window));
  /* The first run: nothing to show before an account is set up. */
  if (self->accounts != NULL && g_list_model_get_n_items (G_LIST_MODEL (self->accounts)) == 0)
    open_wizard (self, window);
}

/* mailto: links (the desktop's handler for them, or `satchel mailto:…`):
 * a composer each. */
static void
satchel_application_open (GApplication  *app,
                          GFile        **files,
                          int            n_files,
                          const char    *hint)
{
  SatchelApplication *self = SATCHEL_APPLICATION (app);
  SatchelWindow *window;

  window = shown_main_window (self);
  if (window == NULL)
    return;
  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *uri = g_file_get_uri (files[i]);
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) ignored = NULL;
      SatchelDraft *draft = satchel_draft_new_from_mailto (uri, &ignored, &error);

      if (draft == NULL)
        satchel_window_add_toast (window, error->message);
      else
        satchel_window_compose (window, draft, (const char * const *) ignored);
    }
}

static void
satchel_application_shutdown (GApplication *app)
{
  SatchelApplication *self = SATCHEL_APPLICATION (app);

  if (self->service != NULL)
    satchel_mail_service_stop (self->service);
  g_clear_object (&self->tray);
  g_clear_object (&self->notifier);
  g_clear_object (&self->service);
  g_clear_object (&self->accounts);
  g_clear_object (&self->store);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);

  G_APPLICATION_CLASS (satchel_application_parent_class)->shutdown (app);
}

static void
satchel_application_finalize (GObject *object)
{
  SatchelApplication *self = (SatchelApplication *)object;

  g_clear_object (&self->tray);
  g_clear_object (&self->notifier);
  g_clear_object (&self->service);
  g_clear_object (&self->accounts);
  g_clear_object (&self->store);
  g_clear_object (&self->secrets);
  g_clear_object (&self->settings);
  g_clear_object (&self->profile);
  g_clear_pointer (&self->profile_dir, g_free);
  g_clear_error (&self->store_error);

  G_OBJECT_CLASS (satchel_application_parent_class)->finalize (object);
}

static void
satchel_application_window_removed (GtkApplication *app,
                                    GtkWindow      *window)
{
  SatchelApplication *self = SATCHEL_APPLICATION (app);

  GTK_APPLICATION_CLASS (satchel_application_parent_class)->window_removed (app, window);
  if (self->quitting && SATCHEL_IS_COMPOSER_WINDOW (window) && !composer_open (self))
    g_application_quit (G_APPLICATION (self));
}

static void
satchel_application_class_init (SatchelApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);
  GtkApplicationClass *gtk_app_class = GTK_APPLICATION_CLASS (klass);

  object_class->finalize = satchel_application_finalize;
  app_class->handle_local_options = satchel_application_handle_local_options;
  app_class->startup = satchel_application_startup;
  app_class->activate = satchel_application_activate;
  app_class->open = satchel_application_open;
  app_class->shutdown = satchel_application_shutdown;
  gtk_app_class->window_removed = satchel_application_window_removed;
}

static void
satchel_application_init (SatchelApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Read and send mail over IMAP, POP3 and SMTP."));
}

SatchelApplication *
satchel_application_new (void)
{
  return g_object_new (SATCHEL_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/satchelmail/Satchel",
                       NULL);
}

/**
 * satchel_application_get_store:
 *
 * Returns: (transfer none) (nullable): the profile's store, or %NULL when
 *   it could not be opened
 */
SatchelStore *
satchel_application_get_store (SatchelApplication *self)
{
  g_return_val_if_fail (SATCHEL_IS_APPLICATION (self), NULL);

  return self->store;
}

/**
 * satchel_application_get_accounts:
 *
 * Returns: (transfer none) (nullable): the profile's accounts, or %NULL when
 *   the store could not be opened
 */
SatchelAccountList *
satchel_application_get_accounts (SatchelApplication *self)
{
  g_return_val_if_fail (SATCHEL_IS_APPLICATION (self), NULL);

  return self->accounts;
}

/**
 * satchel_application_get_secrets:
 *
 * Returns: (transfer none): the keyring's passwords
 */
SatchelSecrets *
satchel_application_get_secrets (SatchelApplication *self)
{
  g_return_val_if_fail (SATCHEL_IS_APPLICATION (self), NULL);

  return self->secrets;
}

/**
 * satchel_application_get_mail_service:
 *
 * Returns: (transfer none) (nullable): what keeps the store up to date, or
 *   %NULL when the store could not be opened
 */
SatchelMailService *
satchel_application_get_mail_service (SatchelApplication *self)
{
  g_return_val_if_fail (SATCHEL_IS_APPLICATION (self), NULL);

  return self->service;
}

/**
 * satchel_application_get_notifier:
 *
 * Returns: (transfer none) (nullable): what tells of new mail
 */
SatchelNotifier *
satchel_application_get_notifier (SatchelApplication *self)
{
  g_return_val_if_fail (SATCHEL_IS_APPLICATION (self), NULL);

  return self->notifier;
}

/**
 * satchel_application_get_tray:
 *
 * Returns: (transfer none) (nullable): the icon in the tray, while Satchel
 *   runs
 */
SatchelTray *
satchel_application_get_tray (SatchelApplication *self)
{
  g_return_val_if_fail (SATCHEL_IS_APPLICATION (self), NULL);

  return self->tray;
}

/**
 * satchel_application_toggle_window:
 *
 * Shows the main window if it is hidden (or not there yet), and hides it
 * if it shows, running on in the background: what a click on the tray
 * icon does.
 */
void
satchel_application_toggle_window (SatchelApplication *self)
{
  SatchelWindow *window;

  g_return_if_fail (SATCHEL_IS_APPLICATION (self));

  window = main_window (self);
  if (window == NULL || !gtk_widget_get_visible (GTK_WIDGET (window)))
    {
      g_application_activate (G_APPLICATION (self));
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (window), FALSE);
  hold_hidden (self);
}

/**
 * satchel_application_get_store_error:
 *
 * Returns: (nullable): why the profile's store could not be opened
 */
const GError *
satchel_application_get_store_error (SatchelApplication *self)
{
  g_return_val_if_fail (SATCHEL_IS_APPLICATION (self), NULL);

  return self->store_error;
}
