/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-autoconfig.h: finding an address's mail server settings
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <gio/gio.h>

#include "accounts/satchel-autoconfig-xml.h"

G_BEGIN_DECLS

/* Where settings came from, in the order they are trusted. */
typedef enum
{
  SATCHEL_AUTOCONFIG_PROVIDERS,   /* the database Satchel ships */
  SATCHEL_AUTOCONFIG_DOMAIN,      /* the domain's own autoconfig file, over HTTPS */
  SATCHEL_AUTOCONFIG_SRV,         /* the domain's SRV records (RFC 6186, RFC 8314) */
  SATCHEL_AUTOCONFIG_MX,          /* the provider that receives the domain's mail */
  SATCHEL_AUTOCONFIG_GUESS,       /* imap., pop3., smtp. ... of the domain, tried */
  SATCHEL_AUTOCONFIG_N_SOURCES,
} SatchelAutoconfigSource;

/* What was found: the servers, resolved for the address (user names
 * filled in), in the order to propose them: encrypted before plain,
 * IMAP before POP3. */
typedef struct
{
  SatchelAutoconfigSource  source;
  char                    *provider;   /* its name, when known */
  GPtrArray               *incoming;   /* SatchelServerSetting */
  GPtrArray               *outgoing;   /* SatchelServerSetting */
} SatchelAutoconfigResult;

void satchel_autoconfig_result_free (SatchelAutoconfigResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SatchelAutoconfigResult, satchel_autoconfig_result_free)

#define SATCHEL_TYPE_AUTOCONFIG (satchel_autoconfig_get_type ())

G_DECLARE_FINAL_TYPE (SatchelAutoconfig, satchel_autoconfig, SATCHEL, AUTOCONFIG, GObject)

SatchelAutoconfig       *satchel_autoconfig_new            (void);
void                     satchel_autoconfig_set_providers  (SatchelAutoconfig       *self,
                                                            GPtrArray               *providers);
void                     satchel_autoconfig_set_urls       (SatchelAutoconfig       *self,
                                                            const char * const      *templates);
void                     satchel_autoconfig_set_resolver   (SatchelAutoconfig       *self,
                                                            GResolver               *resolver);
void                     satchel_autoconfig_set_guess_ports (SatchelAutoconfig      *self,
                                                             const guint16          *ports);
void                     satchel_autoconfig_set_ca_file    (SatchelAutoconfig       *self,
                                                            const char              *path);
void                     satchel_autoconfig_set_timeout    (SatchelAutoconfig       *self,
                                                            guint                    seconds);

void                     satchel_autoconfig_lookup_async   (SatchelAutoconfig       *self,
                                                            const char              *email,
                                                            GCancellable            *cancellable,
                                                            GAsyncReadyCallback      callback,
                                                            gpointer                 user_data);
SatchelAutoconfigResult *satchel_autoconfig_lookup_finish  (SatchelAutoconfig       *self,
                                                            GAsyncResult            *result,
                                                            GError                 **error);

GPtrArray               *satchel_autoconfig_shipped_providers (void);
const char              *satchel_autoconfig_source_name     (SatchelAutoconfigSource  source);

G_END_DECLS
