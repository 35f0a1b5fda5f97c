import { describe, expect, it } from 'vitest';
import { createCronCache } from '../../src/scheduler/cron-cache.js';
import { decideOverlap, type UnfinishedRun } from '../../src/scheduler/overlap.js';
import {
  countSkipped,
  emptyPass,
  MISSED_RECORDED,
  planSchedule,
  prepareFires,
  type Pass,
} from '../../src/scheduler/plan-pass.js';
import type { Schedule } from '../../src/scheduler/schedule-repository.js';

const TOLERANCE_MS = 60_000;

function schedule(overrides: Partial<Schedule> = {}): Schedule {
  return {
    id: 'job-1',
    jobId: 'job-1',
    workflowId: null,
    cron: '* * * * *',
    timezone: 'UTC',
    overlapPolicy: 'allow',
    catchUpPolicy: 'latest',
    catchUpWindowSeconds: 600,
    catchUpLimit: 3,
    paused: false,
    nextFireAt: new Date('2026-01-01T12:00:00.000Z'),
    lastFireAt: null,
    ...overrides,
  };
}

/** Plans one schedule at `now`, with run ids run-1, run-2, ... */
function plan(s: Schedule, now: string, unfinished: UnfinishedRun[] = [], pass: Pass = emptyPass()): Pass {
  let n = 0;
  planSchedule(
    s,
    new Date(now),
    unfinished,
    {
      misfireToleranceMs: TOLERANCE_MS,
      cronOf: createCronCache(),
      newRunId: () => `run-${++n}`,
    },
    pass,
  );
  return pass;
}

const running = (id: string): UnfinishedRun => ({ id, state: 'running', waitsForPrevious: false });

describe('decideOverlap', () => {
  it('queues a fire time when nothing is unfinished, whatever the policy', () => {
    for (const policy of ['allow', 'skip', 'queue_one', 'replace'] as const)
      expect(decideOverlap(policy, [], false)).toEqual({
        outcome: 'queued',
        detail: null,
        waits: false,
        cancels: [],
      });
  });

  it('queues a caught-up fire time after the previous run, whatever the policy', () => {
    expect(decideOverlap('skip', [running('a')], true)).toEqual({
      outcome: 'caught_up',
      detail: null,
      waits: true,
      cancels: [],
    });
  });

  it('allow: queues beside an unfinished run', () => {
    expect(decideOverlap('allow', [running('a')], false).outcome).toBe('queued');
  });

  it('skip: skips while a run is unfinished, naming it', () => {
    expect(decideOverlap('skip', [running('a')], false)).toEqual({
      outcome: 'skipped_overlap',
      detail: 'run a was still running',
      waits: false,
      cancels: [],
    });
  });

  it('queue_one: queues one run that waits, and skips a second one as the buffer is full', () => {
    expect(decideOverlap('queue_one', [running('a')], false)).toEqual({
      outcome: 'queued',
      detail: null,
      waits: true,
      cancels: [],
    });
    const waiting: UnfinishedRun = { id: 'b', state: 'queued', waitsForPrevious: true };
    expect(decideOverlap('queue_one', [running('a'), waiting], false)).toEqual({
      outcome: 'skipped_buffer_full',
      detail: 'a run already waits for run a to end',
      waits: false,
      cancels: [],
    });
  });

  it('replace: cancels every unfinished run and waits for them', () => {
    expect(decideOverlap('replace', [running('a'), running('b')], false)).toEqual({
      outcome: 'queued',
      detail: 'replaces a, b',
      waits: true,
      cancels: ['a', 'b'],
    });
  });
});

describe('planSchedule', () => {
  it('fires an on-time fire time and advances the schedule to the next one', () => {
    const pass = plan(schedule(), '2026-01-01T12:00:10.000Z');
    expect(pass.fires).toEqual([
      {
        fireAt: new Date('2026-01-01T12:00:00.000Z'),
        outcome: 'queued',
        detail: null,
        trigger: 'schedule',
        waitsForPrevious: false,
        jobId: 'job-1',
        runId: 'run-1',
      },
    ]);
    expect(pass.advances).toEqual([
      {
        id: 'job-1',
        nextFireAt: new Date('2026-01-01T12:01:00.000Z'),
        lastFireAt: new Date('2026-01-01T12:00:00.000Z'),
      },
    ]);
    expect(pass.missed).toEqual([]);
    expect(countSkipped(pass)).toBe(0);
  });

  it("records a workflow schedule's fire as a workflow fire", () => {
    const pass = plan(schedule({ id: 'wf-1', jobId: null, workflowId: 'wf-1' }), '2026-01-01T12:00:10.000Z');
    expect(pass.fires).toEqual([]);
    expect(pass.workflowFires).toMatchObject([
      { workflowId: 'wf-1', workflowRunId: 'run-1', outcome: 'queued' },
    ]);
  });

  it('catches up the latest late fire time within the window, records the others as missed', () => {
    // Down from 12:00 to 12:05:30: 12:00 ... 12:04 are late (over 60 s old), 12:05 is on time.
    const pass = plan(schedule({ catchUpPolicy: 'all', catchUpLimit: 2 }), '2026-01-01T12:05:30.000Z');
    expect(pass.fires.map((f) => [f.fireAt.toISOString(), f.trigger, f.outcome, f.runId])).toEqual([
      ['2026-01-01T12:03:00.000Z', 'catch_up', 'caught_up', 'run-1'],
      ['2026-01-01T12:04:00.000Z', 'catch_up', 'caught_up', 'run-2'],
      ['2026-01-01T12:05:00.000Z', 'schedule', 'queued', 'run-3'],
    ]);
    expect(pass.missed).toHaveLength(1);
    expect(pass.missed[0]!.times.map((t) => t.toISOString())).toEqual([
      '2026-01-01T12:00:00.000Z',
      '2026-01-01T12:01:00.000Z',
      '2026-01-01T12:02:00.000Z',
    ]);
    expect(pass.missed[0]!.detail).toBe('missed while no scheduler was running (catch-up policy all)');
    expect(countSkipped(pass)).toBe(3);
  });

  it('records fire times older than the catch-up window as one missed stretch, without enumerating them', () => {
    // A per-minute schedule down for a week: only the window's 10 minutes are enumerated.
    const pass = plan(
      schedule({ nextFireAt: new Date('2025-12-25T12:00:00.000Z'), catchUpPolicy: 'skip' }),
      '2026-01-01T12:00:10.000Z',
    );
    expect(pass.missed[0]).toEqual({
      owner: { jobId: 'job-1' },
      times: [new Date('2025-12-25T12:00:00.000Z')],
      detail:
        'this and every fire time until 2026-01-01T11:49:10.000Z were missed while no scheduler was running',
    });
    // 11:50 ... 11:59 are late and missed (policy skip); 12:00 is on time.
    expect(pass.missed[1]!.times).toHaveLength(10);
    expect(pass.fires.map((f) => f.fireAt.toISOString())).toEqual(['2026-01-01T12:00:00.000Z']);
    expect(pass.advances[0]!.nextFireAt).toEqual(new Date('2026-01-01T12:01:00.000Z'));
  });

  it('records at most MISSED_RECORDED missed fire times one by one and counts the rest', () => {
    const pass = plan(
      schedule({
        cron: '* * * * * *',
        nextFireAt: new Date('2026-01-01T11:00:00.000Z'),
        catchUpPolicy: 'skip',
        catchUpWindowSeconds: 3600,
      }),
      '2026-01-01T12:00:00.000Z',
    );
    const missed = pass.missed[0]!;
    expect(missed.times).toHaveLength(MISSED_RECORDED);
    // 11:00:00 ... 11:58:59 are late: 3,540 fire times, the latest 1,000 recorded.
    expect(missed.times[MISSED_RECORDED - 1]).toEqual(new Date('2026-01-01T11:58:59.000Z'));
    expect(missed.detail).toBe(
      'missed while no scheduler was running (catch-up policy skip); 2540 earlier fire times were missed too',
    );
  });

  it('skip: a second on-time fire time in the same pass sees the run the first one queued', () => {
    const pass = plan(
      schedule({ cron: '*/10 * * * * *', overlapPolicy: 'skip' }),
      '2026-01-01T12:00:15.000Z',
    );
    expect(pass.fires.map((f) => [f.outcome, f.runId, f.detail])).toEqual([
      ['queued', 'run-1', null],
      ['skipped_overlap', null, 'run run-1 was still queued'],
    ]);
    expect(countSkipped(pass)).toBe(1);
  });

  it('queue_one: queues one run behind the unfinished one and skips the next as the buffer is full', () => {
    const pass = plan(
      schedule({ cron: '*/10 * * * * *', overlapPolicy: 'queue_one' }),
      '2026-01-01T12:00:15.000Z',
      [running('old')],
    );
    expect(pass.fires.map((f) => [f.outcome, f.runId, f.waitsForPrevious])).toEqual([
      ['queued', 'run-1', true],
      ['skipped_buffer_full', null, false],
    ]);
  });

  it("replace: each fire time cancels the runs before it, the job's unfinished one and the pass's own", () => {
    const pass = plan(
      schedule({ cron: '*/10 * * * * *', overlapPolicy: 'replace' }),
      '2026-01-01T12:00:15.000Z',
      [running('old')],
    );
    expect(pass.cancels).toEqual([
      { runId: 'old', at: new Date('2026-01-01T12:00:00.000Z'), workflow: false },
      { runId: 'run-1', at: new Date('2026-01-01T12:00:10.000Z'), workflow: false },
    ]);
    expect(pass.fires.map((f) => f.runId)).toEqual(['run-1', 'run-2']);
  });

  it('computes the due times of schedules sharing an expression and fire time once per pass', () => {
    const pass = emptyPass();
    plan(schedule({ id: 'a', jobId: 'a' }), '2026-01-01T12:00:10.000Z', [], pass);
    plan(schedule({ id: 'b', jobId: 'b' }), '2026-01-01T12:00:10.000Z', [], pass);
    expect(pass.dueTimes.size).toBe(1);
    expect(pass.fires.map((f) => f.jobId)).toEqual(['a', 'b']);
  });
});

describe('prepareFires', () => {
  const at = new Date('2026-01-01T12:00:00.000Z');
  const cronOf = createCronCache();

  it('prepares a schedule whose expression fires at `at`, with its next fire time', () => {
    expect(prepareFires([{ jobId: 'a', cron: '0 * * * *', timezone: 'UTC' }], at, cronOf)).toEqual([
      {
        jobId: 'a',
        cron: '0 * * * *',
        timezone: 'UTC',
        fireAt: at,
        nextFireAt: new Date('2026-01-01T13:00:00.000Z'),
      },
    ]);
  });

  it('leaves out a schedule whose expression does not fire at `at` (it was changed since)', () => {
    expect(prepareFires([{ jobId: 'a', cron: '30 * * * *', timezone: 'UTC' }], at, cronOf)).toEqual([]);
  });

  it('reads the timezone: midnight in New York is not a fire time at 12:00 UTC', () => {
    expect(
      prepareFires([{ jobId: 'a', cron: '0 0 * * *', timezone: 'America/New_York' }], at, cronOf),
    ).toEqual([]);
    expect(
      prepareFires([{ jobId: 'a', cron: '0 7 * * *', timezone: 'America/New_York' }], at, cronOf),
    ).toHaveLength(1);
  });
});
