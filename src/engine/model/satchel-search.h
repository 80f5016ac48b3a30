/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-search.h: what the user types in the search bar, as SQL
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <sqlite3.h>

#include "store/satchel-store.h"

G_BEGIN_DECLS

typedef struct _SatchelSearch SatchelSearch;

typedef struct
{
  char *key;     /* "from", "to", "subject", "has", "is", another word; NULL: words */
  char *value;
} SatchelSearchTerm;

SatchelSearch *satchel_search_parse     (const char          *query,
                                         int                  first_param);
void           satchel_search_free      (SatchelSearch       *search);
gboolean       satchel_search_is_empty  (const SatchelSearch *search);
const char    *satchel_search_get_match (const SatchelSearch *search);
const char    *satchel_search_get_where (const SatchelSearch *search);
void           satchel_search_bind      (const SatchelSearch *search,
                                         sqlite3_stmt        *stmt);

void           satchel_search_term_free (SatchelSearchTerm  *term);
GPtrArray     *satchel_search_terms     (const char          *query);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SatchelSearch, satchel_search_free)

G_END_DECLS
