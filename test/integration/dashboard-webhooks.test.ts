import type { Browser } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/key-repository.js';
import { checkA11y, launchBrowser, shot, sidewaysOverflow, signedIn } from '../support/page-checks.js';
import { createBucket, eventually, jobBody, startTestService, type TestService } from '../support/harness.js';
import { startReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * The dashboard's Webhooks page in a real browser against the real service with authentication
 * on: an endpoint added with its secret shown once, a job's end delivered to a real receiver and
 * listed with its answer, sent again from the page, the secret rotated, the endpoint turned off
 * and deleted. Screenshots at 1280 and 360 px wide go to test-results/dashboard/.
 */
let service: TestService;
let browser: Browser;
let receiver: WebhookReceiver;
let bucket: string;
const keys: Record<string, string> = {};

beforeAll(async () => {
  service = await startTestService({
    env: { TDS_AUTH: 'on', TDS_WEBHOOK_ALLOW_PRIVATE: 'true', TDS_WEBHOOK_POLL_INTERVAL_MS: '100' },
  });
  bucket = await createBucket();
  keys.operator = (await createApiKey(service.db, { operator: true }, 'ops')).key;
  keys.alice = (await createApiKey(service.db, { userId: 'alice' }, '')).key;
  await service.request(
    'PUT',
    '/admin/users/alice',
    { allowedBuckets: [bucket] },
    { authorization: `Bearer ${keys.operator}` },
  );
  receiver = await startReceiver();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await service?.close();
  await receiver?.close();
});

describe('the Webhooks page', () => {
  it('adds an endpoint showing its secret once, lists its deliveries, redelivers, rotates, disables and deletes', async () => {
    const page = await signedIn(browser, service.apiUrl!, keys.alice!, '/', { timeout: 90_000 });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks' }).click();
    // Nothing yet: the page says what a webhook is and how to add one from a terminal.
    await page.getByText('No webhook endpoints yet').waitFor();
    await page.getByText('tds webhooks add https://example.com/hook --user alice').waitFor();
    expect(await page.locator('.empty').textContent()).toContain('curl -X POST');
    await checkA11y(page, 'webhooks, empty');
    await shot(page, 'webhooks-empty');

    await page.getByLabel('URL', { exact: true }).fill(receiver.url);
    // The run events are ticked to begin with; the form offers every type the service sends.
    expect(await page.getByLabel('run.succeeded', { exact: true }).isChecked()).toBe(true);
    expect(await page.getByLabel('workflow_run.failed', { exact: true }).isChecked()).toBe(false);
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secretBox = page.getByTestId('webhook-secret');
    const secret = (await secretBox.textContent())!;
    expect(secret).toMatch(/^whsec_/);
    await page.getByText('copy it now, it will not be shown again').waitFor();
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await secretBox.waitFor({ state: 'detached' });
    await page.reload();
    await page.locator('.endpoints td.url', { hasText: receiver.url }).waitFor();
    expect(await page.content()).not.toContain(secret);
    await page.getByRole('cell', { name: 'none yet' }).waitFor();

    // A job's run ends: its delivery reaches the receiver, signed with the secret the page showed.
    const { body } = await service.request(
      'POST',
      '/jobs',
      jobBody(bucket, { userId: 'alice', command: 'true' }),
      {
        authorization: `Bearer ${keys.alice}`,
      },
    );
    await eventually("the delivery of the run's end", async () => receiver.received.length >= 1, 120_000);
    const first = receiver.received[0]!;
    expect(JSON.parse(first.body)).toMatchObject({ type: 'run.succeeded', data: { runId: body.run.id } });
    expect(() => new Webhook(secret).verify(first.body, first.headers)).not.toThrow();

    await page.getByRole('button', { name: `Deliveries of ${receiver.url}` }).click();
    const row = page.locator('.deliveries tbody tr', { hasText: 'run.succeeded' });
    await row.locator('.badge', { hasText: 'delivered' }).waitFor();
    expect(await row.locator('td').nth(2).textContent()).toBe('1');
    expect(await row.locator('td.answer').textContent()).toBe('200');
    // The endpoints' table shows the latest delivery's state too.
    await page.locator('.endpoints .badge', { hasText: 'delivered' }).waitFor();

    await row.getByRole('button', { name: /^Redeliver run\.succeeded/ }).click();
    await page.getByText(/is queued to be sent again now/).waitFor();
    await eventually('the redelivery', async () => receiver.received.length >= 2);
    expect(receiver.received[1]!.headers['webhook-id']).toBe(first.headers['webhook-id']);
    await row.locator('td', { hasText: /^2$/ }).waitFor();
    await checkA11y(page, 'webhooks, deliveries');
    await shot(page, 'webhooks-deliveries');
    await page.setViewportSize({ width: 360, height: 800 });
    await shot(page, 'webhooks-deliveries-360');
    // The endpoints' and deliveries' tables read as cards: neither scrolls sideways in its box.
    expect(await sidewaysOverflow(page, '.scroll, table')).toEqual([]);

    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('button', { name: `Rotate secret of ${receiver.url}` }).click();
    const rotated = (await secretBox.textContent())!;
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    await page.getByText(/previous secret keeps signing/).waitFor();

    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByText('disabled by its owner').waitFor();
    const { body: off } = await service.request('GET', `/webhooks?userId=alice`, undefined, {
      authorization: `Bearer ${keys.alice}`,
    });
    expect(off.webhooks[0].enabled).toBe(false);
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByText('enabled again').waitFor();

    // Deleting asks first; keeping it changes nothing.
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('This cannot be undone').waitFor();
    await page.getByRole('button', { name: 'Keep it' }).click();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByText('No webhook endpoints yet').waitFor();
    const { body: gone } = await service.request('GET', `/webhooks?userId=alice`, undefined, {
      authorization: `Bearer ${keys.alice}`,
    });
    expect(gone.webhooks).toEqual([]);
    expect(page.problems).toEqual([]);
  });

  it("lets an operator name the user whose endpoints it shows, kept in the page's address", async () => {
    const page = await signedIn(browser, service.apiUrl!, keys.operator!, '/ui/webhooks', {
      timeout: 90_000,
    });
    await page.getByText('Name a user to see their endpoints.').waitFor();
    await page.getByLabel('User', { exact: true }).fill('alice');
    await page.getByLabel('User', { exact: true }).press('Enter');
    await page.waitForURL(/\/ui\/webhooks\?userId=alice$/);
    await page.locator('.endpoints, .empty').first().waitFor();
    expect(await page.getByText('No such page').count()).toBe(0);
    expect(page.problems).toEqual([]);
  });

  it('reads its list once more when the first read got no answer from the network', async () => {
    const page = await signedIn(browser, service.apiUrl!, keys.alice!, '/', { timeout: 90_000 });
    const reads: string[] = [];
    await page.route(
      (url) => url.pathname === '/webhooks',
      async (route) => {
        reads.push(route.request().method());
        if (reads.length === 1) await route.abort('internetdisconnected');
        else await route.continue();
      },
    );
    // Every problem the page shows meanwhile, however briefly, is kept.
    await page.evaluate(`
      window.shown = [];
      new MutationObserver(() => {
        for (const problem of document.querySelectorAll('.problem')) window.shown.push(problem.textContent);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    `);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks' }).click();
    await page.locator('.endpoints, .empty').first().waitFor();
    expect(await page.evaluate('window.shown')).toEqual([]);
    expect(reads).toEqual(['GET', 'GET']);
    expect(page.problems).toEqual(['Failed to load resource: net::ERR_INTERNET_DISCONNECTED']);
  });
});
