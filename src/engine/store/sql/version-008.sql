-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Satchel store, version 8: the message list shows conversations, so
-- what it reads of every message before it shows any (its place, and
-- now its conversation) comes from one index, without reading the rows.

DROP INDEX message_by_folder_date;
CREATE INDEX message_by_folder_date ON message (folder_id, date DESC, id DESC, thread_id);
