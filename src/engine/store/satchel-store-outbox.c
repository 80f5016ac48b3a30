/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-store-outbox.c: messages waiting to be sent, the address book,
 * and the senders trusted with remote content
 *
 * Copyright 2026 The Satchel authors
 *
 * A message is in the outbox from the moment the user sends it until the
 * SMTP server accepted it. Its state says what the user sees: queued
 * (waits for its next attempt), sending, failed (the server refused it,
 * last_error has its words), unknown (the connection broke after the
 * whole message went out: it is not sent again unless the user asks).
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <unistd.h>

#include "mime/satchel-gmime.h"
#include "satchel-store-outbox.h"

void
satchel_outbox_item_free (SatchelOutboxItem *item)
{
  if (item == NULL)
    return;
  g_free (item->subject);
  g_free (item->mail_from);
  g_strfreev (item->recipients);
  g_free (item->state);
  g_free (item->last_error);
  g_free (item);
}

/* Who sends a message: "boot id:process id:start time" of a process, or
 * NULL when it cannot be told (no /proc). The start time tells a process
 * from a later one that was given the same id. */
static char *
process_identity (GPid pid)
{
  g_autofree char *boot_id = NULL;
  g_autofree char *stat_path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_name;

  if (!g_file_get_contents ("/proc/sys/kernel/random/boot_id", &boot_id, NULL, NULL) ||
      !g_file_get_contents (stat_path, &stat, NULL, NULL))
    return NULL;
  /* "pid (name) state ppid ...": the name may hold spaces and ")". The
   * start time is the 22nd field, the 20th after the name. */
  after_name = strrchr (stat, ')');
  if (after_name == NULL)
    return NULL;
  fields = g_strsplit (after_name + 1, " ", 22);
  if (g_strv_length (fields) < 22)
    return NULL;
  return g_strdup_printf ("%s:%d:%s", g_strstrip (boot_id), (int) pid, fields[20]);
}

/* Whether the process that @sender names still runs. */
static gboolean
sender_alive (const char *sender)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *now = NULL;
  guint64 pid;

  if (sender == NULL)
    return FALSE;
  parts = g_strsplit (sender, ":", 3);
  if (g_strv_length (parts) != 3 ||
      !g_ascii_string_to_unsigned (parts[1], 10, 1, G_MAXINT, &pid, NULL))
    return FALSE;
  now = process_identity ((GPid) pid);
  return g_strcmp0 (now, sender) == 0;
}

gint64
satchel_store_outbox_add (SatchelStore       *store,
                          gint64              account_id,
                          GBytes             *raw,
                          const char         *subject,
                          const char         *mail_from,
                          const char * const *recipients,
                          gint64              now,
                          GError            **error)
{
  g_autofree char *joined = g_strjoinv ("\n", (char **) recipients);
  sqlite3_stmt *stmt = satchel_store_prepare (store,
    "INSERT INTO outbox (account_id, raw, subject, mail_from, recipients, created) "
    "VALUES (?, ?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_blob64 (stmt, 2, g_bytes_get_data (raw, NULL), g_bytes_get_size (raw),
                       SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, subject != NULL ? subject : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, mail_from, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, joined, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, now);
  if (!satchel_store_run (store, stmt, error))
    return 0;
  return satchel_store_last_insert_id (store);
}

/**
 * satchel_store_outbox_list:
 * @account_id: one account's, or 0 for all
 *
 * Returns: (transfer full) (element-type SatchelOutboxItem): oldest first
 */
GPtrArray *
satchel_store_outbox_list (SatchelStore  *store,
                           gint64         account_id,
                           GError       **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_outbox_item_free);
  sqlite3_stmt *stmt = satchel_store_prepare (store,
    "SELECT id, account_id, subject, mail_from, recipients, state, attempts, last_error, "
    "  next_attempt, created, sender FROM outbox WHERE ?1 = 0 OR account_id = ?1 ORDER BY id",
    error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  while ((rc = satchel_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      SatchelOutboxItem *item = g_new0 (SatchelOutboxItem, 1);

      item->id = sqlite3_column_int64 (stmt, 0);
      item->account_id = sqlite3_column_int64 (stmt, 1);
      item->subject = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      item->mail_from = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      item->recipients = g_strsplit ((const char *) sqlite3_column_text (stmt, 4), "\n", -1);
      item->state = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      item->attempts = sqlite3_column_int (stmt, 6);
      item->last_error = g_strdup ((const char *) sqlite3_column_text (stmt, 7));
      item->next_attempt = sqlite3_column_int64 (stmt, 8);
      item->created = sqlite3_column_int64 (stmt, 9);
      item->sender_alive = g_str_equal (item->state, "sending") &&
                           sender_alive ((const char *) sqlite3_column_text (stmt, 10));
      g_ptr_array_add (items, item);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&items);
}

GBytes *
satchel_store_outbox_get_raw (SatchelStore  *store,
                              gint64         id,
                              GError       **error)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store, "SELECT raw FROM outbox WHERE id = ?", error);
  GBytes *raw = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (satchel_store_step (store, stmt, error) == SQLITE_ROW)
    raw = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
  sqlite3_reset (stmt);
  return raw;
}

/**
 * satchel_store_outbox_set_state:
 * @attempted: count one more attempt
 *
 * A message set "sending" is this process's until its next state.
 */
gboolean
satchel_store_outbox_set_state (SatchelStore  *store,
                                gint64         id,
                                const char    *state,
                                const char    *last_error,
                                gboolean       attempted,
                                gint64         next_attempt,
                                GError       **error)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store,
    "UPDATE outbox SET state = ?, last_error = ?, attempts = attempts + ?, next_attempt = ?, "
    "  sender = ? WHERE id = ?", error);
  g_autofree char *sender = g_str_equal (state, "sending") ? process_identity (getpid ()) : NULL;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, state, -1, SQLITE_STATIC);
  if (last_error != NULL)
    sqlite3_bind_text (stmt, 2, last_error, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 3, attempted ? 1 : 0);
  sqlite3_bind_int64 (stmt, 4, next_attempt);
  if (sender != NULL)
    sqlite3_bind_text (stmt, 5, sender, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, id);
  return satchel_store_run (store, stmt, error);
}

gboolean
satchel_store_outbox_remove (SatchelStore  *store,
                             gint64         id,
                             GError       **error)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store, "DELETE FROM outbox WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  return satchel_store_run (store, stmt, error);
}

/**
 * satchel_outbox_item_wants_run:
 * @now: the time, in seconds since the epoch
 *
 * Returns: whether an outbox run has something to do with @item now: it
 *   is queued and due, or a process that stopped left it "sending" (the
 *   run marks it "unknown", see satchel_store_outbox_interrupted()); not
 *   while the process that sends it runs
 */
gboolean
satchel_outbox_item_wants_run (const SatchelOutboxItem *item,
                               gint64                   now)
{
  return (g_str_equal (item->state, "queued") && item->next_attempt <= now) ||
         (g_str_equal (item->state, "sending") && !item->sender_alive);
}

/**
 * satchel_store_outbox_interrupted:
 *
 * A message left "sending" by a process that stopped may or may not have
 * been taken by the server: it becomes "unknown", never sent again by
 * itself. One that a running process sends (the window, while
 * satchel-cli runs) stays as it is.
 */
gboolean
satchel_store_outbox_interrupted (SatchelStore  *store,
                                  GError       **error)
{
  g_autoptr(GArray) stopped = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt = satchel_store_prepare (store,
    "SELECT id, sender FROM outbox WHERE state = 'sending'", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = satchel_store_step (store, stmt, error)) == SQLITE_ROW)
    if (!sender_alive ((const char *) sqlite3_column_text (stmt, 1)))
      {
        gint64 id = sqlite3_column_int64 (stmt, 0);

        g_array_append_val (stopped, id);
      }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return FALSE;

  for (guint i = 0; i < stopped->len; i++)
    {
      stmt = satchel_store_prepare (store,
        "UPDATE outbox SET state = 'unknown', last_error = ?, sender = NULL "
        "WHERE id = ? AND state = 'sending'", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, _("Satchel stopped while sending it; it may have been sent."),
                         -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, g_array_index (stopped, gint64, i));
      if (!satchel_store_run (store, stmt, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * satchel_store_note_contact:
 * @name: (nullable): the name that came with the address
 * @sent: how many messages the user wrote to it
 * @received: how many messages came from it
 *
 * Counts an address for completion: how often, how recently, with the
 * latest name.
 */
gboolean
satchel_store_note_contact (SatchelStore  *store,
                            const char    *address,
                            const char    *name,
                            guint          sent,
                            guint          received,
                            gint64         now,
                            GError       **error)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store,
    "INSERT INTO contact (address, name, times_sent, times_received, last_seen) "
    "VALUES (?1, coalesce (?2, ''), ?3, ?4, ?5) "
    "ON CONFLICT (address) DO UPDATE SET "
    "  name = CASE WHEN ?2 IS NOT NULL AND ?2 != '' THEN ?2 ELSE name END, "
    "  times_sent = times_sent + ?3, times_received = times_received + ?4, "
    "  last_seen = max (last_seen, ?5)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, address, -1, SQLITE_TRANSIENT);
  if (name != NULL)
    sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 3, sent);
  sqlite3_bind_int (stmt, 4, received);
  sqlite3_bind_int64 (stmt, 5, now);
  return satchel_store_run (store, stmt, error);
}

/* Each mailbox of @text ("Name <address>, ...") counted @times. */
static gboolean
note_mailboxes (SatchelStore  *store,
                const char    *text,
                gboolean       sent,
                guint          times,
                gint64         now,
                GError       **error)
{
  g_autoptr(InternetAddressList) list = internet_address_list_parse (NULL, text);

  for (int j = 0; list != NULL && j < internet_address_list_length (list) && j < 1000; j++)
    {
      InternetAddress *address = internet_address_list_get_address (list, j);
      const char *addr;

      if (!INTERNET_ADDRESS_IS_MAILBOX (address))
        continue;
      addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address));
      if (addr == NULL || strchr (addr, '@') == NULL)
        continue;
      if (!satchel_store_note_contact (store, addr, internet_address_get_name (address),
                                       sent ? times : 0, sent ? 0 : times, now, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * satchel_store_note_contact:
 * @name: (nullable): the name that came with the address
 * @sent: how many messages the user wrote to it
 * @received: how many messages came from it
 *
 * Counts an address for completion: how often, how recently, with the
 * latest name.
 */
gboolean
satchel_store_note_contacts (SatchelStore       *store,
                             const char * const *mailboxes,
                             gboolean            sent,
                             gint64              now,
                             GError            **error)
{
  satchel_gmime_ensure_init ();
  for (guint i = 0; mailboxes != NULL && mailboxes[i] != NULL; i++)
    if (!note_mailboxes (store, mailboxes[i], sent, 1, now, error))
      return FALSE;
  return TRUE;
}

/**
 * satchel_store_note_senders:
 * @senders: sender text ("Name <address>") → how many messages came from it
 *   (GUINT_TO_POINTER)
 *
 * Counts the senders of mail that arrived, once per sender for a batch.
 */
gboolean
satchel_store_note_senders (SatchelStore  *store,
                            GHashTable    *senders,
                            gint64         now,
                            GError       **error)
{
  GHashTableIter iter;
  gpointer sender, count;

  satchel_gmime_ensure_init ();
  g_hash_table_iter_init (&iter, senders);
  while (g_hash_table_iter_next (&iter, &sender, &count))
    if (!note_mailboxes (store, sender, FALSE, GPOINTER_TO_UINT (count), now, error))
      return FALSE;
  return TRUE;
}

/**
 * satchel_store_remote_content_allowed:
 * @address: a sender's address
 *
 * Returns: whether the user let mail from @address load remote content
 */
gboolean
satchel_store_remote_content_allowed (SatchelStore *store,
                                      const char   *address)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store, "SELECT 1 FROM remote_content_sender "
                                                     "WHERE address = ?", NULL);
  gboolean allowed;

  if (stmt == NULL || address == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, address, -1, SQLITE_TRANSIENT);
  allowed = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);
  return allowed;
}

/**
 * satchel_store_allow_remote_content:
 *
 * Lets mail from @address load remote content from now on.
 */
gboolean
satchel_store_allow_remote_content (SatchelStore  *store,
                                    const char    *address,
                                    GError       **error)
{
  sqlite3_stmt *stmt = satchel_store_prepare (store,
                                              "INSERT OR IGNORE INTO remote_content_sender "
                                              "(address, added) VALUES (?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, address, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time () / G_USEC_PER_SEC);
  return satchel_store_run (store, stmt, error);
}
