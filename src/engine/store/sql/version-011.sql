-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Satchel store, version 11: an account has a colour the user chose
-- (#rrggbb), to tell its mail apart; NULL is none.

ALTER TABLE account ADD COLUMN color TEXT CHECK (color IS NULL OR color GLOB '#[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]');
