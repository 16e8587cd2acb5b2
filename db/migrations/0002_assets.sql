-- 0002: the registry of specific critical computers (特定重要電子計算機の届出), domain.md §4.
-- Filed versions are append-only (triggers below); `assets` is the index over them plus the
-- operator's pending draft, which is not a filing and may change until it is filed.
-- Dates are "YYYY-MM-DD" (Japan); times are Unix milliseconds (UTC).

CREATE TABLE delegations (
    id           INTEGER PRIMARY KEY,
    operator_org INTEGER NOT NULL REFERENCES orgs(id),
    vendor_org   INTEGER NOT NULL REFERENCES orgs(id),
    granted_by   INTEGER NOT NULL,
    granted_ms   INTEGER NOT NULL,
    revoked_by   INTEGER NOT NULL DEFAULT 0,
    revoked_ms   INTEGER NOT NULL DEFAULT 0,
    note         TEXT    NOT NULL DEFAULT ''
);
-- At most one active delegation per operator and vendor.
CREATE UNIQUE INDEX delegations_active ON delegations(operator_org, vendor_org)
    WHERE revoked_ms = 0;
CREATE INDEX delegations_vendor ON delegations(vendor_org);

CREATE TABLE asset_submissions (
    id                   INTEGER PRIMARY KEY,
    org_id               INTEGER NOT NULL REFERENCES orgs(id), -- the operator filed for
    filed_by_user        INTEGER NOT NULL,
    filed_by_org         INTEGER NOT NULL,                     -- operator, or the vendor
    delegation_id        INTEGER NOT NULL DEFAULT 0,           -- 0: filed by the operator
    kind                 TEXT    NOT NULL CHECK (kind IN ('single', 'inventory')),
    filed_ms             INTEGER NOT NULL,
    ministry_received_ms INTEGER NOT NULL DEFAULT 0,
    ministry_received_by INTEGER NOT NULL DEFAULT 0,
    nc_notified_ms       INTEGER NOT NULL DEFAULT 0,
    nc_notified_by       INTEGER NOT NULL DEFAULT 0,
    added                INTEGER NOT NULL DEFAULT 0,
    changed              INTEGER NOT NULL DEFAULT 0,
    retired              INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX asset_submissions_org ON asset_submissions(org_id, id);

CREATE TABLE assets (
    id             INTEGER PRIMARY KEY,
    org_id         INTEGER NOT NULL REFERENCES orgs(id),
    ref            TEXT    NOT NULL,
    created_ms     INTEGER NOT NULL,
    head_version   INTEGER NOT NULL DEFAULT 0, -- newest filed version; 0: only a draft so far
    live           INTEGER NOT NULL DEFAULT 1, -- 0 once a retirement is filed
    categories     INTEGER NOT NULL DEFAULT 0, -- of the newest filed version (bit 0 = A)
    draft_kind     TEXT    CHECK (draft_kind IN ('new', 'change', 'retire')),
    draft_body     TEXT,
    draft_deadline TEXT,                       -- NULL: cannot be computed yet
    draft_ms       INTEGER NOT NULL DEFAULT 0,
    draft_by_org   INTEGER NOT NULL DEFAULT 0
);
-- A management number names one live computer of an organisation.
CREATE UNIQUE INDEX assets_live_ref ON assets(org_id, ref) WHERE live = 1;
CREATE INDEX assets_org ON assets(org_id, id);
CREATE INDEX assets_drafts ON assets(draft_deadline) WHERE draft_kind IS NOT NULL;

CREATE TABLE asset_versions (
    id            INTEGER PRIMARY KEY,
    asset_id      INTEGER NOT NULL REFERENCES assets(id),
    version       INTEGER NOT NULL,
    submission_id INTEGER NOT NULL REFERENCES asset_submissions(id),
    filed_by_org  INTEGER NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('new', 'change', 'retire')),
    valid_from_ms INTEGER NOT NULL,
    deadline      TEXT,                        -- NULL: could not be computed at filing
    filed_on      TEXT    NOT NULL,            -- the filing day in Japan
    late          INTEGER NOT NULL DEFAULT 0,
    body          TEXT    NOT NULL,            -- canonical entry (src/domain/asset.h)
    changes       TEXT    NOT NULL DEFAULT '[]', -- field-level diff from the previous version
    UNIQUE (asset_id, version)
);
CREATE INDEX asset_versions_submission ON asset_versions(submission_id);
CREATE INDEX asset_versions_late ON asset_versions(asset_id) WHERE late = 1;
CREATE TRIGGER asset_versions_no_update BEFORE UPDATE ON asset_versions
BEGIN SELECT RAISE(ABORT, 'filed versions are append-only'); END;
CREATE TRIGGER asset_versions_no_delete BEFORE DELETE ON asset_versions
BEGIN SELECT RAISE(ABORT, 'filed versions are append-only'); END;

-- Per-operator counters kept by the writer in the filing's transaction, so that the filing
-- status of hundreds of operators is one small read, not a pass over every version.
CREATE TABLE asset_org_counts (
    org_id     INTEGER PRIMARY KEY REFERENCES orgs(id),
    live       INTEGER NOT NULL DEFAULT 0,
    retired    INTEGER NOT NULL DEFAULT 0,
    versions   INTEGER NOT NULL DEFAULT 0,
    filed_late INTEGER NOT NULL DEFAULT 0
);

-- Products of each filed version, names exactly as filed plus the normalised identities; the
-- vulnerability matcher looks up (cpe vendor, cpe product).
CREATE TABLE asset_products (
    version_id   INTEGER NOT NULL REFERENCES asset_versions(id),
    idx          INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    manufacturer TEXT    NOT NULL,
    version      TEXT,
    cpe          TEXT,
    cpe_vendor   TEXT,
    cpe_product  TEXT,
    purl         TEXT,
    PRIMARY KEY (version_id, idx)
) WITHOUT ROWID;
CREATE INDEX asset_products_cpe ON asset_products(cpe_vendor, cpe_product);
CREATE TRIGGER asset_products_no_update BEFORE UPDATE ON asset_products
BEGIN SELECT RAISE(ABORT, 'filed versions are append-only'); END;
CREATE TRIGGER asset_products_no_delete BEFORE DELETE ON asset_products
BEGIN SELECT RAISE(ABORT, 'filed versions are append-only'); END;
