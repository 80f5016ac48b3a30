/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-tray.c: the icon in the system tray
 *
 * Copyright 2026 The Satchel authors
 *
 * A StatusNotifierItem: the object at /StatusNotifierItem on the
 * application's bus connection says what the tray shows (the icon, with a
 * badge while there is unread mail, and a tooltip that counts it), and a
 * com.canonical.dbusmenu menu at /MenuBar (libdbusmenu-glib) what its menu
 * holds. A click shows or hides the window.
 *
 * The tray is a StatusNotifierWatcher's: the item registers with one
 * whenever one appears on the bus, and without one it stays quiet. It
 * owns no name until then, and makes no call.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <libdbusmenu-glib/dbusmenu-glib.h>
#include <unistd.h>

#include "satchel-tray.h"

#define ITEM_PATH      "/StatusNotifierItem"
#define MENU_PATH      "/MenuBar"
#define ITEM_INTERFACE "org.kde.StatusNotifierItem"
#define WATCHER_NAME   "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH   "/StatusNotifierWatcher"

static const char item_xml[] =
  "<node>"
  "  <interface name='" ITEM_INTERFACE "'>"
  "    <property name='Category' type='s' access='read'/>"
  "    <property name='Id' type='s' access='read'/>"
  "    <property name='Title' type='s' access='read'/>"
  "    <property name='Status' type='s' access='read'/>"
  "    <property name='WindowId' type='i' access='read'/>"
  "    <property name='IconName' type='s' access='read'/>"
  "    <property name='IconThemePath' type='s' access='read'/>"
  "    <property name='AttentionIconName' type='s' access='read'/>"
  "    <property name='OverlayIconName' type='s' access='read'/>"
  "    <property name='ToolTip' type='(sa(iiay)ss)' access='read'/>"
  "    <property name='ItemIsMenu' type='b' access='read'/>"
  "    <property name='Menu' type='o' access='read'/>"
  "    <method name='ContextMenu'><arg name='x' type='i'/><arg name='y' type='i'/></method>"
  "    <method name='Activate'><arg name='x' type='i'/><arg name='y' type='i'/></method>"
  "    <method name='SecondaryActivate'><arg name='x' type='i'/><arg name='y' type='i'/></method>"
  "    <method name='Scroll'><arg name='delta' type='i'/><arg name='orientation' type='s'/></method>"
  "    <signal name='NewTitle'/>"
  "    <signal name='NewIcon'/>"
  "    <signal name='NewAttentionIcon'/>"
  "    <signal name='NewOverlayIcon'/>"
  "    <signal name='NewToolTip'/>"
  "    <signal name='NewStatus'><arg name='status' type='s'/></signal>"
  "  </interface>"
  "</node>";

struct _SatchelTray
{
  GObject parent_instance;

  /* Unowned: the application owns the tray */
  SatchelApplication *app;

  /* Owned */
  GDBusConnection    *bus;
  DbusmenuServer     *menu;
  char               *name;          /* org.kde.StatusNotifierItem-PID-N, once asked for */

  guint               object_id;
  guint               watch_id;
  guint               own_id;
  gboolean            watched;       /* a watcher is on the bus */
  gboolean            named;         /* and the name is ours */
  guint               unread;
};

G_DEFINE_FINAL_TYPE (SatchelTray, satchel_tray, G_TYPE_OBJECT)

static const char *
icon_name (SatchelTray *self)
{
  return self->unread > 0 ? APP_ID "-unread" : APP_ID;
}

static char *
tooltip_text (SatchelTray *self)
{
  if (self->unread == 0)
    return g_strdup (_("No unread mail"));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u unread message",
                                       "%u unread messages", self->unread),
                          self->unread);
}

static GVariant *
get_property (GDBusConnection *bus,
              const char      *sender,
              const char      *path,
              const char      *interface,
              const char      *property,
              GError         **error,
              gpointer         user_data)
{
  SatchelTray *self = user_data;

  if (g_str_equal (property, "Category"))
    return g_variant_new_string ("Communications");
  if (g_str_equal (property, "Id"))
    return g_variant_new_string (APP_ID);
  if (g_str_equal (property, "Title"))
    return g_variant_new_string (_("Satchel"));
  if (g_str_equal (property, "Status"))
    return g_variant_new_string ("Active");
  if (g_str_equal (property, "WindowId"))
    return g_variant_new_int32 (0);
  if (g_str_equal (property, "IconName"))
    return g_variant_new_string (icon_name (self));
  if (g_str_equal (property, "IconThemePath"))
    return g_variant_new_string (ICONDIR);
  if (g_str_equal (property, "AttentionIconName"))
    return g_variant_new_string (APP_ID "-unread");
  if (g_str_equal (property, "OverlayIconName"))
    return g_variant_new_string ("");
  if (g_str_equal (property, "ToolTip"))
    {
      g_autofree char *text = tooltip_text (self);

      return g_variant_new ("(s@a(iiay)ss)", icon_name (self),
                            g_variant_new_array (G_VARIANT_TYPE ("(iiay)"), NULL, 0),
                            _("Satchel"), text);
    }
  if (g_str_equal (property, "ItemIsMenu"))
    return g_variant_new_boolean (FALSE);
  if (g_str_equal (property, "Menu"))
    return g_variant_new_object_path (MENU_PATH);
  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "No property %s", property);
  return NULL;
}

static void
method_call (GDBusConnection       *bus,
             const char            *sender,
             const char            *path,
             const char            *interface,
             const char            *method,
             GVariant              *parameters,
             GDBusMethodInvocation *invocation,
             gpointer               user_data)
{
  SatchelTray *self = user_data;

  /* A click: the window comes, or goes. The menu is the host's to show
   * (ContextMenu); a middle click and the scroll wheel do nothing. */
  if (g_str_equal (method, "Activate"))
    satchel_application_toggle_window (self->app);
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static const GDBusInterfaceVTable item_vtable = { method_call, get_property, NULL, { 0 } };

static void
emit (SatchelTray *self,
      const char  *signal,
      GVariant    *parameters)
{
  g_autoptr(GError) error = NULL;

  /* Nobody listens before the item is registered. */
  if (!self->named)
    return;
  if (!g_dbus_connection_emit_signal (self->bus, NULL, ITEM_PATH, ITEM_INTERFACE, signal,
                                      parameters, &error))
    g_debug ("The tray's %s signal was not sent: %s", signal, error->message);
}

static void
register_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    g_debug ("The tray did not take Satchel's icon: %s", error->message);
}

/* Both a watcher and our name: the watcher learns of the item. */
static void
register_item (SatchelTray *self)
{
  if (!self->watched || !self->named)
    return;
  g_dbus_connection_call (self->bus, WATCHER_NAME, WATCHER_PATH, WATCHER_NAME,
                          "RegisterStatusNotifierItem", g_variant_new ("(s)", self->name),
                          NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL,
                          register_done_cb, NULL);
}

static void
name_acquired_cb (GDBusConnection *bus,
                  const char      *name,
                  gpointer         user_data)
{
  SatchelTray *self = user_data;

  self->named = TRUE;
  register_item (self);
}

/* A sandbox (Flatpak) may not let Satchel own the name: watchers also
 * take an item by its connection's unique name. */
static void
name_lost_cb (GDBusConnection *bus,
              const char      *name,
              gpointer         user_data)
{
  SatchelTray *self = user_data;

  if (bus == NULL || self->named || g_dbus_connection_is_closed (bus))
    {
      self->named = FALSE;
      return;
    }
  g_free (self->name);
  self->name = g_strdup (g_dbus_connection_get_unique_name (bus));
  self->named = TRUE;
  register_item (self);
}

static void
watcher_appeared_cb (GDBusConnection *bus,
                     const char      *name,
                     const char      *owner,
                     gpointer         user_data)
{
  SatchelTray *self = user_data;
  static guint instance;

  self->watched = TRUE;
  if (self->own_id == 0)
    {
      self->name = g_strdup_printf (ITEM_INTERFACE "-%d-%u", (int) getpid (), ++instance);
      self->own_id = g_bus_own_name_on_connection (self->bus, self->name,
                                                   G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                                   name_acquired_cb, name_lost_cb, self, NULL);
      return;
    }
  /* A watcher that came back (a restarted panel) knows nothing of us. */
  register_item (self);
}

static void
watcher_vanished_cb (GDBusConnection *bus,
                     const char      *name,
                     gpointer         user_data)
{
  SatchelTray *self = user_data;

  self->watched = FALSE;
}

static void
item_activated_cb (DbusmenuMenuitem *item,
                   guint             timestamp,
                   SatchelTray      *self)
{
  const char *action = g_object_get_data (G_OBJECT (item), "satchel-action");

  if (g_strcmp0 (action, "show") == 0)
    g_application_activate (G_APPLICATION (self->app));
  else
    g_action_group_activate_action (G_ACTION_GROUP (self->app), action, NULL);
}

static void
add_item (SatchelTray      *self,
          DbusmenuMenuitem *root,
          const char       *label,
          const char       *action)
{
  DbusmenuMenuitem *item = dbusmenu_menuitem_new ();

  if (label == NULL)
    dbusmenu_menuitem_property_set (item, DBUSMENU_MENUITEM_PROP_TYPE,
                                    DBUSMENU_CLIENT_TYPES_SEPARATOR);
  else
    {
      dbusmenu_menuitem_property_set (item, DBUSMENU_MENUITEM_PROP_LABEL, label);
      g_object_set_data (G_OBJECT (item), "satchel-action", (gpointer) action);
      g_signal_connect_object (item, DBUSMENU_MENUITEM_SIGNAL_ITEM_ACTIVATED,
                               G_CALLBACK (item_activated_cb), self, 0);
    }
  dbusmenu_menuitem_child_append (root, item);
  g_object_unref (item);
}

static void
build_menu (SatchelTray *self)
{
  DbusmenuMenuitem *root = dbusmenu_menuitem_new ();

  add_item (self, root, _("Open Satchel"), "show");
  add_item (self, root, _("Check Mail"), "check-mail");
  add_item (self, root, _("Compose"), "compose");
  add_item (self, root, NULL, NULL);
  add_item (self, root, _("Quit"), "quit");
  self->menu = dbusmenu_server_new (MENU_PATH);
  dbusmenu_server_set_root (self->menu, root);
  g_object_unref (root);
}

static void
service_changed_cb (SatchelMailService *service,
                    SatchelAccount     *account,
                    SatchelTray        *self)
{
  satchel_tray_update (self);
}

static void
satchel_tray_dispose (GObject *object)
{
  SatchelTray *self = SATCHEL_TRAY (object);

  if (self->watch_id != 0)
    g_bus_unwatch_name (self->watch_id);
  if (self->own_id != 0)
    g_bus_unown_name (self->own_id);
  if (self->object_id != 0)
    g_dbus_connection_unregister_object (self->bus, self->object_id);
  self->watch_id = self->own_id = self->object_id = 0;
  g_clear_object (&self->menu);
  g_clear_object (&self->bus);
  G_OBJECT_CLASS (satchel_tray_parent_class)->dispose (object);
}

static void
satchel_tray_finalize (GObject *object)
{
  SatchelTray *self = SATCHEL_TRAY (object);

  g_free (self->name);
  G_OBJECT_CLASS (satchel_tray_parent_class)->finalize (object);
}

static void
satchel_tray_class_init (SatchelTrayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = satchel_tray_dispose;
  object_class->finalize = satchel_tray_finalize;
}

static void
satchel_tray_init (SatchelTray *self)
{
}

/**
 * satchel_tray_new:
 * @bus: (nullable): the application's connection to the session bus
 *
 * Returns: (transfer full): @app's icon in the tray, which registers with
 *   every StatusNotifierWatcher that appears on @bus; without @bus, an
 *   icon that nobody sees
 */
SatchelTray *
satchel_tray_new (SatchelApplication *app,
                  GDBusConnection    *bus)
{
  SatchelTray *self = g_object_new (SATCHEL_TYPE_TRAY, NULL);
  SatchelMailService *service = satchel_application_get_mail_service (app);
  g_autoptr(GDBusNodeInfo) node = NULL;
  g_autoptr(GError) error = NULL;

  self->app = app;
  if (service != NULL)
    {
      g_signal_connect_object (service, "changed", G_CALLBACK (service_changed_cb), self, 0);
      g_signal_connect_object (service, "state-changed", G_CALLBACK (service_changed_cb), self, 0);
    }
  satchel_tray_update (self);
  if (bus == NULL)
    return self;

  self->bus = g_object_ref (bus);
  node = g_dbus_node_info_new_for_xml (item_xml, &error);
  g_assert_no_error (error);
  self->object_id = g_dbus_connection_register_object (bus, ITEM_PATH, node->interfaces[0],
                                                       &item_vtable, self, NULL, &error);
  if (self->object_id == 0)
    {
      /* Another part of this process has the path: no icon, no harm. */
      g_debug ("No tray icon: %s", error->message);
      return self;
    }
  build_menu (self);
  self->watch_id = g_bus_watch_name_on_connection (bus, WATCHER_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   watcher_appeared_cb, watcher_vanished_cb,
                                                   self, NULL);
  return self;
}

/**
 * satchel_tray_get_unread:
 *
 * Returns: the unread messages in the Inboxes, as the tray tells them
 */
guint
satchel_tray_get_unread (SatchelTray *self)
{
  g_return_val_if_fail (SATCHEL_IS_TRAY (self), 0);

  return self->unread;
}

/**
 * satchel_tray_update:
 *
 * Counts the unread mail again, after the store changed; the tray hears
 * of it when the count is not what it was.
 */
void
satchel_tray_update (SatchelTray *self)
{
  SatchelStore *store;
  guint unread;

  g_return_if_fail (SATCHEL_IS_TRAY (self));

  store = satchel_application_get_store (self->app);
  unread = store != NULL ? satchel_query_unread_in_inboxes (store) : 0;
  if (unread == self->unread)
    return;
  self->unread = unread;
  emit (self, "NewIcon", NULL);
  emit (self, "NewToolTip", NULL);
}
