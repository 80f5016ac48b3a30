-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Satchel store, version 6: the senders whose mail may load remote
-- content (images, style sheets, fonts) without asking, as the user chose
-- with "Always Show From This Sender".

CREATE TABLE remote_content_sender (
  address TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
  added   INTEGER NOT NULL
) WITHOUT ROWID;
