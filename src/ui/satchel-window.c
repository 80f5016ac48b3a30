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
#include <string.h>

#include "satchel-certificate-dialog.h"
#include "satchel-color-dot.h"
#include "satchel-composer-window.h"
#include "satchel-message-row.h"
#include "satchel-message-view.h"
#include "satchel-move-popover.h"
#include "satchel-window.h"

struct _SatchelWindow
{
  AdwApplicationWindow parent_instance;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  GtkStack        *stack;
  AdwStatusPage   *error_page;
  GtkListBox      *accounts_box;
  GtkStack        *list_stack;
  AdwStatusPage   *list_status;
  GtkListView     *message_view;
  SatchelMessageView *reader;
  GtkExpander     *conversation;
  GtkListBox      *conversation_list;
  GPtrArray       *thread;         /* SatchelMessageRow: the conversation shown */
  GtkStack        *reader_stack;
  AdwStatusPage   *reader_status;
  GtkSearchBar    *search_bar;
  GtkSearchEntry  *search_entry;
  GtkCheckButton  *search_all;
  GtkToggleButton *search_button;
  GtkMenuButton   *move_button;
  GtkMenuButton   *message_menu_button;
  GMenu           *message_menu;
  AdwFlap         *flap;
  AdwLeaflet      *leaflet;
  GtkToggleButton *flap_button;
  GtkButton       *back_button;
  GtkWidget       *check_button;
  GtkWidget       *compose_button;
  GtkWidget       *reply_button;
  GtkWidget       *reply_all_button;
  GtkWidget       *forward_button;
  GtkWidget       *delete_button;
  GtkWidget       *star_button;
  guint            narrow_id;
  SatchelMovePopover *move_popover;

  /* Owned */
  GSettings       *settings;
  GSignalGroup    *accounts_signals;
  GSignalGroup    *service_signals;
  SatchelMessageList *messages;
  GHashTable      *account_rows;   /* SatchelAccount → its AdwActionRow, borrowed */
  gint64           folder_id;      /* the folder shown, or 0 */
  SatchelAccount  *show_account;   /* its Inbox opens as soon as it is known */
  gboolean         rebuilding;     /* the sidebar's rows are replaced: the folder stays */
  guint            mark_read_id;   /* marks the open message read, after a moment */
  guint            reselect_id;    /* reads the selection again, after rows went */
  gint64           waiting_body;   /* the message whose body was asked of the server */
  gint64           waiting_reply;  /* the message to answer once its body is here, or 0 */
  char            *waiting_how;    /* "reply", "reply-all" or "forward" */
  gint64           shown_id;       /* the message selected in the list and shown, or 0 */
  SatchelMessageRow *reading;      /* the message in the reader (it may come from the
                                    * conversation), or NULL */
  GPtrArray       *selected;       /* SatchelMessageItem, the selection in list order */
  GListStore      *results;        /* the search's, while it is shown */
  GHashTable      *result_ids;     /* message ids results hold, or held */
  char            *searched;       /* the query of results */
};

#define MARK_READ_DELAY_MS 1000   /* without the settings schema */
#define SEARCH_LIMIT       1000

G_DEFINE_FINAL_TYPE (SatchelWindow, satchel_window, ADW_TYPE_APPLICATION_WINDOW)

static void popover_closed_cb (GtkPopover *popover);
static void update_answer_actions (SatchelWindow *self);
static gboolean showing_results (SatchelWindow *self);
static void refresh_results (SatchelWindow *self);
static void changed_here (SatchelWindow *self,
                          gint64         folder_id);
static void show_conversation (SatchelWindow           *self,
                               const SatchelMessageRow *row);

static const char *
kind_name (SatchelAccountKind kind)
{
  return kind == SATCHEL_ACCOUNT_KIND_POP3 ? "POP3" : "IMAP";
}

static SatchelMailService *
service_of (SatchelWindow *self)
{
  SatchelApplication *app = SATCHEL_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

  return app != NULL ? satchel_application_get_mail_service (app) : NULL;
}

static void
account_color_changed_cb (SatchelAccount *account,
                          GParamSpec     *pspec,
                          GtkWidget      *dot)
{
  satchel_color_dot_set_color (dot, satchel_account_get_color (account));
}

static GtkWidget *
account_row (SatchelAccount *account)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spinner = gtk_spinner_new ();
  GtkWidget *icon = gtk_image_new ();
  GtkWidget *password = gtk_button_new_from_icon_name ("dialog-password-symbolic");
  GtkWidget *certificate = gtk_button_new_from_icon_name ("channel-insecure-symbolic");
  GtkWidget *dot = satchel_color_dot_new (satchel_account_get_color (account));

  /* Labels, addresses and servers' words are text, not markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  g_object_bind_property (account, "label", row, "title", G_BINDING_SYNC_CREATE);
  gtk_widget_set_visible (spinner, FALSE);
  gtk_widget_set_visible (icon, FALSE);
  gtk_widget_set_visible (password, FALSE);
  gtk_widget_set_valign (password, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (password, "flat");
  gtk_widget_set_tooltip_text (password, _("Update Password…"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (password), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Update Password"), -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (password), "win.update-password");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (password), "s",
                                    satchel_account_get_uuid (account));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spinner);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), password);
  gtk_widget_set_visible (certificate, FALSE);
  gtk_widget_set_valign (certificate, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (certificate, "flat");
  gtk_widget_set_tooltip_text (certificate, _("Review Certificate…"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (certificate), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Review Certificate"), -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (certificate), "win.review-certificate");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (certificate), "s",
                                    satchel_account_get_uuid (account));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), certificate);
  g_object_set_data (G_OBJECT (row), "certificate-button", certificate);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), dot);
  g_signal_connect_object (account, "notify::color", G_CALLBACK (account_color_changed_cb), dot, 0);
  g_object_set_data (G_OBJECT (row), "spinner", spinner);
  g_object_set_data (G_OBJECT (row), "state-icon", icon);
  g_object_set_data (G_OBJECT (row), "password-button", password);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
  return row;
}

/* The account's row says what its mail is doing: its address and kind
 * when all is well, the progress of a check, or why it failed. */
static void
update_account_row (SatchelWindow  *self,
                    SatchelAccount *account)
{
  GtkWidget *row = g_hash_table_lookup (self->account_rows, account);
  SatchelMailService *service = service_of (self);
  SatchelAccountState state = SATCHEL_ACCOUNT_STATE_IDLE;
  g_autofree char *subtitle = NULL;
  g_autofree char *folder = NULL;
  const char *message = NULL;
  const char *icon_name = NULL;
  GtkWidget *spinner, *icon;
  guint done = 0, total = 0;

  if (row == NULL)
    return;
  spinner = g_object_get_data (G_OBJECT (row), "spinner");
  icon = g_object_get_data (G_OBJECT (row), "state-icon");
  if (service != NULL)
    state = satchel_mail_service_get_state (service, account, &message);

  switch (state)
    {
    case SATCHEL_ACCOUNT_STATE_SYNCING:
      if (satchel_mail_service_get_progress (service, account, &folder, &done, &total) &&
          folder != NULL && total > 0)
        /* Translators: a folder's name, then how many of its messages came. */
        subtitle = g_strdup_printf (_("%s: %u of %u"), folder, done, total);
      else
        subtitle = g_strdup (_("Checking for mail…"));
      break;
    case SATCHEL_ACCOUNT_STATE_OFFLINE:
      icon_name = "network-offline-symbolic";
      subtitle = g_strdup (_("Offline — changes wait until the server is back"));
      break;
    case SATCHEL_ACCOUNT_STATE_UNTRUSTED:
      /* The button that reviews the certificate says it. */
      subtitle = g_strdup (message != NULL ? message : _("The server’s certificate is not trusted"));
      break;
    case SATCHEL_ACCOUNT_STATE_NEEDS_PASSWORD:
    case SATCHEL_ACCOUNT_STATE_ERROR:
      icon_name = "dialog-warning-symbolic";
      subtitle = g_strdup (message != NULL ? message : _("The last check failed"));
      break;
    case SATCHEL_ACCOUNT_STATE_IDLE:
    default:
      /* Translators: an account's address and its kind (IMAP or POP3). */
      subtitle = g_strdup_printf (_("%s · %s"), satchel_account_get_email (account),
                                  kind_name (satchel_account_get_kind (account)));
      break;
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_tooltip_text (row, message);
  gtk_widget_set_visible (spinner, state == SATCHEL_ACCOUNT_STATE_SYNCING);
  gtk_spinner_set_spinning (GTK_SPINNER (spinner), state == SATCHEL_ACCOUNT_STATE_SYNCING);
  gtk_widget_set_visible (icon, icon_name != NULL);
  gtk_widget_set_visible (g_object_get_data (G_OBJECT (row), "password-button"),
                          state == SATCHEL_ACCOUNT_STATE_NEEDS_PASSWORD);
  gtk_widget_set_visible (g_object_get_data (G_OBJECT (row), "certificate-button"),
                          state == SATCHEL_ACCOUNT_STATE_UNTRUSTED);
  if (icon_name != NULL)
    gtk_image_set_from_icon_name (GTK_IMAGE (icon), icon_name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  subtitle, -1);
}

static const char *
role_icon (SatchelFolderRole role)
{
  switch (role)
    {
    case SATCHEL_FOLDER_ROLE_INBOX:
      return "mail-unread-symbolic";
    case SATCHEL_FOLDER_ROLE_SENT:
      return "mail-send-symbolic";
    case SATCHEL_FOLDER_ROLE_DRAFTS:
      return "document-edit-symbolic";
    case SATCHEL_FOLDER_ROLE_TRASH:
      return "user-trash-symbolic";
    case SATCHEL_FOLDER_ROLE_JUNK:
      return "mail-mark-junk-symbolic";
    case SATCHEL_FOLDER_ROLE_ARCHIVE:
    case SATCHEL_FOLDER_ROLE_NONE:
    default:
      return "folder-symbolic";
    }
}

static const char *
role_title (SatchelFolderRole  role,
            const char        *name)
{
  switch (role)
    {
    case SATCHEL_FOLDER_ROLE_INBOX:
      return _("Inbox");
    case SATCHEL_FOLDER_ROLE_SENT:
      return _("Sent");
    case SATCHEL_FOLDER_ROLE_DRAFTS:
      return _("Drafts");
    case SATCHEL_FOLDER_ROLE_TRASH:
      return _("Trash");
    case SATCHEL_FOLDER_ROLE_JUNK:
      return _("Junk");
    case SATCHEL_FOLDER_ROLE_ARCHIVE:
      return _("Archive");
    case SATCHEL_FOLDER_ROLE_NONE:
    default:
      return name;
    }
}

/* Special folders first, in this order; then the others by name. */
static int
folder_rank (const SatchelFolderRow *row)
{
  static const SatchelFolderRole order[] = {
    SATCHEL_FOLDER_ROLE_INBOX, SATCHEL_FOLDER_ROLE_DRAFTS, SATCHEL_FOLDER_ROLE_SENT,
    SATCHEL_FOLDER_ROLE_ARCHIVE, SATCHEL_FOLDER_ROLE_JUNK, SATCHEL_FOLDER_ROLE_TRASH,
  };

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    if (row->role == order[i])
      return i;
  return G_N_ELEMENTS (order);
}

static int
compare_folders (gconstpointer a,
                 gconstpointer b)
{
  const SatchelFolderRow *x = *(SatchelFolderRow * const *) a;
  const SatchelFolderRow *y = *(SatchelFolderRow * const *) b;
  int rank = folder_rank (x) - folder_rank (y);

  return rank != 0 ? rank : g_utf8_collate (x->name, y->name);
}

/* A folder's place in the tree: its name's last part, and how deep it is
 * ("Projects/2026/Q1": "Q1", 2). */
static const char *
folder_leaf (const SatchelFolderRow *folder,
             guint                  *depth)
{
  const char *leaf = folder->name;

  *depth = 0;
  if (folder->delimiter == 0 || folder->role != SATCHEL_FOLDER_ROLE_NONE)
    return leaf;
  for (const char *p = folder->name; *p != '\0'; p++)
    if (*p == folder->delimiter && p[1] != '\0')
      {
        leaf = p + 1;
        (*depth)++;
      }
  return leaf;
}

static GtkWidget *
folder_row (const SatchelFolderRow *folder)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  guint depth;
  const char *leaf = folder_leaf (folder, &depth);
  GtkWidget *label = gtk_label_new (role_title (folder->role, leaf));

  /* Folders inside folders, as a tree. */
  gtk_widget_set_margin_start (box, MIN (depth, 8) * 18);
  gtk_widget_set_tooltip_text (row, depth > 0 ? folder->name : NULL);

  gtk_box_append (GTK_BOX (box),
                  gtk_image_new_from_icon_name (folder->id == SATCHEL_ALL_INBOXES
                                                ? "mail-unread-symbolic"
                                                : role_icon (folder->role)));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);
  if (folder->unread > 0)
    {
      g_autofree char *count = g_strdup_printf ("%u", folder->unread);
      GtkWidget *unread = gtk_label_new (count);

      gtk_widget_add_css_class (unread, "dim-label");
      gtk_widget_add_css_class (unread, "numeric");
      gtk_box_append (GTK_BOX (box), unread);
    }
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data_full (G_OBJECT (row), "folder-id", g_memdup2 (&folder->id, sizeof folder->id),
                          g_free);
  return row;
}

static SatchelStore *
store_of (SatchelWindow *self)
{
  SatchelApplication *app = SATCHEL_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

  return app != NULL ? satchel_application_get_store (app) : NULL;
}

/* Every account, and under it its folders with their unread counts. */
static void
rebuild_sidebar (SatchelWindow *self)
{
  SatchelApplication *app = SATCHEL_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  SatchelAccountList *accounts = app != NULL ? satchel_application_get_accounts (app) : NULL;
  SatchelStore *store = store_of (self);
  GtkWidget *child;

  gint64 selected = self->folder_id;

  self->rebuilding = TRUE;
  g_hash_table_remove_all (self->account_rows);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->accounts_box))) != NULL)
    gtk_list_box_remove (self->accounts_box, child);
  self->rebuilding = FALSE;
  if (accounts == NULL || store == NULL)
    return;
  /* With several accounts, their Inboxes together come first. */
  if (g_list_model_get_n_items (G_LIST_MODEL (accounts)) > 1)
    {
      SatchelFolderRow all = { 0 };
      GtkWidget *row;

      all.id = SATCHEL_ALL_INBOXES;
      all.name = (char *) _("All Inboxes");
      all.unread = satchel_query_unread_in_inboxes (store);
      row = folder_row (&all);
      gtk_list_box_append (self->accounts_box, row);
      if (selected == 0 || selected == SATCHEL_ALL_INBOXES)
        {
          self->rebuilding = selected == SATCHEL_ALL_INBOXES;
          gtk_list_box_select_row (self->accounts_box, GTK_LIST_BOX_ROW (row));
          self->rebuilding = FALSE;
        }
    }
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (accounts)); i++)
    {
      g_autoptr(SatchelAccount) account = g_list_model_get_item (G_LIST_MODEL (accounts), i);
      g_autoptr(GPtrArray) folders = NULL;
      g_autoptr(GError) error = NULL;

      GtkWidget *row = account_row (account);

      gtk_list_box_append (self->accounts_box, row);
      g_hash_table_insert (self->account_rows, account, row);
      update_account_row (self, account);
      folders = satchel_query_folders (store, satchel_account_get_id (account), &error);
      if (folders == NULL)
        {
          g_warning ("The folders of %s cannot be read: %s", satchel_account_get_label (account),
                     error->message);
          continue;
        }
      g_ptr_array_sort (folders, compare_folders);
      for (guint f = 0; f < folders->len; f++)
        {
          const SatchelFolderRow *folder = g_ptr_array_index (folders, f);
          GtkWidget *frow = folder_row (folder);

          gtk_list_box_append (self->accounts_box, frow);
          /* An account just added opens at its Inbox. */
          if (account == self->show_account && folder->role == SATCHEL_FOLDER_ROLE_INBOX)
            {
              g_clear_object (&self->show_account);
              selected = folder->id;
              gtk_list_box_select_row (self->accounts_box, GTK_LIST_BOX_ROW (frow));
            }
          /* The folder that was shown stays; at first the first account's
           * Inbox opens with the window. */
          else if (folder->id == selected ||
              (selected == 0 && gtk_list_box_get_selected_row (self->accounts_box) == NULL &&
               folder->role == SATCHEL_FOLDER_ROLE_INBOX))
            {
              self->rebuilding = folder->id == selected;
              gtk_list_box_select_row (self->accounts_box, GTK_LIST_BOX_ROW (frow));
              self->rebuilding = FALSE;
            }
        }
    }
}

/* The message list */

static char *
short_date (gint64 when)
{
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_local (when);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (date == NULL)
    return g_strdup ("");
  if (g_date_time_get_year (date) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (date) == g_date_time_get_day_of_year (now))
    return g_date_time_format (date, "%H:%M");
  if (g_date_time_get_year (date) == g_date_time_get_year (now))
    /* Translators: the date of a message of this year in the list, in the
     * words of g_date_time_format(): "3 Nov". */
    return g_date_time_format (date, _("%-d %b"));
  /* Translators: the date of an older message in the list: "3 Nov 2025". */
  return g_date_time_format (date, _("%-d %b %Y"));
}

/* What can be done to the selected messages: the header bar's menu and
 * the list's context menu. */
static GMenu *
new_message_menu (void)
{
  static const struct { const char *label; const char *action; gboolean hidden; } items[] = {
    { N_("_Reply"), "win.reply", TRUE },
    { N_("Reply to _All"), "win.reply-all", TRUE },
    { N_("_Forward"), "win.forward", TRUE },
    { NULL, NULL, FALSE },
    { N_("Mark as _Read"), "win.mark-read", TRUE },
    { N_("Mark as _Unread"), "win.mark-unread", TRUE },
    { N_("_Star"), "win.star", TRUE },
    { N_("Remove S_tar"), "win.unstar", TRUE },
    { NULL, NULL, FALSE },
    { N_("_Archive"), "win.archive", FALSE },
    { N_("_Move to…"), "win.move", FALSE },
    { N_("Mark as _Junk"), "win.junk", FALSE },
    { N_("_Delete"), "win.delete", FALSE },
  };
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenu) section = g_menu_new ();

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      g_autoptr(GMenuItem) item = NULL;

      if (items[i].label == NULL)
        {
          g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
          g_clear_object (&section);
          section = g_menu_new ();
          continue;
        }
      item = g_menu_item_new (_(items[i].label), items[i].action);
      if (items[i].hidden)
        g_menu_item_set_attribute (item, "hidden-when", "s", "action-disabled");
      g_menu_append_item (section, item);
    }
  g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
  return menu;
}

/* A right click on a message: it is selected (unless it is already, with
 * others), and the message menu opens there. */
static void
row_pressed_cb (GtkGestureClick *gesture,
                int              n_press,
                double           x,
                double           y,
                GtkListItem     *item)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  SatchelWindow *self = SATCHEL_WINDOW (gtk_widget_get_root (row));
  GtkSelectionModel *model = gtk_list_view_get_model (self->message_view);
  guint position = gtk_list_item_get_position (item);
  GtkWidget *popover;

  if (model == NULL || position == GTK_INVALID_LIST_POSITION)
    return;
  if (!gtk_selection_model_is_selected (model, position))
    gtk_selection_model_select_item (model, position, TRUE);
  popover = gtk_popover_menu_new_from_model (G_MENU_MODEL (self->message_menu));
  gtk_widget_set_parent (popover, row);
  gtk_popover_set_pointing_to (GTK_POPOVER (popover), &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  gtk_popover_set_has_arrow (GTK_POPOVER (popover), FALSE);
  g_signal_connect (popover, "closed", G_CALLBACK (popover_closed_cb), NULL);
  gtk_popover_popup (GTK_POPOVER (popover));
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

/* A click on a conversation's arrow opens or closes it, and selects
 * nothing. */
static void
toggle_pressed_cb (GtkGestureClick *gesture,
                   int              n_press,
                   double           x,
                   double           y,
                   GtkListItem     *item)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  SatchelWindow *self = SATCHEL_WINDOW (gtk_widget_get_root (row));
  SatchelMessageItem *message = gtk_list_item_get_item (item);

  if (message == NULL || self->messages == NULL ||
      !satchel_message_row_widget_in_toggle (SATCHEL_MESSAGE_ROW_WIDGET (row), x))
    return;
  satchel_message_list_set_expanded (self->messages, gtk_list_item_get_position (item),
                                     !satchel_message_item_get_expanded (message));
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
setup_message_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  GtkWidget *row = satchel_message_row_widget_new ();
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *toggle = gtk_gesture_click_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (row_pressed_cb), item);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (click));
  /* Before the list view's own click, which selects. */
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (toggle), GTK_PHASE_CAPTURE);
  g_signal_connect (toggle, "pressed", G_CALLBACK (toggle_pressed_cb), item);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (toggle));
  gtk_list_item_set_child (item, row);
}


/* Fills a list row with @item: the message, and where it stands among
 * the conversations (the arrow, the count). */
static void
fill_message_row (GtkWidget          *widget,
                  SatchelMessageItem *item)
{
  const SatchelMessageRow *row = satchel_message_item_get_row (item);
  g_autofree char *when = short_date (row->date);
  g_autofree char *name = satchel_display_sender (row->from);

  satchel_message_row_widget_set (SATCHEL_MESSAGE_ROW_WIDGET (widget), name, when,
                                  row->subject != NULL && row->subject[0] != '\0'
                                  ? row->subject : _("(no subject)"),
                                  row->preview, satchel_message_item_get_unread (item) > 0,
                                  (row->flags & SATCHEL_FLAG_FLAGGED) != 0, row->has_attachments,
                                  (row->flags & SATCHEL_FLAG_ANSWERED) != 0);
  satchel_message_row_widget_set_conversation (SATCHEL_MESSAGE_ROW_WIDGET (widget),
                                               satchel_message_item_get_count (item),
                                               satchel_message_item_get_expanded (item),
                                               satchel_message_item_get_depth (item));
}


static void
item_row_changed_cb (SatchelMessageItem *item,
                     GParamSpec         *pspec,
                     GtkWidget          *box)
{
  fill_message_row (box, item);
}

static void
bind_message_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  SatchelMessageItem *message = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);

  if (message == NULL)
    return;
  fill_message_row (box, message);
  g_signal_connect_object (message, "notify::row", G_CALLBACK (item_row_changed_cb), box, 0);
}

static void
unbind_message_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   gpointer                  user_data)
{
  SatchelMessageItem *message = gtk_list_item_get_item (item);

  if (message != NULL)
    g_signal_handlers_disconnect_by_func (message, item_row_changed_cb,
                                          gtk_list_item_get_child (item));
}

static SatchelAccount *account_of_folder (SatchelWindow *self,
                                          gint64         folder_id);
static const SatchelMessageRow *selected_row (SatchelWindow *self);
static void report (SatchelWindow *self,
                    const GError  *error);

/* The first address of @from ("Name <address>, ..."), or NULL. */
static char *
sender_address (const char *from)
{
  g_autoptr(InternetAddressList) list = from != NULL ? internet_address_list_parse (NULL, from)
                                                     : NULL;
  InternetAddress *address;

  if (list == NULL || internet_address_list_length (list) == 0)
    return NULL;
  address = internet_address_list_get_address (list, 0);
  if (!INTERNET_ADDRESS_IS_MAILBOX (address))
    return NULL;
  return g_strdup (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address)));
}

/* "Load remote content from trusted senders", the preference. */
static gboolean
trusts_senders (SatchelWindow *self)
{
  return self->settings == NULL ||
         g_settings_get_boolean (self->settings, "load-remote-content-trusted");
}

/* The reader: the message from the store, or, when its body is not here
 * yet, what it is waiting for. */
static void
show_message (SatchelWindow           *self,
              const SatchelMessageRow *row)
{
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  g_autofree char *address = NULL;
  const char *placeholder = NULL;

  /* A copy: @row may be the one shown before, or a conversation's. */
  if (row != NULL)
    row = satchel_message_row_copy (row);
  g_clear_pointer (&self->reading, satchel_message_row_free);
  self->reading = (SatchelMessageRow *) row;
  update_answer_actions (self);
  gtk_stack_set_visible_child_name (self->reader_stack, row != NULL ? "message" : "empty");
  if (row == NULL)
    return;
  raw = satchel_store_get_body (store_of (self), row->id, NULL);
  if (raw != NULL)
    message = satchel_mime_parse (raw);
  else
    {
      SatchelMailService *service = service_of (self);
      SatchelAccount *account = account_of_folder (self, row->folder_id);

      /* Not cached: it comes from the server now, beside any check. */
      if (service != NULL && account != NULL && row->uid != 0)
        {
          if (self->waiting_body != row->id)
            satchel_mail_service_fetch_body (service, account, row->id);
          self->waiting_body = row->id;
          placeholder = _("Downloading the message…");
        }
      else
        placeholder = _("This message is not on this computer yet, and the server does not "
                        "have it.");
    }
  address = sender_address (row->from);
  satchel_message_view_show (self->reader, row, message, placeholder,
                             address != NULL && trusts_senders (self) &&
                             satchel_store_remote_content_allowed (store_of (self), address));
  show_conversation (self, row);
}

static void
conversation_row_activated_cb (GtkListBox    *list,
                               GtkListBoxRow *row,
                               SatchelWindow *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "index"));

  if (self->thread != NULL && index < self->thread->len)
    show_message (self, g_ptr_array_index (self->thread, index));
}

/* The conversation of @row, when it has other messages: each of them, in
 * order, to open in the reader; the one shown marked. */
static void
show_conversation (SatchelWindow           *self,
                   const SatchelMessageRow *row)
{
  g_autoptr(GPtrArray) thread = NULL;
  g_autofree char *label = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->conversation_list))) != NULL)
    gtk_list_box_remove (self->conversation_list, child);
  thread = row != NULL ? satchel_query_thread (store_of (self), row->thread_id, NULL) : NULL;
  if (thread == NULL || thread->len < 2)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->conversation), FALSE);
      return;
    }
  for (guint i = 0; i < thread->len; i++)
    {
      const SatchelMessageRow *message = g_ptr_array_index (thread, i);
      GtkWidget *item = adw_action_row_new ();
      g_autofree char *sender = satchel_display_sender (message->from);
      g_autofree char *when = short_date (message->date);
      g_autofree char *subtitle = g_strdup_printf ("%s — %s", when,
                                                   message->preview != NULL && message->preview[0]
                                                   ? message->preview
                                                   : message->subject != NULL ? message->subject : "");

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (item), sender);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (item), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (item), subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (item), 1);
      if (message->id == row->id)
        {
          GtkWidget *mark = gtk_image_new_from_icon_name ("go-next-symbolic");

          gtk_accessible_update_property (GTK_ACCESSIBLE (mark), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          _("Shown"), -1);
          adw_action_row_add_suffix (ADW_ACTION_ROW (item), mark);
        }
      else
        gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (item), TRUE);
      if (!(message->flags & SATCHEL_FLAG_SEEN))
        gtk_widget_add_css_class (item, "heading");
      g_object_set_data (G_OBJECT (item), "index", GUINT_TO_POINTER (i));
      gtk_list_box_append (self->conversation_list, item);
    }
  /* Translators: the expander above a message that is part of a
   * conversation. */
  label = g_strdup_printf (ngettext ("Conversation of %u message", "Conversation of %u messages",
                                     thread->len), thread->len);
  gtk_expander_set_label (self->conversation, label);
  gtk_widget_set_visible (GTK_WIDGET (self->conversation), TRUE);
  g_clear_pointer (&self->thread, g_ptr_array_unref);
  self->thread = g_steal_pointer (&thread);
}

/* The reader's star: on the message it shows. */
static void
reader_star_toggled_cb (SatchelMessageView *view,
                        gboolean            starred,
                        SatchelWindow      *self)
{
  g_autoptr(GError) error = NULL;

  if (self->reading == NULL)
    return;
  if (!satchel_mail_change_flags (store_of (self), self->reading->id,
                                  starred ? SATCHEL_FLAG_FLAGGED : 0,
                                  starred ? 0 : SATCHEL_FLAG_FLAGGED, &error))
    {
      report (self, error);
      return;
    }
  if (starred)
    self->reading->flags |= SATCHEL_FLAG_FLAGGED;
  else
    self->reading->flags &= ~SATCHEL_FLAG_FLAGGED;
  changed_here (self, self->reading->folder_id);
}

/* "Always From This Sender": remembered in the store. */
static void
remote_content_allowed_cb (SatchelMessageView *view,
                           gboolean            always,
                           SatchelWindow      *self)
{
  g_autofree char *address = self->reading != NULL ? sender_address (self->reading->from) : NULL;
  g_autoptr(GError) error = NULL;

  if (always && address != NULL &&
      !satchel_store_allow_remote_content (store_of (self), address, &error))
    report (self, error);
}

/* The message selected, when one alone is. */
static const SatchelMessageRow *
selected_row (SatchelWindow *self)
{
  if (self->selected == NULL || self->selected->len != 1)
    return NULL;
  return satchel_message_item_get_row (g_ptr_array_index (self->selected, 0));
}

/* The messages an action on the selection acts on, held while it changes
 * what the list holds: the selected ones, and with a closed conversation
 * all of its messages in the folder, as in Thunderbird and Geary (an
 * opened one shows its messages to choose from). */
static GPtrArray *
selection_copy (SatchelWindow *self)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; self->selected != NULL && i < self->selected->len; i++)
    g_ptr_array_add (items, g_object_ref (g_ptr_array_index (self->selected, i)));
  if (self->messages == NULL)
    return items;
  for (guint i = 0; self->selected != NULL && i < self->selected->len; i++)
    {
      SatchelMessageItem *head = g_ptr_array_index (self->selected, i);
      g_autoptr(GListModel) others = NULL;

      if (satchel_message_item_get_depth (head) > 0 || satchel_message_item_get_expanded (head))
        continue;
      others = satchel_message_list_dup_conversation (self->messages, head);
      for (guint j = 0; others != NULL && j < g_list_model_get_n_items (others); j++)
        g_ptr_array_add (items, g_list_model_get_item (others, j));
    }
  return items;
}

/* Takes the list's selection, holding its items. */
static void
read_selection (SatchelWindow *self)
{
  GtkSelectionModel *model = gtk_list_view_get_model (self->message_view);
  g_autoptr(GtkBitset) bits = NULL;
  GtkBitsetIter iter;
  guint position;

  if (self->selected == NULL)
    return;   /* the window goes */
  g_ptr_array_set_size (self->selected, 0);
  if (model == NULL)
    return;
  bits = gtk_selection_model_get_selection (model);
  for (gboolean more = gtk_bitset_iter_init_first (&iter, bits, &position); more;
       more = gtk_bitset_iter_next (&iter, &position))
    {
      SatchelMessageItem *item = g_list_model_get_item (G_LIST_MODEL (model), position);

      if (item != NULL)
        g_ptr_array_add (self->selected, item);
    }
}

static SatchelAccount *
account_of_folder (SatchelWindow *self,
                   gint64         folder_id)
{
  SatchelApplication *app = SATCHEL_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  SatchelAccountList *accounts = app != NULL ? satchel_application_get_accounts (app) : NULL;
  g_autoptr(SatchelFolderInfo) folder = NULL;

  if (accounts == NULL)
    return NULL;
  folder = satchel_store_get_folder (store_of (self), folder_id, NULL);
  if (folder == NULL)
    return NULL;
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (accounts)); i++)
    {
      g_autoptr(SatchelAccount) account = g_list_model_get_item (G_LIST_MODEL (accounts), i);

      if (satchel_account_get_id (account) == folder->account_id)
        return account;
    }
  return NULL;
}

/* The reader's message as the store has it now: its star. */
static void
refresh_reading (SatchelWindow *self)
{
  g_autoptr(SatchelMessageRow) now = NULL;

  if (self->reading == NULL ||
      (now = satchel_query_message (store_of (self), self->reading->id, NULL)) == NULL)
    return;
  self->reading->flags = now->flags;
  satchel_message_view_set_starred (self->reader, (now->flags & SATCHEL_FLAG_FLAGGED) != 0);
}

/* After a change here: the views show it, and the server hears of it. */
static void
changed_here (SatchelWindow *self,
              gint64         folder_id)
{
  SatchelMailService *service = service_of (self);
  SatchelAccount *account = account_of_folder (self, folder_id);

  if (self->messages != NULL)
    satchel_message_list_reload (self->messages, NULL);
  if (showing_results (self))
    refresh_results (self);
  rebuild_sidebar (self);
  refresh_reading (self);
  if (service != NULL && account != NULL)
    satchel_mail_service_push (service, account);
}

static void
report (SatchelWindow *self,
        const GError  *error)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
}

/* Sets or clears @flag on the selected messages. */
static void
change_flag (SatchelWindow *self,
             guint          flag,
             gboolean       set)
{
  g_autoptr(GPtrArray) items = selection_copy (self);
  g_autoptr(GError) error = NULL;
  gint64 folder_id = 0;

  for (guint i = 0; i < items->len && error == NULL; i++)
    {
      const SatchelMessageRow *row = satchel_message_item_get_row (g_ptr_array_index (items, i));

      folder_id = row->folder_id;
      satchel_mail_change_flags (store_of (self), row->id, set ? flag : 0, set ? 0 : flag,
                                 &error);
    }
  if (error != NULL)
    report (self, error);
  if (folder_id != 0)
    changed_here (self, folder_id);
}

static gboolean
mark_read_cb (gpointer user_data)
{
  SatchelWindow *self = user_data;
  const SatchelMessageRow *row = selected_row (self);

  self->mark_read_id = 0;
  if (row != NULL && row->id == self->shown_id && !(row->flags & SATCHEL_FLAG_SEEN))
    change_flag (self, SATCHEL_FLAG_SEEN, TRUE);
  return G_SOURCE_REMOVE;
}

static int
mark_read_delay (SatchelWindow *self)
{
  return self->settings != NULL ? g_settings_get_int (self->settings, "mark-read-delay")
                                : MARK_READ_DELAY_MS;
}

static void
update_actions (SatchelWindow *self)
{
  const char *names[] = { "mark-read", "mark-unread", "star", "unstar", "delete", "archive",
                          "junk", "move" };
  guint any_unread = 0, any_read = 0, any_starred = 0, any_unstarred = 0;

  /* What the actions would act on: with a few closed conversations,
   * every message of them (a read one may hide unread replies); past
   * that, the rows alone, as reading each conversation would cost more
   * than a selection change may. */
  g_autoptr(GPtrArray) items = self->selected != NULL && self->selected->len <= 50
                               ? selection_copy (self) : NULL;
  GPtrArray *targets = items != NULL ? items : self->selected;

  for (guint i = 0; targets != NULL && i < targets->len; i++)
    {
      guint flags = satchel_message_item_get_row (g_ptr_array_index (targets, i))->flags;

      any_unread |= !(flags & SATCHEL_FLAG_SEEN);
      any_read |= (flags & SATCHEL_FLAG_SEEN) != 0;
      any_starred |= (flags & SATCHEL_FLAG_FLAGGED) != 0;
      any_unstarred |= !(flags & SATCHEL_FLAG_FLAGGED);
    }
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), names[i]);
      gboolean enabled = self->selected != NULL && self->selected->len > 0;

      if (g_str_equal (names[i], "mark-read"))
        enabled = any_unread;
      else if (g_str_equal (names[i], "mark-unread"))
        enabled = any_read;
      else if (g_str_equal (names[i], "star"))
        enabled = any_unstarred;
      else if (g_str_equal (names[i], "unstar"))
        enabled = any_starred;
      g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
    }
}

static void
selection_changed_cb (GtkSelectionModel *selection,
                      guint              position,
                      guint              n_items,
                      SatchelWindow     *self)
{
  const SatchelMessageRow *row;
  gint64 id;

  if (self->selected == NULL)
    return;   /* the window goes */
  read_selection (self);
  row = selected_row (self);
  id = row != NULL ? row->id : 0;
  update_actions (self);
  if (self->selected->len > 1)
    {
      g_autofree char *title = g_strdup_printf (ngettext ("%u Message Selected",
                                                             "%u Messages Selected",
                                                             self->selected->len),
                                                self->selected->len);

      self->shown_id = 0;
      g_clear_handle_id (&self->mark_read_id, g_source_remove);
      adw_status_page_set_title (self->reader_status, title);
      gtk_stack_set_visible_child_name (self->reader_stack, "empty");
      return;
    }
  adw_status_page_set_title (self->reader_status, _("No Message Selected"));
  if (id == self->shown_id)
    return;   /* the same message, after a reload */
  self->shown_id = id;
  show_message (self, row);
  /* A narrow window: the message takes the width. */
  if (row != NULL && adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, "reader");
  g_clear_handle_id (&self->mark_read_id, g_source_remove);
  /* Opening a message marks it read, once the user had a moment to see
   * which one it is (the preference says how long; -1: never). */
  if (row != NULL && !(row->flags & SATCHEL_FLAG_SEEN) && mark_read_delay (self) >= 0)
    self->mark_read_id = g_timeout_add (mark_read_delay (self), mark_read_cb, self);
}

/* Actions on the selected message */

static void
mark_read_activated_cb (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  change_flag (user_data, SATCHEL_FLAG_SEEN, TRUE);
}

static void
mark_unread_activated_cb (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  SatchelWindow *self = user_data;

  /* Not read again by the timer of the open message. */
  g_clear_handle_id (&self->mark_read_id, g_source_remove);
  change_flag (self, SATCHEL_FLAG_SEEN, FALSE);
}

static void
star_activated_cb (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  change_flag (user_data, SATCHEL_FLAG_FLAGGED, TRUE);
}

static void
unstar_activated_cb (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  change_flag (user_data, SATCHEL_FLAG_FLAGGED, FALSE);
}

typedef struct
{
  gint64  message_id;
  gint64  folder_id;
  char   *folder;   /* where it was */
} Moved;

static void
moved_free (Moved *moved)
{
  g_free (moved->folder);
  g_free (moved);
}

typedef struct
{
  SatchelWindow *window;   /* weak */
  GPtrArray     *moved;    /* Moved */
} Undo;

static void
undo_free (gpointer  data,
           GClosure *closure)
{
  Undo *undo = data;

  g_clear_weak_pointer (&undo->window);
  g_ptr_array_unref (undo->moved);
  g_free (undo);
}

static void
undo_cb (AdwToast *toast,
         Undo     *undo)
{
  g_autoptr(GError) error = NULL;
  gint64 folder_id = 0;

  if (undo->window == NULL)
    return;
  for (guint i = 0; i < undo->moved->len && error == NULL; i++)
    {
      Moved *moved = g_ptr_array_index (undo->moved, i);

      folder_id = moved->folder_id;
      satchel_mail_move (store_of (undo->window), moved->message_id, moved->folder, &error);
    }
  if (error != NULL)
    report (undo->window, error);
  if (folder_id != 0)
    changed_here (undo->window, folder_id);
}

/* Moves one message away (see move_away()); adds it to @moved when that
 * can be undone. Returns its folder, or NULL with @error set. */
static SatchelFolderInfo *
move_one (SatchelWindow           *self,
          const SatchelMessageRow *row,
          SatchelFolderRole        role,
          const char              *folder,
          SatchelFolderInfo      **dest_out,
          GPtrArray               *moved,
          GError                 **error)
{
  g_autoptr(SatchelFolderInfo) from = satchel_store_get_folder (store_of (self), row->folder_id,
                                                                error);
  g_autoptr(SatchelFolderInfo) dest = NULL;
  gboolean ok;

  if (from == NULL)
    return NULL;
  if (folder == NULL && role == SATCHEL_FOLDER_ROLE_TRASH)
    ok = satchel_mail_delete (store_of (self), row->id, error);
  else
    {
      if (folder != NULL)
        dest = satchel_store_find_folder (store_of (self), from->account_id, folder, error);
      else
        dest = satchel_store_find_folder_by_role (store_of (self), from->account_id, role, error);
      if (dest == NULL && (error == NULL || *error == NULL))
        g_set_error (error, SATCHEL_MAIL_ERROR, SATCHEL_MAIL_ERROR_NOT_FOUND,
                     role == SATCHEL_FOLDER_ROLE_JUNK ? _("This account has no Junk folder.")
                                                      : _("This account has no Archive folder."));
      ok = dest != NULL && satchel_mail_move (store_of (self), row->id, dest->name, error);
    }
  if (!ok)
    return NULL;
  /* A message deleted in the Trash is gone for good: nothing to undo. */
  if (dest != NULL || from->role != SATCHEL_FOLDER_ROLE_TRASH)
    {
      Moved *one = g_new0 (Moved, 1);

      one->message_id = row->id;
      one->folder_id = from->id;
      one->folder = g_strdup (from->name);
      g_ptr_array_add (moved, one);
    }
  if (dest_out != NULL && *dest_out == NULL)
    *dest_out = g_steal_pointer (&dest);
  return g_steal_pointer (&from);
}

/* Moves the selected messages away, with a toast that can undo it: to
 * @folder when given, else to the account's folder of @role (the Trash:
 * deleting them, for good when they are in the Trash already). */
static void
move_away (SatchelWindow     *self,
           SatchelFolderRole  role,
           const char        *folder)
{
  g_autoptr(GPtrArray) items = selection_copy (self);
  g_autoptr(GPtrArray) moved = g_ptr_array_new_with_free_func ((GDestroyNotify) moved_free);
  g_autoptr(SatchelFolderInfo) dest = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *said = NULL;
  gint64 folder_id = 0;
  AdwToast *toast;
  Undo *undo;

  for (guint i = 0; i < items->len && error == NULL; i++)
    {
      const SatchelMessageRow *row = satchel_message_item_get_row (g_ptr_array_index (items, i));
      g_autoptr(SatchelFolderInfo) from = move_one (self, row, role, folder, &dest, moved, &error);

      if (from != NULL)
        folder_id = from->id;
    }
  if (error != NULL)
    report (self, error);
  if (folder_id == 0)
    return;
  changed_here (self, folder_id);
  if (moved->len == 0)
    return;

  if (dest == NULL)
    said = g_strdup_printf (ngettext ("Message deleted", "%u messages deleted",
                                         moved->len), moved->len);
  else if (folder == NULL && role == SATCHEL_FOLDER_ROLE_ARCHIVE)
    said = g_strdup_printf (ngettext ("Message archived", "%u messages archived",
                                         moved->len), moved->len);
  else if (moved->len == 1)
    said = g_strdup_printf (_("Message moved to “%s”"), role_title (dest->role, dest->name));
  else
    /* Translators: how many messages went to which folder. */
    said = g_strdup_printf (ngettext ("%u message moved to “%s”",
                                         "%u messages moved to “%s”", moved->len),
                            moved->len, role_title (dest->role, dest->name));
  toast = adw_toast_new (said);
  adw_toast_set_button_label (toast, _("_Undo"));
  undo = g_new0 (Undo, 1);
  g_set_weak_pointer (&undo->window, self);
  undo->moved = g_steal_pointer (&moved);
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (undo_cb), undo, undo_free, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
junk_activated_cb (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  move_away (user_data, SATCHEL_FOLDER_ROLE_JUNK, NULL);
}

static void
move_chosen_cb (SatchelMovePopover *popover,
                const char         *folder,
                SatchelWindow      *self)
{
  move_away (self, SATCHEL_FOLDER_ROLE_NONE, folder);
}

/* The folders the selected message can go to, as the popover opens. */
static void
fill_move_popover (SatchelWindow *self)
{
  const SatchelMessageRow *row = self->selected->len > 0
    ? satchel_message_item_get_row (g_ptr_array_index (self->selected, 0)) : NULL;
  g_autoptr(SatchelFolderInfo) from = NULL;
  g_autoptr(GPtrArray) folders = NULL;

  satchel_move_popover_clear (self->move_popover);
  if (row == NULL)
    return;
  from = satchel_store_get_folder (store_of (self), row->folder_id, NULL);
  if (from != NULL)
    folders = satchel_query_folders (store_of (self), from->account_id, NULL);
  if (folders == NULL)
    return;
  g_ptr_array_sort (folders, compare_folders);
  for (guint i = 0; i < folders->len; i++)
    {
      const SatchelFolderRow *folder = g_ptr_array_index (folders, i);

      if (folder->id != row->folder_id)
        satchel_move_popover_add_folder (self->move_popover, role_icon (folder->role),
                                         role_title (folder->role, folder->name), folder->name);
    }
}

static void
move_activated_cb (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  SatchelWindow *self = user_data;

  gtk_menu_button_popup (self->move_button);
}

static void
delete_activated_cb (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  move_away (user_data, SATCHEL_FOLDER_ROLE_TRASH, NULL);
}

static void
archive_activated_cb (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  move_away (user_data, SATCHEL_FOLDER_ROLE_ARCHIVE, NULL);
}

/* Folders: new, rename and delete, here at once and on an IMAP server
 * (queued, as every change is). */

typedef enum
{
  FOLDER_NEW,
  FOLDER_RENAME,
  FOLDER_DELETE,
} FolderChange;

typedef struct
{
  SatchelWindow     *window;   /* weak */
  SatchelAccount    *account;
  SatchelFolderInfo *folder;   /* the one shown */
  FolderChange       change;
  GtkEditable       *entry;    /* for a name */
} FolderDialog;

static void
folder_dialog_free (FolderDialog *dialog)
{
  g_clear_weak_pointer (&dialog->window);
  g_clear_object (&dialog->account);
  g_clear_pointer (&dialog->folder, satchel_folder_info_free);
  g_free (dialog);
}

static void
folder_dialog_closure_free (gpointer  data,
                            GClosure *closure)
{
  folder_dialog_free (data);
}

static void
folder_response_cb (AdwMessageDialog *message,
                    const char       *response,
                    FolderDialog     *dialog)
{
  SatchelWindow *self = dialog->window;
  const char *name = dialog->entry != NULL ? gtk_editable_get_text (dialog->entry) : NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (self == NULL || g_strcmp0 (response, "cancel") == 0)
    return;
  switch (dialog->change)
    {
    case FOLDER_NEW:
      ok = satchel_mail_create_folder (store_of (self), dialog->account, name, &error);
      break;
    case FOLDER_RENAME:
      ok = satchel_mail_rename_folder (store_of (self), dialog->account, dialog->folder->name,
                                       name, &error);
      break;
    case FOLDER_DELETE:
    default:
      ok = satchel_mail_delete_folder (store_of (self), dialog->account, dialog->folder->name,
                                       &error);
      break;
    }
  if (!ok)
    {
      report (self, error);
      return;
    }
  /* The folder may be gone: the account is known. */
  if (dialog->change == FOLDER_DELETE && self->folder_id == dialog->folder->id)
    self->folder_id = 0;
  if (self->messages != NULL)
    satchel_message_list_reload (self->messages, NULL);
  rebuild_sidebar (self);
  if (service_of (self) != NULL)
    satchel_mail_service_push (service_of (self), dialog->account);
}

static void
folder_entry_changed_cb (GtkEditable      *entry,
                         AdwMessageDialog *message)
{
  adw_message_dialog_set_response_enabled (message, "ok", gtk_editable_get_text (entry)[0] != '\0');
}

static void
ask_folder_change (SatchelWindow *self,
                   FolderChange   change)
{
  g_autoptr(SatchelFolderInfo) folder = NULL;
  SatchelAccount *account;
  FolderDialog *dialog;
  AdwMessageDialog *message;
  g_autofree char *heading = NULL;

  if (self->folder_id == 0 ||
      (folder = satchel_store_get_folder (store_of (self), self->folder_id, NULL)) == NULL ||
      (account = account_of_folder (self, self->folder_id)) == NULL)
    return;

  switch (change)
    {
    case FOLDER_NEW:
      heading = g_strdup (_("New Folder"));
      break;
    case FOLDER_RENAME:
      heading = g_strdup_printf (_("Rename “%s”"), folder->name);
      break;
    case FOLDER_DELETE:
    default:
      heading = g_strdup_printf (_("Delete “%s”?"), folder->name);
      break;
    }
  message = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, NULL));
  dialog = g_new0 (FolderDialog, 1);
  g_set_weak_pointer (&dialog->window, self);
  dialog->account = g_object_ref (account);
  dialog->folder = g_steal_pointer (&folder);
  dialog->change = change;

  adw_message_dialog_add_response (message, "cancel", _("_Cancel"));
  if (change == FOLDER_DELETE)
    {
      adw_message_dialog_set_body (message,
                                   satchel_account_get_kind (account) == SATCHEL_ACCOUNT_KIND_IMAP
                                   ? _("The folder and every message in it are deleted, here "
                                       "and on the server.")
                                   : _("The folder and every message in it are deleted."));
      adw_message_dialog_add_response (message, "ok", _("_Delete"));
      adw_message_dialog_set_response_appearance (message, "ok", ADW_RESPONSE_DESTRUCTIVE);
    }
  else
    {
      GtkWidget *entry = gtk_entry_new ();

      gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Folder name"), -1);
      if (change == FOLDER_RENAME)
        gtk_editable_set_text (GTK_EDITABLE (entry), dialog->folder->name);
      adw_message_dialog_set_extra_child (message, entry);
      dialog->entry = GTK_EDITABLE (entry);
      adw_message_dialog_add_response (message, "ok", change == FOLDER_NEW ? _("C_reate")
                                                                            : _("_Rename"));
      adw_message_dialog_set_response_appearance (message, "ok", ADW_RESPONSE_SUGGESTED);
      adw_message_dialog_set_response_enabled (message, "ok", change == FOLDER_RENAME);
      g_signal_connect (entry, "changed", G_CALLBACK (folder_entry_changed_cb), message);
    }
  adw_message_dialog_set_default_response (message, change == FOLDER_DELETE ? "cancel" : "ok");
  adw_message_dialog_set_close_response (message, "cancel");
  g_signal_connect_data (message, "response", G_CALLBACK (folder_response_cb), dialog,
                         folder_dialog_closure_free, 0);
  gtk_window_present (GTK_WINDOW (message));
}

static void
new_folder_activated_cb (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  ask_folder_change (user_data, FOLDER_NEW);
}

static void
rename_folder_activated_cb (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  ask_folder_change (user_data, FOLDER_RENAME);
}

static void
delete_folder_activated_cb (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  ask_folder_change (user_data, FOLDER_DELETE);
}

/* New folders go in an account; only folders of one's own are renamed or
 * deleted, not the Inbox, Sent, Trash and the others. */
static void
update_folder_actions (SatchelWindow *self)
{
  g_autoptr(SatchelFolderInfo) folder = NULL;
  gboolean own;

  if (self->folder_id != 0 && store_of (self) != NULL)
    folder = satchel_store_get_folder (store_of (self), self->folder_id, NULL);
  own = folder != NULL && folder->role == SATCHEL_FOLDER_ROLE_NONE;
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self),
                                                                            "new-folder")),
                               folder != NULL);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self),
                                                                            "rename-folder")),
                               own);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self),
                                                                            "delete-folder")),
                               own);
}

static void popover_closed_cb (GtkPopover *popover);

/* "Update Password…": asked, kept in the keyring, and the account
 * checked again with it. */
typedef struct
{
  SatchelWindow  *window;    /* weak */
  SatchelAccount *account;
  GtkEditable    *entry;
} PasswordDialog;

static void
password_dialog_free (gpointer  data,
                      GClosure *closure)
{
  PasswordDialog *dialog = data;

  g_clear_weak_pointer (&dialog->window);
  g_clear_object (&dialog->account);
  g_free (dialog);
}

static void
password_stored_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SatchelAccount) account = user_data;
  GApplication *app = g_application_get_default ();
  g_autoptr(GError) error = NULL;

  if (!satchel_secrets_store_finish (SATCHEL_SECRETS (source), result, &error))
    {
      GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

      if (SATCHEL_IS_WINDOW (window))
        satchel_window_add_toast (SATCHEL_WINDOW (window), error->message);
      return;
    }
  if (SATCHEL_IS_APPLICATION (app) && satchel_application_get_mail_service (SATCHEL_APPLICATION (app)))
    satchel_mail_service_check (satchel_application_get_mail_service (SATCHEL_APPLICATION (app)),
                                account);
}

static void
password_response_cb (AdwMessageDialog *message,
                      const char       *response,
                      PasswordDialog   *dialog)
{
  SatchelApplication *app;

  if (dialog->window == NULL || g_strcmp0 (response, "ok") != 0)
    return;
  app = SATCHEL_APPLICATION (gtk_window_get_application (GTK_WINDOW (dialog->window)));
  satchel_secrets_store_async (satchel_application_get_secrets (app),
                               satchel_account_get_uuid (dialog->account),
                               satchel_account_get_email (dialog->account),
                               SATCHEL_SECRET_INCOMING, gtk_editable_get_text (dialog->entry),
                               NULL, password_stored_cb, g_object_ref (dialog->account));
}

/* The account whose uuid an action names, or NULL. */
static SatchelAccount *
account_by_uuid (SatchelAccountList *accounts,
                 const char         *uuid)
{
  for (guint i = 0; accounts != NULL && i < g_list_model_get_n_items (G_LIST_MODEL (accounts)); i++)
    {
      g_autoptr(SatchelAccount) item = g_list_model_get_item (G_LIST_MODEL (accounts), i);

      if (g_str_equal (satchel_account_get_uuid (item), uuid))
        return g_steal_pointer (&item);
    }
  return NULL;
}

static void
update_password_activated_cb (GSimpleAction *action,
                              GVariant      *parameter,
                              gpointer       user_data)
{
  SatchelWindow *self = user_data;
  SatchelApplication *app = SATCHEL_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  SatchelAccountList *accounts = app != NULL ? satchel_application_get_accounts (app) : NULL;
  g_autoptr(SatchelAccount) account = account_by_uuid (accounts,
                                                       g_variant_get_string (parameter, NULL));
  g_autofree char *body = NULL;
  AdwMessageDialog *message;
  PasswordDialog *dialog;
  GtkWidget *entry;

  if (account == NULL)
    return;

  /* Translators: the account's login name and server. */
  body = g_strdup_printf (_("The password of %s on %s."), satchel_account_get_user (account),
                          satchel_account_get_host (account));
  message = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Update Password"),
                                                        body));
  /* Not a GtkPasswordEntry: in GTK 4.8 it warns of an invalid pointer
   * when its dialog closes. */
  entry = gtk_entry_new ();
  gtk_entry_set_visibility (GTK_ENTRY (entry), FALSE);
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_PASSWORD);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Password"), -1);
  adw_message_dialog_set_extra_child (message, entry);
  adw_message_dialog_add_response (message, "cancel", _("_Cancel"));
  adw_message_dialog_add_response (message, "ok", _("_Save and Check"));
  adw_message_dialog_set_response_appearance (message, "ok", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (message, "ok");
  adw_message_dialog_set_close_response (message, "cancel");
  dialog = g_new0 (PasswordDialog, 1);
  g_set_weak_pointer (&dialog->window, self);
  dialog->account = g_steal_pointer (&account);
  dialog->entry = GTK_EDITABLE (entry);
  g_signal_connect_data (message, "response", G_CALLBACK (password_response_cb), dialog,
                         password_dialog_free, 0);
  gtk_window_present (GTK_WINDOW (message));
}

/* "Review Certificate…": the certificate the incoming server presents
 * now, to trust (pinned for its host and port, then checked again) or
 * not. */
typedef struct
{
  SatchelWindow      *window;    /* weak */
  SatchelAccount     *account;
  SatchelCertificate *certificate;
} CertificateReview;

static void
certificate_review_free (gpointer  data,
                         GClosure *closure)
{
  CertificateReview *review = data;

  g_clear_weak_pointer (&review->window);
  g_clear_object (&review->account);
  g_clear_object (&review->certificate);
  g_free (review);
}

static void
certificate_response_cb (AdwMessageDialog  *dialog,
                         const char        *response,
                         CertificateReview *review)
{
  SatchelApplication *app;
  g_autofree char *pem = NULL;
  g_autoptr(GError) error = NULL;

  if (review->window == NULL || !g_str_equal (response, "trust"))
    return;
  app = SATCHEL_APPLICATION (gtk_window_get_application (GTK_WINDOW (review->window)));
  pem = satchel_certificate_dup_pem (review->certificate);
  if (!satchel_cert_pin_save (satchel_application_get_store (app),
                              satchel_account_get_host (review->account),
                              satchel_account_get_effective_port (review->account),
                              satchel_certificate_get_sha256 (review->certificate), pem, &error))
    {
      satchel_window_add_toast (review->window, error->message);
      return;
    }
  satchel_mail_service_check (satchel_application_get_mail_service (app), review->account);
}

static void
certificate_probed_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  CertificateReview *review = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *pinned = NULL;
  SatchelApplication *app;
  AdwMessageDialog *dialog;

  review->certificate = satchel_certificate_probe_finish (result, &error);
  if (review->window == NULL || review->certificate == NULL)
    {
      if (review->window != NULL)
        satchel_window_add_toast (review->window, error->message);
      certificate_review_free (review, NULL);
      return;
    }
  app = SATCHEL_APPLICATION (gtk_window_get_application (GTK_WINDOW (review->window)));
  pinned = satchel_cert_pin_lookup (satchel_application_get_store (app),
                                    satchel_account_get_host (review->account),
                                    satchel_account_get_effective_port (review->account), NULL);
  dialog = satchel_certificate_dialog_new (GTK_WINDOW (review->window),
                                           satchel_account_get_host (review->account),
                                           satchel_account_get_effective_port (review->account),
                                           review->certificate,
                                           pinned != NULL &&
                                           !g_str_equal (pinned, satchel_certificate_get_sha256 (review->certificate)));
  g_signal_connect_data (dialog, "response", G_CALLBACK (certificate_response_cb), review,
                         certificate_review_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
review_certificate_activated_cb (GSimpleAction *action,
                                 GVariant      *parameter,
                                 gpointer       user_data)
{
  SatchelWindow *self = user_data;
  SatchelApplication *app = SATCHEL_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  SatchelAccount *account = account_by_uuid (app != NULL ? satchel_application_get_accounts (app)
                                                         : NULL,
                                             g_variant_get_string (parameter, NULL));
  CertificateReview *review;

  if (account == NULL)
    return;
  review = g_new0 (CertificateReview, 1);
  g_set_weak_pointer (&review->window, self);
  review->account = account;
  satchel_certificate_probe_async (account, SATCHEL_SECRET_INCOMING, NULL, certificate_probed_cb,
                                   review);
}

/* A right click on a folder: its menu. */
static void
sidebar_pressed_cb (GtkGestureClick *gesture,
                    int              n_press,
                    double           x,
                    double           y,
                    SatchelWindow   *self)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_y (self->accounts_box, (int) y);
  g_autoptr(GMenu) menu = NULL;
  GtkWidget *popover;

  if (row == NULL || g_object_get_data (G_OBJECT (row), "folder-id") == NULL)
    return;
  gtk_list_box_select_row (self->accounts_box, row);
  menu = g_menu_new ();
  g_menu_append (menu, _("_New Folder…"), "win.new-folder");
  g_menu_append (menu, _("Re_name Folder…"), "win.rename-folder");
  g_menu_append (menu, _("De_lete Folder…"), "win.delete-folder");
  popover = gtk_popover_menu_new_from_model (G_MENU_MODEL (menu));
  gtk_widget_set_parent (popover, GTK_WIDGET (self->accounts_box));
  gtk_popover_set_pointing_to (GTK_POPOVER (popover),
                               &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  gtk_popover_set_has_arrow (GTK_POPOVER (popover), FALSE);
  g_signal_connect (popover, "closed", G_CALLBACK (popover_closed_cb), NULL);
  gtk_popover_popup (GTK_POPOVER (popover));
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static gboolean
unparent_idle_cb (gpointer widget)
{
  gtk_widget_unparent (widget);
  return G_SOURCE_REMOVE;
}

static void
popover_closed_cb (GtkPopover *popover)
{
  /* After the activated item's action ran. */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, unparent_idle_cb, g_object_ref (popover),
                   g_object_unref);
}

static void
search_activated_cb (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  SatchelWindow *self = user_data;

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* Opens the selected conversation in the list, or closes it, also from
 * one of its messages, which gives the selection back to it. */
static void
open_conversation (SatchelWindow *self,
                   gboolean       open)
{
  GtkSelectionModel *model = gtk_list_view_get_model (self->message_view);
  g_autoptr(GtkBitset) bits = model != NULL ? gtk_selection_model_get_selection (model) : NULL;
  g_autoptr(SatchelMessageItem) item = NULL;
  guint position;

  if (bits == NULL || gtk_bitset_get_size (bits) != 1 || self->messages == NULL ||
      gtk_multi_selection_get_model (GTK_MULTI_SELECTION (model)) != G_LIST_MODEL (self->messages))
    return;
  position = gtk_bitset_get_minimum (bits);
  item = g_list_model_get_item (G_LIST_MODEL (model), position);
  if (item == NULL)
    return;
  if (open || satchel_message_item_get_depth (item) == 0)
    {
      satchel_message_list_set_expanded (self->messages, position, open);
      return;
    }
  /* From one of its others: the conversation is above. */
  while (position > 0)
    {
      g_autoptr(SatchelMessageItem) above = g_list_model_get_item (G_LIST_MODEL (model),
                                                                   --position);

      if (above != NULL && satchel_message_item_get_depth (above) == 0)
        break;
    }
  satchel_message_list_set_expanded (self->messages, position, FALSE);
  gtk_selection_model_select_item (model, position, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (self->message_view), "list.scroll-to-item", "u",
                              position);
}

static void
open_conversation_activated_cb (GSimpleAction *action,
                                GVariant      *parameter,
                                gpointer       user_data)
{
  open_conversation (user_data, TRUE);
}

static void
close_conversation_activated_cb (GSimpleAction *action,
                                 GVariant      *parameter,
                                 gpointer       user_data)
{
  open_conversation (user_data, FALSE);
}

/* In the list only: elsewhere Left and Right move in text. */
static void
add_conversation_shortcuts (SatchelWindow *self)
{
  static const struct { guint key; const char *action; } keys[] = {
    { GDK_KEY_Right, "win.open-conversation" },
    { GDK_KEY_plus, "win.open-conversation" },
    { GDK_KEY_KP_Add, "win.open-conversation" },
    { GDK_KEY_Left, "win.close-conversation" },
    { GDK_KEY_minus, "win.close-conversation" },
    { GDK_KEY_KP_Subtract, "win.close-conversation" },
  };
  GtkEventController *controller = gtk_shortcut_controller_new ();

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (keys[i].key, 0),
                                                            gtk_named_action_new (keys[i].action)));
  gtk_widget_add_controller (GTK_WIDGET (self->message_view), controller);
}

/* Writing */

/* The account new mail is written from: the one of the folder shown, or
 * the first that can send. */
static SatchelAccount *
sending_account (SatchelWindow *self)
{
  SatchelApplication *app = SATCHEL_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  GListModel *accounts = G_LIST_MODEL (satchel_application_get_accounts (app));
  SatchelAccount *shown = self->folder_id > 0 ? account_of_folder (self, self->folder_id) : NULL;
  SatchelAccount *first = NULL;

  if (shown != NULL && satchel_account_has_smtp (shown))
    return shown;
  for (guint i = 0; accounts != NULL && i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(SatchelAccount) account = g_list_model_get_item (accounts, i);

      if (first == NULL)
        first = account;
      if (satchel_account_has_smtp (account))
        return account;
    }
  return shown != NULL ? shown : first;
}

/* A reply sent: its message is answered, here and on the server. */
static void
composer_sent_cb (SatchelComposerWindow *composer,
                  gint64                 answers,
                  SatchelWindow         *self)
{
  g_autoptr(SatchelMessageRow) row = NULL;
  g_autoptr(GError) error = NULL;

  if (answers == 0 || (row = satchel_query_message (store_of (self), answers, NULL)) == NULL)
    return;
  if (!satchel_mail_change_flags (store_of (self), answers, SATCHEL_FLAG_ANSWERED, 0, &error))
    {
      report (self, error);
      return;
    }
  changed_here (self, row->folder_id);
}

static SatchelComposerWindow *
open_composer (SatchelWindow  *self,
               SatchelAccount *account,
               SatchelDraft   *draft,
               gint64          answers)
{
  SatchelApplication *app = SATCHEL_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  SatchelComposerWindow *composer;

  if (account == NULL)
    {
      g_clear_pointer (&draft, satchel_draft_free);
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (_("Add an account to write mail")));
      return NULL;
    }
  composer = satchel_composer_window_new (app, account, draft, answers);
  g_signal_connect_object (composer, "sent", G_CALLBACK (composer_sent_cb), self, 0);
  gtk_window_present (GTK_WINDOW (composer));
  return composer;
}

/**
 * satchel_window_compose:
 * @draft: (transfer full): what to start from, as a mailto: link gave it
 * @ignored: (nullable): files the link asked to attach, which are not
 *
 * Opens a composer on @draft, from the account mail is written from.
 */
void
satchel_window_compose (SatchelWindow      *self,
                        SatchelDraft       *draft,
                        const char * const *ignored)
{
  SatchelComposerWindow *composer;

  g_return_if_fail (SATCHEL_IS_WINDOW (self));

  composer = open_composer (self, sending_account (self), draft, 0);
  if (composer != NULL && ignored != NULL && ignored[0] != NULL)
    {
      g_autofree char *files = g_strjoinv (", ", (char **) ignored);
      g_autofree char *message = NULL;

      /* Translators: files a link asked to attach. */
      message = g_strdup_printf (_("Not attached: %s. Links cannot attach files."), files);
      satchel_composer_window_add_toast (composer, message);
    }
}

static void
compose_activated_cb (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  SatchelWindow *self = user_data;

  open_composer (self, sending_account (self), NULL, 0);
}

/* A reply or a forward of @row, whose body is here. */
static void
answer (SatchelWindow           *self,
        const SatchelMessageRow *row,
        const char              *how)
{
  SatchelAccount *account = account_of_folder (self, row->folder_id);
  g_autoptr(GBytes) raw = satchel_store_get_body (store_of (self), row->id, NULL);
  g_autoptr(GMimeMessage) original = raw != NULL ? satchel_mime_parse (raw) : NULL;
  SatchelDraft *draft;

  if (original == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (_("This message cannot be read to answer it")));
      return;
    }
  draft = satchel_draft_new ();
  if (g_str_equal (how, "forward"))
    satchel_draft_forward (draft, original, FALSE);
  else
    satchel_draft_reply (draft, original, g_str_equal (how, "reply-all"),
                         account != NULL ? satchel_account_get_email (account) : NULL);
  /* An account that cannot send still has its address; another sends. */
  if (account == NULL || !satchel_account_has_smtp (account))
    account = sending_account (self);
  open_composer (self, account, draft, g_str_equal (how, "forward") ? 0 : row->id);
}

/* The message shown, answered as @how says; when its body is still on
 * its way, once it is here. */
static void
answer_shown (SatchelWindow *self,
              const char    *how)
{
  g_autoptr(GBytes) raw = NULL;

  if (self->reading == NULL)
    return;
  raw = satchel_store_get_body (store_of (self), self->reading->id, NULL);
  if (raw == NULL)
    {
      self->waiting_reply = self->reading->id;
      g_free (self->waiting_how);
      self->waiting_how = g_strdup (how);
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (_("Downloading the message to answer it…")));
      return;
    }
  answer (self, self->reading, how);
}

/* A body came: the answer that waited for it opens. */
static void
answer_waiting (SatchelWindow *self)
{
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(SatchelMessageRow) row = NULL;
  g_autofree char *how = NULL;

  if (self->waiting_reply == 0 ||
      (raw = satchel_store_get_body (store_of (self), self->waiting_reply, NULL)) == NULL)
    return;
  row = satchel_query_message (store_of (self), self->waiting_reply, NULL);
  how = g_steal_pointer (&self->waiting_how);
  self->waiting_reply = 0;
  if (row != NULL)
    answer (self, row, how);
}

static void
answer_activated_cb (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  answer_shown (user_data, g_action_get_name (G_ACTION (action)));
}

static void
update_answer_actions (SatchelWindow *self)
{
  const char *names[] = { "reply", "reply-all", "forward" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), names[i]);

      if (action != NULL)
        g_simple_action_set_enabled (G_SIMPLE_ACTION (action), self->reading != NULL);
    }
}

static const GActionEntry win_actions[] = {
  { "search", search_activated_cb },
  { "compose", compose_activated_cb },
  { "reply", answer_activated_cb },
  { "reply-all", answer_activated_cb },
  { "forward", answer_activated_cb },
  { "mark-read", mark_read_activated_cb },
  { "mark-unread", mark_unread_activated_cb },
  { "star", star_activated_cb },
  { "unstar", unstar_activated_cb },
  { "delete", delete_activated_cb },
  { "archive", archive_activated_cb },
  { "junk", junk_activated_cb },
  { "move", move_activated_cb },
  { "new-folder", new_folder_activated_cb },
  { "rename-folder", rename_folder_activated_cb },
  { "delete-folder", delete_folder_activated_cb },
  { "update-password", update_password_activated_cb, "s" },
  { "review-certificate", review_certificate_activated_cb, "s" },
  { "open-conversation", open_conversation_activated_cb },
  { "close-conversation", close_conversation_activated_cb },
};

static gboolean
reselect_cb (gpointer user_data)
{
  SatchelWindow *self = user_data;
  GtkSelectionModel *selection = gtk_list_view_get_model (self->message_view);

  self->reselect_id = 0;
  if (selection != NULL)
    selection_changed_cb (selection, 0, 0, self);
  return G_SOURCE_REMOVE;
}

/* Rows gone from the list (a message moved, deleted, or gone from the
 * server) leave the selection without a word from it: what is selected,
 * shown and acted on is read again, once the list has taken the change. */
static void
shown_items_changed_cb (GtkSelectionModel *selection,
                        guint              position,
                        guint              removed,
                        guint              added,
                        SatchelWindow     *self)
{
  if (removed > 0 && self->reselect_id == 0)
    self->reselect_id = g_idle_add (reselect_cb, self);
}

/* Shows @model in the list, or @empty when it has nothing: the folder's
 * conversations or the results of a search. */
static void
show_model (SatchelWindow *self,
            GListModel    *model,
            const char    *empty)
{
  g_autoptr(GtkMultiSelection) selection = gtk_multi_selection_new (g_object_ref (model));

  g_ptr_array_set_size (self->selected, 0);
  g_signal_connect_object (selection, "selection-changed", G_CALLBACK (selection_changed_cb), self,
                           0);
  g_signal_connect_object (selection, "items-changed", G_CALLBACK (shown_items_changed_cb), self,
                           0);
  gtk_list_view_set_model (self->message_view, GTK_SELECTION_MODEL (selection));
  self->shown_id = 0;
  show_message (self, NULL);
  update_actions (self);
  adw_status_page_set_title (self->list_status, empty);
  gtk_stack_set_visible_child_name (self->list_stack,
                                    g_list_model_get_n_items (model) > 0 ? "list" : "empty");
}

/* What the store cannot find (words in bodies not cached), IMAP servers
 * may: their searches run beside, and what they find joins the results. */
static void
search_servers (SatchelWindow *self,
                const char    *query,
                gint64         folder_id)
{
  SatchelApplication *app = SATCHEL_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  SatchelAccountList *accounts = app != NULL ? satchel_application_get_accounts (app) : NULL;
  SatchelMailService *service = service_of (self);
  SatchelAccount *only = folder_id != 0 ? account_of_folder (self, folder_id) : NULL;

  if (service == NULL || accounts == NULL)
    return;
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (accounts)); i++)
    {
      g_autoptr(SatchelAccount) account = g_list_model_get_item (G_LIST_MODEL (accounts), i);

      if (only == NULL || only == account)
        satchel_mail_service_search_server (service, account, only != NULL ? folder_id : 0,
                                            query);
    }
}

static void
server_search_done_cb (SatchelWindow  *self,
                       SatchelAccount *account,
                       const char     *query,
                       GArray         *found)
{
  gboolean attachments_only;

  if (self->results == NULL || g_strcmp0 (query, self->searched) != 0 ||
      !gtk_search_bar_get_search_mode (self->search_bar))
    return;
  /* has:attachment is the store's to answer. */
  attachments_only = strstr (query, "has:attachment") != NULL;
  for (guint i = 0; i < found->len; i++)
    {
      gint64 id = g_array_index (found, gint64, i);
      SatchelMessageRow *row;

      if (g_hash_table_contains (self->result_ids, &id) ||
          (row = satchel_query_message (store_of (self), id, NULL)) == NULL)
        continue;
      if (attachments_only && !row->has_attachments)
        {
          satchel_message_row_free (row);
          continue;
        }
      g_hash_table_add (self->result_ids, g_memdup2 (&id, sizeof id));
      {
        g_autoptr(SatchelMessageItem) item = satchel_message_item_new (row);

        g_list_store_append (self->results, item);
      }
    }
  if (g_list_model_get_n_items (G_LIST_MODEL (self->results)) > 0)
    gtk_stack_set_visible_child_name (self->list_stack, "list");
}

/* The folder the search bar searches, or 0 for all. */
static gint64
searched_folder (SatchelWindow *self)
{
  return gtk_check_button_get_active (self->search_all) ||
         self->folder_id == SATCHEL_ALL_INBOXES ? 0 : self->folder_id;
}

/* Search: the words and operators of the entry, in the folder shown or
 * in all of them (satchel-search.c). */
static void
run_search (SatchelWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autoptr(GListStore) results = g_list_store_new (SATCHEL_TYPE_MESSAGE_ITEM);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;

  if (store_of (self) == NULL)
    return;
  if (text[0] == '\0')
    {
      if (self->messages != NULL)
        show_model (self, G_LIST_MODEL (self->messages), _("No Messages"));
      return;
    }
  rows = satchel_query_search (store_of (self), text, 0, searched_folder (self), SEARCH_LIMIT,
                               &error);
  if (rows == NULL)
    {
      report (self, error);
      return;
    }
  g_hash_table_remove_all (self->result_ids);
  for (guint i = 0; i < rows->len; i++)
    {
      g_autoptr(SatchelMessageItem) item = satchel_message_item_new (g_ptr_array_steal_index (rows, i--));

      g_hash_table_add (self->result_ids, g_memdup2 (&satchel_message_item_get_row (item)->id,
                                                     sizeof (gint64)));
      g_list_store_append (results, item);
    }
  show_model (self, G_LIST_MODEL (results), _("No Results"));
  g_set_object (&self->results, results);
  g_free (self->searched);
  self->searched = g_strdup (text);
  search_servers (self, text, searched_folder (self));
}

/* Where @row goes among the results, newest first. */
static guint
result_position (GListModel              *results,
                 const SatchelMessageRow *row)
{
  guint n = g_list_model_get_n_items (results);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SatchelMessageItem) item = g_list_model_get_item (results, i);
      const SatchelMessageRow *other = satchel_message_item_get_row (item);

      if (other->date < row->date || (other->date == row->date && other->id < row->id))
        return i;
    }
  return n;
}

/* The results shown follow the store, as a folder's list does: each
 * takes its flags in place, and stays selected; one that left its folder
 * (moved, deleted, or gone from the server) leaves them, and does not
 * come back; new mail that matches joins them at its place. Whether a
 * message matches is asked of new ones only: one read among the results
 * of "is:unread" stays until the next search. */
static void
refresh_results (SatchelWindow *self)
{
  GListModel *results = G_LIST_MODEL (self->results);
  g_autoptr(GPtrArray) rows = NULL;

  if (store_of (self) == NULL || self->searched == NULL)
    return;
  for (guint i = g_list_model_get_n_items (results); i-- > 0;)
    {
      g_autoptr(SatchelMessageItem) item = g_list_model_get_item (results, i);
      const SatchelMessageRow *held = satchel_message_item_get_row (item);
      SatchelMessageRow *row = satchel_query_message (store_of (self), held->id, NULL);

      if (row != NULL && row->folder_id == held->folder_id)
        satchel_message_item_set_row (item, row);
      else
        {
          g_clear_pointer (&row, satchel_message_row_free);
          g_list_store_remove (self->results, i);
        }
    }
  rows = satchel_query_search (store_of (self), self->searched, 0, searched_folder (self),
                               SEARCH_LIMIT, NULL);
  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      SatchelMessageRow *row = g_ptr_array_index (rows, i);
      g_autoptr(SatchelMessageItem) item = NULL;

      if (g_hash_table_contains (self->result_ids, &row->id))
        continue;
      g_hash_table_add (self->result_ids, g_memdup2 (&row->id, sizeof row->id));
      item = satchel_message_item_new (g_ptr_array_steal_index (rows, i--));
      g_list_store_insert (self->results,
                           result_position (results, satchel_message_item_get_row (item)), item);
    }
  gtk_stack_set_visible_child_name (self->list_stack,
                                    g_list_model_get_n_items (results) > 0 ? "list" : "empty");
}

static void
search_changed_cb (SatchelWindow *self)
{
  run_search (self);
}

static void
search_mode_cb (SatchelWindow *self)
{
  /* Closed: the folder again. */
  if (!gtk_search_bar_get_search_mode (self->search_bar))
    {
      g_clear_object (&self->results);
      g_clear_pointer (&self->searched, g_free);
      if (self->messages != NULL)
        show_model (self, G_LIST_MODEL (self->messages), _("No Messages"));
    }
}

static void
folder_selected_cb (GtkListBox    *box,
                    GtkListBoxRow *row,
                    SatchelWindow *self)
{
  gint64 *folder_id = row != NULL ? g_object_get_data (G_OBJECT (row), "folder-id") : NULL;
  SatchelStore *store = store_of (self);

  if (self->rebuilding)
    return;
  /* A narrow window: the folder's messages take the width. */
  if (adw_flap_get_folded (self->flap))
    adw_flap_set_reveal_flap (self->flap, FALSE);
  adw_leaflet_set_visible_child_name (self->leaflet, "list");
  self->folder_id = folder_id != NULL ? *folder_id : 0;
  self->shown_id = 0;
  update_folder_actions (self);
  g_clear_handle_id (&self->mark_read_id, g_source_remove);

  show_message (self, NULL);
  g_clear_object (&self->messages);
  if (folder_id == NULL || store == NULL)
    {
      gtk_list_view_set_model (self->message_view, NULL);
      adw_status_page_set_title (self->list_status, _("No Folder Selected"));
      gtk_stack_set_visible_child_name (self->list_stack, "empty");
      return;
    }
  self->messages = satchel_message_list_new (store, *folder_id);
  if (gtk_search_bar_get_search_mode (self->search_bar) &&
      gtk_editable_get_text (GTK_EDITABLE (self->search_entry))[0] != '\0')
    run_search (self);
  else
    show_model (self, G_LIST_MODEL (self->messages), _("No Messages"));
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
  rebuild_sidebar (self);
  update_page (self);
}

static void
service_state_changed_cb (SatchelWindow  *self,
                          SatchelAccount *account)
{
  update_account_row (self, account);
}

/* Whether the list shows search results, not the folder. */
static gboolean
showing_results (SatchelWindow *self)
{
  GtkSelectionModel *shown = gtk_list_view_get_model (self->message_view);

  return self->results != NULL && shown != NULL &&
         gtk_multi_selection_get_model (GTK_MULTI_SELECTION (shown)) ==
         G_LIST_MODEL (self->results);
}

/* A sync brought mail or flags: the views take them, and what is
 * selected stays selected. */
static void
service_changed_cb (SatchelWindow  *self,
                    SatchelAccount *account)
{
  g_autoptr(GBytes) body = NULL;

  /* The body asked for came (or the check that would bring it ended). */
  if (self->reading != NULL && self->waiting_body == self->reading->id)
    {
      body = satchel_store_get_body (store_of (self), self->waiting_body, NULL);
      if (body != NULL)
        {
          self->waiting_body = 0;
          show_message (self, self->reading);
        }
    }
  answer_waiting (self);
  /* Search results shown: they follow, and so does the folder behind
   * them, for when the search closes. */
  if (showing_results (self))
    {
      refresh_results (self);
      if (self->messages != NULL)
        satchel_message_list_reload (self->messages, NULL);
    }
  else if (self->messages != NULL)
    {
      GtkAdjustment *scroll = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->message_view));
      gboolean at_top = scroll == NULL || gtk_adjustment_get_value (scroll) <= 0;

      satchel_message_list_reload (self->messages, NULL);
      /* The list stays on the row it showed; at the top, new mail shows. */
      if (at_top && g_list_model_get_n_items (G_LIST_MODEL (self->messages)) > 0)
        gtk_widget_activate_action (GTK_WIDGET (self->message_view), "list.scroll-to-item", "u", 0);
      gtk_stack_set_visible_child_name (self->list_stack,
                                        g_list_model_get_n_items (G_LIST_MODEL (self->messages)) > 0
                                        ? "list" : "empty");
    }
  rebuild_sidebar (self);
  refresh_reading (self);
  update_actions (self);
}

static void
bind_accounts (SatchelWindow *self)
{
  SatchelApplication *app = SATCHEL_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  SatchelAccountList *accounts = app != NULL ? satchel_application_get_accounts (app) : NULL;

  g_signal_group_set_target (self->service_signals,
                             app != NULL ? satchel_application_get_mail_service (app) : NULL);
  g_signal_group_set_target (self->accounts_signals, accounts);
  rebuild_sidebar (self);
  update_page (self);
}

/* Narrow windows: the folders fold into a flap the header bar opens, and
 * the list and the message take the width in turn, with a back button. */
static void
update_narrow (SatchelWindow *self)
{
  gboolean reading = g_strcmp0 (adw_leaflet_get_visible_child_name (self->leaflet), "reader") == 0;

  gtk_widget_set_visible (GTK_WIDGET (self->back_button),
                          adw_leaflet_get_folded (self->leaflet) && reading);
  gtk_widget_set_visible (GTK_WIDGET (self->flap_button),
                          adw_flap_get_folded (self->flap) &&
                          !(adw_leaflet_get_folded (self->leaflet) && reading));
  /* The header bar holds less: the message menu has it all, F5 checks. */
  gtk_widget_set_visible (self->check_button, !adw_leaflet_get_folded (self->leaflet));
  gtk_widget_set_visible (self->compose_button, !adw_leaflet_get_folded (self->leaflet));
  gtk_widget_set_visible (self->reply_button, !adw_leaflet_get_folded (self->leaflet));
  gtk_widget_set_visible (self->reply_all_button, !adw_leaflet_get_folded (self->leaflet));
  gtk_widget_set_visible (self->forward_button, !adw_leaflet_get_folded (self->leaflet));
  gtk_widget_set_visible (self->delete_button, !adw_leaflet_get_folded (self->leaflet));
  gtk_widget_set_visible (self->star_button, !adw_leaflet_get_folded (self->leaflet));
  gtk_widget_set_visible (GTK_WIDGET (self->move_button), !adw_leaflet_get_folded (self->leaflet));
}

/* Folding happens while the window lays itself out: the header bar
 * changes after that. */
static gboolean
update_narrow_idle_cb (gpointer user_data)
{
  SatchelWindow *self = user_data;

  self->narrow_id = 0;
  update_narrow (self);
  return G_SOURCE_REMOVE;
}

static void
folding_cb (SatchelWindow *self)
{
  if (self->narrow_id == 0)
    self->narrow_id = g_idle_add (update_narrow_idle_cb, self);
}

static void
back_clicked_cb (SatchelWindow *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
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

  /* Its rows go with it: nothing is shown any more. */
  if (self->accounts_box != NULL)
    g_signal_handlers_disconnect_by_func (self->accounts_box, folder_selected_cb, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), SATCHEL_TYPE_WINDOW);
  g_clear_handle_id (&self->mark_read_id, g_source_remove);
  g_clear_handle_id (&self->reselect_id, g_source_remove);
  g_clear_handle_id (&self->narrow_id, g_source_remove);
  g_clear_object (&self->accounts_signals);
  g_clear_object (&self->show_account);
  g_clear_object (&self->service_signals);
  g_clear_pointer (&self->account_rows, g_hash_table_unref);
  g_clear_pointer (&self->selected, g_ptr_array_unref);
  g_clear_object (&self->results);
  g_clear_pointer (&self->result_ids, g_hash_table_unref);
  g_clear_pointer (&self->searched, g_free);
  g_clear_pointer (&self->waiting_how, g_free);
  g_clear_object (&self->message_menu);
  g_clear_pointer (&self->thread, g_ptr_array_unref);
  g_clear_pointer (&self->reading, satchel_message_row_free);
  g_clear_object (&self->settings);
  g_clear_object (&self->messages);

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

  g_type_ensure (SATCHEL_TYPE_MESSAGE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/satchelmail/Satchel/satchel-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, accounts_box);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, list_status);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, message_view);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, reader);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, reader_stack);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, conversation);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, conversation_list);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, reader_status);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, search_all);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, move_button);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, message_menu_button);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, flap_button);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, check_button);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, compose_button);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, reply_button);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, reply_all_button);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, forward_button);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, delete_button);
  gtk_widget_class_bind_template_child (widget_class, SatchelWindow, star_button);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "win.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, 0, "win.archive", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK,
                                       "win.mark-read", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_u, GDK_CONTROL_MASK,
                                       "win.mark-unread", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, 0, "win.star", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_v, 0, "win.move", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_j, 0, "win.junk", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.compose",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.reply",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.reply-all", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "win.forward",
                                       NULL);
}

/* SATCHEL_EXIT_AFTER_FIRST_FRAME=1 (bench/ui): once the first frame is
 * painted, print the peak memory so far and quit. */
static void
first_frame_cb (GdkFrameClock *clock,
                SatchelWindow *self)
{
  g_autofree char *status = NULL;
  const char *peak;

  g_signal_handlers_disconnect_by_func (clock, first_frame_cb, self);
  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL) &&
      (peak = strstr (status, "VmHWM:")) != NULL)
    g_print ("first frame: peak RSS %" G_GINT64_FORMAT " kB\n",
             g_ascii_strtoll (peak + strlen ("VmHWM:"), NULL, 10));
  g_application_quit (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))));
}

static void
realize_cb (SatchelWindow *self)
{
  if (g_strcmp0 (g_getenv ("SATCHEL_EXIT_AFTER_FIRST_FRAME"), "1") == 0)
    g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (self)), "after-paint",
                      G_CALLBACK (first_frame_cb), self);
}

static void
satchel_window_init (SatchelWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  {
    g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

    g_signal_connect (factory, "setup", G_CALLBACK (setup_message_cb), NULL);
    g_signal_connect (factory, "bind", G_CALLBACK (bind_message_cb), NULL);
    g_signal_connect (factory, "unbind", G_CALLBACK (unbind_message_cb), NULL);
    gtk_list_view_set_factory (self->message_view, factory);
  }
  add_conversation_shortcuts (self);
  g_signal_connect (self->accounts_box, "row-selected", G_CALLBACK (folder_selected_cb), self);
  {
    GtkGesture *click = gtk_gesture_click_new ();

    gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
    g_signal_connect (click, "pressed", G_CALLBACK (sidebar_pressed_cb), self);
    gtk_widget_add_controller (GTK_WIDGET (self->accounts_box), GTK_EVENT_CONTROLLER (click));
  }
  self->message_menu = new_message_menu ();
  gtk_menu_button_set_menu_model (self->message_menu_button, G_MENU_MODEL (self->message_menu));
  self->move_popover = SATCHEL_MOVE_POPOVER (satchel_move_popover_new ());
  gtk_menu_button_set_popover (self->move_button, GTK_WIDGET (self->move_popover));
  g_signal_connect_swapped (self->move_popover, "show", G_CALLBACK (fill_move_popover), self);
  g_signal_connect (self->move_popover, "folder-chosen", G_CALLBACK (move_chosen_cb), self);
  g_signal_connect (self->conversation_list, "row-activated",
                    G_CALLBACK (conversation_row_activated_cb), self);
  g_signal_connect (self->reader, "star-toggled", G_CALLBACK (reader_star_toggled_cb), self);
  g_signal_connect (self->reader, "remote-content-allowed",
                    G_CALLBACK (remote_content_allowed_cb), self);
  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (search_changed_cb),
                            self);
  g_signal_connect_swapped (self->search_all, "toggled", G_CALLBACK (search_changed_cb), self);
  g_signal_connect_swapped (self->search_bar, "notify::search-mode-enabled",
                            G_CALLBACK (search_mode_cb), self);
  g_object_bind_property (self->search_button, "active", self->search_bar, "search-mode-enabled",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));

  g_signal_connect (self, "realize", G_CALLBACK (realize_cb), NULL);

  /* "application" is set after construction, and may change. */
  g_signal_connect (self, "notify::application", G_CALLBACK (notify_application_cb), NULL);

  self->account_rows = g_hash_table_new (NULL, NULL);
  self->selected = g_ptr_array_new_with_free_func (g_object_unref);
  self->result_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions, G_N_ELEMENTS (win_actions),
                                   self);
  update_folder_actions (self);
  update_answer_actions (self);
  g_object_bind_property (g_action_map_lookup_action (G_ACTION_MAP (self), "move"), "enabled",
                          self->move_button, "sensitive", G_BINDING_SYNC_CREATE);
  update_actions (self);
  self->service_signals = g_signal_group_new (SATCHEL_TYPE_MAIL_SERVICE);
  g_signal_group_connect_object (self->service_signals, "state-changed",
                                 G_CALLBACK (service_state_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->service_signals, "changed",
                                 G_CALLBACK (service_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->service_signals, "server-search-done",
                                 G_CALLBACK (server_search_done_cb), self, G_CONNECT_SWAPPED);
  g_object_bind_property (self->flap, "reveal-flap", self->flap_button, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect_swapped (self->flap, "notify::folded", G_CALLBACK (folding_cb), self);
  g_signal_connect_swapped (self->leaflet, "notify::folded", G_CALLBACK (folding_cb), self);
  g_signal_connect_swapped (self->leaflet, "notify::visible-child", G_CALLBACK (folding_cb),
                            self);
  g_signal_connect_swapped (self->back_button, "clicked", G_CALLBACK (back_clicked_cb), self);
  update_narrow (self);
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

/**
 * satchel_window_show_folder:
 * @folder_id: a folder of the store
 *
 * Shows the folder's messages, as when the user picks it in the sidebar.
 *
 * Returns: whether the sidebar has that folder
 */
/**
 * satchel_window_show_account:
 * @account: an account just added
 *
 * Opens the Inbox of @account, now or once its first check has found it.
 */
void
satchel_window_show_account (SatchelWindow  *self,
                             SatchelAccount *account)
{
  g_return_if_fail (SATCHEL_IS_WINDOW (self));

  g_set_object (&self->show_account, account);
  rebuild_sidebar (self);
}

/**
 * satchel_window_show_message:
 *
 * Opens @folder_id and in it @message_id, when it is among the newest
 * messages (as new mail is).
 */
void
satchel_window_show_message (SatchelWindow *self,
                             gint64         folder_id,
                             gint64         message_id)
{
  GtkSelectionModel *selection;
  guint n;

  g_return_if_fail (SATCHEL_IS_WINDOW (self));

  if (self->folder_id != folder_id && !satchel_window_show_folder (self, folder_id))
    return;
  selection = gtk_list_view_get_model (self->message_view);
  if (selection == NULL)
    return;
  n = MIN (g_list_model_get_n_items (G_LIST_MODEL (selection)), 500);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (selection), i);

      if (SATCHEL_IS_MESSAGE_ITEM (item) &&
          satchel_message_item_get_row (SATCHEL_MESSAGE_ITEM (item)) != NULL &&
          satchel_message_item_get_row (SATCHEL_MESSAGE_ITEM (item))->id == message_id)
        {
          gtk_selection_model_select_item (selection, i, TRUE);
          return;
        }
    }
}

/**
 * satchel_window_mark_read:
 *
 * Marks @message_id read, here and (soon) on its server, as the window's
 * own action does: for a notification's "Mark as Read".
 */
void
satchel_window_mark_read (SatchelWindow *self,
                          gint64         message_id)
{
  g_autoptr(SatchelMessageRow) row = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (SATCHEL_IS_WINDOW (self));

  row = store_of (self) != NULL ? satchel_query_message (store_of (self), message_id, NULL) : NULL;
  if (row == NULL)
    return;
  if (!satchel_mail_change_flags (store_of (self), message_id, SATCHEL_FLAG_SEEN, 0, &error))
    {
      report (self, error);
      return;
    }
  changed_here (self, row->folder_id);
}

/**
 * satchel_window_get_folder:
 *
 * Returns: the folder shown, or 0
 */
gint64
satchel_window_get_folder (SatchelWindow *self)
{
  g_return_val_if_fail (SATCHEL_IS_WINDOW (self), 0);
  return self->folder_id;
}

gboolean
satchel_window_show_folder (SatchelWindow *self,
                            gint64         folder_id)
{
  g_return_val_if_fail (SATCHEL_IS_WINDOW (self), FALSE);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->accounts_box));
       row != NULL; row = gtk_widget_get_next_sibling (row))
    {
      gint64 *id = g_object_get_data (G_OBJECT (row), "folder-id");

      if (id != NULL && *id == folder_id)
        {
          gtk_list_box_select_row (self->accounts_box, GTK_LIST_BOX_ROW (row));
          return TRUE;
        }
    }
  return FALSE;
}
