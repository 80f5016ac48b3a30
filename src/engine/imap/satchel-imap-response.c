/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-imap-response.c: IMAP responses and the values in them
 *
 * Copyright 2026 The Satchel authors
 */

#include "config.h"

#include <string.h>

#include "satchel-imap-response.h"

/* The first block comes with the arena itself: most responses (a FETCH
 * of headers is about 4 KiB of values) need no other allocation. A
 * response known to be short gets a smaller one (see
 * satchel_imap_arena_new_sized()). */
#define FIRST_BLOCK (4 * 1024)
#define SMALLEST_FIRST_BLOCK 256
#define MAX_BLOCK   (64 * 1024)
#define LARGE_ALLOC (2 * 1024)

typedef struct _Block Block;

struct _Block
{
  Block  *next;
  guint64 data[];   /* 8-byte aligned */
};

struct _SatchelImapArena
{
  Block     *blocks;   /* those allocated after the first */
  guint8    *next;
  gsize      left;
  GPtrArray *bytes;    /* GBytes of large literals */
  gsize      block;    /* the size of the next block */
  gsize      size;     /* bytes allocated for values: the arena and its blocks */
  guint64    first[];  /* the first block */
};

/**
 * satchel_imap_arena_new_sized:
 * @first_block: the size of the block that comes with the arena; rounded
 *   up to 256 bytes and down to 4 KiB
 *
 * An arena whose first block fits what is expected: a session may hold
 * hundreds of thousands of small responses ("* 3 EXPUNGE", a FETCH of
 * flags), and 4 KiB for each of those would be a hundred times what they
 * need.
 */
SatchelImapArena *
satchel_imap_arena_new_sized (gsize first_block)
{
  SatchelImapArena *arena;

  first_block = CLAMP ((first_block + 7) & ~(gsize) 7, SMALLEST_FIRST_BLOCK, FIRST_BLOCK);
  arena = g_malloc (sizeof *arena + first_block);
  arena->blocks = NULL;
  arena->next = (guint8 *) arena->first;
  arena->left = first_block;
  arena->bytes = NULL;
  arena->block = first_block;
  arena->size = sizeof *arena + first_block;
  return arena;
}

SatchelImapArena *
satchel_imap_arena_new (void)
{
  return satchel_imap_arena_new_sized (FIRST_BLOCK);
}

/* What the arena took from the heap for values, without the large
 * literals it refers to. */
gsize
satchel_imap_arena_get_size (const SatchelImapArena *arena)
{
  return arena->size;
}

void
satchel_imap_arena_free (SatchelImapArena *arena)
{
  if (arena == NULL)
    return;
  while (arena->blocks != NULL)
    {
      Block *block = arena->blocks;

      arena->blocks = block->next;
      g_free (block);
    }
  g_clear_pointer (&arena->bytes, g_ptr_array_unref);
  g_free (arena);
}

static guint8 *
new_block (SatchelImapArena *arena,
           gsize             size)
{
  Block *block = g_malloc (sizeof (Block) + size);

  arena->size += sizeof (Block) + size;
  block->next = arena->blocks;
  arena->blocks = block;
  return (guint8 *) block->data;
}

/* Bump allocation, 8-byte aligned: in the arena's own first block, then
 * in blocks that double up to 64 KiB; a large request gets a block of its
 * own so that the current one is not wasted. */
gpointer
satchel_imap_arena_alloc (SatchelImapArena *arena,
                          gsize             size)
{
  guint8 *memory;

  size = (size + 7) & ~(gsize) 7;
  if (size >= LARGE_ALLOC)
    return new_block (arena, size);
  if (size > arena->left)
    {
      /* A small first block doubles to less than a request just under
       * LARGE_ALLOC: the new block is never smaller than the request. */
      arena->block = MIN (arena->block * 2, MAX_BLOCK);
      arena->left = MAX (arena->block, size);
      arena->next = new_block (arena, arena->left);
    }
  memory = arena->next;
  arena->next += size;
  arena->left -= size;
  return memory;
}

SatchelImapValue *
satchel_imap_value_new (SatchelImapArena     *arena,
                        SatchelImapValueKind  kind,
                        const char           *text,
                        gsize                 len)
{
  SatchelImapValue *value = satchel_imap_arena_alloc (arena, sizeof *value);

  memset (value, 0, sizeof *value);
  value->kind = kind;
  if (kind == SATCHEL_IMAP_VALUE_ATOM || kind == SATCHEL_IMAP_VALUE_STRING)
    {
      value->text = satchel_imap_arena_alloc (arena, len + 1);
      if (len > 0)
        memcpy (value->text, text, len);
      value->text[len] = '\0';
      value->len = len;
    }
  return value;
}

/* A string whose bytes stay where they are (a large literal): no copy. The
 * bytes must end with a NUL after their length, as
 * satchel_connection_try_read_bytes() gives them. */
SatchelImapValue *
satchel_imap_value_new_bytes (SatchelImapArena *arena,
                              GBytes           *bytes)
{
  SatchelImapValue *value = satchel_imap_arena_alloc (arena, sizeof *value);

  memset (value, 0, sizeof *value);
  value->kind = SATCHEL_IMAP_VALUE_STRING;
  value->bytes = bytes;
  value->text = (char *) g_bytes_get_data (bytes, &value->len);
  if (arena->bytes == NULL)
    arena->bytes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_ptr_array_add (arena->bytes, g_bytes_ref (bytes));
  return value;
}

/* The bytes of a string, shared when they are a large literal's. */
GBytes *
satchel_imap_value_dup_bytes (const SatchelImapValue *value)
{
  if (value->bytes != NULL)
    return g_bytes_ref (value->bytes);
  return g_bytes_new (value->text, value->len);
}

/* Whether @value is the atom @atom, compared without case. */
gboolean
satchel_imap_value_is_atom (const SatchelImapValue *value,
                            const char             *atom)
{
  return value != NULL && value->kind == SATCHEL_IMAP_VALUE_ATOM &&
         g_ascii_strcasecmp (value->text, atom) == 0;
}

/**
 * satchel_imap_value_get_number:
 * @max: the largest value accepted
 *
 * Returns: whether @value is a number (an atom of digits) no larger than
 *   @max; then *@out has it
 */
gboolean
satchel_imap_value_get_number (const SatchelImapValue *value,
                               guint64                 max,
                               guint64                *out)
{
  guint64 n = 0;

  if (value == NULL || value->kind != SATCHEL_IMAP_VALUE_ATOM || value->len == 0 ||
      value->len > 20)
    return FALSE;
  for (gsize i = 0; i < value->len; i++)
    {
      guint digit;

      if (!g_ascii_isdigit (value->text[i]))
        return FALSE;
      digit = value->text[i] - '0';
      if (n > (G_MAXUINT64 - digit) / 10)
        return FALSE;
      n = n * 10 + digit;
    }
  if (n > max)
    return FALSE;
  *out = n;
  return TRUE;
}

static void
append_quoted (GString    *out,
               const char *text,
               gsize       len)
{
  gboolean plain = TRUE;

  for (gsize i = 0; i < len; i++)
    if (text[i] == '\r' || text[i] == '\n' || text[i] == '\0')
      plain = FALSE;

  if (!plain)
    {
      g_string_append_printf (out, "{%" G_GSIZE_FORMAT "}\r\n", len);
      g_string_append_len (out, text, len);
      return;
    }
  g_string_append_c (out, '"');
  for (gsize i = 0; i < len; i++)
    {
      if (text[i] == '"' || text[i] == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, text[i]);
    }
  g_string_append_c (out, '"');
}

typedef struct
{
  const SatchelImapValue *value;
  guint                   next;
} Frame;

static void
append_value (GString                *out,
              const SatchelImapValue *value)
{
  /* An explicit stack keeps this safe on deep values too. */
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (Frame));
  Frame top = { value, 0 };

  g_array_append_val (stack, top);
  while (stack->len > 0)
    {
      Frame *frame = &g_array_index (stack, Frame, stack->len - 1);
      const SatchelImapValue *v = frame->value;

      switch (v->kind)
        {
        case SATCHEL_IMAP_VALUE_ATOM:
          g_string_append_len (out, v->text, v->len);
          g_array_set_size (stack, stack->len - 1);
          break;
        case SATCHEL_IMAP_VALUE_STRING:
          append_quoted (out, v->text, v->len);
          g_array_set_size (stack, stack->len - 1);
          break;
        case SATCHEL_IMAP_VALUE_NIL:
          g_string_append (out, "NIL");
          g_array_set_size (stack, stack->len - 1);
          break;
        case SATCHEL_IMAP_VALUE_LIST:
        default:
          if (frame->next == 0)
            g_string_append_c (out, '(');
          if (frame->next < v->n_items)
            {
              Frame child = { v->items[frame->next], 0 };

              if (frame->next > 0)
                g_string_append_c (out, ' ');
              frame->next++;
              g_array_append_val (stack, child);
            }
          else
            {
              g_string_append_c (out, ')');
              g_array_set_size (stack, stack->len - 1);
            }
          break;
        }
    }
}

/**
 * satchel_imap_value_to_string:
 *
 * Returns: (transfer full): @value written as IMAP (strings quoted, or as
 *   literals when they must be), for logs and for tests that parse it again
 */
char *
satchel_imap_value_to_string (const SatchelImapValue *value)
{
  GString *out = g_string_new (NULL);

  append_value (out, value);
  return g_string_free (out, FALSE);
}

void
satchel_imap_response_free (SatchelImapResponse *response)
{
  if (response == NULL)
    return;
  g_free (response->tag);
  g_free (response->text);
  satchel_imap_arena_free (response->arena);
  g_free (response);
}

/**
 * satchel_imap_response_get_code:
 * @name: a response code, such as "UIDVALIDITY"
 *
 * Returns: (transfer none) (nullable): the response code's values (the
 *   name first) when the response carries that code
 */
SatchelImapValue *
satchel_imap_response_get_code (const SatchelImapResponse *response,
                                const char                *name)
{
  if (response == NULL || response->code == NULL)
    return NULL;
  if (!satchel_imap_value_is_atom (satchel_imap_value_get_item (response->code, 0), name))
    return NULL;
  return response->code;
}

/**
 * satchel_imap_response_is_data:
 * @name: "CAPABILITY", "EXISTS", "FETCH", ...
 *
 * Returns: whether @response is the untagged data response @name, whether
 *   it starts with a number ("* 3 EXISTS") or not ("* CAPABILITY ...")
 */
gboolean
satchel_imap_response_is_data (const SatchelImapResponse *response,
                               const char                *name)
{
  SatchelImapValue *first;
  guint64 n;

  if (response == NULL || response->kind != SATCHEL_IMAP_RESPONSE_UNTAGGED ||
      response->data == NULL)
    return FALSE;
  first = satchel_imap_value_get_item (response->data, 0);
  if (satchel_imap_value_get_number (first, G_MAXUINT64, &n))
    return satchel_imap_value_is_atom (satchel_imap_value_get_item (response->data, 1), name);
  return satchel_imap_value_is_atom (first, name);
}
