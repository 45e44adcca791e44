-- Every change of a municipality's org units counts up its org_version in the same
-- transaction (a trigger, so no write path can forget it). App instances keep the org
-- tree in memory and read org_version with the session on every request, so each one
-- sees a change of the tree at once.
ALTER TABLE tenant ADD COLUMN org_version BIGINT NOT NULL DEFAULT 0;
COUNT_CHANGES(org_unit.tenant_id: tenant.org_version);
