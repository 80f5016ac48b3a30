/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-color-dot.c: a dot in an account's colour
 *
 * Copyright 2026 The Satchel authors
 *
 * A symbolic circle whose colour is the account's (#rrggbb, checked by
 * satchel_account_validate), hidden when the account has none.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "satchel-color-dot.h"

/**
 * satchel_color_dot_set_color:
 * @color: (nullable): #rrggbb, or %NULL to hide the dot
 */
void
satchel_color_dot_set_color (GtkWidget  *dot,
                             const char *color)
{
  GtkStyleContext *context = gtk_widget_get_style_context (dot);
  GtkCssProvider *old = g_object_get_data (G_OBJECT (dot), "color-provider");
  g_autoptr(GtkCssProvider) provider = NULL;
  g_autofree char *css = NULL;

  if (old != NULL)
    gtk_style_context_remove_provider (context, GTK_STYLE_PROVIDER (old));
  gtk_widget_set_visible (dot, color != NULL);
  if (color == NULL)
    {
      g_object_set_data (G_OBJECT (dot), "color-provider", NULL);
      return;
    }
  css = g_strdup_printf ("image { color: %s; }", color);
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_data (provider, css, -1);
  gtk_style_context_add_provider (context, GTK_STYLE_PROVIDER (provider),
                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_set_data_full (G_OBJECT (dot), "color-provider", g_steal_pointer (&provider),
                          g_object_unref);
}

GtkWidget *
satchel_color_dot_new (const char *color)
{
  GtkWidget *dot = gtk_image_new_from_icon_name ("media-record-symbolic");

  gtk_accessible_update_property (GTK_ACCESSIBLE (dot), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Account colour"), -1);
  satchel_color_dot_set_color (dot, color);
  return dot;
}
