/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-preferences-window.c: the application's and the accounts' settings
 *
 * Copyright 2026 The Satchel authors
 *
 * Two pages. "General": the application's settings, in GSettings. 
 * "Accounts": each account, opening a page of its own with every setting
 * the wizard asked for and the rest (name, colour, signature, password,
 * how often to check), and the certificates the user chose to trust.
 *
 * An account's settings change as GNOME's do, at once, but never into an
 * account that does not hold together: each change is tried on a copy
 * (satchel_account_dup) and checked with satchel_account_validate first;
 * a refused one is undone on the page and said in a toast. Turning
 * encryption off asks first, as in the wizard. The account list saves
 * what changed.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "satchel-certificate-dialog.h"
#include "satchel-color-dot.h"
#include "satchel-preferences-window.h"

#define SIGNATURE_SAVE_MS 800

enum { INCOMING, OUTGOING, N_SERVERS };

/* The GNOME palette, and none. */
static const struct {
  const char *color;
  const char *name;
} palette[] = {
  { NULL, N_("No colour") },
  { "#3584e4", N_("Blue") },
  { "#2190a4", N_("Teal") },
  { "#3a944a", N_("Green") },
  { "#c88800", N_("Yellow") },
  { "#ed5b00", N_("Orange") },
  { "#e62d42", N_("Red") },
  { "#d56199", N_("Pink") },
  { "#9141ac", N_("Purple") },
  { "#6f8396", N_("Slate") },
};

typedef struct _AccountPage AccountPage;

struct _SatchelPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  /* Unowned: it outlives its windows */
  SatchelApplication  *app;

  /* Owned */
  GSettings           *settings;
  GPtrArray           *account_rows;
  GPtrArray           *pin_rows;

  AdwPreferencesGroup *accounts_group;
  AdwPreferencesGroup *pins_group;
  AccountPage         *open_page;
  GtkSwitch           *mark_read_switch;
  GtkSpinButton       *mark_read_seconds;
  GtkSwitch           *remote_switch;
  GtkSwitch           *notify_switch;
  GtkSwitch           *background_switch;
  GtkSwitch           *login_switch;
};

G_DEFINE_FINAL_TYPE (SatchelPreferencesWindow, satchel_preferences_window,
                     ADW_TYPE_PREFERENCES_WINDOW)

struct _AccountPage
{
  SatchelPreferencesWindow *self;
  SatchelAccount           *account;
  GtkWidget                *root;

  AdwEntryRow   *label_row;
  AdwEntryRow   *name_row;
  GtkWidget     *color_buttons[G_N_ELEMENTS (palette)];
  GtkTextBuffer *signature;
  AdwEntryRow   *host_row;
  GtkSpinButton *port_spin;
  AdwComboRow   *security_row;
  AdwEntryRow   *user_row;
  AdwEntryRow   *password_row;
  GtkSpinButton *interval_spin;
  GtkSwitch     *offline_switch;
  GtkSwitch     *leave_switch;
  GtkSwitch     *delete_after_switch;
  GtkSpinButton *days_spin;
  GtkSwitch     *delete_deleted_switch;
  AdwEntryRow   *smtp_host_row;
  GtkSpinButton *smtp_port_spin;
  AdwComboRow   *smtp_security_row;
  AdwEntryRow   *smtp_user_row;

  guint          signature_id;
  gboolean       filling;
};

static void rebuild_accounts (SatchelPreferencesWindow *self);
static void rebuild_pins     (SatchelPreferencesWindow *self);

static void
toast (SatchelPreferencesWindow *self,
       const char               *message)
{
  AdwToast *toast = adw_toast_new (message);

  adw_toast_set_timeout (toast, 6);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), toast);
}

/* Building rows */

static GtkWidget *
suffix_row (AdwPreferencesGroup *group,
            const char          *title,
            const char          *subtitle,
            GtkWidget           *suffix)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (suffix, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), suffix);
  if (GTK_IS_SWITCH (suffix) || GTK_IS_SPIN_BUTTON (suffix))
    adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), suffix);
  adw_preferences_group_add (group, row);
  return row;
}

static GtkSwitch *
switch_row (AdwPreferencesGroup *group,
            const char          *title,
            const char          *subtitle)
{
  GtkWidget *widget = gtk_switch_new ();

  suffix_row (group, title, subtitle, widget);
  return GTK_SWITCH (widget);
}

static GtkSpinButton *
spin_row (AdwPreferencesGroup *group,
          const char          *title,
          const char          *subtitle,
          double               lower,
          double               upper)
{
  GtkWidget *widget = gtk_spin_button_new_with_range (lower, upper, 1);

  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (widget), TRUE);
  suffix_row (group, title, subtitle, widget);
  return GTK_SPIN_BUTTON (widget);
}

static AdwEntryRow *
entry_row (AdwPreferencesGroup *group,
           const char          *title)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
  adw_preferences_group_add (group, row);
  return ADW_ENTRY_ROW (row);
}

static AdwComboRow *
security_row (AdwPreferencesGroup *group)
{
  const char *choices[] = { _("TLS"), _("STARTTLS"), _("None"), NULL };
  GtkWidget *row = adw_combo_row_new ();
  g_autoptr(GtkStringList) model = gtk_string_list_new (choices);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Security"));
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (model));
  adw_preferences_group_add (group, row);
  return ADW_COMBO_ROW (row);
}

static AdwPreferencesGroup *
group_new (AdwPreferencesPage *page,
           const char         *title,
           const char         *description)
{
  GtkWidget *group = adw_preferences_group_new ();

  if (title != NULL)
    adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  if (description != NULL)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
  adw_preferences_page_add (page, ADW_PREFERENCES_GROUP (group));
  return ADW_PREFERENCES_GROUP (group);
}

/* An account's page: showing the account */

static void
fill_page (AccountPage *page)
{
  SatchelAccount *account = page->account;
  gboolean pop3 = satchel_account_get_kind (account) == SATCHEL_ACCOUNT_KIND_POP3;
  g_autofree char *signature = NULL;
  GtkTextIter start, end;
  const char *color = satchel_account_get_color (account);

  page->filling = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (page->label_row), satchel_account_get_label (account));
  gtk_editable_set_text (GTK_EDITABLE (page->name_row), satchel_account_get_real_name (account));
  for (guint i = 0; i < G_N_ELEMENTS (palette); i++)
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (page->color_buttons[i]),
                                  g_strcmp0 (palette[i].color, color) == 0);
  gtk_text_buffer_get_bounds (page->signature, &start, &end);
  signature = gtk_text_buffer_get_text (page->signature, &start, &end, FALSE);
  if (g_strcmp0 (signature, satchel_account_get_signature (account) != NULL
                            ? satchel_account_get_signature (account) : "") != 0)
    gtk_text_buffer_set_text (page->signature, satchel_account_get_signature (account) != NULL
                                               ? satchel_account_get_signature (account) : "",
                              -1);

  gtk_editable_set_text (GTK_EDITABLE (page->host_row), satchel_account_get_host (account));
  gtk_spin_button_set_value (page->port_spin, satchel_account_get_effective_port (account));
  adw_combo_row_set_selected (page->security_row, satchel_account_get_security (account));
  gtk_editable_set_text (GTK_EDITABLE (page->user_row), satchel_account_get_user (account));
  gtk_spin_button_set_value (page->interval_spin, satchel_account_get_check_interval (account));
  if (pop3)
    {
      gtk_switch_set_active (page->leave_switch, satchel_account_get_leave_on_server (account));
      gtk_switch_set_active (page->delete_after_switch, satchel_account_get_delete_after (account));
      gtk_spin_button_set_value (page->days_spin, satchel_account_get_delete_after_days (account));
      gtk_switch_set_active (page->delete_deleted_switch,
                             satchel_account_get_delete_when_deleted (account));
    }
  else
    gtk_switch_set_active (page->offline_switch, satchel_account_get_keep_offline (account));

  gtk_editable_set_text (GTK_EDITABLE (page->smtp_host_row),
                         satchel_account_get_smtp_host (account) != NULL
                         ? satchel_account_get_smtp_host (account) : "");
  gtk_spin_button_set_value (page->smtp_port_spin,
                             satchel_account_get_effective_smtp_port (account));
  adw_combo_row_set_selected (page->smtp_security_row, satchel_account_get_smtp_security (account));
  gtk_editable_set_text (GTK_EDITABLE (page->smtp_user_row),
                         satchel_account_get_smtp_user (account) != NULL
                         ? satchel_account_get_smtp_user (account) : "");
  page->filling = FALSE;
}

/* An account's page: changing the account */

/* Tries the change on a copy; makes it when the copy holds together, or
 * says why not and shows the account as it stays. */
static gboolean
change (AccountPage *page,
        gboolean     confirmed_insecure,
        gboolean     check_again,
        const char  *first_property,
        ...)
{
  SatchelAccount *account = page->account;
  g_autoptr(SatchelAccount) copy = satchel_account_dup (account);
  g_autoptr(GError) error = NULL;
  /* An unencrypted server the user confirmed before stays confirmed. */
  gboolean allow = confirmed_insecure ||
                   satchel_account_get_security (account) == SATCHEL_SECURITY_NONE ||
                   satchel_account_get_smtp_security (account) == SATCHEL_SECURITY_NONE;
  va_list args;

  va_start (args, first_property);
  g_object_set_valist (G_OBJECT (copy), first_property, args);
  va_end (args);

  /* A standard port is kept as such, to follow a later change of security. */
  if (satchel_account_get_port (copy) ==
      satchel_standard_port (satchel_account_get_kind (copy), satchel_account_get_security (copy)))
    g_object_set (copy, "port", 0, NULL);
  if (satchel_account_get_smtp_port (copy) ==
      satchel_standard_smtp_port (satchel_account_get_smtp_security (copy)))
    g_object_set (copy, "smtp-port", 0, NULL);

  if (!satchel_account_validate (copy, allow, &error))
    {
      toast (page->self, error->message);
      fill_page (page);
      return FALSE;
    }
  satchel_account_copy_settings (account, copy);
  fill_page (page);
  if (check_again)
    satchel_mail_service_check (satchel_application_get_mail_service (page->self->app), account);
  return TRUE;
}

static char *
dup_text (gpointer editable)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (editable))));
}

static void
text_applied_cb (AdwEntryRow *row,
                 AccountPage *page)
{
  g_autofree char *text = dup_text (row);
  const char *optional = text[0] != '\0' ? text : NULL;

  if (row == page->label_row)
    change (page, FALSE, FALSE, "label", text, NULL);
  else if (row == page->name_row)
    change (page, FALSE, FALSE, "real-name", text, NULL);
  else if (row == page->host_row)
    change (page, FALSE, TRUE, "host", text, NULL);
  else if (row == page->user_row)
    change (page, FALSE, TRUE, "user", text, NULL);
  else if (row == page->smtp_host_row)
    {
      /* No outgoing server: its other settings go with it. */
      if (optional == NULL)
        change (page, FALSE, FALSE, "smtp-host", NULL, "smtp-port", 0, "smtp-user", NULL,
                "smtp-security", SATCHEL_SECURITY_TLS, NULL);
      else
        change (page, FALSE, FALSE, "smtp-host", optional, NULL);
    }
  else if (row == page->smtp_user_row)
    change (page, FALSE, FALSE, "smtp-user", optional, NULL);
}

static void
number_changed_cb (GtkSpinButton *spin,
                   AccountPage   *page)
{
  guint value = gtk_spin_button_get_value_as_int (spin);

  if (page->filling)
    return;
  if (spin == page->port_spin)
    change (page, FALSE, TRUE, "port", value, NULL);
  else if (spin == page->smtp_port_spin)
    change (page, FALSE, FALSE, "smtp-port", value, NULL);
  else if (spin == page->interval_spin)
    change (page, FALSE, FALSE, "check-interval", value, NULL);
  else if (spin == page->days_spin)
    change (page, FALSE, FALSE, "delete-after-days", value, NULL);
}

static void
switch_changed_cb (GtkSwitch   *widget,
                   GParamSpec  *pspec,
                   AccountPage *page)
{
  gboolean active = gtk_switch_get_active (widget);

  if (page->filling)
    return;
  if (widget == page->offline_switch)
    change (page, FALSE, TRUE, "keep-offline", active, NULL);
  else if (widget == page->leave_switch && !active)
    /* Without a copy left, there is nothing to delete later. */
    change (page, FALSE, FALSE, "leave-on-server", FALSE, "delete-after", FALSE,
            "delete-when-deleted", FALSE, NULL);
  else if (widget == page->leave_switch)
    change (page, FALSE, FALSE, "leave-on-server", TRUE, NULL);
  else if (widget == page->delete_after_switch)
    change (page, FALSE, FALSE, "delete-after", active, NULL);
  else if (widget == page->delete_deleted_switch)
    change (page, FALSE, FALSE, "delete-when-deleted", active, NULL);
}

static void
color_toggled_cb (GtkToggleButton *button,
                  AccountPage     *page)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "palette-index"));

  if (page->filling || !gtk_toggle_button_get_active (button))
    return;
  change (page, FALSE, FALSE, "color", palette[index].color, NULL);
}

static gboolean
save_signature_cb (gpointer user_data)
{
  AccountPage *page = user_data;
  g_autofree char *text = NULL;
  GtkTextIter start, end;

  page->signature_id = 0;
  gtk_text_buffer_get_bounds (page->signature, &start, &end);
  text = gtk_text_buffer_get_text (page->signature, &start, &end, FALSE);
  change (page, FALSE, FALSE, "signature", text[0] != '\0' ? text : NULL, NULL);
  return G_SOURCE_REMOVE;
}

static void
signature_changed_cb (GtkTextBuffer *buffer,
                      AccountPage   *page)
{
  if (page->filling)
    return;
  g_clear_handle_id (&page->signature_id, g_source_remove);
  page->signature_id = g_timeout_add (SIGNATURE_SAVE_MS, save_signature_cb, page);
}

/* No encryption: asked first, as in the wizard. */

typedef struct
{
  AccountPage *page;
  gboolean     outgoing;
} SecurityChange;

static void
security_change_free (gpointer  data,
                      GClosure *closure)
{
  g_free (data);
}

static void
insecure_response_cb (AdwMessageDialog *dialog,
                      const char       *response,
                      SecurityChange   *request)
{
  if (g_str_equal (response, "insecure"))
    change (request->page, TRUE, !request->outgoing,
            request->outgoing ? "smtp-security" : "security", SATCHEL_SECURITY_NONE, NULL);
  else
    fill_page (request->page);
}

static void
security_selected_cb (AdwComboRow *row,
                      GParamSpec  *pspec,
                      AccountPage *page)
{
  gboolean outgoing = row == page->smtp_security_row;
  SatchelSecurity security = adw_combo_row_get_selected (row);
  SatchelSecurity current = outgoing ? satchel_account_get_smtp_security (page->account)
                                     : satchel_account_get_security (page->account);
  guint port = outgoing ? satchel_account_get_smtp_port (page->account)
                        : satchel_account_get_port (page->account);
  AdwMessageDialog *dialog;
  SecurityChange *request;

  if (page->filling || security == current)
    return;
  if (security != SATCHEL_SECURITY_NONE)
    {
      /* A standard port (kept as 0) follows; another stays. */
      change (page, FALSE, !outgoing, outgoing ? "smtp-security" : "security", security,
              outgoing ? "smtp-port" : "port", port, NULL);
      return;
    }
  dialog = satchel_insecure_dialog_new (GTK_WINDOW (page->self));
  request = g_new0 (SecurityChange, 1);
  request->page = page;
  request->outgoing = outgoing;
  g_signal_connect_data (dialog, "response", G_CALLBACK (insecure_response_cb), request,
                         security_change_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The password: into the keyring, for both servers, then a check. */

static void
password_stored_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SatchelPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!satchel_secrets_store_finish (SATCHEL_SECRETS (source), result, &error))
    toast (self, error->message);
}

static void
password_applied_cb (AdwEntryRow *row,
                     AccountPage *page)
{
  SatchelSecrets *secrets = satchel_application_get_secrets (page->self->app);
  const char *password = gtk_editable_get_text (GTK_EDITABLE (row));
  SatchelAccount *account = page->account;

  if (password[0] == '\0')
    return;
  satchel_secrets_store_async (secrets, satchel_account_get_uuid (account),
                               satchel_account_get_email (account), SATCHEL_SECRET_INCOMING,
                               password, NULL, password_stored_cb, g_object_ref (page->self));
  if (satchel_account_has_smtp (account))
    satchel_secrets_store_async (secrets, satchel_account_get_uuid (account),
                                 satchel_account_get_email (account), SATCHEL_SECRET_OUTGOING,
                                 password, NULL, password_stored_cb, g_object_ref (page->self));
  gtk_editable_set_text (GTK_EDITABLE (row), "");
  toast (page->self, _("Password saved"));
  satchel_mail_service_check (satchel_application_get_mail_service (page->self->app), account);
}

/* Removing the account */

static void
secrets_cleared_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SatchelPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!satchel_secrets_clear_finish (SATCHEL_SECRETS (source), result, &error))
    toast (self, error->message);
}

static void
remove_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    AccountPage      *page)
{
  SatchelPreferencesWindow *self = page->self;
  g_autoptr(SatchelAccount) account = g_object_ref (page->account);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!g_str_equal (response, "remove"))
    return;
  if (!satchel_account_list_remove (satchel_application_get_accounts (self->app), account,
                                    &error))
    {
      toast (self, error->message);
      return;
    }
  satchel_secrets_clear_async (satchel_application_get_secrets (self->app),
                               satchel_account_get_uuid (account), NULL, secrets_cleared_cb,
                               g_object_ref (self));
  adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (self));
  /* Translators: the account's name. */
  message = g_strdup_printf (_("Removed %s"), satchel_account_get_label (account));
  toast (self, message);
}

static void
remove_clicked_cb (GtkButton   *button,
                   AccountPage *page)
{
  SatchelAccount *account = page->account;
  g_autofree char *heading = NULL;
  const char *body;
  AdwMessageDialog *dialog;

  /* Translators: the account's name. */
  heading = g_strdup_printf (_("Remove %s?"), satchel_account_get_label (account));
  if (satchel_account_get_kind (account) == SATCHEL_ACCOUNT_KIND_POP3)
    body = _("Its mail on this computer is deleted, with its folders and its saved password. "
             "Mail that was downloaded and not left on the server exists only here and is lost.");
  else
    body = _("Its mail on this computer is deleted, with its saved password. The mail on the "
             "server stays there.");
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (page->self), heading, body));
  adw_message_dialog_add_response (dialog, "cancel", _("_Cancel"));
  adw_message_dialog_add_response (dialog, "remove", _("_Remove"));
  adw_message_dialog_set_response_appearance (dialog, "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (remove_response_cb), page);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* An account's page: building it */

static void
account_page_free (AccountPage *page)
{
  /* A signature being typed is kept. */
  if (page->signature_id != 0)
    {
      g_clear_handle_id (&page->signature_id, g_source_remove);
      if (satchel_application_get_accounts (page->self->app) != NULL)
        save_signature_cb (page);
    }
  if (page->self->open_page == page)
    page->self->open_page = NULL;
  /* Back on the list: it shows the names and colours as they are now. */
  if (!gtk_widget_in_destruction (GTK_WIDGET (page->self)))
    rebuild_accounts (page->self);
  g_clear_object (&page->account);
  g_free (page);
}

static void
back_clicked_cb (GtkButton                *button,
                 SatchelPreferencesWindow *self)
{
  adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (self));
}

static GtkWidget *
color_buttons (AccountPage *page)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *first = NULL;

  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  for (guint i = 0; i < G_N_ELEMENTS (palette); i++)
    {
      GtkWidget *button = gtk_toggle_button_new ();
      GtkWidget *swatch = palette[i].color != NULL
                          ? satchel_color_dot_new (palette[i].color)
                          : gtk_image_new_from_icon_name ("action-unavailable-symbolic");

      gtk_button_set_child (GTK_BUTTON (button), swatch);
      gtk_widget_add_css_class (button, "circular");
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, _(palette[i].name));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _(palette[i].name), -1);
      if (first != NULL)
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button), GTK_TOGGLE_BUTTON (first));
      else
        first = button;
      g_object_set_data (G_OBJECT (button), "palette-index", GUINT_TO_POINTER (i));
      g_signal_connect (button, "toggled", G_CALLBACK (color_toggled_cb), page);
      page->color_buttons[i] = button;
      gtk_box_append (GTK_BOX (box), button);
    }
  return box;
}

static GtkWidget *
account_page_new (SatchelPreferencesWindow *self,
                  SatchelAccount           *account)
{
  AccountPage *page = g_new0 (AccountPage, 1);
  gboolean pop3 = satchel_account_get_kind (account) == SATCHEL_ACCOUNT_KIND_POP3;
  GtkWidget *root = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *back = gtk_button_new_from_icon_name ("go-previous-symbolic");
  GtkWidget *title = adw_window_title_new (satchel_account_get_label (account),
                                           satchel_account_get_email (account));
  AdwPreferencesPage *prefs = ADW_PREFERENCES_PAGE (adw_preferences_page_new ());
  AdwPreferencesGroup *group;
  GtkWidget *view, *frame, *remove;

  page->self = self;
  page->account = g_object_ref (account);
  page->root = root;
  self->open_page = page;

  gtk_widget_set_tooltip_text (back, _("Back"));
  g_signal_connect (back, "clicked", G_CALLBACK (back_clicked_cb), self);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), back);
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), title);
  gtk_box_append (GTK_BOX (root), header);
  gtk_widget_set_vexpand (GTK_WIDGET (prefs), TRUE);
  gtk_box_append (GTK_BOX (root), GTK_WIDGET (prefs));

  group = group_new (prefs, _("Account"), NULL);
  page->label_row = entry_row (group, _("Account Name"));
  page->name_row = entry_row (group, _("Your Name"));
  suffix_row (group, _("Colour"), NULL, color_buttons (page));

  group = group_new (prefs, _("Signature"), _("Added below each message you write from this account"));
  view = gtk_text_view_new ();
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 12);
  gtk_widget_set_size_request (view, -1, 96);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Signature"), -1);
  page->signature = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  frame = gtk_frame_new (NULL);
  gtk_frame_set_child (GTK_FRAME (frame), view);
  gtk_widget_add_css_class (frame, "view");
  adw_preferences_group_add (group, frame);

  group = group_new (prefs, pop3 ? _("Incoming Server (POP3)") : _("Incoming Server (IMAP)"),
                     NULL);
  page->host_row = entry_row (group, _("Server"));
  page->port_spin = spin_row (group, _("Port"), NULL, 1, 65535);
  page->security_row = security_row (group);
  page->user_row = entry_row (group, _("User Name"));
  page->password_row = ADW_ENTRY_ROW (adw_password_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (page->password_row), _("New Password"));
  adw_entry_row_set_show_apply_button (page->password_row, TRUE);
  adw_preferences_group_add (group, GTK_WIDGET (page->password_row));
  page->interval_spin = spin_row (group, _("Check for Mail Every"), _("Minutes"), 1,
                                  SATCHEL_ACCOUNT_MAX_CHECK_INTERVAL);

  if (pop3)
    {
      group = group_new (prefs, _("Copies on the Server"), NULL);
      page->leave_switch = switch_row (group, _("Leave a Copy on the Server"),
                                       _("Other devices can still download it"));
      page->delete_after_switch = switch_row (group, _("Delete From the Server After a While"),
                                              NULL);
      page->days_spin = spin_row (group, _("Days After Download"), NULL, 1,
                                  SATCHEL_ACCOUNT_MAX_DELETE_AFTER_DAYS);
      page->delete_deleted_switch = switch_row (group, _("Delete From the Server When Deleted "
                                                         "Here"), NULL);
      g_object_bind_property (page->leave_switch, "active", page->delete_after_switch,
                              "sensitive", G_BINDING_SYNC_CREATE);
      g_object_bind_property (page->delete_after_switch, "active", page->days_spin, "sensitive",
                              G_BINDING_SYNC_CREATE);
      g_object_bind_property (page->leave_switch, "active", page->delete_deleted_switch,
                              "sensitive", G_BINDING_SYNC_CREATE);
    }
  else
    page->offline_switch = switch_row (group, _("Keep All Mail Available Offline"),
                                       _("Download every message, not only the ones you open"));

  group = group_new (prefs, _("Outgoing Server (SMTP)"), NULL);
  page->smtp_host_row = entry_row (group, _("Server"));
  page->smtp_port_spin = spin_row (group, _("Port"), NULL, 1, 65535);
  page->smtp_security_row = security_row (group);
  page->smtp_user_row = entry_row (group, _("User Name"));

  group = group_new (prefs, NULL, NULL);
  remove = gtk_button_new_with_mnemonic (_("_Remove Account…"));
  gtk_widget_add_css_class (remove, "destructive-action");
  gtk_widget_add_css_class (remove, "pill");
  gtk_widget_set_halign (remove, GTK_ALIGN_CENTER);
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_clicked_cb), page);
  adw_preferences_group_add (group, remove);

  fill_page (page);

  for (AdwEntryRow **row = (AdwEntryRow *[]) { page->label_row, page->name_row, page->host_row,
                                                page->user_row, page->smtp_host_row,
                                                page->smtp_user_row, NULL };
       *row != NULL; row++)
    g_signal_connect (*row, "apply", G_CALLBACK (text_applied_cb), page);
  g_signal_connect (page->password_row, "apply", G_CALLBACK (password_applied_cb), page);
  {
    GtkSpinButton *spins[] = { page->port_spin, page->smtp_port_spin, page->interval_spin,
                               page->days_spin };

    for (guint i = 0; i < G_N_ELEMENTS (spins); i++)
      if (spins[i] != NULL)
        g_signal_connect (spins[i], "value-changed", G_CALLBACK (number_changed_cb), page);
  }
  {
    GtkSwitch *switches[] = { page->offline_switch, page->leave_switch,
                              page->delete_after_switch, page->delete_deleted_switch };

    for (guint i = 0; i < G_N_ELEMENTS (switches); i++)
      if (switches[i] != NULL)
        g_signal_connect (switches[i], "notify::active", G_CALLBACK (switch_changed_cb), page);
  }
  g_signal_connect (page->security_row, "notify::selected", G_CALLBACK (security_selected_cb),
                    page);
  g_signal_connect (page->smtp_security_row, "notify::selected",
                    G_CALLBACK (security_selected_cb), page);
  g_signal_connect (page->signature, "changed", G_CALLBACK (signature_changed_cb), page);
  g_object_set_data_full (G_OBJECT (root), "account-page", page,
                          (GDestroyNotify) account_page_free);
  return root;
}

/**
 * satchel_preferences_window_show_account:
 *
 * Opens the page of @account's settings.
 */
void
satchel_preferences_window_show_account (SatchelPreferencesWindow *self,
                                         SatchelAccount           *account)
{
  g_return_if_fail (SATCHEL_IS_PREFERENCES_WINDOW (self));

  adw_preferences_window_present_subpage (ADW_PREFERENCES_WINDOW (self),
                                          account_page_new (self, account));
}

/* The accounts page */

static void
account_activated_cb (AdwActionRow             *row,
                      SatchelPreferencesWindow *self)
{
  satchel_preferences_window_show_account (self, g_object_get_data (G_OBJECT (row), "account"));
}

static void
rebuild_accounts (SatchelPreferencesWindow *self)
{
  SatchelAccountList *accounts = satchel_application_get_accounts (self->app);

  for (guint i = 0; i < self->account_rows->len; i++)
    adw_preferences_group_remove (self->accounts_group, g_ptr_array_index (self->account_rows, i));
  g_ptr_array_set_size (self->account_rows, 0);

  for (guint i = 0; accounts != NULL && i < g_list_model_get_n_items (G_LIST_MODEL (accounts)); i++)
    {
      g_autoptr(SatchelAccount) account = g_list_model_get_item (G_LIST_MODEL (accounts), i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *subtitle = NULL;

      /* Translators: an account's address and its kind (IMAP or POP3). */
      subtitle = g_strdup_printf (_("%s · %s"), satchel_account_get_email (account),
                                  satchel_account_get_kind (account) == SATCHEL_ACCOUNT_KIND_POP3
                                  ? "POP3" : "IMAP");
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), satchel_account_get_label (account));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      if (satchel_account_get_color (account) != NULL)
        adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                   satchel_color_dot_new (satchel_account_get_color (account)));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "account", g_object_ref (account), g_object_unref);
      g_signal_connect (row, "activated", G_CALLBACK (account_activated_cb), self);
      adw_preferences_group_add (self->accounts_group, row);
      g_ptr_array_add (self->account_rows, row);
    }
}

static void
accounts_changed_cb (SatchelPreferencesWindow *self)
{
  rebuild_accounts (self);
}

static void
account_saved_failed_cb (SatchelAccountList       *list,
                         SatchelAccount           *account,
                         GError                   *error,
                         SatchelPreferencesWindow *self)
{
  toast (self, error->message);
}

/* Trusted certificates */

static void
pin_remove_clicked_cb (GtkButton                *button,
                       SatchelPreferencesWindow *self)
{
  const char *host = g_object_get_data (G_OBJECT (button), "host");
  guint16 port = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "port"));
  g_autoptr(GError) error = NULL;

  if (!satchel_cert_pin_remove (satchel_application_get_store (self->app), host, port, &error))
    toast (self, error->message);
  rebuild_pins (self);
}

static void
rebuild_pins (SatchelPreferencesWindow *self)
{
  SatchelStore *store = satchel_application_get_store (self->app);
  g_autoptr(GPtrArray) pins = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < self->pin_rows->len; i++)
    adw_preferences_group_remove (self->pins_group, g_ptr_array_index (self->pin_rows, i));
  g_ptr_array_set_size (self->pin_rows, 0);
  if (store == NULL)
    return;
  pins = satchel_cert_pin_list (store, &error);
  if (pins == NULL)
    {
      toast (self, error->message);
      return;
    }
  for (guint i = 0; i < pins->len; i++)
    {
      const SatchelCertPin *pin = g_ptr_array_index (pins, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
      g_autofree char *title = g_strdup_printf ("%s:%u", pin->host, pin->port);
      g_autofree char *fingerprint = satchel_format_fingerprint (pin->sha256);
      g_autofree char *label = NULL;

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      /* Translators: a certificate's fingerprint. */
      label = g_strdup_printf (_("SHA-256 %s"), fingerprint);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), label);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (remove, _("Stop Trusting"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Stop Trusting"), -1);
      g_object_set_data_full (G_OBJECT (remove), "host", g_strdup (pin->host), g_free);
      g_object_set_data (G_OBJECT (remove), "port", GUINT_TO_POINTER (pin->port));
      g_signal_connect (remove, "clicked", G_CALLBACK (pin_remove_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
      adw_preferences_group_add (self->pins_group, row);
      g_ptr_array_add (self->pin_rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->pins_group), pins->len > 0);
}

/* The general page */

static gboolean
delay_to_switch (GValue   *value,
                 GVariant *variant,
                 gpointer  user_data)
{
  g_value_set_boolean (value, g_variant_get_int32 (variant) >= 0);
  return TRUE;
}

static GVariant *
switch_to_delay (const GValue       *value,
                 const GVariantType *type,
                 gpointer            user_data)
{
  GtkSpinButton *seconds = user_data;

  return g_variant_new_int32 (g_value_get_boolean (value)
                              ? gtk_spin_button_get_value_as_int (seconds) * 1000 : -1);
}

/* "Never" (-1) keeps the number of seconds shown, for when it is on again. */
static void
delay_changed_cb (GSettings                *settings,
                  const char               *key,
                  SatchelPreferencesWindow *self)
{
  int delay = g_settings_get_int (settings, "mark-read-delay");

  if (delay >= 0)
    gtk_spin_button_set_value (self->mark_read_seconds, delay / 1000);
}

static void
seconds_changed_cb (GtkSpinButton            *seconds,
                    SatchelPreferencesWindow *self)
{
  int delay = gtk_spin_button_get_value_as_int (seconds) * 1000;

  if (g_settings_get_int (self->settings, "mark-read-delay") >= 0 &&
      g_settings_get_int (self->settings, "mark-read-delay") != delay)
    g_settings_set_int (self->settings, "mark-read-delay", delay);
}

static void
build_general_page (SatchelPreferencesWindow *self)
{
  AdwPreferencesPage *page = ADW_PREFERENCES_PAGE (adw_preferences_page_new ());
  AdwPreferencesGroup *group;
  GtkSwitch *mark_read, *remote;
  GtkSpinButton *seconds;

  adw_preferences_page_set_name (page, "general");
  adw_preferences_page_set_title (page, _("General"));
  adw_preferences_page_set_icon_name (page, "preferences-system-symbolic");

  group = group_new (page, _("Reading"), NULL);
  mark_read = switch_row (group, _("Mark Messages as Read"), _("When a message stays open"));
  seconds = spin_row (group, _("After"), _("Seconds"), 0, 60);
  remote = switch_row (group, _("Load Remote Content From Trusted Senders"),
                       _("Images and styles on the web, in mail from senders you allowed "
                         "before; mail from others always asks"));
  g_object_bind_property (mark_read, "active", seconds, "sensitive", G_BINDING_SYNC_CREATE);
  if (self->settings != NULL)
    {
      self->mark_read_switch = mark_read;
      self->mark_read_seconds = seconds;
      self->remote_switch = remote;
      delay_changed_cb (self->settings, "mark-read-delay", self);
      g_signal_connect (self->settings, "changed::mark-read-delay",
                        G_CALLBACK (delay_changed_cb), self);
      g_signal_connect (seconds, "value-changed", G_CALLBACK (seconds_changed_cb), self);
      g_settings_bind_with_mapping (self->settings, "mark-read-delay", mark_read, "active",
                                    G_SETTINGS_BIND_DEFAULT, delay_to_switch, switch_to_delay,
                                    seconds, NULL);
      g_settings_bind (self->settings, "load-remote-content-trusted", remote, "active",
                       G_SETTINGS_BIND_DEFAULT);
    }
  else
    gtk_widget_set_sensitive (GTK_WIDGET (group), FALSE);

  group = group_new (page, _("New Mail"), NULL);
  self->notify_switch = switch_row (group, _("Show Notifications"),
                                    _("When new mail comes into an Inbox"));
  self->background_switch = switch_row (group, _("Run in the Background"),
                                        _("Closing the window keeps checking for mail"));
  self->login_switch = switch_row (group, _("Start at Login"),
                                   _("Check for mail from the start, without a window"));
  if (self->settings != NULL)
    {
      g_settings_bind (self->settings, "show-notifications", self->notify_switch, "active",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "run-in-background", self->background_switch, "active",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "start-at-login", self->login_switch, "active",
                       G_SETTINGS_BIND_DEFAULT);
    }
  else
    gtk_widget_set_sensitive (GTK_WIDGET (group), FALSE);
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), page);
}

static void
add_account_clicked_cb (GtkButton                *button,
                        SatchelPreferencesWindow *self)
{
  gtk_window_close (GTK_WINDOW (self));
  g_action_group_activate_action (G_ACTION_GROUP (self->app), "add-account", NULL);
}

static void
build_accounts_page (SatchelPreferencesWindow *self)
{
  AdwPreferencesPage *page = ADW_PREFERENCES_PAGE (adw_preferences_page_new ());
  GtkWidget *add = gtk_button_new ();
  GtkWidget *content = adw_button_content_new ();

  adw_preferences_page_set_name (page, "accounts");
  adw_preferences_page_set_title (page, _("Accounts"));
  adw_preferences_page_set_icon_name (page, "mail-unread-symbolic");
  self->accounts_group = group_new (page, _("Accounts"), NULL);
  adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), "list-add-symbolic");
  adw_button_content_set_label (ADW_BUTTON_CONTENT (content), _("_Add Account…"));
  adw_button_content_set_use_underline (ADW_BUTTON_CONTENT (content), TRUE);
  gtk_button_set_child (GTK_BUTTON (add), content);
  gtk_widget_add_css_class (add, "flat");
  g_signal_connect (add, "clicked", G_CALLBACK (add_account_clicked_cb), self);
  adw_preferences_group_set_header_suffix (self->accounts_group, add);
  self->pins_group = group_new (page, _("Trusted Certificates"),
                                _("Certificates you chose to trust although they could not be "
                                  "verified, each for one server and port"));
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), page);
}

/* GObject */

static void
satchel_preferences_window_dispose (GObject *object)
{
  SatchelPreferencesWindow *self = SATCHEL_PREFERENCES_WINDOW (object);

  if (self->app != NULL && satchel_application_get_accounts (self->app) != NULL)
    g_signal_handlers_disconnect_by_data (satchel_application_get_accounts (self->app), self);
  /* The settings outlive the window only through its bindings. */
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  if (self->mark_read_switch != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->mark_read_seconds, self);
      g_settings_unbind (self->mark_read_switch, "active");
      g_settings_unbind (self->remote_switch, "active");
      self->mark_read_switch = NULL;
    }
  if (self->notify_switch != NULL && self->settings != NULL)
    {
      g_settings_unbind (self->notify_switch, "active");
      g_settings_unbind (self->background_switch, "active");
      g_settings_unbind (self->login_switch, "active");
      self->notify_switch = NULL;
    }
  G_OBJECT_CLASS (satchel_preferences_window_parent_class)->dispose (object);
}

static void
satchel_preferences_window_finalize (GObject *object)
{
  SatchelPreferencesWindow *self = SATCHEL_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->account_rows, g_ptr_array_unref);
  g_clear_pointer (&self->pin_rows, g_ptr_array_unref);
  G_OBJECT_CLASS (satchel_preferences_window_parent_class)->finalize (object);
}

static void
satchel_preferences_window_class_init (SatchelPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = satchel_preferences_window_dispose;
  object_class->finalize = satchel_preferences_window_finalize;
}

static void
satchel_preferences_window_init (SatchelPreferencesWindow *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = source != NULL
                                      ? g_settings_schema_source_lookup (source, APP_ID, TRUE)
                                      : NULL;

  if (schema != NULL)
    self->settings = g_settings_new_full (schema, NULL, NULL);
  self->account_rows = g_ptr_array_new ();
  self->pin_rows = g_ptr_array_new ();
  gtk_window_set_default_size (GTK_WINDOW (self), 640, 720);
}

/**
 * satchel_preferences_window_new:
 * @parent: (nullable): the window it belongs to
 *
 * Returns: (transfer none): the window, not shown yet
 */
SatchelPreferencesWindow *
satchel_preferences_window_new (SatchelApplication *app,
                                GtkWindow          *parent)
{
  SatchelPreferencesWindow *self = g_object_new (SATCHEL_TYPE_PREFERENCES_WINDOW,
                                                 "application", app,
                                                 "transient-for", parent,
                                                 "modal", TRUE,
                                                 "destroy-with-parent", TRUE,
                                                 NULL);
  SatchelAccountList *accounts = satchel_application_get_accounts (app);

  self->app = app;
  build_general_page (self);
  build_accounts_page (self);
  rebuild_accounts (self);
  rebuild_pins (self);
  if (accounts != NULL)
    {
      g_signal_connect_swapped (accounts, "items-changed", G_CALLBACK (accounts_changed_cb), self);
      g_signal_connect (accounts, "save-failed", G_CALLBACK (account_saved_failed_cb), self);
    }
  return self;
}
