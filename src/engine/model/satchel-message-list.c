/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-message-list.c: a folder's messages as a list model, read lazily
 *
 * Copyright 2026 The Satchel authors
 *
 * A GListModel of SatchelMessageItem for a GtkListView. On (re)load it
 * reads only each message's place in the list (date and id, from the
 * index), so that a folder of 100,000 messages knows its length at once;
 * the rows themselves are read a page of 128 at a time, when the view
 * asks for one of them, with one query from that page's first key. At
 * most 64 pages are kept; the oldest asked for goes first.
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
  return self;
}

const SatchelMessageRow *
satchel_message_item_get_row (SatchelMessageItem *self)
{
  g_return_val_if_fail (SATCHEL_IS_MESSAGE_ITEM (self), NULL);
  return self->row;
}

/* Takes @row; says so when what a view shows of it changed. */
static void
item_set_row (SatchelMessageItem *self,
              SatchelMessageRow  *row)
{
  const SatchelMessageRow *old = self->row;
  gboolean changed = old == NULL || old->flags != row->flags ||
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
  GPtrArray *rows;      /* SatchelMessageRow */
} Page;

struct _SatchelMessageList
{
  GObject       parent_instance;

  SatchelStore *store;
  gint64        folder_id;
  GArray       *keys;       /* SatchelMessageKey, in list order */
  GHashTable   *pages;      /* page number → Page */
  GHashTable   *items;      /* message id → SatchelMessageItem held elsewhere (weak) */
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
  const SatchelMessageKey *from = &g_array_index (self->keys, SatchelMessageKey,
                                                  number * PAGE_SIZE);
  Page *page;

  rows = satchel_query_message_page (self->store, self->folder_id, from, PAGE_SIZE, &error);
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
  if (item != NULL)
    return g_object_ref (item);

  page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (number));
  if (page == NULL)
    page = load_page (self, number);
  if (page == NULL || offset >= page->rows->len)
    return NULL;   /* gone from the store since the keys were read */
  page->used = ++self->clock;
  row = g_ptr_array_index (page->rows, offset);
  item = g_object_new (SATCHEL_TYPE_MESSAGE_ITEM, NULL);
  item_set_row (item, satchel_message_row_copy (row));
  g_hash_table_insert (self->items, &item->row->id, item);
  g_object_weak_ref (G_OBJECT (item), item_gone_cb, self);
  return item;
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
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
  g_autoptr(GArray) keys = NULL;
  g_autoptr(GPtrArray) held = NULL;
  GHashTableIter iter;
  gpointer value;
  guint before, after, same_start = 0, same_end = 0;

  g_return_val_if_fail (SATCHEL_IS_MESSAGE_LIST (self), FALSE);

  keys = satchel_query_message_keys (self->store, self->folder_id, error);
  if (keys == NULL)
    return FALSE;
  before = self->keys->len;
  after = keys->len;
  /* New mail comes first, deletions are few: say only what moved. */
  while (same_start < MIN (before, after) &&
         memcmp (&g_array_index (self->keys, SatchelMessageKey, same_start),
                 &g_array_index (keys, SatchelMessageKey, same_start),
                 sizeof (SatchelMessageKey)) == 0)
    same_start++;
  while (same_end < MIN (before, after) - same_start &&
         memcmp (&g_array_index (self->keys, SatchelMessageKey, before - 1 - same_end),
                 &g_array_index (keys, SatchelMessageKey, after - 1 - same_end),
                 sizeof (SatchelMessageKey)) == 0)
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
      item_set_row (item, row);
      g_hash_table_insert (self->items, &item->row->id, item);
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
}

/**
 * satchel_message_list_new:
 *
 * Returns: (transfer full): the folder's messages, newest first, or an
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
