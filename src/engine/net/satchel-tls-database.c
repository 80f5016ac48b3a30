/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-tls-database.c: the certificates a connection trusts
 *
 * Copyright 2026 The Satchel authors
 *
 * A server's chain is trusted when it leads to one of the account's own
 * CAs (its CA file), or else to one of the system's trusted CAs, and names
 * the host that was asked for. This is what glib-networking's default
 * database decides, with two differences that make the first connection
 * of a process start sooner:
 *
 *  - the system's certificates are read once, in a thread of their own
 *    (satchel_connection_warm_up()), and only waited for when a chain must
 *    be checked against them: the TCP and TLS handshakes go on meanwhile;
 *  - a chain that leads to the account's own CA never needs them.
 *
 * (glib-networking 2.74 reads the whole system bundle twice before the
 * first handshake can start: once for its default database, once for the
 * credentials the database hands out. On this machine that is 30 ms.)
 */

#include "config.h"

#include <gnutls/x509.h>

#include "satchel-tls-database.h"

/* Longer chains than this are not followed: no real one comes close. */
#define MAX_CHAIN 16

struct _SatchelTlsDatabase
{
  GTlsDatabase  parent_instance;

  GList        *extra_cas;   /* GTlsCertificate */
};

G_DEFINE_FINAL_TYPE (SatchelTlsDatabase, satchel_tls_database, G_TYPE_TLS_DATABASE)

static gnutls_x509_trust_list_t
system_trust (void)
{
  static gsize loaded = 0;
  static gnutls_x509_trust_list_t trust = NULL;

  if (g_once_init_enter (&loaded))
    {
      int n;

      if (gnutls_x509_trust_list_init (&trust, 0) < 0)
        g_error ("GnuTLS cannot make a trust list");
      n = gnutls_x509_trust_list_add_system_trust (trust, 0, 0);
      if (n <= 0)
        g_warning ("The system's trusted certificates cannot be read (%s): only certificates "
                   "accepted by the user will be trusted.",
                   n < 0 ? gnutls_strerror (n) : "there are none");
      g_once_init_leave (&loaded, 1);
    }
  return trust;
}

/**
 * satchel_tls_database_load_system_trust:
 *
 * Reads the system's trusted certificates now, if nothing did yet: for a
 * thread that prepares the first connection. Blocks until they are read.
 */
void
satchel_tls_database_load_system_trust (void)
{
  system_trust ();
}

/* GnuTLS's verdict in GIO's terms. */
static GTlsCertificateFlags
convert_status (unsigned int status)
{
  GTlsCertificateFlags flags = 0;

  if (status & (GNUTLS_CERT_SIGNER_NOT_FOUND | GNUTLS_CERT_SIGNER_NOT_CA))
    flags |= G_TLS_CERTIFICATE_UNKNOWN_CA;
  if (status & GNUTLS_CERT_NOT_ACTIVATED)
    flags |= G_TLS_CERTIFICATE_NOT_ACTIVATED;
  if (status & GNUTLS_CERT_EXPIRED)
    flags |= G_TLS_CERTIFICATE_EXPIRED;
  if (status & GNUTLS_CERT_REVOKED)
    flags |= G_TLS_CERTIFICATE_REVOKED;
  if (status & GNUTLS_CERT_INSECURE_ALGORITHM)
    flags |= G_TLS_CERTIFICATE_INSECURE;
  if (status & GNUTLS_CERT_INVALID && flags == 0)
    flags |= G_TLS_CERTIFICATE_GENERIC_ERROR;
  return flags;
}

/* The chain (the peer's certificate and the issuers it sent) checked
 * against the system's trusted certificates, for @purpose. */
static GTlsCertificateFlags
verify_with_system (GTlsCertificate *chain,
                    const char      *purpose)
{
  gnutls_x509_crt_t certs[MAX_CHAIN];
  gnutls_typed_vdata_st data = { GNUTLS_DT_KEY_PURPOSE_OID, (unsigned char *) purpose, 0 };
  unsigned int n = 0;
  unsigned int status = 0;
  GTlsCertificateFlags flags = G_TLS_CERTIFICATE_GENERIC_ERROR;

  for (GTlsCertificate *cert = chain; cert != NULL && n < MAX_CHAIN;
       cert = g_tls_certificate_get_issuer (cert))
    {
      g_autoptr(GByteArray) der = NULL;
      gnutls_datum_t datum;

      g_object_get (cert, "certificate", &der, NULL);
      if (der == NULL || gnutls_x509_crt_init (&certs[n]) < 0)
        goto out;
      datum.data = der->data;
      datum.size = der->len;
      if (gnutls_x509_crt_import (certs[n++], &datum, GNUTLS_X509_FMT_DER) < 0)
        goto out;
    }

  if (gnutls_x509_trust_list_verify_crt2 (system_trust (), certs, n, &data, 1, 0, &status,
                                          NULL) == 0)
    flags = convert_status (status);

out:
  for (unsigned int i = 0; i < n; i++)
    gnutls_x509_crt_deinit (certs[i]);
  return flags;
}

static GTlsCertificateFlags
satchel_tls_database_verify_chain (GTlsDatabase             *database,
                                   GTlsCertificate          *chain,
                                   const char               *purpose,
                                   GSocketConnectable       *identity,
                                   GTlsInteraction          *interaction,
                                   GTlsDatabaseVerifyFlags   verify_flags,
                                   GCancellable             *cancellable,
                                   GError                  **error)
{
  SatchelTlsDatabase *self = SATCHEL_TLS_DATABASE (database);
  GTlsCertificateFlags flags;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return G_TLS_CERTIFICATE_GENERIC_ERROR;

  /* The account's own CAs: each check covers validity and the name. */
  for (GList *l = self->extra_cas; l != NULL; l = l->next)
    if (g_tls_certificate_verify (chain, identity, l->data) == 0)
      return 0;

  flags = verify_with_system (chain, purpose);
  /* Without a CA, verify() looks at the name (and dates) only. */
  if (identity != NULL)
    flags |= g_tls_certificate_verify (chain, identity, NULL) & G_TLS_CERTIFICATE_BAD_IDENTITY;
  return flags;
}

/* Nothing is looked up by handle or issuer: a mail client's connections
 * only ask for chains to be verified. */
static GTlsCertificate *
satchel_tls_database_lookup_certificate_issuer (GTlsDatabase             *database,
                                                GTlsCertificate          *certificate,
                                                GTlsInteraction          *interaction,
                                                GTlsDatabaseLookupFlags   flags,
                                                GCancellable             *cancellable,
                                                GError                  **error)
{
  return NULL;
}

static GList *
satchel_tls_database_lookup_certificates_issued_by (GTlsDatabase             *database,
                                                    GByteArray               *issuer_raw_dn,
                                                    GTlsInteraction          *interaction,
                                                    GTlsDatabaseLookupFlags   flags,
                                                    GCancellable             *cancellable,
                                                    GError                  **error)
{
  return NULL;
}

static void
satchel_tls_database_finalize (GObject *object)
{
  SatchelTlsDatabase *self = SATCHEL_TLS_DATABASE (object);

  g_list_free_full (self->extra_cas, g_object_unref);
  G_OBJECT_CLASS (satchel_tls_database_parent_class)->finalize (object);
}

static void
satchel_tls_database_class_init (SatchelTlsDatabaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GTlsDatabaseClass *database_class = G_TLS_DATABASE_CLASS (klass);

  object_class->finalize = satchel_tls_database_finalize;
  database_class->verify_chain = satchel_tls_database_verify_chain;
  database_class->lookup_certificate_issuer = satchel_tls_database_lookup_certificate_issuer;
  database_class->lookup_certificates_issued_by =
    satchel_tls_database_lookup_certificates_issued_by;
}

static void
satchel_tls_database_init (SatchelTlsDatabase *self)
{
}

/**
 * satchel_tls_database_new:
 * @extra_cas: (element-type GTlsCertificate): the account's own CAs, trusted
 *   besides the system's
 */
GTlsDatabase *
satchel_tls_database_new (GList *extra_cas)
{
  SatchelTlsDatabase *self = g_object_new (SATCHEL_TYPE_TLS_DATABASE, NULL);

  for (GList *l = extra_cas; l != NULL; l = l->next)
    self->extra_cas = g_list_prepend (self->extra_cas, g_object_ref (l->data));
  self->extra_cas = g_list_reverse (self->extra_cas);
  return G_TLS_DATABASE (self);
}
