-- The action list counts a listed plan's actions by status and due date (past due, not
-- closed) for every plan a person may read. Along this index the count reads the index
-- alone instead of every action row. It begins with plan_id, so it replaces action_plan.
CREATE INDEX action_plan_status_due ON action (plan_id, status, due_on);
DROP INDEX action_plan;
