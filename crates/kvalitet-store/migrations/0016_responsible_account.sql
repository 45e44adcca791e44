-- The responsible person of an action or a self-inspection may be an account (issue 17,
-- "Mina uppgifter"): each person sees their own tasks across plans, and the start page
-- and the daily digest count them as theirs. The free text stays for people without an
-- account ('' when none); a self-inspection had no responsible person before.
ALTER TABLE action ADD COLUMN responsible_account_id BIGINT REFERENCES account (id);
ALTER TABLE self_inspection ADD COLUMN responsible TEXT NOT NULL DEFAULT '';
ALTER TABLE self_inspection ADD COLUMN responsible_account_id BIGINT REFERENCES account (id);
CREATE INDEX action_responsible_account ON action (responsible_account_id);
CREATE INDEX self_inspection_responsible_account ON self_inspection (responsible_account_id);
