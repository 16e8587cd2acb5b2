-- 0005: analysis products (総合整理分析情報), domain.md §6.2 and docs/design-dissemination.md.
-- A product is a body (JSON) with a label map beside it (RFC 6901 pointer → label names) at one
-- of three tiers. Derivation makes a new draft (parent_id) at a lower tier; release runs the
-- tier gate and freezes the row. Times are Unix milliseconds (UTC).

CREATE TABLE products (
    id          INTEGER PRIMARY KEY,
    tier        TEXT    NOT NULL CHECK (tier IN ('comprehensive', 'provision', 'publication')),
    parent_id   INTEGER REFERENCES products(id),            -- NULL: not derived
    status      TEXT    NOT NULL CHECK (status IN ('draft', 'released')),
    owner_org   INTEGER NOT NULL REFERENCES orgs(id),       -- the national centre
    tlp         INTEGER NOT NULL,                           -- enum pol_tlp
    sectors     INTEGER NOT NULL DEFAULT 0,                 -- bit i = sector i of data/sectors.json
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL,                           -- JSON
    labels      TEXT    NOT NULL,                           -- JSON object: pointer → [label]
    created_ms  INTEGER NOT NULL,
    created_by  INTEGER NOT NULL,
    updated_ms  INTEGER NOT NULL,
    released_ms INTEGER NOT NULL DEFAULT 0,
    released_by INTEGER NOT NULL DEFAULT 0,
    version     INTEGER NOT NULL DEFAULT 1                  -- optimistic concurrency
);
CREATE INDEX products_parent ON products(parent_id) WHERE parent_id IS NOT NULL;

-- Released products are immutable: what was released is what readers saw.
CREATE TRIGGER products_released_no_update BEFORE UPDATE ON products WHEN OLD.status = 'released'
BEGIN SELECT RAISE(ABORT, 'released products are immutable'); END;
CREATE TRIGGER products_released_no_delete BEFORE DELETE ON products WHEN OLD.status = 'released'
BEGIN SELECT RAISE(ABORT, 'released products are immutable'); END;
