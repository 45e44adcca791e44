-- Notifications by e-mail (F15).
--
-- The outbox: one row per mail to one person, written in the same transaction as what
-- causes it (a deviation registered, its status changed, a day's digest), and delivered
-- by a sender job that any instance may run. It holds no address and no text about the
-- people served: what kind of mail, the record it concerns and the few words it needs
-- (JSON in `data`); the address is the account's at the time of sending. A row is
-- claimed by setting `lease_until` while it is in the past, so two instances never send
-- the same row at the same time; `attempts` counts tries, `next_attempt_at` backs off.
CREATE TABLE mail_outbox (
    id ID_PK,
    tenant_id BIGINT NOT NULL REFERENCES tenant (id),
    account_id BIGINT NOT NULL REFERENCES account (id),
    kind TEXT NOT NULL,
    record_id BIGINT,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    lease_until BIGINT NOT NULL DEFAULT 0,
    attempts BIGINT NOT NULL DEFAULT 0,
    sent_at BIGINT,
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mail_outbox_due ON mail_outbox (sent_at, next_attempt_at);

-- Jobs that must run once per day whatever the number of instances: the instance that
-- inserts the (job, day) row does the day's work, in the same transaction.
CREATE TABLE job_run (
    job TEXT NOT NULL,
    day TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    PRIMARY KEY (job, day)
);

-- Each person's choice about the daily digest (no row: the digest is sent).
CREATE TABLE mail_setting (
    account_id BIGINT PRIMARY KEY REFERENCES account (id),
    digest BIGINT NOT NULL
);

-- Who registered a deviation (the record keeps their name as text), so that they are
-- told when its status changes.
CREATE TABLE deviation_reporter (
    deviation_id BIGINT PRIMARY KEY REFERENCES deviation (id),
    account_id BIGINT NOT NULL REFERENCES account (id)
);
