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
  GtkTextView     *reader;
  GtkStack        *reader_stack;

  /* Owned */
  GSettings       *settings;
  GSignalGroup    *accounts_signals;
  SatchelMessageList *messages;
};

G_DEFINE_FINAL_TYPE (SatchelWindow, satchel_window, ADW_TYPE_APPLICATION_WINDOW)

static const char *
kind_name (SatchelAccountKind kind)
{
  return kind == SATCHEL_ACCOUNT_KIND_POP3 ? "POP3" : "IMAP";
}

static GtkWidget *
account_row (SatchelAccount *account)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *subtitle = NULL;

  /* Translators: an account's address and its kind (IMAP or POP3). */
  subtitle = g_strdup_printf (_("%s · %s"), satchel_account_get_email (account),
                              kind_name (satchel_account_get_kind (account)));
  g_object_bind_property (account, "label", row, "title", G_BINDING_SYNC_CREATE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
  return row;
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

static GtkWidget *
folder_row (const SatchelFolderRow *folder)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *label = gtk_label_new (role_title (folder->role, folder->name));

  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name (role_icon (folder->role)));
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

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->accounts_box))) != NULL)
    gtk_list_box_remove (self->accounts_box, child);
  if (accounts == NULL || store == NULL)
    return;
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (accounts)); i++)
    {
      g_autoptr(SatchelAccount) account = g_list_model_get_item (G_LIST_MODEL (accounts), i);
      g_autoptr(GPtrArray) folders = NULL;
      g_autoptr(GError) error = NULL;

      gtk_list_box_append (self->accounts_box, account_row (account));
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
          GtkWidget *row = folder_row (g_ptr_array_index (folders, f));

          gtk_list_box_append (self->accounts_box, row);
          /* The first account's Inbox opens with the window. */
          if (gtk_list_box_get_selected_row (self->accounts_box) == NULL &&
              ((SatchelFolderRow *) g_ptr_array_index (folders, f))->role ==
              SATCHEL_FOLDER_ROLE_INBOX)
            gtk_list_box_select_row (self->accounts_box, GTK_LIST_BOX_ROW (row));
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
    return g_date_time_format (date, "%e %b");
  return g_date_time_format (date, "%e %b %Y");
}

/* "Ada Lovelace <ada@example.org>, ..." as a list shows it: the first
 * sender's name, or its address when it has none. */
static char *
display_sender (const char *from)
{
  const char *angle;

  if (from == NULL || from[0] == '\0')
    return g_strdup (_("(no sender)"));
  angle = strstr (from, " <");
  if (angle != NULL && angle > from)
    return g_strndup (from, angle - from);
  return g_strdup (from);
}

static GtkWidget *
line_label (const char *css_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static void
setup_message_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *sender = line_label (NULL);
  GtkWidget *date = line_label ("dim-label");

  gtk_widget_set_hexpand (sender, TRUE);
  gtk_box_append (GTK_BOX (top), sender);
  gtk_box_append (GTK_BOX (top), date);
  gtk_box_append (GTK_BOX (box), top);
  gtk_box_append (GTK_BOX (box), line_label (NULL));
  gtk_box_append (GTK_BOX (box), line_label ("dim-label"));
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_list_item_set_child (item, box);
}

static void
bind_message_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  SatchelMessageItem *message = gtk_list_item_get_item (item);
  const SatchelMessageRow *row = message != NULL ? satchel_message_item_get_row (message) : NULL;
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *top = gtk_widget_get_first_child (box);
  GtkWidget *sender = gtk_widget_get_first_child (top);
  GtkWidget *date = gtk_widget_get_next_sibling (sender);
  GtkWidget *subject = gtk_widget_get_next_sibling (top);
  GtkWidget *preview = gtk_widget_get_next_sibling (subject);
  g_autofree char *when = NULL;
  gboolean unread;

  if (row == NULL)
    return;
  unread = !(row->flags & SATCHEL_FLAG_SEEN);
  when = short_date (row->date);
  {
    g_autofree char *name = display_sender (row->from);
    g_autoptr(PangoAttrList) attributes = pango_attr_list_new ();

    /* Unread mail: the sender in bold. */
    if (unread)
      pango_attr_list_insert (attributes, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
    gtk_label_set_attributes (GTK_LABEL (sender), attributes);
    gtk_label_set_text (GTK_LABEL (sender), name);
    gtk_widget_set_tooltip_text (sender, row->from);
  }
  gtk_label_set_text (GTK_LABEL (date), when);
  gtk_label_set_text (GTK_LABEL (subject), row->subject != NULL && row->subject[0] != '\0'
                                           ? row->subject : _("(no subject)"));
  gtk_label_set_text (GTK_LABEL (preview), row->preview != NULL ? row->preview : "");
  gtk_widget_set_visible (preview, row->preview != NULL && row->preview[0] != '\0');
}

/* The reader: the header block, then the text (the formatted view comes
 * with the HTML reader). */
static void
show_message (SatchelWindow           *self,
              const SatchelMessageRow *row)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->reader);
  g_autoptr(GBytes) raw = NULL;
  g_autofree char *text = NULL;
  g_autofree char *date = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GDateTime) when = NULL;
  GtkTextIter end;

  gtk_text_buffer_set_text (buffer, "", 0);
  gtk_stack_set_visible_child_name (self->reader_stack, row != NULL ? "message" : "empty");
  if (row == NULL)
    return;
  raw = satchel_store_get_body (store_of (self), row->id, NULL);
  if (raw != NULL)
    {
      g_autoptr(GMimeMessage) message = satchel_mime_parse (raw);

      if (message != NULL)
        text = satchel_mime_get_text (message, 4 * 1024 * 1024);
    }
  when = g_date_time_new_from_unix_local (row->date);
  date = when != NULL ? g_date_time_format (when, "%c") : g_strdup ("");

  gtk_text_buffer_get_end_iter (buffer, &end);
  {
    g_autofree char *title = g_markup_printf_escaped ("<span size=\"x-large\" weight=\"bold\">"
                                                      "%s</span>\n\n",
                                                      row->subject != NULL ? row->subject : "");

    gtk_text_buffer_insert_markup (buffer, &end, title, -1);
  }
  g_string_printf (out, _("From: %s\nTo: %s\n"), row->from != NULL ? row->from : "",
                   row->to != NULL ? row->to : "");
  if (row->cc != NULL && row->cc[0] != '\0')
    g_string_append_printf (out, _("Cc: %s\n"), row->cc);
  g_string_append_printf (out, _("Date: %s\n\n"), date);
  gtk_text_buffer_insert (buffer, &end, out->str, -1);
  if (text != NULL)
    gtk_text_buffer_insert (buffer, &end, text, -1);
  else
    {
      if (row->preview != NULL)
        gtk_text_buffer_insert (buffer, &end, row->preview, -1);
      gtk_text_buffer_insert (buffer, &end,
                              _("\n\nThe message is not downloaded yet; it is when Satchel syncs "
                                "its body."), -1);
    }
}

static void
selection_changed_cb (GtkSelectionModel *selection,
                      guint              position,
                      guint              n_items,
                      SatchelWindow     *self)
{
  SatchelMessageItem *item = gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (selection));

  show_message (self, item != NULL ? satchel_message_item_get_row (item) : NULL);
}

static void
folder_selected_cb (GtkListBox    *box,
                    GtkListBoxRow *row,
                    SatchelWindow *self)
{
  gint64 *folder_id = row != NULL ? g_object_get_data (G_OBJECT (row), "folder-id") : NULL;
  g_autoptr(GtkSingleSelection) selection = NULL;
  SatchelStore *store = store_of (self);

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
  selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->messages)));
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  gtk_single_selection_set_selected (selection, GTK_INVALID_LIST_POSITION);
  g_signal_connect_object (selection, "selection-changed", G_CALLBACK (selection_changed_cb), self,
                           0);
  gtk_list_view_set_model (self->message_view, GTK_SELECTION_MODEL (selection));
  if (g_list_model_get_n_items (G_LIST_MODEL (self->messages)) == 0)
    {
      adw_status_page_set_title (self->list_status, _("No Messages"));
      gtk_stack_set_visible_child_name (self->list_stack, "empty");
    }
  else
    gtk_stack_set_visible_child_name (self->list_stack, "list");
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
bind_accounts (SatchelWindow *self)
{
  SatchelApplication *app = SATCHEL_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  SatchelAccountList *accounts = app != NULL ? satchel_application_get_accounts (app) : NULL;

  g_signal_group_set_target (self->accounts_signals, accounts);
  rebuild_sidebar (self);
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

  /* Its rows go with it: nothing is shown any more. */
  if (self->accounts_box != NULL)
    g_signal_handlers_disconnect_by_func (self->accounts_box, folder_selected_cb, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), SATCHEL_TYPE_WINDOW);
  g_clear_object (&self->accounts_signals);
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

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
}

static void
satchel_window_init (SatchelWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  {
    g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

    g_signal_connect (factory, "setup", G_CALLBACK (setup_message_cb), NULL);
    g_signal_connect (factory, "bind", G_CALLBACK (bind_message_cb), NULL);
    gtk_list_view_set_factory (self->message_view, factory);
  }
  g_signal_connect (self->accounts_box, "row-selected", G_CALLBACK (folder_selected_cb), self);

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
