-- 0006: information dissemination (情報発信), domain.md §6.3–6.4 and docs/design-dissemination.md:
-- advisories (情報提供, 第N報 under one identification number), the inbox of every organisation
-- (advisories, released products and council messages delivered to it, with relays and
-- acknowledgments), and council channels (one-to-one threads and working groups).
-- Times are Unix milliseconds (UTC).

-- Identification numbers of advisory series, one sequence per year (Japan time) of creation.
CREATE TABLE advisory_ident_seq (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

-- One row per advisory (第N報). A series shares ident; number counts within it. Sent rows are
-- immutable (trigger): what recipients were sent is what they keep reading.
CREATE TABLE advisories (
    id              INTEGER PRIMARY KEY,
    ident           TEXT    NOT NULL,                     -- e.g. AD-2026-000001
    number          INTEGER NOT NULL CHECK (number >= 1), -- 第N報
    follows_id      INTEGER REFERENCES advisories(id),    -- the previous advisory of the series
    status          TEXT    NOT NULL CHECK (status IN ('draft', 'sent')),
    sender_org      INTEGER NOT NULL REFERENCES orgs(id), -- the national centre
    tlp             INTEGER NOT NULL,                     -- enum pol_tlp
    severity        TEXT    NOT NULL DEFAULT '',          -- alert | warning | reference | ''
    sectors         INTEGER NOT NULL,                     -- recipient sectors (bit i = sector i)
    named           TEXT    NOT NULL DEFAULT '[]',        -- JSON array of addressed org ids
    title           TEXT    NOT NULL,
    body            TEXT    NOT NULL,                     -- normalised form answers (JSON)
    labels          TEXT    NOT NULL DEFAULT '{}',        -- pointer → [label] (tier.h)
    source_incident INTEGER NOT NULL DEFAULT 0,           -- the report it was built from, 0: none
    source_report   INTEGER NOT NULL DEFAULT 0,
    agreement       TEXT    NOT NULL DEFAULT '',          -- the source's agreement to widen (JSON)
    created_ms      INTEGER NOT NULL,
    created_by      INTEGER NOT NULL,
    updated_ms      INTEGER NOT NULL,
    sent_ms         INTEGER NOT NULL DEFAULT 0,
    sent_by         INTEGER NOT NULL DEFAULT 0,
    direct          INTEGER NOT NULL DEFAULT 0,           -- sent straight to the whole audience
    version         INTEGER NOT NULL DEFAULT 1,
    UNIQUE (ident, number)
);
-- The public feed's candidates, newest first: sent TLP:CLEAR advisories, and released
-- publication-tier TLP:CLEAR products (the products table is migration 0005's).
CREATE INDEX products_public ON products(released_ms, id)
    WHERE status = 'released' AND tier = 'publication' AND tlp = 0;
CREATE INDEX advisories_public ON advisories(sent_ms) WHERE status = 'sent' AND tlp = 0;
CREATE TRIGGER advisories_sent_no_update BEFORE UPDATE ON advisories WHEN OLD.status = 'sent'
BEGIN SELECT RAISE(ABORT, 'sent advisories are immutable'); END;
CREATE TRIGGER advisories_sent_no_delete BEFORE DELETE ON advisories WHEN OLD.status = 'sent'
BEGIN SELECT RAISE(ABORT, 'sent advisories are immutable'); END;

-- What reached an organisation. One row per (object, organisation): a second relay of the same
-- advisory to an organisation that holds it changes nothing (INSERT OR IGNORE).
CREATE TABLE inbox_items (
    id               INTEGER PRIMARY KEY,
    org_id           INTEGER NOT NULL REFERENCES orgs(id),
    kind             TEXT    NOT NULL CHECK (kind IN ('advisory', 'product', 'message')),
    object_id        INTEGER NOT NULL,
    delivered_ms     INTEGER NOT NULL,
    relayed_from_org INTEGER NOT NULL DEFAULT 0,          -- the ministry/CEPTOAR that relayed it
    relayed_by       INTEGER NOT NULL DEFAULT 0,          -- its user
    ack              TEXT    CHECK (ack IN ('read', 'actioned', 'not_applicable')),
    ack_ms           INTEGER NOT NULL DEFAULT 0,
    ack_by           INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, object_id, org_id)                      -- also the sender's view
);
CREATE INDEX inbox_org ON inbox_items(org_id, id);        -- the inbox, newest first by id
CREATE INDEX inbox_org_kind ON inbox_items(org_id, kind, id, object_id); -- by kind; covers held lists

-- Council channels: a one-to-one thread (the centre and one organisation) or a working group.
CREATE TABLE threads (
    id         INTEGER PRIMARY KEY,
    owner_org  INTEGER NOT NULL REFERENCES orgs(id),
    grp        INTEGER NOT NULL CHECK (grp IN (0, 1)),
    title      TEXT    NOT NULL,
    created_ms INTEGER NOT NULL,
    created_by INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE thread_members (
    thread_id INTEGER NOT NULL REFERENCES threads(id),
    org_id    INTEGER NOT NULL REFERENCES orgs(id),
    added_ms  INTEGER NOT NULL,
    added_by  INTEGER NOT NULL,
    PRIMARY KEY (thread_id, org_id)
);
CREATE INDEX thread_members_org ON thread_members(org_id, thread_id);

-- Messages are append-only.
CREATE TABLE messages (
    id          INTEGER PRIMARY KEY,
    thread_id   INTEGER NOT NULL REFERENCES threads(id),
    sender_org  INTEGER NOT NULL REFERENCES orgs(id),
    sender_user INTEGER NOT NULL,
    tlp         INTEGER NOT NULL,
    labels      INTEGER NOT NULL DEFAULT 0,               -- enum pol_label bits
    body        TEXT    NOT NULL,
    created_ms  INTEGER NOT NULL
);
CREATE INDEX messages_thread ON messages(thread_id, id);
CREATE TRIGGER messages_no_update BEFORE UPDATE ON messages
BEGIN SELECT RAISE(ABORT, 'messages are append-only'); END;
CREATE TRIGGER messages_no_delete BEFORE DELETE ON messages
BEGIN SELECT RAISE(ABORT, 'messages are append-only'); END;
