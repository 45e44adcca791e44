-- Sign-ins through the municipality's OpenID Connect provider that are under way: kept
-- in the database, not in an app instance's memory, so the browser may come back to any
-- instance behind a load balancer. The row is found by the SHA-256 of the `state` sent
-- to the provider, and taken (deleted) when the browser returns, so a state is used once.
-- `browser_hash` is the SHA-256 of a random value in a short cookie set when the flow
-- began: the flow finishes only in the browser that started it.
CREATE TABLE oidc_flow (
    state_hash TEXT PRIMARY KEY,
    browser_hash TEXT NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    return_to TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX oidc_flow_expires ON oidc_flow (expires_at);

-- How each session was begun ('password' or 'oidc'): signing out of a session begun at
-- the provider signs out there too.
ALTER TABLE session ADD COLUMN method TEXT NOT NULL DEFAULT 'password';
