/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-mime.c: reading messages with GMime
 *
 * Copyright 2026 The Satchel authors
 *
 * GMime parses; this file only picks what Satchel needs from a message:
 * its text (for the index, previews and satchel-cli show) and its main
 * headers in UTF-8. Parts nest at most MAX_DEPTH deep here, whatever the
 * message says.
 */

#include "config.h"

#include <string.h>

#include "satchel-mime.h"

#define MAX_DEPTH 32
#define MAX_PARTS 1000

/* GMime builds an object for every part it reads, whatever its size: a
 * 10 MB message of a million empty parts took 1.3 GB. A message with more
 * lines that could be part delimiters ("--" at the start of a line) than
 * any real one has is read for its headers only. */
#define MAX_DELIMITER_LINES 20000

static gboolean
too_many_parts (const char *data,
                gsize       len)
{
  const char *end = data + len;
  guint lines = 0;

  for (const char *p = data; p != NULL && p + 3 <= end; p++)
    {
      p = memchr (p, '\n', end - p);
      if (p == NULL || p + 3 > end)
        break;
      if (p[1] == '-' && p[2] == '-' && ++lines > MAX_DELIMITER_LINES)
        return TRUE;
    }
  return FALSE;
}

/* The length of @data's header block, with the empty line that ends it. */
static gsize
header_length (const char *data,
               gsize       len)
{
  for (const char *p = data; (p = memchr (p, '\n', data + len - p)) != NULL; p++)
    {
      if (p + 1 < data + len && p[1] == '\n')
        return p + 2 - data;
      if (p + 2 < data + len && p[1] == '\r' && p[2] == '\n')
        return p + 3 - data;
    }
  return len;
}

/**
 * satchel_mime_parse:
 * @raw: an RFC 5322 message
 *
 * Returns: (transfer full) (nullable): the message, or %NULL when GMime
 *   finds none in @raw; of a message with far more parts than mail has,
 *   only the headers
 */
GMimeMessage *
satchel_mime_parse (GBytes *raw)
{
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeParser) parser = NULL;
  gsize len;
  const char *data = g_bytes_get_data (raw, &len);

  satchel_gmime_ensure_init ();
  if (data != NULL && too_many_parts (data, len))
    len = header_length (data, len);
  /* An empty GBytes has no data pointer, which GMime refuses: give it an
   * empty buffer, and let it say whether that is a message. */
  stream = g_mime_stream_mem_new_with_buffer (data != NULL ? data : "", len);
  parser = g_mime_parser_new_with_stream (stream);
  g_mime_parser_set_format (parser, GMIME_FORMAT_MESSAGE);
  return g_mime_parser_construct_message (parser, NULL);
}

/* A crude text of HTML, for the index and previews only: no tags, no
 * scripts or styles, the common entities. Display uses WebKit. */
static char *
html_to_text (const char *html)
{
  GString *out = g_string_new (NULL);
  const char *p = html;

  while (*p != '\0')
    {
      if (*p == '<')
        {
          gboolean skip_content = g_ascii_strncasecmp (p, "<script", 7) == 0 ||
                                  g_ascii_strncasecmp (p, "<style", 6) == 0;
          const char *end = strchr (p, '>');

          if (end == NULL)
            break;
          if (skip_content)
            {
              const char *close = g_ascii_strncasecmp (p, "<script", 7) == 0
                                  ? strstr (end, "</script") : strstr (end, "</style");

              end = close != NULL ? strchr (close, '>') : NULL;
              if (end == NULL)
                break;
            }
          g_string_append_c (out, ' ');
          p = end + 1;
          continue;
        }
      if (*p == '&')
        {
          static const struct { const char *entity; const char *text; } entities[] = {
            { "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" }, { "&quot;", "\"" },
            { "&apos;", "'" }, { "&nbsp;", " " }, { "&#39;", "'" },
          };
          gboolean done = FALSE;

          for (guint i = 0; i < G_N_ELEMENTS (entities); i++)
            if (g_str_has_prefix (p, entities[i].entity))
              {
                g_string_append (out, entities[i].text);
                p += strlen (entities[i].entity);
                done = TRUE;
                break;
              }
          if (done)
            continue;
        }
      g_string_append_c (out, *p);
      p++;
    }
  return g_string_free (out, FALSE);
}

static char *
part_text (GMimePart *part)
{
  GMimeContentType *type = g_mime_object_get_content_type (GMIME_OBJECT (part));
  g_autofree char *text = NULL;

  if (!g_mime_content_type_is_type (type, "text", "*"))
    return NULL;
  text = g_mime_text_part_get_text (GMIME_TEXT_PART (part));
  if (text == NULL)
    return NULL;
  if (g_mime_content_type_is_type (type, "text", "html"))
    return html_to_text (text);
  return g_steal_pointer (&text);
}

/* Calls @func on each leaf part of @message (not a multipart) in order,
 * at most MAX_PARTS of them and MAX_DEPTH deep, until it returns FALSE. */
typedef gboolean (*LeafFunc) (GMimeObject *leaf,
                              gpointer     data);

static void
foreach_leaf (GMimeMessage *message,
              LeafFunc      func,
              gpointer      data)
{
  g_autoptr(GPtrArray) pending = g_ptr_array_new ();
  g_autoptr(GArray) depths = g_array_new (FALSE, FALSE, sizeof (guint));
  GMimeObject *root = g_mime_message_get_mime_part (message);
  guint zero = 0;
  guint seen = 0;

  if (root == NULL)
    return;
  g_ptr_array_add (pending, root);
  g_array_append_val (depths, zero);
  while (pending->len > 0 && seen++ < MAX_PARTS)
    {
      GMimeObject *object = g_ptr_array_steal_index (pending, pending->len - 1);
      guint depth = g_array_index (depths, guint, depths->len - 1);

      g_array_set_size (depths, depths->len - 1);
      if (GMIME_IS_MULTIPART (object))
        {
          GMimeMultipart *multipart = GMIME_MULTIPART (object);
          guint next = depth + 1;

          if (depth >= MAX_DEPTH)
            continue;
          /* Pushed last to first, so that parts come in order. */
          for (int i = g_mime_multipart_get_count (multipart) - 1; i >= 0; i--)
            {
              g_ptr_array_add (pending, g_mime_multipart_get_part (multipart, i));
              g_array_append_val (depths, next);
            }
          continue;
        }
      if (!func (object, data))
        return;
    }
}

/**
 * satchel_mime_is_attachment:
 * @shows_inline: whether the message has an HTML part, which shows the
 *   parts with a Content-ID by their cid: URLs
 *
 * Returns: whether @part is an attachment: its disposition says so, or it
 *   is not text and has a file name, unless it has a Content-ID that the
 *   HTML shows (an inline image). The IMAP BODYSTRUCTURE reading decides
 *   the same way.
 */
gboolean
satchel_mime_is_attachment (GMimeObject *part,
                            gboolean     shows_inline)
{
  GMimeContentDisposition *disposition = g_mime_object_get_content_disposition (part);

  if (disposition != NULL && g_mime_content_disposition_is_attachment (disposition))
    return TRUE;
  if (!GMIME_IS_PART (part) || GMIME_IS_TEXT_PART (part))
    return FALSE;
  if (shows_inline && g_mime_object_get_content_id (part) != NULL)
    return FALSE;
  return g_mime_part_get_filename (GMIME_PART (part)) != NULL;
}

static gboolean
is_html_text (GMimeObject *leaf)
{
  return GMIME_IS_TEXT_PART (leaf) && !satchel_mime_is_attachment (leaf, FALSE) &&
         g_mime_content_type_is_type (g_mime_object_get_content_type (leaf), "text", "html");
}

static gboolean
find_html (GMimeObject *leaf,
           gpointer     data)
{
  *(gboolean *) data = is_html_text (leaf);
  return !*(gboolean *) data;
}

/* Whether @message has an HTML part to show its inline parts in. */
static gboolean
shows_inline (GMimeMessage *message)
{
  gboolean found = FALSE;

  foreach_leaf (message, find_html, &found);
  return found;
}

typedef struct
{
  GString *plain;
  GString *html;
} TextParts;

static gboolean
collect_text (GMimeObject *leaf,
              gpointer     data)
{
  TextParts *parts = data;
  g_autofree char *text = NULL;
  GString *chosen;

  if (!GMIME_IS_TEXT_PART (leaf) || satchel_mime_is_attachment (leaf, FALSE))
    return TRUE;
  text = part_text (GMIME_PART (leaf));
  if (text == NULL)
    return TRUE;
  chosen = g_mime_content_type_is_type (g_mime_object_get_content_type (leaf), "text", "html")
           ? parts->html : parts->plain;
  if (chosen->len > 0)
    g_string_append (chosen, "\n\n");
  g_string_append (chosen, text);
  return TRUE;
}

/**
 * satchel_mime_get_text:
 * @max: the most bytes to return
 *
 * Returns: (transfer full) (nullable): the message's text: its text/plain
 *   parts, or else its HTML parts as text; attachments left out
 */
char *
satchel_mime_get_text (GMimeMessage *message,
                       gsize         max)
{
  g_autoptr(GString) plain = g_string_new (NULL);
  g_autoptr(GString) html = g_string_new (NULL);
  TextParts parts = { plain, html };
  GString *chosen;

  foreach_leaf (message, collect_text, &parts);
  chosen = plain->len > 0 ? plain : html;
  if (chosen->len == 0)
    return NULL;
  /* Made valid before the cut: each byte that is not UTF-8 becomes a
   * U+FFFD of three, and a text made valid after it could be three
   * times as long as @max. */
  if (!g_utf8_validate_len (chosen->str, chosen->len, NULL))
    {
      g_autofree char *valid = g_utf8_make_valid (chosen->str, chosen->len);

      g_string_assign (chosen, valid);
    }
  if (chosen->len > max)
    {
      const char *end = chosen->str + max;

      /* Cut at a character, not inside one. */
      while (end > chosen->str && (*end & 0xc0) == 0x80)
        end--;
      g_string_truncate (chosen, end - chosen->str);
    }
  return g_strndup (chosen->str, chosen->len);
}

/**
 * satchel_mime_get_header:
 *
 * Returns: (transfer full) (nullable): the header @name decoded to UTF-8
 */
char *
satchel_mime_get_header (GMimeMessage *message,
                         const char   *name)
{
  const char *value = g_mime_object_get_header (GMIME_OBJECT (message), name);

  if (value == NULL)
    return NULL;
  return g_utf8_make_valid (value, -1);
}

void
satchel_mime_headers_free (SatchelMimeHeaders *headers)
{
  if (headers == NULL)
    return;
  g_free (headers->message_id);
  g_free (headers->in_reply_to);
  g_free (headers->references);
  g_free (headers->subject);
  g_free (headers->from);
  g_free (headers->to);
  g_free (headers->cc);
  g_free (headers);
}

/* "Name <address>, address, ..." as the IMAP envelope gives them; groups
 * give their members. */
static void
append_addresses (GString             *out,
                  InternetAddressList *list,
                  guint                depth)
{
  int n = list != NULL ? internet_address_list_length (list) : 0;

  for (int i = 0; i < n && i < 1000; i++)
    {
      InternetAddress *address = internet_address_list_get_address (list, i);
      const char *name = internet_address_get_name (address);

      if (INTERNET_ADDRESS_IS_GROUP (address))
        {
          if (depth < 4)
            append_addresses (out, internet_address_group_get_members (INTERNET_ADDRESS_GROUP (address)),
                              depth + 1);
          continue;
        }
      if (out->len > 0)
        g_string_append (out, ", ");
      if (name != NULL && name[0] != '\0')
        g_string_append_printf (out, "%s <%s>", name,
                                internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address)));
      else
        g_string_append (out, internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address)));
    }
}

static char *
addresses (GMimeMessage        *message,
           GMimeAddressType     type)
{
  g_autoptr(GString) out = g_string_new (NULL);

  append_addresses (out, g_mime_message_get_addresses (message, type), 0);
  if (out->len == 0)
    return NULL;
  return g_utf8_make_valid (out->str, out->len);
}

typedef struct
{
  gboolean shows_inline;
  gboolean found;
} AttachmentSearch;

static gboolean
find_attachment (GMimeObject *leaf,
                 gpointer     data)
{
  AttachmentSearch *search = data;

  search->found = satchel_mime_is_attachment (leaf, search->shows_inline);
  return !search->found;
}

static gboolean
has_attachments (GMimeMessage *message)
{
  AttachmentSearch search = { shows_inline (message), FALSE };

  foreach_leaf (message, find_attachment, &search);
  return search.found;
}

static char *
raw_header (GMimeMessage *message,
            const char   *name)
{
  const char *value = g_mime_object_get_header (GMIME_OBJECT (message), name);

  if (value == NULL)
    return NULL;
  value += strspn (value, " \t");
  return value[0] != '\0' ? g_utf8_make_valid (value, -1) : NULL;
}

/**
 * satchel_mime_read_headers:
 *
 * Returns: (transfer full): what a message list shows of @message, as an
 *   IMAP server's envelope would tell it
 */
SatchelMimeHeaders *
satchel_mime_read_headers (GMimeMessage *message)
{
  SatchelMimeHeaders *headers = g_new0 (SatchelMimeHeaders, 1);
  GDateTime *date = g_mime_message_get_date (message);
  const char *subject = g_mime_message_get_subject (message);

  /* Message-IDs as they are written, with their angle brackets, as in an
   * envelope: threads are computed from them. */
  headers->message_id = raw_header (message, "Message-ID");
  headers->in_reply_to = raw_header (message, "In-Reply-To");
  headers->references = raw_header (message, "References");
  /* What the list shows, on one line whatever an encoded word held. */
  headers->subject = satchel_text_one_line (subject != NULL ? g_utf8_make_valid (subject, -1)
                                                            : NULL);
  headers->from = satchel_text_one_line (addresses (message, GMIME_ADDRESS_TYPE_FROM));
  headers->to = satchel_text_one_line (addresses (message, GMIME_ADDRESS_TYPE_TO));
  headers->cc = satchel_text_one_line (addresses (message, GMIME_ADDRESS_TYPE_CC));
  headers->date = date != NULL ? g_date_time_to_unix (date) : 0;
  headers->has_attachments = has_attachments (message);
  return headers;
}

static gboolean
first_html (GMimeObject *leaf,
            gpointer     data)
{
  if (!is_html_text (leaf))
    return TRUE;
  *(char **) data = g_mime_text_part_get_text (GMIME_TEXT_PART (leaf));
  return *(char **) data == NULL;
}

/**
 * satchel_mime_get_html:
 *
 * Returns: (transfer full) (nullable): the message's first HTML part that
 *   is not an attachment, in UTF-8, as it is (it is not safe to show
 *   without the reader's protections)
 */
char *
satchel_mime_get_html (GMimeMessage *message)
{
  g_autofree char *html = NULL;

  foreach_leaf (message, first_html, &html);
  if (html == NULL)
    return NULL;
  return g_utf8_make_valid (html, -1);
}

typedef struct
{
  gboolean   shows_inline;
  GPtrArray *attachments;
} AttachmentList;

static gboolean
collect_attachment (GMimeObject *leaf,
                    gpointer     data)
{
  AttachmentList *list = data;

  if (satchel_mime_is_attachment (leaf, list->shows_inline))
    g_ptr_array_add (list->attachments, g_object_ref (leaf));
  return TRUE;
}

/**
 * satchel_mime_get_attachments:
 *
 * Returns: (transfer full) (element-type GMimeObject): the message's
 *   attachments, in order
 */
GPtrArray *
satchel_mime_get_attachments (GMimeMessage *message)
{
  AttachmentList list = { shows_inline (message),
                          g_ptr_array_new_with_free_func (g_object_unref) };

  foreach_leaf (message, collect_attachment, &list);
  return list.attachments;
}

typedef struct
{
  const char *id;
  GMimePart  *found;
} CidLookup;

static gboolean
match_cid (GMimeObject *leaf,
           gpointer     data)
{
  CidLookup *lookup = data;
  const char *id = g_mime_object_get_content_id (leaf);

  if (GMIME_IS_PART (leaf) && id != NULL && g_ascii_strcasecmp (id, lookup->id) == 0)
    lookup->found = GMIME_PART (leaf);
  return lookup->found == NULL;
}

/**
 * satchel_mime_find_content_id:
 * @id: a Content-ID without its angle brackets, as a cid: URL names it
 *
 * Returns: (transfer none) (nullable): the part with that Content-ID
 */
GMimePart *
satchel_mime_find_content_id (GMimeMessage *message,
                              const char   *id)
{
  CidLookup lookup = { id, NULL };

  foreach_leaf (message, match_cid, &lookup);
  return lookup.found;
}

/**
 * satchel_mime_part_get_bytes:
 *
 * Returns: (transfer full): the content of @part, decoded from its
 *   transfer encoding (a message part: the message as it is written)
 */
GBytes *
satchel_mime_part_get_bytes (GMimeObject *part)
{
  g_autoptr(GMimeStream) stream = g_mime_stream_mem_new ();
  GByteArray *array;

  if (GMIME_IS_PART (part))
    {
      GMimeDataWrapper *content = g_mime_part_get_content (GMIME_PART (part));

      if (content != NULL)
        g_mime_data_wrapper_write_to_stream (content, stream);
    }
  else if (GMIME_IS_MESSAGE_PART (part))
    {
      GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (part));

      if (inner != NULL)
        g_mime_object_write_to_stream (GMIME_OBJECT (inner), NULL, stream);
    }
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
  return g_bytes_new (array->data, array->len);
}

/**
 * satchel_mime_part_dup_filename:
 *
 * GMime gives an RFC 2231 file name in the bytes its percent escapes
 * spell, UTF-8 or not, whatever charset it names; whoever shows or saves
 * the name needs text.
 *
 * Returns: (transfer full) (nullable): the file name @part gives itself,
 *   in UTF-8
 */
char *
satchel_mime_part_dup_filename (GMimeObject *part)
{
  const char *name = GMIME_IS_PART (part) ? g_mime_part_get_filename (GMIME_PART (part)) : NULL;

  return name != NULL ? g_utf8_make_valid (name, -1) : NULL;
}
