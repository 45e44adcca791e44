// A plan kept in Excel, read into Kvalitet in the browser, on SQLite and on PostgreSQL:
// an administrator makes an empty plan for next year, downloads the 2024 plan's
// workbook, tries a file that is no workbook (the problem is named, nothing stored),
// reads the workbook into the new plan (a preview of what will be created, nothing
// stored yet), saves it, and finds the risks in the plan. axe on every page, and the
// preview at 390 px.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from './chromium.mjs';
import { binary, started, checkAccessibility, fitsWidth, postgresDatabase } from './support.mjs';

let browser;
before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); });

async function serveDemo(dir, url) {
  const args = url ? ['--database-url', url, 'serve', '--bind', '127.0.0.1:0'] : ['serve', '--bind', '127.0.0.1:0'];
  const server = spawn(binary, args, { cwd: dir });
  const base = await started(server, /Kvalitet körs på (http:\/\/[^/\s]+)\//, 'serve');
  return { server, base };
}

async function walk(base, label) {
  const dir = mkdtempSync(join(tmpdir(), 'kvalitet-workbook-'));
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${base}/logga-in`);
  await page.fill('#email', 'admin@exempel.se');
  await page.fill('#password', 'demo-administrator');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);

  // The 2024 plan's workbook, from its page.
  const plan2024 = await page.$eval('main a:has-text("Kvalitetsplan 2024 Individ- och familjeomsorg")', (a) => a.href);
  await page.goto(plan2024);
  await Promise.all([page.waitForNavigation(), page.click('nav.toc >> text=Planen i Excel')]);
  await checkAccessibility(page, `${label}-arbetsbok-antagen`);
  assert.match(await page.textContent('main'), /Planen är antagen/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Ladda ner planen som arbetsbok')]);
  const workbook = join(dir, download.suggestedFilename());
  await download.saveAs(workbook);

  // An empty plan for 2025.
  await page.goto(`${base}/planer/ny`);
  const top = await page.$eval('#scope', (s) => [...s.options].find((o) => o.text.includes('Individ- och familjeomsorg')).value);
  await page.selectOption('#scope', top);
  await page.fill('#year', '2025');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Skapa planen")')]);
  const planPath = new URL(page.url()).pathname;
  assert.match(planPath, /^\/planer\/\d+$/);
  await Promise.all([page.waitForNavigation(), page.click('nav.toc >> text=Planen i Excel')]);

  // A file that is no workbook: named, nothing stored.
  const bad = join(dir, 'anteckningar.xlsx');
  writeFileSync(bad, 'inte en arbetsbok');
  await page.setInputFiles('#fil', bad);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Visa vad som ändras")')]);
  const summary = await page.textContent('.error-summary');
  assert.match(summary, /Arbetsboken lästes inte in/);
  assert.match(summary, /trasig eller ingen arbetsbok/);
  await checkAccessibility(page, `${label}-arbetsbok-fel`);

  // The workbook: a preview first.
  await page.setInputFiles('#fil', workbook);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Visa vad som ändras")')]);
  const preview = await page.textContent('#forhandsvisning + *, main');
  assert.match(preview, /Det här händer om du sparar/);
  assert.match(preview, /Inget är sparat ännu/);
  assert.match(preview, /\d+ nya, 0 ändras, 0 oförändrade/);
  await checkAccessibility(page, `${label}-arbetsbok-forhandsvisning`);
  await page.setViewportSize({ width: 390, height: 844 });
  await fitsWidth(page, 'the preview');
  await page.setViewportSize({ width: 1280, height: 900 });
  const other = await context.newPage();
  await other.goto(`${base}${planPath}`);
  assert.match(await other.textContent('main'), /0 risker/, 'the preview stored nothing');
  await other.close();

  // Stored with the preview's own form, by keyboard.
  await page.focus('button:has-text("Spara ändringarna")');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.equal(new URL(page.url()).pathname, planPath);
  assert.match(await page.textContent('[role=status]'), /Arbetsboken är inläst i planen/);
  assert.doesNotMatch(await page.textContent('main'), /\b0 risker/);
  await checkAccessibility(page, `${label}-plan-efter-arbetsbok`);
  await context.close();
}

test('a plan read from its workbook in the browser, on SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvalitet-wb-sqlite-'));
  const { server, base } = await serveDemo(dir);
  try {
    await walk(base, 'sqlite');
  } finally {
    server.kill('SIGTERM');
  }
});

test('a plan read from its workbook in the browser, on PostgreSQL', async (t) => {
  const db = postgresDatabase();
  if (!db) return t.skip('no PostgreSQL');
  const dir = mkdtempSync(join(tmpdir(), 'kvalitet-wb-pg-'));
  const { server, base } = await serveDemo(dir, db.url);
  try {
    await walk(base, 'postgres');
  } finally {
    server.kill('SIGTERM');
    db.drop();
  }
});
