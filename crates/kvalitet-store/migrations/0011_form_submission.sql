-- Forms that must store their record once only (a deviation report): the page carries a
-- random one-time token, and the submission that stores the record stores the SHA-256 of
-- the token with the path of its result in the same transaction. The same token again
-- (Back and submit, a double click, a retry after a network error) finds the earlier
-- result instead of storing a second record; two at once are kept apart by the unique
-- hash.
CREATE TABLE form_submission (
    id ID_PK,
    tenant_id BIGINT NOT NULL REFERENCES tenant (id),
    token_hash TEXT NOT NULL UNIQUE,
    account_id BIGINT NOT NULL,
    result_path TEXT NOT NULL,
    submitted_at TEXT NOT NULL
);
