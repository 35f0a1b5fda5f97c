import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * What a dashboard test needs of the browser: Debian's Chromium, a page signed in with a key, axe
 * run on it, and screenshots into test-results/dashboard/ for a person to look at.
 */
export const SHOTS = path.join(import.meta.dirname, '..', '..', 'test-results', 'dashboard');

/** A page that collects the browser's errors (failed API answers of 401, 403, 404 aside). */
export type WatchedPage = Page & { problems: string[] };

export async function launchBrowser(): Promise<Browser> {
  await mkdir(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
}

/** A new browser session at `baseUrl + address`, signed in with `key`. */
export async function signedIn(
  browser: Browser,
  baseUrl: string,
  key: string,
  address: string,
): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = (await context.newPage()) as WatchedPage;
  // Generous: beside other test files on a 2-core machine a run takes seconds to start.
  page.setDefaultTimeout(90_000);
  page.problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 40[134]/.test(message.text()))
      page.problems.push(message.text());
  });
  page.on('pageerror', (error) => page.problems.push(error.message));
  await page.goto(`${baseUrl}${address}`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('header').waitFor();
  return page;
}

let axeSource: string | undefined;

/** No serious or critical accessibility violation on the page as it is now. */
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

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/**
 * The elements that reach past the right edge of the window (each named by tag, classes and the
 * start of its text), outermost first: none when the page never scrolls sideways.
 */
export async function sidewaysOverflow(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    const wide = [...document.querySelectorAll('body *')].filter(
      (e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.scroll'),
    );
    const page = document.documentElement.scrollWidth > window.innerWidth
      ? ['the document: ' + document.documentElement.scrollWidth + 'px wide'] : [];
    return page.concat(wide
      .filter((e) => !wide.includes(e.parentElement))
      .map((e) => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).replace(/ /g, '.') : '') +
        ' "' + (e.textContent || '').slice(0, 40) + '" ' + Math.round(e.getBoundingClientRect().right) + 'px'));
  })()`) as Promise<string[]>;
}
