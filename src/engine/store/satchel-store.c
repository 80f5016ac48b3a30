/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-store.c: the SQLite store of one profile
 *
 * Copyright 2026 The Satchel authors
 *
 * One SatchelStore owns the single writer connection of a profile's
 * database. The schema is built by numbered migrations shipped as
 * resources (sql/version-NNN.sql); PRAGMA user_version says which ran, and
 * PRAGMA application_id marks the file as Satchel's, so that a file from
 * another program or a newer Satchel is refused before anything writes to it.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "satchel-engine-resources.h"
#include "satchel-store-mail.h"
#include "satchel-store-private.h"

#define MIGRATIONS_PATH "/io/github/satchelmail/Satchel/engine/store/sql"
#define BUSY_TIMEOUT_MS 5000

struct _SatchelStore
{
  GObject parent_instance;

  /* Owned */
  char       *path;
  sqlite3    *db;
  GHashTable *statements;   /* SQL text -> prepared sqlite3_stmt */
  GHashTable *by_address;   /* address of the SQL text last asked for -> borrowed statement */

  GArray     *unindexed;    /* gint64 ids of messages added in the open transaction */

  int         version;
  guint       tx_depth;
  gboolean    relaxed;    /* the open transaction commits without waiting for the disk */
};

G_DEFINE_FINAL_TYPE (SatchelStore, satchel_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (satchel-store-error-quark, satchel_store_error)

static int
error_code_for_sqlite (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return SATCHEL_STORE_ERROR_BUSY;
    case SQLITE_CONSTRAINT:
      return SATCHEL_STORE_ERROR_CONSTRAINT;
    case SQLITE_CORRUPT:
      return SATCHEL_STORE_ERROR_CORRUPT;
    case SQLITE_NOTADB:
      return SATCHEL_STORE_ERROR_NOT_A_DATABASE;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return SATCHEL_STORE_ERROR_IO;
    default:
      return SATCHEL_STORE_ERROR_FAILED;
    }
}

static void
set_sqlite_error (GError     **error,
                  sqlite3     *db,
                  int          rc,
                  const char  *path,
                  const char  *what)
{
  const char *detail = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  g_set_error (error, SATCHEL_STORE_ERROR, error_code_for_sqlite (rc),
               /* Translators: the first %s is an action such as "Could not open",
                * the second the file, the third SQLite's own words. */
               _("%s the mail store %s: %s."), what, path, detail);
}

/* Reads the 100-byte SQLite header before the store opens the file, so
 * that a file that is not a database is never handed to SQLite to use.
 *
 * The header is read through SQLite's own file layer, not with a
 * descriptor of our own: POSIX locks belong to the process, and closing
 * any descriptor of the file drops every lock this process's connections
 * hold on it (the window's store, when the writer opens its own). Another
 * process (satchel-cli) would then take itself for the last user of the
 * database when it closes, and delete the write-ahead log that this
 * process goes on writing to: what it commits next would be lost. SQLite
 * keeps such a descriptor open until its locks are released. */
static gboolean
check_file_header (const char  *path,
                   gboolean    *out_missing,
                   gboolean    *out_empty,
                   GError     **error)
{
  static const char magic[16] = "SQLite format 3";
  guint8 header[100] = { 0 };
  gssize n = 0;
  GStatBuf info;
  sqlite3 *db = NULL;
  sqlite3_file *file = NULL;
  int rc;

  *out_missing = FALSE;
  *out_empty = FALSE;

  if (g_stat (path, &info) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT)
        {
          *out_missing = TRUE;
          return TRUE;
        }
      g_set_error (error, SATCHEL_STORE_ERROR, SATCHEL_STORE_ERROR_IO,
                   _("Could not read the mail store %s: %s."), path, g_strerror (saved_errno));
      return FALSE;
    }
  if (info.st_size == 0)
    {
      *out_empty = TRUE;
      return TRUE;
    }

  /* Read-only, and nothing read through the database yet: SQLite writes
   * nothing and creates no file beside it. */
  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_file_control (db, "main", SQLITE_FCNTL_FILE_POINTER, &file);
  if (rc == SQLITE_OK && file != NULL && file->pMethods != NULL)
    {
      rc = file->pMethods->xRead (file, header, sizeof header, 0);
      /* A short read fills the rest with zeros: no header there. */
      n = rc == SQLITE_OK ? (gssize) sizeof header : MIN (info.st_size, (gssize) sizeof header);
      rc = rc == SQLITE_IOERR_SHORT_READ ? SQLITE_OK : rc;
    }
  else if (rc == SQLITE_OK)
    rc = SQLITE_CANTOPEN;
  if (rc != SQLITE_OK)
    {
      g_set_error (error, SATCHEL_STORE_ERROR, SATCHEL_STORE_ERROR_IO,
                   _("Could not read the mail store %s: %s."), path,
                   db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
      sqlite3_close (db);
      return FALSE;
    }
  sqlite3_close (db);

  if (n == 0)
    {
      *out_empty = TRUE;
      return TRUE;
    }

  if (n < (gssize) sizeof header || memcmp (header, magic, sizeof magic) != 0)
    {
      g_set_error (error, SATCHEL_STORE_ERROR, SATCHEL_STORE_ERROR_NOT_A_DATABASE,
                   _("%s is not a Satchel mail store. It was left untouched; move it away "
                     "or choose another profile."),
                   path);
      return FALSE;
    }

  return TRUE;
}

static gboolean
create_private_file (const char  *path,
                     GError     **error)
{
  int fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

  if (fd < 0 && errno != EEXIST)
    {
      int saved_errno = errno;

      g_set_error (error, SATCHEL_STORE_ERROR, SATCHEL_STORE_ERROR_IO,
                   _("Could not create the mail store %s: %s."), path, g_strerror (saved_errno));
      return FALSE;
    }
  if (fd >= 0)
    close (fd);
  return TRUE;
}

static gboolean
query_int (SatchelStore  *self,
           const char    *sql,
           int           *out_value,
           GError       **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (error, self->db, rc, self->path, _("Could not read"));
      sqlite3_finalize (stmt);
      return FALSE;
    }
  *out_value = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return TRUE;
}

static GBytes *
load_migration (int version)
{
  g_autofree char *name = g_strdup_printf (MIGRATIONS_PATH "/version-%03d.sql", version);

  return g_resource_lookup_data (satchel_engine_get_resource (), name,
                                 G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
}

int
satchel_store_get_latest_version (void)
{
  static gsize latest = 0;

  /* Stored plus one, as g_once_init_enter() takes 0 for "not yet". */
  if (g_once_init_enter (&latest))
    {
      gsize n = 0;

      while (TRUE)
        {
          g_autoptr(GBytes) sql = load_migration (n + 1);

          if (sql == NULL)
            break;
          n++;
        }
      g_once_init_leave (&latest, n + 1);
    }
  return (int) latest - 1;
}

static gboolean
migrate (SatchelStore  *self,
         int            target,
         GError       **error)
{
  for (int v = self->version + 1; v <= target; v++)
    {
      g_autoptr(GBytes) sql = load_migration (v);
      g_autofree char *stamp = NULL;
      char *errmsg = NULL;
      int current = 0;
      int rc;

      g_assert (sql != NULL);

      /* BEGIN IMMEDIATE takes the write lock first, so two processes that
       * open a new store at once cannot both run the same migration. */
      rc = sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
      if (rc != SQLITE_OK)
        {
          set_sqlite_error (error, self->db, rc, self->path, _("Could not update"));
          return FALSE;
        }

      if (!query_int (self, "PRAGMA user_version", &current, error))
        {
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
      if (current >= v)
        {
          sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);
          self->version = current;
          v = current;
          continue;
        }

      stamp = g_strdup_printf ("PRAGMA user_version = %d; PRAGMA application_id = %d;",
                               v, SATCHEL_STORE_APPLICATION_ID);
      rc = sqlite3_exec (self->db, g_bytes_get_data (sql, NULL), NULL, NULL, &errmsg);
      if (rc == SQLITE_OK)
        rc = sqlite3_exec (self->db, stamp, NULL, NULL, &errmsg);
      if (rc == SQLITE_OK)
        rc = sqlite3_exec (self->db, "COMMIT", NULL, NULL, &errmsg);
      if (rc != SQLITE_OK)
        {
          g_set_error (error, SATCHEL_STORE_ERROR, error_code_for_sqlite (rc),
                       _("Could not update the mail store %s to version %d: %s."),
                       self->path, v, errmsg != NULL ? errmsg : sqlite3_errstr (rc));
          sqlite3_free (errmsg);
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
      self->version = v;
    }

  return TRUE;
}

/* Decides, with the connection in query_only mode, whether the file is ours
 * and from a schema this build understands. Nothing is written before this. */
static gboolean
check_identity (SatchelStore  *self,
                gboolean       adopt_empty,
                GError       **error)
{
  int app_id = 0;
  int version = 0;
  int tables = 0;

  if (sqlite3_exec (self->db, "PRAGMA query_only = 1", NULL, NULL, NULL) != SQLITE_OK ||
      !query_int (self, "PRAGMA application_id", &app_id, error) ||
      !query_int (self, "PRAGMA user_version", &version, error) ||
      !query_int (self, "SELECT count(*) FROM sqlite_master", &tables, error))
    {
      if (error != NULL && *error != NULL && (*error)->code == SATCHEL_STORE_ERROR_NOT_A_DATABASE)
        {
          g_clear_error (error);
          g_set_error (error, SATCHEL_STORE_ERROR, SATCHEL_STORE_ERROR_NOT_A_DATABASE,
                       _("%s is not a Satchel mail store. It was left untouched; move it away "
                         "or choose another profile."),
                       self->path);
        }
      return FALSE;
    }

  if (app_id != SATCHEL_STORE_APPLICATION_ID)
    {
      /* An SQLite file with nothing in it is what a crash between creating
       * the file and the first migration leaves behind. */
      if (!(app_id == 0 && version == 0 && tables == 0 && adopt_empty))
        {
          g_set_error (error, SATCHEL_STORE_ERROR, SATCHEL_STORE_ERROR_NOT_A_DATABASE,
                       _("%s is an SQLite database of another program, not a Satchel mail "
                         "store. It was left untouched; move it away or choose another "
                         "profile."),
                       self->path);
          return FALSE;
        }
    }

  if (version > satchel_store_get_latest_version ())
    {
      g_set_error (error, SATCHEL_STORE_ERROR, SATCHEL_STORE_ERROR_NEWER_SCHEMA,
                   _("The mail store %s was written by a newer version of Satchel (store "
                     "version %d; this version understands up to %d). It was left untouched; "
                     "update Satchel to open it."),
                   self->path, version, satchel_store_get_latest_version ());
      return FALSE;
    }

  self->version = version;
  sqlite3_exec (self->db, "PRAGMA query_only = 0", NULL, NULL, NULL);
  return TRUE;
}

/* SATCHEL_CRASH_BEFORE_COMMIT=N, SATCHEL_CRASH_AFTER_COMMIT=N: the process
 * kills itself (SIGKILL, as the OOM killer or a logout would) right before
 * its N-th commit (of any of its stores) or right after it reached the
 * write-ahead log. The crash tests run the same work with each N in turn
 * and check that the next run finishes it, with nothing lost and nothing
 * done twice. */
static guint
crash_at (const char *variable,
          gsize      *limit)
{
  if (g_once_init_enter (limit))
    {
      const char *value = g_getenv (variable);

      g_once_init_leave (limit, 1 + (value != NULL ? g_ascii_strtoull (value, NULL, 10) : 0));
    }
  return (guint) *limit - 1;
}

static guint
crash_before_commit (void)
{
  static gsize limit;

  return crash_at ("SATCHEL_CRASH_BEFORE_COMMIT", &limit);
}

static guint
crash_after_commit (void)
{
  static gsize limit;

  return crash_at ("SATCHEL_CRASH_AFTER_COMMIT", &limit);
}

static int
crash_before_commit_hook (void *data)
{
  static int commits;

  if ((guint) g_atomic_int_add (&commits, 1) + 1 == crash_before_commit ())
    kill (getpid (), SIGKILL);
  return 0;
}

static int
crash_after_commit_hook (void       *data,
                         sqlite3    *db,
                         const char *name,
                         int         pages)
{
  static int commits;

  if ((guint) g_atomic_int_add (&commits, 1) + 1 == crash_after_commit ())
    kill (getpid (), SIGKILL);
  /* What SQLite's own hook, which this one replaces, does. */
  if (pages >= 1000)
    sqlite3_wal_checkpoint (db, name);
  return SQLITE_OK;
}

static gboolean
configure_connection (SatchelStore  *self,
                      GError       **error)
{
  /* synchronous = FULL: a commit that Satchel reports (and after which it may
   * tell a POP3 server to delete its copy) must survive a power cut too. */
  static const char pragmas[] =
    "PRAGMA journal_mode = WAL;"
    "PRAGMA synchronous = FULL;"
    "PRAGMA foreign_keys = ON;";
  char *errmsg = NULL;
  int rc;

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);
  if (crash_before_commit () > 0)
    sqlite3_commit_hook (self->db, crash_before_commit_hook, NULL);
  if (crash_after_commit () > 0)
    sqlite3_wal_hook (self->db, crash_after_commit_hook, NULL);

  rc = sqlite3_exec (self->db, pragmas, NULL, NULL, &errmsg);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, SATCHEL_STORE_ERROR, error_code_for_sqlite (rc),
                   _("Could not open the mail store %s: %s."), self->path,
                   errmsg != NULL ? errmsg : sqlite3_errstr (rc));
      sqlite3_free (errmsg);
      return FALSE;
    }
  return TRUE;
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
satchel_store_finalize (GObject *object)
{
  SatchelStore *self = (SatchelStore *)object;

  g_clear_pointer (&self->by_address, g_hash_table_unref);
  g_clear_pointer (&self->unindexed, g_array_unref);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  self->db = NULL;
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (satchel_store_parent_class)->finalize (object);
}

static void
satchel_store_class_init (SatchelStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = satchel_store_finalize;
}

static void
satchel_store_init (SatchelStore *self)
{
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            finalize_statement);
  self->by_address = g_hash_table_new (NULL, NULL);
  self->unindexed = g_array_new (FALSE, FALSE, sizeof (gint64));
}

SatchelStore *
satchel_store_open_at_version (const char  *path,
                               int          version,
                               GError     **error)
{
  g_autoptr(SatchelStore) self = NULL;
  gboolean missing = FALSE;
  gboolean empty = FALSE;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (version >= 0 && version <= satchel_store_get_latest_version (), NULL);

  if (!check_file_header (path, &missing, &empty, error))
    return NULL;
  if (missing && !create_private_file (path, error))
    return NULL;

  self = g_object_new (SATCHEL_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  /* One thread at a time uses a store (the writer has its own), so
   * SQLite need not lock around every call. */
  rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, self->db, rc, path, _("Could not open"));
      return NULL;
    }

  if (!check_identity (self, TRUE, error) ||
      !configure_connection (self, error) ||
      !migrate (self, version, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * satchel_store_open:
 * @path: the database file; created (mode 0600) when missing
 * @error: return location for a #SatchelStoreError
 *
 * Opens the store and brings its schema to the latest version. A file that
 * is not a Satchel database, or one from a newer schema, is refused and
 * left untouched.
 *
 * Returns: (transfer full) (nullable): the store
 */
SatchelStore *
satchel_store_open (const char  *path,
                    GError     **error)
{
  return satchel_store_open_at_version (path, satchel_store_get_latest_version (), error);
}

const char *
satchel_store_get_path (SatchelStore *self)
{
  g_return_val_if_fail (SATCHEL_IS_STORE (self), NULL);

  return self->path;
}

int
satchel_store_get_version (SatchelStore *self)
{
  g_return_val_if_fail (SATCHEL_IS_STORE (self), -1);

  return self->version;
}

sqlite3 *
satchel_store_get_db (SatchelStore *self)
{
  g_return_val_if_fail (SATCHEL_IS_STORE (self), NULL);

  return self->db;
}

/**
 * satchel_store_prepare:
 * @self: a #SatchelStore
 * @sql: the statement
 * @error: return location for a #SatchelStoreError
 *
 * Returns the prepared statement for @sql, compiled once and reused: it
 * comes reset and with its bindings cleared. It stays owned by the store.
 *
 * Returns: (transfer none) (nullable): the statement
 */
sqlite3_stmt *
satchel_store_prepare (SatchelStore  *self,
                       const char    *sql,
                       GError       **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (SATCHEL_IS_STORE (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  /* Most SQL is a string literal, asked for from the same address each
   * time: hashing a pointer and comparing once is cheaper than hashing the
   * text, which a sync does for every message. The comparison keeps a
   * built string that reuses a freed one's address from the wrong
   * statement. */
  stmt = g_hash_table_lookup (self->by_address, sql);
  if (stmt == NULL || strcmp (sqlite3_sql (stmt), sql) != 0)
    {
      stmt = g_hash_table_lookup (self->statements, sql);
      if (stmt == NULL)
        {
          rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
          if (rc != SQLITE_OK)
            {
              set_sqlite_error (error, self->db, rc, self->path, _("Could not read"));
              return NULL;
            }
          g_hash_table_insert (self->statements, g_strdup (sql), stmt);
          g_hash_table_insert (self->by_address, (gpointer) sql, stmt);
          return stmt;
        }
      g_hash_table_insert (self->by_address, (gpointer) sql, stmt);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return stmt;
}

/**
 * satchel_store_step:
 *
 * Steps @stmt once. Returns %SQLITE_ROW or %SQLITE_DONE; any other code sets
 * @error and resets the statement.
 */
int
satchel_store_step (SatchelStore  *self,
                    sqlite3_stmt  *stmt,
                    GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, rc, self->path, _("Could not use"));
      sqlite3_reset (stmt);
    }
  else if (rc == SQLITE_DONE)
    {
      sqlite3_reset (stmt);
    }
  return rc;
}

/* Runs @stmt to its end, ignoring any rows, and resets it. */
gboolean
satchel_store_run (SatchelStore  *self,
                   sqlite3_stmt  *stmt,
                   GError       **error)
{
  int rc;

  while ((rc = satchel_store_step (self, stmt, error)) == SQLITE_ROW)
    ;
  return rc == SQLITE_DONE;
}

gboolean
satchel_store_exec (SatchelStore  *self,
                    const char    *sql,
                    GError       **error)
{
  char *errmsg = NULL;
  int rc;

  g_return_val_if_fail (SATCHEL_IS_STORE (self), FALSE);

  rc = sqlite3_exec (self->db, sql, NULL, NULL, &errmsg);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, SATCHEL_STORE_ERROR, error_code_for_sqlite (rc),
                   _("Could not use the mail store %s: %s."), self->path,
                   errmsg != NULL ? errmsg : sqlite3_errstr (rc));
      sqlite3_free (errmsg);
      return FALSE;
    }
  return TRUE;
}

gint64
satchel_store_last_insert_id (SatchelStore *self)
{
  return sqlite3_last_insert_rowid (self->db);
}

int
satchel_store_changes (SatchelStore *self)
{
  return sqlite3_changes (self->db);
}

/**
 * satchel_store_begin:
 *
 * Starts a write transaction, or a savepoint inside the current one. Every
 * begin is matched by a commit or a rollback.
 */
/* Back to commits that wait for the disk, once the relaxed transaction
 * is over. */
static void
relax_end (SatchelStore *self)
{
  if (!self->relaxed || self->tx_depth > 0)
    return;
  self->relaxed = FALSE;
  if (sqlite3_exec (self->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL) != SQLITE_OK)
    g_warning ("Could not restore synchronous commits: %s", sqlite3_errmsg (self->db));
}

gboolean
satchel_store_begin (SatchelStore  *self,
                     GError       **error)
{
  g_autofree char *sql = NULL;

  g_return_val_if_fail (SATCHEL_IS_STORE (self), FALSE);

  if (self->tx_depth == 0)
    sql = g_strdup ("BEGIN IMMEDIATE");
  else
    sql = g_strdup_printf ("SAVEPOINT sp%u", self->tx_depth);

  if (!satchel_store_exec (self, sql, error))
    return FALSE;
  self->tx_depth++;
  return TRUE;
}

/**
 * satchel_store_begin_copy:
 *
 * Starts a write transaction of what a server still holds (the headers,
 * flags and bodies a sync copies): its commit does not wait for the disk.
 * A power cut may lose it, and the next sync fetches it again; the store
 * stays consistent either way, as the write-ahead log keeps the order of
 * commits. Local changes and POP3 downloads, which a server may forget
 * once they are committed, use satchel_store_begin().
 */
gboolean
satchel_store_begin_copy (SatchelStore  *self,
                          GError       **error)
{
  g_return_val_if_fail (SATCHEL_IS_STORE (self), FALSE);

  if (self->tx_depth > 0)
    return satchel_store_begin (self, error);
  if (!satchel_store_exec (self, "PRAGMA synchronous = NORMAL", error))
    return FALSE;
  self->relaxed = TRUE;
  if (satchel_store_begin (self, error))
    return TRUE;
  relax_end (self);
  return FALSE;
}

/* The messages added in this transaction go into the full-text index: one
 * statement for each run of consecutive ids. Ids of messages rolled back
 * in a savepoint match no row and index nothing. */
static gboolean
index_added (SatchelStore  *self,
             GError       **error)
{
  g_autoptr(GArray) ids = g_steal_pointer (&self->unindexed);
  guint start = 0;

  self->unindexed = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 1; i <= ids->len; i++)
    {
      if (i < ids->len && g_array_index (ids, gint64, i) == g_array_index (ids, gint64, i - 1) + 1)
        continue;
      if (!satchel_store_index_messages (self, g_array_index (ids, gint64, start),
                                         g_array_index (ids, gint64, i - 1), error))
        return FALSE;
      start = i;
    }
  return TRUE;
}

/**
 * satchel_store_note_added:
 * @id: a message just added
 *
 * Puts the message into the full-text index before the transaction that
 * added it commits (or at once, outside one): every message is in the
 * index, which is what lets it take a message out again (version-009.sql).
 * The index is written once for all the messages of a transaction, which
 * costs a fraction of writing it once for each.
 */
gboolean
satchel_store_note_added (SatchelStore  *self,
                          gint64         id,
                          GError       **error)
{
  g_array_append_val (self->unindexed, id);
  if (self->tx_depth > 0)
    return TRUE;
  return index_added (self, error);
}

gboolean
satchel_store_commit (SatchelStore  *self,
                      GError       **error)
{
  g_autofree char *sql = NULL;

  g_return_val_if_fail (SATCHEL_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->tx_depth > 0, FALSE);

  if (self->tx_depth == 1)
    sql = g_strdup ("COMMIT");
  else
    sql = g_strdup_printf ("RELEASE sp%u", self->tx_depth - 1);

  if ((self->tx_depth == 1 && !index_added (self, error)) || !satchel_store_exec (self, sql, error))
    {
      satchel_store_rollback (self);
      return FALSE;
    }
  self->tx_depth--;
  relax_end (self);
  return TRUE;
}

void
satchel_store_rollback (SatchelStore *self)
{
  g_autofree char *sql = NULL;

  g_return_if_fail (SATCHEL_IS_STORE (self));
  g_return_if_fail (self->tx_depth > 0);

  if (self->tx_depth == 1)
    {
      sql = g_strdup ("ROLLBACK");
      g_array_set_size (self->unindexed, 0);
    }
  else
    sql = g_strdup_printf ("ROLLBACK TO sp%u; RELEASE sp%u", self->tx_depth - 1,
                           self->tx_depth - 1);

  /* A failed ROLLBACK means SQLite already rolled back by itself. */
  sqlite3_exec (self->db, sql, NULL, NULL, NULL);
  self->tx_depth--;
  relax_end (self);
}

/* Compares every word, message, column and position the full-text index
 * holds with an index built afresh from what it reads (version-009.sql):
 * an index that kept words of a text that changed, or lost some, differs.
 * Appends what differs to @text. */
static gboolean
check_index (SatchelStore  *self,
             GString       *text,
             GError       **error)
{
  static const char *const setup =
    "CREATE VIRTUAL TABLE temp.index_check USING fts5 ("
    "  subject, addresses, body, tokenize = 'unicode61 remove_diacritics 2');"
    "INSERT INTO temp.index_check (rowid, subject, addresses, body) "
    "  SELECT id, subject, addresses, body FROM message_fts_source;"
    "CREATE VIRTUAL TABLE temp.index_held USING fts5vocab (main, message_fts, instance);"
    "CREATE VIRTUAL TABLE temp.index_built USING fts5vocab (temp, index_check, instance);"
    "INSERT INTO message_fts (message_fts) VALUES ('integrity-check');";
  static const char *const cleanup =
    "DROP TABLE IF EXISTS temp.index_held; DROP TABLE IF EXISTS temp.index_built;"
    "DROP TABLE IF EXISTS temp.index_check;";
  sqlite3_stmt *stmt = NULL;
  char *message = NULL;
  int rc;

  rc = sqlite3_exec (self->db, setup, NULL, NULL, &message);
  if (rc == SQLITE_CORRUPT || rc == SQLITE_CORRUPT_VTAB)
    {
      g_string_append_printf (text, "%sfull-text index: %s", text->len > 0 ? "\n" : "", message);
      sqlite3_free (message);
      sqlite3_exec (self->db, cleanup, NULL, NULL, NULL);
      return TRUE;
    }
  sqlite3_free (message);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (self->db,
                             "SELECT 'held, not in the text: ' || term || ' in ' || doc FROM ("
                             "  SELECT term, doc, col, offset FROM temp.index_held EXCEPT "
                             "  SELECT term, doc, col, offset FROM temp.index_built) "
                             "UNION ALL "
                             "SELECT 'in the text, not held: ' || term || ' in ' || doc FROM ("
                             "  SELECT term, doc, col, offset FROM temp.index_built EXCEPT "
                             "  SELECT term, doc, col, offset FROM temp.index_held) "
                             "LIMIT 20", -1, &stmt, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_string_append_printf (text, "%sfull-text index: %s", text->len > 0 ? "\n" : "",
                              (const char *) sqlite3_column_text (stmt, 0));
      rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    set_sqlite_error (error, self->db, rc, self->path, _("Could not check"));
  sqlite3_exec (self->db, cleanup, NULL, NULL, NULL);
  return rc == SQLITE_DONE;
}

/**
 * satchel_store_check_integrity:
 * @report: (out) (optional): what PRAGMA integrity_check said, and what
 *   differs between the full-text index and the mail it indexes
 *
 * Reads the whole database: for tests and repairs, not for every start.
 *
 * Returns: %TRUE when SQLite finds the database intact and the full-text
 *   index holds exactly the mail's words
 */
gboolean
satchel_store_check_integrity (SatchelStore  *self,
                               char         **report,
                               GError       **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, "PRAGMA integrity_check", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, self->db, rc, self->path, _("Could not check"));
      return FALSE;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, (const char *) sqlite3_column_text (stmt, 0));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, rc, self->path, _("Could not check"));
      return FALSE;
    }
  if (g_str_equal (text->str, "ok"))
    g_string_truncate (text, 0);
  if (self->version >= 9 && !check_index (self, text, error))
    return FALSE;
  if (text->len == 0)
    g_string_assign (text, "ok");

  if (report != NULL)
    *report = g_strdup (text->str);
  return g_str_equal (text->str, "ok");
}
