import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/key-repository.js';
import {
  checkA11y,
  DESKTOP,
  launchBrowser,
  PHONE,
  shots,
  sidewaysOverflow,
  signedIn,
  type WatchedPage,
} from '../support/page-checks.js';
import { createBucket, jobBody, startTestService, uniqueName, type TestService } from '../support/harness.js';

/**
 * The dashboard's writes in a real browser against the real service (authentication on): a job
 * submitted from its definition (a mistake shown at its line, fixed, the plan, applied, then
 * updated; its check sent once more when the network dropped it, a create never), a schedule
 * changed, pause and resume, a run now, a delete asked first, a cancel asked first, a workflow run
 * now; as an operator, a user's ceiling edited in place, a worker drained and undrained, and a dead
 * one retired. Screenshots at 1280 and 360 px go to test-results/dashboard/ for review.
 */
let service: TestService;
let browser: Browser;
let bucket: string;
const keys: Record<string, string> = {};

beforeAll(async () => {
  service = await startTestService({ env: { TDS_AUTH: 'on' } });
  bucket = await createBucket();
  keys.operator = (await createApiKey(service.db, { operator: true }, 'ops')).key;
  keys.alice = (await createApiKey(service.db, { userId: 'alice' }, '')).key;
  await service.request(
    'PUT',
    '/admin/users/alice',
    { allowedBuckets: [bucket] },
    { authorization: `Bearer ${keys.operator}` },
  );
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await service?.close();
});

const alice = () => ({ authorization: `Bearer ${keys.alice}` });

async function submitJob(overrides: Record<string, unknown>) {
  const { status, body } = await service.request(
    'POST',
    '/jobs',
    jobBody(bucket, { userId: 'alice', ...overrides }),
    alice(),
  );
  expect(status, JSON.stringify(body)).toBe(202);
  return body as { job: { id: string; uniqueId: string }; run: { id: string } | null };
}

const open = (key: string | undefined, address: string) =>
  signedIn(browser, service.apiUrl!, key!, address, { quiet: /status of 40[0-9]/ });

/**
 * The definition typed into the editor, replacing what was there, and checked: once the check has
 * ended (its problems or its plan shown), or failed here with what the page said when it could not
 * be made (and the requests that got no answer).
 */
async function typeDefinition(page: WatchedPage, text: string) {
  await page.getByLabel('Definition (YAML or JSON)').fill(text);
  await page.getByRole('button', { name: 'Check' }).click();
  const said = () =>
    `requests without an answer: ${JSON.stringify(page.failedRequests)}; browser errors: ${JSON.stringify(page.problems)}`;
  await page
    .locator('[data-testid="problems"], [data-testid="plan"], p.problem[role="alert"]:not([data-testid])')
    .first()
    .waitFor()
    .catch(async (error: Error) => {
      const button = await page.locator('.definition-form button[type="submit"]').textContent();
      throw new Error(`the check did not end (its button says "${button?.trim()}"); ${said()}`, {
        cause: error,
      });
    });
  const alert = page.locator('p.problem[role="alert"]:not([data-testid])');
  if ((await alert.count()) > 0)
    throw new Error(`the check could not be made: "${await alert.textContent()}"; ${said()}`);
}

describe.concurrent('writing from the dashboard', () => {
  it('submits a job definition: its mistakes at their lines, fixed, the plan, applied, then updated with the changed field', async () => {
    const uniqueId = uniqueName('nightly');
    const lines = (cron: string, env: string, command: string) =>
      [
        'kind: job',
        `uniqueId: ${uniqueId}`,
        `s3_bucket: ${bucket}`,
        'source_s3_prefix: ""',
        'destination_s3_prefix: reports/',
        `command: ${command}`,
        'linux_dependencies: []',
        `cron: "${cron}"`,
        'timezone: Europe/Paris',
        'env:',
        `  ${env}: "1"`,
      ].join('\n');
    const page = await open(keys.alice!, '/ui/jobs');
    await page.getByRole('link', { name: 'New job' }).click();
    await page.locator('h1', { hasText: 'New job' }).waitFor();
    // userId is left out: a user's key fills in its own, as `tds apply --user` does.
    await typeDefinition(page, lines('61 * * * *', 'TDS_X', 'echo report'));
    const problems = page.getByTestId('problems');
    await problems.waitFor();
    // Each problem the service's dry run found, at the line of its field in the pasted text.
    await page.locator('[data-line="8"] .line-problem', { hasText: '61 * * * *' }).waitFor();
    await page.locator('[data-line="11"] .line-problem', { hasText: 'reserved' }).waitFor();
    expect(await problems.locator('h2').textContent()).toBe('2 problems: nothing was stored');
    expect(await page.locator('.has-problem').count()).toBe(2);
    // A problem's line number selects that line in the editor.
    await problems.getByRole('button', { name: 'line 8' }).click();
    expect(
      await page.getByLabel('Definition (YAML or JSON)').evaluate((area) => {
        const text = area as unknown as { value: string; selectionStart: number; selectionEnd: number };
        return text.value.slice(text.selectionStart, text.selectionEnd);
      }),
    ).toBe('cron: "61 * * * *"');
    await checkA11y(page, 'new job with problems');
    await shots(page, 'new-job-problems');
    // Readable at phone width: nothing of the editor or its problems runs off the side.
    await page.setViewportSize(PHONE);
    expect(await sidewaysOverflow(page)).toEqual([]);
    await page.setViewportSize(DESKTOP);
    const stored = await service.request('GET', '/jobs?userId=alice', undefined, alice());
    expect(stored.body.jobs.map((j: { uniqueId: string }) => j.uniqueId)).not.toContain(uniqueId);

    // Fixed: the plan is to create it; nothing is stored until confirmed.
    await typeDefinition(page, lines('0 6 * * *', 'REPORT_LANG', 'echo report'));
    const plan = page.getByTestId('plan');
    await plan.getByText(`+ Create job alice/${uniqueId}`).waitFor();
    await shots(page, 'new-job-plan');
    await page.getByRole('button', { name: 'Create job' }).click();
    const outcome = page.getByTestId('apply-outcome');
    await outcome.getByText(`Created job ${uniqueId}.`).waitFor();
    const created = await service.request('GET', '/jobs?userId=alice', undefined, alice());
    const job = created.body.jobs.find((j: { uniqueId: string }) => j.uniqueId === uniqueId);
    expect(job.spec).toMatchObject({ cron: '0 6 * * *', timezone: 'Europe/Paris', command: 'echo report' });
    expect(job.schedule).toMatchObject({ cron: '0 6 * * *', timezone: 'Europe/Paris' });

    // The same definition with one field changed: an update, showing that field from and to.
    await typeDefinition(page, lines('0 6 * * *', 'REPORT_LANG', 'echo report v2'));
    await plan.getByText(`~ Update job alice/${uniqueId}: 1 field change`).waitFor();
    const row = plan.locator('tbody tr');
    expect(await row.count()).toBe(1);
    expect(await row.locator('td').allTextContents()).toEqual([
      'command',
      '"echo report"',
      '"echo report v2"',
    ]);
    await checkA11y(page, 'new job plan');
    await page.getByRole('button', { name: 'Update job' }).click();
    await outcome.getByText(`Updated job ${uniqueId} (version 2).`).waitFor();
    const updated = await service.request('GET', `/jobs/${job.id}`, undefined, alice());
    expect(updated.body.job.spec.command).toBe('echo report v2');

    // Unchanged: nothing to apply.
    await typeDefinition(page, lines('0 6 * * *', 'REPORT_LANG', 'echo report v2'));
    await plan.getByText('Nothing to change').waitFor();
    expect(await page.getByRole('button', { name: 'Update job' }).count()).toBe(0);

    // The outcome links to the job's page.
    await typeDefinition(page, lines('0 7 * * *', 'REPORT_LANG', 'echo report v2'));
    await page.getByRole('button', { name: 'Update job' }).click();
    await outcome.getByRole('link', { name: 'Open the job' }).click();
    await page.locator('h1', { hasText: `Job ${uniqueId}` }).waitFor();
    expect(page.problems).toEqual([]);
    await page.context().close();
  });

  it('checks a definition once more when its dry run got no answer from the network, but never sends a create twice', async () => {
    const uniqueId = uniqueName('blip');
    const page = await open(keys.alice!, '/ui/jobs/new');
    await page.locator('h1', { hasText: 'New job' }).waitFor();
    const posts: string[] = [];
    await page.route(
      (url) => url.pathname === '/jobs',
      async (route) => {
        if (route.request().method() !== 'POST') return route.continue();
        const url = new URL(route.request().url());
        posts.push(url.searchParams.get('dry_run') === 'true' ? 'dry run' : 'create');
        // The first dry run and the first create are dropped on the way, as a network change drops them.
        const first = posts.filter((p) => p === posts.at(-1)).length === 1;
        return first ? route.abort('internetdisconnected') : route.continue();
      },
    );
    await typeDefinition(
      page,
      [
        'kind: job',
        `uniqueId: ${uniqueId}`,
        `s3_bucket: ${bucket}`,
        'source_s3_prefix: ""',
        'destination_s3_prefix: blip/',
        'command: echo blip',
        'cron: "0 5 * * *"',
      ].join('\n'),
    );
    await page.getByTestId('plan').getByText(`+ Create job alice/${uniqueId}`).waitFor();
    expect(posts).toEqual(['dry run', 'dry run']);

    // A create that got no answer is not sent again: the page says so, and nothing was stored.
    await page.getByRole('button', { name: 'Create job' }).click();
    const outcome = page.getByTestId('apply-outcome');
    await page.locator('[data-testid="apply-outcome"][role="alert"]').waitFor();
    expect(posts).toEqual(['dry run', 'dry run', 'create']);
    const stored = await service.request('GET', '/jobs?userId=alice', undefined, alice());
    expect(stored.body.jobs.map((j: { uniqueId: string }) => j.uniqueId)).not.toContain(uniqueId);
    // Pressed again, it is created.
    await page.getByRole('button', { name: 'Create job' }).click();
    await outcome.getByText(`Created job ${uniqueId}.`).waitFor();
    expect(posts).toEqual(['dry run', 'dry run', 'create', 'create']);
    expect(page.problems).toEqual([
      'Failed to load resource: net::ERR_INTERNET_DISCONNECTED',
      'Failed to load resource: net::ERR_INTERNET_DISCONNECTED',
    ]);
    await page.context().close();
  });

  it("changes a job's schedule, shows the API's refusal, pauses, resumes and deletes it after asking", async () => {
    const { job } = await submitJob({ cron: '0 3 * * *', timezone: 'UTC', command: 'echo now' });
    const page = await open(keys.alice!, `/ui/jobs/${job.id}`);
    await page.locator('h1', { hasText: `Job ${job.uniqueId}` }).waitFor();
    const outcome = page.getByTestId('write-outcome');

    await page.getByLabel('Cron').fill('*/10 * * * *');
    await page.getByLabel('Timezone').fill('Asia/Tokyo');
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await outcome.getByText('Schedule changed: Every 10 minutes').waitFor();
    const changed = await service.request('GET', `/jobs/${job.id}`, undefined, alice());
    expect(changed.body.job.schedule).toMatchObject({ cron: '*/10 * * * *', timezone: 'Asia/Tokyo' });
    await page
      .locator('section[aria-labelledby="schedule"] strong', { hasText: 'Every 10 minutes' })
      .waitFor();

    // A refused change: the API's own message, as an alert.
    await page.getByLabel('Timezone').fill('Mars/Olympus');
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await page.getByRole('alert').filter({ hasText: 'Mars/Olympus' }).waitFor();
    const unchanged = await service.request('GET', `/jobs/${job.id}`, undefined, alice());
    expect(unchanged.body.job.schedule.timezone).toBe('Asia/Tokyo');

    await page.getByRole('button', { name: 'Pause' }).click();
    await outcome.getByText('Paused: no fire time is acted on until it is resumed.').waitFor();
    expect(
      (await service.request('GET', `/jobs/${job.id}`, undefined, alice())).body.job.schedule.paused,
    ).toBe(true);
    await page.getByText('— paused').waitFor();
    await page.getByRole('button', { name: 'Resume' }).click();
    await outcome.getByText('Resumed.').waitFor();
    expect(
      (await service.request('GET', `/jobs/${job.id}`, undefined, alice())).body.job.schedule.paused,
    ).toBe(false);

    await shots(page, 'job-actions');
    await checkA11y(page, 'job page with its actions');
    await page.getByRole('button', { name: 'Delete job' }).click();
    await page.getByText('This cannot be undone').waitFor();
    await shots(page, 'job-delete-asked');
    // "No, keep it" keeps it.
    await page.getByRole('button', { name: 'No, keep it' }).click();
    expect(
      (await service.request('GET', `/jobs/${job.id}`, undefined, alice())).body.job.deletedAt,
    ).toBeNull();
    await page.getByRole('button', { name: 'Delete job' }).click();
    await page.getByRole('button', { name: `Yes, delete ${job.uniqueId}` }).click();
    await outcome.getByText(`Deleted job ${job.uniqueId}.`).waitFor();
    expect(
      (await service.request('GET', `/jobs/${job.id}`, undefined, alice())).body.job.deletedAt,
    ).not.toBeNull();
    await page.getByText('This job was deleted').waitFor();
    expect(page.problems).toEqual([]);
    await page.context().close();
  });

  it('runs a job now from its page and opens the run it queued', async () => {
    const { job } = await submitJob({ cron: '0 3 * * *', timezone: 'UTC', command: 'echo now' });
    const page = await open(keys.alice!, `/ui/jobs/${job.id}`);
    await page.locator('h1', { hasText: `Job ${job.uniqueId}` }).waitFor();
    const outcome = page.getByTestId('write-outcome');
    await page.getByRole('button', { name: 'Run now' }).click();
    await outcome.getByText('Run queued:').waitFor();
    await outcome.getByRole('link', { name: /^run / }).click();
    await page.locator('h1 .badge.state-succeeded').waitFor({ timeout: 120_000 });
    const runId = page.url().split('/').at(-1)!;
    const run = await service.request('GET', `/runs/${runId}`, undefined, alice());
    expect(run.body).toMatchObject({ jobId: job.id, state: 'succeeded', trigger: 'manual' });

    expect(page.problems).toEqual([]);
    await page.context().close();
  });

  it('cancels a run only once the cancel is confirmed, then runs its job again', async () => {
    const { run, job } = await submitJob({ command: 'echo waiting; sleep 60' });
    const page = await open(keys.alice!, `/ui/runs/${run!.id}`);
    await page.locator('.log div', { hasText: 'waiting' }).waitFor({ timeout: 120_000 });
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.getByText('Cancel this run? This cannot be undone').waitFor();
    await page.getByRole('button', { name: 'No, keep it' }).click();
    const kept = await service.request('GET', `/runs/${run!.id}`, undefined, alice());
    expect(kept.body).toMatchObject({ state: 'running', cancelRequested: false });
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.getByRole('button', { name: 'Yes, cancel the run' }).click();
    await page.getByTestId('run-outcome').getByText('Cancel requested.').waitFor();
    await page.locator('h1 .badge.state-cancelled').waitFor({ timeout: 60_000 });

    await page.getByRole('button', { name: 'Run job again' }).click();
    const outcome = page.getByTestId('run-outcome');
    await outcome.getByText('The job runs again:').waitFor();
    await shots(page, 'run-again');
    await outcome.getByRole('link', { name: /^run / }).click();
    const again = page.url().split('/').at(-1)!;
    expect(again).not.toBe(run!.id);
    const second = await service.request('GET', `/runs/${again}`, undefined, alice());
    expect(second.body.jobId).toBe(job.id);
    await service.request('POST', `/runs/${again}/cancel`, {}, alice());
    expect(page.problems).toEqual([]);
    await page.context().close();
  });

  it('changes a workflow’s schedule and runs it now, opening the workflow run', async () => {
    const { status, body } = await service.request(
      'POST',
      '/workflows',
      {
        userId: 'alice',
        uniqueId: uniqueName('flow'),
        s3_bucket: bucket,
        source_s3_prefix: '',
        destination_s3_prefix: 'flows/',
        cron: '0 4 * * *',
        steps: [{ name: 'hello', command: 'echo hello' }],
      },
      alice(),
    );
    expect(status, JSON.stringify(body)).toBe(202);
    const workflow = body.workflow as { id: string; uniqueId: string };
    const page = await open(keys.alice!, `/ui/workflows/${workflow.id}`);
    await page.locator('h1', { hasText: `Workflow ${workflow.uniqueId}` }).waitFor();
    const outcome = page.getByTestId('write-outcome');
    await page.getByLabel('Cron').fill('30 5 * * 1');
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await outcome.getByText('Schedule changed:').waitFor();
    const stored = await service.request('GET', `/workflows/${workflow.id}`, undefined, alice());
    expect(stored.body.workflow.schedule.cron).toBe('30 5 * * 1');
    await page.getByRole('button', { name: 'Run now' }).click();
    await outcome.getByText('Workflow run started:').waitFor();
    await shots(page, 'workflow-actions');
    await checkA11y(page, 'workflow page with its actions');
    await outcome.getByRole('link', { name: /^workflow run / }).click();
    await page.locator('h1', { hasText: 'Workflow run' }).waitFor();
    await page.locator('h1 .badge.state-succeeded').waitFor({ timeout: 120_000 });
    expect(page.problems).toEqual([]);
    await page.context().close();
  });

  it('runs a workflow now with changes: a param and an env value, the API refusing a reserved name first', async () => {
    const { status, body } = await service.request(
      'POST',
      '/workflows',
      {
        userId: 'alice',
        uniqueId: uniqueName('greet'),
        s3_bucket: bucket,
        source_s3_prefix: '',
        destination_s3_prefix: 'flows/',
        cron: '0 4 * * *',
        params: { greeting: { type: 'string', default: 'hi' } },
        steps: [{ name: 'say', command: 'echo "{{params.greeting}} $EXTRA"' }],
      },
      alice(),
    );
    expect(status, JSON.stringify(body)).toBe(202);
    const workflow = body.workflow as { id: string; uniqueId: string };
    const page = await open(keys.alice!, `/ui/workflows/${workflow.id}`);
    await page.locator('h1', { hasText: `Workflow ${workflow.uniqueId}` }).waitFor();
    await page.getByText('Run now with changes').click();
    const form = page.getByRole('form', { name: 'Run now with changes' });
    await form.getByLabel('greeting').fill('hola');
    await form.getByLabel('Environment').fill('TDS_EXTRA=1');
    await form.getByRole('button', { name: 'Run with these changes' }).click();
    const outcome = page.getByTestId('write-outcome');
    await outcome.getByText(/TDS_EXTRA/).waitFor();
    expect(await outcome.getAttribute('role')).toBe('alert');
    await form.getByLabel('Environment').fill('EXTRA=there');
    await form.getByRole('button', { name: 'Run with these changes' }).click();
    await outcome.getByText('Workflow run started:').waitFor();
    await shots(page, 'workflow-run-with-changes');
    await checkA11y(page, 'workflow page, run with changes');
    await outcome.getByRole('link', { name: /^workflow run / }).click();
    await page.locator('h1 .badge.state-succeeded').waitFor({ timeout: 120_000 });
    const runId = page.url().split('/').at(-1)!;
    const run = await service.request('GET', `/workflow-runs/${runId}`, undefined, alice());
    expect(run.body).toMatchObject({ params: { greeting: 'hola' }, overrides: { env: { EXTRA: 'there' } } });
    expect(run.body.steps[0].result).toBe('hola there');
    // The workflow run's page lists what it was started with, under its facts.
    expect(await page.getByTestId('overrides').locator('li').allTextContents()).toEqual([
      'env EXTRA=there',
      'param greeting=hola',
    ]);
    expect(page.problems).toEqual([]);
    await page.context().close();
  });
});

// Last, after the runs above: a drained worker claims no run.
describe('operators writing from the dashboard', () => {
  it("edits a user's ceiling in place, and drains and undrains the worker", async () => {
    const page = await open(keys.operator!, '/ui/operators');
    await page.getByRole('button', { name: 'Edit alice' }).click();
    const form = page.getByRole('form', { name: 'Edit alice' });
    await form.getByLabel('Max CPUs').fill('1.5');
    await shots(page, 'operators-user-editing');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('user-outcome').getByText('Saved alice: 1.5 CPUs').waitFor();
    const operator = { authorization: `Bearer ${keys.operator}` };
    const user = await service.request('GET', '/admin/users/alice', undefined, operator);
    expect(user.body.ceilings.maxCpus).toBe(1.5);
    expect(user.body.allowedBuckets).toEqual([bucket]);
    await page
      .getByRole('row')
      .filter({ hasText: 'alice' })
      .getByRole('cell', { name: '1.5', exact: true })
      .waitFor();

    const workerId = service.config.workerId;
    await page.getByRole('button', { name: `Drain ${workerId}` }).click();
    await page.getByTestId('worker-outcome').getByText(`Worker ${workerId} is draining`).waitFor();
    await page.getByTestId(`worker-state-${workerId}`).getByText('drained').waitFor();
    const workers = await service.request('GET', '/admin/workers', undefined, operator);
    expect(workers.body.workers.find((w: { id: string }) => w.id === workerId).state).toBe('draining');
    await shots(page, 'operators-worker-drained');
    await checkA11y(page, 'operators after a drain');
    // At phone width the keys', users' and workers' tables read as cards: none scrolls sideways in its box.
    await page.setViewportSize(PHONE);
    expect(await sidewaysOverflow(page, '.scroll, table')).toEqual([]);
    await page.setViewportSize(DESKTOP);
    await page.getByRole('button', { name: `Undrain ${workerId}` }).click();
    await page.getByTestId('worker-outcome').getByText(`Worker ${workerId} claims runs again.`).waitFor();
    await page.getByTestId(`worker-state-${workerId}`).getByText('active').waitFor();
    const after = await service.request('GET', '/admin/workers', undefined, operator);
    expect(after.body.workers.find((w: { id: string }) => w.id === workerId).state).toBe('active');
    expect(page.problems).toEqual([]);
    await page.context().close();
  });

  it('retires a worker gone without stopping; a live one offers no retire', async () => {
    await service.db.query(
      `INSERT INTO workers (id, host, tags, platform, version, capacity, heartbeat_at)
       VALUES ('page-dead', 'lost-host', '[]'::jsonb, 'linux/amd64', '0', 1, now() - interval '1 hour')`,
    );
    const page = await open(keys.operator!, '/ui/operators');
    await page.getByTestId('worker-state-page-dead').getByText('gone').waitFor();
    expect(await page.getByRole('button', { name: `Retire ${service.config.workerId}` }).count()).toBe(0);
    await page.getByRole('button', { name: 'Retire page-dead' }).click();
    await page
      .getByTestId('worker-outcome')
      .getByText('Worker page-dead is retired: recorded stopped; it is live again if it starts.')
      .waitFor();
    await page.getByRole('button', { name: 'Retire page-dead' }).waitFor({ state: 'detached' });
    const operator = { authorization: `Bearer ${keys.operator}` };
    const workers = await service.request('GET', '/admin/workers', undefined, operator);
    expect(workers.body.workers.find((w: { id: string }) => w.id === 'page-dead').stoppedAt).toEqual(
      expect.any(String),
    );
    expect(page.problems).toEqual([]);
    await page.context().close();
    await service.db.query("DELETE FROM workers WHERE id = 'page-dead'");
  });
});
