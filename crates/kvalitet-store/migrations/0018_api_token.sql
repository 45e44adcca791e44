-- API tokens (issue 18, F14): another system reads and feeds Kvalitet through the JSON
-- API with a token an administrator made with `kvalitet token create`. A token carries
-- one role over one part of the org tree, as a role assignment does; the same access rule
-- applies. Only the SHA-256 of the token is kept, so a copy of the database gives no
-- working token. A revoked or expired token is refused; the row stays (the audit log
-- names it). `created_by` is who made it (the CLI's actor name); times are Unix seconds,
-- `expires_on` a date (YYYY-MM-DD, the last day the token works).
CREATE TABLE api_token (
    id ID_PK,
    tenant_id BIGINT NOT NULL REFERENCES tenant (id),
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    scope_id BIGINT NOT NULL REFERENCES org_unit (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_on TEXT,
    revoked_at BIGINT,
    last_used_at BIGINT
);
CREATE INDEX api_token_tenant ON api_token (tenant_id);
