-- 0004: incident reporting (インシデント報告), domain.md §5. An incident is the case; its reports
-- (第1報, 第2報, …) are append-only (triggers below). One submission is routed to every recipient
-- (the ministries of the incident's sectors and the national centre), each with its own
-- received and acknowledged times. Times are Unix milliseconds (UTC); dates "YYYY-MM-DD" (Japan).

-- The national centre's identification numbers (識別番号), one sequence per year of receipt.
CREATE TABLE incident_ident_seq (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE incidents (
    id               INTEGER PRIMARY KEY,
    ident            TEXT    NOT NULL UNIQUE,           -- e.g. NC-2026-000001
    reporter_org     INTEGER NOT NULL REFERENCES orgs(id),
    relay_org        INTEGER NOT NULL DEFAULT 0,        -- CEPTOAR that relayed; 0: none
    anonymised       INTEGER NOT NULL DEFAULT 0,
    form             TEXT    NOT NULL,
    sectors          INTEGER NOT NULL,                  -- bit i = sector i of data/sectors.json
    recipients       TEXT    NOT NULL,                  -- org ids, comma-separated
    tlp              INTEGER NOT NULL,                  -- of the latest report (enum pol_tlp)
    severity         TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('open', 'closed')),
    reports          INTEGER NOT NULL,                  -- the latest report's number
    created_ms       INTEGER NOT NULL,
    updated_ms       INTEGER NOT NULL,
    aware_ms         INTEGER NOT NULL,
    hosting          TEXT    NOT NULL,
    awareness_source TEXT    NOT NULL,
    detailed_due     TEXT,                              -- NULL: could not be computed
    detailed_due_ms  INTEGER NOT NULL DEFAULT 0,
    quick_target_ms  INTEGER NOT NULL DEFAULT 0,
    quick_ms         INTEGER NOT NULL DEFAULT 0,        -- the first report (it answers "promptly")
    detailed_ms      INTEGER NOT NULL DEFAULT 0,        -- first detailed report; 0: none
    event_class      TEXT    NOT NULL,
    categories       INTEGER NOT NULL DEFAULT 0,        -- of the linked registered computers
    reportable       TEXT    NOT NULL,                  -- 'reportable' | 'voluntary'
    reason           TEXT    NOT NULL
);
CREATE INDEX incidents_reporter ON incidents(reporter_org, id);
CREATE INDEX incidents_open_due ON incidents(detailed_due) WHERE detailed_ms = 0;

CREATE TABLE incident_reports (
    id            INTEGER PRIMARY KEY,
    incident_id   INTEGER NOT NULL REFERENCES incidents(id),
    number        INTEGER NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('quick', 'detailed', 'follow_up')),
    form          TEXT    NOT NULL,
    form_version  INTEGER NOT NULL,
    tlp           INTEGER NOT NULL,
    severity      TEXT    NOT NULL,
    opt_out       INTEGER NOT NULL DEFAULT 0,           -- opted-out groups (bit per group)
    filed_by_user INTEGER NOT NULL,
    filed_by_org  INTEGER NOT NULL,
    filed_ms      INTEGER NOT NULL,
    body          TEXT    NOT NULL,                     -- the normalised report (envelope)
    changes       TEXT    NOT NULL,                     -- field-level diff from the previous
    UNIQUE (incident_id, number)
);
CREATE TRIGGER incident_reports_no_update BEFORE UPDATE ON incident_reports
BEGIN SELECT RAISE(ABORT, 'incident reports are append-only'); END;
CREATE TRIGGER incident_reports_no_delete BEFORE DELETE ON incident_reports
BEGIN SELECT RAISE(ABORT, 'incident reports are append-only'); END;

-- Routing: one row per report and recipient organisation.
CREATE TABLE report_routes (
    report_id   INTEGER NOT NULL REFERENCES incident_reports(id),
    org_id      INTEGER NOT NULL REFERENCES orgs(id),
    role        TEXT    NOT NULL CHECK (role IN ('ministry', 'national_centre')),
    received_ms INTEGER NOT NULL,
    acked_ms    INTEGER NOT NULL DEFAULT 0,
    acked_by    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (report_id, org_id)
) WITHOUT ROWID;
CREATE INDEX report_routes_pending ON report_routes(org_id, report_id) WHERE acked_ms = 0;

-- Registered computers an incident affects (the latest report's list).
CREATE TABLE incident_assets (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    asset_id    INTEGER NOT NULL REFERENCES assets(id),
    PRIMARY KEY (incident_id, asset_id)
) WITHOUT ROWID;

-- Files sent with reports. Uploaded first (incident_id NULL: staged by its organisation), bound
-- to the incident by the report that lists them.
CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER REFERENCES incidents(id),
    org_id      INTEGER NOT NULL REFERENCES orgs(id),   -- the uploader's organisation
    user_id     INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    media_type  TEXT    NOT NULL,
    role        TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT    NOT NULL,
    created_ms  INTEGER NOT NULL,
    indicators  TEXT,                                   -- parsed source-IP list (JSON)
    content     BLOB    NOT NULL
);
CREATE INDEX attachments_incident ON attachments(incident_id, id);
-- Files uploaded but not yet listed on a report, per organisation (bounded: see STAGED_MAX).
CREATE INDEX attachments_staged ON attachments(org_id) WHERE incident_id IS NULL;

CREATE TABLE report_attachments (
    report_id     INTEGER NOT NULL REFERENCES incident_reports(id),
    attachment_id INTEGER NOT NULL REFERENCES attachments(id),
    grp           TEXT    NOT NULL DEFAULT '',          -- opt-out group of the field naming it
    PRIMARY KEY (report_id, attachment_id)
) WITHOUT ROWID;
