/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-test-utils.c: what the C tests share
 *
 * Copyright 2026 The Satchel authors
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "satchel-engine.h"
#include "satchel-test-utils.h"

void
satchel_test_init (int    *argc,
                   char ***argv)
{
  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  satchel_engine_init ();
}

/* A new private directory under the test's temporary directory. */
char *
satchel_test_make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *path = g_dir_make_tmp ("satchel-test-XXXXXX", &error);

  g_assert_no_error (error);
  return path;
}

void
satchel_test_remove_dir (const char *path)
{
  g_autoptr(GFile) dir = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        satchel_test_remove_dir (child);
      else
        g_unlink (child);
      g_object_unref (info);
    }
  g_rmdir (path);
}

/* Whether the private servers of tests/servers/ are up. Without them the
 * test is skipped, unless SATCHEL_TEST_REQUIRE_SERVERS says that they must
 * be (build-aux/test sets it), and then it fails. */
gboolean
satchel_test_require_servers (void)
{
  if (g_getenv ("SATCHEL_TEST_SERVERS") != NULL)
    return TRUE;
  if (g_getenv ("SATCHEL_TEST_REQUIRE_SERVERS") != NULL)
    g_error ("The test servers are not running: run the tests with build-aux/test");
  g_test_skip ("needs the test servers: run with build-aux/test");
  return FALSE;
}

GBytes *
satchel_test_read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

/**
 * satchel_test_finalize_soon:
 * @object: (transfer full): an object whose last reference is this one,
 *   or one that another thread is about to drop
 *
 * Like g_assert_finalize_object(), for objects that a thread may still
 * hold for a moment: a GTask returned from the store writer's thread is
 * released there after its callback ran here. Fails when the object is
 * still alive after five seconds, which is a leak.
 */
void
satchel_test_finalize_soon (gpointer object)
{
  gpointer weak = object;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  g_object_add_weak_pointer (G_OBJECT (object), &weak);
  g_object_unref (object);
  while (weak != NULL && g_get_monotonic_time () < deadline)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  if (weak != NULL)
    g_object_remove_weak_pointer (G_OBJECT (weak), &weak);
  g_assert_null (weak);
}

/* Runs tests/servers/mailctl with the arguments (NULL-terminated): the
 * server changed as another client would change it. */
void
satchel_test_mailctl (const char *first,
                      ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("SATCHEL_TEST_MAILCTL"));
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("mailctl %s failed: %s", first, err);
}

/**
 * satchel_test_query_int:
 *
 * Returns: the first column of the first row that @sql returns; the test
 *   fails when it returns none
 */
gint64
satchel_test_query_int (SatchelStore *store,
                        const char   *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = satchel_store_prepare (store, sql, &error);
  gint64 n;

  g_assert_no_error (error);
  g_assert_cmpint (satchel_store_step (store, stmt, &error), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return n;
}

/* What mailctl prints as JSON for @argv. */
static JsonNode *
mailctl_json (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status,
                &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  return json_node_copy (json_parser_get_root (parser));
}

/**
 * satchel_test_server_messages:
 *
 * Returns: (transfer full): what the server has in @folder, as another
 *   client sees it (mailctl messages): {uid, flags, size, message_id,
 *   sha256} by UID
 */
JsonArray *
satchel_test_server_messages (const char *user,
                              const char *password,
                              const char *folder)
{
  const char *argv[] = { g_getenv ("SATCHEL_TEST_MAILCTL"), "messages", user, password, folder,
                         NULL };
  g_autoptr(JsonNode) root = mailctl_json (argv);

  return json_array_ref (json_node_get_array (root));
}

/**
 * satchel_test_server_has_folder:
 *
 * Returns: whether the server lists @folder for @user
 */
gboolean
satchel_test_server_has_folder (const char *user,
                                const char *password,
                                const char *folder)
{
  const char *argv[] = { g_getenv ("SATCHEL_TEST_MAILCTL"), "folders", user, password, NULL };
  g_autoptr(JsonNode) root = mailctl_json (argv);
  JsonArray *folders = json_node_get_array (root);

  for (guint i = 0; i < json_array_get_length (folders); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (folders, i),
                                                  "name"), folder) == 0)
      return TRUE;
  return FALSE;
}

/**
 * satchel_test_open_store:
 * @email: the address of the account the store starts with (id 1)
 *
 * Returns: (transfer full): a new store in @dir with one IMAP account
 */
SatchelStore *
satchel_test_open_store (const char *dir,
                         const char *email)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "satchel.db", NULL);
  g_autofree char *sql = g_strdup_printf ("INSERT INTO account (uuid, label, email, kind, host, "
                                          "security, user, created) VALUES ('u1', 'Work', '%s', "
                                          "'imap', 'h', 'tls', 'a', 0)", email);
  SatchelStore *store = satchel_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_true (satchel_store_exec (store, sql, &error));
  g_assert_no_error (error);
  return store;
}
