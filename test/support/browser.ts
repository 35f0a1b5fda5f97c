import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';

/** Debian's Chromium driven by playwright-core (no browser download), for the dashboard's tests. */

export const SHOTS = path.join(import.meta.dirname, '..', '..', 'test-results', 'dashboard');

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 360, height: 780 };

export async function launchChromium(): Promise<Browser> {
  await mkdir(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A page that keeps the console errors it saw (other than the API's 401/403/404 answers). */
export type WatchedPage = Page & { problems: string[] };

/** A new browser session at `address`, signed in with `key`. */
export async function signedIn(
  browser: Browser,
  apiUrl: string,
  key: string,
  address: string,
  viewport = DESKTOP,
): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport });
  const page = (await context.newPage()) as WatchedPage;
  // Generous: beside other test files on a 2-core machine a run takes seconds to start.
  page.setDefaultTimeout(60_000);
  page.problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 40[0-9]/.test(message.text()))
      page.problems.push(message.text());
  });
  await page.goto(`${apiUrl}${address}`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('header').waitFor();
  return page;
}

let axeSource: string | undefined;

/** No serious or critical accessibility violation on the page as it is now (axe-core). */
export async function checkA11y(page: Page, name: string): Promise<void> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  const results = (await page.evaluate('axe.run(document)')) as {
    violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
  };
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    name,
  ).toEqual([]);
}

/** A full-page screenshot at desktop width and one at phone width, for review. */
export async function shots(page: Page, name: string): Promise<void> {
  const before = page.viewportSize() ?? DESKTOP;
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: path.join(SHOTS, `${name}-1280.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: path.join(SHOTS, `${name}-360.png`), fullPage: true });
  await page.setViewportSize(before);
}

/** The elements that run off the right of the viewport (tag.class and how far), none when it fits. */
export async function sidewaysOverflow(page: Page): Promise<string[]> {
  return (await page.evaluate(`[...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5
      && !e.closest('[style*="overflow"], .scroll, ol.source, .log'))
    .map((e) => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '')
      + ' +' + Math.round(e.getBoundingClientRect().right - document.documentElement.clientWidth) + 'px')`)) as string[];
}
