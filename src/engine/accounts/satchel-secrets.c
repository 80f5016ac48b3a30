/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-secrets.c: account passwords, in the keyring or for this session
 *
 * Copyright 2026 The Satchel authors
 *
 * Passwords go to the desktop keyring through libsecret, keyed by the
 * account's uuid and the service (incoming or outgoing). When there is no
 * Secret Service (a desktop without a keyring, or none reachable), a
 * password is kept in this process's memory for the session only, and
 * keyring-available turns FALSE so that the front end can say so and ask
 * again next time. A password is never written anywhere else.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "satchel-debug.h"
#include "satchel-secrets.h"

struct _SatchelSecrets
{
  GObject parent_instance;

  /* Owned */
  GHashTable *session;   /* "uuid/service" -> password, wiped when dropped */
  char       *problem;

  gboolean    keyring_available;
};

G_DEFINE_FINAL_TYPE (SatchelSecrets, satchel_secrets, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KEYRING_AVAILABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  char                 *uuid;
  SatchelSecretService  service;
  SatchelPassword      *password;
} Request;

static const SecretSchema *
get_schema (void)
{
  static const SecretSchema schema = {
    "io.github.satchelmail.Satchel.Password", SECRET_SCHEMA_NONE,
    {
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "service", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };
  return &schema;
}

static const char *
service_name (SatchelSecretService service)
{
  return service == SATCHEL_SECRET_OUTGOING ? "outgoing" : "incoming";
}

static GHashTable *
make_attributes (const char           *uuid,
                 SatchelSecretService  service,
                 gboolean              with_service)
{
  GHashTable *attributes = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (attributes, (char *) "account", (char *) uuid);
  if (with_service)
    g_hash_table_insert (attributes, (char *) "service", (char *) service_name (service));
  return attributes;
}

static char *
make_label (const char           *email,
            SatchelSecretService  service)
{
  if (service == SATCHEL_SECRET_OUTGOING)
    /* Translators: the name of a keyring entry; %s is an email address. */
    return g_strdup_printf (_("Satchel: outgoing mail password for %s"), email);
  /* Translators: the name of a keyring entry; %s is an email address. */
  return g_strdup_printf (_("Satchel: incoming mail password for %s"), email);
}

static char *
session_key (const char           *uuid,
             SatchelSecretService  service)
{
  return g_strdup_printf ("%s/%s", uuid, service_name (service));
}

void
satchel_password_free (SatchelPassword *password)
{
  secret_password_free (password);
}

static void
request_free (Request *request)
{
  g_free (request->uuid);
  g_clear_pointer (&request->password, satchel_password_free);
  g_free (request);
}

static Request *
request_new (const char           *uuid,
             SatchelSecretService  service,
             const char           *password)
{
  Request *request = g_new0 (Request, 1);

  request->uuid = g_strdup (uuid);
  request->service = service;
  request->password = g_strdup (password);
  return request;
}

/* Any failure other than a cancellation means that the keyring cannot be
 * used now: no Secret Service on the bus, no bus, or a locked keyring whose
 * unlock prompt was dismissed. */
static gboolean
keyring_failed (SatchelSecrets *self,
                const GError   *error)
{
  if (error == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;

  g_free (self->problem);
  self->problem = g_strdup_printf (_("The desktop keyring cannot be used (%s). Satchel keeps "
                                     "passwords in memory for this session only and will ask "
                                     "for them again next time."),
                                   error->message);
  if (self->keyring_available)
    {
      self->keyring_available = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEYRING_AVAILABLE]);
    }
  return TRUE;
}

static void
remember_for_session (SatchelSecrets       *self,
                      const char           *uuid,
                      SatchelSecretService  service,
                      const char           *password)
{
  g_hash_table_replace (self->session, session_key (uuid, service), g_strdup (password));
}

static void
forget_for_session (SatchelSecrets       *self,
                    const char           *uuid,
                    SatchelSecretService  service)
{
  g_autofree char *key = session_key (uuid, service);

  g_hash_table_remove (self->session, key);
}

static void
satchel_secrets_finalize (GObject *object)
{
  SatchelSecrets *self = (SatchelSecrets *)object;

  g_clear_pointer (&self->session, g_hash_table_unref);
  g_clear_pointer (&self->problem, g_free);

  G_OBJECT_CLASS (satchel_secrets_parent_class)->finalize (object);
}

static void
satchel_secrets_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SatchelSecrets *self = SATCHEL_SECRETS (object);

  switch (prop_id)
    {
    case PROP_KEYRING_AVAILABLE:
      g_value_set_boolean (value, self->keyring_available);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
satchel_secrets_class_init (SatchelSecretsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = satchel_secrets_finalize;
  object_class->get_property = satchel_secrets_get_property;

  properties[PROP_KEYRING_AVAILABLE] =
    g_param_spec_boolean ("keyring-available", NULL,
                          "Whether passwords go to the desktop keyring; FALSE once it failed",
                          TRUE, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
satchel_secrets_init (SatchelSecrets *self)
{
  self->session = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) satchel_password_free);
  self->keyring_available = TRUE;
}

SatchelSecrets *
satchel_secrets_new (void)
{
  return g_object_new (SATCHEL_TYPE_SECRETS, NULL);
}

/**
 * satchel_secrets_get_keyring_available:
 *
 * Returns: %FALSE once the keyring failed; passwords are then kept for this
 *   session only
 */
gboolean
satchel_secrets_get_keyring_available (SatchelSecrets *self)
{
  g_return_val_if_fail (SATCHEL_IS_SECRETS (self), FALSE);

  return self->keyring_available;
}

/**
 * satchel_secrets_get_keyring_problem:
 *
 * Returns: (nullable): why the keyring cannot be used, in words for the user
 */
const char *
satchel_secrets_get_keyring_problem (SatchelSecrets *self)
{
  g_return_val_if_fail (SATCHEL_IS_SECRETS (self), NULL);

  return self->problem;
}

/* Storing */

static void
store_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SatchelSecrets *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    {
      if (!keyring_failed (self, error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      remember_for_session (self, request->uuid, request->service, request->password);
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * satchel_secrets_store_async:
 *
 * Saves @password for the account's @service in the keyring, or for this
 * session when the keyring cannot be used (see keyring-available).
 */
void
satchel_secrets_store_async (SatchelSecrets       *self,
                             const char           *account_uuid,
                             const char           *account_email,
                             SatchelSecretService  service,
                             const char           *password,
                             GCancellable         *cancellable,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (SATCHEL_IS_SECRETS (self));
  g_return_if_fail (account_uuid != NULL && account_email != NULL && password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_secrets_store_async);
  g_task_set_task_data (task, request_new (account_uuid, service, password),
                        (GDestroyNotify) request_free);

  /* A password given now replaces whatever this session remembered. */
  forget_for_session (self, account_uuid, service);

  if (!self->keyring_available)
    {
      remember_for_session (self, account_uuid, service, password);
      g_task_return_boolean (task, TRUE);
      return;
    }

  attributes = make_attributes (account_uuid, service, TRUE);
  label = make_label (account_email, service);
  secret_password_storev (get_schema (), attributes, SECRET_COLLECTION_DEFAULT, label, password,
                          cancellable, store_cb, g_steal_pointer (&task));
}

gboolean
satchel_secrets_store_finish (SatchelSecrets  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
satchel_secrets_store_sync (SatchelSecrets        *self,
                            const char            *account_uuid,
                            const char            *account_email,
                            SatchelSecretService   service,
                            const char            *password,
                            GCancellable          *cancellable,
                            GError               **error)
{
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *label = NULL;

  g_return_val_if_fail (SATCHEL_IS_SECRETS (self), FALSE);
  g_return_val_if_fail (account_uuid != NULL && account_email != NULL && password != NULL, FALSE);

  forget_for_session (self, account_uuid, service);
  if (self->keyring_available)
    {
      attributes = make_attributes (account_uuid, service, TRUE);
      label = make_label (account_email, service);
      if (secret_password_storev_sync (get_schema (), attributes, SECRET_COLLECTION_DEFAULT,
                                       label, password, cancellable, &local_error))
        return TRUE;
      if (!keyring_failed (self, local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  remember_for_session (self, account_uuid, service, password);
  return TRUE;
}

/* Looking up */

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SatchelSecrets *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  char *password;

  password = secret_password_lookup_finish (result, &error);
  if (SATCHEL_DEBUGGING (SATCHEL_DEBUG_KEYRING))
    satchel_debug_note ("keyring", "lookup %s", password != NULL ? "found a password" : "done");
  if (error != NULL && !keyring_failed (self, error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, password, (GDestroyNotify) satchel_password_free);
}

static char *
lookup_session (SatchelSecrets       *self,
                const char           *uuid,
                SatchelSecretService  service)
{
  g_autofree char *key = session_key (uuid, service);

  return g_strdup (g_hash_table_lookup (self->session, key));
}

/**
 * satchel_secrets_lookup_async:
 *
 * Finds the password for the account's @service. The result is %NULL
 * without an error when none is known; a front end then asks the user.
 */
void
satchel_secrets_lookup_async (SatchelSecrets       *self,
                              const char           *account_uuid,
                              SatchelSecretService  service,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  char *remembered;

  g_return_if_fail (SATCHEL_IS_SECRETS (self));
  g_return_if_fail (account_uuid != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_secrets_lookup_async);
  remembered = lookup_session (self, account_uuid, service);
  if (remembered != NULL || !self->keyring_available)
    {
      g_task_return_pointer (task, remembered, (GDestroyNotify) satchel_password_free);
      return;
    }

  attributes = make_attributes (account_uuid, service, TRUE);
  if (SATCHEL_DEBUGGING (SATCHEL_DEBUG_KEYRING))
    satchel_debug_note ("keyring", "lookup");
  secret_password_lookupv (get_schema (), attributes, cancellable, lookup_cb,
                           g_steal_pointer (&task));
}

/**
 * satchel_secrets_lookup_finish:
 *
 * Returns: (transfer full) (nullable): the password, to free with
 *   satchel_password_free()
 */
char *
satchel_secrets_lookup_finish (SatchelSecrets  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
satchel_secrets_lookup_sync (SatchelSecrets        *self,
                             const char            *account_uuid,
                             SatchelSecretService   service,
                             GCancellable          *cancellable,
                             GError               **error)
{
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(GError) local_error = NULL;
  char *password;

  g_return_val_if_fail (SATCHEL_IS_SECRETS (self), NULL);
  g_return_val_if_fail (account_uuid != NULL, NULL);

  password = lookup_session (self, account_uuid, service);
  if (password != NULL || !self->keyring_available)
    return password;

  attributes = make_attributes (account_uuid, service, TRUE);
  password = secret_password_lookupv_sync (get_schema (), attributes, cancellable, &local_error);
  if (local_error != NULL && !keyring_failed (self, local_error))
    g_propagate_error (error, g_steal_pointer (&local_error));
  return password;
}

/* Clearing */

static void
clear_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SatchelSecrets *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  secret_password_clear_finish (result, &error);
  if (error != NULL && !keyring_failed (self, error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * satchel_secrets_clear_async:
 *
 * Forgets both passwords of the account, in the keyring and in memory.
 */
void
satchel_secrets_clear_async (SatchelSecrets      *self,
                             const char          *account_uuid,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;

  g_return_if_fail (SATCHEL_IS_SECRETS (self));
  g_return_if_fail (account_uuid != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_secrets_clear_async);

  forget_for_session (self, account_uuid, SATCHEL_SECRET_INCOMING);
  forget_for_session (self, account_uuid, SATCHEL_SECRET_OUTGOING);
  if (!self->keyring_available)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  attributes = make_attributes (account_uuid, SATCHEL_SECRET_INCOMING, FALSE);
  secret_password_clearv (get_schema (), attributes, cancellable, clear_cb,
                          g_steal_pointer (&task));
}

gboolean
satchel_secrets_clear_finish (SatchelSecrets  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
satchel_secrets_clear_sync (SatchelSecrets  *self,
                            const char      *account_uuid,
                            GCancellable    *cancellable,
                            GError         **error)
{
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (SATCHEL_IS_SECRETS (self), FALSE);
  g_return_val_if_fail (account_uuid != NULL, FALSE);

  forget_for_session (self, account_uuid, SATCHEL_SECRET_INCOMING);
  forget_for_session (self, account_uuid, SATCHEL_SECRET_OUTGOING);
  if (!self->keyring_available)
    return TRUE;

  attributes = make_attributes (account_uuid, SATCHEL_SECRET_INCOMING, FALSE);
  secret_password_clearv_sync (get_schema (), attributes, cancellable, &local_error);
  if (local_error != NULL && !keyring_failed (self, local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}
