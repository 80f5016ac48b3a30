/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-secrets.c: passwords in the real keyring, and without one
 *
 * Copyright 2026 The Satchel authors
 *
 * Runs against the gnome-keyring-daemon that tests/servers/ starts on a
 * private session bus; the no-keyring cases run in a subprocess whose
 * session bus has no Secret Service at all.
 */

#include "config.h"

#include "satchel-engine.h"
#include "satchel-test-utils.h"

typedef struct
{
  GMainLoop *loop;
  GAsyncResult *result;
} Waiter;

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Waiter *waiter = user_data;

  waiter->result = g_object_ref (result);
  g_main_loop_quit (waiter->loop);
}

static GAsyncResult *
wait_for (Waiter *waiter)
{
  g_main_loop_run (waiter->loop);
  return waiter->result;
}

static void
waiter_clear (Waiter *waiter)
{
  g_clear_pointer (&waiter->loop, g_main_loop_unref);
  g_clear_object (&waiter->result);
}

static char *
random_uuid (void)
{
  return g_uuid_string_random ();
}

static void
test_secrets_keyring_async (void)
{
  g_autoptr(SatchelSecrets) secrets = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = random_uuid ();
  g_autofree char *other = random_uuid ();
  char *password;
  Waiter waiter = { g_main_loop_new (NULL, FALSE), NULL };

  if (!satchel_test_require_servers ())
    return;

  secrets = satchel_secrets_new ();

  satchel_secrets_store_async (secrets, uuid, "ada@example.org", SATCHEL_SECRET_INCOMING,
                               "in-pässword", NULL, done_cb, &waiter);
  g_assert_true (satchel_secrets_store_finish (secrets, wait_for (&waiter), &error));
  g_assert_no_error (error);
  g_clear_object (&waiter.result);
  satchel_secrets_store_async (secrets, uuid, "ada@example.org", SATCHEL_SECRET_OUTGOING,
                               "out-password", NULL, done_cb, &waiter);
  g_assert_true (satchel_secrets_store_finish (secrets, wait_for (&waiter), &error));
  g_clear_object (&waiter.result);
  g_assert_true (satchel_secrets_get_keyring_available (secrets));

  /* A new SatchelSecrets (a new run) finds them in the keyring, each
   * under its service. */
  g_clear_object (&secrets);
  secrets = satchel_secrets_new ();
  satchel_secrets_lookup_async (secrets, uuid, SATCHEL_SECRET_INCOMING, NULL, done_cb, &waiter);
  password = satchel_secrets_lookup_finish (secrets, wait_for (&waiter), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "in-pässword");
  satchel_password_free (password);
  g_clear_object (&waiter.result);
  satchel_secrets_lookup_async (secrets, uuid, SATCHEL_SECRET_OUTGOING, NULL, done_cb, &waiter);
  password = satchel_secrets_lookup_finish (secrets, wait_for (&waiter), &error);
  g_assert_cmpstr (password, ==, "out-password");
  satchel_password_free (password);
  g_clear_object (&waiter.result);

  /* Another account has none. */
  satchel_secrets_lookup_async (secrets, other, SATCHEL_SECRET_INCOMING, NULL, done_cb, &waiter);
  password = satchel_secrets_lookup_finish (secrets, wait_for (&waiter), &error);
  g_assert_no_error (error);
  g_assert_null (password);
  g_clear_object (&waiter.result);

  /* Clearing forgets both services. */
  satchel_secrets_clear_async (secrets, uuid, NULL, done_cb, &waiter);
  g_assert_true (satchel_secrets_clear_finish (secrets, wait_for (&waiter), &error));
  g_clear_object (&waiter.result);
  g_assert_null (satchel_secrets_lookup_sync (secrets, uuid, SATCHEL_SECRET_INCOMING, NULL, &error));
  g_assert_null (satchel_secrets_lookup_sync (secrets, uuid, SATCHEL_SECRET_OUTGOING, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (satchel_secrets_get_keyring_available (secrets));

  waiter_clear (&waiter);
}

static void
test_secrets_keyring_sync (void)
{
  g_autoptr(SatchelSecrets) secrets = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = random_uuid ();
  g_autoptr(SatchelPassword) password = NULL;

  if (!satchel_test_require_servers ())
    return;

  secrets = satchel_secrets_new ();
  g_assert_true (satchel_secrets_store_sync (secrets, uuid, "bob@example.org",
                                             SATCHEL_SECRET_INCOMING, "first", NULL, &error));
  g_assert_true (satchel_secrets_store_sync (secrets, uuid, "bob@example.org",
                                             SATCHEL_SECRET_INCOMING, "second", NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&secrets);

  secrets = satchel_secrets_new ();
  password = satchel_secrets_lookup_sync (secrets, uuid, SATCHEL_SECRET_INCOMING, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "second");
  g_assert_true (satchel_secrets_clear_sync (secrets, uuid, NULL, &error));
}

/* Runs in a subprocess whose session bus has no Secret Service. */
static void
no_keyring_child (void)
{
  g_autoptr(SatchelSecrets) secrets = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = random_uuid ();
  g_autoptr(SatchelPassword) password = NULL;
  Waiter waiter = { g_main_loop_new (NULL, FALSE), NULL };
  char *async_password;

  g_setenv ("DBUS_SESSION_BUS_ADDRESS", g_getenv ("SATCHEL_TEST_BARE_BUS_ADDRESS"), TRUE);
  secrets = satchel_secrets_new ();

  /* Nothing stored yet: no password, and no error for the caller. */
  g_assert_null (satchel_secrets_lookup_sync (secrets, uuid, SATCHEL_SECRET_INCOMING, NULL,
                                              &error));
  g_assert_no_error (error);
  g_assert_false (satchel_secrets_get_keyring_available (secrets));
  g_assert_nonnull (satchel_secrets_get_keyring_problem (secrets));
  g_assert_nonnull (strstr (satchel_secrets_get_keyring_problem (secrets), "this session only"));

  /* Storing still works, for this session. */
  satchel_secrets_store_async (secrets, uuid, "cy@example.org", SATCHEL_SECRET_INCOMING, "s3ss10n",
                               NULL, done_cb, &waiter);
  g_assert_true (satchel_secrets_store_finish (secrets, wait_for (&waiter), &error));
  g_assert_no_error (error);
  g_clear_object (&waiter.result);
  password = satchel_secrets_lookup_sync (secrets, uuid, SATCHEL_SECRET_INCOMING, NULL, &error);
  g_assert_cmpstr (password, ==, "s3ss10n");
  satchel_secrets_lookup_async (secrets, uuid, SATCHEL_SECRET_INCOMING, NULL, done_cb, &waiter);
  async_password = satchel_secrets_lookup_finish (secrets, wait_for (&waiter), &error);
  g_assert_cmpstr (async_password, ==, "s3ss10n");
  satchel_password_free (async_password);
  g_clear_object (&waiter.result);
  g_assert_null (satchel_secrets_lookup_sync (secrets, uuid, SATCHEL_SECRET_OUTGOING, NULL,
                                              &error));

  g_assert_true (satchel_secrets_clear_sync (secrets, uuid, NULL, &error));
  g_assert_null (satchel_secrets_lookup_sync (secrets, uuid, SATCHEL_SECRET_INCOMING, NULL,
                                              &error));
  waiter_clear (&waiter);
}

/* The same when the first thing done is to store, asynchronously, and the
 * failure is found then. */
static void
no_keyring_store_first_child (void)
{
  g_autoptr(SatchelSecrets) secrets = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelPassword) password = NULL;
  g_autofree char *uuid = random_uuid ();
  Waiter waiter = { g_main_loop_new (NULL, FALSE), NULL };

  g_setenv ("DBUS_SESSION_BUS_ADDRESS", g_getenv ("SATCHEL_TEST_BARE_BUS_ADDRESS"), TRUE);
  secrets = satchel_secrets_new ();
  g_assert_true (satchel_secrets_get_keyring_available (secrets));
  satchel_secrets_store_async (secrets, uuid, "cy@example.org", SATCHEL_SECRET_OUTGOING, "out",
                               NULL, done_cb, &waiter);
  g_assert_true (satchel_secrets_store_finish (secrets, wait_for (&waiter), &error));
  g_assert_no_error (error);
  g_assert_false (satchel_secrets_get_keyring_available (secrets));
  password = satchel_secrets_lookup_sync (secrets, uuid, SATCHEL_SECRET_OUTGOING, NULL, &error);
  g_assert_cmpstr (password, ==, "out");
  waiter_clear (&waiter);
}

static void
test_secrets_no_keyring (void)
{
  if (!satchel_test_require_servers ())
    return;

  if (g_test_subprocess ())
    {
      no_keyring_child ();
      return;
    }
  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_secrets_no_keyring_store_first (void)
{
  if (!satchel_test_require_servers ())
    return;

  if (g_test_subprocess ())
    {
      no_keyring_store_first_child ();
      return;
    }
  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  satchel_test_init (&argc, &argv);

  g_test_add_func ("/secrets/keyring/async", test_secrets_keyring_async);
  g_test_add_func ("/secrets/keyring/sync", test_secrets_keyring_sync);
  g_test_add_func ("/secrets/no-keyring/lookup-first", test_secrets_no_keyring);
  g_test_add_func ("/secrets/no-keyring/store-first", test_secrets_no_keyring_store_first);

  return g_test_run ();
}
