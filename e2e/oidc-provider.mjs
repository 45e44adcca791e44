// A real OpenID provider for the tests: panva's oidc-provider (OpenID Certified) on
// 127.0.0.1, with one confidential client for Kvalitet and test people read from a JSON
// file at every sign-in (so a test can change someone's groups between sign-ins).
// Sign-in is oidc-provider's own development login page (any password); consent is
// granted for the first-party client. Prints one JSON line with the issuer once it
// listens; no network beyond loopback.
//
// Environment: REDIRECT_URI (Kvalitet's PUBLIC_URL/logga-in/oidc), POST_LOGOUT_URI,
// USERS_FILE ({"login": {"email": …, "name": …, "groups": […]}}), PORT (0 for any),
// CLIENT_JWKS_FILE (optional: the client's public keys as a JWKS; the client then proves
// itself with private_key_jwt instead of the secret).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const users = () => JSON.parse(readFileSync(process.env.USERS_FILE, 'utf8'));

const server = createServer();
await new Promise((resolve) => server.listen(Number(process.env.PORT || 0), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const client = {
  client_id: 'kvalitet',
  redirect_uris: [process.env.REDIRECT_URI],
  post_logout_redirect_uris: [process.env.POST_LOGOUT_URI],
  grant_types: ['authorization_code'],
  response_types: ['code'],
};
if (process.env.CLIENT_JWKS_FILE) {
  Object.assign(client, {
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'RS256',
    jwks: JSON.parse(readFileSync(process.env.CLIENT_JWKS_FILE, 'utf8')),
  });
} else {
  Object.assign(client, { client_secret: 'test-hemlighet', token_endpoint_auth_method: 'client_secret_basic' });
}

const provider = new Provider(issuer, {
  clients: [client],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
  // The claims in the ID token itself, as Entra ID sends them.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  async findAccount(_ctx, id) {
    const user = users()[id];
    if (!user) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: user.email, email_verified: true, name: user.name, groups: user.groups || [] };
      },
    };
  },
  // Kvalitet is the municipality's own application: no consent page.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});

server.on('request', provider.callback());
console.log(JSON.stringify({ issuer }));
