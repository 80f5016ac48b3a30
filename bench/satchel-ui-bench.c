/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-ui-bench.c: the main window's speed on a 100,000-message folder
 *
 * Copyright 2026 The Satchel authors
 *
 * Run by bench/ui (under the test servers' X server). With a folder of
 * --messages messages in a profile's store, measures:
 *
 *   launch to first frame   the satchel binary started on the profile
 *                           until it painted its first frame (the Inbox
 *                           open) and quit; the median of five runs
 *   peak RSS                of those runs, at their first frame
 *   folder to first rows    in this process: the Inbox picked in the
 *                           sidebar until a frame with its rows is
 *                           painted; the median of ten
 *   search                  satchel_query_search() over all mail, as the
 *                           search bar runs it; the median of twenty words
 *   scrolling               the list moved a page at a time (200 pages), and
 *                           to 20 places anywhere in it: the time to make
 *                           each frame that shows a move (from the frame
 *                           clock's before-paint to its after-paint); the
 *                           95th percentile, which must fit a frame at 60 Hz
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "satchel-application.h"
#include "satchel-window.h"

static const char *first_names[] = {
  "Ada", "Alan", "Grace", "Linus", "Radia", "Barbara", "Ken", "Dennis", "Margaret", "Sophie",
  "Åsa", "Мария", "Frances", "Edsger", "Donald", "Niklaus",
};
static const char *last_names[] = {
  "Lovelace", "Turing", "Hopper", "Torvalds", "Perlman", "Liskov", "Thompson", "Ritchie",
  "Hamilton", "Wilson", "Allen", "Dijkstra", "Knuth", "Wirth", "Dubois",
};
static const char *words[] = {
  "lunch", "budget", "release", "roadmap", "meeting", "invoice", "travel", "review", "patch",
  "schedule", "concert", "weather", "agenda", "tickets", "design", "question", "answer",
  "holiday", "report", "draft", "offline", "folder", "client", "server", "photo", "thanks",
};

typedef struct
{
  char   *profile;
  gint64  inbox;
  gint64  other;
  GArray *times;      /* ms, folder to first rows */
  GArray *scroll_times; /* ms, a scroll move to its frame, sorted */
} Bench;

static char *
sentence (GRand *rand,
          guint  n)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? " " : "",
                            words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))]);
  return g_string_free (out, FALSE);
}

/* A POP3 account (nothing to connect to) with an Inbox of @count messages
 * and an empty folder, written straight into the store. */
static void
fill_profile (Bench *bench,
              guint  count)
{
  g_autofree char *path = g_build_filename (bench->profile, "satchel.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelStore) store = satchel_store_open (path, &error);
  g_autoptr(SatchelAccountList) list = NULL;
  g_autoptr(SatchelAccount) account = NULL;
  g_autoptr(SatchelFolderInfo) inbox = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261122);
  SatchelFolderInfo other = { 0 };
  gint64 start = g_get_monotonic_time ();

  if (store == NULL)
    g_error ("%s", error->message);
  list = satchel_account_list_new (store, &error);
  account = satchel_account_new (SATCHEL_ACCOUNT_KIND_POP3, "ada@example.org");
  g_object_set (account, "host", "pop.example.invalid", "label", "Bench", NULL);
  if (!satchel_account_list_add (list, account, &error))
    g_error ("%s", error->message);
  inbox = satchel_store_find_folder_by_role (store, satchel_account_get_id (account),
                                             SATCHEL_FOLDER_ROLE_INBOX, &error);
  g_assert (inbox != NULL);
  bench->inbox = inbox->id;
  other.account_id = satchel_account_get_id (account);
  other.name = (char *) "Projects";
  bench->other = satchel_store_save_folder (store, &other, &error);
  g_assert (bench->other != 0);

  for (guint done = 0; done < count;)
    {
      gint64 first = 0, last = 0;

      if (!satchel_store_begin (store, &error))
        g_error ("%s", error->message);
      for (guint i = 0; i < 10000 && done < count; i++, done++)
        {
          g_autofree char *subject = sentence (rand, g_rand_int_range (rand, 2, 7));
          g_autofree char *preview = sentence (rand, 20);
          g_autofree char *from = g_strdup_printf ("%s %s <%s.%u@example.org>",
            first_names[g_rand_int_range (rand, 0, G_N_ELEMENTS (first_names))],
            last_names[g_rand_int_range (rand, 0, G_N_ELEMENTS (last_names))], "user",
            g_rand_int_range (rand, 0, 5000));
          g_autofree char *uidl = g_strdup_printf ("bench-%u", done);
          SatchelMessageSummary summary = { 0 };
          gint64 id;

          summary.uidl = uidl;
          summary.subject = subject;
          summary.sender = from;
          summary.to = "ada@example.org";
          summary.preview = preview;
          summary.date = 1790000000 - (gint64) done * 600;
          summary.internal_date = summary.date;
          summary.size = g_rand_int_range (rand, 2048, 20480);
          summary.flags = done % 3 != 0 ? SATCHEL_FLAG_SEEN : 0;
          summary.has_attachments = done % 50 == 0;
          id = satchel_store_add_message (store, bench->inbox, &summary, NULL, &error);
          if (id == 0)
            g_error ("%s", error->message);
          if (first == 0)
            first = id;
          last = id;
        }
      if (!satchel_store_index_messages (store, first, last, &error) ||
          !satchel_store_commit (store, &error))
        g_error ("%s", error->message);
    }
  g_print ("setup: %u messages in the store in %.1f s\n", count,
           (g_get_monotonic_time () - start) / 1e6);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, values->len / 2);
}

/* The satchel binary, started until its first frame: milliseconds, and
 * its peak RSS in kB. */
static void
measure_launch (Bench      *bench,
                const char *binary,
                double     *ms,
                gint64     *rss)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

  *rss = 0;
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      const char *argv[] = { binary, "--profile", bench->profile, NULL };
      g_auto(GStrv) env = g_get_environ ();
      const char *peak;
      gint64 start;
      double elapsed;
      int status;

      env = g_environ_setenv (env, "SATCHEL_EXIT_AFTER_FIRST_FRAME", "1", TRUE);
      env = g_environ_setenv (env, "SATCHEL_CHECK_SECONDS", "never", TRUE);
      start = g_get_monotonic_time ();
      if (!g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                         NULL, &status, &error) ||
          !g_spawn_check_wait_status (status, &error))
        g_error ("%s: %s", binary, error->message);
      elapsed = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (times, elapsed);
      peak = strstr (out, "peak RSS ");
      if (peak == NULL)
        g_error ("%s printed no first frame: %s", binary, out);
      *rss = MAX (*rss, g_ascii_strtoll (peak + strlen ("peak RSS "), NULL, 10));
    }
  *ms = median (times);
}

static double
measure_search (Bench *bench)
{
  g_autofree char *path = g_build_filename (bench->profile, "satchel.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SatchelStore) store = satchel_store_open (path, &error);
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *query = i < 10 ? g_strdup (words[i])
                                      : g_strdup_printf ("%s %s", words[i], words[i + 3]);
      g_autoptr(GPtrArray) rows = NULL;
      gint64 start = g_get_monotonic_time ();
      double elapsed;

      /* As the search bar asks: the first thousand, newest first. */
      rows = satchel_query_search (store, query, 0, 0, 1000, &error);
      elapsed = (g_get_monotonic_time () - start) / 1000.0;
      if (rows == NULL)
        g_error ("%s", error->message);
      g_array_append_val (times, elapsed);
    }
  return median (times);
}

/* Folder to first rows, in this process */

static GtkWidget *
find_list_view (GtkWidget *root)
{
  if (GTK_IS_LIST_VIEW (root))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_list_view (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  GtkWidget *list;
  gboolean   drawn;
  guint      paints;
  gint64     frame_start;   /* when the frame being made began */
  double     frame_ms;      /* how long the last frame took to make */
} FrameWait;

static void
before_paint_cb (GdkFrameClock *clock,
                 FrameWait     *wait)
{
  wait->frame_start = g_get_monotonic_time ();
}

static void
after_paint_cb (GdkFrameClock *clock,
                FrameWait     *wait)
{
  GtkSelectionModel *model = gtk_list_view_get_model (GTK_LIST_VIEW (wait->list));

  wait->paints++;
  wait->frame_ms = (g_get_monotonic_time () - wait->frame_start) / 1000.0;
  /* Rows are drawn when the list has its model's rows as children. */
  if (gtk_widget_get_mapped (wait->list) && model != NULL &&
      g_list_model_get_n_items (G_LIST_MODEL (model)) > 0 &&
      gtk_widget_get_first_child (wait->list) != NULL &&
      gtk_widget_get_mapped (gtk_widget_get_first_child (wait->list)))
    wait->drawn = TRUE;
}

/* Sets @value on the list's scroll position; returns how long that took
 * and the frame that shows it took to make (its rows read, laid out and
 * drawn), in ms: the waiting for the frame's turn is the display's, not
 * Satchel's. */
static double
scroll_to (FrameWait     *wait,
           GtkAdjustment *scroll,
           double         value)
{
  guint paints = wait->paints;
  gint64 start = g_get_monotonic_time ();
  double now_ms;

  /* What the move does at once counts too. */
  gtk_adjustment_set_value (scroll, value);
  now_ms = (g_get_monotonic_time () - start) / 1000.0;
  while (wait->paints == paints)
    g_main_context_iteration (NULL, TRUE);
  return now_ms + wait->frame_ms;
}

static void
measure_scrolling (Bench     *bench,
                   FrameWait *wait)
{
  GtkAdjustment *scroll = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (wait->list));
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261207);
  double top;

  bench->scroll_times = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < 200; i++)
    {
      double elapsed = scroll_to (wait, scroll, gtk_adjustment_get_value (scroll) +
                                                gtk_adjustment_get_page_size (scroll));

      g_array_append_val (bench->scroll_times, elapsed);
    }
  top = gtk_adjustment_get_upper (scroll) - gtk_adjustment_get_page_size (scroll);
  for (guint i = 0; i < 20; i++)
    {
      double elapsed = scroll_to (wait, scroll, g_rand_double_range (rand, 0, top));

      g_array_append_val (bench->scroll_times, elapsed);
    }
  g_array_sort (bench->scroll_times, compare_doubles);
}

static gboolean
measure_folders_cb (gpointer user_data)
{
  Bench *bench = user_data;
  GtkApplication *app = GTK_APPLICATION (g_application_get_default ());
  GtkWindow *window = gtk_application_get_active_window (app);
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  FrameWait wait = { find_list_view (GTK_WIDGET (window)), FALSE, 0 };

  g_assert (wait.list != NULL);
  g_signal_connect (clock, "before-paint", G_CALLBACK (before_paint_cb), &wait);
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &wait);
  for (guint i = 0; i < 10; i++)
    {
      gint64 start;
      double elapsed;

      satchel_window_show_folder (SATCHEL_WINDOW (window), bench->other);
      for (guint j = 0; j < 20; j++)
        g_main_context_iteration (NULL, FALSE);
      wait.drawn = FALSE;
      start = g_get_monotonic_time ();
      satchel_window_show_folder (SATCHEL_WINDOW (window), bench->inbox);
      while (!wait.drawn)
        g_main_context_iteration (NULL, TRUE);
      elapsed = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (bench->times, elapsed);
    }
  measure_scrolling (bench, &wait);
  g_signal_handlers_disconnect_by_func (clock, before_paint_cb, &wait);
  g_signal_handlers_disconnect_by_func (clock, after_paint_cb, &wait);
  gtk_window_destroy (window);
  return G_SOURCE_REMOVE;
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window,
                 Bench          *bench)
{
  g_timeout_add (500, measure_folders_cb, bench);
}

static double
measure_folders (Bench *bench)
{
  g_autoptr(SatchelApplication) app = satchel_application_new ();
  char *argv[] = { (char *) "satchel", (char *) "--profile", bench->profile, NULL };

  g_setenv ("SATCHEL_CHECK_SECONDS", "never", TRUE);
  bench->times = g_array_new (FALSE, FALSE, sizeof (double));
  g_signal_connect (app, "window-added", G_CALLBACK (window_added_cb), bench);
  if (g_application_run (G_APPLICATION (app), 3, argv) != 0 || bench->times->len == 0)
    g_error ("The window did not run");
  return median (bench->times);
}

static const char *
verdict (gboolean ok)
{
  return ok ? "PASS" : "FAIL";
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— the main window's speed");
  g_autofree char *binary = NULL;
  int messages = 100000;
  Bench bench = { 0 };
  GOptionEntry entries[] = {
    { "messages", 0, 0, G_OPTION_ARG_INT, &messages, "Messages in the Inbox", "N" },
    { "satchel", 0, 0, G_OPTION_ARG_FILENAME, &binary, "The satchel binary", "PATH" },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  double launch, search, folders;
  gint64 rss;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || binary == NULL)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "--satchel is needed");
      return 2;
    }
  gtk_init ();
  adw_init ();
  satchel_engine_init ();

  bench.profile = g_dir_make_tmp ("satchel-ui-bench-XXXXXX", &error);
  g_assert (bench.profile != NULL);
  fill_profile (&bench, messages);
  measure_launch (&bench, binary, &launch, &rss);
  search = measure_search (&bench);
  folders = measure_folders (&bench);

  g_print ("\nSatchel's window, a folder of %d messages, %u cores\n", messages,
           g_get_num_processors ());
  g_print ("%-28s %10s  %12s\n", "measure", "Satchel", "target");
  g_print ("%-28s %7.1f ms  %12s  %s\n", "launch to first frame", launch, "< 500 ms",
           verdict (launch < 500));
  g_print ("%-28s %7.1f MB  %12s  %s\n", "peak RSS, folder open", rss / 1024.0, "< 200 MB",
           verdict (rss < 200 * 1024));
  g_print ("%-28s %7.1f ms  %12s  %s\n", "folder to first rows", folders, "< 100 ms",
           verdict (folders < 100));
  g_print ("%-28s %7.1f ms  %12s  %s\n", "search, all mail (median)", search, "< 50 ms",
           verdict (search < 50));
  {
    double p95 = g_array_index (bench.scroll_times, double, bench.scroll_times->len * 95 / 100);
    double worst = g_array_index (bench.scroll_times, double, bench.scroll_times->len - 1);

    g_print ("%-28s %7.1f ms  %12s  %s   (median %.1f ms, worst %.1f ms)\n",
             "scrolling, a frame (95th pc.)", p95, "< 16.7 ms", verdict (p95 < 16.7),
             median (bench.scroll_times), worst);
  }

  {
    g_autofree char *db = g_build_filename (bench.profile, "satchel.db", NULL);
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db, "-shm", NULL);

    g_unlink (db);
    g_unlink (wal);
    g_unlink (shm);
  }
  return launch < 500 && rss < 200 * 1024 && folders < 100 && search < 50 ? 0 : 1;
}
