/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-wizard.c: setting up an account, as a new user does
 *
 * Copyright 2026 The Satchel authors
 *
 * Each test starts Satchel on an empty profile, where the account wizard
 * opens over the window, types into it and presses its buttons, and ends
 * with the new account's mail in the window or with the exact error the
 * wizard shows. The servers are the test Dovecot and SMTP server; their
 * certificate comes from a CA this computer does not know, so every first
 * login asks whether to trust it, as it would for a user.
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "satchel-account-wizard.h"
#include "satchel-test-utils.h"
#include "satchel-ui-test-utils.h"

/* The test's user of the servers. */
static char *user_email;
static char *user_password;

static guint16
test_port (const char *name)
{
  g_autofree char *variable = g_strdup_printf ("SATCHEL_TEST_%s_PORT", name);

  return (guint16) g_ascii_strtoull (g_getenv (variable), NULL, 10);
}

/* A user of the test servers whose address is at @domain, with @n_mail
 * messages in the Inbox, the newest last. */
static void
new_user (const char *domain,
          guint       n_mail)
{
  g_autofree char *dir = satchel_test_make_dir ();
  g_autofree char *file = g_build_filename (dir, "mail.eml", NULL);

  g_free (user_email);
  g_free (user_password);
  user_email = g_strdup_printf ("wiz%dx%u@%s", (int) getpid (), g_random_int (), domain);
  /* Every user name exists, with the password "pw-" + name. */
  user_password = g_strconcat ("pw-", user_email, NULL);
  for (guint i = 0; i < n_mail; i++)
    {
      g_autofree char *mail = g_strdup_printf ("From: Ada <ada@example.org>\r\n"
                                               "Subject: Message %u\r\n"
                                               "Date: Mon, %u Nov 2026 10:00:00 +0000\r\n"
                                               "\r\nText %u\r\n", i + 1, i + 2, i + 1);

      g_assert_true (g_file_set_contents (file, mail, -1, NULL));
      satchel_test_mailctl ("append", user_email, user_password, "INBOX", file, NULL);
    }
  satchel_test_remove_dir (dir);
}

/* Finding the wizard's parts as the user sees them */

static SatchelAccountWizard *
wizard_of (SatchelApplication *app)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (SATCHEL_IS_ACCOUNT_WIZARD (l->data))
      return l->data;
  return NULL;
}

static gboolean
wizard_gone (gpointer app)
{
  return wizard_of (app) == NULL;
}

/* The widget of @type in the row titled @row of the group titled @group. */
static GtkWidget *
field (SatchelAccountWizard *wizard,
       const char           *group,
       const char           *row,
       GType                 type)
{
  return find_field (GTK_WIDGET (wizard), group, row, type);
}

static void
type_into (SatchelAccountWizard *wizard,
           const char           *group,
           const char           *row,
           const char           *text)
{
  gtk_editable_set_text (GTK_EDITABLE (field (wizard, group, row, G_TYPE_INVALID)), text);
}

static const char *
text_of (SatchelAccountWizard *wizard,
         const char           *group,
         const char           *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (field (wizard, group, row, G_TYPE_INVALID)));
}

static GtkStack *
pages_of (SatchelAccountWizard *wizard)
{
  GtkWidget *stack = find_widget (GTK_WIDGET (wizard), is_widget_of_type,
                                  GSIZE_TO_POINTER (GTK_TYPE_STACK));

  g_assert_nonnull (stack);
  return GTK_STACK (stack);
}

typedef struct
{
  SatchelAccountWizard *wizard;
  const char           *page;
} PageWait;

static gboolean
page_shown (gpointer data)
{
  PageWait *wait = data;

  return g_strcmp0 (gtk_stack_get_visible_child_name (pages_of (wait->wizard)), wait->page) == 0;
}

static void
wait_for_page (SatchelAccountWizard *wizard,
               const char           *page)
{
  PageWait wait = { wizard, page };

  wait_until (page_shown, &wait, 30);
  wait_for_draw (GTK_WIDGET (wizard));
}

/* Clicks the header bar's button for @action, which must be shown and
 * enabled. */
static void
press (SatchelAccountWizard *wizard,
       const char           *action)
{
  GtkWidget *button = find_widget (GTK_WIDGET (wizard), is_button_for_action, action);

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_mapped (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_activate (button));
}

/* Page 1: who the user is. */
static void
fill_in_you (SatchelAccountWizard *wizard,
             const char           *password)
{
  wait_for_page (wizard, "you");
  /* Typing starts in the first field. */
  g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (wizard)),
                                         field (wizard, NULL, "Your Name", G_TYPE_INVALID)));
  type_into (wizard, NULL, "Your Name", "Zoë Wizard");
  type_into (wizard, NULL, "Email Address", user_email);
  /* Not before there is a password. */
  g_assert_false (gtk_widget_is_sensitive (find_widget (GTK_WIDGET (wizard),
                                                        is_button_for_action, "wizard.next")));
  type_into (wizard, NULL, "Password", password);
}

typedef struct
{
  AdwMessageDialog *dialog;
  const char       *heading;
} DialogWait;

static gboolean
dialog_headed (gpointer data)
{
  DialogWait *wait = data;

  return dialog_open (&wait->dialog) &&
         g_strcmp0 (adw_message_dialog_get_heading (wait->dialog), wait->heading) == 0;
}

/* Waits for the certificate dialog; checks what it says; answers it. */
static void
answer_certificate (const char *heading,
                    const char *problem,
                    const char *subject,
                    const char *response)
{
  DialogWait wait = { NULL, heading };
  GtkWidget *grid;

  wait_until (dialog_headed, &wait, 30);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (wait.dialog), problem));
  grid = adw_message_dialog_get_extra_child (wait.dialog);
  wait_for_draw (GTK_WIDGET (wait.dialog));
  g_assert_nonnull (find_widget (grid, is_mapped_label, subject));
  /* The fingerprint: 32 pairs of hex digits. */
  {
    GtkWidget *fingerprint = gtk_grid_get_child_at (GTK_GRID (grid), 1, 5);
    const char *text = gtk_label_get_text (GTK_LABEL (fingerprint));

    g_assert_cmpuint (strlen (text), ==, 32 * 3 - 1);
    g_assert_true (g_regex_match_simple ("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", text, 0, 0));
  }
  press_response (wait.dialog, response);
}

/* The main window's list, once it has @n messages. */
typedef struct
{
  SatchelWindow *window;
  guint          n;
} ListWait;

static GtkSelectionModel *
message_list (SatchelWindow *window)
{
  GtkWidget *list = find_widget (GTK_WIDGET (window), is_widget_of_type,
                                 GSIZE_TO_POINTER (GTK_TYPE_LIST_VIEW));

  return list != NULL && gtk_widget_get_mapped (list)
         ? gtk_list_view_get_model (GTK_LIST_VIEW (list)) : NULL;
}

static gboolean
list_has_n (gpointer data)
{
  ListWait *wait = data;
  GtkSelectionModel *model = message_list (wait->window);

  return model != NULL && g_list_model_get_n_items (G_LIST_MODEL (model)) == wait->n;
}

/* The window shows the new account's Inbox with its @n messages, the
 * newest first. */
static void
assert_inbox_shown (SatchelApplication *app,
                    SatchelWindow      *window,
                    guint               n)
{
  ListWait wait = { window, n };
  g_autoptr(SatchelMessageItem) first = NULL;
  SatchelAccountList *accounts = satchel_application_get_accounts (app);
  g_autoptr(SatchelAccount) account = NULL;
  g_autofree char *newest = g_strdup_printf ("Message %u", n);

  wait_until (wizard_gone, app, 30);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (accounts)), ==, 1);
  account = g_list_model_get_item (G_LIST_MODEL (accounts), 0);
  g_assert_cmpstr (satchel_account_get_email (account), ==, user_email);
  g_assert_cmpstr (satchel_account_get_real_name (account), ==, "Zoë Wizard");

  wait_until (list_has_n, &wait, 60);
  first = g_list_model_get_item (G_LIST_MODEL (message_list (window)), 0);
  g_assert_cmpstr (satchel_message_item_get_row (first)->subject, ==, newest);
  /* The password went to the keyring. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(SatchelPassword) password =
      satchel_secrets_lookup_sync (satchel_application_get_secrets (app),
                                   satchel_account_get_uuid (account), SATCHEL_SECRET_INCOMING,
                                   NULL, &error);

    g_assert_no_error (error);
    g_assert_nonnull (password);
    g_assert_cmpstr (password, ==, user_password);
  }
}

/* A provider from the shipped list, pointed at loopback */

static const char *
socket_type (SatchelSecurity security)
{
  return security == SATCHEL_SECURITY_TLS ? "SSL"
         : security == SATCHEL_SECURITY_STARTTLS ? "STARTTLS" : "plain";
}

/* The test servers' port that stands for @setting's. */
static guint16
loopback_port (const SatchelServerSetting *setting)
{
  gboolean tls = setting->security == SATCHEL_SECURITY_TLS;

  switch (setting->type)
    {
    case SATCHEL_SERVER_IMAP:
      return test_port (tls ? "IMAPS" : "IMAP");
    case SATCHEL_SERVER_POP3:
      return test_port (tls ? "POP3S" : "POP3");
    case SATCHEL_SERVER_SMTP:
    default:
      return test_port (tls ? "SMTPS" : "SMTP");
    }
}

static void
append_servers (GString   *xml,
                GPtrArray *servers,
                gboolean   outgoing)
{
  static const char *types[] = { "imap", "pop3", "smtp" };

  for (guint i = 0; i < servers->len; i++)
    {
      const SatchelServerSetting *setting = g_ptr_array_index (servers, i);

      g_string_append_printf (xml,
                              "<%s type=\"%s\"><hostname>localhost</hostname><port>%u</port>"
                              "<socketType>%s</socketType><username>%s</username>"
                              "<authentication>password-cleartext</authentication></%s>\n",
                              outgoing ? "outgoingServer" : "incomingServer",
                              types[setting->type], loopback_port (setting),
                              socket_type (setting->security), setting->username,
                              outgoing ? "outgoingServer" : "incomingServer");
    }
}

/* Writes the shipped entry of @domain with its servers moved to the test
 * servers, and has Satchel read it in place of the shipped list. */
static char *
point_provider_at_loopback (const char *domain)
{
  GPtrArray *shipped = satchel_autoconfig_shipped_providers ();
  SatchelProvider *provider = satchel_providers_find (shipped, domain);
  g_autoptr(GString) xml = g_string_new ("<clientConfig version=\"1.1\">\n");
  g_autofree char *dir = satchel_test_make_dir ();
  char *path = g_build_filename (dir, "providers.xml", NULL);

  g_assert_nonnull (provider);
  g_string_append_printf (xml, "<emailProvider id=\"%s\"><domain>%s</domain>"
                          "<displayName>%s</displayName>\n",
                          provider->id, domain, provider->display_name);
  append_servers (xml, provider->incoming, FALSE);
  append_servers (xml, provider->outgoing, TRUE);
  g_string_append (xml, "</emailProvider></clientConfig>\n");
  g_assert_true (g_file_set_contents (path, xml->str, -1, NULL));
  g_setenv ("SATCHEL_PROVIDERS_FILE", path, TRUE);
  return path;
}

static void
check_provider (SatchelApplication *app,
                SatchelWindow      *window)
{
  SatchelAccountWizard *wizard = wizard_of (app);
  AdwPreferencesGroup *kind_group;

  /* The first run opens the wizard. */
  g_assert_nonnull (wizard);
  save_screenshot (GTK_WIDGET (wizard), "wizard-you");
  fill_in_you (wizard, user_password);
  press (wizard, "wizard.next");

  /* Found in the list: IMAP (recommended) or POP3, as Posteo offers both. */
  wait_for_page (wizard, "kind");
  kind_group = ADW_PREFERENCES_GROUP (find_widget (GTK_WIDGET (wizard), is_mapped_group_titled,
                                                   "How Should Satchel Get Your Mail?"));
  g_assert_cmpstr (adw_preferences_group_get_description (kind_group), ==,
                   "Settings from Posteo.");
  g_assert_true (gtk_widget_is_sensitive (field (wizard, NULL, "POP3", G_TYPE_INVALID)));
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (
    field (wizard, NULL, "IMAP (Recommended)", GTK_TYPE_CHECK_BUTTON))));
  save_screenshot (GTK_WIDGET (wizard), "wizard-kind");
  press (wizard, "wizard.next");

  /* Its settings, to check: TLS, the address as user name. */
  wait_for_page (wizard, "servers");
  g_assert_cmpstr (text_of (wizard, "Incoming Server", "Server"), ==, "localhost");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (
                     field (wizard, "Incoming Server", "Port", GTK_TYPE_SPIN_BUTTON))),
                   ==, test_port ("IMAPS"));
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (
                      field (wizard, "Incoming Server", "Security", G_TYPE_INVALID))),
                    ==, SATCHEL_SECURITY_TLS);
  g_assert_cmpstr (text_of (wizard, "Incoming Server", "User Name"), ==, user_email);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (
                     field (wizard, "Outgoing Server (SMTP)", "Port", GTK_TYPE_SPIN_BUTTON))),
                   ==, test_port ("SMTPS"));
  save_screenshot (GTK_WIDGET (wizard), "wizard-servers");
  press (wizard, "wizard.next");

  /* The test CA is nobody's: each server asks once. */
  answer_certificate ("Untrusted Certificate", "issued by an authority this computer does not know",
                      "CN=localhost,O=Satchel tests", "trust");
  answer_certificate ("Untrusted Certificate", "issued by an authority this computer does not know",
                      "CN=localhost,O=Satchel tests", "trust");
  assert_inbox_shown (app, window, 2);
  save_screenshot (GTK_WIDGET (window), "wizard-done");
}

static void
test_wizard_provider (void)
{
  g_autofree char *profile = NULL;
  g_autofree char *providers = NULL;

  if (!satchel_test_require_servers ())
    return;
  new_user ("posteo.de", 2);
  providers = point_provider_at_loopback ("posteo.de");
  profile = satchel_test_make_dir ();
  run_app (profile, check_provider);
  g_unsetenv ("SATCHEL_PROVIDERS_FILE");
  satchel_test_remove_dir (profile);
}

/* Set up by hand: POP3 without a copy left on the server */

static void
set_switch (SatchelAccountWizard *wizard,
            const char           *row,
            gboolean              active)
{
  gtk_switch_set_active (GTK_SWITCH (field (wizard, NULL, row, GTK_TYPE_SWITCH)), active);
}

static void
fill_in_servers (SatchelAccountWizard *wizard,
                 guint16               port,
                 guint16               smtp_port)
{
  wait_for_page (wizard, "servers");
  type_into (wizard, "Incoming Server", "Server", "localhost");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (field (wizard, "Incoming Server", "Port",
                                                     GTK_TYPE_SPIN_BUTTON)), port);
  type_into (wizard, "Outgoing Server (SMTP)", "Server", "localhost");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (field (wizard, "Outgoing Server (SMTP)", "Port",
                                                     GTK_TYPE_SPIN_BUTTON)), smtp_port);
}

static gboolean
server_inbox_empty (gpointer data)
{
  g_autoptr(JsonArray) messages = satchel_test_server_messages (user_email, user_password,
                                                                "INBOX");

  return json_array_get_length (messages) == 0;
}

static void
check_manual_pop3 (SatchelApplication *app,
                   SatchelWindow      *window)
{
  SatchelAccountWizard *wizard = wizard_of (app);

  fill_in_you (wizard, user_password);
  press (wizard, "wizard.manual");

  wait_for_page (wizard, "kind");
  gtk_widget_activate (field (wizard, NULL, "POP3", G_TYPE_INVALID));
  wait_for_draw (GTK_WIDGET (wizard));
  /* The server-copy options, with their defaults: a copy is left. */
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (
    field (wizard, NULL, "Leave a Copy on the Server", GTK_TYPE_SWITCH))));
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (
    field (wizard, NULL, "Delete From the Server When Deleted Here", GTK_TYPE_SWITCH))));
  set_switch (wizard, "Leave a Copy on the Server", FALSE);
  save_screenshot (GTK_WIDGET (wizard), "wizard-pop3");
  press (wizard, "wizard.next");

  /* Guesses from the address, to be corrected. */
  wait_for_page (wizard, "servers");
  g_assert_cmpstr (text_of (wizard, "Incoming Server", "Server"), ==, "pop.example.org");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (
                      field (wizard, "Incoming Server", "Protocol", G_TYPE_INVALID))), ==, 1);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (
                     field (wizard, "Incoming Server", "Port", GTK_TYPE_SPIN_BUTTON))), ==, 995);
  fill_in_servers (wizard, test_port ("POP3S"), test_port ("SMTPS"));
  press (wizard, "wizard.next");
  answer_certificate ("Untrusted Certificate", "does not know", "CN=localhost,O=Satchel tests", "trust");
  answer_certificate ("Untrusted Certificate", "does not know", "CN=localhost,O=Satchel tests", "trust");

  assert_inbox_shown (app, window, 3);
  {
    g_autoptr(SatchelAccount) account =
      g_list_model_get_item (G_LIST_MODEL (satchel_application_get_accounts (app)), 0);

    g_assert_cmpint (satchel_account_get_kind (account), ==, SATCHEL_ACCOUNT_KIND_POP3);
    g_assert_false (satchel_account_get_leave_on_server (account));
  }
  /* Downloaded, kept here, then taken off the server. */
  wait_until (server_inbox_empty, NULL, 30);
}

static void
test_wizard_manual_pop3 (void)
{
  g_autofree char *profile = NULL;

  if (!satchel_test_require_servers ())
    return;
  new_user ("example.org", 3);
  profile = satchel_test_make_dir ();
  run_app (profile, check_manual_pop3);
  satchel_test_remove_dir (profile);
}

/* A wrong password: the server's refusal, in words, and no account */

static gboolean
check_has_failed (gpointer wizard)
{
  GtkWidget *status = find_widget (wizard, is_mapped_status_page_titled, "Could Not Log In");

  return status != NULL;
}

static void
check_wrong_password (SatchelApplication *app,
                      SatchelWindow      *window)
{
  SatchelAccountWizard *wizard = wizard_of (app);
  AdwActionRow *incoming;
  AdwActionRow *outgoing;
  GtkWidget *next;
  g_autofree char *expected = NULL;

  fill_in_you (wizard, "not-the-password");
  press (wizard, "wizard.manual");
  wait_for_page (wizard, "kind");
  press (wizard, "wizard.next");
  fill_in_servers (wizard, test_port ("IMAPS"), test_port ("SMTPS"));
  press (wizard, "wizard.next");
  answer_certificate ("Untrusted Certificate", "does not know", "CN=localhost,O=Satchel tests", "trust");

  wait_until (check_has_failed, wizard, 30);
  wait_for_draw (GTK_WIDGET (wizard));
  incoming = ADW_ACTION_ROW (field (wizard, NULL, "Incoming Server", G_TYPE_INVALID));
  outgoing = ADW_ACTION_ROW (field (wizard, NULL, "Outgoing Server", G_TYPE_INVALID));
  /* The engine's words, with Dovecot's own text. */
  expected = g_strdup_printf ("The server localhost refused the password for %s: "
                              "Authentication failed.", user_email);
  g_assert_cmpstr (adw_action_row_get_subtitle (incoming), ==, expected);
  g_assert_cmpstr (adw_action_row_get_subtitle (outgoing), ==, "Not checked yet");
  next = find_widget (GTK_WIDGET (wizard), is_button_for_action, "wizard.next");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (next)), ==, "_Try Again");
  save_screenshot (GTK_WIDGET (wizard), "wizard-wrong-password");

  /* Nothing was added; Back leads to the password, to correct it, and
   * the servers as they were typed stay. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (satchel_application_get_accounts (app))),
                    ==, 0);
  press (wizard, "wizard.back");
  wait_for_page (wizard, "you");
  g_assert_true (gtk_widget_has_focus (find_widget (field (wizard, NULL, "Password",
                                                           G_TYPE_INVALID),
                                                    is_widget_of_type,
                                                    GSIZE_TO_POINTER (GTK_TYPE_TEXT))));
  type_into (wizard, NULL, "Password", user_password);
  press (wizard, "wizard.manual");
  wait_for_page (wizard, "kind");
  press (wizard, "wizard.next");
  wait_for_page (wizard, "servers");
  g_assert_cmpstr (text_of (wizard, "Incoming Server", "Server"), ==, "localhost");
  press (wizard, "wizard.next");
  /* The incoming server's certificate, trusted before, is not asked
   * about again; the outgoing server's is, once. */
  answer_certificate ("Untrusted Certificate", "does not know", "CN=localhost,O=Satchel tests",
                      "trust");
  assert_inbox_shown (app, window, 1);
}

static void
test_wizard_wrong_password (void)
{
  g_autofree char *profile = NULL;

  if (!satchel_test_require_servers ())
    return;
  new_user ("example.org", 1);
  profile = satchel_test_make_dir ();
  run_app (profile, check_wrong_password);
  satchel_test_remove_dir (profile);
}

/* A port where nothing listens, then a name that does not exist: each
 * says which step failed, in the engine's words. */

static guint16
closed_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, address, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  /* Closed when it goes: the port is free, and nobody listens on it. */
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static const char *
incoming_result (SatchelAccountWizard *wizard)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (field (wizard, NULL, "Incoming Server",
                                                             G_TYPE_INVALID)));
}

static void
check_unreachable (SatchelApplication *app,
                   SatchelWindow      *window)
{
  SatchelAccountWizard *wizard = wizard_of (app);
  guint16 port = closed_port ();
  g_autofree char *refused = g_strdup_printf ("The server localhost refused the connection on "
                                              "port %u.", port);

  fill_in_you (wizard, user_password);
  press (wizard, "wizard.manual");
  wait_for_page (wizard, "kind");
  press (wizard, "wizard.next");
  fill_in_servers (wizard, port, test_port ("SMTPS"));
  press (wizard, "wizard.next");
  wait_until (check_has_failed, wizard, 30);
  g_assert_cmpstr (incoming_result (wizard), ==, refused);

  /* Back to the servers, as typed; a name nobody has. */
  press (wizard, "wizard.back");
  wait_for_page (wizard, "servers");
  type_into (wizard, "Incoming Server", "Server", "no-such-host.invalid");
  press (wizard, "wizard.next");
  wait_until (check_has_failed, wizard, 60);
  g_assert_cmpstr (incoming_result (wizard), ==,
                   "The server name no-such-host.invalid was not found. Check its spelling and "
                   "your network connection.");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (satchel_application_get_accounts (app))),
                    ==, 0);
}

static void
test_wizard_unreachable (void)
{
  g_autofree char *profile = NULL;

  if (!satchel_test_require_servers ())
    return;
  new_user ("example.org", 0);
  profile = satchel_test_make_dir ();
  run_app (profile, check_unreachable);
  satchel_test_remove_dir (profile);
}

/* A self-signed certificate: Dovecot behind a TLS relay that presents the
 * self-signed certificate the test servers made. */

typedef struct
{
  GSocketService  *service;
  GTlsCertificate *certificate;
  guint16          port;
  guint16          target;
} Relay;

static void
spliced_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_io_stream_splice_finish (result, NULL);
}

static void
relay_connected_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GIOStream) tls = user_data;
  g_autoptr(GSocketConnection) upstream = NULL;

  upstream = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, NULL);
  if (upstream == NULL)
    return;
  g_io_stream_splice_async (tls, G_IO_STREAM (upstream),
                            G_IO_STREAM_SPLICE_CLOSE_STREAM1 | G_IO_STREAM_SPLICE_CLOSE_STREAM2,
                            G_PRIORITY_DEFAULT, NULL, spliced_cb, NULL);
}

static gboolean
relay_incoming_cb (GSocketService    *service,
                   GSocketConnection *connection,
                   GObject           *source,
                   Relay             *relay)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  GIOStream *tls = g_tls_server_connection_new (G_IO_STREAM (connection), relay->certificate,
                                                NULL);

  g_assert_nonnull (tls);
  g_socket_client_connect_to_host_async (client, "127.0.0.1", relay->target, NULL,
                                         relay_connected_cb, tls);
  return TRUE;
}

static Relay *
relay_new (guint16 target)
{
  Relay *relay = g_new0 (Relay, 1);
  g_autoptr(GError) error = NULL;

  relay->certificate = g_tls_certificate_new_from_files (g_getenv ("SATCHEL_TEST_SELFSIGNED_CERT"),
                                                         g_getenv ("SATCHEL_TEST_SELFSIGNED_KEY"),
                                                         &error);
  g_assert_no_error (error);
  relay->service = g_socket_service_new ();
  {
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
    g_autoptr(GSocketAddress) bound = NULL;

    g_assert_true (g_socket_listener_add_address (G_SOCKET_LISTENER (relay->service), address,
                                                  G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                                  NULL, &bound, &error));
    g_assert_no_error (error);
    relay->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  }
  relay->target = target;
  g_signal_connect (relay->service, "incoming", G_CALLBACK (relay_incoming_cb), relay);
  g_socket_service_start (relay->service);
  return relay;
}

static void
relay_free (Relay *relay)
{
  g_socket_service_stop (relay->service);
  g_socket_listener_close (G_SOCKET_LISTENER (relay->service));
  g_object_unref (relay->service);
  g_object_unref (relay->certificate);
  g_free (relay);
}

static Relay *self_signed_relay;

static void
check_self_signed (SatchelApplication *app,
                   SatchelWindow      *window)
{
  SatchelAccountWizard *wizard = wizard_of (app);

  fill_in_you (wizard, user_password);
  press (wizard, "wizard.manual");
  wait_for_page (wizard, "kind");
  press (wizard, "wizard.next");
  fill_in_servers (wizard, self_signed_relay->port, test_port ("SMTPS"));
  press (wizard, "wizard.next");

  /* Cancel: no login, and the reason. */
  answer_certificate ("Untrusted Certificate", "it is self-signed",
                      "CN=localhost (self-signed),O=Satchel tests", "cancel");
  wait_until (check_has_failed, wizard, 30);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (
                     field (wizard, NULL, "Incoming Server", G_TYPE_INVALID))), ==,
                   "The server’s certificate was not trusted, so Satchel did not log in.");

  /* Try again and trust it: it is pinned, and the login goes on. */
  press (wizard, "wizard.next");
  answer_certificate ("Untrusted Certificate", "it is self-signed",
                      "CN=localhost (self-signed),O=Satchel tests", "trust");
  answer_certificate ("Untrusted Certificate", "does not know", "CN=localhost,O=Satchel tests", "trust");
  assert_inbox_shown (app, window, 1);
  {
    g_autofree char *pin = satchel_cert_pin_lookup (satchel_application_get_store (app),
                                                    "localhost", self_signed_relay->port, NULL);

    g_assert_nonnull (pin);
    g_assert_cmpuint (strlen (pin), ==, 64);
  }
}

static void
test_wizard_self_signed (void)
{
  g_autofree char *profile = NULL;

  if (!satchel_test_require_servers ())
    return;
  new_user ("example.org", 1);
  self_signed_relay = relay_new (test_port ("IMAP"));
  profile = satchel_test_make_dir ();
  run_app (profile, check_self_signed);
  satchel_test_remove_dir (profile);
  g_clear_pointer (&self_signed_relay, relay_free);
}

/* A pinned certificate that the server no longer presents asks again,
 * saying it changed. */

static void
check_changed (SatchelApplication *app,
               SatchelWindow      *window)
{
  SatchelAccountWizard *wizard = wizard_of (app);
  g_autoptr(GError) error = NULL;

  /* Trusted before: another certificate, for the same host and port. */
  g_assert_true (satchel_cert_pin_save (satchel_application_get_store (app), "localhost",
                                        test_port ("IMAPS"), "00112233445566778899aabbccddeeff"
                                        "00112233445566778899aabbccddeeff", NULL, &error));
  g_assert_no_error (error);
  fill_in_you (wizard, user_password);
  press (wizard, "wizard.manual");
  wait_for_page (wizard, "kind");
  press (wizard, "wizard.next");
  fill_in_servers (wizard, test_port ("IMAPS"), test_port ("SMTPS"));
  press (wizard, "wizard.next");
  answer_certificate ("Certificate Changed", "has changed since you trusted it", "CN=localhost,O=Satchel tests",
                      "cancel");
  wait_until (check_has_failed, wizard, 30);
}

static void
test_wizard_changed_certificate (void)
{
  g_autofree char *profile = NULL;

  if (!satchel_test_require_servers ())
    return;
  new_user ("example.org", 0);
  profile = satchel_test_make_dir ();
  run_app (profile, check_changed);
  satchel_test_remove_dir (profile);
}

/* No encryption only when confirmed. */

static void
check_insecure (SatchelApplication *app,
                SatchelWindow      *window)
{
  SatchelAccountWizard *wizard = wizard_of (app);
  AdwComboRow *security;
  AdwMessageDialog *dialog = NULL;

  fill_in_you (wizard, user_password);
  press (wizard, "wizard.manual");
  wait_for_page (wizard, "kind");
  press (wizard, "wizard.next");
  wait_for_page (wizard, "servers");
  security = ADW_COMBO_ROW (field (wizard, "Incoming Server", "Security", G_TYPE_INVALID));

  /* Cancelled: back to TLS, and the port with it. */
  adw_combo_row_set_selected (security, SATCHEL_SECURITY_NONE);
  wait_until (dialog_open, &dialog, 5);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Use an Unencrypted Connection?");
  press_response (dialog, "cancel");
  g_assert_cmpuint (adw_combo_row_get_selected (security), ==, SATCHEL_SECURITY_TLS);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (
                     field (wizard, "Incoming Server", "Port", GTK_TYPE_SPIN_BUTTON))), ==, 993);

  /* Confirmed: the standard plain port follows, and the login is plain. */
  adw_combo_row_set_selected (security, SATCHEL_SECURITY_NONE);
  wait_until (dialog_open, &dialog, 5);
  press_response (dialog, "insecure");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (
                     field (wizard, "Incoming Server", "Port", GTK_TYPE_SPIN_BUTTON))), ==, 143);
  fill_in_servers (wizard, test_port ("IMAP"), test_port ("SMTPS"));
  press (wizard, "wizard.next");
  answer_certificate ("Untrusted Certificate", "does not know", "CN=localhost,O=Satchel tests", "trust");
  assert_inbox_shown (app, window, 1);
  {
    g_autoptr(SatchelAccount) account =
      g_list_model_get_item (G_LIST_MODEL (satchel_application_get_accounts (app)), 0);

    g_assert_cmpint (satchel_account_get_security (account), ==, SATCHEL_SECURITY_NONE);
  }
}

static void
test_wizard_insecure (void)
{
  g_autofree char *profile = NULL;

  if (!satchel_test_require_servers ())
    return;
  new_user ("example.org", 1);
  profile = satchel_test_make_dir ();
  run_app (profile, check_insecure);
  satchel_test_remove_dir (profile);
}

int
main (int   argc,
      char *argv[])
{
  /* The account's first check starts as soon as it is added. */
  g_setenv ("SATCHEL_CHECK_SECONDS", "3600", TRUE);
  if (!ui_test_init (&argc, &argv))
    return 0;

  g_test_add_func ("/wizard/provider", test_wizard_provider);
  g_test_add_func ("/wizard/manual-pop3", test_wizard_manual_pop3);
  g_test_add_func ("/wizard/wrong-password", test_wizard_wrong_password);
  g_test_add_func ("/wizard/unreachable", test_wizard_unreachable);
  g_test_add_func ("/wizard/self-signed", test_wizard_self_signed);
  g_test_add_func ("/wizard/changed-certificate", test_wizard_changed_certificate);
  g_test_add_func ("/wizard/insecure", test_wizard_insecure);

  return g_test_run ();
}
