import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvents } from '../../src/events/outbox.js';
import { RETENTION_STEPS, retentionSteps } from '../../src/roles/housekeeper-role.js';
import { pruneHistory, RETENTION_LOCK_KEY, type RetentionStep } from '../../src/worker/housekeeper.js';
import { createBucket, jobBody, startTestService, uniqueName, type TestService } from '../support/harness.js';

/**
 * Retention prunes every kind of history that has an end (runs, workflow runs with their steps,
 * schedule fires, replaced definitions, events with their webhook deliveries, workers long gone)
 * once it is older than TDS_RETENTION_DAYS, and not a day before; one housekeeper of the fleet at
 * a time. Run on both database drivers: the pass's lock is a transaction's, as the RDS Data API
 * has no session.
 */
const DAYS = 30;
/** The audit log's own period (TDS_AUDIT_RETENTION_DAYS), longer than the history's. */
const AUDIT_DAYS = 90;
let service: TestService;
let bucket: string;

beforeAll(async () => {
  // The API alone: nothing runs, so every state below is the test's own.
  service = await startTestService({
    roles: ['api'],
    env: { TDS_RETENTION_DAYS: String(DAYS), TDS_AUDIT_RETENTION_DAYS: String(AUDIT_DAYS) },
  });
  bucket = await createBucket();
});

afterAll(async () => {
  await service?.close();
});

const ago = (days: number) => `now() - make_interval(days => ${days})`;
/**
 * When a workflow run's runs ended: two days before it did, so that a kept workflow run has runs
 * older than the retention period, which are kept with it.
 */
const earlier = (days: number) => `now() - make_interval(days => ${days + 2})`;

function workflowBody(uniqueId: string, command = 'true') {
  return {
    userId: 'keeper',
    uniqueId,
    s3_bucket: bucket,
    source_s3_prefix: '',
    destination_s3_prefix: '/wf/',
    linux_dependencies: [],
    steps: [{ name: 'only', command }],
  };
}

/** A workflow whose first run ended `endedDaysAgo` days ago, with a step run; its version 1 replaced then. */
async function endedWorkflow(endedDaysAgo: number, runState = 'succeeded') {
  const uniqueId = uniqueName('kept');
  const posted = await service.request('POST', '/workflows', workflowBody(uniqueId));
  expect(posted.status, JSON.stringify(posted.body)).toBe(202);
  const workflowId = posted.body.workflow.id as string;
  const workflowRunId = posted.body.workflowRun.id as string;
  const put = await service.request('PUT', `/workflows/${workflowId}`, workflowBody(uniqueId, 'echo 2'));
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  // The runs the workflow run started ended before it did; one more in `runState`.
  await service.db.query(
    `UPDATE runs SET state = 'succeeded', finished_at = ${earlier(endedDaysAgo)} WHERE workflow_run_id = $1::uuid`,
    [workflowRunId],
  );
  const runId = randomUUID();
  await service.db.query(
    `INSERT INTO runs (id, workflow_run_id, step_name, state, trigger, spec, results_bucket, results_prefix, finished_at)
     VALUES ($1::uuid, $2::uuid, 'only', $3, 'workflow', '{}'::jsonb, $4, 'wf/', CASE WHEN $3 = 'queued' THEN NULL ELSE ${earlier(endedDaysAgo)} END)`,
    [runId, workflowRunId, runState, bucket],
  );
  await service.db.query(`INSERT INTO run_events (run_id, state) VALUES ($1::uuid, 'queued')`, [runId]);
  await service.db.query(
    `UPDATE workflow_steps SET state = 'succeeded', ended_at = ${ago(endedDaysAgo)} WHERE workflow_run_id = $1::uuid`,
    [workflowRunId],
  );
  await service.db.query(
    `UPDATE workflow_runs SET state = 'succeeded', started_at = ${earlier(endedDaysAgo)}, ended_at = ${ago(endedDaysAgo)},
            report_written_at = ${ago(endedDaysAgo)} WHERE id = $1::uuid`,
    [workflowRunId],
  );
  await service.db.query(
    `UPDATE workflow_versions SET replaced_at = ${ago(endedDaysAgo)} WHERE workflow_id = $1::uuid`,
    [workflowId],
  );
  return { workflowId, workflowRunId, runId };
}

async function count(sql: string, params: unknown[]): Promise<number> {
  const [row] = await service.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params);
  return row!.n;
}

describe('retention', () => {
  it('prunes each kind of history once it is older than the retention period, and not before', async () => {
    await recordEvents(service.db, [{ type: 'run.failed', userId: 'keeper-events', data: { age: 'old' } }]);
    await service.db.query(
      `UPDATE events SET at = ${ago(DAYS + 1)} WHERE id <= (SELECT max(id) FROM events WHERE user_id = 'keeper-events')`,
      [],
    );
    const old = await endedWorkflow(DAYS + 1);
    const recent = await endedWorkflow(DAYS - 1);
    const unfinished = await endedWorkflow(DAYS + 1, 'queued');
    // A later retry of the old workflow run, kept: it is unlinked from what it retried.
    const retry = await endedWorkflow(1);
    await service.db.query('UPDATE workflow_runs SET retry_of = $1::uuid WHERE id = $2::uuid', [
      old.workflowRunId,
      retry.workflowRunId,
    ]);

    // A job with three definitions: 1 replaced long ago, 2 lately, 3 current.
    const definition = jobBody(bucket, { userId: 'keeper', cron: '0 0 1 1 *' });
    const job = await service.request('POST', '/jobs', definition);
    expect(job.status, JSON.stringify(job.body)).toBe(202);
    const jobId = job.body.job.id as string;
    for (const command of ['echo 2', 'echo 3']) {
      const put = await service.request('PUT', `/jobs/${jobId}`, { ...definition, command });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
    }
    await service.db.query(
      `UPDATE job_versions SET replaced_at = CASE version WHEN 1 THEN ${ago(DAYS + 1)} ELSE ${ago(DAYS - 1)} END WHERE job_id = $1::uuid`,
      [jobId],
    );
    // Fire times that queued nothing, long ago and lately.
    await service.db.query(
      `INSERT INTO schedule_fires (job_id, fire_at, outcome) VALUES
         ($1::uuid, ${ago(DAYS + 1)}, 'missed'), ($1::uuid, ${ago(DAYS - 1)}, 'skipped_overlap')`,
      [jobId],
    );
    // Workers gone long ago and lately.
    const [goneLongAgo, goneLately] = [uniqueName('gone'), uniqueName('gone')];
    await service.db.query(
      `INSERT INTO workers (id, host, platform, version, capacity, heartbeat_at, stopped_at) VALUES
         ($1, 'h', 'linux/amd64', 'x', 1, ${ago(DAYS + 1)}, ${ago(DAYS + 1)}),
         ($2, 'h', 'linux/amd64', 'x', 1, ${ago(DAYS - 1)}, ${ago(DAYS - 1)})`,
      [goneLongAgo, goneLately],
    );
    // Events recorded then, and lately: ids grow with time, so the old ones come first.
    await recordEvents(service.db, [
      { type: 'run.failed', userId: 'keeper-events', data: { age: 'recent' } },
    ]);

    const pruned = await pruneHistory(service.db, RETENTION_STEPS, DAYS);
    expect(pruned).toBeDefined();
    expect(pruned!.workflowRuns).toBeGreaterThanOrEqual(1);
    expect(pruned!.versions).toBeGreaterThanOrEqual(2);

    // The old workflow run went with its steps, its run and the run's events; its version 1 too.
    expect((await service.request('GET', `/workflow-runs/${old.workflowRunId}`)).status).toBe(404);
    expect(await count('workflow_steps WHERE workflow_run_id = $1::uuid', [old.workflowRunId])).toBe(0);
    expect(await count('runs WHERE id = $1::uuid', [old.runId])).toBe(0);
    expect(await count('run_events WHERE run_id = $1::uuid', [old.runId])).toBe(0);
    expect(await count('workflow_versions WHERE workflow_id = $1::uuid', [old.workflowId])).toBe(0);
    // The recent one, and the old one a run of which has not ended, are kept whole, with the
    // definitions they started with.
    for (const kept of [recent, unfinished]) {
      expect((await service.request('GET', `/workflow-runs/${kept.workflowRunId}`)).status).toBe(200);
      expect(await count('workflow_steps WHERE workflow_run_id = $1::uuid', [kept.workflowRunId])).toBe(1);
      expect(await count('runs WHERE id = $1::uuid', [kept.runId])).toBe(1);
      expect(await count('workflow_versions WHERE workflow_id = $1::uuid', [kept.workflowId])).toBe(1);
    }
    const kept = await service.request('GET', `/workflow-runs/${retry.workflowRunId}`);
    expect(kept.status).toBe(200);
    expect(await count('workflow_runs WHERE id = $1::uuid AND retry_of IS NULL', [retry.workflowRunId])).toBe(
      1,
    );

    const versions = await service.db.query<{ version: number }>(
      'SELECT version FROM job_versions WHERE job_id = $1::uuid ORDER BY version',
      [jobId],
    );
    expect(versions.map((v) => v.version)).toEqual([2]);
    const fires = await service.db.query<{ outcome: string }>(
      'SELECT outcome FROM schedule_fires WHERE job_id = $1::uuid',
      [jobId],
    );
    expect(fires.map((f) => f.outcome)).toEqual(['skipped_overlap']);
    const workers = await service.db.query<{ id: string }>('SELECT id FROM workers WHERE id IN ($1, $2)', [
      goneLongAgo,
      goneLately,
    ]);
    expect(workers.map((w) => w.id)).toEqual([goneLately]);
    const events = await service.db.query<{ age: string }>(
      `SELECT data ->> 'age' AS age FROM events WHERE user_id = 'keeper-events'`,
    );
    expect(events.map((e) => e.age)).toEqual(['recent']);
  });

  it('is one housekeeper’s at a time: a second pass while one holds it prunes nothing', async () => {
    const old = await endedWorkflow(DAYS + 2);
    let calls = 0;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const slow: RetentionStep = {
      name: 'slow',
      async prune() {
        calls += 1;
        await released;
        return 0;
      },
    };
    // Two housekeepers at once: whichever takes the lock holds it until released.
    const first = pruneHistory(service.db, [slow, ...RETENTION_STEPS], DAYS);
    const second = pruneHistory(service.db, [slow, ...RETENTION_STEPS], DAYS);
    const loser = await Promise.race([
      first.then((result) => ({ result })),
      second.then((result) => ({ result })),
      new Promise<never>((_resolve, reject) =>
        setTimeout(() => reject(new Error('neither pass returned while the other held the lock')), 20_000),
      ),
    ]);
    expect(loser.result).toBeUndefined();
    expect(calls).toBe(1);
    // While the winner holds the pass, nothing of the history was pruned by the loser.
    expect(await count('workflow_runs WHERE id = $1::uuid', [old.workflowRunId])).toBe(1);
    release();
    const results = await Promise.all([first, second]);
    expect(results.filter((r) => r === undefined)).toHaveLength(1);
    expect(results.find((r) => r !== undefined)?.workflowRuns).toBeGreaterThanOrEqual(1);
    expect(await count('workflow_runs WHERE id = $1::uuid', [old.workflowRunId])).toBe(0);
  });

  it('leaves the history to the housekeeper that holds the lock, and prunes once it is free', async () => {
    const old = await endedWorkflow(DAYS + 3);
    const whileHeld = await service.db.transaction(async (tx) => {
      const [lock] = await tx.query<{ held: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS held', [
        RETENTION_LOCK_KEY,
      ]);
      expect(lock!.held).toBe(true);
      return pruneHistory(service.db, RETENTION_STEPS, DAYS);
    });
    expect(whileHeld).toBeUndefined();
    expect(await count('workflow_runs WHERE id = $1::uuid', [old.workflowRunId])).toBe(1);
    expect((await pruneHistory(service.db, RETENTION_STEPS, DAYS))?.workflowRuns).toBeGreaterThanOrEqual(1);
    expect(await count('workflow_runs WHERE id = $1::uuid', [old.workflowRunId])).toBe(0);
  });

  it('prunes the audit log by its own period (TDS_AUDIT_RETENTION_DAYS), whatever the history’s', async () => {
    // Three audited changes, one row each: a user's settings, set by the local developer.
    const users = [uniqueName('aged'), uniqueName('aged'), uniqueName('aged')];
    for (const user of users) {
      const put = await service.request('PUT', `/admin/users/${user}`, { maxCpus: 1 });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
    }
    const [pastAudit, pastHistory, recent] = users as [string, string, string];
    const age = (user: string, days: number) =>
      service.db.query(`UPDATE audit_log SET at = ${ago(days)} WHERE target_id = $1`, [user]);
    const rowsOf = async () =>
      (
        await service.db.query<{ target_id: string }>(
          'SELECT target_id FROM audit_log WHERE target_id = ANY($1::text[]) ORDER BY id',
          [users],
        )
      ).map((row) => row.target_id);
    await age(pastAudit, AUDIT_DAYS + 1);
    // Older than the history's period, within the audit log's: kept.
    await age(pastHistory, AUDIT_DAYS - 1);
    expect(await rowsOf()).toEqual(users);

    const steps = retentionSteps(service.config);
    const pruned = await pruneHistory(service.db, steps, DAYS);
    expect(pruned?.audit).toBe(1);
    expect(await rowsOf()).toEqual([pastHistory, recent]);

    // With the history kept for ever (TDS_RETENTION_DAYS=0), the audit log is still pruned.
    await age(recent, AUDIT_DAYS + 5);
    const historyKept = await pruneHistory(service.db, steps, 0);
    expect(historyKept).toEqual({ audit: 1 });
    expect(await rowsOf()).toEqual([pastHistory]);

    // TDS_AUDIT_RETENTION_DAYS=0 keeps every row, however old.
    await age(pastHistory, 10 * AUDIT_DAYS);
    const auditKept = await pruneHistory(
      service.db,
      retentionSteps({ audit: { ...service.config.audit, retentionDays: 0 } }),
      DAYS,
    );
    expect(auditKept).toBeDefined();
    expect(auditKept).not.toHaveProperty('audit');
    expect(await rowsOf()).toEqual([pastHistory]);
  });
});
