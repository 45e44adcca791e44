// End-to-end tests: `kvalitet serve` on a fresh database with the demo data, driven in
// Debian's Chromium through playwright-core, with axe-core run on every page visited
// (any WCAG 2.0/2.1 A or AA violation fails). Screenshots go to ../artifacts/e2e/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './chromium.mjs';
import { binary, checkAccessibility, fitsWidth } from './support.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const shots = join(root, 'artifacts', 'e2e');

let server, base, browser;
/** Everything the server logged during the run (the access log included). */
let serverLog = '';

before(async () => {
  mkdirSync(shots, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'kvalitet-e2e-'));
  server = spawn(binary, ['serve', '--bind', '127.0.0.1:0'], { cwd: dir, env: { ...process.env, KVALITET_LOG: 'info' } });
  server.stderr.on('data', (d) => { serverLog += d; });
  base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('serve did not start')), 60000);
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/Kvalitet körs på (http:\/\/[^/\s]+)\//);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    server.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

/** Signs in with the keyboard only: tab to each field, type, press Enter. */
async function signInWithKeyboard(page, email, password) {
  await page.goto(`${base}/`);
  assert.match(page.url(), /\/logga-in/);
  await checkAccessibility(page, 'logga-in');
  await page.keyboard.press('Tab'); // skip link
  await page.keyboard.press('Tab'); // brand link
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'email');
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'password');
  await page.keyboard.type(password);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
}

test('a quality developer signs in, reads the plans and re-assesses a risk', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signInWithKeyboard(page, 'kvalitet@exempel.se', 'demo-kvalitetsutvecklare');
  await checkAccessibility(page, 'start');
  await page.click('text=Kvalitetsplan 2022 för vuxna');
  await checkAccessibility(page, 'plan');
  await page.click('text=Riskkarta');
  await checkAccessibility(page, 'riskkarta');
  await page.goBack();
  await page.click('h4 >> a >> nth=0');
  await checkAccessibility(page, 'risk');
  await page.check('#likelihood-2');
  await page.check('#consequence-3');
  await page.fill('#comment', 'Åtgärderna har gett effekt.');
  await Promise.all([page.waitForNavigation(), page.click('form[action$="/bedomning"] button[type=submit]')]);
  assert.ok((await page.textContent('.level-chip')).includes('Risknivå 6'));
  await checkAccessibility(page, 'risk-bedomd');
  await page.goto(page.url().split(/[?#]/)[0] + '/andra');
  await checkAccessibility(page, 'risk-andra');
  await page.fill('#title', '');
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  assert.ok(await page.isVisible('.error-summary'));
  await checkAccessibility(page, 'risk-andra-fel');
  await page.close();
});

test('a manager records a self-inspection run, with errors shown beside the fields first', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signInWithKeyboard(page, 'chef@exempel.se', 'demo-enhetschef');
  await page.click('text=Kvalitetsplan 2024 Individ- och familjeomsorg');
  await page.click('a[href^="/egenkontroller/"] >> nth=0');
  await checkAccessibility(page, 'egenkontroll');
  await page.fill('#run_on', '');
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  assert.ok(await page.isVisible('.error-summary'));
  await checkAccessibility(page, 'egenkontroll-fel');
  await page.fill('#run_on', '2024-03-31');
  await page.check('#verdict-approved');
  await page.fill('#sample_size', '12');
  await page.fill('#comment', 'Alla granskade ärenden godkända.');
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  assert.ok((await page.content()).includes('Alla granskade ärenden godkända.'));
  await Promise.all([page.waitForNavigation(), page.click('a[href$="/rattelse"] >> nth=0')]);
  await checkAccessibility(page, 'genomforande-rattelse');
  await page.goto(`${base}/`);
  await checkAccessibility(page, 'start-chef');
  await page.close();
});

test('staff register a deviation for their unit with the keyboard', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signInWithKeyboard(page, 'medarbetare@exempel.se', 'demo-medarbetare');
  await page.goto(`${base}/avvikelser`);
  await checkAccessibility(page, 'avvikelser-medarbetare');
  await page.click('text=Rapportera en avvikelse');
  await checkAccessibility(page, 'avvikelse-ny');
  await page.focus('#kind-internal');
  await page.keyboard.press('Space');
  await page.selectOption('#unit', { label: 'Beroendeenheten' });
  await page.fill('#title', 'Fel dos vid kvällsmedicinering');
  await page.fill('#description', 'Upptäcktes vid överlämningen.');
  await page.focus('main button[type=submit]');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.ok((await page.content()).includes('Din rapport är mottagen'));
  await checkAccessibility(page, 'avvikelse-registrerad');
  await page.close();
});

test('the board documents in HTML meet the same accessibility bar', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signInWithKeyboard(page, 'admin@exempel.se', 'demo-administrator');
  await page.click('text=Kvalitetsplan 2022 för vuxna');
  await page.click('text=Dokument till nämnden');
  await checkAccessibility(page, 'dokument');
  for (const kind of ['plan', 'follow-up', 'report']) {
    const href = await page.getAttribute(`a[href*="typ=${kind}"][href*="format=html"]`, 'href');
    const response = await page.request.get(base + href);
    assert.equal(response.status(), 200);
    const doc = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await doc.setContent(await response.text());
    await checkAccessibility(doc, `dokument-${kind}`);
    await doc.close();
  }
  await page.close();
});

test('an administrator reads the audit log and the report', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signInWithKeyboard(page, 'admin@exempel.se', 'demo-administrator');
  await page.click('text=Kvalitetsberättelse 2022 Vuxensektionen');
  await checkAccessibility(page, 'berattelse');
  await page.goto(`${base}/admin/logg`);
  await checkAccessibility(page, 'granskningslogg');
  await page.goto(`${base}/admin/loggkontroll`);
  await checkAccessibility(page, 'loggkontroll');
  await page.goto(`${base}/avvikelser`);
  await checkAccessibility(page, 'avvikelser');
  await page.close();
});

test('with the script, the plan filters apply as they change and a risk opens for editing in place', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signInWithKeyboard(page, 'kvalitet@exempel.se', 'demo-kvalitetsutvecklare');
  await page.click('text=Kvalitetsplan 2022 för vuxna');
  // A marker that a full page load would wipe out.
  await page.evaluate(() => { window.kvalitetMarker = 'kvar'; });
  const areas = await page.$$eval('#omrade option', (os) => os.map((o) => [o.value, o.textContent]).filter(([v]) => v));
  assert.ok(areas.length > 1, 'the plan has several process areas');
  const itemsBefore = await page.locator('article.risk, article.si').count();
  const shown = (await page.$$eval('section.area h3', (hs) => hs.map((h) => h.textContent.trim()))).filter((h) => h !== 'Övriga åtgärder');
  assert.ok(shown.length > 1, 'the plan shows several process areas');
  const chosen = shown[shown.length - 1];
  const [value] = areas.find(([, text]) => text.trim() === chosen);
  await Promise.all([page.waitForURL(/omrade=/), page.selectOption('#omrade', value)]);
  assert.equal(await page.evaluate(() => window.kvalitetMarker), 'kvar', 'the filter reloaded the whole page');
  const itemsAfter = await page.locator('article.risk, article.si').count();
  assert.ok(itemsAfter > 0 && itemsAfter < itemsBefore, `filtering by ${chosen} leaves fewer items (${itemsAfter} of ${itemsBefore})`);
  const headings = (await page.$$eval('section.area h3', (hs) => hs.map((h) => h.textContent.trim()))).filter((h) => h !== 'Övriga åtgärder');
  assert.deepEqual(headings, [chosen]);
  await checkAccessibility(page, 'plan-filtrerad');
  // Back to the whole plan (the filter as it changes), then open the first risk's edit
  // form in place: the form appears in the card, with the focus in it.
  await Promise.all([page.waitForURL((u) => !/omrade=[^&]/.test(u.search)), page.selectOption('#omrade', '')]);
  const card = page.locator('article.risk').first();
  const title = (await card.locator('h4').textContent()).trim();
  await card.locator('text=Ändra risken').click();
  await card.locator('form#redigera').waitFor();
  assert.equal(await page.evaluate(() => window.kvalitetMarker), 'kvar', 'the edit form was a page load');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'title');
  await checkAccessibility(page, 'plan-risk-andras-pa-plats');
  await page.fill('#title', `${title} (omformulerad)`);
  await Promise.all([page.waitForNavigation(), card.locator('button[type=submit]').click()]);
  assert.ok((await page.content()).includes(`${title} (omformulerad)`));
  await page.close();
});

test('an administrator looks after the organisation', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signInWithKeyboard(page, 'admin@exempel.se', 'demo-administrator');
  await Promise.all([page.waitForNavigation(), page.click('nav[aria-label="Huvudmeny"] a[href="/organisation"]')]);
  await checkAccessibility(page, 'organisation');
  await Promise.all([page.waitForNavigation(), page.click('ul.tree a:text-is("Beroendeenheten")')]);
  await checkAccessibility(page, 'organisation-enhet');
  await Promise.all([page.waitForNavigation(), page.click('text=Ändra eller ta bort')]);
  await checkAccessibility(page, 'organisation-enhet-andra');
  for (const list of ['malgrupper', 'processomraden', 'kvalitetsfaktorer']) {
    await page.goto(`${base}/organisation/${list}`);
    await checkAccessibility(page, `organisation-${list}`);
  }
  await page.goto(`${base}/organisation/processomraden/ny`);
  await checkAccessibility(page, 'organisation-nytt-processomrade');
  // A new unit with a level that does not fit: the error beside the field.
  await page.goto(`${base}/organisation`);
  await Promise.all([page.waitForNavigation(), page.click('a:has-text("Ny enhet") >> nth=0')]);
  await page.selectOption('#kind', 'section');
  await page.fill('#name', 'Stödboendet');
  await Promise.all([page.waitForNavigation(), page.click('button:text-is("Spara")')]);
  assert.match(await page.textContent('.error-summary'), /Nivå ska vara enhet/);
  await checkAccessibility(page, 'organisation-fel');
  await page.close();
});

test('an administrator manages accounts, on a desktop and at 390 px', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signInWithKeyboard(page, 'admin@exempel.se', 'demo-administrator');
  await Promise.all([page.waitForNavigation(), page.click('nav[aria-label="Huvudmeny"] a[href="/admin/konton"]')]);
  assert.ok((await page.content()).includes('medarbetare@exempel.se'));
  await checkAccessibility(page, 'konton');
  await page.selectOption('#roll', 'manager');
  await Promise.all([page.waitForNavigation(), page.click('form.filters button[type=submit]')]);
  assert.ok((await page.content()).includes('chef@exempel.se'));
  assert.ok(!(await page.content()).includes('medarbetare@exempel.se'));
  await page.goto(`${base}/admin/konton/ny`);
  await checkAccessibility(page, 'konto-nytt');
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  assert.ok(await page.isVisible('.error-summary'));
  await checkAccessibility(page, 'konto-nytt-fel');
  await page.fill('#email', 'e2e.person@exempel.se');
  await page.fill('#name', 'E2E Person');
  await page.selectOption('#role', 'staff');
  await page.selectOption('#scope', { label: '– – Beroendeenheten' });
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  assert.ok((await page.content()).includes('Kontot är skapat'));
  const otp = (await page.textContent('.secret')).trim();
  assert.equal(otp.length, 20);
  await checkAccessibility(page, 'konto');
  // The new person signs in with the one-time password and must choose their own first.
  const other = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await other.goto(`${base}/logga-in`);
  await other.fill('#email', 'e2e.person@exempel.se');
  await other.fill('#password', otp);
  await Promise.all([other.waitForNavigation(), other.click('main button[type=submit]')]);
  assert.match(other.url(), /\/konto\/losenord/);
  await checkAccessibility(other, 'konto-engangslosenord-390');
  await other.close();
  // At 390 px the account pages fit without scrolling sideways.
  await page.goto(`${base}/admin/konton?q=e2e.person`);
  const href = await page.getAttribute('table.list a', 'href');
  await page.setViewportSize({ width: 390, height: 844 });
  for (const path of ['/admin/konton', '/admin/konton/ny', href]) {
    await page.goto(`${base}${path}`);
    await fitsWidth(page, path);
  }
  await checkAccessibility(page, 'konton-390');
  await page.goto(`${base}/planer/ny`);
  await fitsWidth(page, '/planer/ny');
  await checkAccessibility(page, 'plan-ny-390');
  await page.close();
});

test('a case that is not lex Sarah has a page saying it has no report to IVO, at 390 px', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signInWithKeyboard(page, 'admin@exempel.se', 'demo-administrator');
  // The demo's complaint is of 2022 (the list shows one year, this year unless asked).
  await page.goto(`${base}/avvikelser?ar=2022`);
  const href = await page.getAttribute('table a:text-is("Svårighet att få kontakt med handläggaren")', 'href');
  await page.setViewportSize({ width: 390, height: 844 });
  const response = await page.goto(`${base}${href}/ivo-anmalan.pdf`);
  assert.equal(response.status(), 409);
  assert.equal((await page.textContent('main h1')).trim(), 'Ingen anmälan till IVO för ärendet');
  await fitsWidth(page, `${href}/ivo-anmalan.pdf`);
  await checkAccessibility(page, 'ivo-anmalan-ej-lex-sarah-390');
  await page.close();
});

test('staff given an action find it under Mina uppgifter, on a desktop and at 390 px', async () => {
  const admin = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signInWithKeyboard(admin, 'admin@exempel.se', 'demo-administrator');
  await Promise.all([admin.waitForNavigation(), admin.click('a:text-is("Kvalitetsplan 2024 Individ- och familjeomsorg")')]);
  const plan = new URL(admin.url()).pathname.split('/').pop();
  await admin.goto(`${base}/atgarder/ny?plan=${plan}`);
  await checkAccessibility(admin, 'atgard-ny-ansvarig');
  await admin.fill('#title', 'Ny rutin för överlämning');
  await admin.selectOption('#responsible_account', { label: 'Sam Medarbetare (medarbetare@exempel.se)' });
  await admin.fill('#due_on', '2024-06-30');
  await admin.selectOption('#status', 'ongoing');
  await Promise.all([admin.waitForNavigation(), admin.click('main button[type=submit]')]);
  await admin.close();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signInWithKeyboard(page, 'medarbetare@exempel.se', 'demo-medarbetare');
  assert.ok((await page.textContent('main')).includes('Du är ansvarig för 1 åtgärd'));
  await checkAccessibility(page, 'start-mina-uppgifter');
  await Promise.all([page.waitForNavigation(), page.click('nav[aria-label="Huvudmeny"] a[href="/mina-uppgifter"]')]);
  const text = await page.textContent('main');
  assert.ok(text.includes('Ny rutin för överlämning') && text.includes('försenad'), text);
  await checkAccessibility(page, 'mina-uppgifter');
  await page.setViewportSize({ width: 390, height: 844 });
  await fitsWidth(page, '/mina-uppgifter');
  await checkAccessibility(page, 'mina-uppgifter-390');
  await page.close();
  // Someone named responsible for nothing is told so.
  const other = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await signInWithKeyboard(other, 'chef@exempel.se', 'demo-enhetschef');
  await other.goto(`${base}/mina-uppgifter`);
  assert.ok((await other.textContent('main')).includes('Du har inga uppgifter just nu'));
  await fitsWidth(other, '/mina-uppgifter');
  await checkAccessibility(other, 'mina-uppgifter-tom-390');
  await other.close();
});

// Last: the log of the whole run names no one. The demo's people (its accounts' names)
// and e-mail addresses must not appear; accounts are numbers in it.
test('the server log of the whole run holds no personal data', async () => {
  assert.match(serverLog, /"target":"kvalitet::access"/, 'the access log was written');
  const demo = readFileSync(join(root, 'demo', 'organisation.toml'), 'utf8');
  const people = [...demo.matchAll(/\[\[accounts\]\]\s*\nemail = "[^"]+"\s*\nname = "([^"]+)"/g)].map((m) => m[1]);
  assert.ok(people.includes('Alva Administratör'), 'the demo accounts\' names are checked');
  for (const who of people) assert.ok(!serverLog.includes(who), `the log names ${who}`);
  assert.ok(!/[\w.-]+@[\w-]+\.[\w.]+/.test(serverLog), 'an e-mail address in the log');
});
