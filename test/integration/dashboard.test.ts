import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, launchBrowser, shot, signedIn as signIn } from '../support/page-checks.js';
import { createApiKey } from '../../src/auth/key-repository.js';
import { createBucket, jobBody, startTestService, type TestService } from '../support/harness.js';

/**
 * The dashboard in a real browser (Debian's Chromium) against the real service with
 * authentication on: runs watched from queued to succeeded with their log live and charts drawn, a
 * failure's reason, a cancel from the page, one user unable to see another's runs, and every
 * page checked by axe-core. Screenshots of each page go to test-results/dashboard/ for review.
 */
let service: TestService;
let browser: Browser;
let bucket: string;
const keys: Record<string, string> = {};

beforeAll(async () => {
  service = await startTestService({ env: { TDS_AUTH: 'on' } });
  bucket = await createBucket();
  keys.operator = (await createApiKey(service.db, { operator: true }, 'ops')).key;
  // dana keeps secrets; bob is the user with nothing of his own.
  for (const user of ['alice', 'bob', 'dana']) {
    keys[user] = (await createApiKey(service.db, { userId: user }, '')).key;
    await service.request(
      'PUT',
      `/admin/users/${user}`,
      { allowedBuckets: [bucket] },
      { authorization: `Bearer ${keys.operator}` },
    );
  }
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await service?.close();
});

async function submit(user: string, overrides: Record<string, unknown>) {
  const { status, body } = await service.request(
    'POST',
    '/jobs',
    jobBody(bucket, { userId: user, ...overrides }),
    { authorization: `Bearer ${keys[user]}` },
  );
  expect(status, JSON.stringify(body)).toBe(202);
  return body as { job: { id: string }; run: { id: string } };
}

/** A new browser session signed in with `user`'s key, at `address`. */
const signedIn = (user: string, address: string) => signIn(browser, service.apiUrl!, keys[user]!, address);

describe('the dashboard', () => {
  it('is served at / with its own assets, a page at every /ui/ address, and never instead of the API', async () => {
    const root = await fetch(`${service.apiUrl}/`);
    expect(root.status).toBe(200);
    expect(root.headers.get('content-type')).toContain('text/html');
    expect(root.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await root.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    expect((await fetch(`${service.apiUrl}${script}`)).status).toBe(200);
    expect((await fetch(`${service.apiUrl}/ui/runs/anything`)).headers.get('content-type')).toContain(
      'text/html',
    );
    const api = await fetch(`${service.apiUrl}/runs/01900000-0000-7000-8000-000000000000`, {
      headers: { accept: 'text/html', authorization: `Bearer ${keys.alice}` },
    });
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/json');
  });

  it('shows a run go from queued to succeeded, its log live and its charts drawn', async () => {
    const { run, job } = await submit('alice', {
      command:
        'for i in $(seq 1 25); do echo "line $i \\033[31mred\\033[0m <script>x</script>"; sleep 0.25; done',
      metrics_interval_seconds: 0.25,
    });
    const page = await signedIn('alice', `/ui/runs/${run.id}`);
    await page
      .locator('.badge.state-queued, .badge.state-staging, .badge.state-building, .badge.state-running')
      .first()
      .waitFor();
    // A line arrives while the run still runs.
    await page.locator('.log div', { hasText: 'line 3 ' }).waitFor({ timeout: 90_000 });
    const { body: during } = await service.request('GET', `/runs/${run.id}`, undefined, {
      authorization: `Bearer ${keys.alice}`,
    });
    expect(during.state).toMatch(/running|uploading/);
    await page.locator('h1 .badge.state-running').waitFor();
    // ANSI colours become styled text; the HTML in the line is shown, not run.
    expect(await page.locator('.log div', { hasText: 'line 3 ' }).innerHTML()).toContain('&lt;script&gt;');
    expect(await page.locator('.log span[style*="color"]').count()).toBeGreaterThan(0);
    await page.locator('h1 .badge.state-succeeded').waitFor({ timeout: 60_000 });
    await page.getByTestId('log-status').filter({ hasText: 'complete' }).waitFor();
    expect(await page.locator('.log div').count()).toBe(25);
    // A function, never a string: a string predicate that has to be polled is evaluated in the page,
    // which its Content-Security-Policy forbids (the check failed whenever the charts were not drawn yet).
    await page.waitForFunction(() =>
      [
        ...(
          globalThis as unknown as {
            document: { querySelectorAll(s: string): Iterable<{ getAttribute(n: string): string | null }> };
          }
        ).document.querySelectorAll('figure.chart'),
      ].every((f) => Number(f.getAttribute('data-points')) > 3),
    );
    expect(await page.locator('figure.chart canvas').count()).toBe(2);
    await page.locator('.files a', { hasText: 'stdout.log' }).waitFor();
    const href = await page.locator('.files a', { hasText: 'stdout.log' }).getAttribute('href');
    expect(await (await fetch(href!)).text()).toContain('line 25');
    await shot(page, 'run-succeeded');
    await checkPage(page, 'run page');

    await page.getByRole('link', { name: job.id.slice(0, 8) }).click();
    await page.locator('h1', { hasText: 'Job' }).waitFor();
    await page.locator('table tbody tr').first().waitFor();
    await shot(page, 'job');
    await checkPage(page, 'job page');
    expect((page as Page & { problems: string[] }).problems).toEqual([]);
    await page.context().close();
  });

  it('lists what a run and a workflow run were triggered with on their pages', async () => {
    const alice = { authorization: `Bearer ${keys.alice}` };
    const { job } = await submit('alice', { command: 'echo "$GREETING"', cron: '0 5 * * *' });
    const triggered = await service.request(
      'POST',
      `/jobs/${job.id}/trigger`,
      { env: { GREETING: 'hello from the trigger' }, source_s3_prefix: 'elsewhere/' },
      alice,
    );
    expect(triggered.status, JSON.stringify(triggered.body)).toBe(202);
    expect(triggered.body.overrides).toEqual({
      env: { GREETING: 'hello from the trigger' },
      source_s3_prefix: 'elsewhere/',
    });
    const page = await signedIn('alice', `/ui/runs/${triggered.body.id}`);
    const facts = page.getByTestId('overrides');
    await facts.waitFor();
    // A heading of its own, as the page's other sections have: found by heading navigation.
    const startedWith = page.getByRole('heading', { level: 2, name: 'Started with' });
    expect(await startedWith.isVisible()).toBe(true);
    expect(await facts.getAttribute('aria-labelledby')).toBe(await startedWith.getAttribute('id'));
    expect(await facts.locator('li').allTextContents()).toEqual([
      'input folder elsewhere/',
      'env GREETING=hello from the trigger',
    ]);
    await checkPage(page, 'run page with overrides');

    const stored = await service.request(
      'POST',
      '/workflows',
      {
        userId: 'alice',
        uniqueId: `greet-${job.id.slice(0, 8)}`,
        s3_bucket: bucket,
        source_s3_prefix: '',
        destination_s3_prefix: 'flows/',
        params: { greeting: { type: 'string', default: 'hi' } },
        steps: [{ name: 'say', command: 'echo "{{params.greeting}} $EXTRA"' }],
      },
      alice,
    );
    expect(stored.status, JSON.stringify(stored.body)).toBe(202);
    const started = await service.request(
      'POST',
      `/workflows/${stored.body.workflow.id}/trigger`,
      { params: { greeting: 'hola' }, env: { EXTRA: 'there' }, source_s3_prefix: '' },
      alice,
    );
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    await page.goto(`${service.apiUrl}/ui/workflow-runs/${started.body.id}`);
    await page.locator('h1', { hasText: 'Workflow run' }).waitFor();
    expect(await startedWith.isVisible()).toBe(true);
    expect(await facts.locator('li').allTextContents()).toEqual([
      "input folder (the bucket's top)",
      'env EXTRA=there',
      'param greeting=hola',
    ]);
    await checkPage(page, 'workflow run page with overrides');
    expect((page as Page & { problems: string[] }).problems).toEqual([]);
    await page.context().close();
  });

  it("lists a job's secrets by name on its page, never their values", async () => {
    const value = 'dashboard-s3cret-8841';
    const set = await service.request(
      'PUT',
      '/secrets/DEPLOY_TOKEN',
      { value },
      {
        authorization: `Bearer ${keys.dana}`,
      },
    );
    expect(set.status).toBe(201);
    const { job } = await submit('dana', { command: 'echo "$DEPLOY_TOKEN"', secrets: ['DEPLOY_TOKEN'] });
    const page = await signedIn('dana', `/ui/jobs/${job.id}`);
    await page.getByText('Secrets (names; values are never shown): DEPLOY_TOKEN').waitFor();
    expect(await page.content()).not.toContain(value);
    await page.context().close();
  });

  it('shows a failed run with its reason first, and cancels a run from the page', async () => {
    const failed = await submit('alice', { command: 'echo about to fail; exit 3' });
    const long = await submit('alice', { command: 'echo waiting; sleep 60' });
    // A run no worker can take yet: no empty chart frames, but words saying what comes there.
    const parked = await submit('alice', { command: 'true', requires: ['no-such-tag'] });
    const page = await signedIn('alice', `/ui/runs/${parked.run.id}`);
    await page
      .getByTestId('no-readings')
      .getByText(/^No readings yet: its CPU and memory are charted here/)
      .waitFor();
    expect(await page.locator('figure.chart').count()).toBe(0);
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.getByRole('button', { name: 'Yes, cancel the run' }).click();
    await page.locator('h1 .badge.state-cancelled').waitFor();
    await page
      .getByTestId('no-readings')
      .getByText('No readings: the run ended before its command was sampled.')
      .waitFor();

    await page.goto(`${service.apiUrl}/ui/runs/${failed.run.id}`);
    await page.getByTestId('failure').waitFor({ timeout: 90_000 });
    expect(await page.getByTestId('failure').textContent()).toContain('exit_code');
    // A command that ends at once has one reading of the engine's (two, on a slow enough host): one
    // is told in words, as a chart of one point draws nothing; two or more are charted.
    const { body: readings } = await service.request('GET', `/runs/${failed.run.id}/metrics`, undefined, {
      authorization: `Bearer ${keys.alice}`,
    });
    if (readings.samples.length === 1) {
      await page
        .getByTestId('one-reading')
        .getByText(/^One reading, \d+\.\d s after the start: memory .+\. The run ended before the next/)
        .waitFor();
      expect(await page.locator('figure.chart').count()).toBe(0);
    } else {
      expect(readings.samples.length).toBeGreaterThan(1);
      await page.locator('figure.chart canvas').first().waitFor();
      expect(await page.locator('figure.chart').count()).toBe(2);
    }
    await shot(page, 'run-failed');
    await checkPage(page, 'failed run page');

    await page.goto(`${service.apiUrl}/ui/runs/${long.run.id}`);
    await page.locator('.log div', { hasText: 'waiting' }).waitFor({ timeout: 90_000 });
    await page.getByRole('button', { name: 'Cancel run' }).click();
    // A cancel cannot be undone: the page asks first, and nothing is cancelled until confirmed.
    await page.getByText('Cancel this run? This cannot be undone').waitFor();
    await page.getByRole('button', { name: 'Yes, cancel the run' }).click();
    await page.getByTestId('run-outcome').getByText('Cancel requested.').waitFor();
    await page.locator('h1 .badge.state-cancelled').waitFor({ timeout: 60_000 });

    await page.goto(`${service.apiUrl}/`);
    await page.locator('[data-state="succeeded"]').waitFor();
    await page.locator('text=exit_code').first().waitFor();
    await shot(page, 'overview');
    await checkPage(page, 'overview');

    await page.goto(`${service.apiUrl}/ui/jobs?failed=1`);
    await page.locator('table tbody tr').first().waitFor();
    expect(await page.locator('table tbody tr').count()).toBe(1);
    expect(await page.getByLabel('failed only').isChecked()).toBe(true);
    await shot(page, 'jobs-failed-only');
    await checkPage(page, 'jobs');
    await page.context().close();
  });

  it('charts what runs used per day on the overview and on the job and workflow pages', async () => {
    keys.erin = (await createApiKey(service.db, { userId: 'erin' }, '')).key;
    const erin = { authorization: `Bearer ${keys.erin}` };
    await service.request(
      'PUT',
      '/admin/users/erin',
      { allowedBuckets: [bucket] },
      {
        authorization: `Bearer ${keys.operator}`,
      },
    );
    const { run, job } = await submit('erin', {
      command: "timeout 1 sh -c 'while :; do :; done' || true",
      metrics_interval_seconds: 0.5,
    });
    const posted = await service.request(
      'POST',
      '/workflows',
      {
        userId: 'erin',
        uniqueId: 'erin-wf',
        s3_bucket: bucket,
        source_s3_prefix: '',
        destination_s3_prefix: '/wf/',
        steps: [{ name: 'only', command: 'sleep 1' }],
      },
      erin,
    );
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const workflowId = posted.body.workflow.id as string;
    const ended = async (url: string) => {
      for (let i = 0; i < 600; i++) {
        const { body } = await service.request('GET', url, undefined, erin);
        if (['succeeded', 'failed', 'cancelled', 'timed_out'].includes(body.state)) return body.state;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new Error(`${url} did not end`);
    };
    expect(await ended(`/runs/${run.id}`)).toBe('succeeded');
    expect(await ended(`/workflow-runs/${posted.body.workflowRun.id}`)).toBe('succeeded');
    // As the page writes it: hours from a hundredth of an hour on, seconds below.
    const hours = (seconds: number) =>
      seconds >= 36
        ? `${(seconds / 3600).toFixed(2)} CPU-hours`
        : `${seconds >= 1 || seconds === 0 ? seconds.toFixed(1) : seconds.toPrecision(2)} CPU-seconds`;
    const usageOf = async (filter: string) =>
      (await service.request('GET', `/usage?userId=erin${filter}`, undefined, erin)).body.total;

    // bob has nothing: the empty state says what would be there.
    const bob = await signedIn('bob', '/');
    await bob.getByText('No run of yours ended in the last 7 days').waitFor();
    await bob.context().close();

    const page = await signedIn('erin', '/');
    const section = page.getByTestId('usage');
    await section.locator('figure.chart canvas').waitFor();
    expect(await section.locator('figure.chart').getAttribute('data-points')).toBe('7');
    const all = await usageOf('');
    expect(all.runs).toBe(2);
    expect(await page.getByTestId('usage-total').textContent()).toContain(hours(all.cpuSeconds));
    expect(await page.getByTestId('usage-total').textContent()).toContain(' · 2 runs · ');
    await shot(page, 'overview-usage');
    await checkPage(page, 'overview with usage');

    await page.goto(`${service.apiUrl}/ui/jobs/${job.id}`);
    await section.locator('figure.chart canvas').waitFor();
    const ofJob = await usageOf(`&jobId=${job.id}`);
    expect(ofJob.runs).toBe(1);
    expect(await page.getByTestId('usage-total').textContent()).toContain(hours(ofJob.cpuSeconds));
    expect(await page.getByTestId('usage-total').textContent()).toContain('1 run ·');

    await page.goto(`${service.apiUrl}/ui/workflows/${workflowId}`);
    await section.locator('figure.chart canvas').waitFor();
    const ofWorkflow = await usageOf(`&workflowId=${workflowId}`);
    expect(ofWorkflow.runs).toBe(1);
    expect(await page.getByTestId('usage-total').textContent()).toContain(hours(ofWorkflow.cpuSeconds));
    await shot(page, 'workflow-usage');
    await checkPage(page, 'workflow page with usage');
    expect((page as Page & { problems: string[] }).problems).toEqual([]);
    await page.context().close();
  });

  it("keeps one user from another's runs, and gives operators their page", async () => {
    const { run } = await submit('alice', { command: 'echo private' });
    const bob = await signedIn('bob', `/ui/runs/${run.id}`);
    await bob.getByRole('alert').waitFor();
    expect(await bob.getByRole('alert').textContent()).toContain('no run');
    await bob.goto(`${service.apiUrl}/ui/jobs`);
    await bob.getByText('No jobs match.').waitFor();
    expect(await bob.getByRole('link', { name: 'Operators' }).count()).toBe(0);
    await shot(bob, 'other-user');
    await checkPage(bob, 'jobs, none yet');
    await bob.context().close();

    const signIn = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn.goto(`${service.apiUrl}/`);
    await signIn.getByLabel('API key').waitFor();
    await checkPage(signIn, 'sign in');
    await signIn.close();

    const operator = await signedIn('operator', '/ui/operators');
    await operator.getByRole('heading', { name: 'API keys' }).waitFor();
    await operator.getByLabel('User', { exact: true }).first().fill('carol');
    await operator.getByRole('button', { name: 'Create key' }).click();
    const key = await operator.getByTestId('new-key').textContent();
    expect(key).toMatch(/^tds_/);
    await operator.locator('td', { hasText: 'alice' }).first().waitFor();
    // The fleet: this service's own worker, active, with its heartbeat and runs in hand.
    const worker = operator.getByRole('row', { name: service.config.workerId });
    await worker.waitFor();
    const cells = await worker.getByRole('cell').allTextContents();
    expect(cells[0]).toBe(service.config.workerId);
    expect(cells[3]).toMatch(/^\d+ of \d+$/);
    expect(cells[5]).toBe('active');
    await shot(operator, 'operators');
    await checkPage(operator, 'operators');
    await operator.goto(`${service.apiUrl}/ui/jobs`);
    await operator.locator('td', { hasText: 'alice' }).first().waitFor();
    await operator.context().close();
  });

  it('shows operators the audit log, filtered, and users no such page', async () => {
    const bob = await signedIn('bob', '/ui/jobs');
    await bob.getByRole('link', { name: 'Jobs' }).waitFor();
    expect(await bob.getByRole('link', { name: 'Audit' }).count()).toBe(0);
    await bob.context().close();

    const operator = await signedIn('operator', '/ui/operators');
    await operator.getByRole('link', { name: 'Audit' }).click();
    await operator.getByRole('heading', { name: 'Audit log' }).waitFor();
    // The operator's own changes of this file: users' allow-lists (alice, bob and dana at the
    // start, erin's for the usage charts), and the key made for carol.
    const settings = operator.getByRole('row', { name: /user\.settings_changed/ });
    await settings.first().waitFor();
    expect(await settings.count()).toBe(4);
    expect(await settings.first().getByRole('cell').nth(1).textContent()).toBe('operator');
    await operator.getByLabel('Action (job.paused, job.*)').fill('api_key.*');
    await operator.getByRole('button', { name: 'Filter' }).click();
    const made = operator.getByRole('row', { name: /api_key\.created/ });
    await made.first().waitFor();
    await operator
      .getByRole('row', { name: /user\.settings_changed/ })
      .first()
      .waitFor({ state: 'detached' });
    expect(await made.first().textContent()).toContain('"forUser":"carol"');
    expect(await made.first().getByRole('cell').nth(2).textContent()).toBe('127.0.0.1');
    await shot(operator, 'audit');
    await checkPage(operator, 'audit');
    await operator.context().close();
  });

  it("finds a text in a run's whole log, jumps to its line and offers the full log to download", async () => {
    // 6,000 lines: the page keeps the last 5,000, so line 42 is only in the stored log.
    const { run } = await submit('alice', {
      command:
        'for i in $(seq 1 6000); do if [ $i -eq 42 ] || [ $i -eq 5800 ]; then echo "Needle at $i"; else echo "row $i"; fi; done',
    });
    for (let i = 0; i < 600; i++) {
      const { body } = await service.request('GET', `/runs/${run.id}`, undefined, {
        authorization: `Bearer ${keys.alice}`,
      });
      if (body.state === 'succeeded') break;
      expect(['queued', 'staging', 'building', 'running', 'uploading']).toContain(body.state);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const page = await signedIn('alice', `/ui/runs/${run.id}`);
    await page.getByTestId('log-status').filter({ hasText: 'complete' }).waitFor();
    await page.locator('.log[data-lines="5000"]').waitFor();
    await page.getByLabel('Find in the whole log').fill('needle');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByTestId('log-search-status').filter({ hasText: '2 matching lines' }).waitFor();
    const matches = page.getByTestId('log-matches').getByRole('listitem');
    expect(await matches.allTextContents()).toEqual([
      'stdout line 42 Needle at 42',
      'stdout line 5,800 Needle at 5800',
    ]);

    // Line 42 is no longer on the page: the lines around it are read from the stored log.
    await page.getByRole('button', { name: 'stdout line 42' }).click();
    await page.getByTestId('log-window').filter({ hasText: 'Lines around stdout line 42' }).waitFor();
    const hit = page.locator('.log .hit');
    expect(await hit.textContent()).toBe('Needle at 42');
    expect(await hit.getAttribute('data-line')).toBe('stdout:42');
    expect(await page.locator('.log [data-line="stdout:1"]').count()).toBe(1);
    // Scrolled into the log's box, not only present in it.
    const inView = async () => {
      const [line, box] = await Promise.all([hit.boundingBox(), page.locator('.log').boundingBox()]);
      return line!.y >= box!.y && line!.y + line!.height <= box!.y + box!.height;
    };
    await expect.poll(inView).toBe(true);
    await shot(page, 'run-log-jump');
    await checkPage(page, 'run page, a line jumped to');

    // Line 5,800 is on the page: the jump goes back to the whole tail and marks it there.
    await page.getByRole('button', { name: 'stdout line 5,800' }).click();
    await page.getByTestId('log-window').waitFor({ state: 'detached' });
    await page.locator('.log .hit[data-line="stdout:5800"]').waitFor();
    await expect.poll(inView).toBe(true);
    expect(await page.locator('.log div').count()).toBe(5000);

    // The full log, as a file.
    const link = page.getByRole('link', { name: 'stdout.log' }).first();
    const response = await fetch((await link.getAttribute('href'))!);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="stdout.log"');
    expect((await response.text()).split('\n')[41]).toBe('Needle at 42');
    expect((page as Page & { problems: string[] }).problems).toEqual([]);
    await page.context().close();
  });

  it('says what a job without runs will show, and how to run it', async () => {
    const posted = await service.request(
      'POST',
      '/jobs',
      jobBody(bucket, { userId: 'alice', cron: '0 6 1 1 *', timezone: 'UTC' }),
      { authorization: `Bearer ${keys.alice}` },
    );
    expect(posted.status, JSON.stringify(posted.body)).toBeLessThan(300);
    const page = await signedIn('alice', `/ui/jobs/${posted.body.job.id}`);
    await page.getByText('No runs yet.').waitFor();
    expect(await page.locator('figure.chart').count()).toBe(0);
    expect(await page.getByTestId('empty').textContent()).toContain(`/jobs/${posted.body.job.id}/trigger`);
    expect(await page.locator('#schedule ~ p').first().textContent()).toContain('(0 6 1 1 *, timezone UTC)');
    await checkPage(page, 'job without runs');
    await page.context().close();
  });
});
