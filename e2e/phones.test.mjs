// Every page of the application on a 390 px phone, on SQLite and on PostgreSQL: the
// demo (with the case-data fixture imported, so the measures have results) signed in as
// its quality developer and its administrator, every GET page without an id, every page
// the main menu and the start page link to, and one page of each kind with an id (a
// plan, its risk map and documents, a risk, a self-inspection, an action, an indicator,
// their edit and correction forms, a report, a deviation and its event analysis, a
// measure's cases, an account, a part of the organisation…). Each must not scroll
// sideways (document.documentElement.scrollWidth <= 390) and must have no axe
// violations; a screenshot of each goes to artifacts/e2e/ (`390-…`). Then the print
// stylesheet: a plan printed has no menu, filters, forms or edit links.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from './chromium.mjs';
import { binary, root, started, checkAccessibility, fitsWidth, postgresDatabase } from './support.mjs';

const PHONE = { width: 390, height: 844 };
const QUALITY = ['kvalitet@exempel.se', 'demo-kvalitetsutvecklare'];
const ADMIN = ['admin@exempel.se', 'demo-administrator'];
const fixtures = join(root, 'crates', 'kvalitet', 'tests', 'fixtures');

/** The pages that take no id (those a role may not open answer 403 and are skipped). */
const WITHOUT_ID = [
  '/', '/planer/ny', '/berattelser/ny', '/konto/losenord', '/konto/aviseringar', '/avvikelser', '/avvikelser/ny',
  '/avvikelser?makulerade=1', '/matt', '/admin/logg', '/admin/loggkontroll', '/admin/konton', '/admin/konton/ny',
  '/organisation', '/organisation/malgrupper', '/organisation/processomraden', '/organisation/kvalitetsfaktorer',
  '/organisation/processomraden/ny', '/mina-rapporter', '/admin/avvikelser', '/admin/dokument',
  '/api/v1/dokumentation',
  '/admin/kolada',
];

let browser;
before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); });

/** `kvalitet serve` with the demo on `url`, then the case-data fixture imported into it. */
async function serve(dir, url) {
  const server = spawn(binary, ['--database-url', url, 'serve', '--bind', '127.0.0.1:0'], { cwd: dir });
  const base = await started(server, /Kvalitet körs på (http:\/\/[^/\s]+)\//, 'serve');
  const imported = spawnSync(binary, ['--database-url', url, 'measures', 'import', '--arenden', join(fixtures, 'arenden.csv'),
    '--insatser', join(fixtures, 'insatser.csv'), '--from', '2024-01-01', '--to', '2024-03-31'], { cwd: dir, encoding: 'utf8' });
  assert.equal(imported.status, 0, `measures import: ${imported.stderr}`);
  return { server, base };
}

async function signIn(page, base, [email, password]) {
  await page.goto(`${base}/logga-in`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  assert.ok(!page.url().includes('/logga-in'), `${email} signed in`);
}

/** The first link on the current page whose path matches `pattern`, as a path. */
async function firstLink(page, pattern) {
  const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')));
  return hrefs.map((h) => h.replace(/#.*$/, '')).find((h) => pattern.test(h));
}

/** The paths of the links the main menu and the start page offer (new pages included). */
async function offered(page, base) {
  await page.goto(`${base}/`);
  const hrefs = await page.$$eval('nav[aria-label="Huvudmeny"] a[href], main a[href]', (as) => as.map((a) => a.getAttribute('href')));
  return hrefs.filter((h) => h.startsWith('/') && !/\.(xlsx|csv|pdf|docx)(\?|$)/.test(h)).map((h) => h.replace(/#.*$/, ''));
}

/** One page of each kind that takes an id, found by following links as a person would. */
async function withIds(page, base) {
  const found = new Set();
  const add = (p) => { if (p) found.add(p); };
  const visit = async (path) => { await page.goto(`${base}${path}`); };

  await visit('/');
  const plan = await page.getAttribute('a:text-is("Kvalitetsplan 2022 för vuxna")', 'href');
  add(plan);
  add(await firstLink(page, /^\/berattelser\/\d+$/));
  await visit(plan);
  for (const pattern of [/^\/planer\/\d+\/riskkarta$/, /^\/planer\/\d+\/dokument$/, /^\/risker\/\d+$/, /^\/egenkontroller\/\d+$/,
    /^\/atgarder\/\d+$/, /^\/indikatorer\/\d+$/, /^\/risker\/\d+\/andra$/, /^\/avsnitt\/\d+\/andra$/, /^\/indikatorer\/\d+\/andra$/,
    /^\/risker\/ny\?plan=\d+$/, /^\/atgarder\/ny\?plan=\d+$/, /^\/egenkontroller\/ny\?plan=\d+$/]) {
    add(await firstLink(page, pattern));
  }
  // A plan filtered to one process area.
  const area = await page.$$eval('#omrade option', (os) => os.map((o) => o.value).filter(Boolean)[0]);
  if (area) add(`${plan}?omrade=${encodeURIComponent(area)}`);
  for (const [from, pattern] of [[/^\/egenkontroller\/\d+$/, /^\/egenkontroller\/\d+\/andra$/],
    [/^\/egenkontroller\/\d+$/, /\/rattelse$/], [/^\/atgarder\/\d+$/, /^\/atgarder\/\d+\/andra$/],
    [/^\/indikatorer\/\d+$/, /\/rattelse$/], [/^\/risker\/\d+$/, /\/rattelse$/]]) {
    const start = [...found].find((p) => from.test(p));
    if (!start) continue;
    await visit(start);
    add(await firstLink(page, pattern));
  }
  await visit('/avvikelser?ar=2022');
  const deviation = await firstLink(page, /^\/avvikelser\/\d+$/);
  if (deviation) {
    add(deviation);
    await visit(deviation);
    add(await firstLink(page, /^\/avvikelser\/\d+\/(handelseanalys|makulera)$/));
  }
  await visit('/matt');
  add(await firstLink(page, /^\/matt\/resultat\/\d+$/));
  await visit('/admin/konton');
  add(await firstLink(page, /^\/admin\/konton\/\d+$/));
  await visit('/organisation');
  const unit = await firstLink(page, /^\/organisation\/enheter\/\d+$/);
  add(unit);
  if (unit) add(`${unit}/andra`);
  await visit('/mina-rapporter');
  add(await firstLink(page, /^\/mina-rapporter\/\d+$/));
  const report = [...found].find((p) => /^\/berattelser\/\d+$/.test(p));
  if (report) {
    await visit(report);
    add(await firstLink(page, /^\/(nyckeltal|resultat|brukarundersokningar|granskningar)\/\d+\/andra$/));
  }
  return [...found];
}

/** Every page a person can open, at 390 px: none scrolls sideways, axe finds nothing. */
async function everyPage(base, backend, who, account) {
  const page = await browser.newPage({ viewport: PHONE });
  try {
    await signIn(page, base, account);
    const paths = [...new Set([...WITHOUT_ID, ...(await offered(page, base)), ...(await withIds(page, base))])];
    assert.ok(paths.length > 30, `${who} visits ${paths.length} pages`);
    const seen = [];
    for (const path of paths) {
      const response = await page.goto(`${base}${path}`);
      if (response.status() === 403) continue;
      assert.ok(response.status() < 400, `${path}: ${response.status()}`);
      await fitsWidth(page, `${path} (${who}, ${backend})`);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= PHONE.width, `${path} is ${wide} px wide`);
      const name = `390-${backend}-${who}${path.replace(/[^A-Za-z0-9]+/g, '-')}`.replace(/-$/, '');
      await checkAccessibility(page, name);
      seen.push(path);
    }
    assert.ok(seen.length > 25, `${who} saw ${seen.length} pages`);
    return seen;
  } finally {
    await page.close();
  }
}

/** The plan as printed: only its content. */
async function printedPlan(base, backend) {
  const page = await browser.newPage({ viewport: PHONE });
  try {
    await signIn(page, base, QUALITY);
    await page.click('text=Kvalitetsplan 2022 för vuxna');
    await page.emulateMedia({ media: 'print' });
    const hidden = await page.evaluate(() => {
      const shown = (sel) => [...document.querySelectorAll(sel)].filter((e) => e.getClientRects().length > 0).length;
      return {
        menu: shown('nav[aria-label="Huvudmeny"]'), skip: shown('.skip'), banner: shown('.demo-banner'),
        filters: shown('form.filters'), forms: shown('main form'), buttons: shown('main button, main .button'),
        edit: shown('a[href$="/andra"], .edit-links'), risks: shown('article.risk'), table: shown('table.list'),
        stacked: [...document.querySelectorAll('table.list')].filter((t) => getComputedStyle(t).display !== 'table').length,
      };
    });
    assert.deepEqual({ ...hidden, risks: hidden.risks > 0, table: hidden.table > 0 },
      { menu: 0, skip: 0, banner: 0, filters: 0, forms: 0, buttons: 0, edit: 0, risks: true, table: true, stacked: 0 });
    await page.pdf({ path: join(root, 'artifacts', 'e2e', `utskrift-plan-${backend}.pdf`) });
  } finally {
    await page.close();
  }
}

async function run(backend, url) {
  const dir = mkdtempSync(join(tmpdir(), `kvalitet-phones-${backend}-`));
  const { server, base } = await serve(dir, url);
  try {
    const quality = await everyPage(base, backend, 'kvalitet', QUALITY);
    const admin = await everyPage(base, backend, 'admin', ADMIN);
    for (const kind of ['/planer/', '/risker/', '/egenkontroller/', '/atgarder/', '/indikatorer/', '/berattelser/', '/riskkarta']) {
      assert.ok(quality.some((p) => p.includes(kind)), `the quality developer saw a page of ${kind}`);
    }
    for (const kind of ['/admin/konton/', '/organisation/enheter/', '/avvikelser/', '/matt/resultat/', '/admin/logg']) {
      assert.ok(admin.some((p) => p.includes(kind)), `the administrator saw a page of ${kind}`);
    }
    await printedPlan(base, backend);
  } finally {
    server.kill();
  }
}

test('every page fits a 390 px phone on SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvalitet-phones-db-'));
  await run('sqlite', `sqlite://${join(dir, 'kvalitet.db')}?mode=rwc`);
});

test('every page fits a 390 px phone on PostgreSQL', async (t) => {
  const db = postgresDatabase();
  if (!db) { t.skip('no PostgreSQL'); return; }
  try {
    await run('postgres', db.url);
  } finally {
    db.drop();
  }
});
