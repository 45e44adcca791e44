-- The start page reads the longest past-due actions first: along this index it reads only
-- the few it shows instead of sorting every past-due action of the municipality.
CREATE INDEX action_due ON action (due_on);
