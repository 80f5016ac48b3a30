/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-indexer.c: the text of cached bodies into the full-text index
 *
 * Copyright 2026 The Satchel authors
 *
 * A sync stores raw bodies as fast as they come; reading their text out
 * of the MIME structure (GMime) and indexing it costs several times more
 * than fetching them, so it happens afterwards, a batch per transaction:
 * in the application's writer thread when a sync is done, and in
 * satchel-cli before a search. Messages without a preview get one from
 * their text here, and messages synced without References (IMAP) get
 * them, and with them their place in a conversation.
 */

#include "config.h"

#include <string.h>

#include "mime/satchel-mime.h"
#include "satchel-indexer.h"
#include "store/satchel-store-mail.h"

#define MAX_INDEXED_TEXT (256 * 1024)
#define PREVIEW_CHARS    200
#define BATCH            200

/* The first words of @text, on one line, quoted lines left out. */
static char *
preview_of (const char *text)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  glong chars = 0;

  for (guint i = 0; lines[i] != NULL && chars < PREVIEW_CHARS; i++)
    {
      const char *line = g_strchug (lines[i]);

      if (line[0] == '>')
        continue;
      for (const char *p = line; *p != '\0' && chars < PREVIEW_CHARS; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);

          if (g_unichar_isspace (c))
            {
              if (out->len > 0 && out->str[out->len - 1] != ' ')
                {
                  g_string_append_c (out, ' ');
                  chars++;
                }
              continue;
            }
          g_string_append_unichar (out, c);
          chars++;
        }
      if (out->len > 0 && out->str[out->len - 1] != ' ')
        {
          g_string_append_c (out, ' ');
          chars++;
        }
    }
  while (out->len > 0 && out->str[out->len - 1] == ' ')
    g_string_truncate (out, out->len - 1);
  if (out->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * satchel_index_bodies:
 * @limit: the most bodies to index, in one transaction
 *
 * Returns: how many were indexed (0: none was waiting), or -1 on error
 */
gint
satchel_index_bodies (SatchelStore  *store,
                      guint          limit,
                      GError       **error)
{
  g_autoptr(GPtrArray) bodies = NULL;
  gboolean ok = TRUE;

  if (!satchel_store_begin (store, error))
    return -1;
  bodies = satchel_store_bodies_to_index (store, limit, error);
  if (bodies == NULL)
    {
      satchel_store_rollback (store);
      return -1;
    }
  for (guint i = 0; ok && i < bodies->len; i++)
    {
      SatchelBodyToIndex *body = g_ptr_array_index (bodies, i);
      g_autoptr(GMimeMessage) message = satchel_mime_parse (body->raw);
      g_autofree char *text = NULL;
      g_autofree char *preview = NULL;

      if (message != NULL)
        {
          const char *references = g_mime_object_get_header (GMIME_OBJECT (message),
                                                             "References");

          text = satchel_mime_get_text (message, MAX_INDEXED_TEXT);
          if (references != NULL)
            ok = satchel_store_set_references (store, body->message_id, references, error);
        }
      if (text != NULL && body->wants_preview)
        preview = preview_of (text);
      ok = ok && satchel_store_set_body_text (store, body->message_id, text, preview, error);
    }
  if (!ok)
    {
      satchel_store_rollback (store);
      return -1;
    }
  if (!satchel_store_commit (store, error))
    return -1;
  return bodies->len;
}

/**
 * satchel_index_all_bodies:
 * @indexed: (out) (optional): how many were indexed
 *
 * Indexes every cached body that waits, a batch at a time.
 */
gboolean
satchel_index_all_bodies (SatchelStore  *store,
                          guint         *indexed,
                          GError       **error)
{
  guint total = 0;
  gint n;

  while ((n = satchel_index_bodies (store, BATCH, error)) > 0)
    total += n;
  if (indexed != NULL)
    *indexed = total;
  return n == 0;
}

/* A store-writer job: one batch. Returns GINT_TO_POINTER (count + 1). */
gpointer
satchel_job_index_bodies (SatchelStore  *store,
                          gpointer       data,
                          GError       **error)
{
  gint n = satchel_index_bodies (store, BATCH, error);

  return n < 0 ? NULL : GINT_TO_POINTER (n + 1);
}
