/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-window.c: the main window
 *
 * Copyright 2026 The Satchel authors
 *
 * Until the mail views arrive, the window has three states: the first-run
 * page that invites the user to add an account, the list of accounts, and
 * a page that says why the mail store could not be opened. The state
 * follows the application's account list.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "satchel-window.h"

struct _SatchelWindow
{
  AdwApplicationWindow parent_instance;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  GtkStack        *stack;
  AdwStatusPage   *error_page;
  GtkListBox      *accounts_box;

  /* Owned */
  GSettings       *settings;
  GSignalGroup    *accounts_signals;
};

G_DEFINE_FINAL_TYPE (SatchelWindow, satchel_window, ADW_TYPE_APPLICATION_WINDOW)

static const char *
kind_name (SatchelAccountKind kind)
{
  return kind == SATCHEL_ACCOUNT_KIND_POP3 ? "POP3" : "IMAP";
}

static GtkWidget *
create_account_row (gpointer item,
                    gpointer user_data)
{
  SatchelAccount *account = item;
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *subtitle = NULL;

  /* Translators: an account's address, its kind (IMAP or POP3) and server. */
  subtitle = g_strdup_printf (_("%s · %s · %s"),
                              satchel_account_get_email (account),
                              kind_name (satchel_account_get_kind (account)),
                              satchel_account_get_host (account));
  g_object_bind_property (account, "label", row, "title", G_BINDING_SYNC_CREATE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                             gtk_image_new_from_icon_name ("mail-unread-symbolic"));
  return row;
}

static void
update_page (SatchelWindow *self)
{
  SatchelApplication *app = SATCHEL_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  const GError *error;
  SatchelAccountList *accounts;

  if (app == NULL)
    return;

  error = satchel_application_get_store_error (app);
  accounts = satchel_application_get_accounts (app);
  if (error != NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
    }
  else if (accounts == NULL || g_list_model_get_n_items (G_LIST_MODEL (accounts)) == 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "welcome");
    }
  else
    {
      gtk_stack_set_visible_child_name (self->stack, "accounts");
    }
}

static void
accounts_items_changed_cb (SatchelWindow *self,
                           guint          position,
                           guint          removed,
                           guint          added,
                           GListModel    *accounts)
{
  update_page (self);
}

static void
bind_accounts (SatchelWindow *self)
{
  SatchelApplication *app = SATCHEL_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  SatchelAccountList *accounts = app != NULL ? satchel_application_get_accounts (app) : NULL;

  g_signal_group_set_target (self->accounts_signals, accounts);
  gtk_list_box_bind_model (self->accounts_box, G_LIST_MODEL (accounts),
                           accounts != NULL ? create_account_row : NULL, NULL, NULL);
  update_page (self);
}

static GSettings *
load_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  /* Run from the build tree without its compiled schema, the window still
   * opens; it only forgets its size. */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    return NULL;
  return g_settings_new_full (schema, NULL, NULL);
}

static void
satchel_window_dispose (GObject *object)
{
  SatchelWindow *self = (SatchelWindow *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), SATCHEL_TYPE_WINDOW);
  g_clear_object (&self->accounts_signals);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (satchel_window_parent_class)->dispose (object);
}

static void
notify_application_cb (SatchelWindow *self,
                       GParamSpec    *pspec,
                       gpointer       user_data)
{
  bind_accounts (self);
}

static void
satchel_window_class_init (SatchelWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = satchel_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/satchelmail/Satchel/satchel-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, accounts_box);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
}

static void
satchel_window_init (SatchelWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* "application" is set after construction, and may change. */
  g_signal_connect (self, "notify::application", G_CALLBACK (notify_application_cb), NULL);

  self->accounts_signals = g_signal_group_new (SATCHEL_TYPE_ACCOUNT_LIST);
  g_signal_group_connect_object (self->accounts_signals, "items-changed",
                                 G_CALLBACK (accounts_items_changed_cb), self,
                                 G_CONNECT_SWAPPED);

  self->settings = load_settings ();
  if (self->settings != NULL)
    {
      g_settings_bind (self->settings, "window-width", self, "default-width",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "window-height", self, "default-height",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "window-maximized", self, "maximized",
                       G_SETTINGS_BIND_DEFAULT);
    }
}

SatchelWindow *
satchel_window_new (SatchelApplication *application)
{
  return g_object_new (SATCHEL_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

void
satchel_window_add_toast (SatchelWindow *self,
                          const char    *message)
{
  g_return_if_fail (SATCHEL_IS_WINDOW (self));

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

/**
 * satchel_window_get_page:
 *
 * Returns: which state the window shows: "welcome", "accounts" or "error"
 */
const char *
satchel_window_get_page (SatchelWindow *self)
{
  g_return_val_if_fail (SATCHEL_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}
