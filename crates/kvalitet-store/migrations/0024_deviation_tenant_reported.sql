-- The deviation list reads one year's reports (and the year before, for its counts) and
-- which years have reports at which units; along this index neither reads every report.
CREATE INDEX deviation_tenant_reported ON deviation (tenant_id, reported_on, unit_id);
