-- A deviation registered after a self-inspection that was not approved is linked to it
-- (a deviation's risk and action are its own columns, `risk_id` and `action_id`).
CREATE TABLE deviation_self_inspection (
    deviation_id BIGINT NOT NULL REFERENCES deviation (id) ON DELETE CASCADE,
    self_inspection_id BIGINT NOT NULL REFERENCES self_inspection (id) ON DELETE CASCADE,
    PRIMARY KEY (deviation_id, self_inspection_id)
);
CREATE INDEX deviation_self_inspection_si ON deviation_self_inspection (self_inspection_id);
