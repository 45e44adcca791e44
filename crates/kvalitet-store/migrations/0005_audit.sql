-- The audit log scoped and keyed, and a row for the readiness check.
--
-- The audit log: Each entry names the municipality (tenant) and the
-- part of the org tree (unit) it concerns, so administrators see only their part, and
-- the client's address; `scheme` says how its hash was made: `sha256` (entries written
-- before this migration: plain SHA-256 over the old fields), `sha256-2` (all fields,
-- unkeyed: a store opened without the key file) or `hmac-sha256` (all fields, keyed
-- with the key file kept outside the database).
ALTER TABLE audit_entry ADD COLUMN tenant_id BIGINT;
ALTER TABLE audit_entry ADD COLUMN unit_id BIGINT;
ALTER TABLE audit_entry ADD COLUMN client TEXT;
ALTER TABLE audit_entry ADD COLUMN scheme TEXT NOT NULL DEFAULT 'sha256';

-- Earlier entries: the tenant of the account that acted, or the only tenant there is.
-- (Not covered by their hashes, which predate the column; their unit stays unknown, so
-- only administrators of a whole organisation see them.)
UPDATE audit_entry SET tenant_id = (SELECT a.tenant_id FROM account a WHERE a.id = audit_entry.actor_id)
WHERE actor_id IS NOT NULL;
UPDATE audit_entry SET tenant_id = (SELECT MIN(id) FROM tenant)
WHERE tenant_id IS NULL AND (SELECT COUNT(*) FROM tenant) = 1;

CREATE INDEX audit_entry_scope ON audit_entry (tenant_id, unit_id, seq);

-- Repeated reads of one record by one person on one day: the first is an audit entry,
-- the rest only count here, so the log grows with people's work, not with page views.
CREATE TABLE audit_read (
    actor TEXT NOT NULL,
    table_name TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    day TEXT NOT NULL,
    reads BIGINT NOT NULL,
    PRIMARY KEY (actor, table_name, record_id, day)
);

-- One row that `/readyz` writes, to prove a write can commit.
CREATE TABLE readiness (
    id BIGINT PRIMARY KEY,
    checked_at TEXT NOT NULL
);

-- The database itself refuses to change or remove an audit entry (backend.rs writes
-- the trigger for each backend).
REFUSE_CHANGES(audit_entry);
