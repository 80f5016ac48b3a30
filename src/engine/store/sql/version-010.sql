-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Satchel store, version 10: a conversation shown as one row of the list
-- is unread when any of its messages is, so the index that the list reads
-- before it shows any row also says which messages are unread.

DROP INDEX message_by_folder_date;
CREATE INDEX message_by_folder_date ON message (folder_id, date DESC, id DESC, thread_id, flags);
