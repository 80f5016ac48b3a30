/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-imap-uid-set.c: sets of UIDs as ranges
 *
 * Copyright 2026 The Satchel authors
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>

#include "net/satchel-net-error.h"
#include "satchel-imap-uid-set.h"

/* A set from a server may have at most this many ranges. */
#define MAX_RANGES (4 * 1024 * 1024)

struct _SatchelImapUidSet
{
  GArray *ranges;   /* SatchelImapUidRange, sorted, disjoint, not adjacent */
};

SatchelImapUidSet *
satchel_imap_uid_set_new (void)
{
  SatchelImapUidSet *self = g_new0 (SatchelImapUidSet, 1);

  self->ranges = g_array_new (FALSE, FALSE, sizeof (SatchelImapUidRange));
  return self;
}

void
satchel_imap_uid_set_free (SatchelImapUidSet *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->ranges);
  g_free (self);
}

/* The index of the first range whose last is >= @uid. */
static guint
lower_bound (const SatchelImapUidSet *self,
             guint32                  uid)
{
  guint lo = 0;
  guint hi = self->ranges->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (self->ranges, SatchelImapUidRange, mid).last < uid)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

void
satchel_imap_uid_set_add_range (SatchelImapUidSet *self,
                                guint32            first,
                                guint32            last)
{
  SatchelImapUidRange merged;
  guint i;
  guint end;

  if (first > last)
    {
      guint32 t = first;

      first = last;
      last = t;
    }

  /* Ranges that touch [first - 1, last + 1] merge into one. */
  i = lower_bound (self, first > 0 ? first - 1 : 0);
  merged.first = first;
  merged.last = last;
  end = i;
  while (end < self->ranges->len)
    {
      SatchelImapUidRange *r = &g_array_index (self->ranges, SatchelImapUidRange, end);

      if (last != G_MAXUINT32 && r->first > last + 1)
        break;
      merged.first = MIN (merged.first, r->first);
      merged.last = MAX (merged.last, r->last);
      end++;
    }
  if (end > i)
    g_array_remove_range (self->ranges, i, end - i);
  g_array_insert_val (self->ranges, i, merged);
}

void
satchel_imap_uid_set_add (SatchelImapUidSet *self,
                          guint32            uid)
{
  satchel_imap_uid_set_add_range (self, uid, uid);
}

gboolean
satchel_imap_uid_set_contains (const SatchelImapUidSet *self,
                               guint32                  uid)
{
  guint i = lower_bound (self, uid);

  return i < self->ranges->len &&
         g_array_index (self->ranges, SatchelImapUidRange, i).first <= uid;
}

guint64
satchel_imap_uid_set_count (const SatchelImapUidSet *self)
{
  guint64 n = 0;

  for (guint i = 0; i < self->ranges->len; i++)
    {
      SatchelImapUidRange *r = &g_array_index (self->ranges, SatchelImapUidRange, i);

      n += (guint64) r->last - r->first + 1;
    }
  return n;
}

guint
satchel_imap_uid_set_n_ranges (const SatchelImapUidSet *self)
{
  return self->ranges->len;
}

const SatchelImapUidRange *
satchel_imap_uid_set_get_range (const SatchelImapUidSet *self,
                                guint                    index)
{
  g_return_val_if_fail (index < self->ranges->len, NULL);
  return &g_array_index (self->ranges, SatchelImapUidRange, index);
}

static gboolean
parse_number (const char **p,
              guint32     *out)
{
  guint64 n = 0;
  const char *start = *p;

  while (g_ascii_isdigit (**p))
    {
      n = n * 10 + (**p - '0');
      if (n > G_MAXUINT32)
        return FALSE;
      (*p)++;
    }
  if (*p == start || n == 0)
    return FALSE;
  *out = n;
  return TRUE;
}

/**
 * satchel_imap_uid_set_parse:
 * @text: a sequence set as servers send them ("1:3,7,9:12"); no "*"
 *
 * Adds the UIDs of @text to the set.
 */
gboolean
satchel_imap_uid_set_parse (SatchelImapUidSet  *self,
                            const char         *text,
                            GError            **error)
{
  const char *p = text;

  while (TRUE)
    {
      guint32 first, last;

      if (!parse_number (&p, &first))
        goto bad;
      last = first;
      if (*p == ':')
        {
          p++;
          if (!parse_number (&p, &last))
            goto bad;
        }
      if (self->ranges->len >= MAX_RANGES)
        goto bad;
      satchel_imap_uid_set_add_range (self, first, last);
      if (*p == '\0')
        return TRUE;
      if (*p != ',')
        goto bad;
      p++;
    }

bad:
  g_set_error (error, SATCHEL_NET_ERROR, SATCHEL_NET_ERROR_PROTOCOL,
               _("The server sent a malformed set of messages."));
  return FALSE;
}

char *
satchel_imap_uid_set_format (const SatchelImapUidSet *self)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < self->ranges->len; i++)
    {
      SatchelImapUidRange *r = &g_array_index (self->ranges, SatchelImapUidRange, i);

      if (i > 0)
        g_string_append_c (out, ',');
      if (r->first == r->last)
        g_string_append_printf (out, "%u", r->first);
      else
        g_string_append_printf (out, "%u:%u", r->first, r->last);
    }
  return g_string_free (out, FALSE);
}

static int
compare_uids (const void *a,
              const void *b)
{
  guint32 x = *(const guint32 *) a;
  guint32 y = *(const guint32 *) b;

  return x < y ? -1 : x > y;
}

/* The UIDs, in any order, as a compact sequence set. */
char *
satchel_imap_uid_set_format_uids (const guint32 *uids,
                                  guint          n_uids)
{
  g_autoptr(SatchelImapUidSet) set = satchel_imap_uid_set_new ();
  g_autofree guint32 *sorted = g_memdup2 (uids, n_uids * sizeof (guint32));
  guint i = 0;

  qsort (sorted, n_uids, sizeof (guint32), compare_uids);
  while (i < n_uids)
    {
      guint j = i;

      while (j + 1 < n_uids && (sorted[j + 1] == sorted[j] || sorted[j + 1] == sorted[j] + 1))
        j++;
      g_array_append_val (set->ranges, ((SatchelImapUidRange) { sorted[i], sorted[j] }));
      i = j + 1;
    }
  return satchel_imap_uid_set_format (set);
}
