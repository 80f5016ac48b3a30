/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-ui-test-utils.c: running the application and finding its widgets
 *
 * Copyright 2026 The Satchel authors
 *
 * What the UI tests share: they run SatchelApplication as a user starts
 * it, find widgets by what the user sees of them, wait for the main loop
 * and answer dialogs with the buttons the user would press.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "satchel-ui-test-utils.h"

typedef struct
{
  SatchelApplication *app;
  SatchelWindow      *window;
  WindowCheck         check;
  gboolean            ran;
} Run;

GtkWidget *
find_widget (GtkWidget *root,
             gboolean (*match) (GtkWidget *widget, gconstpointer data),
             gconstpointer data)
{
  if (match (root, data))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, match, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

gboolean
is_button_for_action (GtkWidget     *widget,
                      gconstpointer  action)
{
  return GTK_IS_BUTTON (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0;
}

gboolean
is_mapped_status_page_titled (GtkWidget     *widget,
                              gconstpointer  title)
{
  return ADW_IS_STATUS_PAGE (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (adw_status_page_get_title (ADW_STATUS_PAGE (widget)), title) == 0;
}

gboolean
is_mapped_label (GtkWidget     *widget,
                 gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

gboolean
is_mapped_row_titled (GtkWidget     *widget,
                      gconstpointer  title)
{
  return ADW_IS_ACTION_ROW (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

void
wait_for_draw (GtkWidget *widget)
{
  GMainContext *context = g_main_context_default ();

  /* Let the stack's transition and the relayout finish. */
  for (int i = 0; i < 50; i++)
    {
      while (g_main_context_iteration (context, FALSE))
        ;
      g_usleep (10000);
    }
  gtk_test_widget_wait_for_draw (widget);
}

gboolean
is_widget_of_type (GtkWidget     *widget,
                   gconstpointer  type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type));
}

/* Saves what @window shows as tests/screenshots/@name.png in the build
 * tree: the artefacts a reviewer looks at. */
void
save_screenshot (GtkWidget  *window,
                 const char *name)
{
  g_autofree char *dir = g_build_filename (g_getenv ("SATCHEL_BUILD_DIR") != NULL
                                           ? g_getenv ("SATCHEL_BUILD_DIR") : ".",
                                           "tests", "screenshots", NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width = gtk_widget_get_width (window);
  int height = gtk_widget_get_height (window);

  wait_for_draw (window);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* Runs the main loop until @done says so, for at most @seconds. */
void
wait_until_ (gboolean  (*done) (gpointer data),
             gpointer    data,
             guint       seconds,
             const char *what)
{
  gint64 end = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!done (data))
    {
      if (g_get_monotonic_time () >= end)
        g_error ("Waited %u s in vain for %s", seconds, what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

gboolean
dialog_open (gpointer data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_mapped (GTK_WIDGET (window)))
        {
          *(AdwMessageDialog **) data = ADW_MESSAGE_DIALOG (window);
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
is_button_labelled (GtkWidget     *widget,
                    gconstpointer  label)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)),
                                              label) == 0;
}

/* Clicks the dialog's button for @response; the dialog closes. */
void
press_response (AdwMessageDialog *dialog,
                const char       *response)
{
  GtkWidget *button = find_widget (GTK_WIDGET (dialog), is_button_labelled,
                                   adw_message_dialog_get_response_label (dialog, response));

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_activate (button));
  wait_until (no_dialog_open, NULL, 5);
}

gboolean
no_dialog_open (gpointer data)
{
  AdwMessageDialog *dialog = NULL;

  return !dialog_open (&dialog);
}

gboolean
is_check_button_labelled (GtkWidget     *widget,
                          gconstpointer  label)
{
  return GTK_IS_CHECK_BUTTON (widget) &&
         g_strcmp0 (gtk_check_button_get_label (GTK_CHECK_BUTTON (widget)), label) == 0;
}

static gboolean
run_check_cb (gpointer user_data)
{
  Run *run = user_data;
  GtkWindow *window = GTK_WINDOW (run->window);

  wait_for_draw (GTK_WIDGET (window));
  run->check (run->app, run->window);
  run->ran = TRUE;
  /* As the user closing the window: the application ends with it. */
  gtk_window_destroy (window);
  return G_SOURCE_REMOVE;
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window,
                 Run            *run)
{
  /* The main window; a composer that it opens comes later. */
  if (SATCHEL_IS_WINDOW (window) && run->window == NULL)
    {
      run->window = SATCHEL_WINDOW (window);
      g_idle_add (run_check_cb, run);
    }
}

void
run_app (const char  *profile,
         WindowCheck  check)
{
  SatchelApplication *app = satchel_application_new ();
  Run run = { app, NULL, check, FALSE };
  char *argv[] = { (char *) "satchel", (char *) "--profile", (char *) profile, NULL };
  int status;

  g_signal_connect (app, "window-added", G_CALLBACK (window_added_cb), &run);
  status = g_application_run (G_APPLICATION (app), 3, argv);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (run.ran);
  g_assert_finalize_object (app);
}


/**
 * ui_test_init:
 *
 * Returns: whether the UI tests can run: there is a display (the test
 *   servers start Xvfb); without one, they are skipped unless the servers
 *   are required
 */
gboolean
ui_test_init (int    *argc,
              char ***argv)
{
  if (g_getenv ("DISPLAY") == NULL)
    {
      if (g_getenv ("SATCHEL_TEST_REQUIRE_SERVERS") != NULL)
        g_error ("No display: the test servers should have started Xvfb");
      printf ("1..0 # SKIP needs a display: run with build-aux/test\n");
      return FALSE;
    }
  gtk_test_init (argc, argv, NULL);
  adw_init ();
  /* As the application's main() does: the environment's locale (which
   * gtk_test_init() set to en_US), and Satchel's translations for its
   * templates and strings. */
  setlocale (LC_ALL, "");
  textdomain (GETTEXT_PACKAGE);
  /* This process keeps G_DEBUG's fatal warnings (GLib read them); WebKit's
   * network and web processes, which are not ours, do not inherit them. */
  g_unsetenv ("G_DEBUG");
  satchel_engine_init ();
  return TRUE;
}

gboolean
is_mapped_group_titled (GtkWidget     *widget,
                        gconstpointer  title)
{
  return ADW_IS_PREFERENCES_GROUP (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (widget)), title) == 0;
}

/* Entry rows, action rows, combo rows: what a settings page is made of. */
gboolean
is_mapped_preferences_row_titled (GtkWidget     *widget,
                                  gconstpointer  title)
{
  return ADW_IS_PREFERENCES_ROW (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

/**
 * find_field:
 * @group: (nullable): the title of the group the row is in
 * @type: %G_TYPE_INVALID for the row itself, or the type of its widget
 *
 * Returns: the row titled @row, shown, or its widget of @type; fails the
 *   test when there is none
 */
GtkWidget *
find_field (GtkWidget  *root,
            const char *group,
            const char *row,
            GType       type)
{
  GtkWidget *found;

  if (group != NULL)
    {
      root = find_widget (root, is_mapped_group_titled, group);
      g_assert_nonnull (root);
    }
  found = find_widget (root, is_mapped_preferences_row_titled, row);
  g_assert_nonnull (found);
  if (type != G_TYPE_INVALID && !G_TYPE_CHECK_INSTANCE_TYPE (found, type))
    found = find_widget (found, is_widget_of_type, GSIZE_TO_POINTER (type));
  g_assert_nonnull (found);
  return found;
}
