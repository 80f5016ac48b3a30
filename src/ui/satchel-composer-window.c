/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-composer-window.c: writing a message
 *
 * Copyright 2026 The Satchel authors
 *
 * A window of its own, as in Geary and Evolution: From (any account),
 * To, Cc and Bcc with completion from the addresses mail went to or came
 * from, Subject, the text (with the account's signature, and the quote
 * of a reply or the forwarded text below), and attachments, chosen or
 * dropped on the window. The mail service builds and sends it, or keeps
 * it as a draft: every 30 seconds while it changes, and when the window
 * closes unsent. Discarding asks first when there is something to lose.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "satchel-composer-window.h"
#include "satchel-window.h"

#define AUTOSAVE_SECONDS  30
#define CONTACTS_MAX      2000
/* Most servers refuse larger messages (Gmail, Outlook.com: 25 MB); the
 * attachments grow by a third on the way. */
#define LARGE_MESSAGE     (25 * 1000 * 1000)

enum { CONTACT_SHOWN, CONTACT_NAME, CONTACT_ADDRESS, N_CONTACT_COLUMNS };

/* A file chosen, or a part carried over from a forwarded message. */
typedef struct
{
  GFile       *file;
  GMimeObject *part;
  char        *name;
  goffset      size;
} Attachment;

struct _SatchelComposerWindow
{
  AdwWindow parent_instance;

  /* Template widgets */
  AdwWindowTitle  *window_title;
  AdwToastOverlay *toast_overlay;
  GtkWidget       *send_button;
  GtkWidget       *fields;
  GtkWidget       *from_label;
  GtkDropDown     *from;
  GtkEntry        *to;
  GtkEntry        *cc;
  GtkEntry        *bcc;
  GtkToggleButton *cc_button;
  GtkToggleButton *bcc_button;
  GtkEntry        *subject;
  GtkTextView     *body;
  GtkListBox      *attachment_list;

  /* Owned */
  GPtrArray       *accounts;      /* SatchelAccount, as the From list shows them */
  GPtrArray       *attachments;   /* Attachment */
  GtkListStore    *contacts;
  char            *in_reply_to;
  char            *references;
  GCancellable    *cancellable;

  gint64           answers;       /* the message this one replies to, or 0 */
  gint64           draft_id;      /* the version kept in Drafts, or 0 */
  guint            generation;    /* counts the user's changes */
  guint            saved;         /* the generation last kept */
  guint            autosave_id;
  gboolean         saving;
  gboolean         sending;
  gboolean         closing;       /* hidden, its draft being kept */
  gboolean         done;          /* sent or discarded: it closes for good */
};

G_DEFINE_FINAL_TYPE (SatchelComposerWindow, satchel_composer_window, ADW_TYPE_WINDOW)

enum
{
  SIGNAL_SENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void save_draft (SatchelComposerWindow *self,
                        gboolean               announce);

static void
attachment_free (Attachment *attachment)
{
  g_clear_object (&attachment->file);
  g_clear_object (&attachment->part);
  g_free (attachment->name);
  g_free (attachment);
}

static SatchelApplication *
app_of (SatchelComposerWindow *self)
{
  return SATCHEL_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
}

static SatchelAccount *
account_of (SatchelComposerWindow *self)
{
  guint chosen = gtk_drop_down_get_selected (self->from);

  if (chosen >= self->accounts->len)
    return NULL;
  return g_ptr_array_index (self->accounts, chosen);
}

static gboolean
is_dirty (SatchelComposerWindow *self)
{
  return self->generation != self->saved;
}

/* The window's title follows the subject. */
static void
update_title (SatchelComposerWindow *self)
{
  const char *subject = gtk_editable_get_text (GTK_EDITABLE (self->subject));
  SatchelAccount *account = account_of (self);

  adw_window_title_set_title (self->window_title,
                              subject[0] != '\0' ? subject : _("New Message"));
  gtk_window_set_title (GTK_WINDOW (self), subject[0] != '\0' ? subject : _("New Message"));
  adw_window_title_set_subtitle (self->window_title,
                                 account != NULL ? satchel_account_get_email (account) : NULL);
}

static void
changed_cb (SatchelComposerWindow *self)
{
  self->generation++;
  update_title (self);
}

static void
report (SatchelComposerWindow *self,
        const char            *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

/**
 * satchel_composer_window_add_toast:
 *
 * Says @message over the message being written.
 */
void
satchel_composer_window_add_toast (SatchelComposerWindow *self,
                                   const char            *message)
{
  g_return_if_fail (SATCHEL_IS_COMPOSER_WINDOW (self));
  report (self, message);
}

/* Tells the main window, which outlives this one. */
static void
tell_main_window (SatchelComposerWindow *self,
                  const char            *message)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  GList *windows = app != NULL ? gtk_application_get_windows (app) : NULL;

  for (GList *l = windows; l != NULL; l = l->next)
    if (SATCHEL_IS_WINDOW (l->data))
      {
        satchel_window_add_toast (SATCHEL_WINDOW (l->data), message);
        return;
      }
}

/* Closes the window for good. The text that has the keyboard is told
 * first: GTK 4.8 warns of a text destroyed with the focus in it. */
static void
close_now (SatchelComposerWindow *self)
{
  self->done = TRUE;
  gtk_widget_grab_focus (self->send_button);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* The message as the fields say */

static char *
body_text (SatchelComposerWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->body);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static SatchelDraft *
draft_from_fields (SatchelComposerWindow *self)
{
  SatchelDraft *draft = satchel_draft_new ();
  SatchelAccount *account = account_of (self);
  const char *name = account != NULL ? satchel_account_get_real_name (account) : NULL;

  draft->from_name = g_strdup (name != NULL && name[0] != '\0' ? name : NULL);
  draft->from_address = g_strdup (account != NULL ? satchel_account_get_email (account) : "");
  satchel_draft_add_addresses (draft->to, gtk_editable_get_text (GTK_EDITABLE (self->to)));
  satchel_draft_add_addresses (draft->cc, gtk_editable_get_text (GTK_EDITABLE (self->cc)));
  satchel_draft_add_addresses (draft->bcc, gtk_editable_get_text (GTK_EDITABLE (self->bcc)));
  draft->subject = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->subject)));
  /* The signature and any quote are in the text, where the user sees
   * them. */
  draft->body = body_text (self);
  draft->in_reply_to = g_strdup (self->in_reply_to);
  draft->references = g_strdup (self->references);
  for (guint i = 0; i < self->attachments->len; i++)
    {
      Attachment *attachment = g_ptr_array_index (self->attachments, i);

      if (attachment->part != NULL)
        g_ptr_array_add (draft->carried, g_object_ref (attachment->part));
      else
        g_ptr_array_add (draft->attachments, g_file_get_path (attachment->file));
    }
  return draft;
}

/* Attachments */

static void
remove_clicked_cb (GtkButton             *button,
                   SatchelComposerWindow *self)
{
  GtkWidget *row = g_object_get_data (G_OBJECT (button), "row");
  Attachment *attachment = g_object_get_data (G_OBJECT (row), "attachment");

  gtk_list_box_remove (self->attachment_list, row);
  g_ptr_array_remove (self->attachments, attachment);
  gtk_widget_set_visible (GTK_WIDGET (self->attachment_list), self->attachments->len > 0);
  changed_cb (self);
}

static void
add_attachment_row (SatchelComposerWindow *self,
                    Attachment            *attachment,
                    const char            *content_type)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("list-remove-symbolic");
  g_autoptr(GIcon) icon = g_content_type_get_symbolic_icon (content_type != NULL
                                                            ? content_type
                                                            : "application/octet-stream");
  g_autofree char *size = g_format_size (attachment->size);
  g_autofree char *remove_name = g_strdup_printf (_("Remove %s"), attachment->name);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), attachment->name);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), size);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_gicon (icon));
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, _("Remove"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  remove_name, -1);
  g_object_set_data (G_OBJECT (remove), "row", row);
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
  g_object_set_data (G_OBJECT (row), "attachment", attachment);
  gtk_list_box_append (self->attachment_list, row);
  gtk_widget_set_visible (GTK_WIDGET (self->attachment_list), TRUE);
}

/**
 * satchel_composer_window_add_attachment:
 * @file: a local file
 *
 * Attaches @file, as choosing it or dropping it on the window does.
 */
void
satchel_composer_window_add_attachment (SatchelComposerWindow *self,
                                        GFile                 *file)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  Attachment *attachment;

  g_return_if_fail (SATCHEL_IS_COMPOSER_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  path = g_file_get_path (file);
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME ","
                                  G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                  G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                  G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE,
                            G_FILE_QUERY_INFO_NONE, NULL, &error);
  if (path == NULL || info == NULL || g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_autofree char *name = g_file_get_parse_name (file);
      g_autofree char *message = g_strdup_printf (_("“%s” cannot be attached: only files on "
                                                    "this computer can."), name);

      report (self, error != NULL ? error->message : message);
      return;
    }
  attachment = g_new0 (Attachment, 1);
  attachment->file = g_object_ref (file);
  attachment->name = g_strdup (g_file_info_get_display_name (info));
  attachment->size = g_file_info_get_size (info);
  g_ptr_array_add (self->attachments, attachment);
  add_attachment_row (self, attachment, g_file_info_get_content_type (info));
  changed_cb (self);
}

/* The parts a forwarded message carries, as attachments that can go. */
static void
add_carried (SatchelComposerWindow *self,
             GPtrArray             *parts)
{
  for (guint i = 0; i < parts->len; i++)
    {
      GMimeObject *part = g_ptr_array_index (parts, i);
      Attachment *attachment = g_new0 (Attachment, 1);
      g_autofree char *type = NULL;
      char *name = satchel_mime_part_dup_filename (part);

      attachment->part = g_object_ref (part);
      attachment->name = name != NULL ? name : g_strdup (_("Attached message"));
      if (GMIME_IS_PART (part) && g_mime_part_get_content (GMIME_PART (part)) != NULL)
        {
          GMimeStream *stream =
            g_mime_data_wrapper_get_stream (g_mime_part_get_content (GMIME_PART (part)));

          attachment->size = MAX (g_mime_stream_length (stream), 0);
        }
      type = g_mime_content_type_get_mime_type (g_mime_object_get_content_type (part));
      g_ptr_array_add (self->attachments, attachment);
      add_attachment_row (self, attachment, type);
    }
}

static void
files_chosen_cb (GtkNativeDialog       *dialog,
                 int                    response,
                 SatchelComposerWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);

          satchel_composer_window_add_attachment (self, file);
        }
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
attach_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SatchelComposerWindow *self = SATCHEL_COMPOSER_WINDOW (widget);
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (_("Attach Files"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Attach"), NULL);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (files_chosen_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static gboolean
drop_cb (GtkDropTarget         *target,
         const GValue          *value,
         double                 x,
         double                 y,
         SatchelComposerWindow *self)
{
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = g_value_get_boxed (value);
  for (GSList *l = files; l != NULL; l = l->next)
    satchel_composer_window_add_attachment (self, l->data);
  return files != NULL;
}

/* Address completion: the addresses mail went to or came from, the most
 * used first, matched against what is typed after the last comma. */

static const char *
last_address (const char *text)
{
  const char *comma = strrchr (text, ',');
  const char *start = comma != NULL ? comma + 1 : text;

  while (*start == ' ')
    start++;
  return start;
}

static gboolean
starts_word (const char *haystack,
             const char *prefix)
{
  g_autofree char *folded = g_utf8_casefold (haystack, -1);
  gsize len = strlen (prefix);

  for (const char *p = folded; p != NULL && *p != '\0';)
    {
      if (strncmp (p, prefix, len) == 0)
        return TRUE;
      p = strpbrk (p, " .@<\"");
      if (p != NULL)
        p++;
    }
  return FALSE;
}

static gboolean
match_contact_cb (GtkEntryCompletion *completion,
                  const char         *key,
                  GtkTreeIter        *iter,
                  gpointer            user_data)
{
  GtkTreeModel *model = gtk_entry_completion_get_model (completion);
  g_autofree char *name = NULL;
  g_autofree char *address = NULL;
  g_autofree char *typed = NULL;
  const char *last = last_address (key);

  if (last[0] == '\0')
    return FALSE;
  typed = g_utf8_casefold (last, -1);
  gtk_tree_model_get (model, iter, CONTACT_NAME, &name, CONTACT_ADDRESS, &address, -1);
  return starts_word (address, typed) || (name != NULL && starts_word (name, typed));
}

static gboolean
contact_chosen_cb (GtkEntryCompletion *completion,
                   GtkTreeModel       *model,
                   GtkTreeIter        *iter,
                   GtkEntry           *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  const char *last = last_address (text);
  g_autofree char *shown = NULL;
  g_autofree char *kept = g_strndup (text, last - text);
  g_autofree char *replaced = NULL;

  gtk_tree_model_get (model, iter, CONTACT_SHOWN, &shown, -1);
  replaced = g_strconcat (kept, shown, ", ", NULL);
  gtk_editable_set_text (GTK_EDITABLE (entry), replaced);
  gtk_editable_set_position (GTK_EDITABLE (entry), -1);
  return TRUE;
}

static void
load_contacts (SatchelComposerWindow *self,
               SatchelStore          *store)
{
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GError) error = NULL;

  self->contacts = gtk_list_store_new (N_CONTACT_COLUMNS, G_TYPE_STRING, G_TYPE_STRING,
                                       G_TYPE_STRING);
  if (store == NULL)
    return;
  contacts = satchel_query_contacts (store, CONTACTS_MAX, &error);
  if (contacts == NULL)
    {
      g_warning ("The addresses for completion could not be read: %s", error->message);
      return;
    }
  satchel_gmime_ensure_init ();
  for (guint i = 0; i < contacts->len; i++)
    {
      SatchelContact *contact = g_ptr_array_index (contacts, i);
      g_autoptr(GObject) mailbox = G_OBJECT (internet_address_mailbox_new (contact->name,
                                                                           contact->address));
      g_autofree char *shown = internet_address_to_string (INTERNET_ADDRESS (mailbox), NULL,
                                                           FALSE);

      gtk_list_store_insert_with_values (self->contacts, NULL, -1, CONTACT_SHOWN, shown,
                                         CONTACT_NAME, contact->name,
                                         CONTACT_ADDRESS, contact->address, -1);
    }
}

static void
complete_addresses (SatchelComposerWindow *self,
                    GtkEntry              *entry)
{
  g_autoptr(GtkEntryCompletion) completion = gtk_entry_completion_new ();

  gtk_entry_completion_set_model (completion, GTK_TREE_MODEL (self->contacts));
  gtk_entry_completion_set_text_column (completion, CONTACT_SHOWN);
  gtk_entry_completion_set_match_func (completion, match_contact_cb, NULL, NULL);
  gtk_entry_completion_set_inline_completion (completion, FALSE);
  gtk_entry_completion_set_popup_set_width (completion, TRUE);
  g_signal_connect (completion, "match-selected", G_CALLBACK (contact_chosen_cb), entry);
  gtk_entry_set_completion (entry, completion);
}

/* Saving a draft */

static void
set_busy (SatchelComposerWindow *self,
          gboolean               busy)
{
  gtk_widget_set_sensitive (self->fields, !busy);
  gtk_text_view_set_editable (self->body, !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.send", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.save-draft", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.discard", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.attach", !busy);
  gtk_button_set_label (GTK_BUTTON (self->send_button), busy ? _("Sending…") : _("_Send"));
}

typedef struct
{
  SatchelComposerWindow *self;
  guint                  generation;
  gboolean               announce;
} Saving;

static void
draft_saved_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autofree Saving *saving = user_data;
  g_autoptr(SatchelComposerWindow) self = saving->self;
  g_autoptr(GError) error = NULL;
  gint64 id;

  id = satchel_mail_service_save_draft_finish (SATCHEL_MAIL_SERVICE (source), result, &error);
  self->saving = FALSE;
  if (id == 0)
    {
      g_autofree char *message = g_strdup_printf (_("The draft could not be kept: %s"),
                                                  error->message);

      /* Closing waits for a kept draft: the user decides now. */
      if (self->closing)
        {
          self->closing = FALSE;
          gtk_window_present (GTK_WINDOW (self));
        }
      report (self, message);
      return;
    }
  self->draft_id = id;
  self->saved = saving->generation;
  if (self->done)
    {
      /* Sent meanwhile: that version goes too. */
      satchel_mail_service_discard_draft (SATCHEL_MAIL_SERVICE (source), account_of (self), id);
      return;
    }
  if (self->closing)
    {
      /* Changed while that version was being kept: keep the last one. */
      if (is_dirty (self))
        {
          save_draft (self, FALSE);
          return;
        }
      tell_main_window (self, _("The message is kept in Drafts"));
      close_now (self);
      return;
    }
  if (saving->announce)
    report (self, _("Draft saved"));
}

static void
save_draft (SatchelComposerWindow *self,
            gboolean               announce)
{
  SatchelApplication *app = app_of (self);
  SatchelMailService *service = app != NULL ? satchel_application_get_mail_service (app) : NULL;
  SatchelAccount *account = account_of (self);
  Saving *saving;

  if (self->saving || self->sending || service == NULL || account == NULL)
    return;
  self->saving = TRUE;
  saving = g_new0 (Saving, 1);
  saving->self = g_object_ref (self);
  saving->generation = self->generation;
  saving->announce = announce;
  satchel_mail_service_save_draft_async (service, account, draft_from_fields (self),
                                         self->draft_id, self->cancellable, draft_saved_cb,
                                         saving);
}

/* SATCHEL_AUTOSAVE_SECONDS: for the tests, which cannot wait 30 s. */
static guint
autosave_seconds (void)
{
  const char *env = g_getenv ("SATCHEL_AUTOSAVE_SECONDS");
  guint64 seconds = env != NULL ? g_ascii_strtoull (env, NULL, 10) : 0;

  return seconds > 0 && seconds <= AUTOSAVE_SECONDS ? (guint) seconds : AUTOSAVE_SECONDS;
}

static gboolean
autosave_cb (gpointer user_data)
{
  SatchelComposerWindow *self = user_data;

  if (is_dirty (self))
    save_draft (self, FALSE);
  return G_SOURCE_CONTINUE;
}

static void
save_draft_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  save_draft (SATCHEL_COMPOSER_WINDOW (widget), TRUE);
}

/* Sending */

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SatchelComposerWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  self->sending = FALSE;
  if (satchel_mail_service_send_finish (SATCHEL_MAIL_SERVICE (source), result, &error))
    {
      g_signal_emit (self, signals[SIGNAL_SENT], 0, self->answers);
      tell_main_window (self, _("Message sent"));
      close_now (self);
      return;
    }
  /* The message itself is wrong (an address, an attachment, a recipient
   * the server refused): the user fixes it here. Its draft went when it
   * was queued; the window keeps the text until sent or kept again. */
  if (error->domain == G_IO_ERROR || error->domain == G_FILE_ERROR ||
      error->domain == SATCHEL_MAIL_ERROR ||
      g_error_matches (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_REJECTED))
    {
      AdwMessageDialog *dialog;

      if (error->domain == SATCHEL_NET_ERROR)
        {
          self->draft_id = 0;
          self->generation++;
        }
      set_busy (self, FALSE);
      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                           _("The Message Was Not Sent"),
                                                           error->message));
      adw_message_dialog_add_response (dialog, "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  /* The server could not be reached: it waits in the outbox. */
  {
    g_autofree char *message = g_strdup_printf (_("The message waits in the outbox: %s"),
                                                error->message);

    tell_main_window (self, message);
    close_now (self);
  }
}

static void
send_now (SatchelComposerWindow *self)
{
  SatchelApplication *app = app_of (self);
  SatchelMailService *service = app != NULL ? satchel_application_get_mail_service (app) : NULL;
  SatchelAccount *account = account_of (self);

  if (service == NULL || account == NULL)
    return;
  self->sending = TRUE;
  set_busy (self, TRUE);
  satchel_mail_service_send_async (service, account, draft_from_fields (self), self->draft_id,
                                   self->cancellable, sent_cb, g_object_ref (self));
}

static void
large_response_cb (AdwMessageDialog      *dialog,
                   const char            *response,
                   SatchelComposerWindow *self)
{
  if (g_str_equal (response, "send"))
    send_now (self);
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SatchelComposerWindow *self = SATCHEL_COMPOSER_WINDOW (widget);
  g_autoptr(SatchelDraft) draft = NULL;
  goffset size = 0;

  if (self->sending || self->saving)
    return;
  draft = draft_from_fields (self);
  if (draft->to->len + draft->cc->len + draft->bcc->len == 0)
    {
      report (self, _("Add a recipient to send the message"));
      gtk_widget_grab_focus (GTK_WIDGET (self->to));
      return;
    }
  if (account_of (self) == NULL || !satchel_account_has_smtp (account_of (self)))
    {
      report (self, _("This account has no outgoing server to send with"));
      return;
    }
  for (guint i = 0; i < self->attachments->len; i++)
    size += ((Attachment *) g_ptr_array_index (self->attachments, i))->size;
  /* Base64 makes four bytes of three. */
  if (size / 3 * 4 > LARGE_MESSAGE)
    {
      g_autofree char *shown = g_format_size (size / 3 * 4);
      g_autofree char *body = g_strdup_printf (_("With its attachments the message weighs "
                                                 "about %s. Many servers refuse messages over "
                                                 "25 MB."), shown);
      AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (
        adw_message_dialog_new (GTK_WINDOW (self), _("Send a Large Message?"), body));

      adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"),
                                        "send", _("_Send Anyway"), NULL);
      adw_message_dialog_set_response_appearance (dialog, "send", ADW_RESPONSE_SUGGESTED);
      adw_message_dialog_set_default_response (dialog, "cancel");
      g_signal_connect (dialog, "response", G_CALLBACK (large_response_cb), self);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  send_now (self);
}

/* Discarding and closing */

static void
discard_now (SatchelComposerWindow *self)
{
  SatchelApplication *app = app_of (self);
  SatchelMailService *service = app != NULL ? satchel_application_get_mail_service (app) : NULL;

  if (self->draft_id != 0 && service != NULL && account_of (self) != NULL)
    satchel_mail_service_discard_draft (service, account_of (self), self->draft_id);
  close_now (self);
}

static gboolean
discard_idle_cb (gpointer user_data)
{
  g_autoptr(SatchelComposerWindow) self = user_data;

  if (!self->done)
    discard_now (self);
  return G_SOURCE_REMOVE;
}

static void
discard_response_cb (AdwMessageDialog      *dialog,
                     const char            *response,
                     SatchelComposerWindow *self)
{
  /* Once the dialog, which belongs to this window, is gone. */
  if (g_str_equal (response, "discard"))
    g_idle_add (discard_idle_cb, g_object_ref (self));
}

static void
discard_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SatchelComposerWindow *self = SATCHEL_COMPOSER_WINDOW (widget);
  AdwMessageDialog *dialog;

  if (!is_dirty (self) && self->draft_id == 0)
    {
      discard_now (self);
      return;
    }
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("Discard This Message?"),
                                                       _("It is not sent, and its draft is "
                                                         "deleted.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "discard", _("_Discard"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (discard_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Closing keeps what was written: the window hides, and goes once the
 * draft is kept. */
static gboolean
close_request_cb (GtkWindow             *window,
                  SatchelComposerWindow *self)
{
  if (self->done || self->sending || !is_dirty (self))
    return FALSE;
  self->closing = TRUE;
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  if (!self->saving)
    save_draft (self, FALSE);
  return TRUE;
}

/* Filling */

static void
fill_from (SatchelComposerWindow *self,
           SatchelAccount        *account)
{
  SatchelApplication *app = app_of (self);
  GListModel *accounts = app != NULL ? G_LIST_MODEL (satchel_application_get_accounts (app))
                                     : NULL;
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  guint chosen = 0;

  for (guint i = 0; accounts != NULL && i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(SatchelAccount) item = g_list_model_get_item (accounts, i);
      const char *name = satchel_account_get_real_name (item);
      g_autofree char *shown = name != NULL && name[0] != '\0'
                               ? g_strdup_printf ("%s <%s>", name, satchel_account_get_email (item))
                               : g_strdup (satchel_account_get_email (item));

      if (item == account)
        chosen = self->accounts->len;
      g_ptr_array_add (self->accounts, g_object_ref (item));
      gtk_string_list_append (names, shown);
    }
  if (self->accounts->len == 0 && account != NULL)
    {
      g_ptr_array_add (self->accounts, g_object_ref (account));
      gtk_string_list_append (names, satchel_account_get_email (account));
    }
  gtk_drop_down_set_model (self->from, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->from, chosen);
  /* One account: nothing to choose. */
  gtk_widget_set_visible (GTK_WIDGET (self->from), self->accounts->len > 1);
  gtk_widget_set_visible (self->from_label, self->accounts->len > 1);
}

static char *
join (GPtrArray *addresses)
{
  g_ptr_array_add (addresses, NULL);
  g_ptr_array_set_size (addresses, addresses->len - 1);
  return g_strjoinv (", ", (char **) addresses->pdata);
}

static void
fill (SatchelComposerWindow *self,
      SatchelAccount        *account,
      SatchelDraft          *draft)
{
  g_autofree char *to = join (draft->to);
  g_autofree char *cc = join (draft->cc);
  g_autofree char *bcc = join (draft->bcc);
  g_autoptr(GString) text = g_string_new (draft->body);
  const char *signature = account != NULL ? satchel_account_get_signature (account) : NULL;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->body);
  GtkTextIter start;

  gtk_editable_set_text (GTK_EDITABLE (self->to), to);
  gtk_editable_set_text (GTK_EDITABLE (self->cc), cc);
  gtk_editable_set_text (GTK_EDITABLE (self->bcc), bcc);
  gtk_toggle_button_set_active (self->cc_button, draft->cc->len > 0);
  gtk_toggle_button_set_active (self->bcc_button, draft->bcc->len > 0);
  gtk_editable_set_text (GTK_EDITABLE (self->subject), draft->subject != NULL ? draft->subject
                                                                               : "");
  /* As the message goes: what the user writes first, the quote below
   * it, the signature last (satchel_draft_build()). */
  if (draft->quoted != NULL)
    g_string_append_printf (text, "\n\n%s", draft->quoted);
  if (signature != NULL && signature[0] != '\0')
    g_string_append_printf (text, "\n\n-- \n%s", signature);
  gtk_text_buffer_set_text (buffer, text->str, -1);
  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_place_cursor (buffer, &start);
  self->in_reply_to = g_strdup (draft->in_reply_to);
  self->references = g_strdup (draft->references);
  add_carried (self, draft->carried);
}

/* Overrides */

static void
satchel_composer_window_dispose (GObject *object)
{
  SatchelComposerWindow *self = SATCHEL_COMPOSER_WINDOW (object);

  g_clear_handle_id (&self->autosave_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), SATCHEL_TYPE_COMPOSER_WINDOW);
  g_clear_object (&self->contacts);

  G_OBJECT_CLASS (satchel_composer_window_parent_class)->dispose (object);
}

static void
satchel_composer_window_finalize (GObject *object)
{
  SatchelComposerWindow *self = SATCHEL_COMPOSER_WINDOW (object);

  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  g_clear_pointer (&self->attachments, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_free (self->in_reply_to);
  g_free (self->references);

  G_OBJECT_CLASS (satchel_composer_window_parent_class)->finalize (object);
}

static void
satchel_composer_window_class_init (SatchelComposerWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = satchel_composer_window_dispose;
  object_class->finalize = satchel_composer_window_finalize;

  /**
   * SatchelComposerWindow::sent:
   * @answers: the message it replied to, or 0
   *
   * The server took the message.
   */
  signals[SIGNAL_SENT] =
    g_signal_new ("sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/satchelmail/Satchel/"
                                               "satchel-composer-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SatchelComposerWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, SatchelComposerWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SatchelComposerWindow, send_button);
  gtk_widget_class_bind_template_child (widget_class, SatchelComposerWindow, fields);
  gtk_widget_class_bind_template_child (widget_class, SatchelComposerWindow, from_label);
  gtk_widget_class_bind_template_child (widget_class, SatchelComposerWindow, from);
  gtk_widget_class_bind_template_child (widget_class, SatchelComposerWindow, to);
  gtk_widget_class_bind_template_child (widget_class, SatchelComposerWindow, cc);
  gtk_widget_class_bind_template_child (widget_class, SatchelComposerWindow, bcc);
  gtk_widget_class_bind_template_child (widget_class, SatchelComposerWindow, cc_button);
  gtk_widget_class_bind_template_child (widget_class, SatchelComposerWindow, bcc_button);
  gtk_widget_class_bind_template_child (widget_class, SatchelComposerWindow, subject);
  gtk_widget_class_bind_template_child (widget_class, SatchelComposerWindow, body);
  gtk_widget_class_bind_template_child (widget_class, SatchelComposerWindow, attachment_list);

  gtk_widget_class_install_action (widget_class, "composer.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "composer.save-draft", NULL, save_draft_action);
  gtk_widget_class_install_action (widget_class, "composer.discard", NULL, discard_action);
  gtk_widget_class_install_action (widget_class, "composer.attach", NULL, attach_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "composer.send", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK,
                                       "composer.send", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "composer.save-draft", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK, "composer.attach",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
}

static void
satchel_composer_window_init (SatchelComposerWindow *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->accounts = g_ptr_array_new_with_free_func (g_object_unref);
  self->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) attachment_free);
  self->cancellable = g_cancellable_new ();
  /* Files dropped anywhere are attachments: in the capture phase, before
   * the text view below takes them as text (their paths). */
  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (drop), GTK_PHASE_CAPTURE);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), self);
}

/**
 * satchel_composer_window_new:
 * @account: the account it is sent from, as the list of accounts chose
 * @draft: (transfer full) (nullable): what it starts with: a reply or a
 *   forward (satchel_draft_reply(), satchel_draft_forward()), or nothing
 * @answers: the message it replies to (marked answered once sent), or 0
 */
SatchelComposerWindow *
satchel_composer_window_new (SatchelApplication *app,
                             SatchelAccount     *account,
                             SatchelDraft       *draft,
                             gint64              answers)
{
  g_autoptr(SatchelDraft) start = draft != NULL ? draft : satchel_draft_new ();
  SatchelComposerWindow *self = g_object_new (SATCHEL_TYPE_COMPOSER_WINDOW,
                                              "application", app,
                                              NULL);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->body);

  self->answers = answers;
  load_contacts (self, satchel_application_get_store (app));
  complete_addresses (self, self->to);
  complete_addresses (self, self->cc);
  complete_addresses (self, self->bcc);
  fill_from (self, account);
  fill (self, account, start);
  update_title (self);

  /* What the user changes from here on is worth keeping. */
  g_signal_connect_swapped (self->to, "changed", G_CALLBACK (changed_cb), self);
  g_signal_connect_swapped (self->cc, "changed", G_CALLBACK (changed_cb), self);
  g_signal_connect_swapped (self->bcc, "changed", G_CALLBACK (changed_cb), self);
  g_signal_connect_swapped (self->subject, "changed", G_CALLBACK (changed_cb), self);
  g_signal_connect_swapped (buffer, "changed", G_CALLBACK (changed_cb), self);
  g_signal_connect_swapped (self->from, "notify::selected", G_CALLBACK (changed_cb), self);
  self->generation = self->saved = 0;
  self->autosave_id = g_timeout_add_seconds (autosave_seconds (), autosave_cb, self);

  gtk_widget_grab_focus (start->to->len == 0 ? GTK_WIDGET (self->to) : GTK_WIDGET (self->body));
  return self;
}

/**
 * satchel_composer_window_get_draft_id:
 *
 * Returns: the id of the version kept in Drafts, or 0
 */
gint64
satchel_composer_window_get_draft_id (SatchelComposerWindow *self)
{
  g_return_val_if_fail (SATCHEL_IS_COMPOSER_WINDOW (self), 0);

  return self->draft_id;
}
