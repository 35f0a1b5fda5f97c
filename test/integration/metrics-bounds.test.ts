import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBucket,
  createTestDatabase,
  eventually,
  getText,
  jobBody,
  putObject,
  startTestService,
  uniqueName,
  type TestService,
} from '../support/harness.js';

/**
 * A job can write the metrics file its container's sampler keeps: the answers read from it stay
 * bounded however much it writes, and the figures recorded for the run are the engine's.
 */

const MAX_POINTS = 50;
const MAX_READ_BYTES = 1024 * 1024;
const FORGED_CPU = 99999;
const FORGED_MEMORY = 999999999999;
const FORGED_ROW = `1700000000,1.00,${FORGED_CPU}.00,${FORGED_MEMORY}`;

let service: TestService;
/** An API on the same engine and database with no worker here: it has no engine readings to read. */
let apiElsewhere: TestService;
let bucket: string;

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  const env = {
    TDS_METRICS_MAX_POINTS: String(MAX_POINTS),
    TDS_METRICS_READ_MAX_BYTES: String(MAX_READ_BYTES),
  };
  service = await startTestService({ databaseUrl, env });
  apiElsewhere = await startTestService({ databaseUrl, env, roles: ['api'] });
  bucket = await createBucket();
});

afterAll(async () => {
  await apiElsewhere?.close();
  await service?.close();
});

describe('a job that writes its own metrics file', () => {
  it('is answered in bounded size and points, live and stored, and its forged peaks are not recorded', async () => {
    // 40 MB of well-formed rows with forged peaks, appended to the sampler's file; then the
    // command lives on for a while to be read live.
    const { status, body } = await service.request(
      'POST',
      '/jobs',
      jobBody(bucket, {
        command: `yes '${FORGED_ROW}' | head -c 40000000 >> /job/.metrics/metrics.csv; touch /tmp/written; sleep 15`,
        memory_mb: 256,
        metrics_interval_seconds: 0.5,
      }),
    );
    expect(status, JSON.stringify(body)).toBe(202);
    const runId = body.run.id as string;

    // An API without the run's worker on its host reads the job's own file: bounded, and marked
    // as the job's.
    let live: Awaited<ReturnType<TestService['request']>> | undefined;
    await eventually(
      'the live answer to read the forged rows',
      async () => {
        live = await apiElsewhere.request('GET', `/runs/${runId}/metrics`);
        return live.body.source === 'live' && live.body.truncated === true;
      },
      30_000,
    );
    const liveText = JSON.stringify(live!.body);
    expect(live!.body.writtenBy).toBe('job');
    expect(live!.body.samples.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(live!.body.samplesPerPoint).toBeGreaterThan(1);
    expect(liveText.length).toBeLessThan(20_000);

    // The API beside the run's worker answers the engine's readings, none of the job's rows. The
    // engine's first reading comes when its stats collector next passes (a second or so, longer on
    // a busy engine): the command does not wait for it.
    let sampled: Awaited<ReturnType<TestService['request']>> | undefined;
    await eventually("the engine's first reading", async () => {
      sampled = await service.request('GET', `/runs/${runId}/metrics`);
      return sampled.body.samples?.length >= 1;
    });
    expect(sampled!.body).toMatchObject({ source: 'live', writtenBy: 'service', truncated: false });
    expect(sampled!.body.summary.cpu_percent_peak ?? 0).toBeLessThan(FORGED_CPU);
    expect(
      sampled!.body.samples.every(
        (s: { memoryBytes: number | null }) => (s.memoryBytes ?? 0) < FORGED_MEMORY,
      ),
    ).toBe(true);

    // Three reads in a row answer quickly, whatever the file's size.
    const started = performance.now();
    for (let i = 0; i < 3; i += 1) {
      const again = await apiElsewhere.request('GET', `/runs/${runId}/metrics`);
      expect(JSON.stringify(again.body).length).toBeLessThan(20_000);
    }
    expect(performance.now() - started).toBeLessThan(10_000);

    const run = await service.waitForRun(runId);
    expect(run.state, JSON.stringify(run.failure)).toBe('succeeded');
    const prefix = run.results.prefix as string;
    const recorded = JSON.parse((await getText(bucket, `${prefix}metrics.json`))!);
    const record = JSON.parse((await getText(bucket, `${prefix}run.json`))!);
    for (const summary of [recorded, record.metrics]) {
      expect(summary.sampledFrom).toBe('engine');
      expect(summary.samples).toBeGreaterThanOrEqual(2);
      expect(summary.cpu_percent_peak).toBeLessThan(FORGED_CPU);
      expect(summary.memory_bytes_peak).toBeGreaterThan(0);
      // Not the forged figure: no more than the memory the container was allowed.
      expect(summary.memory_bytes_peak).toBeLessThanOrEqual(256 * 1024 * 1024);
    }
    const storedCsv = (await getText(bucket, `${prefix}metrics.csv`))!;
    expect(storedCsv).not.toContain(FORGED_ROW);
    expect(storedCsv.length).toBeLessThan(100_000);

    const stored = await service.request('GET', `/runs/${runId}/metrics`);
    expect(stored.body).toMatchObject({ source: 'stored', writtenBy: 'service', truncated: false });
    expect(stored.body.summary.memory_bytes_peak).toBe(recorded.memory_bytes_peak);
    expect(
      stored.body.samples.every((s: { cpuPercent: number | null }) => (s.cpuPercent ?? 0) < FORGED_CPU),
    ).toBe(true);
  });

  it("bounds a stored file written by the job (a run recorded before the engine's figures were)", async () => {
    const { body } = await service.request('POST', '/jobs', jobBody(bucket, { command: 'true' }));
    const run = await service.waitForRun(body.run.id as string);
    const prefix = run.results.prefix as string;
    const header = 'timestamp,elapsed_seconds,cpu_percent,memory_bytes\n';
    await putObject(bucket, `${prefix}metrics.csv`, header + `${FORGED_ROW}\n`.repeat(500_000));
    await putObject(
      bucket,
      `${prefix}metrics.json`,
      JSON.stringify({ samples: 1, sampledFrom: 'container' }),
    );

    const answer = await service.request('GET', `/runs/${run.id}/metrics`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ source: 'stored', writtenBy: 'job', truncated: true });
    expect(answer.body.samples.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(JSON.stringify(answer.body).length).toBeLessThan(20_000);
  });
});

describe('a run whose worker stops while it runs', () => {
  it('is sampled from the engine by the worker that takes it over', async () => {
    const databaseUrl = await createTestDatabase();
    // Fencing is fencing.test.ts's: a heartbeat held up on a loaded machine must not make this worker stop its run.
    const env = { TDS_LEASE_MS: '1500', TDS_FENCE_MS: '0' };
    const first = await startTestService({ databaseUrl, workerId: uniqueName('lapsing'), env });
    let second: TestService | undefined;
    try {
      const { body } = await first.request(
        'POST',
        '/jobs',
        jobBody(bucket, { command: 'sleep 8; echo done', metrics_interval_seconds: 0.5 }),
      );
      await first.waitForRun(body.run.id as string, (state) => state === 'running');
      await first.close(); // its sampling stops with it; the container goes on
      second = await startTestService({ databaseUrl, workerId: uniqueName('heir'), env });
      const run = await second.waitForRun(body.run.id as string, undefined, 60_000);
      expect(run.state, JSON.stringify(run.failure)).toBe('succeeded');
      const recorded = JSON.parse((await getText(bucket, `${run.results.prefix}metrics.json`))!);
      expect(recorded.sampledFrom).toBe('engine');
      expect(recorded.samples).toBeGreaterThanOrEqual(1);
      expect(recorded.memory_bytes_peak).toBeGreaterThan(0);
      const csv = (await getText(bucket, `${run.results.prefix}metrics.csv`))!;
      const elapsed = csv
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => Number(line.split(',')[1]));
      // Counted from the run's start, not from when the heir began: it took over some seconds in.
      expect(elapsed[0]).toBeGreaterThan(0.5);
    } finally {
      await second?.close();
    }
  });
});
