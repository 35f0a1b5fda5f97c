import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * What a dashboard test needs of the browser, in one place: Debian's Chromium driven by
 * playwright-core (no browser download), a page signed in with a key that keeps the errors it saw,
 * axe-core run on it, the 360 px checks, and screenshots for a person to look at.
 */

/** Where the browser tests write their screenshots (not committed), for a person to look at. */
export const SHOTS = path.join(import.meta.dirname, '..', '..', 'test-results', 'dashboard');

/** The phone width every page must be readable at, without scrolling sideways. */
export const PHONE_WIDTH = 360;
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: PHONE_WIDTH, height: 800 };

export async function launchBrowser(): Promise<Browser> {
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

/**
 * What Chromium prints when it drops its connections because the machine's addresses changed: the
 * Docker engine adds and removes a bridge network (with an address on this host) for each run, and
 * other test files' runs go on beside the browser tests. The service cannot cause it; a read or a
 * dry run it interrupts is sent again by the dashboard (`fetchReadsTwice`), and what a page then
 * shows is checked by each test.
 */
const NETWORK_CHANGED = /net::ERR_NETWORK_CHANGED/;

/**
 * A page that keeps the browser's errors: console errors (but the API's answers `quiet` names, and
 * the browser's network changes) and uncaught ones.
 */
export type WatchedPage = Page & {
  problems: string[];
  /** Every request that got no answer (method, address and the browser's reason), for a failing test to say. */
  failedRequests: string[];
};

export interface SignInOptions {
  viewport?: { width: number; height: number };
  /** How long a wait on the page may take (generous: beside other test files on a 2-core machine a run takes seconds to start). */
  timeout?: number;
  /** The failed API answers the page shows as a matter of course, not kept as problems. */
  quiet?: RegExp;
}

/** A new browser session at `baseUrl + address`, signed in with `key`. */
export async function signedIn(
  browser: Browser,
  baseUrl: string,
  key: string,
  address: string,
  { viewport = DESKTOP, timeout = 60_000, quiet = /status of 40[134]/ }: SignInOptions = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport });
  const page = (await context.newPage()) as WatchedPage;
  page.setDefaultTimeout(timeout);
  page.problems = [];
  page.failedRequests = [];
  page.on('requestfailed', (request) =>
    page.failedRequests.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText}`),
  );
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' && !quiet.test(text) && !NETWORK_CHANGED.test(text))
      page.problems.push(text);
  });
  page.on('pageerror', (error) => page.problems.push(error.message));
  await page.goto(`${baseUrl}${address}`).catch((error: Error) => {
    if (!NETWORK_CHANGED.test(error.message)) throw error;
    return page.goto(`${baseUrl}${address}`);
  });
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('header').waitFor();
  return page;
}

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

/** axe-core finds no violation of any impact on the page as it is now. */
export async function checkA11y(page: Page, name: string): Promise<void> {
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
}

/** A full-page screenshot as it is now: SHOTS/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** A full-page screenshot at desktop width and one at phone width (`<name>-1280.png`, `<name>-360.png`). */
export async function shots(page: Page, name: string): Promise<void> {
  const before = page.viewportSize() ?? DESKTOP;
  await page.setViewportSize(DESKTOP);
  await shot(page, `${name}-1280`);
  await page.setViewportSize(PHONE);
  await shot(page, `${name}-360`);
  await page.setViewportSize(before);
}

/** Boxes that scroll sideways on purpose (a log, a source listing): what is inside them may be wide. */
const SCROLLING = '.scroll, ol.source, .log, [style*="overflow"]';

/**
 * What makes the page scroll sideways, none when it fits: the document wider than the window, and
 * the elements that reach past the right edge of the window (each named by tag, classes, the start
 * of its text and its right edge), outermost first, but those inside a box that scrolls on purpose.
 * `boxes` (a selector) names boxes that must not scroll sideways either: each of them whose content
 * is wider than it is listed too.
 */
export async function sidewaysOverflow(page: Page, boxes?: string): Promise<string[]> {
  return page.evaluate(
    `(() => {
    const name = (e) => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '') +
      ' "' + (e.textContent || '').trim().slice(0, 40) + '"';
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('body *')].filter(
      (e) => e.getBoundingClientRect().right > width + 0.5 && !e.closest(${JSON.stringify(SCROLLING)}),
    );
    const page = document.documentElement.scrollWidth > width
      ? ['the document: ' + document.documentElement.scrollWidth + 'px wide'] : [];
    const scrolling = ${JSON.stringify(boxes ?? null)} === null ? [] : [...document.querySelectorAll(${JSON.stringify(boxes ?? '')})]
      .filter((e) => e.scrollWidth > e.clientWidth + 1)
      .map((e) => name(e) + ' scrolls sideways: ' + e.scrollWidth + 'px in ' + e.clientWidth + 'px');
    return page.concat(wide
      .filter((e) => !wide.includes(e.parentElement))
      .map((e) => name(e) + ' ' + Math.round(e.getBoundingClientRect().right) + 'px'), scrolling);
  })()`,
  ) as Promise<string[]>;
}

/**
 * The page as it is now: axe-core finds no violation of any impact, it is drawn at 1280 px and at
 * 360 px (screenshots `<name>.png` and `<name>-360.png` in SHOTS), and at 360 px nothing makes it
 * wider than the screen.
 */
export async function checkPage(page: Page, name: string): Promise<void> {
  const file = name.replace(/[^a-z0-9-]+/gi, '-');
  await checkA11y(page, name);
  const viewport = page.viewportSize() ?? DESKTOP;
  await shot(page, file);
  await page.setViewportSize(PHONE);
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
    await shot(page, `${file}-360`);
  } finally {
    await page.setViewportSize(viewport);
  }
}
