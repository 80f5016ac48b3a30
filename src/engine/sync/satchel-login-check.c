/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-login-check.c: log in to an account's server to check settings
 *
 * Copyright 2026 The Satchel authors
 *
 * Connects to the incoming (IMAP or POP3) or outgoing (SMTP) server
 * exactly as the account says, with its CA file and the pinned
 * certificate for that host and port, logs in and says goodbye. The
 * account wizard and `satchel-cli account test` use it; the error says
 * which step failed, and an untrusted certificate is handed back for the
 * user to judge.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "imap/satchel-imap-session.h"
#include "net/satchel-net-error.h"
#include "pop3/satchel-pop3-session.h"
#include "satchel-login-check.h"
#include "smtp/satchel-smtp-session.h"
#include "store/satchel-cert-pins.h"

typedef struct
{
  SatchelConnection *connection;
  GObject           *session;   /* SatchelImapSession, SatchelPop3Session or SatchelSmtpSession */
  char              *user;
  char              *password;
  char              *summary;
  gboolean           probe;
  SatchelCertificate *certificate;
} Check;

static void
check_free (Check *check)
{
  g_clear_object (&check->session);
  g_clear_object (&check->connection);
  g_free (check->user);
  if (check->password != NULL)
    explicit_bzero (check->password, strlen (check->password));
  g_free (check->password);
  g_free (check->summary);
  g_clear_object (&check->certificate);
  g_free (check);
}

static void
fail (GTask  *task,
      GError *error)
{
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
goodbye_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Check *check = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* The login worked; a clumsy goodbye does not change that. */
  if (SATCHEL_IS_IMAP_SESSION (source))
    satchel_imap_session_logout_finish (SATCHEL_IMAP_SESSION (source), result, &error);
  else if (SATCHEL_IS_POP3_SESSION (source))
    satchel_pop3_session_quit_finish (SATCHEL_POP3_SESSION (source), result, &error);
  else
    satchel_smtp_session_quit_finish (SATCHEL_SMTP_SESSION (source), result, &error);

  if (check->probe)
    g_task_return_pointer (task, g_steal_pointer (&check->certificate), g_object_unref);
  else
    g_task_return_pointer (task, g_steal_pointer (&check->summary), g_free);
  g_object_unref (task);
}

static void
say_goodbye (GTask   *task,
             GObject *session)
{
  if (SATCHEL_IS_IMAP_SESSION (session))
    satchel_imap_session_logout_async (SATCHEL_IMAP_SESSION (session),
                                       g_task_get_cancellable (task), goodbye_cb, task);
  else if (SATCHEL_IS_POP3_SESSION (session))
    satchel_pop3_session_quit_async (SATCHEL_POP3_SESSION (session),
                                     g_task_get_cancellable (task), goodbye_cb, task);
  else
    satchel_smtp_session_quit_async (SATCHEL_SMTP_SESSION (session),
                                     g_task_get_cancellable (task), goodbye_cb, task);
}

static void
login_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *task = user_data;
  Check *check = g_task_get_task_data (task);
  GError *error = NULL;
  gboolean ok;

  if (SATCHEL_IS_IMAP_SESSION (source))
    ok = satchel_imap_session_login_finish (SATCHEL_IMAP_SESSION (source), result, &error);
  else if (SATCHEL_IS_POP3_SESSION (source))
    ok = satchel_pop3_session_login_finish (SATCHEL_POP3_SESSION (source), result, &error);
  else
    ok = satchel_smtp_session_login_finish (SATCHEL_SMTP_SESSION (source), result, &error);
  if (!ok)
    {
      fail (task, error);
      return;
    }

  check->summary = g_strdup_printf (_("Logged in to %s port %u as %s (%s)."),
                                    satchel_connection_get_host (check->connection),
                                    satchel_connection_get_port (check->connection), check->user,
                                    satchel_connection_describe_tls (check->connection));

  say_goodbye (task, source);
}

static void
connect_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Check *check = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;
  gboolean ok;

  if (SATCHEL_IS_IMAP_SESSION (source))
    ok = satchel_imap_session_connect_finish (SATCHEL_IMAP_SESSION (source), result, &error);
  else if (SATCHEL_IS_POP3_SESSION (source))
    ok = satchel_pop3_session_connect_finish (SATCHEL_POP3_SESSION (source), result, &error);
  else
    ok = satchel_smtp_session_connect_finish (SATCHEL_SMTP_SESSION (source), result, &error);
  if (!ok)
    {
      fail (task, error);
      return;
    }

  if (check->probe)
    {
      check->certificate = satchel_connection_dup_peer_certificate (check->connection);
      if (check->certificate == NULL)
        {
          fail (task, g_error_new (SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_TLS,
                                   _("The connection to %s is not encrypted, so there is no "
                                     "certificate to trust."),
                                   satchel_connection_get_host (check->connection)));
          return;
        }
      say_goodbye (task, source);
      return;
    }

  if (SATCHEL_IS_IMAP_SESSION (source))
    satchel_imap_session_login_async (SATCHEL_IMAP_SESSION (source), check->user, check->password,
                                      cancellable, login_cb, task);
  else if (SATCHEL_IS_POP3_SESSION (source))
    satchel_pop3_session_login_async (SATCHEL_POP3_SESSION (source), check->user, check->password,
                                      cancellable, login_cb, task);
  else
    satchel_smtp_session_login_async (SATCHEL_SMTP_SESSION (source), check->user, check->password,
                                      cancellable, login_cb, task);
}

static void
start (GTask                *task,
       SatchelAccount       *account,
       SatchelSecretService  service,
       const char           *password,
       SatchelStore         *store)
{
  Check *check = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autofree char *pin = NULL;
  g_autoptr(GError) error = NULL;
  const char *host;
  guint16 port;
  SatchelSecurity security;

  if (service == SATCHEL_SECRET_OUTGOING)
    {
      host = satchel_account_get_smtp_host (account);
      port = satchel_account_get_effective_smtp_port (account);
      security = satchel_account_get_smtp_security (account);
      check->user = g_strdup (satchel_account_get_effective_smtp_user (account));
      if (host == NULL)
        {
          fail (task, g_error_new (SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_INVALID,
                                   _("The account %s has no outgoing server."),
                                   satchel_account_get_label (account)));
          return;
        }
    }
  else
    {
      host = satchel_account_get_host (account);
      port = satchel_account_get_effective_port (account);
      security = satchel_account_get_security (account);
      check->user = g_strdup (satchel_account_get_user (account));
    }
  check->password = g_strdup (password);

  if (store != NULL)
    pin = satchel_cert_pin_lookup (store, host, port, &error);
  if (error != NULL)
    {
      fail (task, g_steal_pointer (&error));
      return;
    }

  check->connection = satchel_connection_new (host, port, security);
  satchel_connection_set_ca_file (check->connection, satchel_account_get_ca_file (account));
  satchel_connection_set_pinned_sha256 (check->connection, pin);
  satchel_connection_set_probe (check->connection, check->probe);

  if (service == SATCHEL_SECRET_OUTGOING)
    {
      check->session = G_OBJECT (satchel_smtp_session_new (check->connection));
      satchel_smtp_session_connect_async (SATCHEL_SMTP_SESSION (check->session), cancellable,
                                          connect_cb, task);
    }
  else if (satchel_account_get_kind (account) == SATCHEL_ACCOUNT_KIND_POP3)
    {
      check->session = G_OBJECT (satchel_pop3_session_new (check->connection));
      satchel_pop3_session_set_apop (SATCHEL_POP3_SESSION (check->session),
                                     satchel_account_get_apop (account));
      satchel_pop3_session_connect_async (SATCHEL_POP3_SESSION (check->session), cancellable,
                                          connect_cb, task);
    }
  else
    {
      check->session = G_OBJECT (satchel_imap_session_new (check->connection));
      satchel_imap_session_connect_async (SATCHEL_IMAP_SESSION (check->session), cancellable,
                                          connect_cb, task);
    }
}

/**
 * satchel_login_check_async:
 * @service: the incoming or the outgoing server
 * @password: the password to try
 * @store: where the pinned certificates are
 */
void
satchel_login_check_async (SatchelAccount        *account,
                           SatchelSecretService   service,
                           const char            *password,
                           SatchelStore          *store,
                           GCancellable          *cancellable,
                           GAsyncReadyCallback    callback,
                           gpointer               user_data)
{
  GTask *task;

  g_return_if_fail (SATCHEL_IS_ACCOUNT (account));
  g_return_if_fail (password != NULL);
  g_return_if_fail (SATCHEL_IS_STORE (store));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_login_check_async);
  g_task_set_task_data (task, g_new0 (Check, 1), (GDestroyNotify) check_free);
  start (task, account, service, password, store);
}

/**
 * satchel_certificate_probe_async:
 * @service: the incoming or the outgoing server
 *
 * Connects as the account says (STARTTLS included) without logging in, to
 * fetch the certificate the server presents, trusted or not, so that the
 * user can decide whether to pin it.
 */
void
satchel_certificate_probe_async (SatchelAccount        *account,
                                 SatchelSecretService   service,
                                 GCancellable          *cancellable,
                                 GAsyncReadyCallback    callback,
                                 gpointer               user_data)
{
  GTask *task;
  Check *check;

  g_return_if_fail (SATCHEL_IS_ACCOUNT (account));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_certificate_probe_async);
  check = g_new0 (Check, 1);
  check->probe = TRUE;
  g_task_set_task_data (task, check, (GDestroyNotify) check_free);
  start (task, account, service, "", NULL);
}

/**
 * satchel_certificate_probe_finish:
 *
 * Returns: (transfer full) (nullable): the presented certificate; its
 *   problems say what verification found wrong
 */
SatchelCertificate *
satchel_certificate_probe_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * satchel_login_check_finish:
 * @rejected: (out) (optional) (transfer full): with
 *   %SATCHEL_NET_ERROR_UNTRUSTED_CERTIFICATE, the certificate the server
 *   presented
 *
 * Returns: (transfer full) (nullable): one sentence on what worked
 */
char *
satchel_login_check_finish (GAsyncResult        *result,
                            SatchelCertificate **rejected,
                            GError             **error)
{
  GTask *task = G_TASK (result);
  Check *check = g_task_get_task_data (task);
  char *summary;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  if (rejected != NULL)
    {
      SatchelCertificate *certificate = check->connection != NULL
        ? satchel_connection_get_rejected_certificate (check->connection) : NULL;

      *rejected = certificate != NULL ? g_object_ref (certificate) : NULL;
    }
  summary = g_task_propagate_pointer (task, error);
  return summary;
}
