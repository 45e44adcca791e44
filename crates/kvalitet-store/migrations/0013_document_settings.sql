-- Page furniture of the board documents (issue 16): what surrounds their text.
--
-- Per org unit, the board's name and the logo (SVG or PNG, as uploaded by an
-- administrator, with its text alternative): the top unit's are the municipality's, a
-- unit below overrides them for the documents of its part of the tree. An empty board
-- name or no logo means "not set here" (the nearest unit above that has one applies).
CREATE TABLE document_unit_settings (
    id ID_PK,
    tenant_id BIGINT NOT NULL REFERENCES tenant (id),
    unit_id BIGINT NOT NULL UNIQUE REFERENCES org_unit (id),
    board TEXT NOT NULL,
    -- 'svg' or 'png'; the file's bytes and their SHA-256 (lower-case hex).
    logo_format TEXT,
    logo BYTES,
    logo_sha256 TEXT,
    logo_alt TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    CHECK ((logo IS NULL) = (logo_format IS NULL))
);
CREATE INDEX document_unit_settings_tenant ON document_unit_settings (tenant_id);

-- Per document (kind 'plan', 'follow-up' or 'report', year, scope): the board's
-- reference (diarienummer), the date of the board meeting and the document's status
-- in words. A stored version of a decided document (document_version) keeps what these
-- were when it was stored.
CREATE TABLE document_details (
    id ID_PK,
    tenant_id BIGINT NOT NULL REFERENCES tenant (id),
    kind TEXT NOT NULL,
    year BIGINT NOT NULL,
    scope_id BIGINT NOT NULL REFERENCES org_unit (id),
    reference TEXT NOT NULL,
    meeting_on TEXT,
    status TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (tenant_id, kind, year, scope_id)
);
