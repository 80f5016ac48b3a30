/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-account.c: one mail account's settings, for views to bind
 *
 * Copyright 2026 The Satchel authors
 *
 * A SatchelAccount holds settings only: no secrets (the keyring has the
 * password) and no connection. Every setting is a property that notifies on
 * a real change, so preferences rows can bind to it and SatchelAccountList
 * can write it back to the store.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "mime/satchel-gmime.h"
#include "satchel-account.h"
#include "satchel-enum-types.h"

struct _SatchelAccount
{
  GObject parent_instance;

  gint64              id;
  SatchelAccountKind  kind;
  SatchelSecurity     security;
  SatchelSecurity     smtp_security;
  guint               port;
  guint               smtp_port;
  guint               delete_after_days;
  guint               check_interval;
  guint               keep_offline : 1;
  guint               leave_on_server : 1;
  guint               delete_after : 1;
  guint               delete_when_deleted : 1;
  guint               apop : 1;

  /* Owned */
  char               *uuid;
  char               *label;
  char               *real_name;
  char               *email;
  char               *host;
  char               *user;
  char               *smtp_host;
  char               *smtp_user;
  char               *ca_file;
  char               *signature;
  char               *color;
};

G_DEFINE_FINAL_TYPE (SatchelAccount, satchel_account, G_TYPE_OBJECT)

G_DEFINE_QUARK (satchel-account-error-quark, satchel_account_error)

enum {
  PROP_0,
  PROP_ID,
  PROP_UUID,
  PROP_LABEL,
  PROP_REAL_NAME,
  PROP_EMAIL,
  PROP_KIND,
  PROP_HOST,
  PROP_PORT,
  PROP_SECURITY,
  PROP_USER,
  PROP_SMTP_HOST,
  PROP_SMTP_PORT,
  PROP_SMTP_SECURITY,
  PROP_SMTP_USER,
  PROP_KEEP_OFFLINE,
  PROP_LEAVE_ON_SERVER,
  PROP_DELETE_AFTER,
  PROP_DELETE_AFTER_DAYS,
  PROP_DELETE_WHEN_DELETED,
  PROP_APOP,
  PROP_CA_FILE,
  PROP_SIGNATURE,
  PROP_CHECK_INTERVAL,
  PROP_COLOR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Optional settings keep NULL for "not set", never an empty string. */
static gboolean
prop_is_optional (guint prop_id)
{
  return prop_id == PROP_SMTP_HOST || prop_id == PROP_SMTP_USER || prop_id == PROP_CA_FILE ||
         prop_id == PROP_SIGNATURE || prop_id == PROP_COLOR;
}

static void
set_string (SatchelAccount  *self,
            char           **field,
            const char      *value,
            guint            prop_id)
{
  if (value != NULL && value[0] == '\0' && prop_is_optional (prop_id))
    value = NULL;
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_uint (SatchelAccount *self,
          guint          *field,
          guint           value,
          guint           prop_id)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_flag (SatchelAccount *self,
          guint           prop_id,
          gboolean        value)
{
  gboolean old;

  value = !!value;
  switch (prop_id)
    {
    case PROP_KEEP_OFFLINE:
      old = self->keep_offline;
      self->keep_offline = value;
      break;
    case PROP_LEAVE_ON_SERVER:
      old = self->leave_on_server;
      self->leave_on_server = value;
      break;
    case PROP_DELETE_AFTER:
      old = self->delete_after;
      self->delete_after = value;
      break;
    case PROP_DELETE_WHEN_DELETED:
      old = self->delete_when_deleted;
      self->delete_when_deleted = value;
      break;
    case PROP_APOP:
      old = self->apop;
      self->apop = value;
      break;
    default:
      g_assert_not_reached ();
    }
  if (old != value)
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
satchel_account_finalize (GObject *object)
{
  SatchelAccount *self = (SatchelAccount *)object;

  g_clear_pointer (&self->uuid, g_free);
  g_clear_pointer (&self->label, g_free);
  g_clear_pointer (&self->real_name, g_free);
  g_clear_pointer (&self->email, g_free);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->smtp_host, g_free);
  g_clear_pointer (&self->smtp_user, g_free);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_pointer (&self->signature, g_free);
  g_clear_pointer (&self->color, g_free);

  G_OBJECT_CLASS (satchel_account_parent_class)->finalize (object);
}

static void
satchel_account_constructed (GObject *object)
{
  SatchelAccount *self = (SatchelAccount *)object;

  G_OBJECT_CLASS (satchel_account_parent_class)->constructed (object);

  if (self->uuid == NULL)
    self->uuid = g_uuid_string_random ();
}

static void
satchel_account_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SatchelAccount *self = SATCHEL_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_UUID:
      g_value_set_string (value, self->uuid);
      break;
    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;
    case PROP_REAL_NAME:
      g_value_set_string (value, self->real_name);
      break;
    case PROP_EMAIL:
      g_value_set_string (value, self->email);
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_SECURITY:
      g_value_set_enum (value, self->security);
      break;
    case PROP_USER:
      g_value_set_string (value, self->user);
      break;
    case PROP_SMTP_HOST:
      g_value_set_string (value, self->smtp_host);
      break;
    case PROP_SMTP_PORT:
      g_value_set_uint (value, self->smtp_port);
      break;
    case PROP_SMTP_SECURITY:
      g_value_set_enum (value, self->smtp_security);
      break;
    case PROP_SMTP_USER:
      g_value_set_string (value, self->smtp_user);
      break;
    case PROP_KEEP_OFFLINE:
      g_value_set_boolean (value, self->keep_offline);
      break;
    case PROP_LEAVE_ON_SERVER:
      g_value_set_boolean (value, self->leave_on_server);
      break;
    case PROP_DELETE_AFTER:
      g_value_set_boolean (value, self->delete_after);
      break;
    case PROP_DELETE_AFTER_DAYS:
      g_value_set_uint (value, self->delete_after_days);
      break;
    case PROP_DELETE_WHEN_DELETED:
      g_value_set_boolean (value, self->delete_when_deleted);
      break;
    case PROP_APOP:
      g_value_set_boolean (value, self->apop);
      break;
    case PROP_CA_FILE:
      g_value_set_string (value, self->ca_file);
      break;
    case PROP_SIGNATURE:
      g_value_set_string (value, self->signature);
      break;
    case PROP_CHECK_INTERVAL:
      g_value_set_uint (value, self->check_interval);
      break;
    case PROP_COLOR:
      g_value_set_string (value, self->color);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
satchel_account_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  SatchelAccount *self = SATCHEL_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_UUID:
      g_assert (self->uuid == NULL);
      self->uuid = g_value_dup_string (value);
      break;
    case PROP_LABEL:
      set_string (self, &self->label, g_value_get_string (value), prop_id);
      break;
    case PROP_REAL_NAME:
      set_string (self, &self->real_name, g_value_get_string (value), prop_id);
      break;
    case PROP_EMAIL:
      set_string (self, &self->email, g_value_get_string (value), prop_id);
      break;
    case PROP_KIND:
      set_uint (self, &self->kind, g_value_get_enum (value), prop_id);
      break;
    case PROP_HOST:
      set_string (self, &self->host, g_value_get_string (value), prop_id);
      break;
    case PROP_PORT:
      set_uint (self, &self->port, g_value_get_uint (value), prop_id);
      break;
    case PROP_SECURITY:
      set_uint (self, &self->security, g_value_get_enum (value), prop_id);
      break;
    case PROP_USER:
      set_string (self, &self->user, g_value_get_string (value), prop_id);
      break;
    case PROP_SMTP_HOST:
      set_string (self, &self->smtp_host, g_value_get_string (value), prop_id);
      break;
    case PROP_SMTP_PORT:
      set_uint (self, &self->smtp_port, g_value_get_uint (value), prop_id);
      break;
    case PROP_SMTP_SECURITY:
      set_uint (self, &self->smtp_security, g_value_get_enum (value), prop_id);
      break;
    case PROP_SMTP_USER:
      set_string (self, &self->smtp_user, g_value_get_string (value), prop_id);
      break;
    case PROP_KEEP_OFFLINE:
    case PROP_LEAVE_ON_SERVER:
    case PROP_DELETE_AFTER:
    case PROP_DELETE_WHEN_DELETED:
    case PROP_APOP:
      set_flag (self, prop_id, g_value_get_boolean (value));
      break;
    case PROP_DELETE_AFTER_DAYS:
      set_uint (self, &self->delete_after_days, g_value_get_uint (value), prop_id);
      break;
    case PROP_CA_FILE:
      set_string (self, &self->ca_file, g_value_get_string (value), prop_id);
      break;
    case PROP_SIGNATURE:
      set_string (self, &self->signature, g_value_get_string (value), prop_id);
      break;
    case PROP_CHECK_INTERVAL:
      set_uint (self, &self->check_interval, g_value_get_uint (value), prop_id);
      break;
    case PROP_COLOR:
      set_string (self, &self->color, g_value_get_string (value), prop_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
satchel_account_class_init (SatchelAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = satchel_account_constructed;
  object_class->finalize = satchel_account_finalize;
  object_class->get_property = satchel_account_get_property;
  object_class->set_property = satchel_account_set_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, "The row of the account in the store, or 0 before it is saved",
                        0, G_MAXINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_UUID] =
    g_param_spec_string ("uuid", NULL, "A stable identifier; keys the keyring entries",
                         NULL, G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LABEL] =
    g_param_spec_string ("label", NULL, "The name the account is shown under",
                         NULL, rw);
  properties[PROP_REAL_NAME] =
    g_param_spec_string ("real-name", NULL, "The sender's name on outgoing mail",
                         "", rw);
  properties[PROP_EMAIL] =
    g_param_spec_string ("email", NULL, "The email address",
                         NULL, rw);
  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, "IMAP or POP3",
                       SATCHEL_TYPE_ACCOUNT_KIND, SATCHEL_ACCOUNT_KIND_IMAP, rw);
  properties[PROP_HOST] =
    g_param_spec_string ("host", NULL, "The incoming server",
                         NULL, rw);
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, "The incoming server's port; 0 for the standard one",
                       0, G_MAXUINT16, 0, rw);
  properties[PROP_SECURITY] =
    g_param_spec_enum ("security", NULL, "How the incoming connection is encrypted",
                       SATCHEL_TYPE_SECURITY, SATCHEL_SECURITY_TLS, rw);
  properties[PROP_USER] =
    g_param_spec_string ("user", NULL, "The login name on the incoming server",
                         NULL, rw);
  properties[PROP_SMTP_HOST] =
    g_param_spec_string ("smtp-host", NULL, "The outgoing (submission) server, or none",
                         NULL, rw);
  properties[PROP_SMTP_PORT] =
    g_param_spec_uint ("smtp-port", NULL, "The outgoing server's port; 0 for the standard one",
                       0, G_MAXUINT16, 0, rw);
  properties[PROP_SMTP_SECURITY] =
    g_param_spec_enum ("smtp-security", NULL, "How the outgoing connection is encrypted",
                       SATCHEL_TYPE_SECURITY, SATCHEL_SECURITY_TLS, rw);
  properties[PROP_SMTP_USER] =
    g_param_spec_string ("smtp-user", NULL, "The login on the outgoing server; none for the incoming one",
                         NULL, rw);
  properties[PROP_KEEP_OFFLINE] =
    g_param_spec_boolean ("keep-offline", NULL, "Keep every message body available offline (IMAP)",
                          FALSE, rw);
  properties[PROP_LEAVE_ON_SERVER] =
    g_param_spec_boolean ("leave-on-server", NULL, "Leave a copy of downloaded mail on the server (POP3)",
                          TRUE, rw);
  properties[PROP_DELETE_AFTER] =
    g_param_spec_boolean ("delete-after", NULL, "Delete the server copy some days after download (POP3)",
                          FALSE, rw);
  properties[PROP_DELETE_AFTER_DAYS] =
    g_param_spec_uint ("delete-after-days", NULL, "Days after which the server copy is deleted (POP3)",
                       1, SATCHEL_ACCOUNT_MAX_DELETE_AFTER_DAYS,
                       SATCHEL_ACCOUNT_DEFAULT_DELETE_AFTER_DAYS, rw);
  properties[PROP_DELETE_WHEN_DELETED] =
    g_param_spec_boolean ("delete-when-deleted", NULL, "Delete the server copy when deleted here (POP3)",
                          FALSE, rw);
  properties[PROP_APOP] =
    g_param_spec_boolean ("apop", NULL, "Log in with APOP, which hides the password but "
                          "protects it poorly (POP3; off unless the user turns it on)",
                          FALSE, rw);
  properties[PROP_SIGNATURE] =
    g_param_spec_string ("signature", NULL, "Text added below each message written from the account",
                         NULL, rw);
  properties[PROP_CA_FILE] =
    g_param_spec_string ("ca-file", NULL, "Extra CA certificates (PEM) trusted for this account",
                         NULL, rw);
  properties[PROP_CHECK_INTERVAL] =
    g_param_spec_uint ("check-interval", NULL, "Minutes between checks for new mail",
                       1, SATCHEL_ACCOUNT_MAX_CHECK_INTERVAL,
                       SATCHEL_ACCOUNT_DEFAULT_CHECK_INTERVAL, rw);
  properties[PROP_COLOR] =
    g_param_spec_string ("color", NULL, "The account's colour, as #rrggbb, or NULL for none",
                         NULL, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
satchel_account_init (SatchelAccount *self)
{
  self->real_name = g_strdup ("");
  self->leave_on_server = TRUE;
  self->delete_after_days = SATCHEL_ACCOUNT_DEFAULT_DELETE_AFTER_DAYS;
  self->check_interval = SATCHEL_ACCOUNT_DEFAULT_CHECK_INTERVAL;
}

/**
 * satchel_account_new:
 * @kind: IMAP or POP3
 * @email: the address; also the first label and login name
 *
 * Returns: (transfer full): a new, unsaved account
 */
SatchelAccount *
satchel_account_new (SatchelAccountKind  kind,
                     const char         *email)
{
  return g_object_new (SATCHEL_TYPE_ACCOUNT,
                       "kind", kind,
                       "email", email,
                       "label", email,
                       "user", email,
                       NULL);
}

/**
 * satchel_account_copy_settings:
 * @self: the account to change
 * @from: the account whose settings to take
 *
 * Sets every writable setting of @self to that of @from; the id and the uuid
 * stay. Only real changes notify.
 */
void
satchel_account_copy_settings (SatchelAccount *self,
                               SatchelAccount *from)
{
  g_return_if_fail (SATCHEL_IS_ACCOUNT (self));
  g_return_if_fail (SATCHEL_IS_ACCOUNT (from));

  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = PROP_LABEL; i < N_PROPS; i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;

      g_value_init (&value, properties[i]->value_type);
      g_object_get_property (G_OBJECT (from), properties[i]->name, &value);
      g_object_set_property (G_OBJECT (self), properties[i]->name, &value);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * satchel_account_dup:
 *
 * Returns: (transfer full): an unsaved copy with the same settings and uuid,
 *   to try changes on before they are made to @self
 */
SatchelAccount *
satchel_account_dup (SatchelAccount *self)
{
  SatchelAccount *copy;

  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), NULL);

  copy = g_object_new (SATCHEL_TYPE_ACCOUNT, "uuid", self->uuid, NULL);
  satchel_account_copy_settings (copy, self);
  copy->id = self->id;
  return copy;
}

gint64
satchel_account_get_id (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), 0);
  return self->id;
}

void
satchel_account_set_id (SatchelAccount *self,
                        gint64          id)
{
  g_return_if_fail (SATCHEL_IS_ACCOUNT (self));

  if (self->id == id)
    return;
  self->id = id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
}

const char *
satchel_account_get_uuid (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), NULL);
  return self->uuid;
}

const char *
satchel_account_get_label (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), NULL);
  return self->label != NULL ? self->label : self->email;
}

const char *
satchel_account_get_real_name (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), NULL);
  return self->real_name != NULL ? self->real_name : "";
}

const char *
satchel_account_get_email (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), NULL);
  return self->email;
}

SatchelAccountKind
satchel_account_get_kind (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), SATCHEL_ACCOUNT_KIND_IMAP);
  return self->kind;
}

const char *
satchel_account_get_host (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), NULL);
  return self->host;
}

guint
satchel_account_get_port (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), 0);
  return self->port;
}

/**
 * satchel_account_get_effective_port:
 *
 * Returns: the port to connect to: the one set, or else the standard port
 *   for the account's kind and security
 */
guint16
satchel_account_get_effective_port (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), 0);

  if (self->port != 0)
    return self->port;
  return satchel_standard_port (self->kind, self->security);
}

SatchelSecurity
satchel_account_get_security (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), SATCHEL_SECURITY_TLS);
  return self->security;
}

const char *
satchel_account_get_user (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), NULL);
  return self->user != NULL ? self->user : self->email;
}

const char *
satchel_account_get_smtp_host (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), NULL);
  return self->smtp_host;
}

guint
satchel_account_get_smtp_port (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), 0);
  return self->smtp_port;
}

guint16
satchel_account_get_effective_smtp_port (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), 0);

  if (self->smtp_port != 0)
    return self->smtp_port;
  return satchel_standard_smtp_port (self->smtp_security);
}

SatchelSecurity
satchel_account_get_smtp_security (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), SATCHEL_SECURITY_TLS);
  return self->smtp_security;
}

const char *
satchel_account_get_smtp_user (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), NULL);
  return self->smtp_user;
}

/**
 * satchel_account_get_effective_smtp_user:
 *
 * Returns: the login for the outgoing server: its own, or else the
 *   incoming server's, as most providers use one login for both
 */
const char *
satchel_account_get_effective_smtp_user (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), NULL);
  return self->smtp_user != NULL ? self->smtp_user : satchel_account_get_user (self);
}

gboolean
satchel_account_get_keep_offline (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), FALSE);
  return self->keep_offline;
}

gboolean
satchel_account_get_leave_on_server (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), TRUE);
  return self->leave_on_server;
}

gboolean
satchel_account_get_delete_after (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), FALSE);
  return self->delete_after;
}

guint
satchel_account_get_delete_after_days (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), SATCHEL_ACCOUNT_DEFAULT_DELETE_AFTER_DAYS);
  return self->delete_after_days;
}

gboolean
satchel_account_get_apop (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), FALSE);
  return self->apop;
}

gboolean
satchel_account_get_delete_when_deleted (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), FALSE);
  return self->delete_when_deleted;
}

const char *
satchel_account_get_signature (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), NULL);
  return self->signature;
}

const char *
satchel_account_get_ca_file (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), NULL);
  return self->ca_file;
}

/**
 * satchel_account_get_color:
 *
 * Returns: (nullable): the colour the user gave the account, as #rrggbb
 */
const char *
satchel_account_get_color (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), NULL);
  return self->color;
}

guint
satchel_account_get_check_interval (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), SATCHEL_ACCOUNT_DEFAULT_CHECK_INTERVAL);
  return self->check_interval;
}

gboolean
satchel_account_has_smtp (SatchelAccount *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), FALSE);
  return self->smtp_host != NULL;
}

/**
 * satchel_host_name_is_valid:
 *
 * Returns: whether @host is an IP address or a host name (IDN allowed)
 */
gboolean
satchel_host_name_is_valid (const char *host)
{
  g_autofree char *ascii = NULL;
  g_auto(GStrv) labels = NULL;
  gsize len;

  if (host == NULL || host[0] == '\0')
    return FALSE;
  if (g_hostname_is_ip_address (host))
    return TRUE;

  ascii = g_hostname_to_ascii (host);
  if (ascii == NULL)
    return FALSE;
  len = strlen (ascii);
  if (len > 253 || (len > 0 && ascii[len - 1] == '.' && len == 1))
    return FALSE;
  if (ascii[len - 1] == '.')
    ascii[len - 1] = '\0';

  labels = g_strsplit (ascii, ".", -1);
  for (guint i = 0; labels[i] != NULL; i++)
    {
      const char *label = labels[i];
      gsize label_len = strlen (label);

      if (label_len == 0 || label_len > 63 || label[0] == '-' || label[label_len - 1] == '-')
        return FALSE;
      for (const char *p = label; *p != '\0'; p++)
        if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
          return FALSE;
    }
  return TRUE;
}

/**
 * satchel_email_address_is_valid:
 *
 * Returns: whether @address is one plain address (`local@domain`), as
 *   GMime reads it, with a valid domain
 */
gboolean
satchel_email_address_is_valid (const char *address)
{
  g_autoptr(InternetAddressList) list = NULL;
  InternetAddress *parsed;
  const char *at;
  const char *addr;

  if (address == NULL || address[0] == '\0' || strlen (address) > 254)
    return FALSE;
  for (const char *p = address; *p != '\0'; p++)
    if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p) || strchr ("<>()[],;:\"\\", *p) != NULL)
      return FALSE;

  satchel_gmime_ensure_init ();
  list = internet_address_list_parse (NULL, address);
  if (list == NULL || internet_address_list_length (list) != 1)
    return FALSE;
  parsed = internet_address_list_get_address (list, 0);
  if (!INTERNET_ADDRESS_IS_MAILBOX (parsed))
    return FALSE;
  addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (parsed));
  if (g_strcmp0 (addr, address) != 0)
    return FALSE;

  at = strrchr (address, '@');
  if (at == NULL || at == address || strchr (address, '@') != at)
    return FALSE;
  return satchel_host_name_is_valid (at + 1);
}

/* Whether @text is valid UTF-8 with something other than white space. */
static gboolean
text_is_present (const char *text)
{
  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return FALSE;
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

static gboolean
check_ca_file (const char  *path,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  GList *certs;

  if (!g_path_is_absolute (path))
    {
      g_set_error (error, SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_INVALID,
                   _("The CA file must be given as an absolute path, not “%s”."), path);
      return FALSE;
    }
  certs = g_tls_certificate_list_new_from_file (path, &local_error);
  if (certs == NULL)
    {
      g_set_error (error, SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_INVALID,
                   _("The CA file %s holds no usable PEM certificate: %s"), path,
                   local_error != NULL ? local_error->message : _("it is empty."));
      return FALSE;
    }
  g_list_free_full (certs, g_object_unref);
  return TRUE;
}

/**
 * satchel_account_validate:
 * @allow_insecure: the user confirmed that a server may be used without
 *   encryption
 *
 * Checks that the settings can work: a valid address and host names, a
 * login name, settings that fit the account's kind, and no unencrypted
 * server unless @allow_insecure.
 */
/* "#rrggbb", as the account table keeps it. */
static gboolean
color_is_valid (const char *color)
{
  if (strlen (color) != 7 || color[0] != '#')
    return FALSE;
  for (guint i = 1; i < 7; i++)
    if (!g_ascii_isxdigit (color[i]))
      return FALSE;
  return TRUE;
}

gboolean
satchel_account_validate (SatchelAccount  *self,
                          gboolean         allow_insecure,
                          GError         **error)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (self), FALSE);

  if (!satchel_email_address_is_valid (self->email))
    {
      g_set_error (error, SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_INVALID,
                   _("“%s” is not a valid email address."), self->email ? self->email : "");
      return FALSE;
    }
  if (!text_is_present (self->label))
    {
      g_set_error (error, SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_INVALID,
                   _("The account needs a label."));
      return FALSE;
    }
  if (self->real_name != NULL && !g_utf8_validate (self->real_name, -1, NULL))
    {
      g_set_error (error, SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_INVALID,
                   _("The name is not valid UTF-8 text."));
      return FALSE;
    }
  if (!satchel_host_name_is_valid (self->host))
    {
      g_set_error (error, SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_INVALID,
                   _("“%s” is not a valid server name."), self->host ? self->host : "");
      return FALSE;
    }
  if (self->user == NULL || self->user[0] == '\0')
    {
      g_set_error (error, SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_INVALID,
                   _("The account needs a login name for %s."), self->host);
      return FALSE;
    }
  if (self->smtp_host != NULL && !satchel_host_name_is_valid (self->smtp_host))
    {
      g_set_error (error, SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_INVALID,
                   _("“%s” is not a valid server name."), self->smtp_host);
      return FALSE;
    }
  if (self->smtp_host == NULL &&
      (self->smtp_port != 0 || self->smtp_user != NULL ||
       self->smtp_security != SATCHEL_SECURITY_TLS))
    {
      g_set_error (error, SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_INVALID,
                   _("Outgoing server settings were given without an outgoing server."));
      return FALSE;
    }
  if (self->kind == SATCHEL_ACCOUNT_KIND_POP3 && self->keep_offline)
    {
      g_set_error (error, SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_INVALID,
                   _("“Keep all mail offline” is for IMAP accounts; a POP3 account always "
                     "downloads its mail to this computer."));
      return FALSE;
    }
  if (self->kind == SATCHEL_ACCOUNT_KIND_IMAP && self->apop)
    {
      g_set_error (error, SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_INVALID,
                   _("APOP is a way to log in to POP3 servers only."));
      return FALSE;
    }
  if (self->kind == SATCHEL_ACCOUNT_KIND_IMAP &&
      (!self->leave_on_server || self->delete_after || self->delete_when_deleted))
    {
      g_set_error (error, SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_INVALID,
                   _("The server-copy options are for POP3 accounts; an IMAP account always "
                     "keeps its mail on the server."));
      return FALSE;
    }
  if (self->delete_after && self->leave_on_server == FALSE)
    {
      g_set_error (error, SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_INVALID,
                   _("“Delete from the server after %u days” needs “Leave a copy on the "
                     "server”; without it every message is deleted from the server as soon "
                     "as it is downloaded."),
                   self->delete_after_days);
      return FALSE;
    }
  if (self->ca_file != NULL && !check_ca_file (self->ca_file, error))
    return FALSE;
  if (self->color != NULL && !color_is_valid (self->color))
    {
      g_set_error (error, SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_INVALID,
                   _("“%s” is not a colour: write it as #rrggbb."), self->color);
      return FALSE;
    }

  if (!allow_insecure && self->security == SATCHEL_SECURITY_NONE)
    {
      g_set_error (error, SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_INSECURE,
                   _("Without encryption, the password and all mail for %s would cross the "
                     "network readable by anyone. Choose TLS or STARTTLS, or confirm that "
                     "you want an unencrypted connection."),
                   self->host);
      return FALSE;
    }
  if (!allow_insecure && self->smtp_host != NULL && self->smtp_security == SATCHEL_SECURITY_NONE)
    {
      g_set_error (error, SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_INSECURE,
                   _("Without encryption, the password and all mail sent through %s would "
                     "cross the network readable by anyone. Choose TLS or STARTTLS, or "
                     "confirm that you want an unencrypted connection."),
                   self->smtp_host);
      return FALSE;
    }

  return TRUE;
}
