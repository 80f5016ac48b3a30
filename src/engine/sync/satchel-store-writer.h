/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-store-writer.h: the store's writes, in order, off the main thread
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gio/gio.h>

#include "store/satchel-store.h"

G_BEGIN_DECLS

/* Runs in the writer's thread with its own connection to the store.
 * Returns a result (or GINT_TO_POINTER (TRUE)), or NULL with @error set. */
typedef gpointer (*SatchelStoreJob) (SatchelStore  *store,
                                     gpointer       data,
                                     GError       **error);

#define SATCHEL_TYPE_STORE_WRITER (satchel_store_writer_get_type ())

G_DECLARE_FINAL_TYPE (SatchelStoreWriter, satchel_store_writer, SATCHEL, STORE_WRITER, GObject)

SatchelStoreWriter *satchel_store_writer_new          (const char          *path,
                                                       GError             **error);
void                satchel_store_writer_run_async    (SatchelStoreWriter  *self,
                                                       SatchelStoreJob      job,
                                                       gpointer             data,
                                                       GDestroyNotify       data_free,
                                                       GDestroyNotify       result_free,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gpointer            satchel_store_writer_run_finish   (SatchelStoreWriter  *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);
gpointer            satchel_store_writer_run_sync     (SatchelStoreWriter  *self,
                                                       SatchelStoreJob      job,
                                                       gpointer             data,
                                                       GError             **error);

G_END_DECLS
