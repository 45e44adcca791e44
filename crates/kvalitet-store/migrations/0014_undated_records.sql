-- Records taken over from documents that give only the year (issue 16: nothing
-- invented): a run, a follow-up entry or a deviation whose day is not known is stored
-- with the last day of its year and marked undated, so the day is never shown as a fact.
-- Runs may also carry the verdict 'not_stated', self-inspections the method and
-- frequency 'not_stated' (codes are TEXT: no schema change needed for those).
ALTER TABLE self_inspection_run ADD COLUMN undated BIGINT NOT NULL DEFAULT 0;
ALTER TABLE action_follow_up ADD COLUMN undated BIGINT NOT NULL DEFAULT 0;
ALTER TABLE deviation ADD COLUMN undated BIGINT NOT NULL DEFAULT 0;
-- How a plan's documents set out the risk tables: 'separate' (a table of risks and one
-- of self-inspections per area, seed 000) or 'combined' (one table per area, each risk
-- followed by its self-inspections and actions, seeds 001 and 004).
ALTER TABLE quality_plan ADD COLUMN table_layout TEXT NOT NULL DEFAULT 'separate';
