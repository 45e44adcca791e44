-- Search (issue 17): a full-text index over the titles and texts of plans' items,
-- deviations and reports' items. Each line below names a table and its text columns
-- (the token SEARCH_INDEX, written per backend in src/backend.rs):
--   SQLite: an FTS5 table `{table}_search` (tokenizer unicode61 with remove_diacritics 0,
--     so å, ä and ö stay letters of their own; no stemming), its rowid the record's id,
--     kept in step by triggers on insert, update and delete in the writing transaction,
--     with secure-delete on, and filled here with the rows already stored.
--   PostgreSQL: a GIN expression index `{table}_search` on to_tsvector('swedish', …) of
--     the columns (Swedish stemming), which the database keeps in step by itself and
--     builds here from the rows already stored.
-- The search queries (src/search.rs) name the same columns; a test checks they match.
SEARCH_INDEX(section: heading, body);
SEARCH_INDEX(focus_area: title, body);
SEARCH_INDEX(risk: title, consequence_text);
SEARCH_INDEX(self_inspection: title, purpose, target, action_note);
SEARCH_INDEX(action: title, description, responsible, withdrawn_reason);
SEARCH_INDEX(indicator: name, note);
SEARCH_INDEX(deviation: title, description, investigation, causes, measures_taken, feedback);
SEARCH_INDEX(quality_assessment: area, body);
SEARCH_INDEX(improvement_area: text);
