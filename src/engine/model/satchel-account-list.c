/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-account-list.c: the profile's accounts, as a list model over the store
 *
 * Copyright 2026 The Satchel authors
 *
 * SatchelAccountList loads the account table once and then owns it: adding
 * or removing goes through here and emits items-changed, and a change of
 * any account property is written back at once, so that a preferences row
 * bound to a property needs nothing else. A write that fails is reported by
 * the save-failed signal.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "satchel-account-list.h"
#include "store/satchel-store-pop3.h"
#include "satchel-enum-types.h"

struct _SatchelAccountList
{
  GObject parent_instance;

  /* Owned */
  SatchelStore *store;
  GPtrArray    *accounts;   /* SatchelAccount */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SatchelAccountList, satchel_account_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  SAVE_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Which column of the account table holds which account property. The
 * first is the uuid, which never changes once the row exists. */
static const struct {
  const char *column;
  const char *property;
} columns[] = {
  { "uuid", "uuid" },
  { "label", "label" },
  { "real_name", "real-name" },
  { "email", "email" },
  { "kind", "kind" },
  { "host", "host" },
  { "port", "port" },
  { "security", "security" },
  { "user", "user" },
  { "smtp_host", "smtp-host" },
  { "smtp_port", "smtp-port" },
  { "smtp_security", "smtp-security" },
  { "smtp_user", "smtp-user" },
  { "keep_offline", "keep-offline" },
  { "leave_on_server", "leave-on-server" },
  { "delete_after", "delete-after" },
  { "delete_after_days", "delete-after-days" },
  { "delete_when_deleted", "delete-when-deleted" },
  { "apop", "apop" },
  { "signature", "signature" },
  { "ca_file", "ca-file" },
  { "check_interval", "check-interval" },
  { "color", "color" },
};

typedef struct
{
  char *select;
  char *insert;
  char *update;
} Statements;

static const Statements *
get_statements (void)
{
  static Statements statements;
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      g_autoptr(GString) select = g_string_new ("SELECT id");
      g_autoptr(GString) insert = g_string_new ("INSERT INTO account (position, created");
      g_autoptr(GString) values = g_string_new ("VALUES (?, ?");
      g_autoptr(GString) update = g_string_new ("UPDATE account SET ");

      for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
        {
          g_string_append_printf (select, ", %s", columns[i].column);
          g_string_append_printf (insert, ", %s", columns[i].column);
          g_string_append (values, ", ?");
          if (i > 0)
            g_string_append_printf (update, "%s%s = ?", i > 1 ? ", " : "", columns[i].column);
        }
      g_string_append (select, " FROM account ORDER BY position, id");
      g_string_append_printf (insert, ") %s)", values->str);
      g_string_append (update, " WHERE id = ?");

      statements.select = g_string_free (g_steal_pointer (&select), FALSE);
      statements.insert = g_string_free (g_steal_pointer (&insert), FALSE);
      statements.update = g_string_free (g_steal_pointer (&update), FALSE);
      g_once_init_leave (&initialized, 1);
    }
  return &statements;
}

static void
bind_property (sqlite3_stmt   *stmt,
               int             index,
               SatchelAccount *account,
               const char     *property)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (account), property);
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, pspec->value_type);
  g_object_get_property (G_OBJECT (account), property, &value);

  if (G_VALUE_HOLDS_STRING (&value))
    {
      const char *text = g_value_get_string (&value);

      if (text != NULL)
        sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
      else
        sqlite3_bind_null (stmt, index);
    }
  else if (G_VALUE_HOLDS_BOOLEAN (&value))
    sqlite3_bind_int (stmt, index, g_value_get_boolean (&value));
  else if (G_VALUE_HOLDS_UINT (&value))
    sqlite3_bind_int64 (stmt, index, g_value_get_uint (&value));
  else if (G_VALUE_HOLDS_ENUM (&value))
    sqlite3_bind_text (stmt, index,
                       satchel_enum_to_nick (pspec->value_type, g_value_get_enum (&value)),
                       -1, SQLITE_STATIC);
  else
    g_assert_not_reached ();
}

static gboolean
read_property (sqlite3_stmt *stmt,
               int           index,
               GParamSpec   *pspec,
               GValue       *value)
{
  g_value_init (value, pspec->value_type);

  if (G_VALUE_HOLDS_STRING (value))
    g_value_set_string (value, (const char *) sqlite3_column_text (stmt, index));
  else if (G_VALUE_HOLDS_BOOLEAN (value))
    g_value_set_boolean (value, sqlite3_column_int (stmt, index) != 0);
  else if (G_VALUE_HOLDS_UINT (value))
    {
      GParamSpecUInt *uspec = G_PARAM_SPEC_UINT (pspec);
      gint64 n = sqlite3_column_int64 (stmt, index);

      g_value_set_uint (value, CLAMP (n, uspec->minimum, uspec->maximum));
    }
  else if (G_VALUE_HOLDS_ENUM (value))
    {
      int v;

      if (!satchel_enum_from_nick (pspec->value_type,
                                   (const char *) sqlite3_column_text (stmt, index), &v))
        return FALSE;
      g_value_set_enum (value, v);
    }
  else
    g_assert_not_reached ();

  return TRUE;
}

static void
account_notify_cb (SatchelAccountList *self,
                   GParamSpec         *pspec,
                   SatchelAccount     *account)
{
  const Statements *sql = get_statements ();
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt;

  if (g_str_equal (pspec->name, "id"))
    return;

  stmt = satchel_store_prepare (self->store, sql->update, &error);
  if (stmt != NULL)
    {
      guint i;

      for (i = 1; i < G_N_ELEMENTS (columns); i++)
        bind_property (stmt, i, account, columns[i].property);
      sqlite3_bind_int64 (stmt, i, satchel_account_get_id (account));
      satchel_store_run (self->store, stmt, &error);
    }

  if (error != NULL)
    g_signal_emit (self, signals[SAVE_FAILED], 0, account, error);
}

static void
track_account (SatchelAccountList *self,
               SatchelAccount     *account)
{
  g_ptr_array_add (self->accounts, g_object_ref (account));
  g_signal_connect_object (account, "notify", G_CALLBACK (account_notify_cb), self,
                           G_CONNECT_SWAPPED);
}

static gboolean
load (SatchelAccountList  *self,
      GError             **error)
{
  const Statements *sql = get_statements ();
  GObjectClass *account_class = g_type_class_ref (SATCHEL_TYPE_ACCOUNT);
  sqlite3_stmt *stmt;
  int rc;

  stmt = satchel_store_prepare (self->store, sql->select, error);
  if (stmt == NULL)
    return FALSE;

  while ((rc = satchel_store_step (self->store, stmt, error)) == SQLITE_ROW)
    {
      const char *names[G_N_ELEMENTS (columns)];
      GValue values[G_N_ELEMENTS (columns)] = { G_VALUE_INIT };
      g_autoptr(SatchelAccount) account = NULL;
      gboolean ok = TRUE;

      for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
        {
          GParamSpec *pspec = g_object_class_find_property (account_class, columns[i].property);

          names[i] = columns[i].property;
          ok = read_property (stmt, i + 1, pspec, &values[i]) && ok;
        }

      if (ok)
        {
          account = (SatchelAccount *) g_object_new_with_properties (SATCHEL_TYPE_ACCOUNT,
                                                                     G_N_ELEMENTS (columns),
                                                                     names, values);
          satchel_account_set_id (account, sqlite3_column_int64 (stmt, 0));
          track_account (self, account);
        }
      else
        {
          g_debug ("Skipping account %" G_GINT64_FORMAT " with an unknown kind or security",
                   (gint64) sqlite3_column_int64 (stmt, 0));
        }

      for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
        if (G_IS_VALUE (&values[i]))
          g_value_unset (&values[i]);
    }

  g_type_class_unref (account_class);
  return rc == SQLITE_DONE;
}

static GType
satchel_account_list_get_item_type (GListModel *model)
{
  return SATCHEL_TYPE_ACCOUNT;
}

static guint
satchel_account_list_get_n_items (GListModel *model)
{
  return SATCHEL_ACCOUNT_LIST (model)->accounts->len;
}

static gpointer
satchel_account_list_get_item (GListModel *model,
                               guint       position)
{
  SatchelAccountList *self = SATCHEL_ACCOUNT_LIST (model);

  if (position >= self->accounts->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->accounts, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = satchel_account_list_get_item_type;
  iface->get_n_items = satchel_account_list_get_n_items;
  iface->get_item = satchel_account_list_get_item;
}

static void
satchel_account_list_dispose (GObject *object)
{
  SatchelAccountList *self = (SatchelAccountList *)object;

  if (self->accounts != NULL)
    {
      for (guint i = 0; i < self->accounts->len; i++)
        g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->accounts, i), self);
      g_ptr_array_set_size (self->accounts, 0);
    }
  g_clear_object (&self->store);

  G_OBJECT_CLASS (satchel_account_list_parent_class)->dispose (object);
}

static void
satchel_account_list_finalize (GObject *object)
{
  SatchelAccountList *self = (SatchelAccountList *)object;

  g_clear_pointer (&self->accounts, g_ptr_array_unref);

  G_OBJECT_CLASS (satchel_account_list_parent_class)->finalize (object);
}

static void
satchel_account_list_class_init (SatchelAccountListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = satchel_account_list_dispose;
  object_class->finalize = satchel_account_list_finalize;

  /**
   * SatchelAccountList::save-failed:
   * @account: the account whose change could not be saved
   * @error: why, in words for the user
   */
  signals[SAVE_FAILED] =
    g_signal_new ("save-failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, SATCHEL_TYPE_ACCOUNT, G_TYPE_ERROR);
}

static void
satchel_account_list_init (SatchelAccountList *self)
{
  self->accounts = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * satchel_account_list_new:
 * @store: the profile's store
 *
 * Returns: (transfer full) (nullable): the accounts saved in @store
 */
SatchelAccountList *
satchel_account_list_new (SatchelStore  *store,
                          GError       **error)
{
  g_autoptr(SatchelAccountList) self = NULL;

  g_return_val_if_fail (SATCHEL_IS_STORE (store), NULL);

  self = g_object_new (SATCHEL_TYPE_ACCOUNT_LIST, NULL);
  self->store = g_object_ref (store);
  if (!load (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

SatchelStore *
satchel_account_list_get_store (SatchelAccountList *self)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT_LIST (self), NULL);

  return self->store;
}

static gboolean
names_match (const char *a,
             const char *b)
{
  return a != NULL && b != NULL && g_utf8_collate (a, b) == 0;
}

static gboolean
addresses_match (const char *a,
                 const char *b)
{
  return a != NULL && b != NULL && g_ascii_strcasecmp (a, b) == 0;
}

/**
 * satchel_account_list_lookup:
 * @email_or_label: an account's address or label
 *
 * Returns: (transfer none) (nullable): the account with that address, or
 *   else with that label
 */
SatchelAccount *
satchel_account_list_lookup (SatchelAccountList *self,
                             const char         *email_or_label)
{
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT_LIST (self), NULL);

  if (email_or_label == NULL)
    return NULL;

  for (guint i = 0; i < self->accounts->len; i++)
    {
      SatchelAccount *account = g_ptr_array_index (self->accounts, i);

      if (addresses_match (satchel_account_get_email (account), email_or_label))
        return account;
    }
  for (guint i = 0; i < self->accounts->len; i++)
    {
      SatchelAccount *account = g_ptr_array_index (self->accounts, i);

      if (names_match (satchel_account_get_label (account), email_or_label))
        return account;
    }
  return NULL;
}

/**
 * satchel_account_list_find:
 *
 * Like satchel_account_list_lookup(), with an error in words when there is
 * no such account.
 *
 * Returns: (transfer none) (nullable): the account
 */
SatchelAccount *
satchel_account_list_find (SatchelAccountList  *self,
                           const char          *email_or_label,
                           GError             **error)
{
  SatchelAccount *account = satchel_account_list_lookup (self, email_or_label);

  if (account == NULL)
    g_set_error (error, SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_NOT_FOUND,
                 _("There is no account with the address or label “%s”."), email_or_label);
  return account;
}

/**
 * satchel_account_list_check_unique:
 *
 * Checks that no other account has the address of @account, and that its
 * label names no other account, so that every account can be named by
 * either.
 */
gboolean
satchel_account_list_check_unique (SatchelAccountList  *self,
                                   SatchelAccount      *account,
                                   GError             **error)
{
  const char *email = satchel_account_get_email (account);
  const char *label = satchel_account_get_label (account);

  for (guint i = 0; i < self->accounts->len; i++)
    {
      SatchelAccount *other = g_ptr_array_index (self->accounts, i);

      if (g_str_equal (satchel_account_get_uuid (other), satchel_account_get_uuid (account)))
        continue;

      if (addresses_match (satchel_account_get_email (other), email))
        {
          g_set_error (error, SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_DUPLICATE,
                       _("There is already an account for %s."), email);
          return FALSE;
        }
      if (names_match (satchel_account_get_label (other), label) ||
          addresses_match (satchel_account_get_email (other), label) ||
          names_match (satchel_account_get_label (other), email))
        {
          g_set_error (error, SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_DUPLICATE,
                       _("The name “%s” is already used by the account %s; choose another "
                         "label."),
                       names_match (satchel_account_get_label (other), email) ? email : label,
                       satchel_account_get_email (other));
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * satchel_account_list_add:
 * @account: a new account, not yet saved
 *
 * Saves @account and appends it. The caller validated its settings; this
 * checks that it names no other account.
 */
gboolean
satchel_account_list_add (SatchelAccountList  *self,
                          SatchelAccount      *account,
                          GError             **error)
{
  const Statements *sql = get_statements ();
  sqlite3_stmt *stmt;
  gint64 id;
  guint i;

  g_return_val_if_fail (SATCHEL_IS_ACCOUNT_LIST (self), FALSE);
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (account), FALSE);
  g_return_val_if_fail (satchel_account_get_id (account) == 0, FALSE);

  if (!satchel_account_list_check_unique (self, account, error))
    return FALSE;

  if (!satchel_store_begin (self->store, error))
    return FALSE;
  stmt = satchel_store_prepare (self->store, sql->insert, error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int (stmt, 1, self->accounts->len);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time () / G_USEC_PER_SEC);
  for (i = 0; i < G_N_ELEMENTS (columns); i++)
    bind_property (stmt, i + 3, account, columns[i].property);
  if (!satchel_store_run (self->store, stmt, error))
    goto failed;
  id = satchel_store_last_insert_id (self->store);
  /* A POP3 account's folders are all local, there from the start. */
  if (satchel_account_get_kind (account) == SATCHEL_ACCOUNT_KIND_POP3 &&
      !satchel_store_ensure_local_folders (self->store, id, error))
    goto failed;
  if (!satchel_store_commit (self->store, error))
    return FALSE;

  satchel_account_set_id (account, id);
  track_account (self, account);
  g_list_model_items_changed (G_LIST_MODEL (self), self->accounts->len - 1, 0, 1);
  return TRUE;

failed:
  satchel_store_rollback (self->store);
  return FALSE;
}

/**
 * satchel_account_list_remove:
 *
 * Deletes @account from the store with everything the store holds for it
 * (folders, cached mail, queued changes) and from the list. The keyring
 * entries are the caller's (SatchelSecrets).
 */
gboolean
satchel_account_list_remove (SatchelAccountList  *self,
                             SatchelAccount      *account,
                             GError             **error)
{
  sqlite3_stmt *stmt;
  guint position;

  g_return_val_if_fail (SATCHEL_IS_ACCOUNT_LIST (self), FALSE);
  g_return_val_if_fail (SATCHEL_IS_ACCOUNT (account), FALSE);

  if (!g_ptr_array_find (self->accounts, account, &position))
    {
      g_set_error (error, SATCHEL_ACCOUNT_ERROR, SATCHEL_ACCOUNT_ERROR_NOT_FOUND,
                   _("There is no account with the address or label “%s”."),
                   satchel_account_get_label (account));
      return FALSE;
    }

  stmt = satchel_store_prepare (self->store, "DELETE FROM account WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, satchel_account_get_id (account));
  if (!satchel_store_run (self->store, stmt, error))
    return FALSE;

  g_signal_handlers_disconnect_by_data (account, self);
  g_ptr_array_remove_index (self->accounts, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  return TRUE;
}
