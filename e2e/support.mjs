// What the browser tests share: where the binary is, starting a child and waiting for
// its first line of interest, axe-core on a page (with a screenshot), and the check that
// a page fits a phone's width.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..');
export const binary = process.env.KVALITET_BIN || join(root, 'target', 'debug', 'kvalitet');
const shots = join(root, 'artifacts', 'e2e');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Resolves with the first match of `pattern` in the child's standard output. */
export function started(child, pattern, what, log = () => {}) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start`)), 60000);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(pattern);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.stderr.on('data', log);
    child.on('exit', (code) => reject(new Error(`${what} exited with ${code}`)));
  });
}

/** A screenshot, then axe: any WCAG 2.0/2.1 A or AA violation fails. */
export async function checkAccessibility(page, name) {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }));
  const found = result.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  assert.deepEqual(found, [], `axe violations on ${name} (${page.url()})`);
}

/** The page, as now shown, is no wider than the viewport (no sideways scrolling). */
export async function fitsWidth(page, what) {
  const [wide, viewport, culprits] = await page.evaluate(() => {
    const w = window.innerWidth;
    const over = [...document.querySelectorAll('main *')].filter((e) => e.getBoundingClientRect().right > w + 1);
    // The innermost elements that stick out name the cause.
    const inner = over.filter((e) => !over.some((o) => o !== e && e.contains(o)));
    return [document.documentElement.scrollWidth, w, inner.slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${e.className}: ${(e.textContent || '').trim().slice(0, 40)}`)];
  });
  assert.ok(wide <= viewport, `${what} is ${wide} px wide at ${viewport} px (${culprits.join(' | ')})`);
}

/** A fresh PostgreSQL database, or null where there is none (CI requires one). */
export function postgresDatabase() {
  const admin = process.env.KVALITET_TEST_POSTGRES || 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `kvalitet_e2e_${process.pid}_${Date.now()}`;
  const made = spawnSync('psql', [admin, '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE ${name}`], { encoding: 'utf8' });
  if (made.status !== 0) {
    if (process.env.KVALITET_REQUIRE_POSTGRES) throw new Error(`no PostgreSQL: ${made.stderr || made.error}`);
    return null;
  }
  return {
    url: admin.replace(/\/[^/]*$/, `/${name}`),
    drop: () => spawnSync('psql', [admin, '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]),
  };
}
