/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-ui-test-utils.h: running the application and finding its widgets
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <adwaita.h>

#include "satchel-application.h"
#include "satchel-window.h"

G_BEGIN_DECLS

typedef void (*WindowCheck) (SatchelApplication *app,
                             SatchelWindow      *window);

gboolean   ui_test_init                  (int              *argc,
                                          char           ***argv);

/* Runs Satchel on @profile as a user starts it; once its main window is
 * drawn, calls @check, then closes the window, which ends the run. */
void       run_app                       (const char       *profile,
                                          WindowCheck       check);

GtkWidget *find_widget                   (GtkWidget        *root,
                                          gboolean        (*match) (GtkWidget *widget, gconstpointer data),
                                          gconstpointer     data);
gboolean   is_button_for_action          (GtkWidget        *widget,
                                          gconstpointer     action);
gboolean   is_mapped_status_page_titled  (GtkWidget        *widget,
                                          gconstpointer     title);
gboolean   is_mapped_label               (GtkWidget        *widget,
                                          gconstpointer     text);
gboolean   is_mapped_row_titled          (GtkWidget        *widget,
                                          gconstpointer     title);
gboolean   is_widget_of_type             (GtkWidget        *widget,
                                          gconstpointer     type);
gboolean   is_button_labelled            (GtkWidget        *widget,
                                          gconstpointer     label);
gboolean   is_check_button_labelled      (GtkWidget        *widget,
                                          gconstpointer     label);
gboolean   is_mapped_group_titled        (GtkWidget        *widget,
                                          gconstpointer     title);
gboolean   is_mapped_preferences_row_titled (GtkWidget     *widget,
                                             gconstpointer  title);
GtkWidget *find_field                    (GtkWidget        *root,
                                          const char       *group,
                                          const char       *row,
                                          GType             type);

void       wait_for_draw                 (GtkWidget        *widget);
void       wait_until_                   (gboolean        (*done) (gpointer data),
                                          gpointer          data,
                                          guint             seconds,
                                          const char       *what);
#define wait_until(done, data, seconds) wait_until_ ((done), (data), (seconds), #done)
void       save_screenshot               (GtkWidget        *window,
                                          const char       *name);

/* A message dialog that is shown: it goes into *(AdwMessageDialog **) data. */
gboolean   dialog_open                   (gpointer          data);
gboolean   no_dialog_open                (gpointer          data);
void       press_response                (AdwMessageDialog *dialog,
                                          const char       *response);

G_END_DECLS
