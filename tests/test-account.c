/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-account.c: SatchelAccount and SatchelAccountList
 *
 * Copyright 2026 The Satchel authors
 */

#include "config.h"

#include <glib/gstdio.h>

#include "satchel-engine.h"
#include "satchel-test-utils.h"

typedef struct
{
  char         *dir;
  char         *path;
  SatchelStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = satchel_test_make_dir ();
  fixture->path = g_build_filename (fixture->dir, "satchel.db", NULL);
  fixture->store = satchel_store_open (fixture->path, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_finalize_object (fixture->store);
  satchel_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static SatchelAccount *
make_pop3_account (void)
{
  return g_object_new (SATCHEL_TYPE_ACCOUNT,
                       "kind", SATCHEL_ACCOUNT_KIND_POP3,
                       "email", "zoë@example.org",
                       "label", "Home",
                       "real-name", "Zoë Wilson",
                       "user", "zoe",
                       "host", "pop.example.org",
                       "port", 1995,
                       "security", SATCHEL_SECURITY_STARTTLS,
                       "smtp-host", "smtp.example.org",
                       "smtp-port", 2525,
                       "smtp-security", SATCHEL_SECURITY_TLS,
                       "smtp-user", "zoe-out",
                       "leave-on-server", TRUE,
                       "delete-after", TRUE,
                       "delete-after-days", 30,
                       "delete-when-deleted", TRUE,
                       "check-interval", 5,
                       NULL);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static void
test_account_defaults (void)
{
  g_autoptr(SatchelAccount) imap = satchel_account_new (SATCHEL_ACCOUNT_KIND_IMAP, "ada@example.org");
  g_autoptr(SatchelAccount) pop3 = satchel_account_new (SATCHEL_ACCOUNT_KIND_POP3, "ada@example.org");

  /* DESIGN.md: leave a copy on (a new user never loses mail), delete after
   * N days off with N = 14, delete when deleted here off. */
  g_assert_true (satchel_account_get_leave_on_server (pop3));
  g_assert_false (satchel_account_get_delete_after (pop3));
  g_assert_cmpuint (satchel_account_get_delete_after_days (pop3), ==, 14);
  g_assert_false (satchel_account_get_delete_when_deleted (pop3));
  g_assert_false (satchel_account_get_keep_offline (imap));
  g_assert_cmpuint (satchel_account_get_check_interval (imap), ==, 10);

  /* TLS by default, on the standard ports. */
  g_assert_cmpint (satchel_account_get_security (imap), ==, SATCHEL_SECURITY_TLS);
  g_assert_cmpuint (satchel_account_get_effective_port (imap), ==, 993);
  g_assert_cmpuint (satchel_account_get_effective_port (pop3), ==, 995);
  g_object_set (imap, "security", SATCHEL_SECURITY_STARTTLS, NULL);
  g_object_set (pop3, "security", SATCHEL_SECURITY_STARTTLS, NULL);
  g_assert_cmpuint (satchel_account_get_effective_port (imap), ==, 143);
  g_assert_cmpuint (satchel_account_get_effective_port (pop3), ==, 110);
  g_assert_cmpuint (satchel_account_get_effective_smtp_port (imap), ==, 465);
  g_object_set (imap, "smtp-security", SATCHEL_SECURITY_STARTTLS, NULL);
  g_assert_cmpuint (satchel_account_get_effective_smtp_port (imap), ==, 587);

  /* The label, login and outgoing login follow from the address. */
  g_assert_cmpstr (satchel_account_get_label (imap), ==, "ada@example.org");
  g_assert_cmpstr (satchel_account_get_user (imap), ==, "ada@example.org");
  g_assert_cmpstr (satchel_account_get_effective_smtp_user (imap), ==, "ada@example.org");
  g_assert_false (satchel_account_has_smtp (imap));
  g_assert_cmpuint (strlen (satchel_account_get_uuid (imap)), ==, 36);
  g_assert_cmpstr (satchel_account_get_uuid (imap), !=, satchel_account_get_uuid (pop3));
}

static void
test_account_notify_on_change_only (void)
{
  g_autoptr(SatchelAccount) account = satchel_account_new (SATCHEL_ACCOUNT_KIND_IMAP, "a@x.org");
  guint count = 0;

  g_signal_connect (account, "notify", G_CALLBACK (count_notify_cb), &count);
  g_object_set (account, "host", "imap.x.org", NULL);
  g_assert_cmpuint (count, ==, 1);
  g_object_set (account, "host", "imap.x.org", NULL);
  g_assert_cmpuint (count, ==, 1);
  g_object_set (account, "port", 143, "port", 143, NULL);
  g_assert_cmpuint (count, ==, 2);
  g_object_set (account, "keep-offline", FALSE, NULL);
  g_assert_cmpuint (count, ==, 2);
  g_object_set (account, "keep-offline", TRUE, NULL);
  g_assert_cmpuint (count, ==, 3);
  /* An empty optional setting is "not set". */
  g_object_set (account, "smtp-host", "", NULL);
  g_assert_cmpuint (count, ==, 3);
  g_assert_null (satchel_account_get_smtp_host (account));
}

static void
assert_invalid (SatchelAccount *account,
                gboolean        allow_insecure,
                int             code)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (satchel_account_validate (account, allow_insecure, &error));
  g_assert_error (error, SATCHEL_ACCOUNT_ERROR, code);
  g_assert_cmpuint (strlen (error->message), >, 10);
}

static void
test_account_validate (void)
{
  static const char *bad_addresses[] = {
    "", "alice", "alice@", "@example.org", "alice@@example.org", "alice example@x.org",
    "Alice <alice@x.org>", "alice@exa mple.org", "a@b@c.org", "alice@-x.org", "alice@x..org",
    "alice@x.org,bob@x.org", "alice@x.org\n",
  };
  static const char *good_addresses[] = {
    "alice@example.org", "alice.b+tag@mail.example.co.uk", "a@localhost", "zoë@bücher.example",
  };
  g_autoptr(SatchelAccount) account = satchel_account_new (SATCHEL_ACCOUNT_KIND_IMAP, "a@x.org");
  g_autoptr(GError) error = NULL;

  assert_invalid (account, FALSE, SATCHEL_ACCOUNT_ERROR_INVALID); /* no host */
  g_object_set (account, "host", "imap.x.org", NULL);
  g_assert_true (satchel_account_validate (account, FALSE, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (bad_addresses); i++)
    {
      g_object_set (account, "email", bad_addresses[i], NULL);
      g_test_message ("address: %s", bad_addresses[i]);
      assert_invalid (account, TRUE, SATCHEL_ACCOUNT_ERROR_INVALID);
    }
  for (guint i = 0; i < G_N_ELEMENTS (good_addresses); i++)
    {
      g_object_set (account, "email", good_addresses[i], NULL);
      g_test_message ("address: %s", good_addresses[i]);
      g_assert_true (satchel_account_validate (account, FALSE, &error));
      g_assert_no_error (error);
    }

  for (const char **host = (const char *[]) { "", "imap example.org", "-bad.org", "x..org",
                                              "a_very_long_label_that_goes_on_and_on_and_on_and_on_and_on_and_on.org",
                                              NULL };
       *host != NULL; host++)
    {
      g_object_set (account, "host", *host, NULL);
      assert_invalid (account, TRUE, SATCHEL_ACCOUNT_ERROR_INVALID);
    }
  for (const char **host = (const char *[]) { "127.0.0.1", "::1", "localhost", "mail.bücher.example",
                                              NULL };
       *host != NULL; host++)
    {
      g_object_set (account, "host", *host, NULL);
      g_assert_true (satchel_account_validate (account, FALSE, &error));
      g_assert_no_error (error);
    }

  /* A colour is #rrggbb, or none. */
  for (const char **color = (const char *[]) { "red", "#12345", "#1234567", "#12345g", "123456",
                                               NULL };
       *color != NULL; color++)
    {
      g_object_set (account, "color", *color, NULL);
      assert_invalid (account, TRUE, SATCHEL_ACCOUNT_ERROR_INVALID);
    }
  g_object_set (account, "color", "#3584e4", NULL);
  g_assert_true (satchel_account_validate (account, FALSE, &error));
  g_object_set (account, "color", NULL, NULL);

  /* No unencrypted server without the user's say-so, incoming or outgoing. */
  g_object_set (account, "security", SATCHEL_SECURITY_NONE, NULL);
  assert_invalid (account, FALSE, SATCHEL_ACCOUNT_ERROR_INSECURE);
  g_assert_true (satchel_account_validate (account, TRUE, &error));
  g_object_set (account, "security", SATCHEL_SECURITY_STARTTLS,
                "smtp-host", "smtp.x.org", "smtp-security", SATCHEL_SECURITY_NONE, NULL);
  assert_invalid (account, FALSE, SATCHEL_ACCOUNT_ERROR_INSECURE);
  g_object_set (account, "smtp-security", SATCHEL_SECURITY_STARTTLS, NULL);
  g_assert_true (satchel_account_validate (account, FALSE, &error));

  /* Outgoing settings without an outgoing server mean a mistake. */
  g_object_set (account, "smtp-host", NULL, NULL);
  assert_invalid (account, FALSE, SATCHEL_ACCOUNT_ERROR_INVALID);
  g_object_set (account, "smtp-security", SATCHEL_SECURITY_TLS, NULL);
  g_assert_true (satchel_account_validate (account, FALSE, &error));

  /* Settings of the other kind. */
  g_object_set (account, "leave-on-server", FALSE, NULL);
  assert_invalid (account, FALSE, SATCHEL_ACCOUNT_ERROR_INVALID);
  g_object_set (account, "leave-on-server", TRUE, "kind", SATCHEL_ACCOUNT_KIND_POP3,
                "keep-offline", TRUE, NULL);
  assert_invalid (account, FALSE, SATCHEL_ACCOUNT_ERROR_INVALID);
  g_object_set (account, "keep-offline", FALSE, "leave-on-server", FALSE, "delete-after", TRUE,
                NULL);
  assert_invalid (account, FALSE, SATCHEL_ACCOUNT_ERROR_INVALID);
  g_object_set (account, "leave-on-server", TRUE, NULL);
  g_assert_true (satchel_account_validate (account, FALSE, &error));

  /* A CA file must hold certificates. */
  g_object_set (account, "ca-file", "/nonexistent/ca.pem", NULL);
  assert_invalid (account, FALSE, SATCHEL_ACCOUNT_ERROR_INVALID);
  g_object_set (account, "ca-file", "relative.pem", NULL);
  assert_invalid (account, FALSE, SATCHEL_ACCOUNT_ERROR_INVALID);

  /* A label of only spaces names nothing. */
  g_object_set (account, "ca-file", NULL, "label", "   ", NULL);
  assert_invalid (account, FALSE, SATCHEL_ACCOUNT_ERROR_INVALID);
}

static void
assert_same_settings (SatchelAccount *a,
                      SatchelAccount *b)
{
  g_autofree GParamSpec **pspecs = NULL;
  guint n;

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (a), &n);
  for (guint i = 0; i < n; i++)
    {
      g_auto(GValue) va = G_VALUE_INIT;
      g_auto(GValue) vb = G_VALUE_INIT;

      g_value_init (&va, pspecs[i]->value_type);
      g_value_init (&vb, pspecs[i]->value_type);
      g_object_get_property (G_OBJECT (a), pspecs[i]->name, &va);
      g_object_get_property (G_OBJECT (b), pspecs[i]->name, &vb);
      g_test_message ("property %s", pspecs[i]->name);
      g_assert_cmpint (g_param_values_cmp (pspecs[i], &va, &vb), ==, 0);
    }
}

static void
test_account_dup (void)
{
  g_autoptr(SatchelAccount) account = make_pop3_account ();
  g_autoptr(SatchelAccount) copy = satchel_account_dup (account);

  assert_same_settings (account, copy);
  g_object_set (copy, "host", "other.example.org", NULL);
  g_assert_cmpstr (satchel_account_get_host (account), ==, "pop.example.org");
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  GString    *log)
{
  g_string_append_printf (log, "%u-%u+%u;", position, removed, added);
}

static void
test_account_list_persists (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelAccountList) list = NULL;
  g_autoptr(SatchelAccountList) reloaded = NULL;
  g_autoptr(SatchelAccount) pop3 = make_pop3_account ();
  g_autoptr(SatchelAccount) imap = satchel_account_new (SATCHEL_ACCOUNT_KIND_IMAP, "ada@example.org");
  g_autoptr(SatchelAccount) loaded = NULL;
  g_autoptr(GString) log = g_string_new (NULL);

  list = satchel_account_list_new (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (list)) == SATCHEL_TYPE_ACCOUNT);
  g_signal_connect (list, "items-changed", G_CALLBACK (items_changed_cb), log);

  g_object_set (imap, "host", "imap.example.org", "keep-offline", TRUE, NULL);
  g_assert_true (satchel_account_list_add (list, pop3, &error));
  g_assert_no_error (error);
  g_assert_true (satchel_account_list_add (list, imap, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (log->str, ==, "0-0+1;1-0+1;");
  g_assert_cmpint (satchel_account_get_id (pop3), >, 0);

  /* A second list over the same store, as the next run sees it: every
   * setting came back, in the same order. */
  reloaded = satchel_account_list_new (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reloaded)), ==, 2);
  loaded = g_list_model_get_item (G_LIST_MODEL (reloaded), 0);
  assert_same_settings (pop3, loaded);
  g_clear_object (&loaded);
  loaded = g_list_model_get_item (G_LIST_MODEL (reloaded), 1);
  assert_same_settings (imap, loaded);
  g_clear_object (&loaded);
  g_clear_object (&reloaded);

  /* A change of a property is saved at once, as a bound preferences row
   * would make it. */
  g_object_set (pop3, "delete-after-days", 7, "smtp-host", NULL, "smtp-port", 0,
                "smtp-user", NULL, "color", "#2ec27e", NULL);
  reloaded = satchel_account_list_new (fixture->store, &error);
  g_assert_no_error (error);
  loaded = g_list_model_get_item (G_LIST_MODEL (reloaded), 0);
  g_assert_cmpuint (satchel_account_get_delete_after_days (loaded), ==, 7);
  g_assert_cmpstr (satchel_account_get_color (loaded), ==, "#2ec27e");
  g_assert_null (satchel_account_get_smtp_host (loaded));
  assert_same_settings (pop3, loaded);
  g_clear_object (&loaded);
  g_clear_object (&reloaded);

  /* A POP3 account has its local folders from the start. */
  {
    sqlite3_stmt *stmt = satchel_store_prepare (fixture->store,
                                                "SELECT group_concat (name || ':' || role || ':' "
                                                "  || local_only, ' ') FROM "
                                                "  (SELECT * FROM folder WHERE account_id = ? "
                                                "   ORDER BY name)", &error);

    sqlite3_bind_int64 (stmt, 1, satchel_account_get_id (pop3));
    g_assert_cmpint (satchel_store_step (fixture->store, stmt, &error), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==,
                     "Drafts:drafts:1 INBOX:inbox:1 Sent:sent:1 Trash:trash:1");
    sqlite3_reset (stmt);
  }

  /* Removing takes the row and everything under it. */
  g_assert_true (satchel_store_exec (fixture->store,
                                     "INSERT INTO folder (account_id, name) "
                                     "SELECT id, 'INBOX' FROM account WHERE kind = 'imap'",
                                     &error));
  g_assert_true (satchel_account_list_remove (list, pop3, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (log->str, ==, "0-0+1;1-0+1;0-1+0;");
  reloaded = satchel_account_list_new (fixture->store, &error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reloaded)), ==, 1);
  {
    sqlite3_stmt *stmt = satchel_store_prepare (fixture->store, "SELECT count(*) FROM folder",
                                                &error);

    g_assert_cmpint (satchel_store_step (fixture->store, stmt, &error), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1);
    sqlite3_reset (stmt);
  }

  g_clear_object (&reloaded);
  g_clear_object (&list);
}

static void
test_account_list_names (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelAccountList) list = satchel_account_list_new (fixture->store, &error);
  g_autoptr(SatchelAccount) work = satchel_account_new (SATCHEL_ACCOUNT_KIND_IMAP, "Ada@Example.org");
  g_autoptr(SatchelAccount) twin = satchel_account_new (SATCHEL_ACCOUNT_KIND_POP3, "ada@example.org");
  g_autoptr(SatchelAccount) other = satchel_account_new (SATCHEL_ACCOUNT_KIND_POP3, "bob@example.org");

  g_object_set (work, "host", "imap.example.org", "label", "Work", NULL);
  g_object_set (twin, "host", "pop.example.org", NULL);
  g_object_set (other, "host", "pop.example.org", NULL);
  g_assert_true (satchel_account_list_add (list, work, &error));

  /* By address (any case) or by label. */
  g_assert_true (satchel_account_list_lookup (list, "ada@example.org") == work);
  g_assert_true (satchel_account_list_lookup (list, "Work") == work);
  g_assert_null (satchel_account_list_lookup (list, "Home"));
  g_assert_null (satchel_account_list_find (list, "Home", &error));
  g_assert_error (error, SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A second account for the same address, or a label that names
   * another account, would make names ambiguous. */
  g_assert_false (satchel_account_list_add (list, twin, &error));
  g_assert_error (error, SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_DUPLICATE);
  g_clear_error (&error);
  g_object_set (other, "label", "Work", NULL);
  g_assert_false (satchel_account_list_add (list, other, &error));
  g_assert_error (error, SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_DUPLICATE);
  g_clear_error (&error);
  g_object_set (other, "label", "Ada@example.org", NULL);
  g_assert_false (satchel_account_list_add (list, other, &error));
  g_assert_error (error, SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_DUPLICATE);
  g_clear_error (&error);
  g_object_set (other, "label", "Home", NULL);
  g_assert_true (satchel_account_list_add (list, other, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);

  /* An account may keep its own name when it changes. */
  g_assert_true (satchel_account_list_check_unique (list, work, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  satchel_test_init (&argc, &argv);

  g_test_add_func ("/account/defaults", test_account_defaults);
  g_test_add_func ("/account/notify-on-change-only", test_account_notify_on_change_only);
  g_test_add_func ("/account/validate", test_account_validate);
  g_test_add_func ("/account/dup", test_account_dup);
  g_test_add ("/account-list/persists", Fixture, NULL, fixture_set_up,
              test_account_list_persists, fixture_tear_down);
  g_test_add ("/account-list/names", Fixture, NULL, fixture_set_up,
              test_account_list_names, fixture_tear_down);

  return g_test_run ();
}
