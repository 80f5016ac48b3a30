-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Satchel store, version 1: the whole schema of the first release.
-- Never edit a migration that has landed; add version-NNN.sql instead.

-- One row per configured account. No secrets: passwords live in the keyring.
CREATE TABLE account (
  id                  INTEGER PRIMARY KEY,
  uuid                TEXT NOT NULL UNIQUE,
  position            INTEGER NOT NULL DEFAULT 0,
  label               TEXT NOT NULL,
  real_name           TEXT NOT NULL DEFAULT '',
  email               TEXT NOT NULL,
  kind                TEXT NOT NULL CHECK (kind IN ('imap', 'pop3')),
  host                TEXT NOT NULL,
  port                INTEGER NOT NULL DEFAULT 0 CHECK (port BETWEEN 0 AND 65535),
  security            TEXT NOT NULL CHECK (security IN ('tls', 'starttls', 'none')),
  user                TEXT NOT NULL,
  smtp_host           TEXT,
  smtp_port           INTEGER NOT NULL DEFAULT 0 CHECK (smtp_port BETWEEN 0 AND 65535),
  smtp_security       TEXT NOT NULL DEFAULT 'tls'
                      CHECK (smtp_security IN ('tls', 'starttls', 'none')),
  smtp_user           TEXT,
  keep_offline        INTEGER NOT NULL DEFAULT 0,
  leave_on_server     INTEGER NOT NULL DEFAULT 1,
  delete_after        INTEGER NOT NULL DEFAULT 0,
  delete_after_days   INTEGER NOT NULL DEFAULT 14 CHECK (delete_after_days >= 1),
  delete_when_deleted INTEGER NOT NULL DEFAULT 0,
  ca_file             TEXT,
  check_interval      INTEGER NOT NULL DEFAULT 10 CHECK (check_interval >= 1),
  created             INTEGER NOT NULL
);

-- Server folders (IMAP) and local folders (POP3, and local-only ones).
CREATE TABLE folder (
  id             INTEGER PRIMARY KEY,
  account_id     INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
  name           TEXT NOT NULL,
  wire_name      BLOB,
  delimiter      TEXT,
  role           TEXT CHECK (role IN ('inbox', 'sent', 'drafts', 'trash', 'junk', 'archive')),
  subscribed     INTEGER NOT NULL DEFAULT 1,
  selectable     INTEGER NOT NULL DEFAULT 1,
  local_only     INTEGER NOT NULL DEFAULT 0,
  uidvalidity    INTEGER,
  uidnext        INTEGER,
  highestmodseq  INTEGER,
  UNIQUE (account_id, name)
);

-- Message summaries. flags is a bit set (see satchel-store.h); other
-- keywords are kept as space-separated atoms.
CREATE TABLE message (
  id              INTEGER PRIMARY KEY,
  folder_id       INTEGER NOT NULL REFERENCES folder (id) ON DELETE CASCADE,
  uid             INTEGER,
  uidl            TEXT,
  message_id      TEXT,
  in_reply_to     TEXT,
  refs            TEXT,
  thread_id       INTEGER,
  subject         TEXT NOT NULL DEFAULT '',
  sender          TEXT NOT NULL DEFAULT '',
  recipients_to   TEXT NOT NULL DEFAULT '',
  recipients_cc   TEXT NOT NULL DEFAULT '',
  date            INTEGER NOT NULL DEFAULT 0,
  internal_date   INTEGER NOT NULL DEFAULT 0,
  size            INTEGER NOT NULL DEFAULT 0,
  flags           INTEGER NOT NULL DEFAULT 0,
  keywords        TEXT,
  modseq          INTEGER,
  has_attachments INTEGER NOT NULL DEFAULT 0,
  preview         TEXT,
  body_cached     INTEGER NOT NULL DEFAULT 0,
  UNIQUE (folder_id, uid)
);
CREATE INDEX message_by_folder_date ON message (folder_id, date DESC, id DESC);
CREATE INDEX message_by_message_id ON message (message_id);
CREATE INDEX message_by_thread ON message (thread_id);

-- The raw RFC 5322 message, exactly as received.
CREATE TABLE body (
  message_id INTEGER PRIMARY KEY REFERENCES message (id) ON DELETE CASCADE,
  raw        BLOB NOT NULL
);

-- Full-text index; rowid is message.id.
CREATE VIRTUAL TABLE message_fts USING fts5 (
  subject, addresses, body,
  tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER message_fts_delete AFTER DELETE ON message BEGIN
  DELETE FROM message_fts WHERE rowid = old.id;
END;

-- Local changes not yet confirmed by the server, replayed in id order.
CREATE TABLE pending_op (
  id          INTEGER PRIMARY KEY,
  account_id  INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
  op          TEXT NOT NULL,
  folder      TEXT,
  uidvalidity INTEGER,
  uids        TEXT,
  arg         TEXT,
  arg2        TEXT,
  attempts    INTEGER NOT NULL DEFAULT 0,
  last_error  TEXT,
  created     INTEGER NOT NULL
);
CREATE INDEX pending_op_by_account ON pending_op (account_id, id);

-- Messages waiting to be sent.
CREATE TABLE outbox (
  id           INTEGER PRIMARY KEY,
  account_id   INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
  raw          BLOB NOT NULL,
  subject      TEXT NOT NULL DEFAULT '',
  mail_from    TEXT NOT NULL,
  recipients   TEXT NOT NULL,
  state        TEXT NOT NULL DEFAULT 'queued'
               CHECK (state IN ('queued', 'sending', 'failed', 'unknown')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  last_error   TEXT,
  next_attempt INTEGER NOT NULL DEFAULT 0,
  created      INTEGER NOT NULL
);

-- POP3 messages already downloaded, keyed by UIDL.
CREATE TABLE pop3_uidl (
  account_id        INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
  uidl              TEXT NOT NULL,
  message           INTEGER REFERENCES message (id) ON DELETE SET NULL,
  downloaded        INTEGER NOT NULL,
  deleted_locally   INTEGER NOT NULL DEFAULT 0,
  deleted_on_server INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, uidl)
);

-- Certificates the user chose to trust, for one host and port each.
CREATE TABLE cert_pin (
  host    TEXT NOT NULL,
  port    INTEGER NOT NULL,
  sha256  TEXT NOT NULL,
  pem     TEXT,
  added   INTEGER NOT NULL,
  PRIMARY KEY (host, port)
);

-- Addresses seen in mail sent and received, for completion.
CREATE TABLE contact (
  id             INTEGER PRIMARY KEY,
  address        TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name           TEXT NOT NULL DEFAULT '',
  times_sent     INTEGER NOT NULL DEFAULT 0,
  times_received INTEGER NOT NULL DEFAULT 0,
  last_seen      INTEGER NOT NULL DEFAULT 0
);
