/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-account-wizard.c: setting up an account
 *
 * Copyright 2026 The Satchel authors
 *
 * Five pages, as Thunderbird and GNOME Online Accounts lead a user:
 *
 *  1. "you": name, address, password;
 *  2. "finding": SatchelAutoconfig asks every source at once, each row
 *     saying when its source has answered; Back cancels;
 *  3. "kind": IMAP or POP3, each said in what it means, with the
 *     options of the one chosen;
 *  4. "servers": what was found, or guesses, to check and change;
 *     no encryption only after the user confirmed it;
 *  5. "checking": a login to the incoming server, then to the outgoing
 *     one, each saying in words what failed; an untrusted certificate
 *     asks the user, and trusting it pins it for that host and port.
 *
 * When both logins work, the password goes to the keyring, the account
 * to the store, and the wizard closes; the mail service starts its first
 * check as the account appears. "Set Up Manually…" skips the search.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "satchel-account-wizard.h"
#include "satchel-certificate-dialog.h"

enum { INCOMING, OUTGOING, N_SERVERS };

struct _SatchelAccountWizard
{
  AdwWindow parent_instance;

  /* Template widgets */
  AdwWindowTitle      *window_title;
  GtkWidget           *cancel_button;
  GtkWidget           *back_button;
  GtkWidget           *next_button;
  GtkStack            *stack;
  AdwEntryRow         *name_row;
  AdwEntryRow         *email_row;
  AdwEntryRow         *password_row;
  AdwStatusPage       *finding_page;
  GtkSpinner          *finding_spinner;
  AdwPreferencesGroup *sources_group;
  AdwPreferencesGroup *kind_group;
  GtkWidget           *imap_row;
  GtkWidget           *pop3_row;
  GtkCheckButton      *imap_check;
  GtkCheckButton      *pop3_check;
  GtkWidget           *imap_options;
  GtkWidget           *pop3_options;
  GtkSwitch           *offline_switch;
  GtkSwitch           *leave_switch;
  GtkSwitch           *delete_after_switch;
  GtkSpinButton       *days_spin;
  GtkSwitch           *delete_deleted_switch;
  AdwPreferencesGroup *incoming_group;
  AdwPreferencesGroup *outgoing_group;
  AdwComboRow         *protocol_row;
  AdwEntryRow         *host_row;
  GtkSpinButton       *port_spin;
  AdwComboRow         *security_row;
  AdwEntryRow         *user_row;
  AdwEntryRow         *smtp_host_row;
  GtkSpinButton       *smtp_port_spin;
  AdwComboRow         *smtp_security_row;
  AdwEntryRow         *smtp_user_row;
  AdwStatusPage       *checking_page;
  AdwActionRow        *incoming_check_row;
  AdwActionRow        *outgoing_check_row;
  GtkStack            *incoming_check_state;
  GtkStack            *outgoing_check_state;

  /* Unowned: it outlives its windows */
  SatchelApplication      *app;

  /* Owned */
  SatchelAutoconfig       *autoconfig;
  GCancellable            *cancellable;   /* the search or the check under way */
  SatchelAutoconfigResult *found;         /* NULL: set up by hand */
  SatchelAccount          *account;       /* what is being checked */
  GtkWidget               *source_rows[SATCHEL_AUTOCONFIG_N_SOURCES];
  char                    *filled_for;    /* the address the servers were filled in for */

  SatchelSecurity          security[N_SERVERS];   /* as chosen last */
  gboolean                 insecure_confirmed;
  gboolean                 filling;               /* the code, not the user, changes fields */
  gboolean                 checking;
  gboolean                 check_failed;
  gboolean                 password_refused;   /* Back leads to the password */
  gboolean                 looked_up;          /* not set up by hand */
  gboolean                 outgoing_stored;    /* the second password is being kept */
  guint                    checking_server;    /* INCOMING or OUTGOING */
};

G_DEFINE_FINAL_TYPE (SatchelAccountWizard, satchel_account_wizard, ADW_TYPE_WINDOW)

enum
{
  SIGNAL_ACCOUNT_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void log_in (SatchelAccountWizard *self);
static void start_check (SatchelAccountWizard *self,
                         guint                 server);
static void apply_security (SatchelAccountWizard *self,
                            guint                 server,
                            SatchelSecurity       security);

/* Fields */

static char *
dup_text (gpointer editable)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (editable))));
}

static char *
dup_domain (SatchelAccountWizard *self)
{
  g_autofree char *email = dup_text (self->email_row);
  const char *at = strrchr (email, '@');

  return g_ascii_strdown (at != NULL ? at + 1 : "", -1);
}

static SatchelAccountKind
chosen_kind (SatchelAccountWizard *self)
{
  return gtk_check_button_get_active (self->pop3_check) ? SATCHEL_ACCOUNT_KIND_POP3
                                                        : SATCHEL_ACCOUNT_KIND_IMAP;
}

static const char *
page (SatchelAccountWizard *self)
{
  return gtk_stack_get_visible_child_name (self->stack);
}

static gboolean
can_go_on (SatchelAccountWizard *self)
{
  const char *name = page (self);

  if (g_str_equal (name, "you"))
    {
      g_autofree char *email = dup_text (self->email_row);

      return satchel_email_address_is_valid (email) &&
             gtk_editable_get_text (GTK_EDITABLE (self->password_row))[0] != '\0';
    }
  if (g_str_equal (name, "servers"))
    {
      g_autofree char *host = dup_text (self->host_row);
      g_autofree char *smtp_host = dup_text (self->smtp_host_row);
      g_autofree char *user = dup_text (self->user_row);

      return host[0] != '\0' && smtp_host[0] != '\0' && user[0] != '\0';
    }
  if (g_str_equal (name, "checking"))
    return !self->checking && self->check_failed;
  return g_str_equal (name, "kind");
}

/* The header bar follows the page: Cancel or Back, and what Next does. */
static void
update_buttons (SatchelAccountWizard *self)
{
  const char *name = page (self);
  g_autofree char *email = dup_text (self->email_row);
  const char *next = _("_Next");

  if (g_str_equal (name, "servers"))
    next = _("_Log In");
  else if (g_str_equal (name, "checking"))
    next = _("_Try Again");

  gtk_widget_set_visible (self->cancel_button, g_str_equal (name, "you"));
  gtk_widget_set_visible (self->back_button, !g_str_equal (name, "you"));
  gtk_widget_set_visible (self->next_button, !g_str_equal (name, "finding") &&
                                             !(g_str_equal (name, "checking") &&
                                               !self->check_failed));
  gtk_button_set_label (GTK_BUTTON (self->next_button), next);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.next", can_go_on (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.manual",
                                 satchel_email_address_is_valid (email));
  adw_window_title_set_subtitle (self->window_title,
                                 g_str_equal (name, "you") ? NULL : email);
}

static void
show_page (SatchelAccountWizard *self,
           const char           *name)
{
  gtk_stack_set_visible_child_name (self->stack, name);
  update_buttons (self);
}

static void
fields_changed_cb (SatchelAccountWizard *self)
{
  update_buttons (self);
}

static void
set_security (SatchelAccountWizard *self,
              guint                 server,
              SatchelSecurity       security)
{
  self->security[server] = security;
  adw_combo_row_set_selected (server == INCOMING ? self->security_row : self->smtp_security_row,
                              security);
}

static void
fill_incoming (SatchelAccountWizard       *self,
               const SatchelServerSetting *setting)
{
  SatchelAccountKind kind = setting->type == SATCHEL_SERVER_POP3 ? SATCHEL_ACCOUNT_KIND_POP3
                                                                 : SATCHEL_ACCOUNT_KIND_IMAP;

  self->filling = TRUE;
  adw_combo_row_set_selected (self->protocol_row, kind);
  gtk_check_button_set_active (kind == SATCHEL_ACCOUNT_KIND_POP3 ? self->pop3_check
                                                                 : self->imap_check, TRUE);
  gtk_editable_set_text (GTK_EDITABLE (self->host_row), setting->hostname);
  set_security (self, INCOMING, setting->security);
  gtk_spin_button_set_value (self->port_spin, setting->port);
  gtk_editable_set_text (GTK_EDITABLE (self->user_row), setting->username);
  self->filling = FALSE;
}

static void
fill_outgoing (SatchelAccountWizard       *self,
               const SatchelServerSetting *setting)
{
  self->filling = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->smtp_host_row), setting->hostname);
  set_security (self, OUTGOING, setting->security);
  gtk_spin_button_set_value (self->smtp_port_spin, setting->port);
  gtk_editable_set_text (GTK_EDITABLE (self->smtp_user_row), setting->username);
  self->filling = FALSE;
}

/* The first server of @type that was found, or NULL. */
static const SatchelServerSetting *
found_server (SatchelAccountWizard *self,
              SatchelServerType     type)
{
  GPtrArray *servers;

  if (self->found == NULL)
    return NULL;
  servers = type == SATCHEL_SERVER_SMTP ? self->found->outgoing : self->found->incoming;
  for (guint i = 0; i < servers->len; i++)
    {
      const SatchelServerSetting *setting = g_ptr_array_index (servers, i);

      if (setting->type == type)
        return setting;
    }
  return NULL;
}

/* The name most providers give the server of @kind. */
static char *
guessed_host (SatchelAccountWizard *self,
              SatchelAccountKind    kind)
{
  g_autofree char *domain = dup_domain (self);

  return g_strconcat (kind == SATCHEL_ACCOUNT_KIND_POP3 ? "pop." : "imap.", domain, NULL);
}

/* Settings to start from when nothing was found: the names most
 * providers use, with TLS on the standard ports. */
static void
fill_guesses (SatchelAccountWizard *self)
{
  g_autofree char *email = dup_text (self->email_row);
  g_autofree char *domain = dup_domain (self);
  SatchelAccountKind kind = chosen_kind (self);
  g_autofree char *host = guessed_host (self, kind);
  g_autofree char *smtp_host = g_strconcat ("smtp.", domain, NULL);
  SatchelServerSetting incoming = {
    kind == SATCHEL_ACCOUNT_KIND_POP3 ? SATCHEL_SERVER_POP3 : SATCHEL_SERVER_IMAP,
    host, satchel_standard_port (kind, SATCHEL_SECURITY_TLS), SATCHEL_SECURITY_TLS, email, TRUE
  };
  SatchelServerSetting outgoing = {
    SATCHEL_SERVER_SMTP, smtp_host, satchel_standard_smtp_port (SATCHEL_SECURITY_TLS),
    SATCHEL_SECURITY_TLS, email, TRUE
  };

  fill_incoming (self, &incoming);
  fill_outgoing (self, &outgoing);
}

/* The incoming server follows the protocol: what was found for it, or
 * the standard port of the same security. */
static void
kind_changed (SatchelAccountWizard *self,
              SatchelAccountKind    kind)
{
  const SatchelServerSetting *setting =
    found_server (self, kind == SATCHEL_ACCOUNT_KIND_POP3 ? SATCHEL_SERVER_POP3
                                                          : SATCHEL_SERVER_IMAP);
  SatchelAccountKind other = kind == SATCHEL_ACCOUNT_KIND_POP3 ? SATCHEL_ACCOUNT_KIND_IMAP
                                                               : SATCHEL_ACCOUNT_KIND_POP3;

  gtk_widget_set_visible (self->imap_options, kind == SATCHEL_ACCOUNT_KIND_IMAP);
  gtk_widget_set_visible (self->pop3_options, kind == SATCHEL_ACCOUNT_KIND_POP3);
  if (setting != NULL)
    {
      fill_incoming (self, setting);
      return;
    }
  self->filling = TRUE;
  adw_combo_row_set_selected (self->protocol_row, kind);
  /* A guess follows too; a name the user typed stays. */
  {
    g_autofree char *host = dup_text (self->host_row);
    g_autofree char *guess = guessed_host (self, other);

    if (g_str_equal (host, guess))
      {
        g_autofree char *new_guess = guessed_host (self, kind);

        gtk_editable_set_text (GTK_EDITABLE (self->host_row), new_guess);
      }
  }
  if ((guint) gtk_spin_button_get_value_as_int (self->port_spin) ==
      satchel_standard_port (other, self->security[INCOMING]))
    gtk_spin_button_set_value (self->port_spin,
                               satchel_standard_port (kind, self->security[INCOMING]));
  self->filling = FALSE;
}

static void
kind_toggled_cb (GtkCheckButton       *check,
                 SatchelAccountWizard *self)
{
  if (!gtk_check_button_get_active (check) || self->filling)
    return;
  kind_changed (self, chosen_kind (self));
}

static void
protocol_selected_cb (AdwComboRow          *row,
                      GParamSpec           *pspec,
                      SatchelAccountWizard *self)
{
  SatchelAccountKind kind = adw_combo_row_get_selected (row) == 1 ? SATCHEL_ACCOUNT_KIND_POP3
                                                                  : SATCHEL_ACCOUNT_KIND_IMAP;

  if (self->filling)
    return;
  self->filling = TRUE;
  gtk_check_button_set_active (kind == SATCHEL_ACCOUNT_KIND_POP3 ? self->pop3_check
                                                                 : self->imap_check, TRUE);
  self->filling = FALSE;
  kind_changed (self, kind);
}

/* No encryption: only when the user says so, once, knowing what it means. */

typedef struct
{
  SatchelAccountWizard *self;
  int                   server;   /* INCOMING, OUTGOING, or -1: then log in */
} InsecureQuestion;

static void
insecure_response_cb (AdwMessageDialog *dialog,
                      const char       *response,
                      InsecureQuestion *question)
{
  SatchelAccountWizard *self = question->self;

  if (g_str_equal (response, "insecure"))
    {
      self->insecure_confirmed = TRUE;
      if (question->server < 0)
        log_in (self);
      else
        apply_security (self, question->server, SATCHEL_SECURITY_NONE);
    }
  else if (question->server >= 0)
    {
      /* Back to what it was. */
      SatchelSecurity previous = self->security[question->server];

      self->filling = TRUE;
      adw_combo_row_set_selected (question->server == INCOMING ? self->security_row
                                                               : self->smtp_security_row,
                                  previous);
      self->filling = FALSE;
    }
  update_buttons (self);
}

static void
insecure_question_free (gpointer  data,
                        GClosure *closure)
{
  InsecureQuestion *question = data;

  g_object_unref (question->self);
  g_free (question);
}

static void
ask_insecure (SatchelAccountWizard *self,
              int                   server)
{
  AdwMessageDialog *dialog;
  InsecureQuestion *question = g_new0 (InsecureQuestion, 1);

  dialog = satchel_insecure_dialog_new (GTK_WINDOW (self));
  question->self = g_object_ref (self);
  question->server = server;
  g_signal_connect_data (dialog, "response", G_CALLBACK (insecure_response_cb), question,
                         insecure_question_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static guint16
standard_port (SatchelAccountWizard *self,
               guint                 server,
               SatchelSecurity       security)
{
  return server == INCOMING ? satchel_standard_port (chosen_kind (self), security)
                            : satchel_standard_smtp_port (security);
}

/* A standard port follows the security; one the user typed stays. */
static void
apply_security (SatchelAccountWizard *self,
                guint                 server,
                SatchelSecurity       security)
{
  GtkSpinButton *spin = server == INCOMING ? self->port_spin : self->smtp_port_spin;

  if ((guint) gtk_spin_button_get_value_as_int (spin) ==
      standard_port (self, server, self->security[server]))
    {
      self->filling = TRUE;
      gtk_spin_button_set_value (spin, standard_port (self, server, security));
      self->filling = FALSE;
    }
  self->security[server] = security;
}

static void
security_selected_cb (AdwComboRow          *row,
                      GParamSpec           *pspec,
                      SatchelAccountWizard *self)
{
  guint server = row == self->security_row ? INCOMING : OUTGOING;
  SatchelSecurity security = adw_combo_row_get_selected (row);

  if (self->filling || security == self->security[server])
    return;
  if (security == SATCHEL_SECURITY_NONE && !self->insecure_confirmed)
    ask_insecure (self, server);
  else
    apply_security (self, server, security);
}

/* 2. Finding the settings */

static const char *
source_title (SatchelAutoconfigSource source)
{
  switch (source)
    {
    case SATCHEL_AUTOCONFIG_PROVIDERS:
      return _("Satchel’s List of Providers");
    case SATCHEL_AUTOCONFIG_DOMAIN:
      return _("The Domain’s Own Settings");
    case SATCHEL_AUTOCONFIG_SRV:
      return _("The Domain’s DNS Records");
    case SATCHEL_AUTOCONFIG_MX:
      return _("The Provider That Receives Its Mail");
    case SATCHEL_AUTOCONFIG_GUESS:
      return _("Likely Server Names");
    case SATCHEL_AUTOCONFIG_N_SOURCES:
    default:
      return "";
    }
}

static void
set_source_state (SatchelAccountWizard *self,
                  guint                 source,
                  const char           *state,
                  const char           *subtitle)
{
  GtkWidget *row = self->source_rows[source];

  gtk_stack_set_visible_child_name (g_object_get_data (G_OBJECT (row), "state"), state);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
}

static void
source_done_cb (SatchelAutoconfig    *autoconfig,
                guint                 source,
                gboolean              found,
                SatchelAccountWizard *self)
{
  if (source < SATCHEL_AUTOCONFIG_N_SOURCES)
    set_source_state (self, source, found ? "ok" : "failed",
                      found ? _("Settings found") : _("Nothing found"));
}

static void
describe_found (SatchelAccountWizard *self)
{
  const SatchelServerSetting *imap = found_server (self, SATCHEL_SERVER_IMAP);
  const SatchelServerSetting *pop3 = found_server (self, SATCHEL_SERVER_POP3);
  const SatchelServerSetting *incoming = imap != NULL ? imap : pop3;
  g_autofree char *domain = dup_domain (self);
  g_autofree char *where = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  if (self->found == NULL)
    {
      g_string_printf (text, _("No settings were found for %s: check these against your "
                               "provider’s help pages."), domain);
      adw_preferences_group_set_description (self->incoming_group, text->str);
      /* Set up by hand on purpose: nothing to say. */
      if (!self->looked_up)
        adw_preferences_group_set_description (self->kind_group, NULL);
      else
        {
          g_string_printf (text, _("No settings were found for %s; you can enter them next."),
                           domain);
          adw_preferences_group_set_description (self->kind_group, text->str);
        }
      return;
    }
  where = g_strdup (self->found->provider != NULL
                    ? self->found->provider
                    : satchel_autoconfig_source_name (self->found->source));
  /* Translators: where the settings came from: a provider's name, or
   * "the domain's DNS records" and the like. */
  g_string_printf (text, _("Settings from %s."), where);
  if (incoming != NULL && !incoming->password)
    g_string_append_printf (text, " %s",
                            _("This provider accepts only a sign-in through its web page "
                              "(OAuth2), which Satchel cannot do yet; a login with your "
                              "password will be refused unless the provider allows "
                              "app passwords."));
  adw_preferences_group_set_description (self->kind_group, text->str);
  adw_preferences_group_set_description (self->incoming_group, NULL);
}

static void
show_kind_page (SatchelAccountWizard *self)
{
  const SatchelServerSetting *imap = found_server (self, SATCHEL_SERVER_IMAP);
  const SatchelServerSetting *pop3 = found_server (self, SATCHEL_SERVER_POP3);
  const SatchelServerSetting *smtp = found_server (self, SATCHEL_SERVER_SMTP);
  gboolean both = self->found == NULL || (imap != NULL && pop3 != NULL);

  /* Only what the provider offers can be chosen. */
  g_autofree char *email = dup_text (self->email_row);

  gtk_widget_set_sensitive (self->imap_row, both || imap != NULL);
  gtk_widget_set_sensitive (self->pop3_row, both || pop3 != NULL);
  /* What was found replaces what was there; guesses replace only other
   * guesses, not what the user corrected for this address. */
  if (self->found != NULL)
    {
      fill_incoming (self, imap != NULL ? imap : pop3);
      if (smtp != NULL)
        fill_outgoing (self, smtp);
      kind_changed (self, chosen_kind (self));
    }
  else if (g_strcmp0 (self->filled_for, email) != 0)
    {
      fill_guesses (self);
      kind_changed (self, chosen_kind (self));
    }
  g_free (self->filled_for);
  self->filled_for = g_steal_pointer (&email);
  describe_found (self);
  show_page (self, "kind");
}

static void
lookup_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SatchelAccountWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  SatchelAutoconfigResult *found;

  found = satchel_autoconfig_lookup_finish (SATCHEL_AUTOCONFIG (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_spinner_stop (self->finding_spinner);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->found, satchel_autoconfig_result_free);
  self->found = found;
  if (found == NULL)
    g_debug ("No settings found: %s", error->message);
  self->looked_up = TRUE;
  show_kind_page (self);
}

static GPtrArray *
providers_for_lookup (void)
{
  /* SATCHEL_PROVIDERS_FILE: a list of providers in place of the one
   * Satchel ships, for trying a new entry (and for the tests). */
  const char *path = g_getenv ("SATCHEL_PROVIDERS_FILE");
  g_autofree char *text = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;
  GPtrArray *providers;

  if (path == NULL || !g_file_get_contents (path, &text, &length, &error))
    {
      if (error != NULL)
        g_warning ("%s", error->message);
      return g_ptr_array_ref (satchel_autoconfig_shipped_providers ());
    }
  providers = satchel_autoconfig_parse (text, length, &error);
  if (providers == NULL)
    {
      g_warning ("%s: %s", path, error->message);
      return g_ptr_array_ref (satchel_autoconfig_shipped_providers ());
    }
  return providers;
}

static void
start_lookup (SatchelAccountWizard *self)
{
  g_autofree char *email = dup_text (self->email_row);
  g_autofree char *domain = dup_domain (self);
  g_autofree char *description = NULL;

  if (self->autoconfig == NULL)
    {
      g_autoptr(GPtrArray) providers = providers_for_lookup ();

      self->autoconfig = satchel_autoconfig_new ();
      satchel_autoconfig_set_providers (self->autoconfig, providers);
      g_signal_connect_object (self->autoconfig, "source-done", G_CALLBACK (source_done_cb),
                               self, 0);
    }
  for (guint i = 0; i < SATCHEL_AUTOCONFIG_N_SOURCES; i++)
    set_source_state (self, i, "busy", NULL);
  /* Translators: the domain of the address. */
  description = g_strdup_printf (_("Looking for the mail servers of %s…"), domain);
  adw_status_page_set_description (self->finding_page, description);
  gtk_spinner_start (self->finding_spinner);
  g_clear_pointer (&self->found, satchel_autoconfig_result_free);
  self->cancellable = g_cancellable_new ();
  satchel_autoconfig_lookup_async (self->autoconfig, email, self->cancellable, lookup_done_cb,
                                   g_object_ref (self));
  show_page (self, "finding");
}

static GtkWidget *
state_stack (void)
{
  GtkWidget *stack = gtk_stack_new ();
  GtkWidget *spinner = gtk_spinner_new ();
  GtkWidget *ok = gtk_image_new_from_icon_name ("emblem-ok-symbolic");
  GtkWidget *failed = gtk_image_new_from_icon_name ("window-close-symbolic");

  gtk_spinner_start (GTK_SPINNER (spinner));
  gtk_widget_add_css_class (ok, "success");
  gtk_widget_add_css_class (failed, "dim-label");
  gtk_stack_add_named (GTK_STACK (stack), spinner, "busy");
  gtk_stack_add_named (GTK_STACK (stack), ok, "ok");
  gtk_stack_add_named (GTK_STACK (stack), failed, "failed");
  return stack;
}

/* 5. Checking */

static void
set_check_state (SatchelAccountWizard *self,
                 guint                 server,
                 const char           *state,
                 const char           *text)
{
  gtk_stack_set_visible_child_name (server == INCOMING ? self->incoming_check_state
                                                       : self->outgoing_check_state, state);
  adw_action_row_set_subtitle (server == INCOMING ? self->incoming_check_row
                                                  : self->outgoing_check_row, text);
}

static void
check_failed (SatchelAccountWizard *self,
              guint                 server,
              const char           *message)
{
  self->password_refused = FALSE;
  self->checking = FALSE;
  self->check_failed = TRUE;
  g_clear_object (&self->cancellable);
  set_check_state (self, server, "failed", message);
  if (server == INCOMING)
    set_check_state (self, OUTGOING, "waiting", _("Not checked yet"));
  adw_status_page_set_title (self->checking_page, _("Could Not Log In"));
  adw_status_page_set_icon_name (self->checking_page, "dialog-warning-symbolic");
  adw_status_page_set_description (self->checking_page,
                                   _("Go back to change the settings, or try again."));
  update_buttons (self);
}

static SatchelAccount *
build_account (SatchelAccountWizard *self)
{
  SatchelAccountKind kind = chosen_kind (self);
  g_autofree char *email = dup_text (self->email_row);
  g_autofree char *name = dup_text (self->name_row);
  g_autofree char *host = dup_text (self->host_row);
  g_autofree char *user = dup_text (self->user_row);
  g_autofree char *smtp_host = dup_text (self->smtp_host_row);
  g_autofree char *smtp_user = dup_text (self->smtp_user_row);
  SatchelSecurity security = adw_combo_row_get_selected (self->security_row);
  SatchelSecurity smtp_security = adw_combo_row_get_selected (self->smtp_security_row);
  guint port = gtk_spin_button_get_value_as_int (self->port_spin);
  guint smtp_port = gtk_spin_button_get_value_as_int (self->smtp_port_spin);
  SatchelAccount *account = satchel_account_new (kind, email);

  /* A standard port is kept as such, to follow a later change of security. */
  if (port == satchel_standard_port (kind, security))
    port = 0;
  if (smtp_port == satchel_standard_smtp_port (smtp_security))
    smtp_port = 0;
  g_object_set (account,
                "real-name", name[0] != '\0' ? name : NULL,
                "host", host, "port", port, "security", security, "user", user,
                "smtp-host", smtp_host, "smtp-port", smtp_port, "smtp-security", smtp_security,
                "smtp-user", smtp_user[0] != '\0' && !g_str_equal (smtp_user, user) ? smtp_user
                                                                                     : NULL,
                NULL);
  if (kind == SATCHEL_ACCOUNT_KIND_IMAP)
    g_object_set (account, "keep-offline", gtk_switch_get_active (self->offline_switch), NULL);
  else
    {
      /* Without a copy left, the other two have nothing to delete. */
      gboolean leave = gtk_switch_get_active (self->leave_switch);

      g_object_set (account,
                    "leave-on-server", leave,
                    "delete-after", leave && gtk_switch_get_active (self->delete_after_switch),
                    "delete-after-days", (guint) gtk_spin_button_get_value_as_int (self->days_spin),
                    "delete-when-deleted",
                    leave && gtk_switch_get_active (self->delete_deleted_switch),
                    NULL);
    }
  return account;
}

typedef struct
{
  SatchelAccountWizard *self;
  guint                 server;
  char                 *host;
  guint16               port;
  SatchelCertificate   *certificate;
} TrustQuestion;

static void
trust_question_free (gpointer  data,
                     GClosure *closure)
{
  TrustQuestion *question = data;

  g_object_unref (question->self);
  g_free (question->host);
  g_object_unref (question->certificate);
  g_free (question);
}

static void
trust_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   TrustQuestion    *question)
{
  SatchelAccountWizard *self = question->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = NULL;

  if (!g_str_equal (response, "trust"))
    {
      check_failed (self, question->server,
                    _("The server’s certificate was not trusted, so Satchel did not log in."));
      return;
    }
  pem = satchel_certificate_dup_pem (question->certificate);
  if (!satchel_cert_pin_save (satchel_application_get_store (self->app), question->host,
                              question->port, satchel_certificate_get_sha256 (question->certificate),
                              pem, &error))
    {
      check_failed (self, question->server, error->message);
      return;
    }
  start_check (self, question->server);
}

static void
ask_trust (SatchelAccountWizard *self,
           guint                 server,
           SatchelCertificate   *certificate)
{
  SatchelAccount *account = self->account;
  const char *host = server == INCOMING ? satchel_account_get_host (account)
                                        : satchel_account_get_smtp_host (account);
  guint16 port = server == INCOMING ? satchel_account_get_effective_port (account)
                                    : satchel_account_get_effective_smtp_port (account);
  g_autofree char *pinned = satchel_cert_pin_lookup (satchel_application_get_store (self->app),
                                                     host, port, NULL);
  AdwMessageDialog *dialog = satchel_certificate_dialog_new (GTK_WINDOW (self), host, port,
                                                             certificate, pinned != NULL);
  TrustQuestion *question = g_new0 (TrustQuestion, 1);

  question->self = g_object_ref (self);
  question->server = server;
  question->host = g_strdup (host);
  question->port = port;
  question->certificate = g_object_ref (certificate);
  g_signal_connect_data (dialog, "response", G_CALLBACK (trust_response_cb), question,
                         trust_question_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
account_saved (SatchelAccountWizard *self)
{
  g_autoptr(GError) error = NULL;

  if (!satchel_account_list_add (satchel_application_get_accounts (self->app), self->account,
                                 &error))
    {
      check_failed (self, INCOMING, error->message);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_ACCOUNT_ADDED], 0, self->account);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
password_stored_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SatchelAccountWizard) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!satchel_secrets_store_finish (SATCHEL_SECRETS (source), result, &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_strdup_printf (_("The password could not be saved, so the account was not "
                                   "added: %s"), error->message);
      check_failed (self, INCOMING, message);
      return;
    }
  /* The incoming password is kept first, then the outgoing one. */
  if (!self->outgoing_stored)
    {
      self->outgoing_stored = TRUE;
      satchel_secrets_store_async (SATCHEL_SECRETS (source),
                                   satchel_account_get_uuid (self->account),
                                   satchel_account_get_email (self->account),
                                   SATCHEL_SECRET_OUTGOING,
                                   gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                                   self->cancellable, password_stored_cb, g_object_ref (self));
      return;
    }
  account_saved (self);
}

/* Both logins worked: the password goes to the keyring before the
 * account appears, so that its first check finds it. */
static void
save_account (SatchelAccountWizard *self)
{
  adw_status_page_set_title (self->checking_page, _("Adding Your Account"));
  self->outgoing_stored = FALSE;
  satchel_secrets_store_async (satchel_application_get_secrets (self->app),
                               satchel_account_get_uuid (self->account),
                               satchel_account_get_email (self->account), SATCHEL_SECRET_INCOMING,
                               gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                               self->cancellable, password_stored_cb, g_object_ref (self));
}

static void
login_checked_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SatchelAccountWizard) self = user_data;
  g_autoptr(SatchelCertificate) rejected = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  guint server = self->checking_server;

  summary = satchel_login_check_finish (result, &rejected, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (summary == NULL && rejected != NULL)
    {
      set_check_state (self, server, "waiting", error->message);
      ask_trust (self, server, rejected);
      return;
    }
  if (summary == NULL)
    {
      check_failed (self, server, error->message);
      self->password_refused = g_error_matches (error, SATCHEL_NET_ERROR,
                                                SATCHEL_NET_ERROR_AUTH_FAILED);
      if (self->password_refused)
        adw_status_page_set_description (self->checking_page,
                                         _("Go back to correct the password, or try again."));
      return;
    }
  set_check_state (self, server, "ok", summary);
  if (server == INCOMING)
    start_check (self, OUTGOING);
  else
    save_account (self);
}

static void
start_check (SatchelAccountWizard *self,
             guint                 server)
{
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  if (server == INCOMING)
    {
      adw_status_page_set_title (self->checking_page, _("Checking Your Settings"));
      adw_status_page_set_icon_name (self->checking_page, NULL);
      adw_status_page_set_description (self->checking_page, NULL);
      set_check_state (self, OUTGOING, "waiting", _("Not checked yet"));
    }
  set_check_state (self, server, "busy", _("Logging in…"));
  self->checking = TRUE;
  self->check_failed = FALSE;
  g_cancellable_cancel (self->cancellable);
  g_set_object (&self->cancellable, g_cancellable_new ());
  self->checking_server = server;
  satchel_login_check_async (self->account,
                             server == INCOMING ? SATCHEL_SECRET_INCOMING : SATCHEL_SECRET_OUTGOING,
                             password, satchel_application_get_store (self->app),
                             self->cancellable, login_checked_cb, g_object_ref (self));
  show_page (self, "checking");
}

/* "Log In": the settings must make an account, a new one, encrypted or
 * confirmed not to be. */
static void
log_in (SatchelAccountWizard *self)
{
  g_autoptr(GError) error = NULL;

  g_set_object (&self->account, NULL);
  self->account = build_account (self);
  if (!self->insecure_confirmed &&
      (satchel_account_get_security (self->account) == SATCHEL_SECURITY_NONE ||
       satchel_account_get_smtp_security (self->account) == SATCHEL_SECURITY_NONE))
    {
      ask_insecure (self, -1);
      return;
    }
  if (!satchel_account_validate (self->account, self->insecure_confirmed, &error) ||
      !satchel_account_list_check_unique (satchel_application_get_accounts (self->app),
                                          self->account, &error))
    {
      show_page (self, "checking");
      check_failed (self, INCOMING, error->message);
      return;
    }
  start_check (self, INCOMING);
}

/* Actions */

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SatchelAccountWizard *self = SATCHEL_ACCOUNT_WIZARD (widget);
  const char *name = page (self);

  if (!can_go_on (self))
    return;
  if (g_str_equal (name, "you"))
    start_lookup (self);
  else if (g_str_equal (name, "kind"))
    show_page (self, "servers");
  else if (g_str_equal (name, "servers") || g_str_equal (name, "checking"))
    log_in (self);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SatchelAccountWizard *self = SATCHEL_ACCOUNT_WIZARD (widget);
  const char *name = page (self);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->checking = FALSE;
  if (g_str_equal (name, "finding") || g_str_equal (name, "kind"))
    show_page (self, "you");
  else if (g_str_equal (name, "servers"))
    show_page (self, "kind");
  else if (g_str_equal (name, "checking") && self->password_refused)
    {
      show_page (self, "you");
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
    }
  else if (g_str_equal (name, "checking"))
    show_page (self, "servers");
}

static void
manual_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SatchelAccountWizard *self = SATCHEL_ACCOUNT_WIZARD (widget);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->found, satchel_autoconfig_result_free);
  self->looked_up = FALSE;
  show_kind_page (self);
}

/* Typing starts in the first field, not on Cancel. */
static void
wizard_mapped_cb (SatchelAccountWizard *self)
{
  if (g_str_equal (page (self), "you"))
    gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
}

static void
entry_activated_cb (AdwEntryRow          *row,
                    SatchelAccountWizard *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "wizard.next", NULL);
}

/* GObject */

static void
satchel_account_wizard_dispose (GObject *object)
{
  SatchelAccountWizard *self = SATCHEL_ACCOUNT_WIZARD (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), SATCHEL_TYPE_ACCOUNT_WIZARD);
  G_OBJECT_CLASS (satchel_account_wizard_parent_class)->dispose (object);
}

static void
satchel_account_wizard_finalize (GObject *object)
{
  SatchelAccountWizard *self = SATCHEL_ACCOUNT_WIZARD (object);

  g_clear_object (&self->autoconfig);
  g_clear_pointer (&self->found, satchel_autoconfig_result_free);
  g_clear_object (&self->account);
  g_free (self->filled_for);
  G_OBJECT_CLASS (satchel_account_wizard_parent_class)->finalize (object);
}

static void
satchel_account_wizard_class_init (SatchelAccountWizardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = satchel_account_wizard_dispose;
  object_class->finalize = satchel_account_wizard_finalize;

  /**
   * SatchelAccountWizard::account-added:
   * @account: the account, in the application's list
   */
  signals[SIGNAL_ACCOUNT_ADDED] =
    g_signal_new ("account-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, SATCHEL_TYPE_ACCOUNT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/satchelmail/Satchel/"
                                               "satchel-account-wizard.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, SatchelAccountWizard, name)
  BIND (window_title);
  BIND (cancel_button);
  BIND (back_button);
  BIND (next_button);
  BIND (stack);
  BIND (name_row);
  BIND (email_row);
  BIND (password_row);
  BIND (finding_page);
  BIND (finding_spinner);
  BIND (sources_group);
  BIND (kind_group);
  BIND (imap_row);
  BIND (pop3_row);
  BIND (imap_check);
  BIND (pop3_check);
  BIND (imap_options);
  BIND (pop3_options);
  BIND (offline_switch);
  BIND (leave_switch);
  BIND (delete_after_switch);
  BIND (days_spin);
  BIND (delete_deleted_switch);
  BIND (incoming_group);
  BIND (outgoing_group);
  BIND (protocol_row);
  BIND (host_row);
  BIND (port_spin);
  BIND (security_row);
  BIND (user_row);
  BIND (smtp_host_row);
  BIND (smtp_port_spin);
  BIND (smtp_security_row);
  BIND (smtp_user_row);
  BIND (checking_page);
  BIND (incoming_check_row);
  BIND (outgoing_check_row);
  BIND (incoming_check_state);
  BIND (outgoing_check_state);
#undef BIND

  gtk_widget_class_install_action (widget_class, "wizard.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "wizard.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "wizard.manual", NULL, manual_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "wizard.back", NULL);
}

static void
satchel_account_wizard_init (SatchelAccountWizard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < SATCHEL_AUTOCONFIG_N_SOURCES; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *state = state_stack ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), source_title (i));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), state);
      g_object_set_data (G_OBJECT (row), "state", state);
      adw_preferences_group_add (self->sources_group, row);
      self->source_rows[i] = row;
    }

  g_signal_connect (self, "map", G_CALLBACK (wizard_mapped_cb), NULL);
  g_signal_connect_swapped (self->name_row, "changed", G_CALLBACK (fields_changed_cb), self);
  g_signal_connect_swapped (self->email_row, "changed", G_CALLBACK (fields_changed_cb), self);
  g_signal_connect_swapped (self->password_row, "changed", G_CALLBACK (fields_changed_cb), self);
  g_signal_connect_swapped (self->host_row, "changed", G_CALLBACK (fields_changed_cb), self);
  g_signal_connect_swapped (self->user_row, "changed", G_CALLBACK (fields_changed_cb), self);
  g_signal_connect_swapped (self->smtp_host_row, "changed", G_CALLBACK (fields_changed_cb), self);
  g_signal_connect (self->name_row, "entry-activated", G_CALLBACK (entry_activated_cb), self);
  g_signal_connect (self->email_row, "entry-activated", G_CALLBACK (entry_activated_cb), self);
  g_signal_connect (self->password_row, "entry-activated", G_CALLBACK (entry_activated_cb), self);
  g_signal_connect (self->imap_check, "toggled", G_CALLBACK (kind_toggled_cb), self);
  g_signal_connect (self->pop3_check, "toggled", G_CALLBACK (kind_toggled_cb), self);
  g_signal_connect (self->protocol_row, "notify::selected", G_CALLBACK (protocol_selected_cb), self);
  g_signal_connect (self->security_row, "notify::selected", G_CALLBACK (security_selected_cb), self);
  g_signal_connect (self->smtp_security_row, "notify::selected",
                    G_CALLBACK (security_selected_cb), self);
  update_buttons (self);
}

/**
 * satchel_account_wizard_new:
 * @parent: (nullable): the window it sits over
 *
 * Returns: (transfer none): the wizard, not shown yet
 */
SatchelAccountWizard *
satchel_account_wizard_new (SatchelApplication *app,
                            GtkWindow          *parent)
{
  SatchelAccountWizard *self = g_object_new (SATCHEL_TYPE_ACCOUNT_WIZARD,
                                             "application", app,
                                             "transient-for", parent,
                                             NULL);

  self->app = app;
  return self;
}
