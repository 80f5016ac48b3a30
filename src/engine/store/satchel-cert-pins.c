/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-cert-pins.c: certificates the user chose to trust
 *
 * Copyright 2026 The Satchel authors
 *
 * A pin is the SHA-256 fingerprint of one certificate, for one host name
 * and port: it never serves another host or port, and a different
 * certificate on the same host and port is not trusted by it. Every
 * account that uses that host and port shares the pin.
 */

#include "config.h"

#include "satchel-cert-pins.h"

/* Host names compare without case; an IDN as its ASCII form. */
static char *
normalize_host (const char *host)
{
  g_autofree char *ascii = g_hostname_to_ascii (host);

  return g_ascii_strdown (ascii != NULL ? ascii : host, -1);
}

/**
 * satchel_cert_pin_lookup:
 *
 * Returns: (transfer full) (nullable): the pinned fingerprint for @host and
 *   @port, or %NULL (without an error) when there is none
 */
char *
satchel_cert_pin_lookup (SatchelStore  *store,
                         const char    *host,
                         guint16        port,
                         GError       **error)
{
  g_autofree char *name = normalize_host (host);
  sqlite3_stmt *stmt;
  char *sha256 = NULL;
  int rc;

  stmt = satchel_store_prepare (store, "SELECT sha256 FROM cert_pin WHERE host = ? AND port = ?",
                                error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 2, port);
  rc = satchel_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    {
      sha256 = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      sqlite3_reset (stmt);
    }
  return sha256;
}

gboolean
satchel_cert_pin_save (SatchelStore  *store,
                       const char    *host,
                       guint16        port,
                       const char    *sha256,
                       const char    *pem,
                       GError       **error)
{
  g_autofree char *name = normalize_host (host);
  sqlite3_stmt *stmt;

  stmt = satchel_store_prepare (store,
                                "INSERT OR REPLACE INTO cert_pin (host, port, sha256, pem, added) "
                                "VALUES (?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 2, port);
  sqlite3_bind_text (stmt, 3, sha256, -1, SQLITE_TRANSIENT);
  if (pem != NULL)
    sqlite3_bind_text (stmt, 4, pem, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, g_get_real_time () / G_USEC_PER_SEC);
  return satchel_store_run (store, stmt, error);
}

gboolean
satchel_cert_pin_remove (SatchelStore  *store,
                         const char    *host,
                         guint16        port,
                         GError       **error)
{
  g_autofree char *name = normalize_host (host);
  sqlite3_stmt *stmt;

  stmt = satchel_store_prepare (store, "DELETE FROM cert_pin WHERE host = ? AND port = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 2, port);
  return satchel_store_run (store, stmt, error);
}

void
satchel_cert_pin_free (SatchelCertPin *pin)
{
  if (pin == NULL)
    return;
  g_free (pin->host);
  g_free (pin->sha256);
  g_free (pin);
}

/**
 * satchel_cert_pin_list:
 *
 * Returns: (transfer full) (element-type SatchelCertPin): every pinned
 *   certificate, by host and port; %NULL with @error when the store cannot
 *   be read
 */
GPtrArray *
satchel_cert_pin_list (SatchelStore  *store,
                       GError       **error)
{
  g_autoptr(GPtrArray) pins = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_cert_pin_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = satchel_store_prepare (store, "SELECT host, port, sha256, added FROM cert_pin "
                                       "ORDER BY host, port", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = satchel_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      SatchelCertPin *pin = g_new0 (SatchelCertPin, 1);

      pin->host = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      pin->port = sqlite3_column_int (stmt, 1);
      pin->sha256 = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      pin->added = sqlite3_column_int64 (stmt, 3);
      g_ptr_array_add (pins, pin);
    }
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&pins);
}
