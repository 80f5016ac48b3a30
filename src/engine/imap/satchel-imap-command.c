/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-imap-command.c: an IMAP command and how it goes on the wire
 *
 * Copyright 2026 The Satchel authors
 *
 * Each argument is written in the simplest form that carries it: an atom
 * when it is one, else a quoted string, else a literal (anything with CR,
 * LF, NUL or 8-bit bytes). Without LITERAL+ a literal is synchronizing:
 * serialize() splits the command there, and the session sends the next
 * part only after the server's continuation.
 */

#include "config.h"

#include <string.h>

#include "satchel-imap-command.h"

typedef enum
{
  ARG_RAW,
  ARG_LITERAL,
  ARG_CONTINUATION,
} ArgKind;

typedef struct
{
  ArgKind  kind;
  GBytes  *bytes;
} Arg;

struct _SatchelImapCommand
{
  char      *name;
  GArray    *args;      /* Arg */
  GPtrArray *collect;   /* names of untagged responses that answer it */
};

static void
arg_clear (Arg *arg)
{
  g_clear_pointer (&arg->bytes, g_bytes_unref);
}

SatchelImapCommand *
satchel_imap_command_new (const char *name)
{
  SatchelImapCommand *self = g_new0 (SatchelImapCommand, 1);

  self->name = g_strdup (name);
  self->args = g_array_new (FALSE, TRUE, sizeof (Arg));
  g_array_set_clear_func (self->args, (GDestroyNotify) arg_clear);
  self->collect = g_ptr_array_new_with_free_func (g_free);
  return self;
}

void
satchel_imap_command_free (SatchelImapCommand *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_array_unref (self->args);
  g_ptr_array_unref (self->collect);
  g_free (self);
}

const char *
satchel_imap_command_get_name (SatchelImapCommand *self)
{
  return self->name;
}

static void
add_arg (SatchelImapCommand *self,
         ArgKind             kind,
         const char         *data,
         gsize               len)
{
  Arg arg = { kind, g_bytes_new (data, len) };

  g_array_append_val (self->args, arg);
}

/* An atom as the caller wrote it: a sequence set, a flag list, a keyword. */
void
satchel_imap_command_add_atom (SatchelImapCommand *self,
                               const char         *atom)
{
  add_arg (self, ARG_RAW, atom, strlen (atom));
}

static gboolean
is_astring_atom (const char *text,
                 gsize       len)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      guchar c = text[i];

      if (c <= 0x20 || c >= 0x7f || strchr ("(){%*\"\\", c) != NULL)
        return FALSE;
    }
  return TRUE;
}

static gboolean
can_quote (const char *text,
           gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      guchar c = text[i];

      if (c == '\r' || c == '\n' || c == '\0' || c >= 0x80)
        return FALSE;
    }
  return TRUE;
}

/* A string argument, always quoted or literal. */
void
satchel_imap_command_add_string (SatchelImapCommand *self,
                                 const char         *text,
                                 gssize              len)
{
  g_autoptr(GString) quoted = NULL;
  gsize n = len < 0 ? strlen (text) : (gsize) len;

  if (!can_quote (text, n))
    {
      add_arg (self, ARG_LITERAL, text, n);
      return;
    }
  quoted = g_string_sized_new (n + 2);
  g_string_append_c (quoted, '"');
  for (gsize i = 0; i < n; i++)
    {
      if (text[i] == '"' || text[i] == '\\')
        g_string_append_c (quoted, '\\');
      g_string_append_c (quoted, text[i]);
    }
  g_string_append_c (quoted, '"');
  add_arg (self, ARG_RAW, quoted->str, quoted->len);
}

/* Bytes that go as a literal whatever they hold: a message to APPEND. */
void
satchel_imap_command_add_literal (SatchelImapCommand *self,
                                  const char         *data,
                                  gsize               len)
{
  add_arg (self, ARG_LITERAL, data, len);
}

/* An astring: an atom when it can be one, else a string. */
void
satchel_imap_command_add_astring (SatchelImapCommand *self,
                                  const char         *text,
                                  gssize              len)
{
  gsize n = len < 0 ? strlen (text) : (gsize) len;

  if (is_astring_atom (text, n))
    add_arg (self, ARG_RAW, text, n);
  else
    satchel_imap_command_add_string (self, text, n);
}

/* A mailbox name, in its wire form (modified UTF-7, or UTF-8 once
 * UTF8=ACCEPT is enabled). */
void
satchel_imap_command_add_mailbox (SatchelImapCommand *self,
                                  const char         *wire_name,
                                  gssize              len)
{
  satchel_imap_command_add_astring (self, wire_name, len);
}

/* A line sent only after the server's continuation, as the client's part
 * of AUTHENTICATE. */
void
satchel_imap_command_add_continuation (SatchelImapCommand *self,
                                       const char         *line)
{
  add_arg (self, ARG_CONTINUATION, line, strlen (line));
}

/* Untagged responses named @response_name that arrive while the command
 * runs are its answer (LIST for LIST, FETCH for UID FETCH, ...). */
void
satchel_imap_command_collect (SatchelImapCommand *self,
                              const char         *response_name)
{
  g_ptr_array_add (self->collect, g_strdup (response_name));
}

gboolean
satchel_imap_command_collects (SatchelImapCommand *self,
                               const char         *response_name)
{
  for (guint i = 0; i < self->collect->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (self->collect, i), response_name) == 0)
      return TRUE;
  return FALSE;
}

/**
 * satchel_imap_command_serialize:
 *
 * Returns: (transfer full): the bytes to send (GBytes); between two of them
 *   the server's continuation ("+") must come first
 */
GPtrArray *
satchel_imap_command_serialize (SatchelImapCommand *self,
                                const char         *tag,
                                gboolean            literal_plus)
{
  GPtrArray *parts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  GString *current = g_string_new (tag);

  g_string_append_c (current, ' ');
  g_string_append (current, self->name);
  for (guint i = 0; i < self->args->len; i++)
    {
      Arg *arg = &g_array_index (self->args, Arg, i);
      gsize len;
      const char *data = g_bytes_get_data (arg->bytes, &len);

      if (arg->kind == ARG_CONTINUATION)
        {
          g_string_append (current, "\r\n");
          g_ptr_array_add (parts, g_string_free_to_bytes (current));
          current = g_string_new (NULL);
          g_string_append_len (current, data, len);
          continue;
        }
      g_string_append_c (current, ' ');
      if (arg->kind == ARG_RAW)
        {
          g_string_append_len (current, data, len);
          continue;
        }
      g_string_append_printf (current, "{%" G_GSIZE_FORMAT "%s}\r\n", len,
                              literal_plus ? "+" : "");
      if (!literal_plus)
        {
          g_ptr_array_add (parts, g_string_free_to_bytes (current));
          current = g_string_new (NULL);
        }
      g_string_append_len (current, data, len);
    }
  g_string_append (current, "\r\n");
  g_ptr_array_add (parts, g_string_free_to_bytes (current));
  return parts;
}
