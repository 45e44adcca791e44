-- The start page's agenda and the daily digest look for the reports still to be handled
-- (registered, not yet taken on) and the lex Sarah reports not yet reported to IVO; along
-- these indexes neither reads every report of every year.
CREATE INDEX deviation_tenant_status ON deviation (tenant_id, status);
CREATE INDEX deviation_tenant_kind_ivo ON deviation (tenant_id, kind, reported_to_ivo_on);
