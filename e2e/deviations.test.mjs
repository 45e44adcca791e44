// Deviations as the law's process, in the browser, on an installation set up without the
// demo, on SQLite and on PostgreSQL: staff register an internal deviation (Back and
// submit again stores one) and a duplicate; the unit's manager reclassifies the first to
// lex Sarah, investigates, assesses it as serious; the server is started again twenty days
// later (`--today`) and the IVO report is overdue on the manager's to-do list; the manager
// reports to IVO and closes the case; staff see the status and the feedback in "Mina
// rapporter" but not the investigation; the duplicate is voided and leaves the counts.
// axe on every page, and every page of the flow at 390 px.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from './chromium.mjs';
import { binary, root, started, checkAccessibility, fitsWidth, postgresDatabase } from './support.mjs';

const PASSWORD = 'Älvbys-avvikelseår-2026!';
const ADMIN = 'it@alvby.se';
const MANAGER = 'chef@alvby.se';
const STAFF = 'personal@alvby.se';
const INVESTIGATION = 'Utredningen visar att anmälan låg obehandlad i tre veckor.';
let browser;

before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); });

/** `YYYY-MM-DD` of `date` plus `days`. */
function day(date, days = 0) {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Today in Sweden. */
function swedishToday() {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(new Date());
}

/** `kvalitet setup` of a small municipality with a manager and a staff member. */
function install(dir, url) {
  const org = join(dir, 'organisation.csv');
  writeFileSync(org, 'id;parent;kind;name\n1;;forvaltning;Individ- och familjeomsorg\n2;1;sektion;Vuxensektionen\n3;2;enhet;Beroendeenheten\n');
  const db = ['--database-url', url];
  const run = (args) => {
    const out = spawnSync(binary, [...db, ...args], { cwd: dir, input: PASSWORD, encoding: 'utf8' });
    assert.equal(out.status, 0, `${args.join(' ')}: ${out.stderr}`);
  };
  run(['setup', '--name', 'Älvby kommun', '--org', org, '--admin', ADMIN, '--password-stdin']);
  run(['user', 'add', MANAGER, '--name', 'Cecilia Chef', '--role', 'manager', '--scope', 'Beroendeenheten', '--password-stdin']);
  run(['user', 'add', STAFF, '--name', 'Per Personal', '--role', 'staff', '--scope', 'Beroendeenheten', '--password-stdin']);
}

/** `kvalitet serve --no-demo` on the database, as if today were `today` (if given). */
async function serve(dir, url, today) {
  const args = ['--database-url', url, 'serve', '--no-demo', '--bind', '127.0.0.1:0'];
  if (today) args.push('--today', today);
  const server = spawn(binary, args, { cwd: dir });
  const base = await started(server, /Kvalitet körs på (http:\/\/[^/\s]+)\//, 'serve');
  return { server, base };
}

/** Submits the form that `selector` belongs to and waits for the next page. */
async function submit(page, selector = 'main button[type=submit]') {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

/** Signs in (the first time: the password from the installation, replaced at once). A
 * session lives in the database, so it outlasts a restart of the server. */
async function signIn(page, base, email) {
  await page.goto(`${base}/logga-in`);
  if (!(await page.isVisible('#email'))) return;
  const changed = page.changedPassword;
  await page.fill('#email', email);
  await page.fill('#password', changed ? `${PASSWORD}-ny` : PASSWORD);
  await submit(page);
  if (new URL(page.url()).pathname === '/konto/losenord') {
    await page.fill('#current', PASSWORD);
    await page.fill('#password', `${PASSWORD}-ny`);
    await submit(page);
    page.changedPassword = true;
  }
}

/** Checks a page with axe, and that it fits a phone's width. */
async function check(page, name) {
  await checkAccessibility(page, name);
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await fitsWidth(page, name);
  await page.setViewportSize(size);
}

/** The "Totalt" row's figure this year for a kind on `/avvikelser`. */
async function yearCount(page, base, kindLabel) {
  await page.goto(`${base}/avvikelser`);
  return page.$eval('main', (main, label) => {
    const table = [...main.querySelectorAll('table')].find((t) => t.caption?.textContent.startsWith('Antal per enhet och slag'));
    if (!table) return null;
    const col = [...table.querySelectorAll('thead th')].findIndex((th) => th.textContent.trim().startsWith(label));
    const total = table.querySelector('tfoot tr');
    return col < 0 || !total ? null : total.children[col].textContent.trim();
  }, kindLabel);
}

async function walk(name, url) {
  const dir = mkdtempSync(join(tmpdir(), `kvalitet-avvikelser-${name}-`));
  install(dir, url);
  const today = swedishToday();
  let { server, base } = await serve(dir, url);
  const staff = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const manager = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    // Staff register an internal deviation; Back and submit again stores it once.
    await signIn(staff, base, STAFF);
    await staff.goto(`${base}/avvikelser/ny`);
    await check(staff, `avv-${name}-ny`);
    await staff.check('#kind-internal');
    await staff.fill('#title', 'LVM-anmälan blev liggande');
    await staff.fill('#description', 'En anmälan enligt LVM bedömdes inte på tre veckor.');
    await submit(staff);
    const receipt = await staff.content();
    const reference = receipt.match(/\d{4}-\d{5}/)?.[0];
    assert.ok(reference, 'the receipt shows a reference number');
    const mine = new URL(staff.url()).pathname;
    await check(staff, `avv-${name}-kvitto`);
    await staff.goBack();
    await submit(staff);
    assert.equal(new URL(staff.url()).pathname, mine, 'the same form again leads to the same report');
    await staff.goto(`${base}/mina-rapporter`);
    assert.equal((await staff.content()).split(reference).length - 1, 1, 'one report stored');
    // A duplicate, sent by mistake.
    await staff.goto(`${base}/avvikelser/ny`);
    await staff.check('#kind-internal');
    await staff.fill('#title', 'LVM-anmälan blev liggande (igen)');
    await submit(staff);
    await staff.goto(`${base}/mina-rapporter`);
    await check(staff, `avv-${name}-mina-rapporter`);

    // The manager: two internal deviations this year.
    await signIn(manager, base, MANAGER);
    assert.equal(await yearCount(manager, base, 'Intern avvikelse'), '2');
    await check(manager, `avv-${name}-lista`);
    const id = mine.split('/').pop();
    const record = `/avvikelser/${id}`;

    // Reclassified to lex Sarah, with the change in the history.
    await manager.goto(`${base}${record}`);
    await manager.selectOption('form[action$="/slag"] #kind', 'lex_sarah');
    await manager.fill('form[action$="/slag"] #reason', 'Händelsen kan vara ett missförhållande för den enskilde.');
    await submit(manager, 'form[action$="/slag"] button[type=submit]');
    assert.ok((await manager.content()).includes('Händelsen kan vara ett missförhållande för den enskilde.'));

    // Investigated.
    await manager.selectOption('#status', 'investigating');
    await manager.fill('#investigation_started_on', today);
    await manager.fill('#investigator', 'Cecilia Chef');
    await manager.check('#person_informed-ja');
    await manager.fill('#person_informed_on', today);
    await manager.fill('#investigation', INVESTIGATION);
    await manager.fill('#causes', 'Ingen bevakade inkommande anmälningar under semestern.');
    await manager.fill('#measures_taken', 'Rutinen för inkommande anmälningar är genomgången i arbetsgruppen.');
    await manager.fill('#feedback', 'Tack för din rapport. Rutinen är nu ändrad.');
    await submit(manager, 'form[action$="/handlaggning"] button[type=submit]');
    assert.ok(!(await manager.isVisible('.error-summary')), 'investigation saved');
    // A date in the future is refused, naming the field.
    await manager.fill('#decided_on', day(today, 3));
    await manager.selectOption('#status', 'assessed');
    await manager.selectOption('#lex_sarah_category', 'serious');
    await manager.fill('#decided_by', 'Cecilia Chef');
    await submit(manager, 'form[action$="/handlaggning"] button[type=submit]');
    assert.ok(await manager.isVisible('.error-summary'), 'a decision in the future is refused');
    // Assessed as serious.
    await manager.fill('#decided_on', today);
    await submit(manager, 'form[action$="/handlaggning"] button[type=submit]');
    assert.ok(!(await manager.isVisible('.error-summary')), 'assessment saved');
    await check(manager, `avv-${name}-lex-sarah`);
    assert.ok(await manager.isVisible('a[href$="/ivo-anmalan.pdf"]'), 'the prefilled IVO report is offered');
    const ivoPdf = await manager.request.get(`${base}${record}/ivo-anmalan.pdf`);
    assert.equal(ivoPdf.status(), 200);
    // Kept beside the screenshots, for a person to read.
    writeFileSync(join(root, 'artifacts', 'e2e', `avv-${name}-ivo-anmalan.pdf`), await ivoPdf.body());
    await manager.goto(`${base}/`);
    const due = await manager.content();
    assert.ok(due.includes('LVM-anmälan blev liggande'), 'the IVO report is on the to-do list');

    // An event analysis of the serious case.
    await manager.goto(`${base}${record}/handelseanalys`);
    await check(manager, `avv-${name}-handelseanalys`);

    // The duplicate voided: it leaves the counts.
    await manager.goto(`${base}/avvikelser`);
    const duplicate = await manager.$eval('a:has-text("(igen)")', (a) => a.getAttribute('href'));
    await manager.goto(`${base}${duplicate}/makulera`);
    await check(manager, `avv-${name}-makulera`);
    await manager.fill('#reason', 'Samma händelse rapporterades två gånger.');
    await submit(manager);
    assert.equal(await yearCount(manager, base, 'Intern avvikelse'), '0');
    assert.equal(await yearCount(manager, base, 'Lex Sarah'), '1');

    // Twenty days later the IVO report is overdue.
    server.kill();
    const later = day(today, 20);
    ({ server, base } = await serve(dir, url, later));
    await signIn(manager, base, MANAGER);
    await manager.goto(`${base}/`);
    const overdue = await manager.content();
    assert.ok(overdue.includes('LVM-anmälan blev liggande') && /försenad/i.test(overdue), 'the IVO report is overdue');
    await check(manager, `avv-${name}-start-forsenad`);

    // Reported to IVO and closed: off the to-do list.
    await manager.goto(`${base}${record}`);
    await manager.fill('#reported_to_ivo_on', later);
    await manager.fill('#ivo_reference', 'IVO 3.5.1-12345/2026');
    await manager.selectOption('#status', 'closed');
    await manager.fill('#closed_on', later);
    await submit(manager, 'form[action$="/handlaggning"] button[type=submit]');
    assert.ok(!(await manager.isVisible('.error-summary')), 'closed');
    await manager.goto(`${base}/`);
    assert.ok(!(await manager.content()).includes('LVM-anmälan blev liggande'), 'nothing left to do');

    // Staff see the status and the feedback, not the investigation.
    await signIn(staff, base, STAFF);
    await staff.goto(`${base}${mine}`);
    const seen = await staff.content();
    assert.ok(seen.includes('Avslutad') && seen.includes('Tack för din rapport. Rutinen är nu ändrad.'));
    assert.ok(!seen.includes(INVESTIGATION), 'the investigation stays hidden from the reporter');
    await check(staff, `avv-${name}-min-rapport`);
  } finally {
    await staff.close();
    await manager.close();
    server.kill();
  }
}

test('a lex Sarah case from report to IVO on SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvalitet-avv-db-'));
  await walk('sqlite', `sqlite://${join(dir, 'kvalitet.db')}?mode=rwc`);
});

test('a lex Sarah case from report to IVO on PostgreSQL', async (t) => {
  const db = postgresDatabase();
  if (!db) { t.skip('no PostgreSQL'); return; }
  try {
    await walk('postgres', db.url);
  } finally {
    db.drop();
  }
});
