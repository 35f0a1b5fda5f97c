import { describe, expect, it } from 'vitest';
import { formatPlan, type PlanEntry } from '../../cli/apply.js';
import { diffFields, diffWorkflows } from '../../cli/definitions/field-changes.js';
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

  it('diffs workflows by shared field and by step, and finds nothing when they are the same', () => {
    const shared = { userId: 'alice', uniqueId: 'w', timeout_seconds: 60 };
    const step = (name: string, command: string, extra: Record<string, unknown> = {}) => ({
      name,
      dependsOn: [],
      runIf: 'all_succeeded',
      forEach: { kind: 'none' },
      maxFailures: { count: 0 },
      spec: { ...shared, command, ...extra },
    });
    const stored = {
      shared,
      maxParallel: 4,
      steps: [step('a', 'echo 1'), step('b', 'echo 2')],
      order: ['a', 'b'],
    };
    expect(diffWorkflows(stored, structuredClone(stored))).toEqual([]);
    const wanted = {
      shared: { ...shared, timeout_seconds: 120 },
      maxParallel: 2,
      steps: [step('a', 'echo 1', { timeout_seconds: 120 }), step('c', 'echo 3', { timeout_seconds: 120 })],
      order: ['a', 'c'],
    };
    expect(diffWorkflows(stored, wanted)).toEqual([
      { field: 'timeout_seconds', from: 60, to: 120 },
      { field: 'max_parallel', from: 4, to: 2 },
      { field: 'steps.b', from: '(a step)', to: undefined },
      { field: 'steps.c', from: undefined, to: '(a step)' },
    ]);
    const reordered = { ...stored, steps: [stored.steps[1], stored.steps[0]], order: ['b', 'a'] };
    expect(diffWorkflows(stored, reordered)).toEqual([{ field: 'steps', from: ['a', 'b'], to: ['b', 'a'] }]);
    const edited = { ...stored, steps: [step('a', 'echo 1'), step('b', 'echo two')] };
    expect(diffWorkflows(stored, edited)).toEqual([
      { field: 'steps.b.command', from: 'echo 2', to: 'echo two' },
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
