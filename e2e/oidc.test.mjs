// Single sign-on end to end: a real OpenID provider (oidc-provider, started from
// ./oidc-provider.mjs) and `kvalitet serve` with the demo data signing in through it,
// local passwords off but for a break-glass account. Driven in Debian's Chromium, with
// axe-core on Kvalitet's pages.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './chromium.mjs';
import { binary, started, checkAccessibility } from './support.mjs';

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
