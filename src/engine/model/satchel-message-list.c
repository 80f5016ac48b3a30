/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-message-list.c: a folder's messages as a list model, read lazily
 *
 * Copyright 2026 The Satchel authors
 *
 * A GListModel of SatchelMessageItem for a GtkListView: the folder's
 * conversations, each as its newest message, newest first; an opened
 * one has its other messages below it (satchel_message_list_set_expanded();
 * the list does it itself rather than through a GtkTreeListModel, which
 * keeps a node for every row, and made the window's first frame of a
 * 100,000-message folder 35 ms later and 10 MB larger).
 * On (re)load it reads only each message's place in the list and its
 * conversation (date, id and thread, from one index), so that a folder of
 * 100,000 messages knows its length at once; the rows themselves are read
 * a page of 128 at a time, when the view asks for one of them, with one
 * query. At most 64 pages are kept; the oldest asked for goes first.
 *
 * A message keeps its item for as long as anyone holds it (the view's
 * rows, the selection): a reload after a sync says only which places
 * changed, and the items still held take their new flags in place, with
 * a notification, so that what is selected stays selected.
 */

#include "config.h"

#include <string.h>

#include "satchel-message-list.h"

#define PAGE_SIZE 128
#define MAX_PAGES 64

/* Item */

struct _SatchelMessageItem
{
  GObject            parent_instance;
  SatchelMessageRow *row;
  guint              count;   /* messages in its conversation in the list; 1 for one */
  guint              depth;   /* 1: one of an opened conversation's others */
  guint              unread;  /* unread messages of those @count */
  gboolean           expanded;
};

G_DEFINE_FINAL_TYPE (SatchelMessageItem, satchel_message_item, G_TYPE_OBJECT)

enum
{
  ITEM_PROP_0,
  ITEM_PROP_ROW,
  N_ITEM_PROPS
};

static GParamSpec *item_properties[N_ITEM_PROPS];

static void
satchel_message_item_finalize (GObject *object)
{
  SatchelMessageItem *self = SATCHEL_MESSAGE_ITEM (object);

  g_clear_pointer (&self->row, satchel_message_row_free);
  G_OBJECT_CLASS (satchel_message_item_parent_class)->finalize (object);
}

static void
satchel_message_item_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  SatchelMessageItem *self = SATCHEL_MESSAGE_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_ROW:
      g_value_set_pointer (value, self->row);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
satchel_message_item_class_init (SatchelMessageItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = satchel_message_item_finalize;
  object_class->get_property = satchel_message_item_get_property;

  /**
   * SatchelMessageItem:row:
   *
   * The message as the store has it; notified when a reload finds it
   * changed (flags, preview).
   */
  item_properties[ITEM_PROP_ROW] =
    g_param_spec_pointer ("row", NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_ITEM_PROPS, item_properties);
}

static void
satchel_message_item_init (SatchelMessageItem *self)
{
}

/**
 * satchel_message_item_new:
 * @row: (transfer full): the message
 *
 * An item of its own, as search results are.
 */
SatchelMessageItem *
satchel_message_item_new (SatchelMessageRow *row)
{
  SatchelMessageItem *self = g_object_new (SATCHEL_TYPE_MESSAGE_ITEM, NULL);

  self->row = row;
  self->count = 1;
  return self;
}

const SatchelMessageRow *
satchel_message_item_get_row (SatchelMessageItem *self)
{
  g_return_val_if_fail (SATCHEL_IS_MESSAGE_ITEM (self), NULL);
  return self->row;
}

/**
 * satchel_message_item_get_count:
 *
 * Returns: how many messages of the list's folder the item's conversation
 *   holds, when the item stands for it in a SatchelMessageList; else 1
 */
guint
satchel_message_item_get_count (SatchelMessageItem *self)
{
  g_return_val_if_fail (SATCHEL_IS_MESSAGE_ITEM (self), 1);
  return self->count;
}

/**
 * satchel_message_item_get_unread:
 *
 * Returns: how many of the messages that the item stands for are unread:
 *   of its conversation, when it stands for it closed in a
 *   SatchelMessageList, else of itself
 */
guint
satchel_message_item_get_unread (SatchelMessageItem *self)
{
  g_return_val_if_fail (SATCHEL_IS_MESSAGE_ITEM (self), 0);
  if (self->count > 1 && self->depth == 0 && !self->expanded)
    return self->unread;
  return !(self->row->flags & SATCHEL_FLAG_SEEN);
}

/**
 * satchel_message_item_get_depth:
 *
 * Returns: 1 when the item is one of an opened conversation's other
 *   messages, below it; else 0
 */
guint
satchel_message_item_get_depth (SatchelMessageItem *self)
{
  g_return_val_if_fail (SATCHEL_IS_MESSAGE_ITEM (self), 0);
  return self->depth;
}

/**
 * satchel_message_item_get_expanded:
 *
 * Returns: whether the item's conversation is open, its others below it
 */
gboolean
satchel_message_item_get_expanded (SatchelMessageItem *self)
{
  g_return_val_if_fail (SATCHEL_IS_MESSAGE_ITEM (self), FALSE);
  return self->expanded;
}

/**
 * satchel_message_item_set_row:
 * @row: (transfer full): the message as the store has it now
 *
 * Takes @row in place of the item's; notifies "row" when what a view
 * shows of it changed. For items of one's own: a #SatchelMessageList
 * renews those it holds itself (satchel_message_list_reload()).
 */
void
satchel_message_item_set_row (SatchelMessageItem *self,
                              SatchelMessageRow  *row)
{
  const SatchelMessageRow *old;
  gboolean changed;

  g_return_if_fail (SATCHEL_IS_MESSAGE_ITEM (self));
  g_return_if_fail (row != NULL);

  old = self->row;
  changed = old == NULL || old->flags != row->flags ||
            g_strcmp0 (old->keywords, row->keywords) != 0 ||
            g_strcmp0 (old->preview, row->preview) != 0 ||
            old->body_cached != row->body_cached ||
            old->folder_id != row->folder_id;

  g_clear_pointer (&self->row, satchel_message_row_free);
  self->row = row;
  if (changed && old != NULL)
    g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_ROW]);
}

/* List */

typedef struct
{
  guint      number;
  guint64    used;      /* when it was last asked for */
  GPtrArray *rows;      /* SatchelMessageRow, NULL where the store had none */
} Page;

struct _SatchelMessageList
{
  GObject       parent_instance;

  SatchelStore *store;
  gint64        folder_id;
  GArray       *keys;       /* SatchelMessageKey: each conversation's newest, and below an
                             * opened one its others (depth 1), in list order */
  GHashTable   *pages;      /* page number → Page */
  GHashTable   *items;      /* message id → SatchelMessageItem held elsewhere (weak) */
  GHashTable   *expanded;   /* thread ids of the conversations opened */
  guint64       clock;
  guint         loaded;     /* pages read since the last reload */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SatchelMessageList, satchel_message_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static void
page_free (Page *page)
{
  g_ptr_array_unref (page->rows);
  g_free (page);
}

static void
item_gone_cb (gpointer  data,
              GObject  *where_the_item_was)
{
  SatchelMessageList *self = data;
  SatchelMessageItem *item = (SatchelMessageItem *) where_the_item_was;

  /* Weak notifications come before the item is finalized: its row is
   * there still. */
  if (g_hash_table_lookup (self->items, &item->row->id) == item)
    g_hash_table_remove (self->items, &item->row->id);
}

static GType
get_item_type (GListModel *model)
{
  return SATCHEL_TYPE_MESSAGE_ITEM;
}

static guint
get_n_items (GListModel *model)
{
  return SATCHEL_MESSAGE_LIST (model)->keys->len;
}

static void
forget_oldest_page (SatchelMessageList *self)
{
  GHashTableIter iter;
  gpointer key, value;
  Page *oldest = NULL;

  g_hash_table_iter_init (&iter, self->pages);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (oldest == NULL || ((Page *) value)->used < oldest->used)
      oldest = value;
  if (oldest != NULL)
    g_hash_table_remove (self->pages, GUINT_TO_POINTER (oldest->number));
}

static Page *
load_page (SatchelMessageList *self,
           guint               number)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  gint64 ids[PAGE_SIZE];
  guint first = number * PAGE_SIZE;
  guint n = MIN (PAGE_SIZE, self->keys->len - first);
  Page *page;

  G_STATIC_ASSERT (PAGE_SIZE <= SATCHEL_QUERY_ROWS_MAX);
  for (guint i = 0; i < n; i++)
    ids[i] = g_array_index (self->keys, SatchelMessageKey, first + i).id;
  rows = satchel_query_message_rows (self->store, ids, n, &error);
  if (rows == NULL)
    {
      g_warning ("The messages of a folder could not be read: %s", error->message);
      return NULL;
    }
  if (g_hash_table_size (self->pages) >= MAX_PAGES)
    forget_oldest_page (self);
  page = g_new0 (Page, 1);
  page->number = number;
  page->rows = g_steal_pointer (&rows);
  g_hash_table_insert (self->pages, GUINT_TO_POINTER (number), page);
  self->loaded++;
  return page;
}

/* The item of @row (a copy is taken), the one someone holds if any. */
static SatchelMessageItem *
item_for_row (SatchelMessageList      *self,
              const SatchelMessageRow *row)
{
  SatchelMessageItem *item = g_hash_table_lookup (self->items, &row->id);

  if (item != NULL)
    return g_object_ref (item);
  item = satchel_message_item_new (satchel_message_row_copy (row));
  g_hash_table_insert (self->items, &item->row->id, item);
  g_object_weak_ref (G_OBJECT (item), item_gone_cb, self);
  return item;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  SatchelMessageList *self = SATCHEL_MESSAGE_LIST (model);
  guint number = position / PAGE_SIZE;
  guint offset = position % PAGE_SIZE;
  const SatchelMessageKey *key;
  SatchelMessageItem *item;
  SatchelMessageRow *row;
  Page *page;

  if (position >= self->keys->len)
    return NULL;
  key = &g_array_index (self->keys, SatchelMessageKey, position);
  item = g_hash_table_lookup (self->items, &key->id);
  if (item == NULL)
    {
      page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (number));
      if (page == NULL)
        page = load_page (self, number);
      if (page == NULL || offset >= page->rows->len)
        return NULL;
      page->used = ++self->clock;
      row = g_ptr_array_index (page->rows, offset);
      if (row == NULL)
        return NULL;   /* gone from the store since the keys were read */
      item = item_for_row (self, row);
    }
  else
    g_object_ref (item);
  item->count = (guint) key->count;
  item->depth = (guint) key->depth;
  item->unread = (guint) key->unread;
  item->expanded = key->depth == 0 && key->count > 1 &&
                   g_hash_table_contains (self->expanded, &key->thread_id);
  return item;
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

/* Whether two keys put the same message in the same place of the list,
 * in the same conversation of as many messages, read or not. */
static gboolean
same_place (const SatchelMessageKey *a,
            const SatchelMessageKey *b)
{
  return a->date == b->date && a->id == b->id && a->thread_id == b->thread_id &&
         a->count == b->count && a->depth == b->depth;
}

/* Keeps the newest message of each conversation in @keys, in its place,
 * with the number of messages the conversation has there, and of those
 * unread. */
static void
collapse_conversations (GArray *keys)
{
  g_autoptr(GHashTable) heads = g_hash_table_new (g_int64_hash, g_int64_equal);
  guint kept = 0;

  for (guint i = 0; i < keys->len; i++)
    {
      SatchelMessageKey *key = &g_array_index (keys, SatchelMessageKey, i);
      gpointer head;

      if (key->thread_id != 0 &&
          g_hash_table_lookup_extended (heads, &key->thread_id, NULL, &head))
        {
          SatchelMessageKey *kept_head = &g_array_index (keys, SatchelMessageKey,
                                                         GPOINTER_TO_UINT (head));

          kept_head->count++;
          kept_head->unread += key->unread;
          continue;
        }
      if (kept != i)
        g_array_index (keys, SatchelMessageKey, kept) = *key;
      key = &g_array_index (keys, SatchelMessageKey, kept);
      key->count = 1;
      /* The key lives in the array, which no longer moves its first
       * @kept entries. */
      if (key->thread_id != 0)
        g_hash_table_insert (heads, &key->thread_id, GUINT_TO_POINTER (kept));
      kept++;
    }
  g_array_set_size (keys, kept);
}

/* The messages of conversation @thread_id in the list's folder but
 * message @head_id, newest first; empty when they cannot be read. */
static GPtrArray *
conversation_others (SatchelMessageList *self,
                     gint64              thread_id,
                     gint64              head_id)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *rows = satchel_query_conversation (self->store, self->folder_id, thread_id, &error);

  if (rows == NULL)
    {
      g_warning ("A conversation could not be read: %s", error->message);
      return g_ptr_array_new ();
    }
  for (guint i = 0; i < rows->len; i++)
    if (((SatchelMessageRow *) g_ptr_array_index (rows, i))->id == head_id)
      g_ptr_array_remove_index (rows, i--);
  return rows;
}

/* The keys of the others of the conversation whose newest is @head, in
 * list order. */
static GArray *
conversation_keys (SatchelMessageList      *self,
                   const SatchelMessageKey *head)
{
  g_autoptr(GPtrArray) rows = conversation_others (self, head->thread_id, head->id);
  GArray *keys = g_array_sized_new (FALSE, FALSE, sizeof (SatchelMessageKey), rows->len);

  for (guint i = 0; i < rows->len; i++)
    {
      const SatchelMessageRow *row = g_ptr_array_index (rows, i);
      SatchelMessageKey key = { row->date, row->id, row->thread_id, 1, 1,
                                !(row->flags & SATCHEL_FLAG_SEEN) };

      g_array_append_val (keys, key);
    }
  return keys;
}

/* Says that the item at @position, if someone holds it, changed. */
static void
notify_held (SatchelMessageList *self,
             guint               position)
{
  SatchelMessageKey *key = &g_array_index (self->keys, SatchelMessageKey, position);
  SatchelMessageItem *item = g_hash_table_lookup (self->items, &key->id);

  if (item == NULL)
    return;
  item->expanded = g_hash_table_contains (self->expanded, &key->thread_id);
  g_object_notify_by_pspec (G_OBJECT (item), item_properties[ITEM_PROP_ROW]);
}

/**
 * satchel_message_list_set_expanded:
 * @position: a conversation of the list (an entry of depth 0)
 *
 * Opens the conversation, its other messages in the folder below it,
 * newest first, or closes it. It stays so across reloads.
 */
void
satchel_message_list_set_expanded (SatchelMessageList *self,
                                   guint               position,
                                   gboolean            expanded)
{
  SatchelMessageKey *head;
  guint n = 0;

  g_return_if_fail (SATCHEL_IS_MESSAGE_LIST (self));

  if (position >= self->keys->len)
    return;
  head = &g_array_index (self->keys, SatchelMessageKey, position);
  if (head->depth != 0 || head->count < 2 || head->thread_id == 0 ||
      g_hash_table_contains (self->expanded, &head->thread_id) == expanded)
    return;
  if (expanded)
    {
      g_autoptr(GArray) others = conversation_keys (self, head);

      g_hash_table_add (self->expanded, g_memdup2 (&head->thread_id, sizeof head->thread_id));
      n = others->len;
      g_array_insert_vals (self->keys, position + 1, others->data, n);
    }
  else
    {
      g_hash_table_remove (self->expanded, &head->thread_id);
      while (position + 1 + n < self->keys->len &&
             g_array_index (self->keys, SatchelMessageKey, position + 1 + n).depth == 1)
        n++;
      g_array_remove_range (self->keys, position + 1, n);
    }
  /* Pages are read by place. */
  g_hash_table_remove_all (self->pages);
  notify_held (self, position);
  if (n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), position + 1, expanded ? 0 : n,
                                expanded ? n : 0);
}

/* Puts the others of the opened conversations below them. */
static GArray *
expand_conversations (SatchelMessageList *self,
                      GArray             *heads)
{
  GArray *keys;

  if (g_hash_table_size (self->expanded) == 0)
    return g_array_ref (heads);
  keys = g_array_sized_new (FALSE, FALSE, sizeof (SatchelMessageKey), heads->len);
  for (guint i = 0; i < heads->len; i++)
    {
      const SatchelMessageKey *head = &g_array_index (heads, SatchelMessageKey, i);

      g_array_append_vals (keys, head, 1);
      if (head->count > 1 && g_hash_table_contains (self->expanded, &head->thread_id))
        {
          g_autoptr(GArray) others = conversation_keys (self, head);

          g_array_append_vals (keys, others->data, others->len);
        }
    }
  return keys;
}

/**
 * satchel_message_list_dup_conversation:
 * @item: an item of the list
 *
 * Returns: (transfer full) (nullable): the other messages of @item's
 *   conversation in the list's folder, newest first, as a GListModel of
 *   SatchelMessageItem; NULL when it has no others
 */
GListModel *
satchel_message_list_dup_conversation (SatchelMessageList *self,
                                       SatchelMessageItem *item)
{
  g_autoptr(GPtrArray) rows = NULL;
  GListStore *store;

  g_return_val_if_fail (SATCHEL_IS_MESSAGE_LIST (self), NULL);
  g_return_val_if_fail (SATCHEL_IS_MESSAGE_ITEM (item), NULL);

  if (item->count < 2 || item->row->thread_id == 0)
    return NULL;
  rows = conversation_others (self, item->row->thread_id, item->row->id);
  if (rows->len == 0)
    return NULL;
  store = g_list_store_new (SATCHEL_TYPE_MESSAGE_ITEM);
  for (guint i = 0; i < rows->len; i++)
    {
      g_autoptr(SatchelMessageItem) other = item_for_row (self, g_ptr_array_index (rows, i));

      g_list_store_append (store, other);
    }
  return G_LIST_MODEL (store);
}

/**
 * satchel_message_list_reload:
 *
 * Reads the folder's list again (after a sync changed it) and says so to
 * the views.
 */
gboolean
satchel_message_list_reload (SatchelMessageList  *self,
                             GError             **error)
{
  g_autoptr(GArray) heads = NULL;
  g_autoptr(GArray) keys = NULL;
  g_autoptr(GPtrArray) held = NULL;
  GHashTableIter iter;
  gpointer value;
  guint before, after, same_start = 0, same_end = 0;

  g_return_val_if_fail (SATCHEL_IS_MESSAGE_LIST (self), FALSE);

  heads = satchel_query_message_keys (self->store, self->folder_id, error);
  if (heads == NULL)
    return FALSE;
  collapse_conversations (heads);
  keys = expand_conversations (self, heads);
  before = self->keys->len;
  after = keys->len;
  /* New mail comes first, deletions are few: say only what moved. A
   * message read or unread stays in its place, and selected: its row
   * only changes (below). */
  while (same_start < MIN (before, after) &&
         same_place (&g_array_index (self->keys, SatchelMessageKey, same_start),
                     &g_array_index (keys, SatchelMessageKey, same_start)))
    same_start++;
  while (same_end < MIN (before, after) - same_start &&
         same_place (&g_array_index (self->keys, SatchelMessageKey, before - 1 - same_end),
                     &g_array_index (keys, SatchelMessageKey, after - 1 - same_end)))
    same_end++;
  g_array_unref (self->keys);
  self->keys = g_steal_pointer (&keys);
  g_hash_table_remove_all (self->pages);
  self->loaded = 0;

  /* The items still held take what the store has now. */
  held = g_ptr_array_new_with_free_func (g_object_unref);
  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (held, g_object_ref (value));
  for (guint i = 0; i < held->len; i++)
    {
      SatchelMessageItem *item = g_ptr_array_index (held, i);
      SatchelMessageRow *row = satchel_query_message (self->store, item->row->id, NULL);

      if (row == NULL)
        continue;   /* gone: its place went with it */
      g_hash_table_steal (self->items, &item->row->id);
      satchel_message_item_set_row (item, row);
      g_hash_table_insert (self->items, &item->row->id, item);
    }
  /* A closed conversation held by a view is unread as its messages are
   * now, which its own row does not say. */
  for (guint i = 0; held->len > 0 && i < self->keys->len; i++)
    {
      const SatchelMessageKey *key = &g_array_index (self->keys, SatchelMessageKey, i);
      SatchelMessageItem *item;

      if (key->count < 2 || key->depth != 0)
        continue;
      item = g_hash_table_lookup (self->items, &key->id);
      if (item != NULL && item->unread != key->unread)
        {
          item->unread = key->unread;
          g_object_notify_by_pspec (G_OBJECT (item), item_properties[ITEM_PROP_ROW]);
        }
    }

  if (same_start + same_end < MAX (before, after))
    g_list_model_items_changed (G_LIST_MODEL (self), same_start, before - same_start - same_end,
                                after - same_start - same_end);
  return TRUE;
}

gint64
satchel_message_list_get_folder (SatchelMessageList *self)
{
  g_return_val_if_fail (SATCHEL_IS_MESSAGE_LIST (self), 0);
  return self->folder_id;
}

/**
 * satchel_message_list_get_pages_loaded:
 *
 * Returns: how many pages of rows were read since the last reload (for
 *   the tests: rows are read only when asked for)
 */
guint
satchel_message_list_get_pages_loaded (SatchelMessageList *self)
{
  g_return_val_if_fail (SATCHEL_IS_MESSAGE_LIST (self), 0);
  return self->loaded;
}

static void
satchel_message_list_finalize (GObject *object)
{
  SatchelMessageList *self = SATCHEL_MESSAGE_LIST (object);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_object_weak_unref (value, item_gone_cb, self);
  g_hash_table_unref (self->items);
  g_clear_object (&self->store);
  g_array_unref (self->keys);
  g_hash_table_unref (self->pages);
  g_hash_table_unref (self->expanded);
  G_OBJECT_CLASS (satchel_message_list_parent_class)->finalize (object);
}

static void
satchel_message_list_class_init (SatchelMessageListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = satchel_message_list_finalize;
}

static void
satchel_message_list_init (SatchelMessageList *self)
{
  self->keys = g_array_new (FALSE, FALSE, sizeof (SatchelMessageKey));
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) page_free);
  self->items = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->expanded = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

/**
 * satchel_message_list_new:
 *
 * Returns: (transfer full): the folder's conversations, newest first, or an
 *   empty list when they cannot be read (with a warning)
 */
SatchelMessageList *
satchel_message_list_new (SatchelStore *store,
                          gint64        folder_id)
{
  SatchelMessageList *self;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (SATCHEL_IS_STORE (store), NULL);

  self = g_object_new (SATCHEL_TYPE_MESSAGE_LIST, NULL);
  self->store = g_object_ref (store);
  self->folder_id = folder_id;
  if (!satchel_message_list_reload (self, &error))
    g_warning ("The messages of a folder could not be read: %s", error->message);
  return self;
}
