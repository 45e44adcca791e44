-- A real installation: the demo municipality marked as such, one-time passwords that
-- expire, sign-in throttled per account and per client address (instead of a hard lock
-- kept on the account), and one row per role, scope and person.

ALTER TABLE tenant ADD COLUMN demo BIGINT NOT NULL DEFAULT 0;
UPDATE tenant SET demo = 1 WHERE slug = 'huddinge'
    AND EXISTS (SELECT 1 FROM account WHERE account.email = 'admin@exempel.se' AND account.tenant_id = tenant.id);

-- Unix seconds after which a one-time password no longer signs in; NULL for a password
-- the person chose.
ALTER TABLE account ADD COLUMN password_expires_at BIGINT;
ALTER TABLE account DROP COLUMN failed_logins;
ALTER TABLE account DROP COLUMN locked_until;

CREATE UNIQUE INDEX role_assignment_unique ON role_assignment (account_id, role, scope_id);
CREATE INDEX account_tenant ON account (tenant_id);

-- Failed sign-ins per key: 'a:' and the SHA-256 of a lowercased e-mail address (known or
-- not, so an unknown address is throttled like a known one), or 'c:' and a client
-- address. Counted and checked in the sign-in's write transaction.
CREATE TABLE login_throttle (
    throttle_key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL,
    blocked_until BIGINT NOT NULL
);
CREATE INDEX login_throttle_last ON login_throttle (last_failure_at);

-- The board's reference for a plan's follow-up ("Markera som uppföljd").
ALTER TABLE quality_plan ADD COLUMN follow_up_reference TEXT;

-- Corrections of what was recorded (a self-inspection run changed or removed), with the
-- reason, who and when, and what it said before; shown in the item's history.
CREATE TABLE correction (
    id ID_PK,
    tenant_id BIGINT NOT NULL REFERENCES tenant (id),
    subject_table TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    record_table TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    corrected_on TEXT NOT NULL,
    corrected_by TEXT NOT NULL,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    before_text TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX correction_subject ON correction (subject_table, subject_id);
