/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-autostart.c: starting Satchel at login, in the background
 *
 * Copyright 2026 The Satchel authors
 *
 * "Start at login" is an XDG autostart entry that runs `satchel
 * --background`, written to (or removed from) the user's autostart
 * folder. Inside Flatpak the sandbox cannot write there: the Background
 * portal is asked instead, and the desktop keeps the entry.
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "satchel-autostart.h"

/**
 * satchel_autostart_dup_path:
 *
 * Returns: (transfer full): where the autostart entry goes
 */
char *
satchel_autostart_dup_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "autostart", APP_ID ".desktop", NULL);
}

static void
portal_answered_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    g_warning ("The Background portal did not take the request: %s", error->message);
}

static gboolean
ask_portal (gboolean   enabled,
            GError   **error)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, error);
  GVariantBuilder options;
  const char *command[] = { "satchel", "--background", NULL };

  if (bus == NULL)
    return FALSE;
  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "reason",
                         g_variant_new_string (_("Satchel checks for new mail in the "
                                                 "background")));
  g_variant_builder_add (&options, "{sv}", "autostart", g_variant_new_boolean (enabled));
  g_variant_builder_add (&options, "{sv}", "commandline", g_variant_new_strv (command, -1));
  g_dbus_connection_call (bus, "org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop",
                          "org.freedesktop.portal.Background", "RequestBackground",
                          g_variant_new ("(sa{sv})", "", &options), NULL,
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, portal_answered_cb, NULL);
  return TRUE;
}

/**
 * satchel_autostart_set:
 * @enabled: whether Satchel starts, without a window, when the user logs in
 *
 * Returns: %FALSE with @error when the entry could not be written or removed
 */
gboolean
satchel_autostart_set (gboolean   enabled,
                       GError   **error)
{
  g_autofree char *path = satchel_autostart_dup_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *entry = NULL;

  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    return ask_portal (enabled, error);

  if (!enabled)
    {
      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       _("Could not remove %s: %s"), path, g_strerror (errno));
          return FALSE;
        }
      return TRUE;
    }

  entry = g_strdup_printf ("[Desktop Entry]\n"
                           "Type=Application\n"
                           "Name=%s\n"
                           "Comment=%s\n"
                           "Exec=satchel --background\n"
                           "Icon=" APP_ID "\n"
                           "NoDisplay=true\n"
                           "X-GNOME-Autostart-enabled=true\n",
                           _("Satchel"), _("Check for new mail in the background"));
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   _("Could not create %s: %s"), dir, g_strerror (errno));
      return FALSE;
    }
  return g_file_set_contents (path, entry, -1, error);
}
