-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Satchel store, version 2: queued changes know the local message they
-- are about (its UID may be learnt only when an earlier change reaches
-- the server) and its Message-ID (to find it again after a UIDVALIDITY
-- change).

ALTER TABLE pending_op ADD COLUMN local_id INTEGER;
ALTER TABLE pending_op ADD COLUMN message_ids TEXT;
