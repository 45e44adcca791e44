-- Imports of case data started in the browser (issue 18, F9): each upload becomes a job
-- whose state is kept here, so that whichever instance the browser asks can show how far
-- it has come (instances keep no state of their own). The job holds no case data: the
-- files' names, the period, how many rows have been read, and in the end either what
-- was stored (`summary`, JSON, with the import it made) or why nothing was (`problems`,
-- JSON: the first problems as file:row:column texts, which never hold a person id, and
-- how many there were in all). `updated_at` (Unix seconds) moves while the job runs; a
-- job not finished whose time stands still was cut off (its instance stopped).
CREATE TABLE case_import_job (
    id ID_PK,
    tenant_id BIGINT NOT NULL REFERENCES tenant (id),
    account_id BIGINT NOT NULL REFERENCES account (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    phase TEXT NOT NULL,
    files TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    rows_read BIGINT NOT NULL DEFAULT 0,
    import_id BIGINT REFERENCES case_import (id) ON DELETE SET NULL,
    summary TEXT NOT NULL DEFAULT '',
    problems TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_import_job_tenant ON case_import_job (tenant_id, id);
