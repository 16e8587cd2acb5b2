-- 0007: annex files (別紙) of advisories (情報提供様式 ◆情報提供の内容 別紙有無). A file is uploaded
-- by the national centre like any attachment (staged: no incident), then listed on a draft
-- advisory, which binds it: it is then neither staged nor available to an incident report.
-- An edit that drops it from the list releases it again; a sent advisory's files stay bound
-- (its row is immutable, so is the list).
ALTER TABLE attachments ADD COLUMN advisory_id INTEGER REFERENCES advisories(id);
CREATE INDEX attachments_advisory ON attachments(advisory_id, id) WHERE advisory_id IS NOT NULL;
-- What a sent advisory listed stays listed: its recipients keep downloading the same files.
CREATE TRIGGER attachments_sent_annex_stays BEFORE UPDATE OF advisory_id ON attachments
WHEN OLD.advisory_id IS NOT NULL AND
     (SELECT status FROM advisories WHERE id = OLD.advisory_id) = 'sent'
BEGIN SELECT RAISE(ABORT, 'annex files of a sent advisory stay bound'); END;
