/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-login-check.c: the connection layer and the three sessions, logging
 * in to the real Dovecot and SMTP server of the test run
 *
 * Copyright 2026 The Satchel authors
 *
 * satchel-cli's tests drive the same code as a user would; this one runs
 * it inside the engine suite, so that it also runs under AddressSanitizer
 * and UndefinedBehaviorSanitizer.
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "satchel-engine.h"
#include "satchel-test-utils.h"

typedef struct
{
  char         *dir;
  SatchelStore *store;
  char         *user;
  char         *password;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  static guint counter;

  fixture->dir = satchel_test_make_dir ();
  path = g_build_filename (fixture->dir, "satchel.db", NULL);
  fixture->store = satchel_store_open (path, &error);
  g_assert_no_error (error);
  /* Every user name exists on the test servers, with "pw-" + name. */
  fixture->user = g_strdup_printf ("check%dx%u", (int) getpid (), ++counter);
  fixture->password = g_strconcat ("pw-", fixture->user, NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_finalize_object (fixture->store);
  satchel_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->user);
  g_free (fixture->password);
}

static guint16
port (const char *name)
{
  g_autofree char *var = g_strdup_printf ("SATCHEL_TEST_%s_PORT", name);

  return (guint16) g_ascii_strtoull (g_getenv (var), NULL, 10);
}

static SatchelAccount *
make_account (Fixture            *fixture,
              SatchelAccountKind  kind,
              const char         *port_name,
              SatchelSecurity     security)
{
  SatchelAccount *account = satchel_account_new (kind, "someone@example.org");

  g_object_set (account,
                "host", "localhost",
                "port", port (port_name),
                "security", security,
                "user", fixture->user,
                "ca-file", g_getenv ("SATCHEL_TEST_CA"),
                NULL);
  return account;
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static char *
run_check (Fixture              *fixture,
           SatchelAccount       *account,
           SatchelSecretService  service,
           const char           *password,
           SatchelCertificate  **rejected,
           GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  satchel_login_check_async (account, service, password, fixture->store, NULL, store_result_cb,
                             &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return satchel_login_check_finish (result, rejected, error);
}

static void
test_login_every_protocol (Fixture       *fixture,
                           gconstpointer  data)
{
  static const struct {
    SatchelAccountKind kind;
    const char *port;
    SatchelSecurity security;
  } cases[] = {
    { SATCHEL_ACCOUNT_KIND_IMAP, "IMAPS", SATCHEL_SECURITY_TLS },
    { SATCHEL_ACCOUNT_KIND_IMAP, "IMAP", SATCHEL_SECURITY_STARTTLS },
    { SATCHEL_ACCOUNT_KIND_POP3, "POP3S", SATCHEL_SECURITY_TLS },
    { SATCHEL_ACCOUNT_KIND_POP3, "POP3", SATCHEL_SECURITY_STARTTLS },
  };

  if (!satchel_test_require_servers ())
    return;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SatchelAccount) account = make_account (fixture, cases[i].kind, cases[i].port,
                                                        cases[i].security);
      g_autoptr(GError) error = NULL;
      g_autofree char *summary = NULL;

      g_test_message ("%s", cases[i].port);
      summary = run_check (fixture, account, SATCHEL_SECRET_INCOMING, fixture->password, NULL,
                           &error);
      g_assert_no_error (error);
      g_assert_nonnull (strstr (summary, "Logged in to localhost"));
      g_assert_nonnull (strstr (summary, "TLS 1."));
    }

  /* SMTP, implicit TLS and STARTTLS. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(SatchelAccount) account = make_account (fixture, SATCHEL_ACCOUNT_KIND_IMAP,
                                                        "IMAPS", SATCHEL_SECURITY_TLS);
      g_autoptr(GError) error = NULL;
      g_autofree char *summary = NULL;

      g_object_set (account, "smtp-host", "localhost",
                    "smtp-port", port (i == 0 ? "SMTPS" : "SMTP"),
                    "smtp-security", i == 0 ? SATCHEL_SECURITY_TLS : SATCHEL_SECURITY_STARTTLS,
                    NULL);
      summary = run_check (fixture, account, SATCHEL_SECRET_OUTGOING, fixture->password, NULL,
                           &error);
      g_assert_no_error (error);
      g_assert_nonnull (strstr (summary, "Logged in"));
    }
}

static void
test_login_refused (Fixture       *fixture,
                    gconstpointer  data)
{
  if (!satchel_test_require_servers ())
    return;

  for (SatchelAccountKind kind = SATCHEL_ACCOUNT_KIND_IMAP; kind <= SATCHEL_ACCOUNT_KIND_POP3;
       kind++)
    {
      g_autoptr(SatchelAccount) account =
        make_account (fixture, kind, kind == SATCHEL_ACCOUNT_KIND_IMAP ? "IMAPS" : "POP3S",
                      SATCHEL_SECURITY_TLS);
      g_autoptr(GError) error = NULL;
      g_autofree char *summary = run_check (fixture, account, SATCHEL_SECRET_INCOMING,
                                            "wrong password", NULL, &error);

      g_assert_null (summary);
      g_assert_error (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_AUTH_FAILED);
      g_assert_nonnull (strstr (error->message, fixture->user));
      g_assert_null (strstr (error->message, "wrong password"));
    }
}

static void
test_login_untrusted_then_pinned (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(SatchelAccount) account = NULL;
  g_autoptr(SatchelCertificate) rejected = NULL;
  g_autoptr(SatchelCertificate) probed = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *pem = NULL;

  if (!satchel_test_require_servers ())
    return;

  account = make_account (fixture, SATCHEL_ACCOUNT_KIND_IMAP, "IMAP", SATCHEL_SECURITY_STARTTLS);
  g_object_set (account, "ca-file", NULL, NULL);

  summary = run_check (fixture, account, SATCHEL_SECRET_INCOMING, fixture->password, &rejected,
                       &error);
  g_assert_null (summary);
  g_assert_error (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_UNTRUSTED_CERTIFICATE);
  g_assert_nonnull (rejected);
  g_assert_true (satchel_certificate_get_problems (rejected) & G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_cmpstr (satchel_certificate_get_issuer (rejected), ==,
                   "CN=Satchel Test CA,O=Satchel tests");
  g_assert_cmpuint (strlen (satchel_certificate_get_sha256 (rejected)), ==, 64);
  g_clear_error (&error);

  /* The probe sees the same certificate, and pinning it lets the login
   * through. */
  satchel_certificate_probe_async (account, SATCHEL_SECRET_INCOMING, NULL, store_result_cb,
                                   &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  probed = satchel_certificate_probe_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (satchel_certificate_get_sha256 (probed), ==,
                   satchel_certificate_get_sha256 (rejected));
  pem = satchel_certificate_dup_pem (probed);
  g_assert_true (satchel_cert_pin_save (fixture->store, "LocalHost", port ("IMAP"),
                                        satchel_certificate_get_sha256 (probed), pem, &error));
  g_clear_object (&rejected);
  summary = run_check (fixture, account, SATCHEL_SECRET_INCOMING, fixture->password, &rejected,
                       &error);
  g_assert_no_error (error);
  g_assert_null (rejected);
  g_assert_nonnull (summary);

  /* A pin of another certificate does not. */
  g_assert_true (satchel_cert_pin_save (fixture->store, "localhost", port ("IMAP"), "00", NULL,
                                        &error));
  g_clear_pointer (&summary, g_free);
  summary = run_check (fixture, account, SATCHEL_SECRET_INCOMING, fixture->password, &rejected,
                       &error);
  g_assert_error (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_UNTRUSTED_CERTIFICATE);
}

static void
test_login_refused_connection (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(SatchelAccount) account = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  guint16 closed;

  if (!satchel_test_require_servers ())
    return;

  /* A port that nothing listens on: bound, never listened. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  address = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  g_clear_object (&address);
  address = g_socket_get_local_address (socket, &error);
  closed = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));

  account = make_account (fixture, SATCHEL_ACCOUNT_KIND_IMAP, "IMAPS", SATCHEL_SECURITY_TLS);
  g_object_set (account, "host", "127.0.0.1", "port", closed, NULL);
  summary = run_check (fixture, account, SATCHEL_SECRET_INCOMING, fixture->password, NULL, &error);
  g_assert_null (summary);
  g_assert_error (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_CONNECT);
}

int
main (int   argc,
      char *argv[])
{
  satchel_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/login/every-protocol", test_login_every_protocol);
  ADD ("/login/refused", test_login_refused);
  ADD ("/login/untrusted-then-pinned", test_login_untrusted_then_pinned);
  ADD ("/login/refused-connection", test_login_refused_connection);

#undef ADD

  return g_test_run ();
}
