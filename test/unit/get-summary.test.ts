import { describe, expect, it } from 'vitest';
import { duration, getSummary } from '../../cli/get-summary.js';

const run = {
  id: '0193aaaa-0000-7000-8000-000000000001',
  jobId: '0193aaaa-0000-7000-8000-0000000000j1',
  workflowRunId: null,
  stepName: null,
  itemIndex: null,
  state: 'failed',
  trigger: 'schedule',
  scheduledFor: '2026-12-06T06:00:00.000Z',
  attempt: 2,
  retryOf: '0193aaaa-0000-7000-8000-000000000000',
  exitCode: 3,
  failure: { reason: 'exit_code', message: 'the command exited with code 3' },
  result: null,
  cancelRequested: false,
  workerId: 'w1',
  image: 'tds-packages:abc',
  timings: {
    queuedAt: '2026-12-06T06:00:00.000Z',
    startedAt: '2026-12-06T06:00:02.000Z',
    endedAt: '2026-12-06T06:01:07.000Z',
  },
  results: { uri: 's3://b/report/r1/', files: ['stdout.log', 'run.json'] },
};

describe('tds get, for a person', () => {
  it("shows what a run's trigger changed: env names (not values), its inputs, and a workflow run's params", () => {
    const body = getSummary('run', {
      ...run,
      overrides: { env: { COLOR: 'blue\u001b[2J' }, source_s3_prefix: 'alt/' },
    }).join('\n');
    expect(body).toMatch(/^ {2}Overrides +env "COLOR"; inputs "alt\/"$/m);
    expect(body).not.toContain('blue');
    expect(getSummary('run', { ...run, overrides: null }).join('\n')).not.toContain('Overrides');
  });

  it('shows a run: state, times, failure, retry and where its results are', () => {
    const lines = getSummary('run', run);
    expect(lines[0]).toBe(`run ${run.id}: failed`);
    const body = lines.join('\n');
    expect(body).toMatch(/^ {2}Attempt +2 \(retry of 0193aaaa-0000-7000-8000-000000000000\)$/m);
    expect(body).toMatch(/^ {2}Took +1m 05s$/m);
    expect(body).toMatch(/^ {2}Exit code +3$/m);
    expect(body).toMatch(/^ {2}Failure +exit_code: the command exited with code 3$/m);
    expect(body).toMatch(/^ {2}Results +s3:\/\/b\/report\/r1\/$/m);
    // Nothing is printed for what the answer lacks.
    expect(body).not.toMatch(/Result +|Part of/);
  });

  it('shows a workflow run with a row per step, and why a step did not run', () => {
    const lines = getSummary('workflow run', {
      id: 'wr1',
      uniqueId: 'nightly',
      workflowId: 'wf1',
      state: 'failed',
      trigger: 'manual',
      failure: { step: 'load', reason: 'exit_code', message: 'exit 1' },
      timings: {
        queuedAt: '2026-12-06T06:00:00Z',
        startedAt: '2026-12-06T06:00:00Z',
        endedAt: '2026-12-06T06:00:09Z',
      },
      results: { uri: 's3://b/nightly/wr1/' },
      steps: [
        {
          name: 'extract',
          state: 'succeeded',
          exitCode: 0,
          runId: 'r1',
          startedAt: '2026-12-06T06:00:00Z',
          endedAt: '2026-12-06T06:00:04Z',
          reason: null,
        },
        {
          name: 'load',
          state: 'failed',
          exitCode: 1,
          runId: 'r2',
          startedAt: '2026-12-06T06:00:04Z',
          endedAt: '2026-12-06T06:00:09Z',
          reason: 'exit 1',
        },
        {
          name: 'report',
          state: 'skipped',
          exitCode: null,
          runId: null,
          startedAt: null,
          endedAt: null,
          reason: 'load failed',
        },
      ],
    });
    expect(lines[0]).toBe('workflow run wr1 of nightly: failed');
    const body = lines.join('\n');
    expect(body).toMatch(/^ {2}Failure +exit_code \(step load\): exit 1$/m);
    expect(body).toMatch(/^ {2}STEP +STATE +EXIT +TOOK +RUN +WHY$/m);
    expect(body).toMatch(/^ {2}extract +succeeded +0 +4\.0s +r1$/m);
    expect(body).toMatch(/^ {2}report +skipped +- +- +- +load failed$/m);
  });

  it('shows a job with its schedule and latest runs, and says when it has none', () => {
    const job = {
      id: 'j1',
      uniqueId: 'report',
      userId: 'alice',
      spec: { command: 'echo report for ${TODAY}', base_image: 'debian:bookworm-slim' },
      schedule: {
        cron: '0 6 * * *',
        timezone: 'Europe/Paris',
        description: 'at 06:00',
        paused: false,
        nextFireTimes: ['2026-12-07T05:00:00.000Z'],
      },
      version: 2,
    };
    const body = getSummary('job', { job, runs: [] }).join('\n');
    expect(body).toMatch(/^job report \(j1\)$/m);
    expect(body).toMatch(/^ {2}Runs +echo report for \$\{TODAY\}$/m);
    expect(body).toMatch(/^ {2}Schedule +0 6 \* \* \* \(Europe\/Paris\): at 06:00$/m);
    expect(body).toMatch(/^ {2}Next fire +2026-12-07T05:00:00.000Z$/m);
    expect(body).toMatch(/^ {2}no runs yet$/m);
    const withRun = getSummary('job', { job: { ...job, schedule: null }, runs: [run] }).join('\n');
    expect(withRun).toMatch(/^ {2}Schedule +none \(runs when triggered\)$/m);
    expect(withRun).toMatch(new RegExp(`^ {2}${run.id} +failed +3 +2026-12-06T06:00:00.000Z +1m 05s$`, 'm'));
  });

  it('shows a workflow with its steps', () => {
    const body = getSummary('workflow', {
      workflow: {
        id: 'wf1',
        uniqueId: 'nightly',
        userId: 'alice',
        definition: { steps: [{ name: 'a' }, { name: 'b' }] },
        schedule: null,
        version: 1,
      },
      runs: [],
    }).join('\n');
    expect(body).toMatch(/^workflow nightly \(wf1\)$/m);
    expect(body).toMatch(/^ {2}Steps +a, b$/m);
  });

  it('says how long in seconds, minutes or hours', () => {
    expect(duration('2026-01-01T00:00:00Z', '2026-01-01T00:00:01.25Z')).toBe('1.3s');
    expect(duration('2026-01-01T00:00:00Z', '2026-01-01T00:02:03Z')).toBe('2m 03s');
    expect(duration('2026-01-01T00:00:00Z', '2026-01-01T03:04:00Z')).toBe('3h 04m');
    expect(duration(null, '2026-01-01T00:00:00Z')).toBeUndefined();
  });
});
