/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-imap-sync.c: the IMAP sync engine against the real Dovecot
 *
 * Copyright 2026 The Satchel authors
 *
 * The CLI suite checks sync end to end as a user would; this drives the
 * engine directly, so that it also runs under AddressSanitizer and
 * UndefinedBehaviorSanitizer: a full sync with bodies, changes both ways,
 * and IDLE.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "imap/satchel-imap-parser.h"
#include "imap/satchel-imap-session.h"
#include "net/satchel-connection.h"
#include "satchel-engine.h"
#include "satchel-test-utils.h"

typedef struct
{
  char               *dir;
  char               *path;
  SatchelStore       *store;
  SatchelStoreWriter *writer;
  SatchelAccount     *account;
  char               *user;
  char               *password;
} Fixture;

/* Puts the message @raw in @folder on the server, as another client. */
static void
append_raw (Fixture    *fixture,
            const char *folder,
            const char *raw)
{
  g_autofree char *path = g_build_filename (fixture->dir, "append.eml", NULL);

  g_assert_true (g_file_set_contents (path, raw, -1, NULL));
  satchel_test_mailctl ("append", fixture->user, fixture->password, folder, path, NULL);
}

/* What the server has in @folder, as another client sees it. */
static JsonArray *
server_messages (Fixture    *fixture,
                 const char *folder)
{
  return satchel_test_server_messages (fixture->user, fixture->password, folder);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelAccountList) list = NULL;
  static guint counter;

  if (g_getenv ("SATCHEL_TEST_SERVERS") == NULL)
    return;
  fixture->dir = satchel_test_make_dir ();
  fixture->path = g_build_filename (fixture->dir, "satchel.db", NULL);
  fixture->store = satchel_store_open (fixture->path, &error);
  g_assert_no_error (error);
  fixture->writer = satchel_store_writer_new (fixture->path, &error);
  g_assert_no_error (error);
  fixture->user = g_strdup_printf ("sync%dx%u", (int) getpid (), ++counter);
  fixture->password = g_strconcat ("pw-", fixture->user, NULL);

  fixture->account = satchel_account_new (SATCHEL_ACCOUNT_KIND_IMAP, "someone@example.org");
  g_object_set (fixture->account,
                "host", "localhost",
                "port", (guint) g_ascii_strtoull (g_getenv ("SATCHEL_TEST_IMAPS_PORT"), NULL, 10),
                "user", fixture->user,
                "ca-file", g_getenv ("SATCHEL_TEST_CA"),
                NULL);
  list = satchel_account_list_new (fixture->store, &error);
  g_assert_true (satchel_account_list_add (list, fixture->account, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->dir == NULL)
    return;
  g_clear_object (&fixture->account);
  satchel_test_finalize_soon (fixture->writer);
  g_assert_finalize_object (fixture->store);
  satchel_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->user);
  g_free (fixture->password);
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
count_new_cb (SatchelImapSync   *sync,
              SatchelNewMessage *message,
              guint             *count)
{
  g_assert_cmpint (message->id, >, 0);
  g_assert_nonnull (message->subject);
  (*count)++;
}

static guint
run_sync (Fixture              *fixture,
          SatchelImapSyncFlags  flags)
{
  g_autoptr(SatchelImapSync) sync = satchel_imap_sync_new (fixture->account, fixture->password,
                                                           fixture->writer, flags);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint added = 0;

  g_signal_connect (sync, "new-message", G_CALLBACK (count_new_cb), &added);
  satchel_imap_sync_run_async (sync, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (satchel_imap_sync_run_finish (sync, result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (satchel_imap_sync_get_phase (sync), ==, SATCHEL_SYNC_PHASE_DONE);
  return added;
}

static SatchelFolderRow *
folder_row (Fixture    *fixture,
            const char *name,
            GPtrArray **keep)
{
  g_autoptr(GError) error = NULL;

  *keep = satchel_query_folders (fixture->store, satchel_account_get_id (fixture->account), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < (*keep)->len; i++)
    if (g_str_equal (((SatchelFolderRow *) g_ptr_array_index (*keep, i))->name, name))
      return g_ptr_array_index (*keep, i);
  g_error ("no folder %s", name);
  return NULL;
}

/* The message with @uid in @folder here; it lives as long as *@keep. */
static SatchelMessageRow *
local_row_of_uid (Fixture     *fixture,
                  const char  *folder,
                  guint32      uid,
                  GPtrArray  **keep)
{
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GError) error = NULL;
  SatchelFolderRow *row = folder_row (fixture, folder, &folders);

  *keep = satchel_query_messages (fixture->store, row->id, 0, TRUE, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < (*keep)->len; i++)
    if (((SatchelMessageRow *) g_ptr_array_index (*keep, i))->uid == uid)
      return g_ptr_array_index (*keep, i);
  g_error ("no UID %u in %s", uid, folder);
  return NULL;
}

static gint64
local_id_of_uid (Fixture    *fixture,
                 const char *folder,
                 guint32     uid)
{
  g_autoptr(GPtrArray) keep = NULL;

  return local_row_of_uid (fixture, folder, uid, &keep)->id;
}

static guint
local_flags_of_uid (Fixture    *fixture,
                    const char *folder,
                    guint32     uid)
{
  g_autoptr(GPtrArray) keep = NULL;

  return local_row_of_uid (fixture, folder, uid, &keep)->flags;
}

static void
test_sync_full (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) inbox = NULL;
  g_autoptr(GBytes) body = NULL;
  SatchelFolderRow *row;

  if (!satchel_test_require_servers ())
    return;

  /* Some large enough to come apart from their headers. */
  satchel_test_mailctl ("fill", fixture->user, "INBOX", "120", "--attachment-every", "9",
                        "--seen-every", "4", "--large-every", "40", NULL);
  satchel_test_mailctl ("fill", fixture->user, "Archive", "3", "--seed", "5", NULL);

  /* The first sync brings old mail: no "new mail" for it. */
  g_assert_cmpuint (run_sync (fixture, SATCHEL_IMAP_SYNC_BODIES), ==, 0);
  row = folder_row (fixture, "INBOX", &folders);
  g_assert_cmpuint (row->total, ==, 120);
  g_assert_cmpuint (row->unread, ==, 90);
  g_assert_cmpint (row->role, ==, SATCHEL_FOLDER_ROLE_INBOX);

  rows = satchel_query_messages (fixture->store, row->id, 1, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (((SatchelMessageRow *) g_ptr_array_index (rows, 0))->uid, ==, 120);
  g_assert_true (((SatchelMessageRow *) g_ptr_array_index (rows, 0))->body_cached);
  body = satchel_store_get_body (fixture->store, ((SatchelMessageRow *) g_ptr_array_index (rows, 0))->id,
                                 &error);
  g_assert_nonnull (body);
  inbox = server_messages (fixture, "INBOX");
  g_assert_cmpuint (json_array_get_length (inbox), ==, 120);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (inbox, 119), "size"),
                   ==, g_bytes_get_size (body));
  /* Every body, small or large, is here whole. */
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = satchel_query_messages (fixture->store, row->id, 0, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 120);
  for (guint i = 0; i < rows->len; i++)
    {
      SatchelMessageRow *message = g_ptr_array_index (rows, i);
      g_autoptr(GBytes) cached = satchel_store_get_body (fixture->store, message->id, &error);

      g_assert_no_error (error);
      g_assert_nonnull (cached);
      g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (inbox, i),
                                                   "size"), ==, g_bytes_get_size (cached));
    }

  /* Again: nothing new. */
  g_assert_cmpuint (run_sync (fixture, 0), ==, 0);

  /* Mail that arrives later is new. */
  append_raw (fixture, "INBOX", "From: a@example.org\r\nSubject: Later\r\n"
                                "Message-ID: <later@satchel.test>\r\n\r\nHi\r\n");
  g_assert_cmpuint (run_sync (fixture, 0), ==, 1);
}

static SatchelImapFetch *
parse_fetch (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelImapResponse) response = satchel_imap_parse_response (text, strlen (text),
                                                                         &error);
  SatchelImapFetch *fetch;

  g_assert_no_error (error);
  fetch = satchel_imap_fetch_parse (response, &error);
  g_assert_no_error (error);
  return fetch;
}

/* FETCH responses are not tied to the command that asked: a server may
 * send the flags another client changed, or a preview, before the header
 * of the same message, in the same batch. Neither may stand in for the
 * header, nor take the message's flags away. */
static void
test_sync_fetches_apart (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = satchel_test_make_dir ();
  g_autoptr(SatchelStore) store = satchel_test_open_store (dir, "a@example.org");
  g_autoptr(SatchelMessageRow) row = NULL;
  SatchelFetchBatch *batch;
  SatchelFolderInfo folder = { 0 };
  gpointer added;

  folder.account_id = 1;
  folder.name = (char *) "INBOX";
  folder.id = satchel_store_save_folder (store, &folder, &error);
  g_assert_no_error (error);

  batch = satchel_fetch_batch_new (folder.id, "INBOX");
  g_ptr_array_add (batch->fetches, parse_fetch ("* 1 FETCH (UID 7 FLAGS (\\Seen))\r\n"));
  g_ptr_array_add (batch->fetches, parse_fetch ("* 1 FETCH (UID 7 PREVIEW \"Hello\")\r\n"));
  g_ptr_array_add (batch->fetches, parse_fetch (
    "* 1 FETCH (UID 7 FLAGS (\\Flagged) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" "
    "RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700\" \"Plans\" "
    "((\"Ada\" NIL \"ada\" \"example.org\")) NIL NIL NIL NIL NIL NIL \"<m7@x>\"))\r\n"));
  g_ptr_array_add (batch->fetches, parse_fetch ("* 1 FETCH (UID 7 FLAGS (\\Flagged \\Seen))\r\n"));
  added = satchel_job_add_messages (store, batch, &error);
  g_assert_no_error (error);
  g_assert_nonnull (added);
  g_ptr_array_unref (added);
  satchel_fetch_batch_free (batch);

  g_assert_cmpint (satchel_test_query_int (store, "SELECT count(*) FROM message"), ==, 1);
  row = satchel_query_message (store, satchel_test_query_int (store, "SELECT id FROM message"),
                               &error);
  g_assert_no_error (error);
  g_assert_cmpstr (row->subject, ==, "Plans");
  g_assert_cmpstr (row->from, ==, "Ada <ada@example.org>");
  g_assert_cmpuint (row->flags, ==, SATCHEL_FLAG_FLAGGED | SATCHEL_FLAG_SEEN);
  g_clear_object (&store);
  satchel_test_remove_dir (dir);
}

/* A sync lists the queued changes when it starts. A message moved here
 * after that is still in its old folder on the server, and the sync's
 * header fetch finds it there "new": it must not come back to the
 * folder it left (it did, until the move reached the server: seen as
 * two results of one search in /window/imap). */
static void
test_sync_moved_meanwhile (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = satchel_test_make_dir ();
  g_autoptr(SatchelStore) store = satchel_test_open_store (dir, "a@example.org");
  const char *header = "* 1 FETCH (UID 7 FLAGS () INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" "
                       "RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700\" \"Plans\" "
                       "((\"Ada\" NIL \"ada\" \"example.org\")) NIL NIL NIL NIL NIL NIL "
                       "\"<m7@x>\"))\r\n";
  SatchelFetchBatch *batch;
  SatchelFolderInfo inbox = { 0 };
  SatchelFolderInfo archive = { 0 };
  gint64 moved;
  gpointer added;

  inbox.account_id = archive.account_id = 1;
  inbox.name = (char *) "INBOX";
  inbox.uidvalidity = archive.uidvalidity = 9;
  inbox.selectable = archive.selectable = TRUE;
  inbox.id = satchel_store_save_folder (store, &inbox, &error);
  archive.name = (char *) "Archive";
  archive.id = satchel_store_save_folder (store, &archive, &error);
  g_assert_no_error (error);
  g_assert_true (satchel_store_set_folder_state (store, inbox.id, 9, 8, 0, &error));
  g_assert_true (satchel_store_set_folder_state (store, archive.id, 9, 1, 0, &error));

  batch = satchel_fetch_batch_new (inbox.id, "INBOX");
  g_ptr_array_add (batch->fetches, parse_fetch (header));
  added = satchel_job_add_messages (store, batch, &error);
  g_assert_no_error (error);
  g_ptr_array_unref (added);
  satchel_fetch_batch_free (batch);
  moved = satchel_test_query_int (store, "SELECT id FROM message");

  /* Moved here; the change waits for the server. */
  satchel_mail_move (store, moved, "Archive", &error);
  g_assert_no_error (error);

  /* The sync that began before it fetches the Inbox's "new" UID 7. */
  batch = satchel_fetch_batch_new (inbox.id, "INBOX");
  g_ptr_array_add (batch->fetches, parse_fetch (header));
  added = satchel_job_add_messages (store, batch, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (((GPtrArray *) added)->len, ==, 0);
  g_ptr_array_unref (added);
  satchel_fetch_batch_free (batch);

  g_assert_cmpint (satchel_test_query_int (store, "SELECT count (*) FROM message"), ==, 1);
  g_assert_cmpint (satchel_test_query_int (store, "SELECT folder_id FROM message"), ==,
                   archive.id);
  g_clear_object (&store);
  satchel_test_remove_dir (dir);
}

/* @text with every run of white space as one space. */
static char *
collapse_spaces (const char *text)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p))
        {
          if (out->len > 0 && out->str[out->len - 1] != ' ')
            g_string_append_c (out, ' ');
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* A header sync asks the server for the previews of the newest messages,
 * which the list shows first, after their headers; the others get theirs
 * from their bodies. A preview is the start of the message's text. */
static void
test_sync_previews (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  SatchelFolderRow *row;
  guint with_preview = 0;

  if (!satchel_test_require_servers ())
    return;

  satchel_test_mailctl ("fill", fixture->user, "INBOX", "300", NULL);
  run_sync (fixture, 0);
  row = folder_row (fixture, "INBOX", &folders);
  rows = satchel_query_messages (fixture->store, row->id, 0, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 300);
  for (guint i = 0; i < rows->len; i++)
    {
      SatchelMessageRow *message = g_ptr_array_index (rows, i);

      /* By UID: the newest 250 have one, the rest not yet. */
      g_assert_cmpuint (message->uid, ==, i + 1);
      if (message->uid > 50)
        {
          g_assert_nonnull (message->preview);
          g_assert_cmpuint (strlen (message->preview), >, 20);
          with_preview++;
        }
      else
        g_assert_null (message->preview);
    }
  g_assert_cmpuint (with_preview, ==, 250);

  /* With the bodies here, each preview is the start of its text. */
  run_sync (fixture, SATCHEL_IMAP_SYNC_BODIES);
  for (guint i = 299; i >= 50; i -= 49)
    {
      SatchelMessageRow *message = g_ptr_array_index (rows, i);
      g_autoptr(GBytes) body = satchel_store_get_body (fixture->store, message->id, &error);
      g_autofree char *raw = NULL;
      g_autofree char *text = NULL;

      g_assert_no_error (error);
      g_assert_nonnull (body);
      raw = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
      g_assert_nonnull (strstr (raw, "\r\n\r\n"));
      text = collapse_spaces (strstr (raw, "\r\n\r\n") + 4);
      g_assert_true (g_str_has_prefix (text, message->preview));
    }
}

static void
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
}

/* COMPRESS=DEFLATE against Dovecot: the session asks for it only away
 * from loopback unless told, both directions work once it is on, and a
 * whole sync with bodies over it gives every byte. */
static void
test_sync_compress (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SatchelConnection) connection = NULL;
  g_autoptr(SatchelImapSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(SatchelImapResult) reply = NULL;
  g_autoptr(SatchelImapCommand) command = NULL;
  g_autoptr(JsonArray) inbox = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *status = NULL;
  SatchelFolderRow *row;

  if (!satchel_test_require_servers ())
    return;
  satchel_test_mailctl ("fill", fixture->user, "INBOX", "30", "--attachment-every", "3", NULL);

  connection = satchel_connection_new ("localhost",
                                       g_ascii_strtoull (g_getenv ("SATCHEL_TEST_IMAPS_PORT"),
                                                         NULL, 10),
                                       SATCHEL_SECURITY_TLS);
  satchel_connection_set_ca_file (connection, g_getenv ("SATCHEL_TEST_CA"));
  session = satchel_imap_session_new (connection);
  satchel_imap_session_connect_async (session, NULL, store_result_cb, &result);
  wait_for (&result);
  g_assert_true (satchel_imap_session_connect_finish (session, result, &error));
  g_clear_object (&result);
  satchel_imap_session_login_async (session, fixture->user, fixture->password, NULL,
                                    store_result_cb, &result);
  wait_for (&result);
  g_assert_true (satchel_imap_session_login_finish (session, result, &error));
  g_clear_object (&result);
  g_assert_true (satchel_imap_session_has_capability (session, "COMPRESS=DEFLATE"));
  g_assert_true (satchel_connection_is_local (connection));

  /* Loopback: not by default. */
  g_unsetenv ("SATCHEL_IMAP_COMPRESS");
  satchel_imap_session_compress_async (session, NULL, store_result_cb, &result);
  wait_for (&result);
  g_assert_false (satchel_imap_session_compress_finish (session, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_false (satchel_connection_is_compressed (connection));

  g_setenv ("SATCHEL_IMAP_COMPRESS", "always", TRUE);
  satchel_imap_session_compress_async (session, NULL, store_result_cb, &result);
  wait_for (&result);
  g_assert_true (satchel_imap_session_compress_finish (session, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_true (satchel_connection_is_compressed (connection));

  /* Both ways: a command the server must read, an answer we must inflate. */
  command = satchel_imap_command_new ("STATUS");
  satchel_imap_command_add_mailbox (command, "INBOX", -1);
  satchel_imap_command_add_atom (command, "(MESSAGES UIDNEXT)");
  satchel_imap_command_collect (command, "STATUS");
  satchel_imap_session_run_async (session, g_steal_pointer (&command), NULL, store_result_cb,
                                  &result);
  wait_for (&result);
  reply = satchel_imap_session_run_finish (session, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpint (reply->tagged->status, ==, SATCHEL_IMAP_STATUS_OK);
  g_assert_cmpuint (reply->untagged->len, ==, 1);
  status = satchel_imap_value_to_string (satchel_imap_value_get_item (
             ((SatchelImapResponse *) g_ptr_array_index (reply->untagged, 0))->data, 2));
  g_assert_cmpstr (status, ==, "(MESSAGES 30 UIDNEXT 31)");

  /* A whole sync with bodies, compressed. */
  run_sync (fixture, SATCHEL_IMAP_SYNC_BODIES);
  g_unsetenv ("SATCHEL_IMAP_COMPRESS");
  inbox = server_messages (fixture, "INBOX");
  row = folder_row (fixture, "INBOX", &folders);
  rows = satchel_query_messages (fixture->store, row->id, 0, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 30);
  for (guint i = 0; i < rows->len; i++)
    {
      SatchelMessageRow *message = g_ptr_array_index (rows, i);
      g_autoptr(GBytes) body = satchel_store_get_body (fixture->store, message->id, &error);

      g_assert_no_error (error);
      g_assert_nonnull (body);
      g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (inbox, i),
                                                   "size"), ==, g_bytes_get_size (body));
    }
}

/* Conversations: replies join their first message's thread by In-Reply-To
 * (a header sync fetches no References), whatever the order in which they
 * arrive, the folder they are in and the length of the chain; a reply
 * whose parent is missing joins by the References of its cached body. */
static gint64
message_thread (Fixture    *fixture,
                const char *message_id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT thread_id FROM message WHERE message_id = '%s'",
                                          message_id);

  return satchel_test_query_int (fixture->store, sql);
}

static void
test_sync_threads (Fixture       *fixture,
                   gconstpointer  data)
{
  static const struct { const char *folder; const char *id; const char *headers; } mail[] = {
    /* A reply that arrives before its parent. */
    { "INBOX", "<r2@t>", "In-Reply-To: <r1@t>\r\nReferences: <root@t> <r1@t>\r\n" },
    { "INBOX", "<root@t>", "" },
    { "INBOX", "<r1@t>", "In-Reply-To: <root@t>\r\nReferences: <root@t>\r\n" },
    /* A client that sets only In-Reply-To. */
    { "INBOX", "<bare@t>", "In-Reply-To: <r1@t>\r\n" },
    /* The user's own reply, in another folder. */
    { "Sent", "<mine@t>", "In-Reply-To: <r2@t>\r\nReferences: <root@t> <r1@t> <r2@t>\r\n" },
    { "INBOX", "<other@t>", "" },
    /* Three deep, newest first, and a parent that never came. */
    { "INBOX", "<r3@t>", "In-Reply-To: <r2@t>\r\nReferences: <root@t> <r1@t> <r2@t>\r\n" },
    { "INBOX", "<far@t>", "In-Reply-To: <gone@t>\r\nReferences: <root@t>\r\n <gone@t>\r\n" },
  };
  g_autoptr(GHashTable) threads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  gint64 root_thread;

  if (!satchel_test_require_servers ())
    return;

  /* The bare reply comes in a later sync, when its parent is here. */
  for (guint i = 0; i < G_N_ELEMENTS (mail); i++)
    {
      g_autofree char *raw = NULL;

      if (g_str_equal (mail[i].id, "<bare@t>"))
        continue;
      raw = g_strdup_printf ("From: a@example.org\r\nSubject: Plans\r\nMessage-ID: %s\r\n%s\r\n"
                             "Text\r\n", mail[i].id, mail[i].headers);
      append_raw (fixture, mail[i].folder, raw);
    }
  run_sync (fixture, 0);
  append_raw (fixture, "INBOX", "From: b@example.org\r\nSubject: Re: Plans\r\n"
                                "Message-ID: <bare@t>\r\nIn-Reply-To: <r1@t>\r\n\r\nText\r\n");
  run_sync (fixture, 0);
  g_assert_cmpint (message_thread (fixture, "<far@t>"), !=, message_thread (fixture, "<root@t>"));
  g_assert_cmpint (message_thread (fixture, "<r3@t>"), ==, message_thread (fixture, "<root@t>"));

  /* The body's References bring the orphan home. */
  run_sync (fixture, SATCHEL_IMAP_SYNC_BODIES);
  g_assert_true (satchel_index_all_bodies (fixture->store, NULL, &error));
  g_assert_no_error (error);

  for (guint f = 0; f < 2; f++)
    {
      g_autoptr(GPtrArray) folders = NULL;
      g_autoptr(GPtrArray) rows = NULL;
      SatchelFolderRow *row = folder_row (fixture, f == 0 ? "INBOX" : "Sent", &folders);

      rows = satchel_query_messages (fixture->store, row->id, 0, TRUE, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < rows->len; i++)
        {
          SatchelMessageRow *message = g_ptr_array_index (rows, i);

          g_assert_cmpint (message->thread_id, !=, 0);
          g_hash_table_insert (threads, g_strdup (message->message_id),
                               GSIZE_TO_POINTER ((gsize) message->thread_id));
        }
    }
  g_assert_cmpuint (g_hash_table_size (threads), ==, G_N_ELEMENTS (mail));
  root_thread = (gint64) GPOINTER_TO_SIZE (g_hash_table_lookup (threads, "<root@t>"));
  for (guint i = 0; i < G_N_ELEMENTS (mail); i++)
    {
      gint64 thread = (gint64) GPOINTER_TO_SIZE (g_hash_table_lookup (threads, mail[i].id));

      g_test_message ("%s: thread %" G_GINT64_FORMAT, mail[i].id, thread);
      if (g_str_equal (mail[i].id, "<other@t>"))
        g_assert_cmpint (thread, !=, root_thread);
      else
        g_assert_cmpint (thread, ==, root_thread);
    }
}

/* Opening a message that is not cached: its body alone comes, beside
 * any other run, and the others stay uncached. */
static void
test_sync_wanted_body (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(SatchelImapSync) sync = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  const SatchelMessageRow *wanted;
  const SatchelMessageRow *other;
  SatchelFolderRow *inbox;

  if (!satchel_test_require_servers ())
    return;
  append_raw (fixture, "INBOX", "Subject: first\r\n\r\nThe first text\r\n");
  append_raw (fixture, "INBOX", "Subject: second\r\n\r\nThe second text\r\n");
  run_sync (fixture, 0);
  inbox = folder_row (fixture, "INBOX", &folders);
  rows = satchel_query_messages (fixture->store, inbox->id, 0, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 2);
  wanted = g_ptr_array_index (rows, 0);
  other = g_ptr_array_index (rows, 1);
  if (g_str_equal (wanted->subject, "first"))
    {
      const SatchelMessageRow *swap = wanted;

      wanted = other;
      other = swap;
    }
  g_assert_false (wanted->body_cached);

  sync = satchel_imap_sync_new (fixture->account, fixture->password, fixture->writer,
                                SATCHEL_IMAP_SYNC_WANTED_ONLY);
  satchel_imap_sync_want_bodies (sync, &wanted->id, 1);
  satchel_imap_sync_run_async (sync, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (satchel_imap_sync_run_finish (sync, result, &error));
  g_assert_no_error (error);

  body = satchel_store_get_body (fixture->store, wanted->id, &error);
  g_assert_nonnull (body);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                  "The second text"));
  g_assert_null (satchel_store_get_body (fixture->store, other->id, &error));
  g_assert_no_error (error);
}

/* A word only in a body that is not cached: the store cannot find it,
 * the server's SEARCH does, in any folder; with an operator too. */
static void
test_sync_server_search (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) local = NULL;
  g_autoptr(GError) error = NULL;
  struct { const char *query; gint64 folder; guint expected; } searches[] = {
    { "zebracorn", 0, 2 },
    { "zebracorn from:carol", 0, 1 },
    { "zebracorn is:starred", 0, 0 },
    { "nothing-like-it", 0, 0 },
  };

  if (!satchel_test_require_servers ())
    return;
  append_raw (fixture, "INBOX", "From: ada@example.org\r\nSubject: Notes\r\n\r\n"
                                "The zebracorn is back\r\n");
  append_raw (fixture, "Archive", "From: carol@example.org\r\nSubject: Old notes\r\n\r\n"
                                  "A zebracorn, again\r\n");
  append_raw (fixture, "INBOX", "From: bob@example.org\r\nSubject: Other\r\n\r\nNothing\r\n");
  run_sync (fixture, 0);
  local = satchel_query_search (fixture->store, "zebracorn", 0, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (local->len, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (searches); i++)
    {
      g_autoptr(SatchelImapSync) sync = satchel_imap_sync_new (fixture->account, fixture->password,
                                                               fixture->writer,
                                                               SATCHEL_IMAP_SYNC_WANTED_ONLY);
      g_autoptr(GAsyncResult) result = NULL;
      GArray *found;

      satchel_imap_sync_search_server (sync, searches[i].folder, searches[i].query);
      satchel_imap_sync_run_async (sync, NULL, store_result_cb, &result);
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);
      g_assert_true (satchel_imap_sync_run_finish (sync, result, &error));
      g_assert_no_error (error);
      found = satchel_imap_sync_get_found (sync);
      g_test_message ("%s: %u found", searches[i].query, found->len);
      g_assert_cmpuint (found->len, ==, searches[i].expected);
      for (guint j = 0; j < found->len; j++)
        {
          g_autoptr(SatchelMessageRow) row = satchel_query_message (fixture->store,
                                                                    g_array_index (found, gint64, j),
                                                                    &error);

          g_assert_nonnull (row);
          g_assert_true (g_str_has_suffix (row->subject, "otes"));
        }
    }
}

/* The senders of synced mail fill the address book, names with commas
 * and all, counted once per message and not again on the next sync. */
static void
test_sync_contacts (Fixture       *fixture,
                    gconstpointer  data)
{
  if (!satchel_test_require_servers ())
    return;

  for (guint i = 0; i < 2; i++)
    append_raw (fixture, "INBOX", "From: \"Doe, Jane\" <Jane@Example.org>\r\n"
                                  "Subject: Lunch\r\n\r\nText\r\n");
  append_raw (fixture, "INBOX", "From: jane@example.org\r\nSubject: Later\r\n\r\nText\r\n");
  append_raw (fixture, "Sent", "From: bob@example.org\r\nSubject: Mine\r\n\r\nText\r\n");
  run_sync (fixture, 0);
  run_sync (fixture, 0);

  g_assert_cmpint (satchel_test_query_int (fixture->store, "SELECT count (*) FROM contact"), ==, 2);
  g_assert_cmpint (satchel_test_query_int (fixture->store,
                                           "SELECT times_received FROM contact "
                                           "WHERE address = 'jane@example.org' "
                                           "AND name = 'Doe, Jane'"), ==, 3);
  g_assert_cmpint (satchel_test_query_int (fixture->store,
                                           "SELECT times_received FROM contact "
                                           "WHERE address = 'bob@example.org'"), ==, 1);
}

static void
test_sync_both_ways (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(JsonArray) inbox = NULL;
  g_autoptr(JsonArray) trash = NULL;
  g_autoptr(GError) error = NULL;
  SatchelFolderRow *row;

  if (!satchel_test_require_servers ())
    return;

  /* data: the capabilities to do without, as servers without them do. */
  if (data != NULL)
    g_setenv ("SATCHEL_IMAP_IGNORE", data, TRUE);

  satchel_test_mailctl ("fill", fixture->user, "INBOX", "10", NULL);
  run_sync (fixture, 0);

  /* Here: read, deleted (to the Trash), a new folder; delivered. */
  g_assert_true (satchel_mail_change_flags (fixture->store, local_id_of_uid (fixture, "INBOX", 1),
                                            SATCHEL_FLAG_SEEN | SATCHEL_FLAG_FLAGGED, 0, &error));
  g_assert_true (satchel_mail_delete (fixture->store, local_id_of_uid (fixture, "INBOX", 2),
                                      &error));
  g_assert_true (satchel_mail_create_folder (fixture->store, fixture->account, "Projekte/Äpfel",
                                             &error));
  g_assert_no_error (error);
  g_assert_cmpuint (satchel_store_count_ops (fixture->store,
                                             satchel_account_get_id (fixture->account), NULL),
                    ==, 3);
  run_sync (fixture, SATCHEL_IMAP_SYNC_CHANGES_ONLY);
  g_assert_cmpuint (satchel_store_count_ops (fixture->store,
                                             satchel_account_get_id (fixture->account), NULL),
                    ==, 0);

  inbox = server_messages (fixture, "INBOX");
  trash = server_messages (fixture, "Trash");
  g_assert_cmpuint (json_array_get_length (inbox), ==, 9);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_array_get_object_element (inbox, 0), "flags")), ==, 2);
  g_assert_cmpuint (json_array_get_length (trash), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (trash, 0),
                                                  "message_id"), ==, "<gen.0.2@satchel.test>");

  /* There: a new message, an expunge and flags; fetched. */
  satchel_test_mailctl ("expunge", fixture->user, fixture->password, "INBOX", "5", NULL);
  satchel_test_mailctl ("flag", fixture->user, fixture->password, "INBOX", "3", "+\\Flagged", NULL);
  satchel_test_mailctl ("flag", fixture->user, fixture->password, "INBOX", "1", "--", "-\\Seen",
                        NULL);
  for (int i = 0; i < 2; i++)
    {
      g_autofree char *raw_path = g_build_filename (fixture->dir, "apple.eml", NULL);
      g_autofree char *raw = g_strdup_printf ("From: a@example.org\r\nSubject: Apple %d\r\n"
                                              "Message-ID: <apple%d@satchel.test>\r\n\r\n"
                                              "Crisp\r\n", i, i);

      g_assert_true (g_file_set_contents (raw_path, raw, -1, NULL));
      satchel_test_mailctl ("append", fixture->user, fixture->password, "Projekte/Äpfel", raw_path,
                            NULL);
    }
  run_sync (fixture, 0);
  row = folder_row (fixture, "INBOX", &folders);
  g_assert_cmpuint (row->total, ==, 8);
  g_clear_pointer (&folders, g_ptr_array_unref);
  row = folder_row (fixture, "Projekte/Äpfel", &folders);
  g_assert_cmpuint (row->total, ==, 2);
  g_assert_cmpuint (local_flags_of_uid (fixture, "INBOX", 3) & SATCHEL_FLAG_FLAGGED, !=, 0);
  g_assert_cmpuint (local_flags_of_uid (fixture, "INBOX", 1),
                    ==, SATCHEL_FLAG_FLAGGED);
  g_unsetenv ("SATCHEL_IMAP_IGNORE");
}

typedef struct
{
  GMainLoop *loop;
  guint      seen;
  gboolean   watching;
} WatchState;

static void
watch_new_cb (SatchelImapSync   *sync,
              SatchelNewMessage *message,
              WatchState        *state)
{
  if (!state->watching)
    return;
  g_assert_nonnull (strstr (message->subject, "#77"));
  g_assert_cmpstr (message->folder, ==, "INBOX");
  state->seen++;
  g_main_loop_quit (state->loop);
}

static void
watch_phase_cb (SatchelImapSync *sync,
                GParamSpec      *pspec,
                WatchState      *state)
{
  if (satchel_imap_sync_get_phase (sync) == SATCHEL_SYNC_PHASE_WATCHING && !state->watching)
    {
      state->watching = TRUE;
      g_main_loop_quit (state->loop);
    }
}

static void
watch_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (satchel_imap_sync_watch_finish (SATCHEL_IMAP_SYNC (source), result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_main_loop_quit (user_data);
}

static gboolean
give_up_cb (gpointer user_data)
{
  g_error ("no new message through IDLE within 20 seconds");
  return G_SOURCE_REMOVE;
}

static void
test_sync_idle (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(SatchelImapSync) sync = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *raw_path = NULL;
  WatchState state = { loop, 0, FALSE };
  guint timeout;

  if (!satchel_test_require_servers ())
    return;

  satchel_test_mailctl ("fill", fixture->user, "INBOX", "2", NULL);
  sync = satchel_imap_sync_new (fixture->account, fixture->password, fixture->writer, 0);
  g_signal_connect (sync, "new-message", G_CALLBACK (watch_new_cb), &state);
  g_signal_connect (sync, "notify::phase", G_CALLBACK (watch_phase_cb), &state);
  satchel_imap_sync_watch_async (sync, cancellable, watch_done_cb, loop);
  timeout = g_timeout_add_seconds (20, give_up_cb, NULL);
  g_main_loop_run (loop);
  g_assert_true (state.watching);

  /* Another client delivers a message: it comes through IDLE. */
  raw_path = g_build_filename (fixture->dir, "new.eml", NULL);
  g_assert_true (g_file_set_contents (raw_path,
                                      "From: Eve <eve@example.org>\r\nTo: x@example.org\r\n"
                                      "Subject: Arrived #77\r\nMessage-ID: <77@satchel.test>\r\n"
                                      "\r\nHello\r\n", -1, NULL));
  satchel_test_mailctl ("append", fixture->user, fixture->password, "INBOX", raw_path, NULL);
  g_main_loop_run (loop);
  g_assert_cmpuint (state.seen, ==, 1);
  g_source_remove (timeout);

  g_cancellable_cancel (cancellable);
  g_main_loop_run (loop);

  /* What was in flight winds down through the main loop, and then the
   * sync lets go of the writer. */
  {
    SatchelImapSync *weak = sync;
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    g_object_add_weak_pointer (G_OBJECT (weak), (gpointer *) &weak);
    g_clear_object (&sync);
    while (weak != NULL && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, FALSE);
    g_assert_null (weak);
  }
}

/* The application's doorbell: IDLE on the Inbox on a connection of its
 * own, ringing when another client delivers mail or changes a flag
 * there; a wrong password ends it with the server's refusal. */
typedef struct
{
  guint    rang;
  guint    flags_rang;   /* rings for flag changes alone */
  guint    gone_rang;    /* rings that named messages gone, by UID */
  guint64  gone;         /* the UID the last of those named */
  guint    ended;
  guint    listened;
  gboolean missed;
  GError  *error;
} Doorbell;

static void
doorbell_listening_cb (SatchelImapDoorbell *doorbell,
                       gboolean             missed,
                       Doorbell            *state)
{
  state->listened++;
  state->missed = missed;
}

static void
doorbell_rang_cb (SatchelImapDoorbell *doorbell,
                  GArray              *flag_changes,
                  GArray              *vanished,
                  Doorbell            *state)
{
  state->rang++;
  g_assert_true ((flag_changes == NULL) == (vanished == NULL));
  if (flag_changes == NULL)
    return;
  g_assert_cmpuint (flag_changes->len, <=, 1);
  if (flag_changes->len == 1)
    g_assert_cmpuint (g_array_index (flag_changes, guint64, 0), >, 0);
  if (vanished->len == 0)
    state->flags_rang++;
  else
    {
      g_assert_cmpuint (vanished->len, ==, 1);
      state->gone = g_array_index (vanished, guint64, 0);
      state->gone_rang++;
    }
}

static void
doorbell_ended_cb (SatchelImapDoorbell *doorbell,
                   const GError        *error,
                   Doorbell            *state)
{
  state->ended++;
  g_clear_error (&state->error);
  state->error = error != NULL ? g_error_copy (error) : NULL;
}

static void
iterate_until (gboolean (*done) (gpointer), gpointer data, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("waited 10 s in vain for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
doorbell_listening (gpointer doorbell)
{
  return satchel_imap_doorbell_is_listening (doorbell);
}

static gboolean
has_listened (gpointer state)
{
  return ((Doorbell *) state)->listened > 0;
}

/* Whether a new watch on the Inbox says that it may have missed
 * something since the store's last sync of it. */
static gboolean
watch_missed (Fixture *fixture)
{
  g_autoptr(SatchelImapDoorbell) doorbell = satchel_imap_doorbell_new (fixture->account,
                                                                       fixture->writer);
  Doorbell state = { 0 };

  g_signal_connect (doorbell, "listening", G_CALLBACK (doorbell_listening_cb), &state);
  satchel_imap_doorbell_start (doorbell, fixture->password);
  iterate_until (has_listened, &state, "the watch to listen");
  satchel_imap_doorbell_stop (doorbell);
  g_assert_no_error (state.error);
  satchel_test_finalize_soon (g_steal_pointer (&doorbell));
  return state.missed;
}

static gboolean
rang_once (gpointer state)
{
  return ((Doorbell *) state)->rang >= 1;
}

static gboolean
rang_twice (gpointer state)
{
  return ((Doorbell *) state)->rang >= 2;
}

static gboolean
rang_for_gone (gpointer state)
{
  return ((Doorbell *) state)->gone_rang >= 1;
}

static gboolean
has_ended (gpointer state)
{
  return ((Doorbell *) state)->ended > 0;
}

static void
test_sync_doorbell (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SatchelImapDoorbell) doorbell = NULL;
  g_autoptr(SatchelImapDoorbell) refused = NULL;
  Doorbell state = { 0 };
  Doorbell refused_state = { 0 };

  if (!satchel_test_require_servers ())
    return;

  satchel_test_mailctl ("fill", fixture->user, "INBOX", "2", NULL);
  doorbell = satchel_imap_doorbell_new (fixture->account, fixture->writer);
  g_signal_connect (doorbell, "rang", G_CALLBACK (doorbell_rang_cb), &state);
  g_signal_connect (doorbell, "ended", G_CALLBACK (doorbell_ended_cb), &state);
  satchel_imap_doorbell_start (doorbell, fixture->password);
  iterate_until (doorbell_listening, doorbell, "the doorbell to listen");
  g_assert_cmpuint (state.rang, ==, 0);

  append_raw (fixture, "INBOX", "From: Eve <eve@example.org>\r\nSubject: Arrived\r\n"
                                "\r\nHello\r\n");
  iterate_until (rang_once, &state, "a ring for new mail");
  g_assert_cmpuint (state.flags_rang, ==, 0);
  satchel_test_mailctl ("flag", fixture->user, fixture->password, "INBOX", "1", "+\\Flagged",
                        NULL);
  iterate_until (rang_twice, &state, "a ring for a flag");
  g_assert_cmpuint (state.flags_rang, ==, 1);
  g_assert_true (satchel_imap_doorbell_is_listening (doorbell));
  /* Nothing of another folder. */
  append_raw (fixture, "Trash", "From: Eve <eve@example.org>\r\nSubject: Gone\r\n\r\nBye\r\n");
  g_usleep (G_USEC_PER_SEC);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (state.rang, ==, 2);
  /* Mail gone, named by its UID: the watch has QRESYNC on (VANISHED). */
  satchel_test_mailctl ("expunge", fixture->user, fixture->password, "INBOX", "2", NULL);
  iterate_until (rang_for_gone, &state, "a ring for mail gone");
  g_assert_cmpuint (state.gone, ==, 2);

  satchel_imap_doorbell_stop (doorbell);
  g_assert_cmpuint (state.ended, ==, 1);
  g_assert_no_error (state.error);
  g_assert_false (satchel_imap_doorbell_is_listening (doorbell));

  refused = satchel_imap_doorbell_new (fixture->account, fixture->writer);
  g_signal_connect (refused, "ended", G_CALLBACK (doorbell_ended_cb), &refused_state);
  satchel_imap_doorbell_start (refused, "not the password");
  iterate_until (has_ended, &refused_state, "the refused login to end it");
  g_assert_error (refused_state.error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_AUTH_FAILED);
  g_clear_error (&refused_state.error);
  satchel_test_finalize_soon (g_steal_pointer (&doorbell));
  satchel_test_finalize_soon (g_steal_pointer (&refused));

  /* What changed before a watch listened rang nothing: it says whether
   * the Inbox is still as the last sync left it. */
  g_assert_true (watch_missed (fixture));   /* never synced */
  run_sync (fixture, 0);
  g_assert_false (watch_missed (fixture));
  satchel_test_mailctl ("flag", fixture->user, fixture->password, "INBOX", "1", "--",
                        "-\\Flagged", NULL);
  g_assert_true (watch_missed (fixture));
  run_sync (fixture, 0);
  g_assert_false (watch_missed (fixture));
  append_raw (fixture, "INBOX", "From: Eve <eve@example.org>\r\nSubject: Unrung\r\n\r\nHi\r\n");
  g_assert_true (watch_missed (fixture));
  run_sync (fixture, 0);
  satchel_test_mailctl ("expunge", fixture->user, fixture->password, "INBOX", "1", NULL);
  g_assert_true (watch_missed (fixture));
  run_sync (fixture, 0);
  g_assert_false (watch_missed (fixture));
}

/* The application's mail service keeps the Inbox watched: when the
 * server drops the watch's connection (doveadm kick, as a restart
 * would), it is back within seconds; mail that came during the break is
 * checked for as it listens again, and mail that comes then at once (the
 * service checks only hourly here). A watch that starts right after a
 * check does not repeat it, and a flag changed here does not start one.
 * A change of the account's server ends the watch on the old one. */
typedef struct
{
  SatchelMailService *service;
  SatchelAccount     *account;
  Fixture            *fixture;
  gboolean            syncing;
  guint               checks;
  guint               wanted;   /* for checked_enough() */
} Watched;

static void
count_checks_cb (SatchelMailService *service,
                 SatchelAccount     *account,
                 Watched            *watched)
{
  gboolean syncing = satchel_mail_service_get_state (service, account, NULL) ==
                     SATCHEL_ACCOUNT_STATE_SYNCING;

  if (syncing && !watched->syncing)
    watched->checks++;
  watched->syncing = syncing;
}

static void
iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
watching (gpointer data)
{
  Watched *watched = data;

  return satchel_mail_service_is_watching (watched->service, watched->account);
}

static gboolean
not_watching (gpointer data)
{
  return !watching (data);
}

static gboolean
arrived (Watched    *watched,
         const char *subject)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM message WHERE subject = '%s'",
                                          subject);

  return satchel_test_query_int (watched->fixture->store, sql) == 1;
}

static gboolean
seen_on_server (gpointer data)
{
  Watched *watched = data;
  g_autoptr(JsonArray) messages = server_messages (watched->fixture, "INBOX");
  JsonArray *flags = json_object_get_array_member (json_array_get_object_element (messages, 0),
                                                   "flags");

  for (guint i = 0; i < json_array_get_length (flags); i++)
    if (g_str_equal (json_array_get_string_element (flags, i), "\\Seen"))
      return TRUE;
  return FALSE;
}

static gboolean
deleted_on_server (gpointer data)
{
  Watched *watched = data;
  g_autoptr(JsonArray) messages = server_messages (watched->fixture, "INBOX");

  return json_array_get_length (messages) == 2;
}

static gboolean
checked_enough (gpointer data)
{
  return ((Watched *) data)->checks >= ((Watched *) data)->wanted && !((Watched *) data)->syncing;
}

static gboolean
has_arrived_during (gpointer data)
{
  return arrived (data, "During the break");
}

static gboolean
has_arrived_after (gpointer data)
{
  return arrived (data, "After the break");
}

static void
test_sync_watch_reconnects (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelAccountList) list = NULL;
  g_autoptr(SatchelSecrets) secrets = satchel_secrets_new ();
  g_autoptr(SatchelMailService) service = NULL;
  g_autoptr(SatchelAccount) account = NULL;
  Watched watched;
  int status = 0;
  char *kick[] = { (char *) "doveadm", (char *) "-c", NULL, (char *) "kick", NULL, NULL };

  if (!satchel_test_require_servers ())
    return;
  satchel_test_mailctl ("fill", fixture->user, "INBOX", "3", NULL);
  list = satchel_account_list_new (fixture->store, &error);
  g_assert_no_error (error);
  account = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_true (satchel_secrets_store_sync (secrets, satchel_account_get_uuid (account),
                                             "someone@example.org", SATCHEL_SECRET_INCOMING,
                                             fixture->password, NULL, &error));
  g_assert_no_error (error);
  service = satchel_mail_service_new (fixture->path, list, secrets);
  watched = (Watched) { service, account, fixture };
  g_signal_connect (service, "state-changed", G_CALLBACK (count_checks_cb), &watched);
  satchel_mail_service_start (service, 3600);
  iterate_until (watching, &watched, "the Inbox to be watched");
  iterate_for (1500);
  g_assert_cmpuint (watched.checks, ==, 1);

  /* Read here, and deleted here: the server's word of each comes back
   * through the watch as of any change, and is not checked for. A flag
   * changed on another device is. */
  g_assert_true (satchel_mail_change_flags (fixture->store, local_id_of_uid (fixture, "INBOX", 1),
                                            SATCHEL_FLAG_SEEN, 0, &error));
  g_assert_no_error (error);
  satchel_mail_service_push (service, account);
  iterate_until (seen_on_server, &watched, "the message read on the server");
  iterate_for (1500);
  g_assert_cmpuint (watched.checks, ==, 1);
  g_assert_true (satchel_mail_delete (fixture->store, local_id_of_uid (fixture, "INBOX", 3),
                                      &error));
  g_assert_no_error (error);
  satchel_mail_service_push (service, account);
  iterate_until (deleted_on_server, &watched, "the message moved to the Trash on the server");
  iterate_for (1500);
  g_assert_cmpuint (watched.checks, ==, 1);
  satchel_test_mailctl ("flag", fixture->user, fixture->password, "INBOX", "2", "+\\Flagged",
                        NULL);
  watched.wanted = 2;
  iterate_until (checked_enough, &watched, "a check for another device's flag");
  g_assert_cmpint (satchel_test_query_int (fixture->store,
                                           "SELECT flags & 4 FROM message m JOIN folder f "
                                           "ON f.id = m.folder_id "
                                           "WHERE f.role = 'inbox' AND m.uid = 2"), !=, 0);
  /* And so is a message another device deleted. */
  satchel_test_mailctl ("expunge", fixture->user, fixture->password, "INBOX", "2", NULL);
  watched.wanted = 3;
  iterate_until (checked_enough, &watched, "a check for another device's deletion");
  g_assert_cmpint (satchel_test_query_int (fixture->store,
                                           "SELECT count (*) FROM message m JOIN folder f "
                                           "ON f.id = m.folder_id "
                                           "WHERE f.role = 'inbox' AND m.uid = 2"), ==, 0);

  kick[2] = (char *) g_getenv ("SATCHEL_TEST_DOVECOT_CONF");
  kick[4] = fixture->user;
  g_assert_true (g_spawn_sync (NULL, kick, NULL,
                               G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, NULL,
                               &status, &error));
  g_assert_no_error (error);
  iterate_until (not_watching, &watched, "the kicked watch to end");
  append_raw (fixture, "INBOX", "From: Eve <eve@example.org>\r\nSubject: During the break\r\n"
                                "\r\nHello\r\n");
  iterate_until (watching, &watched, "the watch to be back");
  iterate_until (has_arrived_during, &watched, "the mail that came during the break");
  g_assert_cmpuint (watched.checks, ==, 4);

  append_raw (fixture, "INBOX", "From: Eve <eve@example.org>\r\nSubject: After the break\r\n"
                                "\r\nHello\r\n");
  iterate_until (has_arrived_after, &watched, "the new mail through the watch");

  /* The account's server changed (as in the preferences, which check it
   * then): the watch on the old one goes, and the check that goes well
   * starts one again. */
  g_object_set (account, "host", "127.0.0.1", NULL);
  g_assert_false (watching (&watched));
  g_object_set (account, "host", "localhost", NULL);
  satchel_mail_service_check (service, account);
  iterate_until (watching, &watched, "the watch after the change");

  satchel_mail_service_stop (service);
  g_clear_object (&account);
  satchel_test_finalize_soon (g_steal_pointer (&service));
}

/* The server renumbered the Inbox (a new UIDVALIDITY): its messages come
 * again under their new UIDs, and none of them is announced as new mail;
 * what arrives after is. While they come, the Inbox counts as not brought
 * in whole, as before its first sync, so that the application's notifier
 * starts over too (satchel_query_inbox_last_id()). */
static void
test_sync_renumbered (Fixture       *fixture,
                      gconstpointer  data)
{
  gint64 account;

  if (!satchel_test_require_servers ())
    return;
  account = satchel_account_get_id (fixture->account);
  satchel_test_mailctl ("fill", fixture->user, "INBOX", "3", NULL);
  g_assert_cmpuint (run_sync (fixture, 0), ==, 0);
  g_assert_cmpint (satchel_query_inbox_last_id (fixture->store, account), >, 0);

  satchel_test_mailctl ("uidvalidity", fixture->user, "INBOX", "4242", NULL);
  g_assert_cmpuint (run_sync (fixture, 0), ==, 0);
  g_assert_cmpint (satchel_test_query_int (fixture->store,
                                           "SELECT uidvalidity FROM folder WHERE role = 'inbox'"),
                   ==, 4242);
  g_assert_cmpint (satchel_test_query_int (fixture->store,
                                           "SELECT count (*) FROM message m JOIN folder f "
                                           "ON f.id = m.folder_id WHERE f.role = 'inbox'"),
                   ==, 3);
  g_assert_cmpint (satchel_query_inbox_last_id (fixture->store, account), >, 0);

  append_raw (fixture, "INBOX", "From: Eve <eve@example.org>\r\nSubject: Fresh\r\n\r\nHi\r\n");
  g_assert_cmpuint (run_sync (fixture, 0), ==, 1);
}

/* A draft kept on the server, then replaced by its next version: the
 * server's Drafts hold the newest only, flagged \Draft. */
static void
test_sync_drafts (Fixture       *fixture,
                  gconstpointer  data)
{
  const char *one = "Subject: one\r\nMessage-ID: <d1@example.org>\r\n\r\nfirst\r\n";
  const char *two = "Subject: two\r\nMessage-ID: <d2@example.org>\r\n\r\nsecond\r\n";
  g_autoptr(GBytes) first = g_bytes_new_static (one, strlen (one));
  g_autoptr(GBytes) second = g_bytes_new_static (two, strlen (two));
  JsonArray *flags;
  gboolean is_draft = FALSE;
  g_autoptr(JsonArray) drafts = NULL;
  g_autoptr(GError) error = NULL;
  gint64 account;
  JsonObject *draft;
  gint64 id;

  if (!satchel_test_require_servers ())
    return;
  account = satchel_account_get_id (fixture->account);
  run_sync (fixture, 0);

  id = satchel_mail_save_draft (fixture->store, account, TRUE, first, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  run_sync (fixture, SATCHEL_IMAP_SYNC_CHANGES_ONLY);
  drafts = server_messages (fixture, "Drafts");
  g_assert_cmpuint (json_array_get_length (drafts), ==, 1);
  draft = json_array_get_object_element (drafts, 0);
  g_assert_cmpstr (json_object_get_string_member (draft, "message_id"), ==, "<d1@example.org>");
  g_clear_pointer (&drafts, json_array_unref);

  satchel_mail_save_draft (fixture->store, account, TRUE, second, id, &error);
  g_assert_no_error (error);
  run_sync (fixture, SATCHEL_IMAP_SYNC_CHANGES_ONLY);
  drafts = server_messages (fixture, "Drafts");
  g_assert_cmpuint (json_array_get_length (drafts), ==, 1);
  draft = json_array_get_object_element (drafts, 0);
  g_assert_cmpstr (json_object_get_string_member (draft, "message_id"), ==, "<d2@example.org>");
  flags = json_object_get_array_member (draft, "flags");
  for (guint i = 0; i < json_array_get_length (flags); i++)
    is_draft |= g_str_equal (json_array_get_string_element (flags, i), "\\Draft");
  g_assert_true (is_draft);
}

int
main (int   argc,
      char *argv[])
{
  satchel_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/imap-sync/full", test_sync_full);
  ADD ("/imap-sync/threads", test_sync_threads);
  ADD ("/imap-sync/previews", test_sync_previews);
  g_test_add_func ("/imap-sync/fetches-apart", test_sync_fetches_apart);
  g_test_add_func ("/imap-sync/moved-meanwhile", test_sync_moved_meanwhile);
  ADD ("/imap-sync/contacts", test_sync_contacts);
  ADD ("/imap-sync/wanted-body", test_sync_wanted_body);
  ADD ("/imap-sync/server-search", test_sync_server_search);
  ADD ("/imap-sync/compress", test_sync_compress);
  g_test_add ("/imap-sync/both-ways", Fixture, NULL, fixture_set_up, test_sync_both_ways,
              fixture_tear_down);
  g_test_add ("/imap-sync/both-ways/condstore-only", Fixture, "QRESYNC", fixture_set_up,
              test_sync_both_ways, fixture_tear_down);
  g_test_add ("/imap-sync/both-ways/neither", Fixture, "QRESYNC,CONDSTORE", fixture_set_up,
              test_sync_both_ways, fixture_tear_down);
  ADD ("/imap-sync/idle", test_sync_idle);
  ADD ("/imap-sync/doorbell", test_sync_doorbell);
  ADD ("/imap-sync/watch-reconnects", test_sync_watch_reconnects);
  ADD ("/imap-sync/renumbered", test_sync_renumbered);
  ADD ("/imap-sync/drafts", test_sync_drafts);

#undef ADD

  return g_test_run ();
}
