import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RunState } from '../../src/runs/run-states.js';
import {
  decide,
  fanOutsToConclude,
  reusedByRetry,
  type Decision,
  type SnapshotStep,
  type WorkflowRunSnapshot,
} from '../../src/workflows/decide.js';
import {
  ENDED_STEP_STATES,
  isEndedStep,
  STEP_TRANSITIONS,
  stepChangeAllowed,
  type StepState,
} from '../../src/workflows/step-states.js';
import { parseWorkflowRequest, type WorkflowDefinition } from '../../src/workflows/workflow-definition.js';
import type { WorkflowRunState } from '../../src/workflows/workflow-states.js';

/**
 * The engine's decision, on its own: a workflow run simulated in memory (its steps' rows and
 * runs, as the tables hold them), moved on by `decide` after every event a worker or a user
 * makes (a run starts, ends one way or another, the workflow run is cancelled), and the rules
 * docs/workflows.md states checked after every decision.
 */
const DEFAULTS = {
  timeoutSeconds: 3600,
  cpus: 1,
  memoryMb: 512,
  diskMb: 1024,
  metricsIntervalSeconds: 1,
  baseImage: 'debian:bookworm-slim',
  network: 'none' as const,
};
const MAX_RESULT_BYTES = 65_536;

type RunIf = 'all_succeeded' | 'all_done' | 'any_failed';
interface StepShape {
  dependsOn: number[];
  runIf: RunIf;
  /** Items of a static fan-out, or none for a plain step. */
  items: number | null;
  maxFailures: number;
}

function definitionOf(shapes: StepShape[], maxParallel: number): WorkflowDefinition {
  return parseWorkflowRequest(
    {
      userId: 'alice',
      uniqueId: 'pipeline',
      s3_bucket: 'bucket',
      source_s3_prefix: '',
      destination_s3_prefix: '/out/',
      max_parallel: maxParallel,
      steps: shapes.map((s, i) => ({
        name: `s${i}`,
        command: s.items === null ? `echo ${i}` : 'echo {{item}}',
        ...(s.dependsOn.length > 0 ? { depends_on: [...new Set(s.dependsOn)].map((d) => `s${d}`) } : {}),
        run_if: s.runIf,
        ...(s.items === null
          ? {}
          : { for_each: Array.from({ length: s.items }, (_, k) => k), max_failures: s.maxFailures }),
      })),
    },
    DEFAULTS,
  );
}

/** A random DAG: each step depends only on earlier ones. */
const shapesArb = fc.integer({ min: 1, max: 7 }).chain((n) =>
  fc.tuple(
    ...Array.from({ length: n }, (_, i) =>
      fc.record({
        dependsOn:
          i === 0
            ? fc.constant<number[]>([])
            : fc.array(fc.integer({ min: 0, max: i - 1 }), { maxLength: 3 }),
        runIf: fc.constantFrom<RunIf>('all_succeeded', 'all_done', 'any_failed'),
        items: fc.option(fc.integer({ min: 0, max: 6 }), { freq: 3 }),
        maxFailures: fc.integer({ min: 0, max: 2 }),
      }),
    ),
  ),
);

interface SimRun {
  id: string;
  step: string;
  itemIndex: number | null;
  state: RunState;
  cancelAsked: boolean;
}

/** A workflow run in memory: what the tables hold, read into snapshots and changed by decisions. */
class Simulation {
  state: WorkflowRunState = 'queued';
  cancelRequested = false;
  steps = new Map<string, SnapshotStep & { items: unknown[] | null; endedSeq: number | null }>();
  runs: SimRun[] = [];
  ends = 0;
  starts = 0;
  private seq = 0;
  private ids = 0;
  readonly decisions: { before: Map<string, StepState>; decision: Decision }[] = [];

  constructor(
    readonly definition: WorkflowDefinition,
    reused: ReadonlySet<string> = new Set(),
  ) {
    for (const step of definition.steps) {
      const isReused = reused.has(step.name);
      this.steps.set(step.name, {
        name: step.name,
        state: isReused ? 'succeeded' : 'pending',
        reason: null,
        result: isReused ? '"kept"' : null,
        exitCode: isReused ? 0 : null,
        attempts: 0,
        itemsStarted: 0,
        outputs: [],
        resultTruncated: false,
        itemCount: null,
        manifestReady: false,
        endedAt: isReused ? new Date(0) : null,
        unfinishedRuns: [],
        latestRun: null,
        nextItems: [],
        items: null,
        endedSeq: isReused ? 0 : null,
      });
    }
  }

  unfinished(): SimRun[] {
    return this.runs.filter((r) =>
      ['queued', 'staging', 'building', 'running', 'uploading'].includes(r.state),
    );
  }

  snapshot(): WorkflowRunSnapshot {
    const open = this.unfinished();
    const room = Math.max(0, this.definition.maxParallel - open.length);
    const steps: SnapshotStep[] = [...this.steps.values()].map((s) => {
      const latest = this.runs.filter((r) => r.step === s.name && r.itemIndex === null).at(-1);
      const underWay = s.state === 'queued' || s.state === 'running';
      return {
        ...s,
        unfinishedRuns: open.filter((r) => r.step === s.name).map((r) => ({ id: r.id, state: r.state })),
        latestRun:
          underWay && s.items === null && latest
            ? {
                id: latest.id,
                state: latest.state,
                exitCode: latest.state === 'succeeded' ? 0 : null,
                attempt: 1,
                failureReason: latest.state === 'succeeded' ? null : 'exit_code',
                failureMessage: null,
                resultsBucket: 'bucket',
                resultsPrefix: `out/${latest.id}/`,
                result: latest.state === 'succeeded' ? '"ok"' : null,
              }
            : null,
        nextItems: underWay && s.items ? s.items.slice(s.itemsStarted, s.itemsStarted + room) : [],
      };
    });
    const base = {
      id: 'wr',
      state: this.state,
      maxParallel: this.definition.maxParallel,
      cancelRequested: this.cancelRequested,
      waiting: false,
      definition: this.definition,
      steps,
      maxResultBytes: MAX_RESULT_BYTES,
    };
    for (const name of fanOutsToConclude(base)) {
      const step = steps.find((s) => s.name === name)!;
      const runs = this.runs
        .filter((r) => r.step === name && r.itemIndex !== null)
        .sort((a, b) => a.itemIndex! - b.itemIndex!);
      step.conclusion = {
        runs: runs.map((r) => ({
          id: r.id,
          itemIndex: r.itemIndex!,
          state: r.state,
          exitCode: null,
          attempt: 1,
          failureReason: null,
          failureMessage: null,
          resultsBucket: 'bucket',
          resultsPrefix: `out/${r.id}/`,
        })),
        results: new Map(runs.filter((r) => r.state === 'succeeded').map((r) => [r.id, String(r.itemIndex)])),
      };
    }
    return base;
  }

  /** Moves the workflow run on, as advance.ts does, and applies the decision as the write would. */
  advance(): Decision {
    const before = new Map([...this.steps.values()].map((s) => [s.name, s.state]));
    const decision = decide(this.snapshot(), () => `run-${++this.ids}`);
    this.decisions.push({ before, decision });
    for (const id of decision.cancelQueued) {
      const run = this.runs.find((r) => r.id === id)!;
      expect(run.state).toBe('queued');
      run.state = 'cancelled';
    }
    for (const id of decision.requestCancel) this.runs.find((r) => r.id === id)!.cancelAsked = true;
    for (const change of decision.stepChanges) {
      const row = this.steps.get(change.name)!;
      // The write changes a step only from the state read, as its transition allows.
      expect(row.state).toBe(change.from);
      if (change.transition !== 'progress') {
        expect(stepChangeAllowed(change.transition, change.from, change.values.state)).toBe(true);
      }
      Object.assign(row, change.values);
      if (change.items) {
        row.items = change.items;
        row.itemCount = change.items.length;
      }
      if (change.ended) {
        row.endedSeq = ++this.seq;
        row.endedAt = new Date(1000 + this.seq);
      }
    }
    for (const run of decision.runsToQueue) {
      this.runs.push({
        id: run.id,
        step: run.step!.name,
        itemIndex: run.step!.itemIndex,
        state: 'queued',
        cancelAsked: false,
      });
    }
    // A fan-out that ended has its manifest written just after, and the workflow run is moved on
    // again (writeManifestsOf): its dependants, given the manifest, start then.
    const manifests = decision.stepChanges.filter(
      (c) => c.ended && this.steps.get(c.name)!.itemCount !== null,
    );
    for (const change of manifests) this.steps.get(change.name)!.manifestReady = true;
    if (decision.start) {
      expect(this.state).toBe('queued');
      this.starts++;
      this.state = 'running';
    }
    if (decision.end) {
      expect(['queued', 'running']).toContain(this.state);
      this.ends++;
      this.state = decision.end.state;
    }
    if (manifests.length > 0) {
      const next = this.advance();
      return {
        ...decision,
        stepChanges: [...decision.stepChanges, ...next.stepChanges],
        runsToQueue: [...decision.runsToQueue, ...next.runsToQueue],
        end: decision.end ?? next.end,
      };
    }
    return decision;
  }
}

type Event =
  | { kind: 'start'; pick: number }
  | { kind: 'end'; pick: number; as: 'succeeded' | 'failed' | 'timed_out' | 'cancelled' }
  | { kind: 'cancel' };

const eventArb: fc.Arbitrary<Event> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('start' as const), pick: fc.nat() }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('end' as const),
      pick: fc.nat(),
      as: fc.constantFrom(
        'succeeded' as const,
        'succeeded' as const,
        'failed' as const,
        'timed_out' as const,
        'cancelled' as const,
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'cancel' as const }) },
);

/** What a worker or a user does next; true when it changed something. */
function apply(sim: Simulation, event: Event): boolean {
  const open = sim.unfinished();
  if (event.kind === 'cancel') {
    if (sim.cancelRequested || sim.ends > 0) return false;
    sim.cancelRequested = true;
    return true;
  }
  if (open.length === 0) return false;
  const run = open[event.pick % open.length]!;
  if (event.kind === 'start') {
    if (run.state !== 'queued') return false;
    run.state = 'running';
    return true;
  }
  run.state = run.cancelAsked ? 'cancelled' : event.as;
  return true;
}

/** Plays events, then ends every run left, moving the workflow run on after each; checks the rules after each decision. */
function play(sim: Simulation, events: Event[]): void {
  sim.advance();
  check(sim);
  for (const event of events) {
    if (!apply(sim, event)) continue;
    sim.advance();
    check(sim);
  }
  for (let guard = 0; sim.unfinished().length > 0; guard++) {
    expect(guard).toBeLessThan(10_000);
    const run = sim.unfinished()[0]!;
    run.state = run.cancelAsked ? 'cancelled' : 'succeeded';
    sim.advance();
    check(sim);
  }
}

function check(sim: Simulation): void {
  const { before, decision } = sim.decisions.at(-1)!;
  const byName = new Map(sim.definition.steps.map((s) => [s.name, s]));
  // max_parallel is never exceeded.
  expect(sim.unfinished().length).toBeLessThanOrEqual(sim.definition.maxParallel);
  // No step starts (nor its runs are queued) before each of its dependencies has ended.
  const startedNow = new Set([
    ...decision.runsToQueue.map((r) => r.step!.name),
    ...decision.stepChanges.filter((c) => c.started).map((c) => c.name),
  ]);
  for (const name of startedNow) {
    for (const dep of byName.get(name)!.dependsOn) expect(isEndedStep(sim.steps.get(dep)!.state)).toBe(true);
  }
  // Runs are queued only for steps under way, never once the workflow run is cancelled.
  for (const run of decision.runsToQueue) {
    expect(sim.cancelRequested).toBe(false);
    expect(['queued', 'running']).toContain(sim.steps.get(run.step!.name)!.state);
  }
  // An ended step never changes again.
  for (const change of decision.stepChanges) expect(isEndedStep(before.get(change.name)!)).toBe(false);
  // The run ends exactly once, when (and only when) every step has ended.
  expect(sim.ends).toBeLessThanOrEqual(1);
  expect(sim.starts).toBeLessThanOrEqual(1);
  const allEnded = [...sim.steps.values()].every((s) => isEndedStep(s.state));
  expect(sim.ends === 1).toBe(allEnded);
}

/** Whether docs/workflows.md says a step whose dependencies ended like this is skipped. */
function skippedByRule(runIf: RunIf, deps: StepState[]): boolean {
  if (runIf === 'all_succeeded') return deps.some((d) => d !== 'succeeded');
  if (runIf === 'any_failed') return !deps.includes('failed');
  return false;
}

describe('decide, on random workflows', () => {
  it('keeps every rule of the engine through runs, failures and cancels', () => {
    fc.assert(
      fc.property(
        shapesArb,
        fc.integer({ min: 1, max: 5 }),
        fc.array(eventArb, { maxLength: 80 }),
        (shapes, maxParallel, events) => {
          const sim = new Simulation(definitionOf(shapes, maxParallel));
          play(sim, events);
          // It ended, once, and nothing moves afterwards.
          expect(sim.ends).toBe(1);
          const after = sim.advance();
          expect(after.stepChanges).toEqual([]);
          expect(after.runsToQueue).toEqual([]);
          expect(after.end).toBeUndefined();
          for (const step of sim.definition.steps) {
            const row = sim.steps.get(step.name)!;
            expect(ENDED_STEP_STATES).toContain(row.state);
            const deps = step.dependsOn.map((d) => sim.steps.get(d)!.state);
            // Skipped iff its rule says so: a step whose dependencies all ended before any cancel
            // is skipped exactly when its run_if rule says; cancelled runs' steps are cancelled.
            if (row.state === 'skipped') expect(skippedByRule(step.runIf, deps)).toBe(true);
            if (!sim.cancelRequested && row.state !== 'skipped') {
              expect(skippedByRule(step.runIf, deps)).toBe(false);
            }
            // A step that never started has no runs; a plain step that started has exactly one.
            const runs = sim.runs.filter((r) => r.step === step.name);
            if (step.forEach.kind === 'none') expect(runs.length).toBeLessThanOrEqual(1);
            else
              expect(runs.length).toBeLessThanOrEqual(
                step.forEach.kind === 'static' ? step.forEach.items.length : 0,
              );
            if (row.state === 'skipped') expect(runs).toEqual([]);
          }
          // The workflow run's end follows from its steps.
          const states = [...sim.steps.values()].map((s) => s.state);
          expect(sim.state).toBe(
            sim.cancelRequested ? 'cancelled' : states.includes('failed') ? 'failed' : 'succeeded',
          );
        },
      ),
      { numRuns: 400 },
    );
  });

  it('starts a fan-out’s items in index order, each once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(eventArb, { maxLength: 60 }),
        (items, maxParallel, events) => {
          const sim = new Simulation(
            definitionOf([{ dependsOn: [], runIf: 'all_succeeded', items, maxFailures: 0 }], maxParallel),
          );
          play(
            sim,
            events.filter((e) => e.kind !== 'cancel'),
          );
          const indexes = sim.runs.map((r) => r.itemIndex);
          expect(indexes).toEqual(Array.from({ length: items }, (_, i) => i));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a retry reuses exactly the succeeded steps whose inputs did not change, and never runs them again', () => {
    fc.assert(
      fc.property(
        shapesArb,
        fc.integer({ min: 1, max: 4 }),
        fc.array(eventArb, { maxLength: 60 }),
        fc.option(fc.nat()),
        fc.array(fc.nat(), { maxLength: 2 }),
        (shapes, maxParallel, events, from, changedPicks) => {
          const definition = definitionOf(shapes, maxParallel);
          const first = new Simulation(definition);
          play(first, events);
          const names = definition.steps.map((s) => s.name);
          const fromStep = from === null ? undefined : names[from % names.length];
          const changed = changedPicks.map((p) => names[p % names.length]!);
          const ended = new Map([...first.steps.values()].map((s) => [s.name, s.state]));
          const reused = reusedByRetry(definition, ended, { fromStep, changed });
          // Exactly: succeeded, not named, not changed, and no ancestor run again.
          const byName = new Map(definition.steps.map((s) => [s.name, s]));
          const ancestors = (name: string): string[] =>
            byName.get(name)!.dependsOn.flatMap((d) => [d, ...ancestors(d)]);
          const runsAgain = (name: string) =>
            ended.get(name) !== 'succeeded' || name === fromStep || changed.includes(name);
          for (const name of names) {
            expect(reused.has(name)).toBe(!runsAgain(name) && !ancestors(name).some(runsAgain));
          }
          // The retry's run starts none of them again, and ends with each as it was.
          const retry = new Simulation(definition, reused);
          play(
            retry,
            events.filter((e) => e.kind !== 'cancel'),
          );
          for (const name of reused) {
            expect(retry.runs.filter((r) => r.step === name)).toEqual([]);
            expect(retry.steps.get(name)!.state).toBe('succeeded');
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('decide, the rules by example', () => {
  const plain = (dependsOn: number[] = [], runIf: RunIf = 'all_succeeded'): StepShape => ({
    dependsOn,
    runIf,
    items: null,
    maxFailures: 0,
  });

  function endRun(sim: Simulation, step: string, as: RunState) {
    const run = sim.unfinished().find((r) => r.step === step)!;
    run.state = as;
    return sim.advance();
  }

  it('skips an all_succeeded step after a failure, runs an any_failed and an all_done one, and fails the run at the first failure', () => {
    const sim = new Simulation(
      definitionOf([plain(), plain([0]), plain([0], 'any_failed'), plain([0], 'all_done')], 4),
    );
    sim.advance();
    const decision = endRun(sim, 's0', 'failed');
    expect(sim.steps.get('s1')).toMatchObject({ state: 'skipped', reason: 'dependency "s0" failed' });
    expect(decision.runsToQueue.map((r) => r.step!.name).sort()).toEqual(['s2', 's3']);
    endRun(sim, 's2', 'succeeded');
    const last = endRun(sim, 's3', 'succeeded');
    expect(last.end).toEqual({
      state: 'failed',
      failure: { step: 's0', reason: 'step_failed', message: 'step "s0" failed: exit_code:' },
    });
  });

  it('skips an any_failed step when nothing failed, with the reason', () => {
    const sim = new Simulation(definitionOf([plain(), plain([0], 'any_failed')], 2));
    sim.advance();
    endRun(sim, 's0', 'succeeded');
    expect(sim.steps.get('s1')).toMatchObject({
      state: 'skipped',
      reason: 'run_if any_failed: no dependency failed',
    });
    expect(sim.state).toBe('succeeded');
  });

  it('counts a timed-out run as a failure', () => {
    const sim = new Simulation(definitionOf([plain()], 1));
    sim.advance();
    const decision = endRun(sim, 's0', 'timed_out');
    expect(sim.steps.get('s0')!.state).toBe('failed');
    expect(decision.end?.state).toBe('failed');
  });

  it('keeps max_parallel across steps: a second independent step waits for a place', () => {
    const sim = new Simulation(definitionOf([plain(), plain()], 1));
    expect(sim.advance().runsToQueue.map((r) => r.step!.name)).toEqual(['s0']);
    expect(sim.steps.get('s1')!.state).toBe('pending');
    expect(endRun(sim, 's0', 'succeeded').runsToQueue.map((r) => r.step!.name)).toEqual(['s1']);
  });

  it('tolerates max_failures items, and fails the step past them', () => {
    const tolerated = new Simulation(
      definitionOf([{ dependsOn: [], runIf: 'all_succeeded', items: 3, maxFailures: 1 }], 3),
    );
    tolerated.advance();
    endRun(tolerated, 's0', 'failed');
    endRun(tolerated, 's0', 'succeeded');
    endRun(tolerated, 's0', 'succeeded');
    expect(tolerated.steps.get('s0')).toMatchObject({
      state: 'succeeded',
      reason: '1 of 3 items failed, within max_failures (1)',
      result: '[null,1,2]',
    });
    const failing = new Simulation(
      definitionOf([{ dependsOn: [], runIf: 'all_succeeded', items: 3, maxFailures: 1 }], 3),
    );
    failing.advance();
    endRun(failing, 's0', 'failed');
    endRun(failing, 's0', 'failed');
    endRun(failing, 's0', 'succeeded');
    expect(failing.steps.get('s0')).toMatchObject({
      state: 'failed',
      reason: '2 of 3 items failed; max_failures allows 1',
    });
  });

  it('succeeds a fan-out of no items at once, with an empty result', () => {
    const sim = new Simulation(
      definitionOf([{ dependsOn: [], runIf: 'all_succeeded', items: 0, maxFailures: 0 }, plain([0])], 2),
    );
    const decision = sim.advance();
    expect(sim.steps.get('s0')).toMatchObject({ state: 'succeeded', result: '[]', reason: 'no items' });
    expect(decision.runsToQueue.map((r) => r.step!.name)).toEqual(['s1']);
    expect(decision.fanOutEnded).toBe(true);
  });

  it('on cancel: cancels queued runs, asks running ones to stop, cancels pending steps, and ends once they have', () => {
    const sim = new Simulation(definitionOf([plain(), plain(), plain([0, 1])], 2));
    sim.advance();
    sim.runs[0]!.state = 'running';
    sim.cancelRequested = true;
    const decision = sim.advance();
    expect(decision.cancelQueued).toEqual([sim.runs[1]!.id]);
    expect(decision.requestCancel).toEqual([sim.runs[0]!.id]);
    expect(sim.steps.get('s1')).toMatchObject({
      state: 'cancelled',
      reason: 'cancelled: the workflow run was cancelled before this step started',
    });
    expect(sim.steps.get('s2')).toMatchObject({
      state: 'cancelled',
      reason: 'the workflow run was cancelled before this step started',
    });
    expect(decision.end).toBeUndefined();
    const last = endRun(sim, 's0', 'cancelled');
    expect(last.end).toEqual({
      state: 'cancelled',
      failure: { step: null, reason: 'cancelled', message: 'the workflow run was cancelled on request' },
    });
  });

  it('fills placeholders and passes earlier results and outputs to a step', () => {
    const definition = parseWorkflowRequest(
      {
        userId: 'alice',
        uniqueId: 'p',
        s3_bucket: 'bucket',
        source_s3_prefix: '',
        destination_s3_prefix: '/out/',
        steps: [
          { name: 'a', command: 'true' },
          { name: 'b', command: 'echo {{steps.a.result}}', depends_on: ['a'] },
        ],
      },
      DEFAULTS,
    );
    const sim = new Simulation(definition);
    sim.advance();
    const decision = endRun(sim, 'a', 'succeeded');
    const [run] = decision.runsToQueue;
    expect(run!.spec.command).toBe('echo "ok"');
    expect(run!.spec.env.TDS_STEP_A_RESULT).toBe('"ok"');
    expect(run!.spec.step_inputs).toEqual([
      { name: 'a', bucket: 'bucket', prefix: `out/${sim.runs[0]!.id}/output/` },
    ]);
  });

  it('fills an object item into image, args, command and env, and fails an item it cannot fill with why', () => {
    const definition = parseWorkflowRequest(
      {
        userId: 'alice',
        uniqueId: 'objects',
        s3_bucket: 'bucket',
        source_s3_prefix: '',
        destination_s3_prefix: '/out/',
        steps: [
          { name: 'list', command: 'true' },
          {
            name: 'task',
            for_each: '{{steps.list.result}}',
            max_failures: 2,
            image: '{{item.image}}',
            args: ['{{item.arguments}}'],
            env: { TASK: 'task-{{item.id}}' },
          },
          { name: 'sum', depends_on: ['task'], command: 'cat "$TDS_STEP_TASK_ITEMS"' },
        ],
      },
      DEFAULTS,
    );
    const sim = new Simulation(definition);
    sim.advance();
    const items = [
      { id: 't1', image: 'busybox:1.36', arguments: ['sh', '-c', 'echo one'] },
      { id: 't2', image: 'tds-run:abc', arguments: [] },
      { id: 't3', arguments: [] },
    ];
    sim.runs[0]!.state = 'succeeded';
    // The list step ends with the items as its result; the fan-out starts in the same decision.
    const list = sim.snapshot();
    list.steps.find((s) => s.name === 'list')!.latestRun!.result = JSON.stringify(items);
    let ids = 0;
    const decision = decide(list, () => `item-${++ids}`);
    const runs = decision.runsToQueue;
    expect(runs.map((r) => r.spec.image)).toEqual(['busybox:1.36', 'tds-run:abc', '{{item.image}}']);
    expect(runs[0]!.spec).toMatchObject({ args: ['sh', '-c', 'echo one'], env: { TASK: 'task-t1' } });
    expect(runs[0]!.spec.env.TDS_ITEM).toBe(JSON.stringify(items[0]));
    expect(runs[0]!.spec.item_problem).toBeUndefined();
    // The image rule a literal image is held to (the service's own images are refused).
    expect(runs[1]!.spec.item_problem).toMatch(
      /^image "\{\{item.image\}\}" of this item: "tds-run:abc" is an image the service makes/,
    );
    expect(runs[2]!.spec.item_problem).toBe('{{item.image}}: the item has no field "image"');
  });

  it("fans out over a list param: the trigger's list, else the default", () => {
    const definition = parseWorkflowRequest(
      {
        userId: 'alice',
        uniqueId: 'listed',
        s3_bucket: 'bucket',
        source_s3_prefix: '',
        destination_s3_prefix: '/out/',
        params: { files: { type: 'list', default: ['a.csv', 'b.csv'] } },
        steps: [{ name: 'each', for_each: '{{params.files}}', command: 'wc -l {{item}}' }],
      },
      DEFAULTS,
    );
    expect(definition.steps[0]!.forEach).toEqual({ kind: 'param', param: 'files' });
    const commands = (overrides: WorkflowRunSnapshot['overrides']) =>
      decide({ ...new Simulation(definition).snapshot(), overrides }, () => 'x').runsToQueue.map(
        (r) => r.spec.command,
      );
    expect(commands(null)).toEqual(['wc -l a.csv', 'wc -l b.csv']);
    expect(commands({ params: { files: ['x', 'y', 'z'] } })).toEqual(['wc -l x', 'wc -l y', 'wc -l z']);
    const none = decide(
      { ...new Simulation(definition).snapshot(), overrides: { params: { files: [] } } },
      () => 'x',
    );
    expect(none.runsToQueue).toEqual([]);
  });

  it("gives a fan-out's dependants its manifest (TDS_STEP_<NAME>_ITEMS) and every item's files, failed or not", () => {
    const definition = parseWorkflowRequest(
      {
        userId: 'alice',
        uniqueId: 'manifest',
        s3_bucket: 'bucket',
        source_s3_prefix: '',
        destination_s3_prefix: '/out/',
        steps: [
          { name: 'fan', for_each: ['a', 'b'], max_failures: 1, command: 'echo {{item}}' },
          { name: 'reduce', depends_on: ['fan'], command: 'cat "$TDS_STEP_FAN_ITEMS"' },
        ],
      },
      DEFAULTS,
    );
    const sim = new Simulation(definition);
    sim.advance();
    sim.runs[0]!.state = 'failed';
    sim.runs[1]!.state = 'succeeded';
    // Ended, the fan-out's dependants wait for its manifest: none starts in the decision that ends it.
    const ending = decide(sim.snapshot(), () => 'x');
    expect(ending.stepChanges.find((c) => c.name === 'fan')?.values.state).toBe('succeeded');
    expect(ending.runsToQueue).toEqual([]);
    expect(ending.fanOutEnded).toBe(true);
    const decision = sim.advance();
    const [reduce] = decision.runsToQueue;
    expect(reduce!.spec.env.TDS_STEP_FAN_ITEMS).toBe('/job/steps/fan/items.jsonl');
    expect(reduce!.spec.env.TDS_STEP_FAN_RESULT).toBe('[null,1]');
    expect(reduce!.spec.step_inputs).toEqual([
      { name: 'fan/0', bucket: 'bucket', prefix: `out/${sim.runs[0]!.id}/output/` },
      { name: 'fan/1', bucket: 'bucket', prefix: `out/${sim.runs[1]!.id}/output/` },
      { name: 'fan', bucket: 'bucket', prefix: expect.stringMatching(/fan\/$/), file: 'items.jsonl' },
    ]);
  });

  it('moves nothing while the workflow run waits for the previous one, unless cancelled', () => {
    const sim = new Simulation(definitionOf([plain()], 1));
    const waiting = { ...sim.snapshot(), waiting: true };
    expect(decide(waiting, () => 'x')).toMatchObject({
      waiting: true,
      runsToQueue: [],
      stepChanges: [],
      start: false,
    });
    expect(decide({ ...waiting, cancelRequested: true }, () => 'x').end?.state).toBe('cancelled');
  });

  it('names an allowed transition for every change it makes', () => {
    for (const [name, t] of Object.entries(STEP_TRANSITIONS)) {
      for (const from of t.from)
        for (const to of t.to)
          expect(stepChangeAllowed(name as keyof typeof STEP_TRANSITIONS, from, to)).toBe(true);
    }
    expect(stepChangeAllowed('start', 'succeeded', 'queued')).toBe(false);
    expect(stepChangeAllowed('end', 'pending', 'succeeded')).toBe(false);
  });
});
