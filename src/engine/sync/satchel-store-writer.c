/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-store-writer.c: the store's writes, in order, off the main thread
 *
 * Copyright 2026 The Satchel authors
 *
 * Sync hands its reads and writes to one thread with its own connection
 * to the profile's database, as jobs that run one after another in the
 * order given. The main thread never waits on a large write, and the
 * network and the disk work at the same time. A job that writes opens its
 * own transaction: what it committed is durable before its callback runs,
 * and only then may the caller tell a server to forget anything.
 */

#include "config.h"

#include "satchel-store-writer.h"

struct _SatchelStoreWriter
{
  GObject parent_instance;

  /* Owned */
  SatchelStore *store;   /* used only in the pool's thread */
  GThreadPool  *pool;
};

G_DEFINE_FINAL_TYPE (SatchelStoreWriter, satchel_store_writer, G_TYPE_OBJECT)

typedef struct
{
  SatchelStoreJob job;
  gpointer        data;
  GDestroyNotify  data_free;
  GDestroyNotify  result_free;
} Job;

static void
job_free (Job *job)
{
  if (job->data_free != NULL)
    job->data_free (job->data);
  g_free (job);
}

static void
run_job (gpointer task_data,
         gpointer user_data)
{
  g_autoptr(GTask) task = task_data;
  SatchelStoreWriter *self = user_data;
  Job *job = g_task_get_task_data (task);
  GError *error = NULL;
  gpointer result;

  if (g_task_return_error_if_cancelled (task))
    return;
  result = job->job (self->store, job->data, &error);
  if (result == NULL)
    g_task_return_error (task, error != NULL ? error
                                             : g_error_new_literal (SATCHEL_STORE_ERROR,
                                                                    SATCHEL_STORE_ERROR_FAILED,
                                                                    "job failed"));
  else
    g_task_return_pointer (task, result, job->result_free);
}

static void
satchel_store_writer_finalize (GObject *object)
{
  SatchelStoreWriter *self = (SatchelStoreWriter *)object;

  /* Waits for the jobs already given. */
  if (self->pool != NULL)
    g_thread_pool_free (self->pool, FALSE, TRUE);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (satchel_store_writer_parent_class)->finalize (object);
}

static void
satchel_store_writer_class_init (SatchelStoreWriterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = satchel_store_writer_finalize;
}

static void
satchel_store_writer_init (SatchelStoreWriter *self)
{
}

/**
 * satchel_store_writer_new:
 * @path: the profile's database
 *
 * Returns: (transfer full) (nullable): a writer with its own connection
 */
SatchelStoreWriter *
satchel_store_writer_new (const char  *path,
                          GError     **error)
{
  g_autoptr(SatchelStoreWriter) self = g_object_new (SATCHEL_TYPE_STORE_WRITER, NULL);

  self->store = satchel_store_open (path, error);
  if (self->store == NULL)
    return NULL;
  /* A sync's inserts touch every index; 16 MiB of page cache keeps the
   * pages of a folder of 100,000 messages at hand. */
  if (!satchel_store_exec (self->store, "PRAGMA cache_size = -16384", error))
    return NULL;
  /* One exclusive thread: jobs run in the order they were pushed. Jobs
   * hold a reference to the writer through their task. */
  self->pool = g_thread_pool_new (run_job, self, 1, TRUE, error);
  if (self->pool == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

void
satchel_store_writer_run_async (SatchelStoreWriter  *self,
                                SatchelStoreJob      job,
                                gpointer             data,
                                GDestroyNotify       data_free,
                                GDestroyNotify       result_free,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;
  Job *j;

  g_return_if_fail (SATCHEL_IS_STORE_WRITER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, satchel_store_writer_run_async);
  j = g_new0 (Job, 1);
  j->job = job;
  j->data = data;
  j->data_free = data_free;
  j->result_free = result_free;
  g_task_set_task_data (task, j, (GDestroyNotify) job_free);
  g_thread_pool_push (self->pool, task, NULL);
}

gpointer
satchel_store_writer_run_finish (SatchelStoreWriter  *self,
                                 GAsyncResult        *result,
                                 GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  gboolean finished;
  gpointer result;
  GError  *error;
} Waiter;

static void
wake_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Waiter *waiter = user_data;

  waiter->result = satchel_store_writer_run_finish (SATCHEL_STORE_WRITER (source), result,
                                                    &waiter->error);
  waiter->finished = TRUE;
}

/**
 * satchel_store_writer_run_sync:
 *
 * Runs @job after those before it and waits for it, iterating the
 * thread-default main context meanwhile (the callback comes there).
 */
gpointer
satchel_store_writer_run_sync (SatchelStoreWriter  *self,
                               SatchelStoreJob      job,
                               gpointer             data,
                               GError             **error)
{
  Waiter waiter = { 0 };
  GMainContext *context = g_main_context_get_thread_default ();

  satchel_store_writer_run_async (self, job, data, NULL, NULL, NULL, wake_cb, &waiter);
  while (!waiter.finished)
    g_main_context_iteration (context, TRUE);
  if (waiter.error != NULL)
    g_propagate_error (error, waiter.error);
  return waiter.result;
}
