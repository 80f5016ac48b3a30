/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-autoconfig-xml.h: mail server settings in Mozilla's autoconfig format
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <glib.h>

#include "satchel-types.h"

G_BEGIN_DECLS

typedef enum
{
  SATCHEL_SERVER_IMAP,
  SATCHEL_SERVER_POP3,
  SATCHEL_SERVER_SMTP,
} SatchelServerType;

/* One server a provider offers. The user name is a template
 * (%EMAILADDRESS%, %EMAILLOCALPART%, %EMAILDOMAIN%) until
 * satchel_server_setting_resolve() fills it. */
typedef struct
{
  SatchelServerType  type;
  char              *hostname;
  guint16            port;
  SatchelSecurity    security;
  char              *username;
  gboolean           password;   /* a password logs in (not only OAuth2) */
} SatchelServerSetting;

/* What a provider's settings say: its name, the domains it serves and its
 * servers, in its order of preference. */
typedef struct
{
  char      *id;
  char      *display_name;
  GPtrArray *domains;    /* char *, lowercase */
  GPtrArray *incoming;   /* SatchelServerSetting: IMAP and POP3 */
  GPtrArray *outgoing;   /* SatchelServerSetting: SMTP */
} SatchelProvider;

void                  satchel_server_setting_free    (SatchelServerSetting       *setting);
SatchelServerSetting *satchel_server_setting_copy    (const SatchelServerSetting *setting);
SatchelServerSetting *satchel_server_setting_resolve (const SatchelServerSetting *setting,
                                                      const char                 *email);
void                  satchel_provider_free          (SatchelProvider            *provider);

GPtrArray            *satchel_autoconfig_parse       (const char                 *xml,
                                                      gsize                       len,
                                                      GError                    **error);
SatchelProvider      *satchel_providers_find         (GPtrArray                  *providers,
                                                      const char                 *domain);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SatchelServerSetting, satchel_server_setting_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SatchelProvider, satchel_provider_free)

G_END_DECLS
