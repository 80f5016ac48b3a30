/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-notifier.c: desktop notifications of new mail
 *
 * Copyright 2026 The Satchel authors
 *
 * New mail is what comes into an account's Inbox, unread, after the
 * notifier last looked: it remembers, for each account, the highest
 * message id its Inbox had (ids only grow). At start that is what the
 * store holds, so mail from earlier runs is not new again, while mail
 * that came since is. An account whose Inbox was never brought in whole
 * (just added, or its first sync cut short in an earlier run) takes its
 * mark when a check ends with the Inbox whole, so that what its first
 * sync brings is not "new mail". The notifier looks when the mail
 * service says an account changed and when a check ends.
 *
 * Up to three new messages get a notification each (sender, subject;
 * clicking opens it; "Mark as Read"); more get one that counts them. None
 * when the preference is off, or when the user is looking at that Inbox.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "satchel-message-row.h"
#include "satchel-notifier.h"
#include "satchel-window.h"

#define MAX_SINGLE 3     /* more at once: one notification that counts them */
#define MAX_LOOK   200   /* messages read at once */

struct _SatchelNotifier
{
  GObject parent_instance;

  /* Unowned: the application owns the notifier */
  SatchelApplication *app;

  /* Owned */
  GHashTable         *marks;      /* account id -> highest id seen (gint64 *); -1: no Inbox yet */
  GSettings          *settings;
};

G_DEFINE_FINAL_TYPE (SatchelNotifier, satchel_notifier, G_TYPE_OBJECT)

enum
{
  SIGNAL_SENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
send (SatchelNotifier *self,
      const char      *id,
      GNotification   *notification,
      gint64           message_id,
      const char      *title,
      const char      *body)
{
  g_application_send_notification (G_APPLICATION (self->app), id, notification);
  g_signal_emit (self, signals[SIGNAL_SENT], 0, message_id, title, body);
}

/* @account's mark; a new one is what the store holds at start (-1 if
 * its Inbox was never brought in whole), and for an account added later
 * -1, whatever its first check has brought yet. */
static gint64 *
mark_of (SatchelNotifier *self,
         SatchelAccount  *account,
         gboolean         at_start)
{
  gint64 id = satchel_account_get_id (account);
  gint64 *mark = g_hash_table_lookup (self->marks, &id);

  if (mark == NULL)
    {
      gint64 *key = g_new (gint64, 1);

      *key = id;
      mark = g_new (gint64, 1);
      *mark = at_start ? satchel_query_inbox_last_id (satchel_application_get_store (self->app), id)
                       : -1;
      g_hash_table_insert (self->marks, key, mark);
    }
  return mark;
}

static gboolean
enabled (SatchelNotifier *self)
{
  return self->settings == NULL || g_settings_get_boolean (self->settings, "show-notifications");
}

/* The user is looking at this Inbox: nothing to tell. */
static gboolean
inbox_in_view (SatchelNotifier *self,
               gint64           folder_id)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self->app)); l != NULL; l = l->next)
    if (SATCHEL_IS_WINDOW (l->data) && gtk_widget_get_visible (l->data) &&
        gtk_window_is_active (l->data) &&
        (satchel_window_get_folder (l->data) == folder_id ||
         satchel_window_get_folder (l->data) == SATCHEL_ALL_INBOXES))
      return TRUE;
  return FALSE;
}

static void
notify_one (SatchelNotifier         *self,
            const SatchelMessageRow *row)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *sender = satchel_display_sender (row->from);
  g_autofree char *id = g_strdup_printf ("new-mail-%" G_GINT64_FORMAT, row->id);

  const char *subject = row->subject != NULL && row->subject[0] != '\0' ? row->subject
                                                                        : _("(no subject)");

  notification = g_notification_new (sender);
  g_notification_set_body (notification, subject);
  g_notification_set_category (notification, "email.arrived");
  g_notification_set_default_action_and_target (notification, "app.show-message", "(xx)",
                                                row->folder_id, row->id);
  g_notification_add_button_with_target (notification, _("Mark as Read"), "app.mark-read",
                                         "x", row->id);
  send (self, id, notification, row->id, sender, subject);
}

static void
notify_many (SatchelNotifier *self,
             GPtrArray       *rows)
{
  g_autoptr(GNotification) notification = NULL;
  g_autoptr(GString) senders = g_string_new (NULL);
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  guint shown = 0;

  /* Translators: how many new messages came at once. */
  title = g_strdup_printf (ngettext ("%u new message", "%u new messages", rows->len), rows->len);
  for (guint i = rows->len; i > 0 && shown < MAX_SINGLE; i--)
    {
      const SatchelMessageRow *row = g_ptr_array_index (rows, i - 1);
      g_autofree char *sender = satchel_display_sender (row->from);

      if (strstr (senders->str, sender) != NULL)
        continue;
      if (shown > 0)
        g_string_append (senders, ", ");
      g_string_append (senders, sender);
      shown++;
    }
  notification = g_notification_new (title);
  /* Translators: the senders of the newest messages. */
  body = g_strdup_printf (_("From %s"), senders->str);
  g_notification_set_body (notification, body);
  g_notification_set_category (notification, "email.arrived");
  g_notification_set_default_action_and_target (notification, "app.show-message", "(xx)",
                                                ((SatchelMessageRow *) g_ptr_array_index (rows, 0))->folder_id,
                                                (gint64) 0);
  send (self, "new-mail", notification, 0, title, body);
}

static void
look (SatchelNotifier *self,
      SatchelAccount  *account,
      gboolean         check_done)
{
  SatchelStore *store = satchel_application_get_store (self->app);
  gint64 *mark = mark_of (self, account, FALSE);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  gint64 last;

  if (store == NULL)
    return;
  /* A new account's first sync is not new mail: it takes its mark once
   * a check has brought its Inbox in whole (still -1 if not). */
  if (*mark < 0)
    {
      if (check_done)
        *mark = satchel_query_inbox_last_id (store, satchel_account_get_id (account));
      return;
    }
  /* The server renumbered the Inbox (a new UIDVALIDITY): what is fetched
   * again is not news either, and the mark starts over. */
  if (satchel_query_inbox_last_id (store, satchel_account_get_id (account)) < 0)
    {
      *mark = -1;
      return;
    }
  rows = satchel_query_inbox_unread_after (store, satchel_account_get_id (account), *mark,
                                           MAX_LOOK, &error);
  last = satchel_query_inbox_last_id (store, satchel_account_get_id (account));
  if (rows == NULL)
    {
      g_warning ("New mail cannot be read: %s", error->message);
      return;
    }
  *mark = MAX (*mark, last);
  if (rows->len == 0 || !enabled (self) ||
      inbox_in_view (self, ((SatchelMessageRow *) g_ptr_array_index (rows, 0))->folder_id))
    return;
  if (rows->len <= MAX_SINGLE)
    for (guint i = 0; i < rows->len; i++)
      notify_one (self, g_ptr_array_index (rows, i));
  else
    notify_many (self, rows);
}

static void
changed_cb (SatchelMailService *service,
            SatchelAccount     *account,
            SatchelNotifier    *self)
{
  look (self, account, FALSE);
}

static void
state_changed_cb (SatchelMailService *service,
                  SatchelAccount     *account,
                  SatchelNotifier    *self)
{
  if (satchel_mail_service_get_state (service, account, NULL) == SATCHEL_ACCOUNT_STATE_IDLE)
    look (self, account, TRUE);
}

static void
satchel_notifier_finalize (GObject *object)
{
  SatchelNotifier *self = SATCHEL_NOTIFIER (object);

  g_clear_pointer (&self->marks, g_hash_table_unref);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (satchel_notifier_parent_class)->finalize (object);
}

static void
satchel_notifier_class_init (SatchelNotifierClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = satchel_notifier_finalize;

  /**
   * SatchelNotifier::sent:
   * @message_id: the message announced, or 0 for a count of several
   * @title: what the notification's title says
   * @body: what its text says
   *
   * A notification went to the desktop.
   */
  signals[SIGNAL_SENT] =
    g_signal_new ("sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_INT64, G_TYPE_STRING, G_TYPE_STRING);
}

static void
satchel_notifier_init (SatchelNotifier *self)
{
  self->marks = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
}

/**
 * satchel_notifier_new:
 * @settings: (nullable): the application's settings, for the preference
 *
 * Returns: (transfer full): a notifier of the new mail that @app's mail
 *   service brings
 */
SatchelNotifier *
satchel_notifier_new (SatchelApplication *app,
                      GSettings          *settings)
{
  SatchelNotifier *self = g_object_new (SATCHEL_TYPE_NOTIFIER, NULL);
  SatchelAccountList *accounts = satchel_application_get_accounts (app);
  SatchelMailService *service = satchel_application_get_mail_service (app);

  self->app = app;
  g_set_object (&self->settings, settings);
  /* What the store has now is not new. */
  for (guint i = 0; accounts != NULL && i < g_list_model_get_n_items (G_LIST_MODEL (accounts)); i++)
    {
      g_autoptr(SatchelAccount) account = g_list_model_get_item (G_LIST_MODEL (accounts), i);

      mark_of (self, account, TRUE);
    }
  if (service != NULL)
    {
      g_signal_connect_object (service, "changed", G_CALLBACK (changed_cb), self, 0);
      g_signal_connect_object (service, "state-changed", G_CALLBACK (state_changed_cb), self, 0);
    }
  return self;
}
