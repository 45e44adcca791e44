-- The initial schema. Written once for both backends: the tokens ID_PK (an
-- auto-increment primary key) and DOUBLE (a float column) are replaced per backend in
-- src/backend.rs, the one place where the backends' DDL differs. Dates are TEXT
-- 'YYYY-MM-DD', timestamps TEXT RFC 3339 UTC, booleans BIGINT 0/1, JSON TEXT.
-- Every editable record has a version for optimistic concurrency.

CREATE TABLE tenant (
    id ID_PK,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    brand_colour TEXT NOT NULL,
    risk_matrix TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE org_unit (
    id ID_PK,
    tenant_id BIGINT NOT NULL REFERENCES tenant (id),
    parent_id BIGINT REFERENCES org_unit (id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    capacity BIGINT,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX org_unit_parent ON org_unit (parent_id);

CREATE TABLE target_group (
    id ID_PK,
    tenant_id BIGINT NOT NULL REFERENCES tenant (id),
    name TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE process_area (
    id ID_PK,
    tenant_id BIGINT NOT NULL REFERENCES tenant (id),
    name TEXT NOT NULL,
    sort_order BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE quality_factor (
    id ID_PK,
    tenant_id BIGINT NOT NULL REFERENCES tenant (id),
    number BIGINT NOT NULL,
    name TEXT NOT NULL,
    alias TEXT,
    description TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (tenant_id, number)
);

CREATE TABLE quality_plan (
    id ID_PK,
    tenant_id BIGINT NOT NULL REFERENCES tenant (id),
    scope_id BIGINT NOT NULL REFERENCES org_unit (id),
    year BIGINT NOT NULL,
    title TEXT NOT NULL,
    state TEXT NOT NULL,
    adopted_on TEXT,
    board_reference TEXT,
    followed_up_on TEXT,
    previous_plan_id BIGINT REFERENCES quality_plan (id),
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (scope_id, year)
);

CREATE TABLE quality_report (
    id ID_PK,
    tenant_id BIGINT NOT NULL REFERENCES tenant (id),
    scope_id BIGINT NOT NULL REFERENCES org_unit (id),
    year BIGINT NOT NULL,
    title TEXT NOT NULL,
    state TEXT NOT NULL,
    submitted_on TEXT,
    board_reference TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (scope_id, year)
);

CREATE TABLE section (
    id ID_PK,
    plan_id BIGINT REFERENCES quality_plan (id) ON DELETE CASCADE,
    report_id BIGINT REFERENCES quality_report (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    heading TEXT NOT NULL,
    body TEXT NOT NULL,
    sort_order BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    CHECK ((plan_id IS NULL) <> (report_id IS NULL))
);
CREATE INDEX section_plan ON section (plan_id);
CREATE INDEX section_report ON section (report_id);

CREATE TABLE focus_area (
    id ID_PK,
    plan_id BIGINT NOT NULL REFERENCES quality_plan (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    quality_factor_id BIGINT REFERENCES quality_factor (id),
    sort_order BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX focus_area_plan ON focus_area (plan_id);

CREATE TABLE risk (
    id ID_PK,
    plan_id BIGINT NOT NULL REFERENCES quality_plan (id) ON DELETE CASCADE,
    process_area_id BIGINT NOT NULL REFERENCES process_area (id),
    title TEXT NOT NULL,
    consequence_text TEXT NOT NULL,
    likelihood BIGINT,
    consequence BIGINT,
    level BIGINT NOT NULL,
    origin TEXT NOT NULL,
    previous_risk_id BIGINT REFERENCES risk (id) ON DELETE SET NULL,
    needs_reassessment BIGINT NOT NULL,
    sort_order BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX risk_plan ON risk (plan_id);

CREATE TABLE risk_unit (
    risk_id BIGINT NOT NULL REFERENCES risk (id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES org_unit (id),
    PRIMARY KEY (risk_id, unit_id)
);

CREATE TABLE risk_target_group (
    risk_id BIGINT NOT NULL REFERENCES risk (id) ON DELETE CASCADE,
    target_group_id BIGINT NOT NULL REFERENCES target_group (id),
    PRIMARY KEY (risk_id, target_group_id)
);

CREATE TABLE risk_assessment (
    id ID_PK,
    risk_id BIGINT NOT NULL REFERENCES risk (id) ON DELETE CASCADE,
    assessed_on TEXT NOT NULL,
    likelihood BIGINT,
    consequence BIGINT,
    level BIGINT NOT NULL,
    comment TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX risk_assessment_risk ON risk_assessment (risk_id);

CREATE TABLE action (
    id ID_PK,
    plan_id BIGINT NOT NULL REFERENCES quality_plan (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    responsible TEXT NOT NULL,
    due_on TEXT,
    status TEXT NOT NULL,
    withdrawn_reason TEXT,
    previous_action_id BIGINT REFERENCES action (id) ON DELETE SET NULL,
    sort_order BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX action_plan ON action (plan_id);

CREATE TABLE action_follow_up (
    id ID_PK,
    action_id BIGINT NOT NULL REFERENCES action (id) ON DELETE CASCADE,
    entry_on TEXT NOT NULL,
    text TEXT NOT NULL,
    new_status TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX action_follow_up_action ON action_follow_up (action_id);

CREATE TABLE self_inspection (
    id ID_PK,
    plan_id BIGINT NOT NULL REFERENCES quality_plan (id) ON DELETE CASCADE,
    process_area_id BIGINT NOT NULL REFERENCES process_area (id),
    title TEXT NOT NULL,
    purpose TEXT NOT NULL,
    method TEXT NOT NULL,
    frequency TEXT NOT NULL,
    target TEXT NOT NULL,
    is_new BIGINT NOT NULL,
    previous_status TEXT,
    action_note TEXT NOT NULL,
    unit_id BIGINT REFERENCES org_unit (id),
    keep_next_year BIGINT NOT NULL,
    previous_self_inspection_id BIGINT REFERENCES self_inspection (id) ON DELETE SET NULL,
    sort_order BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX self_inspection_plan ON self_inspection (plan_id);

CREATE TABLE self_inspection_run (
    id ID_PK,
    self_inspection_id BIGINT NOT NULL REFERENCES self_inspection (id) ON DELETE CASCADE,
    run_on TEXT NOT NULL,
    result_value DOUBLE,
    sample_size BIGINT,
    verdict TEXT NOT NULL,
    verdict_reason TEXT NOT NULL,
    comment TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX self_inspection_run_si ON self_inspection_run (self_inspection_id);

CREATE TABLE action_risk (
    action_id BIGINT NOT NULL REFERENCES action (id) ON DELETE CASCADE,
    risk_id BIGINT NOT NULL REFERENCES risk (id) ON DELETE CASCADE,
    PRIMARY KEY (action_id, risk_id)
);
CREATE INDEX action_risk_risk ON action_risk (risk_id);

CREATE TABLE action_self_inspection (
    action_id BIGINT NOT NULL REFERENCES action (id) ON DELETE CASCADE,
    self_inspection_id BIGINT NOT NULL REFERENCES self_inspection (id) ON DELETE CASCADE,
    PRIMARY KEY (action_id, self_inspection_id)
);
CREATE INDEX action_self_inspection_si ON action_self_inspection (self_inspection_id);

CREATE TABLE self_inspection_risk (
    self_inspection_id BIGINT NOT NULL REFERENCES self_inspection (id) ON DELETE CASCADE,
    risk_id BIGINT NOT NULL REFERENCES risk (id) ON DELETE CASCADE,
    PRIMARY KEY (self_inspection_id, risk_id)
);
CREATE INDEX self_inspection_risk_risk ON self_inspection_risk (risk_id);

CREATE TABLE indicator (
    id ID_PK,
    plan_id BIGINT NOT NULL REFERENCES quality_plan (id) ON DELETE CASCADE,
    area_id BIGINT NOT NULL REFERENCES process_area (id),
    name TEXT NOT NULL,
    quality_factor_id BIGINT REFERENCES quality_factor (id),
    unit TEXT NOT NULL,
    source TEXT NOT NULL,
    target_value DOUBLE,
    direction TEXT NOT NULL,
    no_data BIGINT NOT NULL,
    note TEXT NOT NULL,
    previous_indicator_id BIGINT REFERENCES indicator (id) ON DELETE SET NULL,
    sort_order BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX indicator_plan ON indicator (plan_id);

CREATE TABLE indicator_risk (
    indicator_id BIGINT NOT NULL REFERENCES indicator (id) ON DELETE CASCADE,
    risk_id BIGINT NOT NULL REFERENCES risk (id) ON DELETE CASCADE,
    PRIMARY KEY (indicator_id, risk_id)
);

CREATE TABLE indicator_result (
    id ID_PK,
    indicator_id BIGINT NOT NULL REFERENCES indicator (id) ON DELETE CASCADE,
    year BIGINT NOT NULL,
    value DOUBLE,
    numerator BIGINT,
    denominator BIGINT,
    answers BIGINT,
    response_rate DOUBLE,
    national_value DOUBLE,
    comment TEXT NOT NULL,
    no_data BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (indicator_id, year)
);

CREATE TABLE deviation (
    id ID_PK,
    tenant_id BIGINT NOT NULL REFERENCES tenant (id),
    unit_id BIGINT NOT NULL REFERENCES org_unit (id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    reported_on TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    investigation TEXT NOT NULL,
    lex_sarah_category TEXT,
    reported_to_ivo_on TEXT,
    measures_taken TEXT NOT NULL,
    closed_on TEXT,
    risk_id BIGINT REFERENCES risk (id) ON DELETE SET NULL,
    action_id BIGINT REFERENCES action (id) ON DELETE SET NULL,
    reported_by TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX deviation_unit ON deviation (unit_id, reported_on);

CREATE TABLE deviation_tally (
    id ID_PK,
    tenant_id BIGINT NOT NULL REFERENCES tenant (id),
    unit_id BIGINT NOT NULL REFERENCES org_unit (id),
    year BIGINT NOT NULL,
    kind TEXT NOT NULL,
    lex_sarah_category TEXT,
    count BIGINT NOT NULL,
    note TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE user_survey (
    id ID_PK,
    tenant_id BIGINT NOT NULL REFERENCES tenant (id),
    unit_id BIGINT NOT NULL REFERENCES org_unit (id),
    year BIGINT NOT NULL,
    name TEXT NOT NULL,
    instrument TEXT NOT NULL,
    sample_size BIGINT,
    answers BIGINT,
    response_rate DOUBLE,
    summary TEXT NOT NULL,
    sort_order BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE systematic_follow_up (
    id ID_PK,
    tenant_id BIGINT NOT NULL REFERENCES tenant (id),
    unit_id BIGINT NOT NULL REFERENCES org_unit (id),
    year BIGINT NOT NULL,
    instrument TEXT NOT NULL,
    measurements BIGINT,
    summary TEXT NOT NULL,
    sort_order BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE finding (
    id ID_PK,
    survey_id BIGINT REFERENCES user_survey (id) ON DELETE CASCADE,
    follow_up_id BIGINT REFERENCES systematic_follow_up (id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    value DOUBLE NOT NULL,
    basis BIGINT,
    national_value DOUBLE,
    sort_order BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    CHECK ((survey_id IS NULL) <> (follow_up_id IS NULL))
);

CREATE TABLE review (
    id ID_PK,
    tenant_id BIGINT NOT NULL REFERENCES tenant (id),
    unit_id BIGINT NOT NULL REFERENCES org_unit (id),
    year BIGINT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    sort_order BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE key_statistic (
    id ID_PK,
    tenant_id BIGINT NOT NULL REFERENCES tenant (id),
    unit_id BIGINT NOT NULL REFERENCES org_unit (id),
    year BIGINT NOT NULL,
    label TEXT NOT NULL,
    value DOUBLE NOT NULL,
    unit TEXT NOT NULL,
    comment TEXT NOT NULL,
    sort_order BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE quality_assessment (
    id ID_PK,
    report_id BIGINT NOT NULL REFERENCES quality_report (id) ON DELETE CASCADE,
    area TEXT NOT NULL,
    body TEXT NOT NULL,
    sort_order BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE improvement_area (
    id ID_PK,
    report_id BIGINT NOT NULL REFERENCES quality_report (id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    quality_factor_id BIGINT REFERENCES quality_factor (id),
    sort_order BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
