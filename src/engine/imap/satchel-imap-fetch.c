/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-imap-fetch.c: what a FETCH response says about one message
 *
 * Copyright 2026 The Satchel authors
 *
 * Reads the items of "* n FETCH (...)": UID, FLAGS, INTERNALDATE,
 * RFC822.SIZE, MODSEQ, ENVELOPE (RFC 2047 texts decoded with GMime),
 * BODYSTRUCTURE (only whether there are attachments), the References
 * header, PREVIEW and BODY[]. A malformed item is an error; an item the
 * server sent that was not asked for is ignored.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "mime/satchel-gmime.h"
#include "net/satchel-net-error.h"
#include "satchel-imap-fetch.h"
#include "store/satchel-store.h"

#define MAX_ADDRESSES 1000

void
satchel_imap_fetch_free (SatchelImapFetch *fetch)
{
  if (fetch == NULL)
    return;
  g_free (fetch->keywords);
  g_free (fetch->subject);
  g_free (fetch->from);
  g_free (fetch->sender_address);
  g_free (fetch->sender_name);
  g_free (fetch->to);
  g_free (fetch->cc);
  g_free (fetch->message_id);
  g_free (fetch->in_reply_to);
  g_free (fetch->references);
  g_free (fetch->preview);
  g_clear_pointer (&fetch->body, g_bytes_unref);
  g_free (fetch);
}

static gboolean
malformed (GError    **error,
           const char *item)
{
  g_set_error (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
               _("The server sent a malformed %s in a FETCH response."), item);
  return FALSE;
}

/**
 * satchel_imap_flags_parse:
 * @list: a flag list
 * @keywords: (out) (optional): the other flags and keywords, or %NULL
 *
 * Returns: the system flags as SatchelFlags bits; \Recent is left out
 */
guint
satchel_imap_flags_parse (const SatchelImapValue  *list,
                          char                   **keywords)
{
  static const struct { const char *name; guint bit; } system[] = {
    { "\\Seen", SATCHEL_FLAG_SEEN },
    { "\\Answered", SATCHEL_FLAG_ANSWERED },
    { "\\Flagged", SATCHEL_FLAG_FLAGGED },
    { "\\Deleted", SATCHEL_FLAG_DELETED },
    { "\\Draft", SATCHEL_FLAG_DRAFT },
  };
  g_autoptr(GString) others = NULL;
  guint flags = 0;

  for (guint i = 0; i < satchel_imap_value_get_length (list); i++)
    {
      const SatchelImapValue *item = satchel_imap_value_get_item (list, i);
      gboolean known = FALSE;

      if (item->kind != SATCHEL_IMAP_VALUE_ATOM)
        continue;
      /* System flags start with a backslash: keywords need no comparing. */
      for (guint s = 0; item->text[0] == '\\' && s < G_N_ELEMENTS (system); s++)
        if (g_ascii_strcasecmp (item->text, system[s].name) == 0)
          {
            flags |= system[s].bit;
            known = TRUE;
            break;
          }
      if (known || g_ascii_strcasecmp (item->text, "\\Recent") == 0)
        continue;
      if (others == NULL)
        others = g_string_new (NULL);
      else
        g_string_append_c (others, ' ');
      g_string_append (others, item->text);
    }
  if (keywords != NULL)
    *keywords = others != NULL ? g_string_free (g_steal_pointer (&others), FALSE) : NULL;
  return flags;
}

/* The flags as IMAP writes them, for STORE and APPEND. */
char *
satchel_imap_flags_to_string (guint       flags,
                              const char *keywords)
{
  GString *out = g_string_new (NULL);

  if (flags & SATCHEL_FLAG_SEEN)
    g_string_append (out, " \\Seen");
  if (flags & SATCHEL_FLAG_ANSWERED)
    g_string_append (out, " \\Answered");
  if (flags & SATCHEL_FLAG_FLAGGED)
    g_string_append (out, " \\Flagged");
  if (flags & SATCHEL_FLAG_DELETED)
    g_string_append (out, " \\Deleted");
  if (flags & SATCHEL_FLAG_DRAFT)
    g_string_append (out, " \\Draft");
  if (keywords != NULL && keywords[0] != '\0')
    g_string_append_printf (out, " %s", keywords);
  if (out->len > 0)
    g_string_erase (out, 0, 1);
  return g_string_free (out, FALSE);
}

/* Days from 1970-01-01 to @year-@month-@day of the proleptic Gregorian
 * calendar (H. Hinnant's days_from_civil). */
static gint64
days_from_civil (gint64 year,
                 guint  month,
                 guint  day)
{
  gint64 era;
  guint yoe, doy, doe;

  year -= month <= 2;
  era = (year >= 0 ? year : year - 399) / 400;
  yoe = (guint) (year - era * 400);
  doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (gint64) doe - 719468;
}

static gboolean
read_digits (const char **p,
             guint        min,
             guint        max,
             guint       *out)
{
  guint n = 0;
  guint count = 0;

  while (count < max && g_ascii_isdigit ((*p)[count]))
    {
      n = n * 10 + ((*p)[count] - '0');
      count++;
    }
  if (count < min)
    return FALSE;
  *p += count;
  *out = n;
  return TRUE;
}

/* "Jan" .. "Dec", in any case: 1 to 12, or 0. */
static guint
read_month (const char **p)
{
  static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

  for (guint m = 0; m < 12; m++)
    if (g_ascii_strncasecmp (*p, months + 3 * m, 3) == 0)
      {
        *p += 3;
        return m + 1;
      }
  return 0;
}

/* Seconds since the epoch of a valid date and time with its zone, or FALSE
 * for one that is not. */
static gboolean
to_epoch (guint    year,
          guint    month,
          guint    day,
          guint    hour,
          guint    minute,
          guint    second,
          int      sign,
          guint    zone,
          gint64  *out)
{
  static const guint8 month_days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

  if (month < 1 || month > 12 || day < 1 || day > month_days[month - 1] ||
      (month == 2 && day == 29 && !g_date_is_leap_year (year)) ||
      hour > 23 || minute > 59 || second > 60 || zone > 1400 || zone % 100 >= 60)
    return FALSE;
  *out = days_from_civil (year, month, day) * 86400 + hour * 3600 + minute * 60 +
         MIN (second, 59) - sign * (gint64) ((zone / 100) * 3600 + (zone % 100) * 60);
  return TRUE;
}

/**
 * satchel_imap_parse_internaldate:
 * @text: "17-Jul-1996 02:44:25 -0700" (the day may be space-padded)
 * @out: (out): seconds since the epoch
 *
 * Read by hand, not with sscanf() and GDateTime: a sync reads one for
 * every message.
 */
gboolean
satchel_imap_parse_internaldate (const char *text,
                                 gint64     *out)
{
  const char *p = text;
  guint day, month, year, hour, minute, second, zone;
  int sign;

  if (p == NULL)
    return FALSE;
  while (*p == ' ')
    p++;
  if (!read_digits (&p, 1, 2, &day) || *p++ != '-' || (month = read_month (&p)) == 0 ||
      *p++ != '-' || !read_digits (&p, 4, 4, &year) || *p++ != ' ' ||
      !read_digits (&p, 2, 2, &hour) || *p++ != ':' ||
      !read_digits (&p, 2, 2, &minute) || *p++ != ':' ||
      !read_digits (&p, 2, 2, &second) || *p++ != ' ')
    return FALSE;
  if (*p != '+' && *p != '-')
    return FALSE;
  sign = *p++ == '-' ? -1 : 1;
  if (!read_digits (&p, 4, 4, &zone) || *p != '\0')
    return FALSE;
  return to_epoch (year, month, day, hour, minute, second, sign, zone, out);
}

static const char *
skip_spaces (const char *p)
{
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* The form nearly every message's Date has (RFC 5322 3.3): "Wed, 17 Jul
 * 1996 02:23:25 -0700", the day name and the seconds optional, perhaps
 * a comment after the zone. Read here because a header sync reads one
 * for every message; anything else (obsolete zone names, two-digit
 * years, odd spacing) is GMime's to read. */
static gboolean
parse_common_date (const char *text,
                   gint64     *out)
{
  const char *p = skip_spaces (text);
  guint day, month, year, hour, minute, second = 0, zone;
  int sign;

  if (g_ascii_isalpha (p[0]))
    {
      if (!g_ascii_isalpha (p[1]) || !g_ascii_isalpha (p[2]) || p[3] != ',')
        return FALSE;
      p = skip_spaces (p + 4);
    }
  if (!read_digits (&p, 1, 2, &day) || *p != ' ')
    return FALSE;
  p = skip_spaces (p);
  if ((month = read_month (&p)) == 0 || *p != ' ')
    return FALSE;
  p = skip_spaces (p);
  if (!read_digits (&p, 4, 4, &year) || *p != ' ')
    return FALSE;
  p = skip_spaces (p);
  if (!read_digits (&p, 2, 2, &hour) || *p++ != ':' || !read_digits (&p, 2, 2, &minute))
    return FALSE;
  if (*p == ':' && (p++, !read_digits (&p, 2, 2, &second)))
    return FALSE;
  if (*p != ' ')
    return FALSE;
  p = skip_spaces (p);
  if (*p != '+' && *p != '-')
    return FALSE;
  sign = *p++ == '-' ? -1 : 1;
  if (!read_digits (&p, 4, 4, &zone) || g_ascii_isdigit (*p))
    return FALSE;
  p = skip_spaces (p);
  if (*p == '(')
    {
      p = strchr (p, ')');
      if (p == NULL)
        return FALSE;
      p = skip_spaces (p + 1);
    }
  if (*p != '\0' || year < 1900 || second > 59)
    return FALSE;
  return to_epoch (year, month, day, hour, minute, second, sign, zone, out);
}

/**
 * satchel_imap_parse_date:
 * @text: a Date header's value, as ENVELOPE gives it
 * @out: (out): seconds since the epoch
 *
 * Returns: whether @text is a date that could be read
 */
gboolean
satchel_imap_parse_date (const char *text,
                         gint64     *out)
{
  g_autoptr(GDateTime) when = NULL;

  if (text == NULL)
    return FALSE;
  if (parse_common_date (text, out))
    return TRUE;
  satchel_gmime_ensure_init ();
  when = g_mime_utils_header_decode_date (text);
  if (when == NULL)
    return FALSE;
  *out = g_date_time_to_unix (when);
  return TRUE;
}

static char *
decode_text (const SatchelImapValue *value)
{
  const char *text = satchel_imap_value_get_text (value);

  if (text == NULL)
    return NULL;
  /* Most texts hold no encoded word: GMime is for those that do. */
  if (strstr (text, "=?") == NULL)
    return g_utf8_validate_len (text, value->len, NULL) ? g_strndup (text, value->len)
                                                        : g_utf8_make_valid (text, value->len);
  satchel_gmime_ensure_init ();
  return g_mime_utils_header_decode_text (NULL, text);
}

/* An ENVELOPE address list: ((name adl mailbox host) ...), with RFC 5322
 * groups as (NIL NIL "group" NIL) ... (NIL NIL NIL NIL). @first_address
 * and @first_name, when given, receive the first mailbox's parts. */
static char *
format_addresses (const SatchelImapValue  *list,
                  char                   **first_address,
                  char                   **first_name)
{
  g_autoptr(GString) out = NULL;
  guint n = MIN (satchel_imap_value_get_length (list), MAX_ADDRESSES);

  if (n == 0)
    return NULL;
  out = g_string_sized_new (64);

  for (guint i = 0; i < n; i++)
    {
      const SatchelImapValue *address = satchel_imap_value_get_item (list, i);
      const SatchelImapValue *raw_name = satchel_imap_value_get_item (address, 0);
      const char *plain = satchel_imap_value_get_text (raw_name);
      g_autofree char *decoded = NULL;
      const char *name;
      const char *mailbox = satchel_imap_value_get_text (satchel_imap_value_get_item (address, 2));
      const char *host = satchel_imap_value_get_text (satchel_imap_value_get_item (address, 3));

      if (satchel_imap_value_get_length (address) != 4 || mailbox == NULL || host == NULL)
        continue;   /* group markers */
      /* A name without encoded words is taken as it is: the whole list
       * is made valid UTF-8 at the end. */
      name = plain != NULL && strstr (plain, "=?") != NULL ? (decoded = decode_text (raw_name))
                                                            : plain;
      if (out->len == 0 && first_address != NULL)
        {
          g_autofree char *joined = g_strconcat (mailbox, "@", host, NULL);

          *first_address = g_utf8_make_valid (joined, -1);
          *first_name = name != NULL && name[0] != '\0' ? g_utf8_make_valid (name, -1) : NULL;
        }
      if (out->len > 0)
        g_string_append_len (out, ", ", 2);
      if (name != NULL && name[0] != '\0')
        {
          g_string_append (out, name);
          g_string_append_len (out, " <", 2);
        }
      g_string_append (out, mailbox);
      g_string_append_c (out, '@');
      g_string_append (out, host);
      if (name != NULL && name[0] != '\0')
        g_string_append_c (out, '>');
    }
  if (out->len == 0)
    return NULL;
  if (g_utf8_validate_len (out->str, out->len, NULL))
    return g_string_free (g_steal_pointer (&out), FALSE);
  return g_utf8_make_valid (out->str, out->len);
}

static gboolean
parse_envelope (SatchelImapFetch        *fetch,
                const SatchelImapValue  *envelope,
                GError                 **error)
{
  char **fields[] = { &fetch->subject, &fetch->from, &fetch->sender_address, &fetch->sender_name,
                      &fetch->to, &fetch->cc, &fetch->in_reply_to, &fetch->message_id };
  const char *date;

  if (envelope->kind != SATCHEL_IMAP_VALUE_LIST || satchel_imap_value_get_length (envelope) < 10)
    return malformed (error, "ENVELOPE");

  /* A server that sends it twice: the last one counts. */
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    g_clear_pointer (fields[i], g_free);

  date = satchel_imap_value_get_text (satchel_imap_value_get_item (envelope, 0));
  if (!satchel_imap_parse_date (date, &fetch->date))
    fetch->date = 0;
  /* What the list shows, on one line whatever a literal carried. */
  fetch->subject = satchel_text_one_line (decode_text (satchel_imap_value_get_item (envelope, 1)));
  fetch->from = satchel_text_one_line (format_addresses (satchel_imap_value_get_item (envelope, 2),
                                                         &fetch->sender_address,
                                                         &fetch->sender_name));
  satchel_text_one_line (fetch->sender_name);
  fetch->to = satchel_text_one_line (format_addresses (satchel_imap_value_get_item (envelope, 5),
                                                       NULL, NULL));
  fetch->cc = satchel_text_one_line (format_addresses (satchel_imap_value_get_item (envelope, 6),
                                                       NULL, NULL));
  fetch->in_reply_to = g_strdup (satchel_imap_value_get_text (satchel_imap_value_get_item (envelope, 8)));
  fetch->message_id = g_strdup (satchel_imap_value_get_text (satchel_imap_value_get_item (envelope, 9)));
  fetch->items |= SATCHEL_IMAP_FETCH_ENVELOPE;
  return TRUE;
}

static gboolean
list_has_param (const SatchelImapValue *params,
                const char             *name)
{
  for (guint i = 0; i + 1 < satchel_imap_value_get_length (params); i += 2)
    {
      const char *key = satchel_imap_value_get_text (satchel_imap_value_get_item (params, i));

      if (key != NULL && g_ascii_strncasecmp (key, name, strlen (name)) == 0)
        return TRUE;
    }
  return FALSE;
}

typedef enum
{
  PART_TEXT,
  PART_HTML,
  PART_INLINE,       /* with a Content-ID: an image the HTML may show */
  PART_ATTACHMENT,
} PartKind;

/* What one non-multipart body part is. An attachment has a disposition of
 * "attachment", or is not text and has a file name; one with a Content-ID
 * is inline when the message has HTML to show it by its cid: URL, as
 * satchel_mime_is_attachment() decides. */
static PartKind
part_kind (const SatchelImapValue *part)
{
  const char *type = satchel_imap_value_get_text (satchel_imap_value_get_item (part, 0));
  const char *subtype = satchel_imap_value_get_text (satchel_imap_value_get_item (part, 1));
  const SatchelImapValue *params = satchel_imap_value_get_item (part, 2);
  const SatchelImapValue *disposition;
  guint disposition_index;
  const char *disposition_type;

  if (type == NULL || subtype == NULL)
    return PART_TEXT;
  if (g_ascii_strcasecmp (type, "text") == 0)
    disposition_index = 9;
  else if (g_ascii_strcasecmp (type, "message") == 0 && g_ascii_strcasecmp (subtype, "rfc822") == 0)
    disposition_index = 11;
  else
    disposition_index = 8;

  disposition = satchel_imap_value_get_item (part, disposition_index);
  disposition_type = satchel_imap_value_get_text (satchel_imap_value_get_item (disposition, 0));
  if (disposition_type != NULL && g_ascii_strcasecmp (disposition_type, "attachment") == 0)
    return PART_ATTACHMENT;
  if (g_ascii_strcasecmp (type, "text") == 0)
    return g_ascii_strcasecmp (subtype, "html") == 0 ? PART_HTML : PART_TEXT;
  if (!list_has_param (params, "name") &&
      !list_has_param (satchel_imap_value_get_item (disposition, 1), "filename"))
    return PART_TEXT;
  if (satchel_imap_value_get_text (satchel_imap_value_get_item (part, 3)) != NULL)
    return PART_INLINE;
  return PART_ATTACHMENT;
}

/* Walks the structure with a stack (its depth was bounded by the parser,
 * the breadth was not: the stack grows past its first 32 entries). */
static gboolean
has_attachments (const SatchelImapValue *structure)
{
  const SatchelImapValue *small[32];
  g_autoptr(GPtrArray) large = NULL;
  guint n = 0;
  gboolean html = FALSE;
  gboolean inline_parts = FALSE;

  small[n++] = structure;
  while (n > 0 || (large != NULL && large->len > 0))
    {
      const SatchelImapValue *part = large != NULL && large->len > 0
                                     ? g_ptr_array_steal_index_fast (large, large->len - 1)
                                     : small[--n];
      const SatchelImapValue *first = satchel_imap_value_get_item (part, 0);

      if (first == NULL)
        continue;
      if (first->kind == SATCHEL_IMAP_VALUE_LIST)
        {
          for (guint i = 0; i < satchel_imap_value_get_length (part); i++)
            {
              const SatchelImapValue *child = satchel_imap_value_get_item (part, i);

              if (child->kind != SATCHEL_IMAP_VALUE_LIST)
                break;
              if (n < G_N_ELEMENTS (small))
                small[n++] = child;
              else
                {
                  if (large == NULL)
                    large = g_ptr_array_new ();
                  g_ptr_array_add (large, (gpointer) child);
                }
            }
          continue;
        }
      switch (part_kind (part))
        {
        case PART_ATTACHMENT:
          return TRUE;
        case PART_INLINE:
          inline_parts = TRUE;
          break;
        case PART_HTML:
          html = TRUE;
          break;
        case PART_TEXT:
        default:
          break;
        }
    }
  /* Inline parts with no HTML to show them are attachments. */
  return inline_parts && !html;
}

/* The message ids in a References header block as fetched with
 * BODY[HEADER.FIELDS (REFERENCES)]. */
static char *
parse_references (const char *header,
                  gsize       len)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *p = header;
  const char *end = header + len;

  while (p < end)
    {
      const char *open = memchr (p, '<', end - p);
      const char *close;

      if (open == NULL)
        break;
      close = memchr (open, '>', end - open);
      if (close == NULL)
        break;
      if (close - open < 998 && memchr (open, ' ', close - open) == NULL)
        {
          if (out->len > 0)
            g_string_append_c (out, ' ');
          g_string_append_len (out, open, close - open + 1);
        }
      p = close + 1;
    }
  if (out->len == 0)
    return NULL;
  return g_utf8_make_valid (out->str, out->len);
}

/**
 * satchel_imap_fetch_parse:
 * @response: an untagged "* n FETCH (...)"
 *
 * Returns: (transfer full) (nullable): what it says about the message
 */
SatchelImapFetch *
satchel_imap_fetch_parse (const SatchelImapResponse  *response,
                          GError                    **error)
{
  g_autoptr(SatchelImapFetch) fetch = g_new0 (SatchelImapFetch, 1);
  const SatchelImapValue *items;
  guint64 n;

  if (!satchel_imap_response_is_data (response, "FETCH") ||
      !satchel_imap_value_get_number (satchel_imap_value_get_item (response->data, 0),
                                      G_MAXUINT32, &n) || n == 0)
    {
      malformed (error, "message number");
      return NULL;
    }
  fetch->seq = n;

  items = satchel_imap_value_get_item (response->data, 2);
  if (items == NULL || items->kind != SATCHEL_IMAP_VALUE_LIST ||
      satchel_imap_value_get_length (items) % 2 != 0)
    {
      malformed (error, "item list");
      return NULL;
    }

  for (guint i = 0; i + 1 < satchel_imap_value_get_length (items); i += 2)
    {
      const SatchelImapValue *name = satchel_imap_value_get_item (items, i);
      const SatchelImapValue *value = satchel_imap_value_get_item (items, i + 1);
      const char *key = satchel_imap_value_get_text (name);

      if (key == NULL || name->kind != SATCHEL_IMAP_VALUE_ATOM)
        {
          malformed (error, "item name");
          return NULL;
        }

#define IS_ITEM(literal) (name->len == sizeof literal - 1 && g_ascii_strcasecmp (key, literal) == 0)
      if (IS_ITEM ("UID"))
        {
          if (!satchel_imap_value_get_number (value, G_MAXUINT32, &n) || n == 0)
            {
              malformed (error, "UID");
              return NULL;
            }
          fetch->uid = n;
          fetch->items |= SATCHEL_IMAP_FETCH_UID;
        }
      else if (IS_ITEM ("FLAGS"))
        {
          if (value->kind != SATCHEL_IMAP_VALUE_LIST)
            {
              malformed (error, "FLAGS");
              return NULL;
            }
          g_clear_pointer (&fetch->keywords, g_free);
          fetch->flags = satchel_imap_flags_parse (value, &fetch->keywords);
          fetch->items |= SATCHEL_IMAP_FETCH_FLAGS;
        }
      else if (IS_ITEM ("INTERNALDATE"))
        {
          if (!satchel_imap_parse_internaldate (satchel_imap_value_get_text (value),
                                                &fetch->internal_date))
            {
              malformed (error, "INTERNALDATE");
              return NULL;
            }
          fetch->items |= SATCHEL_IMAP_FETCH_INTERNALDATE;
        }
      else if (IS_ITEM ("RFC822.SIZE"))
        {
          if (!satchel_imap_value_get_number (value, G_MAXINT64, &fetch->size))
            {
              malformed (error, "RFC822.SIZE");
              return NULL;
            }
          fetch->items |= SATCHEL_IMAP_FETCH_SIZE;
        }
      else if (IS_ITEM ("MODSEQ"))
        {
          if (!satchel_imap_value_get_number (satchel_imap_value_get_item (value, 0),
                                              G_MAXINT64, &fetch->modseq))
            {
              malformed (error, "MODSEQ");
              return NULL;
            }
          fetch->items |= SATCHEL_IMAP_FETCH_MODSEQ;
        }
      else if (IS_ITEM ("ENVELOPE"))
        {
          if (!parse_envelope (fetch, value, error))
            return NULL;
        }
      else if (IS_ITEM ("BODYSTRUCTURE"))
        {
          if (value->kind != SATCHEL_IMAP_VALUE_LIST)
            {
              malformed (error, "BODYSTRUCTURE");
              return NULL;
            }
          fetch->has_attachments = has_attachments (value);
          fetch->items |= SATCHEL_IMAP_FETCH_BODYSTRUCTURE;
        }
      else if (IS_ITEM ("PREVIEW"))
        {
          const char *text = satchel_imap_value_get_text (value);

          g_clear_pointer (&fetch->preview, g_free);
          if (text != NULL)
            fetch->preview = g_utf8_make_valid (text, value->len);
          fetch->items |= SATCHEL_IMAP_FETCH_PREVIEW;
        }
      else if (g_ascii_strncasecmp (key, "BODY[HEADER.FIELDS", 18) == 0)
        {
          g_clear_pointer (&fetch->references, g_free);
          if (value->kind == SATCHEL_IMAP_VALUE_STRING)
            fetch->references = parse_references (value->text, value->len);
          fetch->items |= SATCHEL_IMAP_FETCH_REFERENCES;
        }
      else if (IS_ITEM ("BODY[]") || IS_ITEM ("BINARY[]"))
        {
          if (value->kind != SATCHEL_IMAP_VALUE_STRING)
            {
              malformed (error, "message body");
              return NULL;
            }
          g_clear_pointer (&fetch->body, g_bytes_unref);
          fetch->body = satchel_imap_value_dup_bytes (value);
          fetch->items |= SATCHEL_IMAP_FETCH_BODY;
        }
#undef IS_ITEM
    }

  return g_steal_pointer (&fetch);
}
