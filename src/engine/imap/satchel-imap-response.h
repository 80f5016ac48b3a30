/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-imap-response.h: IMAP responses and the values in them
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  SATCHEL_IMAP_VALUE_ATOM,
  SATCHEL_IMAP_VALUE_STRING,
  SATCHEL_IMAP_VALUE_NIL,
  SATCHEL_IMAP_VALUE_LIST,
} SatchelImapValueKind;

/* One value of a response. Atoms and strings keep their length, as a
 * literal may hold NUL bytes; both are also NUL-terminated. Values live in
 * their response's arena and go with it. */
typedef struct _SatchelImapValue SatchelImapValue;

struct _SatchelImapValue
{
  SatchelImapValueKind  kind;
  guint                 n_items;  /* LIST */
  gsize                 len;
  char                 *text;     /* ATOM, STRING */
  SatchelImapValue    **items;    /* LIST */
  GBytes               *bytes;    /* a large literal: holds the text, borrowed from the arena */
};

/* Where a response's values live: freed all at once with it. */
typedef struct _SatchelImapArena SatchelImapArena;

typedef enum
{
  SATCHEL_IMAP_RESPONSE_UNTAGGED,
  SATCHEL_IMAP_RESPONSE_TAGGED,
  SATCHEL_IMAP_RESPONSE_CONTINUATION,
} SatchelImapResponseKind;

typedef enum
{
  SATCHEL_IMAP_STATUS_NONE,
  SATCHEL_IMAP_STATUS_OK,
  SATCHEL_IMAP_STATUS_NO,
  SATCHEL_IMAP_STATUS_BAD,
  SATCHEL_IMAP_STATUS_PREAUTH,
  SATCHEL_IMAP_STATUS_BYE,
} SatchelImapStatus;

/* A whole response. Status responses (OK, NO, BAD, PREAUTH, BYE) have a
 * status, maybe a response code (the values between the brackets, first
 * an atom naming it) and text; other untagged responses have their values
 * in data: "* 3 EXISTS" gives (3 EXISTS), "* CAPABILITY ..." gives
 * (CAPABILITY ...). A continuation has its text. */
typedef struct
{
  SatchelImapResponseKind  kind;
  SatchelImapStatus        status;
  char                    *tag;
  SatchelImapValue        *code;
  char                    *text;
  SatchelImapValue        *data;
  SatchelImapArena        *arena;
} SatchelImapResponse;

SatchelImapArena    *satchel_imap_arena_new         (void);
SatchelImapArena    *satchel_imap_arena_new_sized   (gsize              first_block);
gsize                satchel_imap_arena_get_size    (const SatchelImapArena *arena);
void                 satchel_imap_arena_free        (SatchelImapArena  *arena);
gpointer             satchel_imap_arena_alloc       (SatchelImapArena  *arena,
                                                     gsize              size);
SatchelImapValue    *satchel_imap_value_new         (SatchelImapArena  *arena,
                                                     SatchelImapValueKind kind,
                                                     const char        *text,
                                                     gsize              len);
SatchelImapValue    *satchel_imap_value_new_bytes   (SatchelImapArena  *arena,
                                                     GBytes            *bytes);
GBytes              *satchel_imap_value_dup_bytes   (const SatchelImapValue *value);

gboolean             satchel_imap_value_is_atom     (const SatchelImapValue *value,
                                                     const char        *atom);
gboolean             satchel_imap_value_get_number  (const SatchelImapValue *value,
                                                     guint64            max,
                                                     guint64           *out);
char                *satchel_imap_value_to_string   (const SatchelImapValue *value);

void                 satchel_imap_response_free     (SatchelImapResponse *response);

/* The accessors every FETCH goes through many times: inline. */

/* The text of an atom or a string, or NULL for NIL and lists. */
static inline const char *
satchel_imap_value_get_text (const SatchelImapValue *value)
{
  if (value == NULL || (value->kind != SATCHEL_IMAP_VALUE_ATOM &&
                        value->kind != SATCHEL_IMAP_VALUE_STRING))
    return NULL;
  return value->text;
}

/* The number of items of a list; 0 for anything else. */
static inline guint
satchel_imap_value_get_length (const SatchelImapValue *value)
{
  if (value == NULL || value->kind != SATCHEL_IMAP_VALUE_LIST)
    return 0;
  return value->n_items;
}

/* The item at @index of a list, or NULL when there is none. */
static inline SatchelImapValue *
satchel_imap_value_get_item (const SatchelImapValue *value,
                             guint                   index)
{
  if (value == NULL || value->kind != SATCHEL_IMAP_VALUE_LIST || index >= value->n_items)
    return NULL;
  return value->items[index];
}
SatchelImapValue    *satchel_imap_response_get_code (const SatchelImapResponse *response,
                                                     const char        *name);
gboolean             satchel_imap_response_is_data  (const SatchelImapResponse *response,
                                                     const char        *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SatchelImapResponse, satchel_imap_response_free)

G_END_DECLS
