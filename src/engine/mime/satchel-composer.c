/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-composer.c: building the messages Satchel sends, with GMime
 *
 * Copyright 2026 The Satchel authors
 *
 * A SatchelDraft holds what the user wrote; satchel_draft_reply() and
 * satchel_draft_forward() fill it from the message answered (recipients,
 * subject, threading headers, the quote); satchel_draft_build() makes the
 * MIME message: headers encoded by GMime (RFC 2047, RFC 2231 for file
 * names), a text/plain part in format=flowed (RFC 3676) with the
 * signature, attachments typed by g_content_type_guess(), a Message-ID
 * and a Date. Bcc recipients are for the envelope only and never written
 * into the headers.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "satchel-composer.h"
#include "satchel-mime.h"

#define FLOWED_WIDTH 72
#define MAX_QUOTED   (1024 * 1024)

SatchelDraft *
satchel_draft_new (void)
{
  SatchelDraft *draft = g_new0 (SatchelDraft, 1);

  draft->to = g_ptr_array_new_with_free_func (g_free);
  draft->cc = g_ptr_array_new_with_free_func (g_free);
  draft->bcc = g_ptr_array_new_with_free_func (g_free);
  draft->attachments = g_ptr_array_new_with_free_func (g_free);
  draft->carried = g_ptr_array_new_with_free_func (g_object_unref);
  return draft;
}

void
satchel_draft_free (SatchelDraft *draft)
{
  if (draft == NULL)
    return;
  g_free (draft->from_name);
  g_free (draft->from_address);
  g_ptr_array_unref (draft->to);
  g_ptr_array_unref (draft->cc);
  g_ptr_array_unref (draft->bcc);
  g_free (draft->subject);
  g_free (draft->body);
  g_free (draft->quoted);
  g_free (draft->signature);
  g_ptr_array_unref (draft->attachments);
  g_free (draft->in_reply_to);
  g_free (draft->references);
  g_ptr_array_unref (draft->carried);
  g_free (draft);
}

/* Addresses */

/**
 * satchel_address_of:
 * @mailbox: "Name <address>" or an address
 *
 * Returns: (transfer full) (nullable): the address alone
 */
char *
satchel_address_of (const char *mailbox)
{
  g_autoptr(InternetAddressList) list = NULL;

  satchel_gmime_ensure_init ();
  list = internet_address_list_parse (NULL, mailbox);
  for (int i = 0; list != NULL && i < internet_address_list_length (list); i++)
    {
      InternetAddress *address = internet_address_list_get_address (list, i);
      const char *addr;

      if (!INTERNET_ADDRESS_IS_MAILBOX (address))
        continue;
      addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address));
      if (addr != NULL && strchr (addr, '@') != NULL)
        return g_strdup (addr);
    }
  return NULL;
}

static gboolean
contains_address (GPtrArray  *mailboxes,
                  const char *address)
{
  for (guint i = 0; i < mailboxes->len; i++)
    {
      g_autofree char *other = satchel_address_of (g_ptr_array_index (mailboxes, i));

      if (other != NULL && g_ascii_strcasecmp (other, address) == 0)
        return TRUE;
    }
  return FALSE;
}

/* @written, addresses as GMime wrote them (owned), as UTF-8: GMime keeps
 * the bytes of a header that are not UTF-8 as they came, and the
 * composer's fields and the quote take text. */
static char *
text_of (char *written)
{
  g_autofree char *owned = written;

  if (owned == NULL || g_utf8_validate (owned, -1, NULL))
    return g_steal_pointer (&owned);
  return g_utf8_make_valid (owned, -1);
}

/* Adds the mailboxes of @list to @to, leaving out @own and any already in
 * @to or @also. */
static void
add_mailboxes (GPtrArray           *to,
               GPtrArray           *also,
               InternetAddressList *list,
               const char          *own)
{
  for (int i = 0; list != NULL && i < internet_address_list_length (list); i++)
    {
      InternetAddress *address = internet_address_list_get_address (list, i);
      const char *addr;

      if (!INTERNET_ADDRESS_IS_MAILBOX (address))
        continue;
      addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address));
      if (addr == NULL || strchr (addr, '@') == NULL ||
          (own != NULL && g_ascii_strcasecmp (addr, own) == 0) ||
          contains_address (to, addr) || (also != NULL && contains_address (also, addr)))
        continue;
      g_ptr_array_add (to, text_of (internet_address_to_string (address, NULL, FALSE)));
    }
}

/* Subjects: "Re: Re: Re:" does not pile up. */
static gboolean
has_prefix_word (const char *subject,
                 const char * const *words)
{
  const char *p = subject;

  while (*p == ' ')
    p++;
  for (guint i = 0; words[i] != NULL; i++)
    {
      gsize n = strlen (words[i]);

      if (g_ascii_strncasecmp (p, words[i], n) == 0)
        {
          const char *q = p + n;

          if (*q == '[')   /* "Re[2]:" */
            {
              while (g_ascii_isdigit (*++q))
                ;
              if (*q != ']')
                continue;
              q++;
            }
          if (*q == ':')
            return TRUE;
        }
    }
  return FALSE;
}

static char *
prefixed_subject (const char         *subject,
                  const char         *prefix,
                  const char * const *words)
{
  if (subject == NULL || subject[0] == '\0')
    return g_strdup (prefix);
  if (has_prefix_word (subject, words))
    return g_strdup (subject);
  return g_strconcat (prefix, " ", subject, NULL);
}

/* The subject of @message as text: GMime may leave bytes in it that are
 * not UTF-8 (a broken encoded word, 8-bit bytes after a lone CR). */
static char *
subject_text (GMimeMessage *message)
{
  const char *subject = g_mime_message_get_subject (message);

  return subject != NULL ? g_utf8_make_valid (subject, -1) : NULL;
}

static char *
quote_text (const char *text)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);

  /* No trailing empty lines in the quote. */
  while (n > 0 && g_strstrip (lines[n - 1])[0] == '\0')
    n--;
  for (guint i = 0; i < n; i++)
    {
      const char *line = lines[i];
      gsize len = strlen (line);

      if (len > 0 && line[len - 1] == '\r')
        len--;
      g_string_append (out, line[0] == '>' ? ">" : "> ");
      g_string_append_len (out, line, len);
      g_string_append_c (out, '\n');
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
mailbox_list_text (InternetAddressList *list)
{
  if (list == NULL || internet_address_list_length (list) == 0)
    return NULL;
  return text_of (internet_address_list_to_string (list, NULL, FALSE));
}

/**
 * satchel_draft_reply:
 * @all: reply to everyone, not only the sender
 * @own_address: (nullable): the account's address, never replied to
 *
 * Fills @draft as a reply to @original: To from Reply-To (else From), with
 * @all the other recipients in Cc, the user's own address and duplicates
 * left out; "Re:" once; In-Reply-To and References; the quote with an
 * attribution line.
 */
void
satchel_draft_reply (SatchelDraft *draft,
                     GMimeMessage *original,
                     gboolean      all,
                     const char   *own_address)
{
  static const char *re[] = { "Re", "Aw", "Sv", "Antw", NULL };
  InternetAddressList *reply_to = g_mime_message_get_reply_to (original);
  InternetAddressList *from = g_mime_message_get_from (original);
  const char *message_id = g_mime_message_get_message_id (original);
  const char *references = g_mime_object_get_header (GMIME_OBJECT (original), "References");
  GDateTime *date = g_mime_message_get_date (original);
  g_autofree char *text = satchel_mime_get_text (original, MAX_QUOTED);
  g_autofree char *subject = subject_text (original);
  g_autofree char *who = NULL;
  g_autofree char *when = NULL;
  g_autofree char *quote = NULL;

  g_ptr_array_set_size (draft->to, 0);
  g_ptr_array_set_size (draft->cc, 0);
  add_mailboxes (draft->to, NULL,
                 reply_to != NULL && internet_address_list_length (reply_to) > 0 ? reply_to : from,
                 own_address);
  if (all)
    {
      add_mailboxes (draft->to, NULL, g_mime_message_get_to (original), own_address);
      add_mailboxes (draft->cc, draft->to, g_mime_message_get_cc (original), own_address);
    }
  /* A reply to one's own message goes to its recipients. */
  if (draft->to->len == 0)
    add_mailboxes (draft->to, NULL, g_mime_message_get_to (original), NULL);

  g_free (draft->subject);
  draft->subject = prefixed_subject (subject, "Re:", re);

  g_clear_pointer (&draft->in_reply_to, g_free);
  g_clear_pointer (&draft->references, g_free);
  if (message_id != NULL)
    {
      g_autofree char *earlier = references != NULL ? g_strstrip (g_strdup (references)) : NULL;

      draft->in_reply_to = g_strdup_printf ("<%s>", message_id);
      draft->references = earlier != NULL && earlier[0] != '\0'
                          ? g_strdup_printf ("%s %s", earlier, draft->in_reply_to)
                          : g_strdup (draft->in_reply_to);
    }

  who = mailbox_list_text (from);
  when = date != NULL ? g_date_time_format (date, "%a, %d %b %Y %H:%M") : NULL;
  quote = quote_text (text != NULL ? text : "");
  g_free (draft->quoted);
  if (when != NULL)
    draft->quoted = g_strdup_printf (_("On %s, %s wrote:\n%s"), when, who != NULL ? who : "", quote);
  else
    draft->quoted = g_strdup_printf (_("%s wrote:\n%s"), who != NULL ? who : "", quote);
}

/**
 * satchel_draft_forward:
 * @as_attachment: the original goes whole, as a message/rfc822 part;
 *   otherwise its text follows the user's, and its attachments go too
 *
 * Fills @draft as a forward of @original ("Fwd:" once). The recipients
 * are the user's to choose.
 */
void
satchel_draft_forward (SatchelDraft *draft,
                       GMimeMessage *original,
                       gboolean      as_attachment)
{
  static const char *fwd[] = { "Fwd", "Fw", "Wg", NULL };
  g_autofree char *subject = subject_text (original);

  g_free (draft->subject);
  draft->subject = prefixed_subject (subject, "Fwd:", fwd);
  g_clear_pointer (&draft->quoted, g_free);
  g_ptr_array_set_size (draft->carried, 0);

  if (as_attachment)
    {
      g_autoptr(GMimeMessagePart) part = g_mime_message_part_new_with_message ("rfc822", original);
      g_autoptr(GMimeContentDisposition) disposition = g_mime_content_disposition_new ();

      g_mime_content_disposition_set_disposition (disposition, GMIME_DISPOSITION_INLINE);
      g_mime_object_set_content_disposition (GMIME_OBJECT (part), disposition);
      g_ptr_array_add (draft->carried, g_object_ref (part));
    }
  else
    {
      g_autofree char *text = satchel_mime_get_text (original, MAX_QUOTED);
      g_autofree char *from = mailbox_list_text (g_mime_message_get_from (original));
      g_autofree char *to = mailbox_list_text (g_mime_message_get_to (original));
      g_autofree char *when = NULL;
      GDateTime *date = g_mime_message_get_date (original);
      g_autoptr(GString) quoted = g_string_new (_("---------- Forwarded message ----------\n"));

      when = date != NULL ? g_date_time_format (date, "%a, %d %b %Y %H:%M") : NULL;
      g_string_append_printf (quoted, _("From: %s\n"), from != NULL ? from : "");
      if (when != NULL)
        g_string_append_printf (quoted, _("Date: %s\n"), when);
      g_string_append_printf (quoted, _("Subject: %s\n"), subject != NULL ? subject : "");
      if (to != NULL)
        g_string_append_printf (quoted, _("To: %s\n"), to);
      g_string_append_c (quoted, '\n');
      if (text != NULL)
        g_string_append (quoted, text);
      draft->quoted = g_string_free (g_steal_pointer (&quoted), FALSE);
      {
        g_autoptr(GPtrArray) attachments = satchel_mime_get_attachments (original);

        g_ptr_array_extend_and_steal (draft->carried, g_steal_pointer (&attachments));
      }
    }
}

/* format=flowed */

static void
append_flowed_line (GString    *out,
                    const char *line,
                    gsize       len)
{
  gboolean quoted = len > 0 && line[0] == '>';

  /* Trailing spaces would make the line flow into the next one. */
  while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
    len--;
  /* Space-stuffing (RFC 3676, 4.4). */
  if (!quoted && len > 0 && (line[0] == ' ' || (len >= 5 && strncmp (line, "From ", 5) == 0)))
    g_string_append_c (out, ' ');
  /* Long unquoted lines are broken at spaces, each piece but the last
   * ending in the space that says "this flows on". */
  while (!quoted && g_utf8_strlen (line, len) > FLOWED_WIDTH)
    {
      const char *end = g_utf8_offset_to_pointer (line, FLOWED_WIDTH);
      const char *space = end;

      while (space > line && *space != ' ')
        space--;
      if (space == line)
        {
          /* One long word: broken after it. */
          space = memchr (end, ' ', len - (end - line));
          if (space == NULL)
            break;
        }
      g_string_append_len (out, line, space - line + 1);
      g_string_append_c (out, '\n');
      len -= space - line + 1;
      line = space + 1;
      if (len > 0 && (line[0] == ' ' || line[0] == '>' ||
                      (len >= 5 && strncmp (line, "From ", 5) == 0)))
        g_string_append_c (out, ' ');
    }
  g_string_append_len (out, line, len);
  g_string_append_c (out, '\n');
}

/**
 * satchel_flowed_encode:
 *
 * Returns: (transfer full): @text as format=flowed (RFC 3676, DelSp=no):
 *   long lines broken with soft line breaks, space-stuffed where needed,
 *   the signature separator kept as it is
 */
char *
satchel_flowed_encode (const char *text)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      const char *newline = strchr (p, '\n');
      gsize len = newline != NULL ? (gsize) (newline - p) : strlen (p);

      if ((len == 3 && strncmp (p, "-- ", 3) == 0) || (len == 4 && strncmp (p, "-- \r", 4) == 0))
        g_string_append (out, "-- \n");
      else
        append_flowed_line (out, p, len);
      if (newline == NULL)
        break;
      p = newline + 1;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * satchel_draft_add_addresses:
 * @list: a draft's @to, @cc or @bcc
 * @text: what the user wrote: one address or several ("Ada <a@x>, b@y")
 *
 * Adds each address of @text. What is not an address stays as it was
 * written, so that building the message names it.
 */
void
satchel_draft_add_addresses (GPtrArray  *list,
                             const char *text)
{
  g_autoptr(InternetAddressList) parsed = NULL;
  int n;

  if (text == NULL || text[strspn (text, " \t,")] == '\0')
    return;
  satchel_gmime_ensure_init ();
  parsed = internet_address_list_parse (NULL, text);
  n = parsed != NULL ? internet_address_list_length (parsed) : 0;
  if (n <= 1)
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (text));
      gsize len = strlen (trimmed);

      /* "ada@example.org, " as a completion leaves it. */
      while (len > 0 && (trimmed[len - 1] == ',' || trimmed[len - 1] == ' '))
        trimmed[--len] = '\0';
      g_ptr_array_add (list, g_steal_pointer (&trimmed));
      return;
    }
  for (int i = 0; i < n; i++)
    g_ptr_array_add (list, internet_address_to_string (internet_address_list_get_address (parsed, i),
                                                       NULL, FALSE));
}

/* Building */

static gboolean
add_recipients (GMimeMessage     *message,
                GMimeAddressType  type,
                GPtrArray        *mailboxes,
                GError          **error)
{
  InternetAddressList *list = g_mime_message_get_addresses (message, type);

  for (guint i = 0; i < mailboxes->len; i++)
    {
      const char *text = g_ptr_array_index (mailboxes, i);
      g_autoptr(InternetAddressList) parsed = internet_address_list_parse (NULL, text);
      g_autofree char *address = satchel_address_of (text);

      if (parsed == NULL || address == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("“%s” is not an email address."), text);
          return FALSE;
        }
      internet_address_list_append (list, parsed);
    }
  return TRUE;
}

static GMimeObject *
attachment_part (const char  *path,
                 GError     **error)
{
  g_autofree char *data = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *mime_type = NULL;
  g_autofree char *name = g_path_get_basename (path);
  g_autoptr(GMimeContentType) type = NULL;
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeDataWrapper) content = NULL;
  GMimePart *part;
  gsize len;

  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;
  content_type = g_content_type_guess (path, (const guchar *) data, MIN (len, 4096), NULL);
  mime_type = g_content_type_get_mime_type (content_type);
  type = g_mime_content_type_parse (NULL, mime_type != NULL ? mime_type
                                                            : "application/octet-stream");
  part = g_mime_part_new_with_type (g_mime_content_type_get_media_type (type),
                                    g_mime_content_type_get_media_subtype (type));
  stream = g_mime_stream_mem_new_with_buffer (data, len);
  content = g_mime_data_wrapper_new_with_stream (stream, GMIME_CONTENT_ENCODING_DEFAULT);
  g_mime_part_set_content (part, content);
  g_mime_part_set_filename (part, name);
  g_mime_part_set_content_encoding (part, GMIME_CONTENT_ENCODING_BASE64);
  return GMIME_OBJECT (part);
}

/**
 * satchel_draft_build:
 *
 * Returns: (transfer full): the message to send, or %NULL with @error when
 *   an address is not one or an attachment cannot be read
 */
GMimeMessage *
satchel_draft_build (SatchelDraft  *draft,
                     GError       **error)
{
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(GMimeTextPart) text = NULL;
  g_autoptr(GString) body = g_string_new (draft->body != NULL ? draft->body : "");
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *flowed = NULL;
  g_autofree char *message_id = NULL;
  const char *domain;

  satchel_gmime_ensure_init ();
  g_return_val_if_fail (draft->from_address != NULL, NULL);

  message = g_mime_message_new (TRUE);
  g_mime_message_add_mailbox (message, GMIME_ADDRESS_TYPE_FROM,
                              draft->from_name != NULL ? draft->from_name : "",
                              draft->from_address);
  if (!add_recipients (message, GMIME_ADDRESS_TYPE_TO, draft->to, error) ||
      !add_recipients (message, GMIME_ADDRESS_TYPE_CC, draft->cc, error))
    return NULL;
  /* Bcc: checked, never written. */
  for (guint i = 0; i < draft->bcc->len; i++)
    {
      g_autofree char *address = satchel_address_of (g_ptr_array_index (draft->bcc, i));

      if (address == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("“%s” is not an email address."),
                       (const char *) g_ptr_array_index (draft->bcc, i));
          return NULL;
        }
    }
  g_mime_message_set_subject (message, draft->subject != NULL ? draft->subject : "", "utf-8");
  g_mime_message_set_date (message, now);
  domain = strrchr (draft->from_address, '@');
  message_id = g_mime_utils_generate_message_id (domain != NULL ? domain + 1 : "localhost");
  g_mime_message_set_message_id (message, message_id);
  if (draft->in_reply_to != NULL)
    g_mime_object_set_header (GMIME_OBJECT (message), "In-Reply-To", draft->in_reply_to, NULL);
  if (draft->references != NULL)
    g_mime_object_set_header (GMIME_OBJECT (message), "References", draft->references, NULL);
  g_mime_object_set_header (GMIME_OBJECT (message), "User-Agent", "Satchel/" PACKAGE_VERSION,
                            NULL);

  if (draft->quoted != NULL)
    {
      if (body->len > 0 && body->str[body->len - 1] != '\n')
        g_string_append_c (body, '\n');
      if (body->len > 0)
        g_string_append_c (body, '\n');
      g_string_append (body, draft->quoted);
    }
  if (draft->signature != NULL && draft->signature[0] != '\0')
    {
      if (body->len > 0 && body->str[body->len - 1] != '\n')
        g_string_append_c (body, '\n');
      g_string_append (body, "\n-- \n");
      g_string_append (body, draft->signature);
    }
  if (!g_utf8_validate (body->str, body->len, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The text of the message is not valid UTF-8."));
      return NULL;
    }
  flowed = satchel_flowed_encode (body->str);
  text = g_mime_text_part_new_with_subtype ("plain");
  /* UTF-8 as it is: g_mime_text_part_set_text() would pick another
   * charset for it. */
  {
    g_autoptr(GMimeStream) stream = g_mime_stream_mem_new_with_buffer (flowed, strlen (flowed));
    g_autoptr(GMimeDataWrapper) content =
      g_mime_data_wrapper_new_with_stream (stream, GMIME_CONTENT_ENCODING_DEFAULT);

    g_mime_part_set_content (GMIME_PART (text), content);
  }
  g_mime_object_set_content_type_parameter (GMIME_OBJECT (text), "charset", "utf-8");
  g_mime_object_set_content_type_parameter (GMIME_OBJECT (text), "format", "flowed");
  g_mime_part_set_content_encoding (GMIME_PART (text),
                                    g_mime_part_get_best_content_encoding (
                                      GMIME_PART (text), GMIME_ENCODING_CONSTRAINT_7BIT));

  if (draft->attachments->len == 0 && draft->carried->len == 0)
    g_mime_message_set_mime_part (message, GMIME_OBJECT (text));
  else
    {
      g_autoptr(GMimeMultipart) mixed = g_mime_multipart_new_with_subtype ("mixed");

      g_mime_multipart_add (mixed, GMIME_OBJECT (text));
      for (guint i = 0; i < draft->carried->len; i++)
        g_mime_multipart_add (mixed, g_ptr_array_index (draft->carried, i));
      for (guint i = 0; i < draft->attachments->len; i++)
        {
          g_autoptr(GMimeObject) part = attachment_part (g_ptr_array_index (draft->attachments, i),
                                                        error);

          if (part == NULL)
            return NULL;
          g_mime_multipart_add (mixed, part);
        }
      g_mime_message_set_mime_part (message, GMIME_OBJECT (mixed));
    }
  return g_steal_pointer (&message);
}

/**
 * satchel_draft_dup_recipients:
 *
 * Returns: (transfer full): the envelope recipients: the addresses of To,
 *   Cc and Bcc, each once
 */
GStrv
satchel_draft_dup_recipients (SatchelDraft *draft)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *lists[] = { draft->to, draft->cc, draft->bcc };

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; i < lists[l]->len; i++)
      {
        g_autofree char *address = satchel_address_of (g_ptr_array_index (lists[l], i));

        if (address != NULL && g_hash_table_add (seen, g_ascii_strdown (address, -1)))
          g_strv_builder_add (builder, address);
      }
  return g_strv_builder_end (builder);
}

/**
 * satchel_mime_to_bytes:
 *
 * Returns: (transfer full): @message as it is sent: lines ending in CRLF
 */
GBytes *
satchel_mime_to_bytes (GMimeMessage *message)
{
  g_autoptr(GMimeFormatOptions) options = g_mime_format_options_new ();
  g_autoptr(GMimeStream) stream = g_mime_stream_mem_new ();
  GByteArray *bytes;

  g_mime_format_options_set_newline_format (options, GMIME_NEWLINE_FORMAT_DOS);
  g_mime_object_write_to_stream (GMIME_OBJECT (message), options, stream);
  bytes = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  return g_byte_array_free_to_bytes (bytes);
}

/* mailto: links (RFC 6068) */

#define MAILTO_MAX (64 * 1024)

static char *
mailto_decode (const char *text,
               gsize       len)
{
  g_autofree char *raw = g_strndup (text, len);
  g_autoptr(GBytes) bytes = g_uri_unescape_bytes (raw, -1, NULL, NULL);
  gsize size = 0;
  const char *data;

  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &size);
  /* Text, in UTF-8, without a NUL inside. */
  if (memchr (data, '\0', size) != NULL || !g_utf8_validate (data, size, NULL))
    return NULL;
  return g_strndup (data, size);
}

static gboolean
invalid_mailto (GError **error)
{
  g_set_error_literal (error, G_URI_ERROR, G_URI_ERROR_FAILED,
                       _("The mailto: link is not valid."));
  return FALSE;
}

/* One "name=value" of the link's query. */
static gboolean
mailto_field (SatchelDraft *draft,
              GPtrArray    *ignored,
              const char   *field,
              gsize         len,
              GError      **error)
{
  const char *equals = memchr (field, '=', len);
  g_autofree char *name = NULL;
  g_autofree char *value = NULL;

  if (len == 0)
    return TRUE;
  if (equals == NULL)
    return invalid_mailto (error);
  name = mailto_decode (field, equals - field);
  value = mailto_decode (equals + 1, field + len - equals - 1);
  if (name == NULL || value == NULL)
    return invalid_mailto (error);

  if (g_ascii_strcasecmp (name, "to") == 0)
    satchel_draft_add_addresses (draft->to, value);
  else if (g_ascii_strcasecmp (name, "cc") == 0)
    satchel_draft_add_addresses (draft->cc, value);
  else if (g_ascii_strcasecmp (name, "bcc") == 0)
    satchel_draft_add_addresses (draft->bcc, value);
  else if (g_ascii_strcasecmp (name, "subject") == 0)
    {
      g_free (draft->subject);
      draft->subject = g_steal_pointer (&value);
    }
  else if (g_ascii_strcasecmp (name, "body") == 0)
    {
      /* Lines end in CRLF in the link, in LF in what the user edits. */
      g_auto(GStrv) lines = g_strsplit (value, "\r\n", -1);

      g_free (draft->body);
      draft->body = g_strjoinv ("\n", lines);
    }
  else if (g_ascii_strcasecmp (name, "in-reply-to") == 0)
    {
      g_free (draft->in_reply_to);
      draft->in_reply_to = g_steal_pointer (&value);
    }
  /* A web page must not attach the user's files: kept aside, to be said. */
  else if (g_ascii_strcasecmp (name, "attach") == 0 ||
           g_ascii_strcasecmp (name, "attachment") == 0)
    g_ptr_array_add (ignored, g_steal_pointer (&value));
  /* Other headers (From, Received, ...) are not the link's to set. */
  return TRUE;
}

/**
 * satchel_draft_new_from_mailto:
 * @uri: a mailto: link, as RFC 6068 writes it
 * @ignored: (out) (optional) (transfer full): the files the link asked to
 *   attach, which are not attached
 *
 * Returns: (transfer full): a draft with the link's To, Cc, Bcc, Subject
 *   and body; %NULL with @error when @uri is not a valid mailto: link
 */
SatchelDraft *
satchel_draft_new_from_mailto (const char  *uri,
                               GStrv       *ignored,
                               GError     **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  SatchelDraft *draft;
  const char *rest, *query;

  if (ignored != NULL)
    *ignored = NULL;
  if (uri == NULL || strlen (uri) > MAILTO_MAX ||
      g_ascii_strncasecmp (uri, "mailto:", strlen ("mailto:")) != 0)
    {
      invalid_mailto (error);
      return NULL;
    }
  rest = uri + strlen ("mailto:");
  query = strchr (rest, '?');
  draft = satchel_draft_new ();
  {
    g_autofree char *to = mailto_decode (rest, query != NULL ? (gsize) (query - rest)
                                                             : strlen (rest));

    if (to == NULL)
      {
        satchel_draft_free (draft);
        invalid_mailto (error);
        return NULL;
      }
    satchel_draft_add_addresses (draft->to, to);
  }
  for (const char *field = query != NULL ? query + 1 : NULL; field != NULL; )
    {
      const char *end = strchr (field, '&');
      gsize len = end != NULL ? (gsize) (end - field) : strlen (field);

      if (!mailto_field (draft, files, field, len, error))
        {
          satchel_draft_free (draft);
          return NULL;
        }
      field = end != NULL ? end + 1 : NULL;
    }
  if (ignored != NULL && files->len > 0)
    *ignored = (GStrv) g_ptr_array_free (g_steal_pointer (&files), FALSE);
  return draft;
}
