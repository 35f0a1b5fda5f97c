import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** Where the browser tests write their screenshots (not committed), for a person to look at. */
export const SHOTS = path.join(import.meta.dirname, '..', '..', 'test-results', 'dashboard');

/** The phone width every page must be readable at, without scrolling sideways. */
export const PHONE_WIDTH = 360;

/** An address of the service's own origin the tests answer with axe-core's source. */
const AXE_PATH = '/__test-axe-core.js';
let axeSource: Promise<string> | undefined;

/**
 * axe-core's source, put on the page with a script tag from the page's own origin (answered by the
 * test, never by the service): the page's Content-Security-Policy (`script-src 'self'`) stays on.
 */
async function injectAxe(page: Page): Promise<void> {
  axeSource ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  const source = await axeSource;
  const origin = new URL(page.url()).origin;
  await page.route(`${origin}${AXE_PATH}`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/javascript', body: source }),
  );
  await page.addScriptTag({ url: `${origin}${AXE_PATH}` });
}

/**
 * The page as it is now: axe-core finds no violation of any impact, it is drawn at 1280 px and at
 * 360 px (screenshots `<name>.png` and `<name>-360.png` in SHOTS), and at 360 px nothing makes it
 * wider than the screen.
 */
export async function checkPage(page: Page, name: string): Promise<void> {
  const file = name.replace(/[^a-z0-9-]+/gi, '-');
  await injectAxe(page);
  const results = (await page.evaluate('axe.run(document)')) as {
    violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
  };
  expect(
    results.violations.map(
      (v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    ),
    `${name}: axe-core`,
  ).toEqual([]);
  const viewport = page.viewportSize() ?? { width: 1280, height: 900 };
  await page.screenshot({ path: path.join(SHOTS, `${file}.png`), fullPage: true });
  await page.setViewportSize({ width: PHONE_WIDTH, height: 800 });
  try {
    // Two frames: the page lays itself out again at the new width (charts measure their box).
    await page.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))');
    const widths = (await page.evaluate(`({
      page: document.documentElement.scrollWidth,
      widest: [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > ${PHONE_WIDTH} + 0.5)
        .slice(0, 5)
        .map((el) => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + ' ' + Math.round(el.getBoundingClientRect().right)),
    })`)) as { page: number; widest: string[] };
    expect(
      widths.page,
      `${name} at ${PHONE_WIDTH} px is ${widths.page} px wide: ${widths.widest.join(', ')}`,
    ).toBeLessThanOrEqual(PHONE_WIDTH);
    await page.screenshot({ path: path.join(SHOTS, `${file}-360.png`), fullPage: true });
  } finally {
    await page.setViewportSize(viewport);
  }
}
