// Checks of one screen for the responsive/accessibility spec: axe-core (the npm package,
// evaluated in the page over the DevTools protocol, so the page's CSP still holds for the app),
// no horizontal scrolling, an accessible name for every input, and a screenshot per screen.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const kAxeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const kRepoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Impacts that fail a screen; "minor" and "moderate" findings are printed only. */
const kFailingImpacts = new Set(['serious', 'critical']);

/** $LATCHKEY_SCREENSHOT_DIR, else build/screenshots; created. */
export function screenshotDir() {
  const dir = process.env.LATCHKEY_SCREENSHOT_DIR || path.join(kRepoRoot, 'build', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Runs axe-core on the page; fails on any serious or critical violation (WCAG 2.1 A/AA + best practices). */
export async function assertNoSeriousAxeViolations(page, screen) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(kAxeSource);
  const violations = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const results = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return results.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  const failing = violations.filter((v) => kFailingImpacts.has(v.impact));
  assert.deepEqual(failing, [], `${screen}: axe-core found serious or critical violations`);
  return violations;
}

/** The page does not scroll sideways: nothing is wider than the viewport. */
export async function assertNoHorizontalOverflow(page, screen) {
  const m = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    bodyScrollWidth: document.body.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  assert.ok(m.scrollWidth <= m.innerWidth && m.bodyScrollWidth <= m.innerWidth,
    `${screen}: horizontal overflow ${JSON.stringify(m)}`);
}

/**
 * Every visible input has an accessible name that finds it: its <label for> text (or
 * aria-label) given to page.getByLabel matches this input. Returns the names.
 */
export async function assertInputsLabelled(page, screen) {
  const inputs = page.locator('input:visible, select:visible, textarea:visible');
  const names = [];
  for (let i = 0; i < await inputs.count(); i += 1) {
    const input = inputs.nth(i);
    const testId = await input.getAttribute('data-testid');
    const name = await input.evaluate((el) => {
      const label = el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`) : null;
      return (label ? label.textContent : el.getAttribute('aria-label') || '').replace(/\s+/g, ' ').trim();
    });
    assert.ok(name, `${screen}: input ${testId} has no label`);
    const found = await page.getByLabel(name, { exact: true })
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-testid')));
    assert.ok(found.includes(testId), `${screen}: getByLabel(${JSON.stringify(name)}) finds ${found}, not ${testId}`);
    names.push(name);
  }
  return names;
}

/** Landmarks a screen reader user jumps between. */
export async function assertLandmarks(page, screen) {
  assert.equal(await page.locator('main').count(), 1, `${screen}: one <main>`);
  assert.equal(await page.locator('header nav').count(), 1, `${screen}: a <nav> in the <header>`);
  assert.equal(await page.locator('h1').count(), 1, `${screen}: one <h1>`);
}

/** Screenshot of the whole page into `dir` as `${prefix}-${screen}.png`; returns the path. */
export async function screenshot(page, dir, prefix, screen) {
  const file = path.join(dir, `${prefix}-${screen}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Phones: every visible button, text input and header link is at least 44 CSS px high
 * (WCAG 2.5.5); checkboxes are exempt (their label is the larger target).
 */
export async function assertTapTargets(page, screen) {
  const small = await page.locator('button:visible, input.form-control:visible, nav a:visible').evaluateAll(
    (els) => els.map((el) => ({ testId: el.getAttribute('data-testid'), height: el.getBoundingClientRect().height }))
      .filter((t) => t.height < 44),
  );
  assert.deepEqual(small, [], `${screen}: tap targets under 44 px high`);
}
