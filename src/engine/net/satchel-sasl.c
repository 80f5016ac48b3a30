/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-sasl.c: the SASL mechanisms the sessions share
 *
 * Copyright 2026 The Satchel authors
 */

#include "config.h"

#include <string.h>

#include "satchel-sasl.h"

/**
 * satchel_sasl_plain:
 *
 * Returns: (transfer full): the PLAIN initial response (RFC 4616), base64:
 *   an empty authorization identity, @user and @password. Wipe it after
 *   use.
 */
char *
satchel_sasl_plain (const char *user,
                    const char *password)
{
  gsize user_len = strlen (user);
  gsize password_len = strlen (password);
  gsize len = user_len + password_len + 2;
  g_autofree char *raw = g_malloc (len);
  char *encoded;

  raw[0] = '\0';
  memcpy (raw + 1, user, user_len);
  raw[1 + user_len] = '\0';
  memcpy (raw + 2 + user_len, password, password_len);
  encoded = g_base64_encode ((const guchar *) raw, len);
  explicit_bzero (raw, len);
  return encoded;
}
