import { describe, expect, it } from 'vitest';
import { formatPlan, type PlanEntry } from '../../cli/apply.js';
import { diffFields } from '../../cli/validate.js';
import { formatReport } from '../../cli/watch.js';

const entry = (
  action: PlanEntry['action'],
  uniqueId: string,
  changes: PlanEntry['changes'] = [],
): PlanEntry => ({
  action,
  kind: 'job',
  userId: 'alice',
  uniqueId,
  ...(action === 'create' ? {} : { id: `id-${uniqueId}` }),
  changes,
});

describe('apply plans', () => {
  it('diffs only the fields that differ, in order, deep values compared by content', () => {
    expect(
      diffFields(
        { cron: '0 6 * * *', env: { A: '1' }, cpus: 1, command: 'x' },
        { cron: '30 7 * * *', env: { A: '1' }, cpus: 2, command: 'x' },
      ),
    ).toEqual([
      { field: 'cpus', from: 1, to: 2 },
      { field: 'cron', from: '0 6 * * *', to: '30 7 * * *' },
    ]);
  });

  it('prints + create, ~ update with each field, = unchanged and - delete, then the counts', () => {
    const lines = formatPlan([
      entry('create', 'new'),
      entry('update', 'changed', [{ field: 'cron', from: '0 6 * * *', to: '30 7 * * *' }]),
      entry('unchanged', 'same'),
      entry('delete', 'gone'),
    ]);
    expect(lines).toEqual([
      '+ create job alice/new',
      '~ update job alice/changed (id-changed)',
      '    cron: "0 6 * * *" -> "30 7 * * *"',
      '= unchanged job alice/same (id-same)',
      '- delete job alice/gone (id-gone)',
      'Plan: 1 to create, 1 to update, 1 to leave unchanged, 1 to delete.',
    ]);
    expect(formatPlan([entry('unchanged', 'same')]).at(-1)).toBe(
      'Nothing to change: the service matches the files.',
    );
  });

  it('reports each step with its outcome, duration and exit code, and why it did not succeed', () => {
    expect(
      formatReport([
        { name: 'prepare', outcome: 'ok', durationSeconds: 1.23, exitCode: 0 },
        { name: 'check', outcome: 'failed', durationSeconds: 0.5, exitCode: 1, reason: 'exit code 1' },
        {
          name: 'publish',
          outcome: 'skipped',
          durationSeconds: null,
          exitCode: null,
          reason: 'dependency_failed',
        },
      ]),
    ).toEqual([
      'Report:',
      '  prepare  ok           1.2s  exit 0',
      '  check    failed       0.5s  exit 1  (exit code 1)',
      '  publish  skipped         -  (dependency_failed)',
    ]);
  });
});
