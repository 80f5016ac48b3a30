/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-net-error.c: what can go wrong between Satchel and a mail server
 *
 * Copyright 2026 The Satchel authors
 */

#include "config.h"

#include "satchel-net-error.h"

G_DEFINE_QUARK (satchel-net-error-quark, satchel_net_error)

/**
 * satchel_net_error_is_retryable:
 *
 * Returns: whether trying again later may work without the user changing
 *   anything (the network or the server was down, or slow)
 */
gboolean
satchel_net_error_is_retryable (const GError *error)
{
  if (error == NULL || error->domain != SATCHEL_NET_ERROR)
    return FALSE;

  switch ((SatchelNetError) error->code)
    {
    case SATCHEL_NET_ERROR_RESOLVE:
    case SATCHEL_NET_ERROR_CONNECT:
    case SATCHEL_NET_ERROR_TIMEOUT:
    case SATCHEL_NET_ERROR_CLOSED:
    case SATCHEL_NET_ERROR_TEMPORARY:
      return TRUE;
    case SATCHEL_NET_ERROR_TLS:
    case SATCHEL_NET_ERROR_UNTRUSTED_CERTIFICATE:
    case SATCHEL_NET_ERROR_INSECURE:
    case SATCHEL_NET_ERROR_PROTOCOL:
    case SATCHEL_NET_ERROR_AUTH_FAILED:
    case SATCHEL_NET_ERROR_AUTH_UNAVAILABLE:
    case SATCHEL_NET_ERROR_SERVER:
    case SATCHEL_NET_ERROR_REJECTED:
    case SATCHEL_NET_ERROR_DELIVERY_UNKNOWN:
    default:
      return FALSE;
    }
}
