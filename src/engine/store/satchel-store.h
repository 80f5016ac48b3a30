/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-store.h: the SQLite store of one profile
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define SATCHEL_STORE_ERROR (satchel_store_error_quark ())

/**
 * SatchelStoreError:
 * @SATCHEL_STORE_ERROR_NOT_A_DATABASE: the file is not a Satchel database;
 *   it was left untouched
 * @SATCHEL_STORE_ERROR_NEWER_SCHEMA: the database was written by a newer
 *   Satchel; it was left untouched
 * @SATCHEL_STORE_ERROR_IO: the file could not be created, read or written
 * @SATCHEL_STORE_ERROR_BUSY: another process holds the database locked
 *   (retryable)
 * @SATCHEL_STORE_ERROR_CONSTRAINT: a write broke a constraint of the schema
 * @SATCHEL_STORE_ERROR_CORRUPT: SQLite found the file damaged
 * @SATCHEL_STORE_ERROR_FAILED: any other SQLite failure
 *
 * Errors of the store layer. Messages are sentences for the user.
 */
typedef enum
{
  SATCHEL_STORE_ERROR_NOT_A_DATABASE,
  SATCHEL_STORE_ERROR_NEWER_SCHEMA,
  SATCHEL_STORE_ERROR_IO,
  SATCHEL_STORE_ERROR_BUSY,
  SATCHEL_STORE_ERROR_CONSTRAINT,
  SATCHEL_STORE_ERROR_CORRUPT,
  SATCHEL_STORE_ERROR_FAILED,
} SatchelStoreError;

/* The bits of message.flags. */
typedef enum
{
  SATCHEL_FLAG_SEEN     = 1 << 0,
  SATCHEL_FLAG_ANSWERED = 1 << 1,
  SATCHEL_FLAG_FLAGGED  = 1 << 2,
  SATCHEL_FLAG_DELETED  = 1 << 3,
  SATCHEL_FLAG_DRAFT    = 1 << 4,
} SatchelFlags;

#define SATCHEL_TYPE_STORE (satchel_store_get_type ())

G_DECLARE_FINAL_TYPE (SatchelStore, satchel_store, SATCHEL, STORE, GObject)

GQuark        satchel_store_error_quark      (void);

SatchelStore *satchel_store_open             (const char    *path,
                                              GError       **error);
const char   *satchel_store_get_path         (SatchelStore  *self);
int           satchel_store_get_version      (SatchelStore  *self);
int           satchel_store_get_latest_version (void);

sqlite3_stmt *satchel_store_prepare          (SatchelStore  *self,
                                              const char    *sql,
                                              GError       **error);
int           satchel_store_step             (SatchelStore  *self,
                                              sqlite3_stmt  *stmt,
                                              GError       **error);
gboolean      satchel_store_run              (SatchelStore  *self,
                                              sqlite3_stmt  *stmt,
                                              GError       **error);
gboolean      satchel_store_exec             (SatchelStore  *self,
                                              const char    *sql,
                                              GError       **error);
gint64        satchel_store_last_insert_id   (SatchelStore  *self);
int           satchel_store_changes          (SatchelStore  *self);

gboolean      satchel_store_begin            (SatchelStore  *self,
                                              GError       **error);
gboolean      satchel_store_begin_copy       (SatchelStore  *self,
                                              GError       **error);
gboolean      satchel_store_commit           (SatchelStore  *self,
                                              GError       **error);
void          satchel_store_rollback         (SatchelStore  *self);

gboolean      satchel_store_check_integrity  (SatchelStore  *self,
                                              char         **report,
                                              GError       **error);

G_END_DECLS
