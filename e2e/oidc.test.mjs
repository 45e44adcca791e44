// Single sign-on end to end: a real OpenID provider (oidc-provider, started from
// ./oidc-provider.mjs) and `kvalitet serve` with the demo data signing in through it,
// local passwords off but for a break-glass account. Driven in Debian's Chromium, with
// axe-core on Kvalitet's pages.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './chromium.mjs';
import { binary, started, checkAccessibility, postgresDatabase } from './support.mjs';

const here = dirname(fileURLToPath(import.meta.url));

let provider, server, base, browser;

/** A free port on loopback (Kvalitet's public URL must be known before it starts). */
async function freePort() {
  const s = createServer();
  await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvalitet-oidc-'));
  base = `http://127.0.0.1:${await freePort()}`;
  const users = join(dir, 'users.json');
  writeFileSync(users, JSON.stringify({
    kvalitet: { email: 'Kvalitet@Exempel.se', name: 'Kim Kvalitet', groups: [] },
    okand: { email: 'okand@exempel.se', name: 'Okänd Person', groups: [] },
  }));
  provider = spawn('node', [join(here, 'oidc-provider.mjs')], {
    env: { ...process.env, USERS_FILE: users, REDIRECT_URI: `${base}/logga-in/oidc`, POST_LOGOUT_URI: `${base}/logga-in?utloggad=1` },
  });
  const issuer = await started(provider, /"issuer":"([^"]+)"/, 'the OpenID provider');
  const secret = join(dir, 'secret');
  writeFileSync(secret, 'test-hemlighet\n');
  server = spawn(binary, [
    'serve', '--bind', base.replace('http://', ''), '--public-url', base,
    '--oidc-issuer', issuer, '--oidc-client-id', 'kvalitet', '--oidc-client-secret-file', secret,
    '--password-login', 'off', '--break-glass', 'admin@exempel.se',
  ], { cwd: dir, env: { ...process.env, KVALITET_LOG: 'warn' } });
  await started(server, /Kvalitet körs på (http:\/\/[^/\s]+)\//, 'serve');
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  provider?.kill('SIGTERM');
});

/** Signs in on the provider's own (development) login page. */
async function atProvider(page, login) {
  await page.waitForURL((u) => !u.toString().startsWith(base));
  await page.fill('input[name="login"]', login);
  await page.fill('input[name="password"]', 'vad-som-helst');
  await Promise.all([page.waitForURL((u) => u.toString().startsWith(base)), page.click('button[type="submit"]')]);
}

test('a person signs in with the municipality account, and signing out ends it at the provider too', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/avvikelser`);
  assert.match(page.url(), /\/logga-in\?nasta=/);
  await checkAccessibility(page, 'logga-in med kommunens konto');
  // The provider's button comes first; the password form is folded away.
  const first = await page.locator('main a.button, main button').first().textContent();
  assert.equal(first.trim(), 'Logga in med kommunens konto');
  assert.equal(await page.locator('details input#password').count(), 1);
  await page.click('text=Logga in med kommunens konto');
  await atProvider(page, 'kvalitet');
  assert.equal(new URL(page.url()).pathname, '/avvikelser');
  await checkAccessibility(page, 'inloggad via kommunens konto');
  await Promise.all([page.waitForURL((u) => !u.toString().startsWith(base)), page.click('button:has-text("Logga ut")')]);
  // oidc-provider asks whether to sign out there too; yes brings the browser back.
  await Promise.all([page.waitForURL((u) => u.toString().startsWith(base)), page.click('button[autofocus], button[type="submit"]')]);
  assert.match(page.url(), /\/logga-in\?utloggad=1/);
  await page.goto(`${base}/avvikelser`);
  assert.match(page.url(), /\/logga-in/);
  await page.close();
});

test('someone the provider knows but Kvalitet does not is told so', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/logga-in`);
  await page.click('text=Logga in med kommunens konto');
  await atProvider(page, 'okand');
  assert.match(await page.locator('.error-summary').textContent(), /ditt konto finns inte i Kvalitet/);
  await checkAccessibility(page, 'okänt konto');
  await page.close();
});

test('with passwords off only the break-glass account signs in with a password', async () => {
  const page = await browser.newPage();
  for (const [email, password, ok] of [['kvalitet@exempel.se', 'demo-kvalitetsutvecklare', false], ['admin@exempel.se', 'demo-administrator', true]]) {
    await page.context().clearCookies();
    await page.goto(`${base}/logga-in`);
    await page.click('summary');
    await page.fill('#email', email);
    await page.fill('#password', password);
    await Promise.all([page.waitForNavigation(), page.click('details button[type="submit"]')]);
    assert.equal(new URL(page.url()).pathname === '/', ok, `${email}: ${page.url()}`);
  }
  await page.close();
});

/** An oidc-provider for one municipality's people; `jwks`: the client proves itself with
 * private_key_jwt under these public keys. */
async function municipalityProvider(dir, name, people, kvalitetBase, jwks) {
  const users = join(dir, `${name}-users.json`);
  writeFileSync(users, JSON.stringify(people));
  const env = { ...process.env, USERS_FILE: users, REDIRECT_URI: `${kvalitetBase}/logga-in/oidc`, POST_LOGOUT_URI: `${kvalitetBase}/logga-in?utloggad=1` };
  if (jwks) {
    env.CLIENT_JWKS_FILE = join(dir, `${name}-jwks.json`);
    writeFileSync(env.CLIENT_JWKS_FILE, JSON.stringify(jwks));
  }
  const child = spawn('node', [join(here, 'oidc-provider.mjs')], { env });
  return { child, issuer: await started(child, /"issuer":"([^"]+)"/, `${name}'s OpenID provider`) };
}

test('two municipalities on PostgreSQL each sign in through their own provider, one with a private key', async (t) => {
  const db = postgresDatabase();
  if (!db) { t.skip('no PostgreSQL'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'kvalitet-oidc-pg-'));
  const kvalitetBase = `http://127.0.0.1:${await freePort()}`;
  const children = [];
  try {
    const org = join(dir, 'org.csv');
    writeFileSync(org, 'id;parent;kind;name\n1;;forvaltning;Socialförvaltningen\n2;1;sektion;Vuxensektionen\n3;2;enhet;Beroendeenheten\n');
    const cli = (args) => {
      const out = spawnSync(binary, ['--database-url', db.url, ...args], { cwd: dir, input: 'Ett-långt-lösenord-för-test-2026', encoding: 'utf8' });
      assert.equal(out.status, 0, `${args.join(' ')}: ${out.stderr}`);
    };
    cli(['setup', '--name', 'Älvby kommun', '--org', org, '--admin', 'it@alvby.se', '--password-stdin']);
    cli(['tenant', 'add', '--name', 'Norrby kommun', '--org', org, '--admin', 'it@norrby.se', '--password-stdin']);
    // Norrby's client key: the private half for Kvalitet (PKCS#8, as OpenSSL writes it),
    // the public half registered at Norrby's provider.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(dir, 'norrby-key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'kvalitet-1', alg: 'RS256', use: 'sig' };
    const alvby = await municipalityProvider(dir, 'alvby', { anna: { email: 'it@alvby.se', name: 'Anna Älvby' } }, kvalitetBase);
    const norrby = await municipalityProvider(dir, 'norrby', {
      nils: { email: 'it@norrby.se', name: 'Nils Norrby' },
      anna: { email: 'it@alvby.se', name: 'Anna Älvby' },
    }, kvalitetBase, { keys: [jwk] });
    children.push(alvby.child, norrby.child);
    writeFileSync(join(dir, 'alvby-secret'), 'test-hemlighet\n');
    writeFileSync(join(dir, 'oidc.toml'), [
      '[[provider]]', 'tenant = "Älvby kommun"', `issuer = "${alvby.issuer}"`, 'client_id = "kvalitet"', 'client_secret_file = "alvby-secret"', '',
      '[[provider]]', 'tenant = "Norrby kommun"', `issuer = "${norrby.issuer}"`, 'client_id = "kvalitet"', 'private_key_file = "norrby-key.pem"', 'private_key_id = "kvalitet-1"', '',
    ].join('\n'));
    const server = spawn(binary, [
      '--database-url', db.url, 'serve', '--no-demo', '--bind', kvalitetBase.replace('http://', ''), '--public-url', kvalitetBase,
      '--oidc-config', join(dir, 'oidc.toml'),
    ], { cwd: dir, env: { ...process.env, KVALITET_LOG: 'warn' } });
    children.push(server);
    await started(server, /Kvalitet körs på (http:\/\/[^/\s]+)\//, 'serve');

    const page = await browser.newPage();
    const signIn = async (municipality, login) => {
      await page.context().clearCookies();
      await page.goto(`${kvalitetBase}/logga-in`);
      await page.click(`a.button:has-text("${municipality}")`);
      await page.waitForURL((u) => !u.toString().startsWith(kvalitetBase));
      await page.fill('input[name="login"]', login);
      await page.fill('input[name="password"]', 'vad-som-helst');
      await Promise.all([page.waitForURL((u) => u.toString().startsWith(kvalitetBase)), page.click('button[type="submit"]')]);
    };
    await page.goto(`${kvalitetBase}/logga-in`);
    await checkAccessibility(page, 'logga-in två kommuner');
    // Norrby's person through Norrby's provider (private_key_jwt): in, in Norrby.
    await signIn('Norrby kommun', 'nils');
    assert.equal(new URL(page.url()).pathname, '/');
    assert.ok((await page.content()).includes('Norrby kommun'), 'signed in to Norrby');
    // Älvby's person through Norrby's provider: Norrby does not vouch for Älvby's people.
    await signIn('Norrby kommun', 'anna');
    assert.match(await page.locator('.error-summary').textContent(), /ditt konto finns inte i Kvalitet/);
    // Älvby's person through Älvby's provider (client secret): in.
    await signIn('Älvby kommun', 'anna');
    assert.equal(new URL(page.url()).pathname, '/');
    assert.ok((await page.content()).includes('Älvby kommun'), 'signed in to Älvby');
    await checkAccessibility(page, 'inloggad via egen kommuns leverantör');
    await page.close();
  } finally {
    for (const c of children) c.kill('SIGTERM');
    db.drop();
  }
});
