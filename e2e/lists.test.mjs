// The lists across plans and the search in the browser, on the demo data, on SQLite and
// on PostgreSQL:
// an administrator opens "Listor" from the menu, narrows the actions to one plan and the
// open ones with the keyboard, sorts by a column heading, downloads the list as CSV and
// as an Excel file (the CSV's rows are the page's rows, in the page's order), and visits
// the four lists; axe on every list, and every list at 390 px. Then a search from the
// header's field: results grouped by kind and linked, on a desktop and at 390 px.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from './chromium.mjs';
import { binary, started, checkAccessibility, fitsWidth, postgresDatabase } from './support.mjs';

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

/** The first column of the list's rows, as the page shows them. */
function rowTitles(page) {
  return page.$$eval('table.list tbody th[scope=row] > a', (links) => links.map((a) => a.textContent.trim()));
}

async function walk(base, label) {
  const dir = mkdtempSync(join(tmpdir(), 'kvalitet-lists-'));
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${base}/logga-in`);
  await page.fill('#email', 'admin@exempel.se');
  await page.fill('#password', 'demo-administrator');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);

  await Promise.all([page.waitForNavigation(), page.click('nav[aria-label=Huvudmeny] >> text=Listor')]);
  assert.equal(new URL(page.url()).pathname, '/atgarder');
  await checkAccessibility(page, `${label}-atgarder`);

  // Narrow with the keyboard: the plan, then only open actions.
  await page.focus('#f-plan');
  const plan = await page.$eval('#f-plan', (s) => [...s.options].find((o) => o.text.startsWith('Kvalitetsplan 2024')).value);
  await page.selectOption('#f-plan', plan);
  await page.selectOption('#f-status', 'ej_avslutade');
  await Promise.all([page.waitForNavigation(), page.click('form.filters button[type=submit]')]);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('plan'), plan);
  assert.equal(url.searchParams.get('status'), 'ej_avslutade');
  const filtered = await rowTitles(page);
  assert.ok(filtered.length > 0, 'the plan has open actions');
  assert.match(await page.textContent('.list-count'), new RegExp(`${filtered.length} åtgärd(er)? i urvalet`));

  // Sort by title: the heading says so and the rows follow Swedish alphabetical order.
  await Promise.all([page.waitForNavigation(), page.click('th >> text=Åtgärd')]);
  assert.equal(await page.getAttribute('th[aria-sort]', 'aria-sort'), 'ascending');
  const sorted = await rowTitles(page);
  assert.deepEqual([...sorted].sort((a, b) => a.localeCompare(b, 'sv')), sorted);
  assert.equal(new URL(page.url()).searchParams.get('plan'), plan, 'sorting keeps the filters');

  // The downloads hold the page's rows.
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('text=som CSV-fil')]);
  const text = readFileSync(await csv.path(), 'utf8').replace(/^\uFEFF/, '');
  const lines = text.trim().split(/\r?\n/);
  assert.equal(lines[0], 'Åtgärd;Status;Klar senast;Ansvarig;Kopplad risk;Plan;Enhet;År');
  const csvTitles = lines.slice(1).map((l) => (l.startsWith('"') ? l.slice(1, l.indexOf('";')).replaceAll('""', '"') : l.split(';')[0]));
  assert.deepEqual(csvTitles, sorted);
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.click('text=Ladda ner som Excel-fil')]);
  assert.equal(xlsx.suggestedFilename(), 'atgarder.xlsx');
  assert.equal(readFileSync(await xlsx.path()).subarray(0, 2).toString(), 'PK', 'a workbook (zip)');

  // Every list, on a desktop and on a phone.
  for (const path of ['atgarder', 'risker', 'egenkontroller', 'indikatorer']) {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${base}/${path}`);
    assert.ok((await rowTitles(page)).length > 0, `${path} lists the demo's items`);
    await checkAccessibility(page, `${label}-${path}`);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/${path}`);
    await fitsWidth(page, `/${path}`);
    await checkAccessibility(page, `${label}-${path}-390`);
  }

  // Search from the header, by keyboard: a word of the demo plans' actions.
  for (const [width, suffix] of [[1280, ''], [390, '-390']]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${base}/`);
    await page.focus('#sok-topp');
    await page.keyboard.type('kompetensplan');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.equal(new URL(page.url()).pathname, '/sok');
    const hits = await page.$$eval('ol.search-hits a', (links) => links.map((a) => [a.textContent.trim(), a.getAttribute('href')]));
    assert.ok(hits.some(([text, href]) => /kompetensplan/i.test(text) && /^\/atgarder\/\d+$/.test(href)), JSON.stringify(hits));
    assert.match(await page.textContent('main h2'), /träff/);
    await fitsWidth(page, '/sok');
    await checkAccessibility(page, `${label}-sok${suffix}`);
  }
  await context.close();
}

test('the lists across plans on SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvalitet-lists-'));
  const { server, base } = await serveDemo(dir);
  try { await walk(base, 'lists-sqlite'); } finally { server.kill('SIGTERM'); }
});

test('the lists across plans on PostgreSQL', async (t) => {
  const db = postgresDatabase();
  if (!db) { t.skip('no PostgreSQL'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'kvalitet-lists-'));
  const { server, base } = await serveDemo(dir, db.url);
  try { await walk(base, 'lists-postgres'); } finally { server.kill('SIGTERM'); db.drop(); }
});
