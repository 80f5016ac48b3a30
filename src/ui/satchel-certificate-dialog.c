/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-certificate-dialog.c: whether to trust a server's certificate, or
 * no encryption
 *
 * Copyright 2026 The Satchel authors
 *
 * When a server's certificate cannot be verified, the user sees what a
 * careful person checks before trusting it (the server, who the
 * certificate names, who issued it, when it is valid, its SHA-256
 * fingerprint to compare with what the provider publishes) and what is
 * wrong with it, and answers "trust" or "cancel". Trusting is kept, by
 * whoever asked, as a pin for that host and port; a pin that no longer
 * matches asks again, saying the certificate changed.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "satchel-certificate-dialog.h"

/**
 * satchel_format_fingerprint:
 * @sha256: 64 hexadecimal digits
 *
 * Returns: (transfer full): the digits in pairs, uppercase, separated by
 *   colons, as certificate viewers show them
 */
char *
satchel_format_fingerprint (const char *sha256)
{
  GString *text = g_string_new (NULL);

  for (gsize i = 0; sha256[i] != '\0' && sha256[i + 1] != '\0'; i += 2)
    {
      if (i > 0)
        g_string_append_c (text, ':');
      g_string_append_c (text, g_ascii_toupper (sha256[i]));
      g_string_append_c (text, g_ascii_toupper (sha256[i + 1]));
    }
  return g_string_free (text, FALSE);
}

static char *
format_date (GDateTime *date)
{
  g_autoptr(GDateTime) local = date != NULL ? g_date_time_to_local (date) : NULL;

  /* Translators: a certificate's validity date, as strftime() writes it. */
  return local != NULL ? g_date_time_format (local, _("%-d %B %Y")) : g_strdup (_("Unknown"));
}

static void
add_detail (GtkGrid    *grid,
            int         row,
            const char *name,
            const char *value,
            gboolean    monospace)
{
  GtkWidget *title = gtk_label_new (name);
  GtkWidget *text = gtk_label_new (value);

  gtk_label_set_xalign (GTK_LABEL (title), 1.0);
  gtk_label_set_yalign (GTK_LABEL (title), 0.0);
  gtk_widget_add_css_class (title, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (text), 0.0);
  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (text), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (text), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (text), 36);
  gtk_widget_set_hexpand (text, TRUE);
  if (monospace)
    gtk_widget_add_css_class (text, "monospace");
  gtk_accessible_update_relation (GTK_ACCESSIBLE (text), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  title, NULL, -1);
  gtk_grid_attach (grid, title, 0, row, 1, 1);
  gtk_grid_attach (grid, text, 1, row, 1, 1);
}

/**
 * satchel_certificate_dialog_new:
 * @host: the server's name, as the account has it
 * @port: its port
 * @certificate: what the server presented
 * @changed: whether the user had trusted another certificate here
 *
 * Returns: (transfer none): a dialog, not shown yet, that answers
 *   "trust" or "cancel"
 */
AdwMessageDialog *
satchel_certificate_dialog_new (GtkWindow          *parent,
                                const char         *host,
                                guint16             port,
                                SatchelCertificate *certificate,
                                gboolean            changed)
{
  g_autofree char *problems = satchel_certificate_describe_problems (certificate);
  g_autofree char *server = g_strdup_printf ("%s:%u", host, port);
  g_autofree char *from = format_date (satchel_certificate_get_not_before (certificate));
  g_autofree char *until = format_date (satchel_certificate_get_not_after (certificate));
  g_autofree char *fingerprint = satchel_format_fingerprint (satchel_certificate_get_sha256 (certificate));
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *grid = gtk_grid_new ();

  if (changed)
    /* Translators: the server's name, then what is wrong with its certificate. */
    body = g_strdup_printf (_("The certificate of %s has changed since you trusted it, and the "
                              "new one cannot be verified: %s. If your provider did not tell "
                              "you of a new certificate, someone may be pretending to be the "
                              "server."),
                            host, problems);
  else
    body = g_strdup_printf (_("The identity of %s cannot be verified: %s. Trust it only if the "
                              "fingerprint below is the one your provider publishes; otherwise "
                              "someone may be pretending to be the server."),
                            host, problems);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent,
                                                       changed ? _("Certificate Changed")
                                                               : _("Untrusted Certificate"),
                                                       body));
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  add_detail (GTK_GRID (grid), 0, _("Server"), server, FALSE);
  add_detail (GTK_GRID (grid), 1, _("Issued to"), satchel_certificate_get_subject (certificate),
              FALSE);
  add_detail (GTK_GRID (grid), 2, _("Issued by"), satchel_certificate_get_issuer (certificate),
              FALSE);
  add_detail (GTK_GRID (grid), 3, _("Valid from"), from, FALSE);
  add_detail (GTK_GRID (grid), 4, _("Valid until"), until, FALSE);
  add_detail (GTK_GRID (grid), 5, _("SHA-256"), fingerprint, TRUE);
  adw_message_dialog_set_extra_child (dialog, grid);

  adw_message_dialog_add_response (dialog, "cancel", _("_Cancel"));
  adw_message_dialog_add_response (dialog, "trust", _("_Trust This Certificate"));
  adw_message_dialog_set_response_appearance (dialog, "trust", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  return dialog;
}

/**
 * satchel_insecure_dialog_new:
 *
 * Returns: (transfer none): the question asked before a server is used
 *   without encryption, not shown yet; it answers "insecure" or "cancel"
 */
AdwMessageDialog *
satchel_insecure_dialog_new (GtkWindow *parent)
{
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
    parent, _("Use an Unencrypted Connection?"),
    _("Without encryption, your password and your mail cross the network where anyone on the "
      "way can read and change them. Choose this only for a server on this computer or on a "
      "network you control.")));
  adw_message_dialog_add_response (dialog, "cancel", _("_Cancel"));
  adw_message_dialog_add_response (dialog, "insecure", _("_Use Without Encryption"));
  adw_message_dialog_set_response_appearance (dialog, "insecure", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  return dialog;
}
