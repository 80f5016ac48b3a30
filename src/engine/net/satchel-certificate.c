/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-certificate.c: a server certificate as the user is shown it
 *
 * Copyright 2026 The Satchel authors
 *
 * What a person needs to decide whether to trust a certificate: who it
 * names, who issued it, when it is valid, its SHA-256 fingerprint (the key
 * of a pin) and what is wrong with it, read with GnuTLS.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gnutls/x509.h>
#include <string.h>

#include "satchel-certificate.h"
#include "satchel-net-error.h"

struct _SatchelCertificate
{
  GObject parent_instance;

  GTlsCertificateFlags  problems;

  /* Owned */
  GTlsCertificate      *tls;
  char                 *subject;
  char                 *issuer;
  GDateTime            *not_before;
  GDateTime            *not_after;
  char                 *sha256;
};

G_DEFINE_FINAL_TYPE (SatchelCertificate, satchel_certificate, G_TYPE_OBJECT)

static void
satchel_certificate_finalize (GObject *object)
{
  SatchelCertificate *self = (SatchelCertificate *)object;

  g_clear_object (&self->tls);
  g_clear_pointer (&self->subject, g_free);
  g_clear_pointer (&self->issuer, g_free);
  g_clear_pointer (&self->not_before, g_date_time_unref);
  g_clear_pointer (&self->not_after, g_date_time_unref);
  g_clear_pointer (&self->sha256, g_free);

  G_OBJECT_CLASS (satchel_certificate_parent_class)->finalize (object);
}

static void
satchel_certificate_class_init (SatchelCertificateClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = satchel_certificate_finalize;
}

static void
satchel_certificate_init (SatchelCertificate *self)
{
}

static char *
take_datum (gnutls_datum_t *datum)
{
  char *text = g_strndup ((const char *) datum->data, datum->size);

  gnutls_free (datum->data);
  return text;
}

/**
 * satchel_certificate_new:
 * @certificate: the certificate the server presented
 * @problems: what verification found wrong with it
 *
 * Returns: (transfer full) (nullable): the certificate's details, or %NULL
 *   when GnuTLS cannot read it
 */
SatchelCertificate *
satchel_certificate_new (GTlsCertificate       *certificate,
                         GTlsCertificateFlags   problems,
                         GError               **error)
{
  g_autoptr(SatchelCertificate) self = NULL;
  g_autoptr(GByteArray) der = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t datum;
  guint8 digest[32];
  size_t digest_size = sizeof digest;
  int rc;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL || gnutls_x509_crt_init (&crt) < 0)
    goto unreadable;

  datum.data = der->data;
  datum.size = der->len;
  rc = gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER);
  if (rc < 0)
    goto unreadable;

  self = g_object_new (SATCHEL_TYPE_CERTIFICATE, NULL);
  self->tls = g_object_ref (certificate);
  self->problems = problems;

  if (gnutls_x509_crt_get_dn3 (crt, &datum, 0) >= 0)
    self->subject = take_datum (&datum);
  else
    self->subject = g_strdup ("");
  if (gnutls_x509_crt_get_issuer_dn3 (crt, &datum, 0) >= 0)
    self->issuer = take_datum (&datum);
  else
    self->issuer = g_strdup ("");
  self->not_before = g_date_time_new_from_unix_utc (gnutls_x509_crt_get_activation_time (crt));
  self->not_after = g_date_time_new_from_unix_utc (gnutls_x509_crt_get_expiration_time (crt));

  if (gnutls_x509_crt_get_fingerprint (crt, GNUTLS_DIG_SHA256, digest, &digest_size) < 0 ||
      digest_size != sizeof digest)
    goto unreadable;
  self->sha256 = g_malloc (2 * sizeof digest + 1);
  for (gsize i = 0; i < sizeof digest; i++)
    g_snprintf (self->sha256 + 2 * i, 3, "%02x", digest[i]);

  gnutls_x509_crt_deinit (crt);
  return g_steal_pointer (&self);

unreadable:
  if (crt != NULL)
    gnutls_x509_crt_deinit (crt);
  g_set_error (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_TLS,
               _("The server’s certificate cannot be read."));
  return NULL;
}

GTlsCertificate *
satchel_certificate_get_tls (SatchelCertificate *self)
{
  g_return_val_if_fail (SATCHEL_IS_CERTIFICATE (self), NULL);
  return self->tls;
}

const char *
satchel_certificate_get_subject (SatchelCertificate *self)
{
  g_return_val_if_fail (SATCHEL_IS_CERTIFICATE (self), NULL);
  return self->subject;
}

const char *
satchel_certificate_get_issuer (SatchelCertificate *self)
{
  g_return_val_if_fail (SATCHEL_IS_CERTIFICATE (self), NULL);
  return self->issuer;
}

GDateTime *
satchel_certificate_get_not_before (SatchelCertificate *self)
{
  g_return_val_if_fail (SATCHEL_IS_CERTIFICATE (self), NULL);
  return self->not_before;
}

GDateTime *
satchel_certificate_get_not_after (SatchelCertificate *self)
{
  g_return_val_if_fail (SATCHEL_IS_CERTIFICATE (self), NULL);
  return self->not_after;
}

/**
 * satchel_certificate_get_sha256:
 *
 * Returns: the SHA-256 fingerprint of the certificate (DER), as 64
 *   lower-case hex digits
 */
const char *
satchel_certificate_get_sha256 (SatchelCertificate *self)
{
  g_return_val_if_fail (SATCHEL_IS_CERTIFICATE (self), NULL);
  return self->sha256;
}

GTlsCertificateFlags
satchel_certificate_get_problems (SatchelCertificate *self)
{
  g_return_val_if_fail (SATCHEL_IS_CERTIFICATE (self), 0);
  return self->problems;
}

char *
satchel_certificate_dup_pem (SatchelCertificate *self)
{
  char *pem = NULL;

  g_return_val_if_fail (SATCHEL_IS_CERTIFICATE (self), NULL);
  g_object_get (self->tls, "certificate-pem", &pem, NULL);
  return pem;
}

/**
 * satchel_certificate_describe_problems:
 *
 * Returns: (transfer full): what is wrong with the certificate, as one
 *   sentence
 */
char *
satchel_certificate_describe_problems (SatchelCertificate *self)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  g_autoptr(GString) text = g_string_new (NULL);
  GTlsCertificateFlags p = self->problems;
  gboolean self_signed = g_strcmp0 (self->subject, self->issuer) == 0;

  if ((p & G_TLS_CERTIFICATE_UNKNOWN_CA) && self_signed)
    g_ptr_array_add (parts, _("it is self-signed"));
  else if (p & G_TLS_CERTIFICATE_UNKNOWN_CA)
    g_ptr_array_add (parts, _("it was issued by an authority this computer does not know"));
  if (p & G_TLS_CERTIFICATE_BAD_IDENTITY)
    g_ptr_array_add (parts, _("it was issued for another server name"));
  if (p & G_TLS_CERTIFICATE_EXPIRED)
    g_ptr_array_add (parts, _("it has expired"));
  if (p & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    g_ptr_array_add (parts, _("it is not valid yet"));
  if (p & G_TLS_CERTIFICATE_REVOKED)
    g_ptr_array_add (parts, _("it has been revoked"));
  if (p & G_TLS_CERTIFICATE_INSECURE)
    g_ptr_array_add (parts, _("it uses an insecure algorithm"));
  if ((p & G_TLS_CERTIFICATE_GENERIC_ERROR) || parts->len == 0)
    g_ptr_array_add (parts, _("it could not be verified"));

  for (guint i = 0; i < parts->len; i++)
    {
      if (i > 0)
        g_string_append (text, i + 1 == parts->len ? _(" and ") : ", ");
      g_string_append (text, g_ptr_array_index (parts, i));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/**
 * satchel_certificate_format:
 *
 * Returns: (transfer full): the details a person needs to decide, one per
 *   line, ending with `fingerprint: <64 hex digits>`
 */
char *
satchel_certificate_format (SatchelCertificate *self)
{
  g_autofree char *from = g_date_time_format_iso8601 (self->not_before);
  g_autofree char *until = g_date_time_format_iso8601 (self->not_after);

  g_return_val_if_fail (SATCHEL_IS_CERTIFICATE (self), NULL);

  return g_strdup_printf ("subject: %s\nissuer: %s\nvalid from: %s\nvalid until: %s\n"
                          "fingerprint: %s",
                          self->subject, self->issuer, from, until, self->sha256);
}

/**
 * satchel_fingerprint_normalize:
 * @text: a SHA-256 fingerprint as people write it
 *
 * Returns: (transfer full) (nullable): the 64 lower-case hex digits, colons,
 *   spaces and case ignored; %NULL when @text is not a SHA-256 fingerprint
 */
char *
satchel_fingerprint_normalize (const char *text)
{
  g_autoptr(GString) hex = g_string_new (NULL);

  if (text == NULL)
    return NULL;
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == ':' || *p == ' ')
        continue;
      if (!g_ascii_isxdigit (*p))
        return NULL;
      g_string_append_c (hex, g_ascii_tolower (*p));
    }
  if (hex->len != 64)
    return NULL;
  return g_string_free (g_steal_pointer (&hex), FALSE);
}
