-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Satchel store, version 7: conversations indexed again. Without this
-- index every reply that arrived before its parent (as in a newest-first
-- sync, nearly all of them) made the parent's insert read the whole
-- message table to move it (rethread()), and the reader read it whole to
-- show a conversation: a sync of 20,000 messages, half of them replies,
-- took 4.7 s instead of 1.2 s, and grew with the square of the folder.
CREATE INDEX message_by_thread ON message (thread_id);
