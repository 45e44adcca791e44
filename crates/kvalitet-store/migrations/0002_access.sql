-- People and access: accounts, role assignments, sessions (in the database, so several
-- app instances share them), the hash-chained audit log, and access-log reviews.
-- Session and lockout times are unix seconds.

CREATE TABLE account (
    id ID_PK,
    tenant_id BIGINT NOT NULL REFERENCES tenant (id),
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active BIGINT NOT NULL,
    failed_logins BIGINT NOT NULL,
    locked_until BIGINT,
    must_change_password BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE role_assignment (
    id ID_PK,
    account_id BIGINT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    scope_id BIGINT NOT NULL REFERENCES org_unit (id),
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX role_assignment_account ON role_assignment (account_id);

CREATE TABLE session (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX session_account ON session (account_id);

-- The head of the audit chain: one row, updated with every entry, so appends are
-- serialised (a row lock on PostgreSQL, the write lock on SQLite).
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_entry (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id BIGINT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    table_name TEXT NOT NULL,
    record_id BIGINT,
    before_data TEXT,
    after_data TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_entry_actor ON audit_entry (actor_id, seq);
CREATE INDEX audit_entry_record ON audit_entry (table_name, record_id);

CREATE TABLE access_log_review (
    id ID_PK,
    tenant_id BIGINT NOT NULL REFERENCES tenant (id),
    account_id BIGINT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    year BIGINT NOT NULL,
    month BIGINT NOT NULL,
    reviewed_on TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    outcome TEXT NOT NULL,
    comment TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (account_id, year)
);
