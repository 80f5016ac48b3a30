/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-search.c: what the user types in the search bar, as SQL
 *
 * Copyright 2026 The Satchel authors
 *
 * Words match anywhere in the full-text index (subject, addresses, cached
 * text), every word must match, and "quoted words" match as a phrase.
 * Operators narrow the search as in other mail clients:
 *
 *   from:ada   to:bob   subject:lunch   has:attachment
 *   is:unread  is:read  is:starred
 *
 * An operator's value may be quoted (from:"Ada Lovelace"). Nothing the
 * user types is read as FTS5 or SQL syntax: words become FTS5 strings,
 * addresses LIKE patterns with their wildcards escaped, both bound as
 * parameters.
 */

#include "config.h"

#include <string.h>

#include "satchel-search.h"

struct _SatchelSearch
{
  GString   *match;    /* FTS5 expression */
  GString   *where;    /* " AND ..." conditions on m */
  GPtrArray *params;   /* the LIKE patterns of where, in order */
  int        first;    /* the number of where's first parameter */
};

void
satchel_search_free (SatchelSearch *search)
{
  if (search == NULL)
    return;
  g_string_free (search->match, TRUE);
  g_string_free (search->where, TRUE);
  g_ptr_array_unref (search->params);
  g_free (search);
}

/* Appends @text as an FTS5 string: "..." with quotes doubled. */
static void
append_fts_string (GString    *out,
                   const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static char *
like_pattern (const char *text)
{
  GString *out = g_string_new ("%");

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '%');
  return g_string_free (out, FALSE);
}

/* The next term of @p: an optional "key:" and a value, which may be
 * quoted. Returns FALSE at the end. */
static gboolean
next_term (const char **p,
           char       **key,
           char       **value)
{
  const char *s = *p;
  const char *start;
  const char *colon;

  while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
    s++;
  if (*s == '\0')
    return FALSE;

  *key = NULL;
  start = s;
  while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '"' && *s != ':')
    s++;
  colon = *s == ':' ? s : NULL;
  if (colon != NULL && colon > start && colon[1] != '\0' && colon[1] != ' ')
    {
      *key = g_ascii_strdown (start, colon - start);
      s = colon + 1;
    }
  else
    s = start;

  if (*s == '"')
    {
      const char *end = strchr (s + 1, '"');

      if (end == NULL)
        end = s + strlen (s);
      *value = g_strndup (s + 1, end - s - 1);
      s = *end == '"' ? end + 1 : end;
    }
  else
    {
      start = s;
      while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
        s++;
      *value = g_strndup (start, s - start);
    }
  *p = s;
  return TRUE;
}

static void
add_words (SatchelSearch *search,
           const char    *column,
           const char    *value)
{
  if (value[0] == '\0')
    return;
  if (search->match->len > 0)
    g_string_append_c (search->match, ' ');
  if (column != NULL)
    g_string_append_printf (search->match, "%s : ", column);
  append_fts_string (search->match, value);
}

/* @condition: with "?" where the pattern goes */
static void
add_like (SatchelSearch *search,
          const char    *condition,
          const char    *value)
{
  const char *mark = strchr (condition, '?');

  g_string_append_printf (search->where, " AND %.*s?%u%s", (int) (mark - condition), condition,
                          search->first + search->params->len, mark + 1);
  g_ptr_array_add (search->params, like_pattern (value));
}

/**
 * satchel_search_parse:
 * @first_param: the number that the conditions' first parameter takes
 *   in the statement (?NNN)
 *
 * Returns: (transfer full): @query as conditions
 */
SatchelSearch *
satchel_search_parse (const char *query,
                      int         first_param)
{
  SatchelSearch *search = g_new0 (SatchelSearch, 1);
  const char *p = query != NULL ? query : "";
  char *key, *value;

  search->match = g_string_new (NULL);
  search->where = g_string_new (NULL);
  search->params = g_ptr_array_new_with_free_func (g_free);
  search->first = first_param;

  while (next_term (&p, &key, &value))
    {
      g_autofree char *k = key;
      g_autofree char *v = value;
      g_autofree char *lower = g_ascii_strdown (v, -1);

      if (g_strcmp0 (k, "from") == 0)
        add_like (search, "m.sender LIKE ? ESCAPE '\\'", v);
      else if (g_strcmp0 (k, "to") == 0)
        {
          add_like (search, "(m.recipients_to || ' ' || m.recipients_cc) LIKE ? ESCAPE '\\'", v);
        }
      else if (g_strcmp0 (k, "subject") == 0)
        add_words (search, "subject", v);
      else if (g_strcmp0 (k, "has") == 0 && g_str_equal (lower, "attachment"))
        g_string_append (search->where, " AND m.has_attachments = 1");
      else if (g_strcmp0 (k, "is") == 0 && g_str_equal (lower, "unread"))
        g_string_append_printf (search->where, " AND (m.flags & %d) = 0", SATCHEL_FLAG_SEEN);
      else if (g_strcmp0 (k, "is") == 0 && g_str_equal (lower, "read"))
        g_string_append_printf (search->where, " AND (m.flags & %d) != 0", SATCHEL_FLAG_SEEN);
      else if (g_strcmp0 (k, "is") == 0 &&
               (g_str_equal (lower, "starred") || g_str_equal (lower, "flagged")))
        g_string_append_printf (search->where, " AND (m.flags & %d) != 0", SATCHEL_FLAG_FLAGGED);
      else if (k != NULL)
        {
          /* Not an operator: the words, colon and all. */
          g_autofree char *words = g_strconcat (k, ":", v, NULL);

          add_words (search, NULL, words);
        }
      else
        add_words (search, NULL, v);
    }
  return search;
}

/**
 * satchel_search_is_empty:
 *
 * Returns: whether the query asks for nothing (only blanks)
 */
gboolean
satchel_search_is_empty (const SatchelSearch *search)
{
  return search->match->len == 0 && search->where->len == 0;
}

/* The FTS5 expression, or NULL when the query has no words. */
const char *
satchel_search_get_match (const SatchelSearch *search)
{
  return search->match->len > 0 ? search->match->str : NULL;
}

/* " AND ..." conditions on the message table "m". */
const char *
satchel_search_get_where (const SatchelSearch *search)
{
  return search->where->str;
}

/**
 * satchel_search_bind:
 *
 * Binds the where conditions' parameters to @stmt.
 */
void
satchel_search_bind (const SatchelSearch *search,
                     sqlite3_stmt        *stmt)
{
  for (guint i = 0; i < search->params->len; i++)
    sqlite3_bind_text (stmt, search->first + (int) i, g_ptr_array_index (search->params, i), -1,
                       SQLITE_TRANSIENT);
}

void
satchel_search_term_free (SatchelSearchTerm *term)
{
  if (term == NULL)
    return;
  g_free (term->key);
  g_free (term->value);
  g_free (term);
}

/**
 * satchel_search_terms:
 *
 * Returns: (transfer full) (element-type SatchelSearchTerm): the terms of
 *   @query as the user wrote them: a key in lower case ("from", "is", ...)
 *   or NULL for words, and the value
 */
GPtrArray *
satchel_search_terms (const char *query)
{
  GPtrArray *terms = g_ptr_array_new_with_free_func ((GDestroyNotify) satchel_search_term_free);
  const char *p = query != NULL ? query : "";
  char *key, *value;

  while (next_term (&p, &key, &value))
    {
      SatchelSearchTerm *term = g_new0 (SatchelSearchTerm, 1);

      term->key = key;
      term->value = value;
      if (term->value[0] == '\0')
        satchel_search_term_free (term);
      else
        g_ptr_array_add (terms, term);
    }
  return terms;
}
