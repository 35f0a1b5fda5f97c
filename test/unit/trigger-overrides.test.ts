import { describe, expect, it } from 'vitest';
import { CronSchedule } from '../../src/cron/cron-schedule.js';
import { backfillFireTimes, backfillPeriod } from '../../src/definitions/backfill.js';
import { paramValue, readParamDeclarations, resolveParams } from '../../src/definitions/params.js';
import { resolveOverrides, specWithOverrides } from '../../src/definitions/trigger-overrides.js';
import { ValidationError, type Problem } from '../../src/errors.js';
import { fillPlaceholders, placeholdersIn } from '../../src/workflows/placeholders.js';
import { parseWorkflowRequest } from '../../src/workflows/workflow-definition.js';

const defaults = {
  timeoutSeconds: 3600,
  cpus: 1,
  memoryMb: 512,
  diskMb: 1024,
  baseImage: 'debian:bookworm-slim',
  metricsIntervalSeconds: 1,
  network: 'none' as const,
};

function problemsOf(run: () => unknown): Problem[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.problems;
    throw error;
  }
  throw new Error('no problem was found');
}

describe('param values', () => {
  it('takes each type as JSON gives it or as tds --set writes it, and refuses anything else', () => {
    expect(paramValue('string', 'a b').value).toBe('a b');
    expect(paramValue('number', 3).value).toBe(3);
    expect(paramValue('number', ' -2.5e3 ').value).toBe(-2500);
    expect(paramValue('boolean', 'false').value).toBe(false);
    expect(paramValue('list', '["a",1]').value).toEqual(['a', 1]);
    expect(paramValue('list', ['x']).value).toEqual(['x']);
    expect(paramValue('string', 3).problem).toMatch(/must be a string; got 3/);
    expect(paramValue('number', 'many').problem).toMatch(/must be a number/);
    expect(paramValue('number', Infinity).problem).toBeDefined();
    expect(paramValue('number', '0x10').problem).toBeDefined();
    expect(paramValue('boolean', 'yes').problem).toMatch(/true or false/);
    expect(paramValue('list', '{"a":1}').problem).toMatch(/JSON array/);
    expect(paramValue('string', 'x'.repeat(40_000)).problem).toMatch(/at most 32768/);
  });

  it("resolves a trigger's params against the declarations: unknown, wrong type and missing each named", () => {
    const declared = { day: { type: 'string' as const }, n: { type: 'number' as const, default: 2 } };
    const problems: Problem[] = [];
    expect(resolveParams(declared, { day: 'mon' }, problems)).toEqual({ day: 'mon', n: 2 });
    expect(problems).toEqual([]);
    resolveParams(declared, { n: 'x', extra: 1 }, problems);
    expect(problems.map((p) => p.path).sort()).toEqual(['/params/day', '/params/extra', '/params/n']);
    expect(problems.find((p) => p.path === '/params/extra')!.message).toContain('declares "day", "n"');
  });

  it('checks each default against its type', () => {
    const problems: Problem[] = [];
    const read = readParamDeclarations(
      { a: { type: 'list', default: 'nope' }, b: { type: 'boolean', default: 'true' } },
      problems,
    );
    expect(problems.map((p) => p.path)).toEqual(['/params/a/default']);
    expect(read).toEqual({ a: { type: 'list', default: 'nope' }, b: { type: 'boolean', default: true } });
  });
});

describe('trigger overrides', () => {
  it("merges env over a job's and replaces its input folder, refusing reserved and secret names", () => {
    const overrides = resolveOverrides(
      { env: { A: '2' }, source_s3_prefix: '/in/day' },
      { noun: 'job', secrets: [] },
    );
    expect(overrides).toEqual({ env: { A: '2' }, source_s3_prefix: 'in/day/' });
    const spec = { env: { A: '1', B: '1' }, source_s3_prefix: 'in/' };
    expect(specWithOverrides(spec, overrides)).toEqual({
      env: { A: '2', B: '1' },
      source_s3_prefix: 'in/day/',
    });
    expect(resolveOverrides({}, { noun: 'job', secrets: [] })).toBeUndefined();
    const problems = problemsOf(() =>
      resolveOverrides(
        { env: { TDS_RUN_DATE: 'x', TOKEN: 'y' }, source_s3_prefix: 'a/../b', params: { p: 1 } },
        { noun: 'job', secrets: ['TOKEN'] },
      ),
    );
    expect(problems.map((p) => p.path).sort()).toEqual([
      '/env/TDS_RUN_DATE',
      '/env/TOKEN',
      '/params/p',
      '/source_s3_prefix',
    ]);
  });

  it("records a workflow's params with their defaults even when the trigger gives none", () => {
    expect(
      resolveOverrides(undefined, {
        noun: 'workflow',
        secrets: [],
        params: { n: { type: 'number', default: 1 } },
      }),
    ).toEqual({ params: { n: 1 } });
  });
});

describe('{{params.NAME}} placeholders', () => {
  it('are found by the same linear scanner and filled with each value as text', () => {
    expect(placeholdersIn('echo {{ params.day }} {{params.bad-name}}').map((p) => p.kind)).toEqual([
      'param',
      'malformed',
    ]);
    expect(
      fillPlaceholders('x={{params.n}} y={{params.list}} z={{params.unknown}}', {
        results: {},
        params: { n: '3', list: '["a"]' },
      }),
    ).toBe('x=3 y=["a"] z={{params.unknown}}');
  });

  it('stays linear on an unclosed {{params. followed by a long run', () => {
    const text = `{{params.${' '.repeat(1 << 20)}`;
    const started = performance.now();
    expect(placeholdersIn(text)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('must name a declared param; a recurring workflow gives every param a default', () => {
    const base = {
      userId: 'u',
      uniqueId: 'w',
      s3_bucket: 'bucket',
      source_s3_prefix: '',
      destination_s3_prefix: 'out',
    };
    const problems = problemsOf(() =>
      parseWorkflowRequest(
        {
          ...base,
          cron: '0 6 * * *',
          params: { day: { type: 'string' } },
          steps: [{ name: 'a', command: 'echo {{params.day}} {{params.other}}' }],
        },
        defaults,
      ),
    );
    expect(problems.map((p) => p.path).sort()).toEqual(['/params/day', '/steps/0/command']);
    const parsed = parseWorkflowRequest(
      {
        ...base,
        params: { day: { type: 'string', default: 'mon' } },
        steps: [{ name: 'a', command: 'echo {{params.day}}' }],
      },
      defaults,
    );
    expect(parsed.params).toEqual({ day: { type: 'string', default: 'mon' } });
    expect(
      parseWorkflowRequest({ ...base, steps: [{ name: 'a', command: 'true' }] }, defaults),
    ).not.toHaveProperty('params');
  });
});

describe('backfill fire times', () => {
  const now = new Date('2026-06-01T00:00:00Z');

  it("are the fire times in [from, to), in the cron's timezone", () => {
    const daily = CronSchedule.parse('0 6 * * *', 'Europe/Paris');
    const period = backfillPeriod({ from: '2026-03-28T00:00:00Z', to: '2026-03-31T04:00:00Z' }, now);
    // The change to summer time on 29 March: 06:00 is 05:00Z before it, 04:00Z after.
    expect(backfillFireTimes(daily, period, 10).map((t) => t.toISOString())).toEqual([
      '2026-03-28T05:00:00.000Z',
      '2026-03-29T04:00:00.000Z',
      '2026-03-30T04:00:00.000Z',
    ]);
    const hourly = CronSchedule.parse('0 * * * *', 'UTC');
    const exact = backfillPeriod({ from: '2026-03-01T00:00:00Z', to: '2026-03-01T03:00:00Z' }, now);
    expect(backfillFireTimes(hourly, exact, 3)).toHaveLength(3);
  });

  it('refuse a period past the bound, backwards, or reaching past now, naming what to change', () => {
    const hourly = CronSchedule.parse('0 * * * *', 'UTC');
    const period = backfillPeriod({ from: '2026-03-01T00:00:00Z', to: '2026-03-01T04:00:00Z' }, now);
    expect(problemsOf(() => backfillFireTimes(hourly, period, 3))[0]!.message).toContain(
      'TDS_BACKFILL_MAX_RUNS',
    );
    expect(
      problemsOf(() => backfillPeriod({ from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' }, now))[0]!
        .message,
    ).toContain('must come after from');
    expect(
      problemsOf(() => backfillPeriod({ from: '2026-03-02T00:00:00Z', to: '2026-07-01T00:00:00Z' }, now))[0]!
        .message,
    ).toContain('after now');
    expect(
      problemsOf(() => backfillPeriod({ from: 'March 1st', to: '2026' }, now)).map((p) => p.path),
    ).toEqual(['/from', '/to']);
  });
});
