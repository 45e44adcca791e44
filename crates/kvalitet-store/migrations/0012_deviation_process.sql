-- Deviations as the law's process (issue 13): a municipality's categories, the lex
-- Sarah investigation and decision, IVO's reference, complaints' facts, feedback to the
-- reporter, voiding, each case's history, the event analysis and its actions, and the
-- municipality's IVO deadline.
CREATE TABLE deviation_category (
    id ID_PK,
    tenant_id BIGINT NOT NULL REFERENCES tenant (id),
    dimension TEXT NOT NULL,
    name TEXT NOT NULL,
    active BIGINT NOT NULL,
    sort_order BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (tenant_id, dimension, name)
);

ALTER TABLE deviation ADD COLUMN investigation_started_on TEXT;
ALTER TABLE deviation ADD COLUMN investigator TEXT NOT NULL DEFAULT '';
ALTER TABLE deviation ADD COLUMN person_informed BIGINT;
ALTER TABLE deviation ADD COLUMN person_informed_on TEXT;
ALTER TABLE deviation ADD COLUMN causes TEXT NOT NULL DEFAULT '';
ALTER TABLE deviation ADD COLUMN decided_on TEXT;
ALTER TABLE deviation ADD COLUMN decided_by TEXT NOT NULL DEFAULT '';
ALTER TABLE deviation ADD COLUMN ivo_reference TEXT NOT NULL DEFAULT '';
ALTER TABLE deviation ADD COLUMN feedback TEXT NOT NULL DEFAULT '';
ALTER TABLE deviation ADD COLUMN complainant TEXT;
ALTER TABLE deviation ADD COLUMN channel TEXT;
ALTER TABLE deviation ADD COLUMN answered_on TEXT;
ALTER TABLE deviation ADD COLUMN answered_by TEXT NOT NULL DEFAULT '';
ALTER TABLE deviation ADD COLUMN complaint_outcome TEXT;
ALTER TABLE deviation ADD COLUMN voided_on TEXT;
ALTER TABLE deviation ADD COLUMN void_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE deviation ADD COLUMN type_category_id BIGINT REFERENCES deviation_category (id);
ALTER TABLE deviation ADD COLUMN cause_category_id BIGINT REFERENCES deviation_category (id);
ALTER TABLE deviation ADD COLUMN place_category_id BIGINT REFERENCES deviation_category (id);
ALTER TABLE deviation ADD COLUMN severity_category_id BIGINT REFERENCES deviation_category (id);

CREATE TABLE deviation_event (
    id ID_PK,
    deviation_id BIGINT NOT NULL REFERENCES deviation (id),
    happened_on TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    from_value TEXT NOT NULL,
    to_value TEXT NOT NULL,
    text TEXT NOT NULL,
    for_reporter BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX deviation_event_deviation ON deviation_event (deviation_id);

CREATE TABLE event_analysis (
    id ID_PK,
    deviation_id BIGINT NOT NULL UNIQUE REFERENCES deviation (id),
    course_of_events TEXT NOT NULL,
    causes TEXT NOT NULL,
    conclusions TEXT NOT NULL,
    analysed_by TEXT NOT NULL,
    analysed_on TEXT,
    version BIGINT NOT NULL DEFAULT 1
);

-- Actions decided for a deviation (its event analysis's actions): real actions of a plan.
CREATE TABLE deviation_action (
    deviation_id BIGINT NOT NULL REFERENCES deviation (id),
    action_id BIGINT NOT NULL REFERENCES action (id) ON DELETE CASCADE,
    PRIMARY KEY (deviation_id, action_id)
);
CREATE INDEX deviation_action_action ON deviation_action (action_id);

-- A municipality's rules for deviations (no row: the defaults, 14 days to IVO).
CREATE TABLE deviation_settings (
    id ID_PK,
    tenant_id BIGINT NOT NULL UNIQUE REFERENCES tenant (id),
    ivo_deadline_days BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
