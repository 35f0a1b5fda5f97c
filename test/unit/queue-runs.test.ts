import { describe, expect, it } from 'vitest';
import { queueRunsSql } from '../../src/runs/queue-runs.js';
import { RUN_RESULTS } from '../../src/runs/results-layout.js';

/** The columns an INSERT of `sql` names, each with the expression written for it. */
function insertedValues(sql: string): Record<string, string> {
  const [, columns, values] = /INSERT INTO runs \(([^)]*)\)\s*SELECT ([\s\S]*?)\n *FROM /.exec(sql)!;
  const names = columns!.split(', ');
  const expressions = values!.split(/,\n\s*/);
  expect(expressions).toHaveLength(names.length);
  return Object.fromEntries(names.map((name, i) => [name, expressions[i]!]));
}

const SOURCE = { from: 'FROM x', id: 'x.id', jobId: 'x.job_id', trigger: 'x.trigger', spec: 'x.spec' };

describe('queueing runs in SQL', () => {
  it('queues each run in the bucket and folder the results layout names', () => {
    expect(insertedValues(queueRunsSql('queued', SOURCE))).toEqual({
      id: 'x.id',
      job_id: 'x.job_id',
      state: "'queued'",
      trigger: 'x.trigger',
      spec: 'x.spec',
      results_bucket: "x.spec ->> 's3_bucket'",
      results_prefix: RUN_RESULTS.sql('x.spec', { runId: 'x.id::text' }),
      queued_at: 'clock_timestamp()',
    });
  });

  it('writes each column the source gives against its own expression, and leaves the others to their defaults', () => {
    const values = insertedValues(
      queueRunsSql('queued', {
        ...SOURCE,
        queuedAt: 'greatest(clock_timestamp(), x.fire_at)',
        scheduledFor: 'x.fire_at',
        notBefore: 'x.not_before',
        retryOf: 'x.retry_of',
      }),
    );
    expect(values).toMatchObject({
      queued_at: 'greatest(clock_timestamp(), x.fire_at)',
      scheduled_for: 'x.fire_at',
      not_before: 'x.not_before',
      retry_of: 'x.retry_of',
    });
    expect(Object.keys(values)).not.toContain('attempt');
    expect(Object.keys(values)).not.toContain('waits_for_previous');
  });

  it('records the first event of each run inserted, at the time it counts as queued', () => {
    const sql = queueRunsSql('fired_runs', SOURCE);
    expect(sql).toMatch(/^fired_runs AS \(/);
    expect(sql).toMatch(
      /fired_runs_first_events AS \(\s*INSERT INTO run_events \(run_id, state, at, detail\)\s*SELECT id, state, queued_at, /,
    );
    expect(sql).toMatch(/FROM fired_runs\)$/);
  });

  it('yields every column of the runs when asked, for reading them back', () => {
    expect(queueRunsSql('r', SOURCE, { returnRuns: true })).toMatch(/RETURNING id, job_id, state, trigger, /);
    expect(queueRunsSql('r', SOURCE)).toMatch(
      /RETURNING id, state, trigger, scheduled_for, queued_at, attempt, retry_of, not_before\)/,
    );
  });
});
