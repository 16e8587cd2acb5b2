-- 0001: organisations, users, credentials and the audit chain.
-- Times are Unix milliseconds (UTC). Sector sets are 64-bit masks over data/sectors.json order.

CREATE TABLE orgs (
    id                        INTEGER PRIMARY KEY,
    type                      TEXT    NOT NULL,
    name_ja                   TEXT    NOT NULL,
    name_en                   TEXT    NOT NULL DEFAULT '',
    corporate_number          TEXT    UNIQUE,
    sectors                   INTEGER NOT NULL DEFAULT 0,
    ministry                  TEXT    UNIQUE,
    council                   TEXT    NOT NULL DEFAULT 'none'
                                      CHECK (council IN ('none', 'friend', 'member')),
    council_consent_date      TEXT,
    confidentiality_agreement TEXT,
    designated                INTEGER NOT NULL DEFAULT 0,
    created_ms                INTEGER NOT NULL,
    updated_ms                INTEGER NOT NULL,
    version                   INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES orgs(id),
    username        TEXT    NOT NULL UNIQUE,
    display_name    TEXT    NOT NULL,
    pw_hash         TEXT    NOT NULL,
    roles           INTEGER NOT NULL,
    contractor      INTEGER NOT NULL DEFAULT 0,
    disabled        INTEGER NOT NULL DEFAULT 0,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until_ms INTEGER NOT NULL DEFAULT 0,
    created_ms      INTEGER NOT NULL,
    updated_ms      INTEGER NOT NULL
);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE sessions (
    id         INTEGER PRIMARY KEY,
    token_hash BLOB    NOT NULL UNIQUE,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    csrf       TEXT    NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    revoked_ms INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY,
    token_hash BLOB    NOT NULL UNIQUE,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    name       TEXT    NOT NULL,
    roles      INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    revoked_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tokens_user ON tokens(user_id);

-- Append-only, hash-chained. The triggers stop accidental changes through SQL; the chain
-- (and audit_head, which catches truncation) is what detects deliberate tampering.
CREATE TABLE audit (
    seq        INTEGER PRIMARY KEY,
    ts_ms      INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    org_id     INTEGER NOT NULL,
    action     TEXT    NOT NULL,
    object     TEXT    NOT NULL,
    request_id TEXT    NOT NULL,
    detail     TEXT    NOT NULL,
    prev_hash  BLOB    NOT NULL,
    hash       BLOB    NOT NULL
);
CREATE INDEX audit_org ON audit(org_id, seq);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash BLOB    NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, zeroblob(32));
