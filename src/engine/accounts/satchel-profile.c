/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-profile.c: where a profile keeps its database and configuration
 *
 * Copyright 2026 The Satchel authors
 *
 * The default profile follows the XDG base directories: the database in
 * $XDG_DATA_HOME/satchel and configuration in $XDG_CONFIG_HOME/satchel. A
 * profile directory (--profile DIR or SATCHEL_PROFILE) puts both under DIR,
 * so that tests and people with several profiles keep them apart.
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "satchel-profile.h"

#define STORE_FILE "satchel.db"

struct _SatchelProfile
{
  GObject parent_instance;

  /* Owned */
  char *data_dir;
  char *config_dir;
};

G_DEFINE_FINAL_TYPE (SatchelProfile, satchel_profile, G_TYPE_OBJECT)

static void
satchel_profile_finalize (GObject *object)
{
  SatchelProfile *self = (SatchelProfile *)object;

  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->config_dir, g_free);

  G_OBJECT_CLASS (satchel_profile_parent_class)->finalize (object);
}

static void
satchel_profile_class_init (SatchelProfileClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = satchel_profile_finalize;
}

static void
satchel_profile_init (SatchelProfile *self)
{
}

/**
 * satchel_profile_new:
 * @directory: (nullable): a profile directory, or %NULL for the one named
 *   by `SATCHEL_PROFILE`, or else the XDG directories
 *
 * Returns: (transfer full): the profile
 */
SatchelProfile *
satchel_profile_new (const char *directory)
{
  SatchelProfile *self = g_object_new (SATCHEL_TYPE_PROFILE, NULL);

  if (directory == NULL || directory[0] == '\0')
    directory = g_getenv ("SATCHEL_PROFILE");

  if (directory != NULL && directory[0] != '\0')
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (directory);
      g_autofree char *absolute = g_file_get_path (file);

      self->data_dir = g_strdup (absolute);
      self->config_dir = g_strdup (absolute);
    }
  else
    {
      self->data_dir = g_build_filename (g_get_user_data_dir (), "satchel", NULL);
      self->config_dir = g_build_filename (g_get_user_config_dir (), "satchel", NULL);
    }

  return self;
}

const char *
satchel_profile_get_data_dir (SatchelProfile *self)
{
  g_return_val_if_fail (SATCHEL_IS_PROFILE (self), NULL);

  return self->data_dir;
}

const char *
satchel_profile_get_config_dir (SatchelProfile *self)
{
  g_return_val_if_fail (SATCHEL_IS_PROFILE (self), NULL);

  return self->config_dir;
}

char *
satchel_profile_dup_store_path (SatchelProfile *self)
{
  g_return_val_if_fail (SATCHEL_IS_PROFILE (self), NULL);

  return g_build_filename (self->data_dir, STORE_FILE, NULL);
}

static gboolean
make_private_dir (const char  *path,
                  GError     **error)
{
  if (g_mkdir_with_parents (path, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the folder %s: %s."), path, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

/**
 * satchel_profile_ensure:
 *
 * Creates the profile's directories (mode 0700) when they are missing.
 */
gboolean
satchel_profile_ensure (SatchelProfile  *self,
                        GError         **error)
{
  g_return_val_if_fail (SATCHEL_IS_PROFILE (self), FALSE);

  return make_private_dir (self->data_dir, error) && make_private_dir (self->config_dir, error);
}
