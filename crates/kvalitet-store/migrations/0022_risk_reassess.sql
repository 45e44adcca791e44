-- The start page and the daily digest list the risks to re-assess: few of all risks. Along
-- this partial index the database reads only those instead of every risk of the open plans.
CREATE INDEX risk_reassess ON risk (plan_id) WHERE needs_reassessment = 1;
