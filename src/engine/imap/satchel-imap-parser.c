/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-imap-parser.c: a streaming parser of IMAP server responses
 *
 * Copyright 2026 The Satchel authors
 *
 * The session feeds the parser one line at a time (without its CRLF); a
 * line that ends in a literal marker ({n}, {n+} or ~{n}) asks for n bytes,
 * which the session reads and feeds, and then for the line that continues
 * the response. Values are built as they arrive, on an explicit stack.
 *
 * Every input is hostile: a literal is at most max_literal bytes, a whole
 * response at most max_response bytes; a number that does not fit is an
 * error, not a wrap-around. Lists nest at most max_depth deep: a list
 * deeper than that is read to its end and kept as NIL. Real servers send
 * such lists (Dovecot's BODYSTRUCTURE of a message whose MIME parts nest
 * thousands deep), and refusing the whole response would make one message
 * stop the sync of its folder for good.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "net/satchel-net-error.h"
#include "satchel-imap-parser.h"

/* The most memory the values of one response may take. The text is
 * bounded, but "()" is two bytes of it and some 60 of values: a million
 * lines of them, joined by empty literals, would take gigabytes. The
 * largest real response, a SEARCH of a million UIDs on one 8 MB line,
 * takes about 64 MiB. */
#define MAX_VALUES_SIZE (80 * 1024 * 1024)

typedef struct
{
  SatchelImapValue *list;
  guint             first;   /* where its items start in scratch */
} OpenList;

struct _SatchelImapParser
{
  guint                max_depth;
  guint64              max_literal;
  guint64              max_response;

  SatchelImapResponse *response;
  GArray              *open;         /* OpenList, the innermost last */
  SatchelImapValue   **scratch;      /* items of the open lists; borrowed */
  guint                n_scratch;
  guint                scratch_size;
  guint64              size;         /* bytes of the response so far */
  guint64              literal_size;
  gboolean             want_literal;
  guint64              skip_depth;   /* > 0: inside a list too deep to keep */
};

static gboolean
fail (GError    **error,
      const char *why)
{
  g_set_error (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
               _("The server sent a malformed response (%s)."), why);
  return FALSE;
}

SatchelImapParser *
satchel_imap_parser_new (void)
{
  SatchelImapParser *self = g_new0 (SatchelImapParser, 1);

  self->max_depth = SATCHEL_IMAP_PARSER_DEFAULT_MAX_DEPTH;
  self->max_literal = SATCHEL_IMAP_PARSER_DEFAULT_MAX_LITERAL;
  self->max_response = SATCHEL_IMAP_PARSER_DEFAULT_MAX_RESPONSE;
  self->open = g_array_new (FALSE, FALSE, sizeof (OpenList));
  return self;
}

void
satchel_imap_parser_reset (SatchelImapParser *self)
{
  g_clear_pointer (&self->response, satchel_imap_response_free);
  g_array_set_size (self->open, 0);
  self->n_scratch = 0;
  self->size = 0;
  self->literal_size = 0;
  self->want_literal = FALSE;
  self->skip_depth = 0;
}

void
satchel_imap_parser_free (SatchelImapParser *self)
{
  if (self == NULL)
    return;
  satchel_imap_parser_reset (self);
  g_array_unref (self->open);
  g_free (self->scratch);
  g_free (self);
}

void
satchel_imap_parser_set_limits (SatchelImapParser *self,
                                guint              max_depth,
                                guint64            max_literal,
                                guint64            max_response)
{
  self->max_depth = max_depth;
  self->max_literal = max_literal;
  self->max_response = max_response;
}

/* The whole response, once a feed said DONE. */
SatchelImapResponse *
satchel_imap_parser_take (SatchelImapParser *self)
{
  SatchelImapResponse *response = g_steal_pointer (&self->response);

  satchel_imap_parser_reset (self);
  return response;
}

static gboolean
is_atom_char (char c)
{
  /* ATOM-CHAR, but with the list wildcards and the flag backslash that
   * mailbox names and flags use; brackets are handled by the caller. */
  return (guchar) c > 0x20 && (guchar) c < 0x7f && c != '(' && c != ')' && c != '{' &&
         c != '"' && c != ']';
}

static gboolean
is_status (const char *word,
           gsize       len,
           SatchelImapStatus *status)
{
  static const struct { const char *name; SatchelImapStatus status; } names[] = {
    { "OK", SATCHEL_IMAP_STATUS_OK },
    { "NO", SATCHEL_IMAP_STATUS_NO },
    { "BAD", SATCHEL_IMAP_STATUS_BAD },
    { "PREAUTH", SATCHEL_IMAP_STATUS_PREAUTH },
    { "BYE", SATCHEL_IMAP_STATUS_BYE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strlen (names[i].name) == len && g_ascii_strncasecmp (word, names[i].name, len) == 0)
      {
        *status = names[i].status;
        return TRUE;
      }
  return FALSE;
}

static SatchelImapArena *
arena (SatchelImapParser *self)
{
  return self->response->arena;
}

static void
add_value (SatchelImapParser *self,
           SatchelImapValue  *value)
{
  /* Every value goes through here: a GPtrArray's call costs as much as
   * the rest of it. */
  if (G_UNLIKELY (self->n_scratch == self->scratch_size))
    {
      self->scratch_size = MAX (64, self->scratch_size * 2);
      self->scratch = g_renew (SatchelImapValue *, self->scratch, self->scratch_size);
    }
  self->scratch[self->n_scratch++] = value;
}

static void
open_list (SatchelImapParser *self,
           SatchelImapValue  *list)
{
  OpenList open = { list, self->n_scratch };

  g_array_append_val (self->open, open);
}

/* The innermost list is complete: its items move to the arena. */
static void
close_list (SatchelImapParser *self)
{
  OpenList *open = &g_array_index (self->open, OpenList, self->open->len - 1);
  guint n = self->n_scratch - open->first;

  open->list->n_items = n;
  if (n > 0)
    {
      open->list->items = satchel_imap_arena_alloc (arena (self), n * sizeof (SatchelImapValue *));
      memcpy (open->list->items, self->scratch + open->first,
              n * sizeof (SatchelImapValue *));
    }
  self->n_scratch = open->first;
  g_array_set_size (self->open, self->open->len - 1);
}

static SatchelImapValue *
new_value (SatchelImapParser    *self,
           SatchelImapValueKind  kind,
           const char           *text,
           gsize                 len)
{
  return satchel_imap_value_new (arena (self), kind, text, len);
}

/* A literal marker, "{123}", "{123+}" or "~{123}", ending the line at
 * *pos. */
static gboolean
parse_literal_marker (SatchelImapParser  *self,
                      const char         *line,
                      gsize               len,
                      gsize              *pos,
                      GError            **error)
{
  gsize p = *pos;
  guint64 n = 0;
  gsize digits = 0;

  if (line[p] == '~')
    p++;
  if (p >= len || line[p] != '{')
    return fail (error, "bad literal");
  p++;
  while (p < len && g_ascii_isdigit (line[p]))
    {
      guint d = line[p] - '0';

      if (n > (G_MAXUINT64 - d) / 10)
        return fail (error, "literal size out of range");
      n = n * 10 + d;
      digits++;
      p++;
    }
  if (p < len && line[p] == '+')
    p++;
  if (digits == 0 || p >= len || line[p] != '}' || p + 1 != len)
    return fail (error, "bad literal");
  if (n > self->max_literal)
    {
      g_set_error (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
                   _("The server announced %llu bytes of data at once, more "
                     "than Satchel accepts (%llu)."),
                   (unsigned long long) n, (unsigned long long) self->max_literal);
      return FALSE;
    }
  if (self->size + n > self->max_response)
    return fail (error, "response too large");
  self->literal_size = n;
  self->want_literal = TRUE;
  *pos = len;
  return TRUE;
}

/* Reads over the inside of a list nested too deep to keep, from
 * line[*pos]: to its closing parenthesis, or to the end of the line (a
 * literal in it is read and dropped). Strings are read as strings, so
 * that a parenthesis in one does not count. */
static gboolean
skip_deep (SatchelImapParser  *self,
           const char         *line,
           gsize               len,
           gsize              *pos,
           GError            **error)
{
  gsize p = *pos;

  while (p < len && self->skip_depth > 0)
    {
      char c = line[p];

      if (c == '(')
        {
          self->skip_depth++;
          p++;
        }
      else if (c == ')')
        {
          self->skip_depth--;
          p++;
        }
      else if (c == '"')
        {
          for (p++; p < len && line[p] != '"'; p++)
            if (line[p] == '\\' && p + 1 < len)
              p++;
          if (p >= len)
            return fail (error, "unterminated string");
          p++;
        }
      else if (c == '{' || (c == '~' && p + 1 < len && line[p + 1] == '{'))
        {
          *pos = p;
          return parse_literal_marker (self, line, len, pos, error);
        }
      else
        {
          p++;
        }
    }
  *pos = p;
  return TRUE;
}

/* Parses values from line[*pos] to the end of the line into the open
 * lists. */
static gboolean
parse_values (SatchelImapParser  *self,
              const char         *line,
              gsize               len,
              gsize               pos,
              GError            **error)
{
  while (pos < len)
    {
      char c = line[pos];

      if (self->skip_depth > 0)
        {
          if (!skip_deep (self, line, len, &pos, error))
            return FALSE;
        }
      else if (c == ' ')
        {
          pos++;
        }
      else if (c == '(' && self->open->len > self->max_depth)
        {
          /* Too deep: what the list held is left out, NIL stands for it. */
          add_value (self, new_value (self, SATCHEL_IMAP_VALUE_NIL, NULL, 0));
          self->skip_depth = 1;
          pos++;
        }
      else if (c == '(')
        {
          SatchelImapValue *list;

          list = new_value (self, SATCHEL_IMAP_VALUE_LIST, NULL, 0);
          add_value (self, list);
          open_list (self, list);
          pos++;
        }
      else if (c == ')')
        {
          if (self->open->len <= 1)
            return fail (error, "unbalanced parenthesis");
          close_list (self);
          pos++;
        }
      else if (c == '"')
        {
          gsize start = ++pos;
          gboolean escaped = FALSE;
          SatchelImapValue *value;

          while (pos < len && line[pos] != '"')
            {
              if (line[pos] == '\\' && pos + 1 < len)
                {
                  escaped = TRUE;
                  pos++;
                }
              pos++;
            }
          if (pos >= len)
            return fail (error, "unterminated string");
          value = new_value (self, SATCHEL_IMAP_VALUE_STRING, line + start, pos - start);
          pos++;
          if (escaped)
            {
              /* Drop the backslashes, in place: the text only shrinks. */
              gsize out = 0;

              for (gsize i = 0; i < value->len; i++)
                {
                  if (value->text[i] == '\\' && i + 1 < value->len)
                    i++;
                  value->text[out++] = value->text[i];
                }
              value->text[out] = '\0';
              value->len = out;
            }
          add_value (self, value);
        }
      else if (c == '{' || (c == '~' && pos + 1 < len && line[pos + 1] == '{'))
        {
          return parse_literal_marker (self, line, len, &pos, error);
        }
      else if (is_atom_char (c) || c == '[')
        {
          gsize start = pos;
          int brackets = 0;

          /* BODY[HEADER.FIELDS (A B)]<0> is one atom: inside brackets,
           * spaces and parentheses belong to it. */
          while (pos < len)
            {
              char a = line[pos];

              if (a == '[')
                brackets++;
              else if (a == ']' && brackets > 0)
                brackets--;
              else if (brackets == 0 && !is_atom_char (a))
                break;
              else if (brackets > 0 && (a == '\r' || a == '\n' || a == '\0'))
                return fail (error, "bad section");
              pos++;
            }
          if (brackets != 0)
            return fail (error, "unclosed bracket");
          if (pos - start == 3 && (line[start] | 0x20) == 'n' && (line[start + 1] | 0x20) == 'i' &&
              (line[start + 2] | 0x20) == 'l')
            add_value (self, new_value (self, SATCHEL_IMAP_VALUE_NIL, NULL, 0));
          else
            add_value (self, new_value (self, SATCHEL_IMAP_VALUE_ATOM, line + start, pos - start));
        }
      else
        {
          return fail (error, "unexpected character");
        }
    }
  return TRUE;
}

static char *
rest_of_line (const char *line,
              gsize       len,
              gsize       pos)
{
  if (pos < len && line[pos] == ' ')
    pos++;
  if (pos >= len)
    return g_strdup ("");
  return g_utf8_make_valid (line + pos, len - pos);
}

/* "[CODE args] text" of a status response, from line[pos]. */
static gboolean
parse_status_rest (SatchelImapParser  *self,
                   const char         *line,
                   gsize               len,
                   gsize               pos,
                   GError            **error)
{
  SatchelImapResponse *response = self->response;

  if (pos < len && line[pos] == ' ')
    pos++;
  if (pos < len && line[pos] == '[')
    {
      const char *end = memchr (line + pos, ']', len - pos);
      gsize code_end;

      if (end == NULL)
        return fail (error, "unclosed response code");
      code_end = end - line;
      response->code = new_value (self, SATCHEL_IMAP_VALUE_LIST, NULL, 0);
      open_list (self, response->code);
      if (!parse_values (self, line + pos + 1, code_end - pos - 1, 0, error))
        return FALSE;
      if (self->want_literal || self->open->len != 1 || self->skip_depth > 0)
        return fail (error, "bad response code");
      close_list (self);
      pos = code_end + 1;
    }
  response->text = rest_of_line (line, len, pos);
  return TRUE;
}

static gboolean
start_response (SatchelImapParser  *self,
                const char         *line,
                gsize               len,
                GError            **error)
{
  SatchelImapResponse *response = g_new0 (SatchelImapResponse, 1);
  gsize pos = 0;
  gsize word;

  /* A short response takes up to 16 bytes of values for each byte of its
   * text (a value is 48 bytes, for an atom of a few characters); the
   * arena's first block fits that, so that many small responses stay
   * small. */
  response->arena = satchel_imap_arena_new_sized (len * 16 + 64);
  self->response = response;

  if (len >= 1 && line[0] == '+')
    {
      response->kind = SATCHEL_IMAP_RESPONSE_CONTINUATION;
      response->text = rest_of_line (line, len, 1);
      return TRUE;
    }

  if (len >= 2 && line[0] == '*' && line[1] == ' ')
    {
      response->kind = SATCHEL_IMAP_RESPONSE_UNTAGGED;
      pos = 2;
    }
  else
    {
      while (pos < len && is_atom_char (line[pos]) && line[pos] != '+')
        pos++;
      if (pos == 0 || pos >= len || line[pos] != ' ')
        return fail (error, "no tag");
      response->kind = SATCHEL_IMAP_RESPONSE_TAGGED;
      response->tag = g_strndup (line, pos);
      pos++;
    }

  for (word = pos; word < len && line[word] != ' ' && line[word] != '['; word++)
    ;
  if (is_status (line + pos, word - pos, &response->status))
    {
      if (response->kind == SATCHEL_IMAP_RESPONSE_TAGGED &&
          (response->status == SATCHEL_IMAP_STATUS_PREAUTH ||
           response->status == SATCHEL_IMAP_STATUS_BYE))
        return fail (error, "tagged PREAUTH or BYE");
      return parse_status_rest (self, line, len, word, error);
    }
  if (response->kind == SATCHEL_IMAP_RESPONSE_TAGGED)
    return fail (error, "tagged response without status");

  response->data = new_value (self, SATCHEL_IMAP_VALUE_LIST, NULL, 0);
  open_list (self, response->data);
  return parse_values (self, line, len, pos, error);
}

static gboolean
finish_line (SatchelImapParser      *self,
             SatchelImapParseState  *state,
             guint64                *literal_size,
             GError                **error)
{
  if (self->want_literal)
    {
      *state = SATCHEL_IMAP_PARSE_NEED_LITERAL;
      if (literal_size != NULL)
        *literal_size = self->literal_size;
      return TRUE;
    }
  if (self->open->len > 1 || self->skip_depth > 0)
    return fail (error, "unclosed list");
  if (self->open->len == 1)
    close_list (self);
  *state = SATCHEL_IMAP_PARSE_DONE;
  return TRUE;
}

/**
 * satchel_imap_parser_feed_line:
 * @line: a line as received, without CRLF
 * @state: (out): DONE (take the response) or NEED_LITERAL
 * @literal_size: (out) (optional): with NEED_LITERAL, how many bytes
 *
 * On error the parser is reset; the response so far is dropped.
 */
gboolean
satchel_imap_parser_feed_line (SatchelImapParser      *self,
                               const char             *line,
                               gsize                   len,
                               SatchelImapParseState  *state,
                               guint64                *literal_size,
                               GError                **error)
{
  gboolean ok;

  g_return_val_if_fail (!self->want_literal, FALSE);

  self->size += len + 2;
  if (self->size > self->max_response)
    {
      satchel_imap_parser_reset (self);
      return fail (error, "response too large");
    }

  if (self->response == NULL)
    ok = start_response (self, line, len, error);
  else
    ok = parse_values (self, line, len, 0, error);

  if (ok && satchel_imap_arena_get_size (self->response->arena) > MAX_VALUES_SIZE)
    ok = fail (error, "response too large");
  if (ok)
    ok = finish_line (self, state, literal_size, error);
  if (!ok)
    satchel_imap_parser_reset (self);
  return ok;
}

/**
 * satchel_imap_parser_feed_literal:
 * @state: (out): NEED_LINE: the response goes on in the next line
 *
 * Gives the bytes that the last line's literal announced.
 */
gboolean
satchel_imap_parser_feed_literal (SatchelImapParser      *self,
                                  const char             *data,
                                  gsize                   len,
                                  SatchelImapParseState  *state,
                                  GError                **error)
{
  g_return_val_if_fail (self->want_literal, FALSE);

  if (len != self->literal_size)
    {
      satchel_imap_parser_reset (self);
      return fail (error, "literal of the wrong size");
    }
  self->size += len;
  self->want_literal = FALSE;
  if (self->skip_depth == 0)
    add_value (self, new_value (self, SATCHEL_IMAP_VALUE_STRING, data, len));
  *state = SATCHEL_IMAP_PARSE_NEED_LINE;
  return TRUE;
}

/**
 * satchel_imap_parser_feed_literal_bytes:
 * @bytes: the literal, with a NUL after its end (see
 *   satchel_connection_try_read_bytes())
 *
 * As satchel_imap_parser_feed_literal(), keeping @bytes instead of copying
 * them: a large body is held once.
 */
gboolean
satchel_imap_parser_feed_literal_bytes (SatchelImapParser      *self,
                                        GBytes                 *bytes,
                                        SatchelImapParseState  *state,
                                        GError                **error)
{
  gsize len = g_bytes_get_size (bytes);

  g_return_val_if_fail (self->want_literal, FALSE);

  if (len != self->literal_size)
    {
      satchel_imap_parser_reset (self);
      return fail (error, "literal of the wrong size");
    }
  self->size += len;
  self->want_literal = FALSE;
  if (self->skip_depth == 0)
    add_value (self, satchel_imap_value_new_bytes (arena (self), bytes));
  *state = SATCHEL_IMAP_PARSE_NEED_LINE;
  return TRUE;
}

/* Whether the last line asked for a literal, and its size. */
gboolean
satchel_imap_parser_wants_literal (SatchelImapParser *self,
                                   guint64           *size)
{
  if (self->want_literal && size != NULL)
    *size = self->literal_size;
  return self->want_literal;
}

/**
 * satchel_imap_parse_response:
 * @text: one response as on the wire: lines ending in CRLF, literals
 *   inline
 *
 * For tests and fuzzing: parses exactly one response from @text.
 *
 * Returns: (transfer full) (nullable): the response
 */
SatchelImapResponse *
satchel_imap_parse_response (const char  *text,
                             gsize        len,
                             GError     **error)
{
  g_autoptr(SatchelImapParser) parser = satchel_imap_parser_new ();
  SatchelImapParseState state = SATCHEL_IMAP_PARSE_NEED_LINE;
  gsize pos = 0;

  while (pos <= len)
    {
      const char *eol = memchr (text + pos, '\n', len - pos);
      gsize line_len = (eol != NULL ? (gsize) (eol - text) : len) - pos;
      guint64 literal = 0;

      if (line_len > 0 && text[pos + line_len - 1] == '\r')
        line_len--;
      if (!satchel_imap_parser_feed_line (parser, text + pos, line_len, &state, &literal, error))
        return NULL;
      pos = eol != NULL ? (gsize) (eol - text) + 1 : len + 1;
      if (state == SATCHEL_IMAP_PARSE_DONE)
        return satchel_imap_parser_take (parser);

      if (literal > len - MIN (pos, len))
        {
          fail (error, "truncated literal");
          return NULL;
        }
      if (!satchel_imap_parser_feed_literal (parser, text + pos, literal, &state, error))
        return NULL;
      pos += literal;
    }
  fail (error, "truncated response");
  return NULL;
}
