-- Comparison data from Kolada (issue 18, F13).
--
-- An indicator may name the Kolada key figure (KPI) it is compared with, e.g. 'U21468'.
ALTER TABLE indicator ADD COLUMN kolada_kpi TEXT;

-- A municipality's own code in Kolada (four digits) and the group of similar
-- municipalities it compares itself with ('' when not set; no row: nothing set).
CREATE TABLE kolada_settings (
    id ID_PK,
    tenant_id BIGINT NOT NULL UNIQUE REFERENCES tenant (id),
    municipality TEXT NOT NULL,
    group_id TEXT NOT NULL,
    group_name TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

-- Kolada's values per key figure, area (a municipality's code, '0000' for the nation, or
-- a group's id), year and gender ('T', 'K', 'M'). value NULL: Kolada has none (never 0).
-- source 'fetched' (origin: the URL), 'imported' (origin: the file) or 'example' (the
-- demo's made-up values). A new fetch or import replaces the rows of the same keys.
CREATE TABLE kolada_value (
    id ID_PK,
    tenant_id BIGINT NOT NULL REFERENCES tenant (id),
    kpi TEXT NOT NULL,
    area TEXT NOT NULL,
    year BIGINT NOT NULL,
    gender TEXT NOT NULL,
    value DOUBLE,
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    origin TEXT NOT NULL,
    fetched_on TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (tenant_id, kpi, area, year, gender)
);
