-- Case data imported from the case-management system's export: pseudonymised rows (no
-- personal identity number is ever stored: person_key is a keyed hash), the computed
-- measure results with the case ids outside each limit, and the links that feed results
-- into self-inspection runs and indicator results.

CREATE TABLE case_import (
    id ID_PK,
    tenant_id BIGINT NOT NULL REFERENCES tenant (id),
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    files TEXT NOT NULL,
    checksum TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE case_record (
    id ID_PK,
    import_id BIGINT NOT NULL REFERENCES case_import (id) ON DELETE CASCADE,
    case_id TEXT NOT NULL,
    person_key TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES org_unit (id),
    target_group TEXT NOT NULL,
    aktualisering TEXT,
    forhandsbedomning TEXT,
    forhandsbedomning_beslut TEXT,
    utredning_start TEXT,
    utredning_slut TEXT,
    forlangning TEXT
);
CREATE INDEX case_record_import ON case_record (import_id);

CREATE TABLE intervention_record (
    id ID_PK,
    import_id BIGINT NOT NULL REFERENCES case_import (id) ON DELETE CASCADE,
    case_id TEXT NOT NULL,
    person_key TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES org_unit (id),
    insats TEXT NOT NULL,
    beslut TEXT,
    verkstallighet TEXT,
    start_on TEXT,
    end_on TEXT,
    planned_end TEXT,
    plan_on TEXT,
    plan_followed_up TEXT
);
CREATE INDEX intervention_record_import ON intervention_record (import_id);

CREATE TABLE contact_record (
    id ID_PK,
    import_id BIGINT NOT NULL REFERENCES case_import (id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES org_unit (id),
    first_contact TEXT,
    first_visit TEXT
);
CREATE INDEX contact_record_import ON contact_record (import_id);

CREATE TABLE measure_result (
    id ID_PK,
    import_id BIGINT NOT NULL REFERENCES case_import (id) ON DELETE CASCADE,
    measure TEXT NOT NULL,
    name TEXT NOT NULL,
    unit_id BIGINT REFERENCES org_unit (id),
    month TEXT,
    grp TEXT,
    numerator BIGINT,
    denominator BIGINT,
    value DOUBLE,
    ci_low DOUBLE,
    ci_high DOUBLE,
    extra TEXT NOT NULL
);
CREATE INDEX measure_result_import ON measure_result (import_id, measure);

CREATE TABLE measure_outside (
    result_id BIGINT NOT NULL REFERENCES measure_result (id) ON DELETE CASCADE,
    case_id TEXT NOT NULL
);
CREATE INDEX measure_outside_result ON measure_outside (result_id);

CREATE TABLE measure_link (
    id ID_PK,
    tenant_id BIGINT NOT NULL REFERENCES tenant (id),
    measure TEXT NOT NULL,
    self_inspection_id BIGINT REFERENCES self_inspection (id) ON DELETE CASCADE,
    indicator_id BIGINT REFERENCES indicator (id) ON DELETE CASCADE,
    approve_at DOUBLE,
    version BIGINT NOT NULL DEFAULT 1,
    CHECK ((self_inspection_id IS NULL) <> (indicator_id IS NULL))
);
