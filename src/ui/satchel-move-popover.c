/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-move-popover.c: pick the folder to move a message to
 *
 * Copyright 2026 The Satchel authors
 *
 * A search entry over the account's folders: typing narrows the list,
 * Enter takes the first folder left, a click takes the one clicked.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "satchel-move-popover.h"

struct _SatchelMovePopover
{
  GtkPopover parent_instance;

  GtkSearchEntry *entry;
  GtkListBox     *list;
};

G_DEFINE_FINAL_TYPE (SatchelMovePopover, satchel_move_popover, GTK_TYPE_POPOVER)

enum
{
  SIGNAL_FOLDER_CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
filter_cb (GtkListBoxRow *row,
           gpointer       user_data)
{
  SatchelMovePopover *self = user_data;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  const char *title = g_object_get_data (G_OBJECT (row), "title");
  g_autofree char *needle = NULL;
  g_autofree char *haystack = NULL;

  if (text[0] == '\0')
    return TRUE;
  needle = g_utf8_casefold (text, -1);
  haystack = g_utf8_casefold (title, -1);
  return strstr (haystack, needle) != NULL;
}

static void
choose (SatchelMovePopover *self,
        GtkListBoxRow      *row)
{
  gtk_popover_popdown (GTK_POPOVER (self));
  g_signal_emit (self, signals[SIGNAL_FOLDER_CHOSEN], 0,
                 g_object_get_data (G_OBJECT (row), "name"));
}

static void
row_activated_cb (GtkListBox         *list,
                  GtkListBoxRow      *row,
                  SatchelMovePopover *self)
{
  choose (self, row);
}

static void
search_changed_cb (SatchelMovePopover *self)
{
  gtk_list_box_invalidate_filter (self->list);
}

/* Enter: the first folder the search left. */
static void
activate_cb (SatchelMovePopover *self)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (GTK_IS_LIST_BOX_ROW (row) && gtk_widget_get_child_visible (row))
      {
        choose (self, GTK_LIST_BOX_ROW (row));
        return;
      }
}

static void
show_cb (SatchelMovePopover *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
}

static void
satchel_move_popover_class_init (SatchelMovePopoverClass *klass)
{
  /**
   * SatchelMovePopover::folder-chosen:
   * @name: the folder's name in the store
   */
  signals[SIGNAL_FOLDER_CHOSEN] =
    g_signal_new ("folder-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
satchel_move_popover_init (SatchelMovePopover *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *scroller = gtk_scrolled_window_new ();

  self->entry = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  g_object_set (self->entry, "placeholder-text", _("Move to…"), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Find a folder"), -1);
  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_list_box_set_activate_on_single_click (self->list, TRUE);
  gtk_list_box_set_filter_func (self->list, filter_cb, self, NULL);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "navigation-sidebar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Folders"), -1);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 360);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->list));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->entry));
  gtk_box_append (GTK_BOX (box), scroller);
  gtk_widget_set_size_request (box, 240, -1);
  gtk_popover_set_child (GTK_POPOVER (self), box);

  g_signal_connect_swapped (self->entry, "search-changed", G_CALLBACK (search_changed_cb), self);
  g_signal_connect_swapped (self->entry, "activate", G_CALLBACK (activate_cb), self);
  g_signal_connect (self->list, "row-activated", G_CALLBACK (row_activated_cb), self);
  g_signal_connect (self, "show", G_CALLBACK (show_cb), NULL);
}

GtkWidget *
satchel_move_popover_new (void)
{
  return g_object_new (SATCHEL_TYPE_MOVE_POPOVER, NULL);
}

/**
 * satchel_move_popover_add_folder:
 * @title: as the user sees it
 * @name: as the store names it
 *
 * Adds a folder to pick.
 */
void
satchel_move_popover_add_folder (SatchelMovePopover *self,
                                 const char         *icon_name,
                                 const char         *title,
                                 const char         *name)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *label = gtk_label_new (title);

  g_return_if_fail (SATCHEL_IS_MOVE_POPOVER (self));

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name (icon_name));
  gtk_box_append (GTK_BOX (box), label);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data_full (G_OBJECT (row), "title", g_strdup (title), g_free);
  g_object_set_data_full (G_OBJECT (row), "name", g_strdup (name), g_free);
  gtk_list_box_append (self->list, row);
}

/**
 * satchel_move_popover_clear:
 *
 * Removes every folder.
 */
void
satchel_move_popover_clear (SatchelMovePopover *self)
{
  GtkWidget *child;

  g_return_if_fail (SATCHEL_IS_MOVE_POPOVER (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
}
