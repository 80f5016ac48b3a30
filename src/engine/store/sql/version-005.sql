-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Satchel store, version 5: contacts keyed by their address alone. A
-- header sync notes the sender of every message that arrives; with the
-- address as the table's key, that is one B-tree to update instead of
-- the table and its UNIQUE index.

CREATE TABLE contact_by_address (
  address        TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
  name           TEXT NOT NULL DEFAULT '',
  times_sent     INTEGER NOT NULL DEFAULT 0,
  times_received INTEGER NOT NULL DEFAULT 0,
  last_seen      INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

INSERT INTO contact_by_address (address, name, times_sent, times_received, last_seen)
  SELECT address, name, times_sent, times_received, last_seen FROM contact;
DROP TABLE contact;
ALTER TABLE contact_by_address RENAME TO contact;
