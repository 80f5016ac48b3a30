-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Satchel store, version 12: a message being sent says which process
-- sends it (boot id, process id and start time, satchel-store-outbox.c),
-- so that another process (satchel-cli next to the window) leaves it
-- alone while that one lives, and calls it "unknown" only once it died.

ALTER TABLE outbox ADD COLUMN sender TEXT;
