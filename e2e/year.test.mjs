// A quality developer's whole year in the browser, on an installation set up without the
// demo (`kvalitet setup`), on SQLite and on PostgreSQL: a plan for a new year, a risk with
// its first assessment, a self-inspection and an indicator linked to it, a run and a
// result recorded and corrected, the risk re-assessed, the plan adopted, the risk changed
// after adoption (the adopted document keeps the level the board saw), the plan marked
// followed up, rolled into next year (carrying the self-inspection's status), and the
// year's Kvalitetsberättelse created and submitted. axe on every page, and the new pages
// at 390 px.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from './chromium.mjs';
import { binary, started, checkAccessibility, fitsWidth, postgresDatabase } from './support.mjs';

const PASSWORD = 'Älvbys-kvalitetsår-2026!';
const ADMIN = 'it@alvby.se';
let browser;

before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); });

/** `kvalitet setup` of a small municipality, then `kvalitet serve --no-demo` on it. */
async function install(dir, url) {
  const org = join(dir, 'organisation.csv');
  writeFileSync(org, 'id;parent;kind;name\n1;;forvaltning;Individ- och familjeomsorg\n2;1;sektion;Vuxensektionen\n3;2;enhet;Beroendeenheten\n');
  const db = ['--database-url', url];
  const setup = spawnSync(binary, [...db, 'setup', '--name', 'Älvby kommun', '--org', org, '--admin', ADMIN, '--password-stdin'],
    { cwd: dir, input: PASSWORD, encoding: 'utf8' });
  assert.equal(setup.status, 0, setup.stderr);
  const server = spawn(binary, [...db, 'serve', '--no-demo', '--bind', '127.0.0.1:0'], { cwd: dir });
  const base = await started(server, /Kvalitet körs på (http:\/\/[^/\s]+)\//, 'serve');
  return { server, base };
}

/** Submits the form that `button` belongs to and waits for the next page. */
async function submit(page, selector = 'main button[type=submit]') {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

/** The path of the first link whose href starts with `prefix` followed by a number. */
async function firstLink(page, prefix) {
  const hrefs = await page.$$eval(`a[href^="${prefix}"]`, (as) => as.map((a) => a.getAttribute('href')));
  const href = hrefs.find((h) => /^\d/.test(h.slice(prefix.length)));
  assert.ok(href, `a link to ${prefix}… on ${page.url()}`);
  return href.split('#')[0];
}

async function walkTheYear(name, url) {
  const dir = mkdtempSync(join(tmpdir(), `kvalitet-year-${name}-`));
  const { server, base } = await install(dir, url);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const go = (path) => page.goto(`${base}${path}`);
  try {
    await go('/logga-in');
    await page.fill('#email', ADMIN);
    await page.fill('#password', PASSWORD);
    await submit(page);

    // The municipality's own process area, as a fresh installation has none.
    await go('/organisation/processomraden/ny');
    await page.fill('#name', 'Myndighetsutövning vuxna');
    await page.fill('#sort_order', '1');
    await submit(page);

    // This year's plan for the section: a new, empty plan (and the page fits a phone).
    await go('/');
    await submit(page, 'a[href="/planer/ny"]');
    await checkAccessibility(page, `ar-${name}-plan-ny`);
    await page.setViewportSize({ width: 390, height: 844 });
    await fitsWidth(page, '/planer/ny');
    await page.setViewportSize({ width: 1280, height: 900 });
    const scope = await page.$eval('#scope', (s) => [...s.options].find((o) => o.textContent.includes('Vuxensektionen')).value);
    await page.selectOption('#scope', scope);
    await page.fill('#year', '2026');
    await submit(page);
    const plan = new URL(page.url()).pathname;
    assert.match(plan, /^\/planer\/\d+$/);
    assert.ok((await page.content()).includes('Kvalitetsplan 2026 Vuxensektionen'));
    await checkAccessibility(page, `ar-${name}-plan`);

    // A risk with its first assessment.
    await go(`/risker/ny?plan=${plan.split('/')[2]}`);
    await page.fill('#title', 'Vårdplaner upprättas inte i tid');
    await page.selectOption('#area', { label: 'Myndighetsutövning vuxna' });
    await page.fill('#consequence_text', 'Insatserna följs inte upp.');
    await page.fill('#level', '12');
    await submit(page);
    await go(plan);
    const risk = await firstLink(page, '/risker/');
    await go(risk);
    assert.ok((await page.textContent('.level-chip')).includes('Risknivå 12'));
    await checkAccessibility(page, `ar-${name}-risk`);

    // A self-inspection and an indicator, each added from the risk's page, linked to it.
    await submit(page, 'a:has-text("Lägg till egenkontroll")');
    await checkAccessibility(page, `ar-${name}-egenkontroll-ny`);
    assert.ok(await page.isChecked('input[type=checkbox][name^="risks_"]'), 'the risk is ticked in the form');
    await page.fill('#title', 'Granskning av vårdplaner');
    await page.selectOption('#area', { label: 'Myndighetsutövning vuxna' });
    await page.fill('#purpose', 'Att vårdplaner finns för alla med insats.');
    await page.fill('#target', 'Alla med insats har en vårdplan');
    await submit(page);
    await go(risk);
    await submit(page, 'a:has-text("Lägg till indikator")');
    await page.fill('#name', 'Andel med vårdplan');
    await page.selectOption('#area', { label: 'Myndighetsutövning vuxna' });
    await page.fill('#target_value', '90');
    await submit(page);
    await go(risk);
    const si = await firstLink(page, '/egenkontroller/');
    const indicator = await firstLink(page, '/indikatorer/');
    await go(si);
    assert.ok((await page.content()).includes('Vårdplaner upprättas inte i tid'), 'the self-inspection names its risk');

    // A run recorded, then corrected with a reason.
    await page.fill('#run_on', '2026-03-31');
    await page.check('#verdict-not_approved');
    await page.fill('#sample_size', '18');
    await page.fill('#comment', 'Fyra vårdplaner saknades.');
    await submit(page);
    assert.ok((await page.content()).includes('Fyra vårdplaner saknades.'));
    await submit(page, 'a[href$="/rattelse"] >> nth=0');
    await checkAccessibility(page, `ar-${name}-rattelse`);
    await page.fill('#comment', 'Fem vårdplaner saknades.');
    await page.fill('#reason', 'Felräknat vid första genomgången.');
    await submit(page);
    const siPage = await page.content();
    assert.ok(siPage.includes('Fem vårdplaner saknades.') && siPage.includes('Felräknat vid första genomgången.'));

    // An indicator result as a fraction: its value is computed.
    await go(indicator);
    assert.ok((await page.content()).includes('Vårdplaner upprättas inte i tid'), 'the indicator names its risk');
    await page.fill('#numerator', '14');
    await page.fill('#denominator', '17');
    await submit(page);
    assert.ok((await page.content()).includes('82,4'), 'value computed from 14/17');
    await checkAccessibility(page, `ar-${name}-indikator`);
    // The denominator was wrong: corrected with a reason, the value follows.
    await submit(page, 'a[href^="/indikatorresultat/"][href$="/rattelse"]');
    await checkAccessibility(page, `ar-${name}-resultat-rattelse`);
    await page.fill('#denominator', '18');
    await page.fill('#value', '');
    await page.fill('#reason', 'Nämnaren räknades fel: 18 ärenden.');
    await submit(page, 'main form button[type=submit]:not([name=remove])');
    const corrected = await page.content();
    assert.ok(corrected.includes('77,8') && corrected.includes('Nämnaren räknades fel: 18 ärenden.'), 'the result corrected');

    // The risk re-assessed (3 × 4), the plan adopted.
    await go(risk);
    await page.check('#likelihood-3');
    await page.check('#consequence-4');
    await page.fill('#comment', 'Bedömd efter egenkontrollen.');
    await submit(page, 'form[action$="/bedomning"] button[type=submit]');
    assert.ok((await page.textContent('.level-chip')).includes('Risknivå 12'));
    await go(plan);
    await page.fill('#adopted_on', '2026-02-10');
    await page.fill('#board_reference', 'SN 2026/12 § 7');
    await submit(page, 'form[action$="/anta"] button[type=submit]');
    assert.ok(!(await page.isVisible('.error-summary')), 'adopted without errors');
    assert.ok((await page.content()).includes('SN 2026/12 § 7'));

    // Changed after adoption: 2 × 2.
    await go(risk);
    await page.check('#likelihood-2');
    await page.check('#consequence-2');
    await page.fill('#comment', 'Åtgärderna har gett effekt.');
    await submit(page, 'form[action$="/bedomning"] button[type=submit]');
    assert.ok((await page.textContent('.level-chip')).includes('Risknivå 4'));

    // The adopted PDF still shows the level the board saw; today's version, labelled, the new one.
    const pdfText = async (url) => {
      const res = await page.request.get(url);
      assert.equal(res.status(), 200, url);
      const out = spawnSync('pdftotext', ['-', '-'], { input: Buffer.from(await res.body()), encoding: 'utf8' });
      assert.equal(out.status, 0, `pdftotext: ${out.stderr}`);
      return out.stdout.replace(/\s+/g, ' ').replace(/ ?× ?/g, ' × ');
    };
    const doc = `${base}/api/v1/dokument?typ=plan&ar=2026&format=pdf&omfattning=${scope}`;
    const adoptedPdf = await pdfText(doc);
    assert.ok(adoptedPdf.includes('sannolikhet 3 × konsekvens 4'), 'the adopted PDF keeps the level at adoption');
    assert.ok(!adoptedPdf.includes('sannolikhet 2 × konsekvens 2'), 'the adopted PDF changed after adoption');
    const currentPdf = await pdfText(`${doc}&version=aktuell`);
    assert.ok(currentPdf.includes('sannolikhet 2 × konsekvens 2') && currentPdf.includes('Aktuell version'), 'the current version');

    // Followed up with the board's reference; then next year's draft.
    await go(plan);
    await page.fill('#followed_up_on', '2026-11-20');
    await page.fill('#follow_up_reference', 'SN 2026/88 § 4');
    await submit(page, 'form[action$="/uppfoljd"] button[type=submit]');
    assert.ok(!(await page.isVisible('.error-summary')), 'followed up without errors');
    assert.ok(!(await page.isVisible('form[action$="/uppfoljd"]')), 'no longer waiting to be followed up');
    assert.ok((await page.content()).includes('SN 2026/88 § 4'));
    await submit(page, 'form[action$="/nasta-ar"] button[type=submit]');
    const nextPlan = new URL(page.url()).pathname;
    const next = await page.content();
    assert.ok(next.includes('Kvalitetsplan 2027 Vuxensektionen') && next.includes('Utkast'));
    assert.ok(next.includes('Status förra året</dt><dd>Röd'), 'the run\'s verdict carried as last year\'s status');
    await checkAccessibility(page, `ar-${name}-nasta-ar`);

    // The year's Kvalitetsberättelse, pre-filled.
    await go('/berattelser/ny');
    await checkAccessibility(page, `ar-${name}-berattelse-ny`);
    await page.setViewportSize({ width: 390, height: 844 });
    await fitsWidth(page, '/berattelser/ny');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.selectOption('#scope', scope);
    await page.fill('#year', '2026');
    await submit(page);
    const report = await page.content();
    assert.ok(report.includes('Kvalitetsberättelse 2026 Vuxensektionen'));
    assert.ok(report.includes('Andel med vårdplan: 77,8'), 'the indicator result pre-filled');
    assert.ok(report.includes('1 egenkontroller, 1 med senaste resultat ej godkänt'), 'the follow-up pre-filled');
    await checkAccessibility(page, `ar-${name}-berattelse`);
    // Submitted to the board.
    await page.fill('#submitted_on', '2026-11-25');
    await page.fill('#board_reference', 'SN 2026/95 § 3');
    await submit(page, 'form[action$="/overlamnad"] button[type=submit]');
    const submitted = await page.content();
    assert.ok(submitted.includes('SN 2026/95 § 3') && !submitted.includes('/overlamnad"'), 'the report submitted');

    // Every page of the year fits a phone's width.
    const reportPage = new URL(page.url()).pathname;
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of [plan, risk, si, indicator, reportPage, nextPlan, `${plan}/dokument`, '/konto/aviseringar']) {
      await go(path);
      await fitsWidth(page, path);
    }
    await checkAccessibility(page, `ar-${name}-aviseringar-390`);
  } finally {
    await page.close();
    server.kill('SIGTERM');
  }
}

test('a quality developer walks the year on SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvalitet-year-db-'));
  await walkTheYear('sqlite', `sqlite://${join(dir, 'kvalitet.db')}?mode=rwc`);
});

test('a quality developer walks the year on PostgreSQL', async (t) => {
  const db = postgresDatabase();
  if (!db) { t.skip('no PostgreSQL on this machine'); return; }
  try {
    await walkTheYear('postgres', db.url);
  } finally {
    db.drop();
  }
});
