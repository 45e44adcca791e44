-- The board documents as they were at a decision: when a plan is adopted, when its
-- follow-up is recorded and when a report is submitted to the board, the documents of
-- that moment are stored here in every format, byte for byte, with their SHA-256. The
-- plan's Dokument page and the API serve them by default, so what the board adopted
-- stays what it adopted whatever changes in the live data afterwards. Rows are never
-- changed; they go only when the municipality is removed.
CREATE TABLE document_version (
    id ID_PK,
    tenant_id BIGINT NOT NULL REFERENCES tenant (id),
    -- The org unit the document covers (its plan's or report's scope) and the year.
    scope_id BIGINT NOT NULL REFERENCES org_unit (id),
    year BIGINT NOT NULL,
    -- The plan or report whose decision this is (one of the two).
    plan_id BIGINT REFERENCES quality_plan (id),
    report_id BIGINT REFERENCES quality_report (id),
    -- 'plan', 'follow-up' or 'report'; 'docx', 'html' or 'pdf'.
    kind TEXT NOT NULL,
    format TEXT NOT NULL,
    -- 'adopted', 'followed_up' or 'submitted', the board's date and reference.
    decision TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    board_reference TEXT NOT NULL,
    content BYTES NOT NULL,
    -- SHA-256 of content, lower-case hex.
    sha256 TEXT NOT NULL,
    -- Who recorded the decision (the account, and its name as it was), and when (UTC).
    stored_by BIGINT REFERENCES account (id),
    stored_by_name TEXT NOT NULL,
    stored_at TEXT NOT NULL,
    CHECK ((plan_id IS NULL) <> (report_id IS NULL))
);
CREATE INDEX document_version_find ON document_version (tenant_id, scope_id, year, kind, format);
CREATE INDEX document_version_plan ON document_version (plan_id);
CREATE INDEX document_version_report ON document_version (report_id);
