// Case data in the browser, on the demo data, on SQLite and on PostgreSQL: the
// administrator opens Mått, goes to "Läs in en export", uploads a file with an unknown
// unit (sees the file:row:column list and that nothing was stored), then the good
// export (sees the result on /matt with the measure explained), and ties a measure to a
// self-inspection, first without its approval threshold (the error is named). axe on
// every page, and every page at 390 px.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from './chromium.mjs';
import { root, binary, started, checkAccessibility, fitsWidth, postgresDatabase } from './support.mjs';

const fixtures = join(root, 'crates', 'kvalitet', 'tests', 'fixtures');

let browser;
before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); });

/** `kvalitet serve` with the demo data on `url` (SQLite in `dir` when none). */
async function serveDemo(dir, url) {
  const args = url ? ['--database-url', url, 'serve', '--bind', '127.0.0.1:0'] : ['serve', '--bind', '127.0.0.1:0'];
  const server = spawn(binary, args, { cwd: dir });
  const base = await started(server, /Kvalitet körs på (http:\/\/[^/\s]+)\//, 'serve');
  return { server, base };
}

/** The page on a desktop and on a phone: axe on both, no sideways scrolling. */
async function bothWidths(page, name) {
  await checkAccessibility(page, name);
  await page.setViewportSize({ width: 390, height: 844 });
  await fitsWidth(page, name);
  await checkAccessibility(page, `${name}-390`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** Uploads `files` ({field: path}) for Q1 2024 and waits for the job to finish. */
async function upload(page, files) {
  await page.fill('#from', '2024-01-01');
  await page.fill('#to', '2024-03-31');
  for (const [field, path] of Object.entries(files)) await page.setInputFiles(`#${field}`, path);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/matt/inlasning"] button[type=submit]')]);
  assert.match(new URL(page.url()).pathname, /^\/matt\/inlasning\/\d+$/);
  // htmx asks again every second until the job has finished.
  await page.waitForFunction(() => !document.querySelector('#jobb[hx-trigger]'), null, { timeout: 60000 });
}

async function walk(base, label) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${base}/logga-in`);
  await page.fill('#email', 'admin@exempel.se');
  await page.fill('#password', 'demo-administrator');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);

  await page.goto(`${base}/matt`);
  assert.match(await page.textContent('main'), /Ingen export från verksamhetssystemet är inläst ännu/);
  await Promise.all([page.waitForNavigation(), page.click('main >> text=Läs in en export')]);
  assert.equal(new URL(page.url()).pathname, '/matt/inlasning');
  await bothWidths(page, `${label}-inlasning`);

  // A bad file: an unknown unit on row 3; nothing is stored.
  await upload(page, { arenden: join(fixtures, 'arenden_okand_enhet.csv') });
  const refused = await page.textContent('main');
  assert.match(refused, /Filerna lästes inte in: 1 fel/);
  assert.match(refused, /arenden_okand_enhet\.csv:3:unit: okänd enhet "Påhittade enheten"/);
  assert.match(refused, /Ingenting har sparats/);
  assert.doesNotMatch(refused, /19121212/, 'no personal identity number shown');
  await bothWidths(page, `${label}-inlasning-avvisad`);
  await page.goto(`${base}/matt`);
  assert.match(await page.textContent('main'), /Ingen export från verksamhetssystemet är inläst ännu/);

  // The good export: stored, and shown on /matt.
  await page.goto(`${base}/matt/inlasning`);
  await upload(page, { arenden: join(fixtures, 'arenden.csv'), insatser: join(fixtures, 'insatser.csv') });
  assert.match(await page.textContent('main'), /Exporten är inläst: 7 rader/);
  await bothWidths(page, `${label}-inlasning-klar`);
  await Promise.all([page.waitForNavigation(), page.click('main >> text=Visa måtten')]);
  await page.selectOption('#matt', 'vuxenutredning_60d');
  await Promise.all([page.waitForNavigation(), page.click('form.filters button[type=submit]')]);
  const matt = await page.textContent('main');
  assert.match(matt, /Perioden 2024-01-01 – 2024-03-31/);
  assert.match(matt, /Andelen där utredningens slut kom inom 60 dagar från utredningens start/);
  assert.match(matt, /Underlaget är för litet för att dra säkra slutsatser/);
  await bothWidths(page, `${label}-matt`);

  // Tie a measure to a self-inspection: the threshold is required.
  await page.goto(`${base}/matt/kopplingar`);
  await page.selectOption('#measure', 'forhandsbedomning_14d');
  const item = await page.$eval('#item', (s) => [...s.options].find((o) => o.value.startsWith('egenkontroll-')).value);
  await page.selectOption('#item', item);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/matt/kopplingar"] button[type=submit]')]);
  assert.match(await page.textContent('.error-summary'), /Gräns för godkänt: ange hur stor andel/);
  await bothWidths(page, `${label}-kopplingar-fel`);
  await page.fill('#approve_at', '90');
  await Promise.all([page.waitForNavigation(), page.click('form[action="/matt/kopplingar"] button[type=submit]')]);
  assert.match(await page.textContent('main'), /Kopplingen är sparad/);
  assert.match(await page.textContent('table.list'), /Förhandsbedömning inom 14 dagar \(barn\)/);
  await bothWidths(page, `${label}-kopplingar`);
  await page.close();
}

test('case data in the browser on SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvalitet-casedata-'));
  const { server, base } = await serveDemo(dir);
  try { await walk(base, 'casedata-sqlite'); } finally { server.kill('SIGTERM'); }
});

test('case data in the browser on PostgreSQL', async (t) => {
  const db = postgresDatabase();
  if (!db) { t.skip('no PostgreSQL'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'kvalitet-casedata-'));
  const { server, base } = await serveDemo(dir, db.url);
  try { await walk(base, 'casedata-postgres'); } finally { server.kill('SIGTERM'); db.drop(); }
});
