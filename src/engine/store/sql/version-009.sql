-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Satchel store, version 9: the full-text index keeps no copy of what it
-- indexes. Subject and addresses are in message already and a cached
-- body's text now stays in body.text, so the index reads them through a
-- view when it must (to take a message out). A sync then writes each
-- header once, not twice. Nothing ranks by length: no column sizes.
--
-- The rule that keeps the index true: what it holds for a message is
-- what message_fts_source says of it. A message is indexed in the
-- transaction that adds it; its entry is taken out before the message
-- goes (the trigger) and before body.text changes (the store's code).

ALTER TABLE body ADD COLUMN text TEXT;

DROP TRIGGER message_fts_delete;
DROP TABLE message_fts;

CREATE VIEW message_fts_source AS
  SELECT m.id AS id, m.subject AS subject,
         m.sender || ' ' || m.recipients_to || ' ' || m.recipients_cc AS addresses,
         coalesce (b.text, '') AS body
  FROM message m LEFT JOIN body b ON b.message_id = m.id;

CREATE VIRTUAL TABLE message_fts USING fts5 (
  subject, addresses, body,
  content = 'message_fts_source', content_rowid = 'id', columnsize = 0,
  tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO message_fts (message_fts) VALUES ('rebuild');

CREATE TRIGGER message_fts_delete BEFORE DELETE ON message BEGIN
  DELETE FROM message_fts WHERE rowid = old.id;
END;

-- The texts of cached bodies went with the old index: the indexer reads
-- them again.
UPDATE body SET indexed = 0;
