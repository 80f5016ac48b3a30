-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Satchel store, version 3: a cached body's text is indexed after the body
-- is stored, not while it is (reading the text out of the MIME structure
-- costs more than fetching it); "indexed" says which are done.

ALTER TABLE body ADD COLUMN indexed INTEGER NOT NULL DEFAULT 0;
UPDATE body SET indexed = 1;
CREATE INDEX body_to_index ON body (message_id) WHERE indexed = 0;

-- No index on thread_id: thread ids are hashes, so every insert landed on
-- a random page of it, and it cost a sync more than the message rows
-- themselves. Conversations are grouped within a folder's list, which
-- reads the folder anyway.
DROP INDEX message_by_thread;
