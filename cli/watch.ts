import { createInterface } from 'node:readline/promises';
import type LogUpdate from 'log-update';
import { answerOf, type Answer, type ApiClient } from './api-client.ts';
import { followLog } from './log-stream.ts';

/**
 * Draws the live progress line: log-update, imported by the first watch that draws one (its
 * import costs a tenth of the start-up of every other command). Every use is under `progress`.
 */
let logUpdate: typeof LogUpdate;
async function loadProgressLine(options: WatchOptions): Promise<void> {
  if (options.progress) logUpdate ??= (await import('log-update')).default;
}

/** A step's (or a job's) line in the report. */
export interface ReportLine {
  name: string;
  outcome: 'ok' | 'failed' | 'skipped' | 'cancelled';
  durationSeconds: number | null;
  exitCode: number | null;
  reason?: string;
}

export interface WatchResult {
  state: string;
  succeeded: boolean;
  report: ReportLine[];
  /** The watch stopped at Ctrl-C while the run went on. */
  detached: boolean;
}

export interface WatchOptions {
  quiet: boolean;
  /** A live progress line (on a terminal, for people). */
  progress: boolean;
  /** Lines for people (Started/Ended, output): off with --output json. */
  print: (line: string) => void;
  printError: (line: string) => void;
  intervalMs?: number;
}

type RunState = Answer<'/runs/{id}'>['state'];

/** The state a run's container starts in: from it on (in the service's order) the run has started. */
const CONTAINER_STARTS: RunState = 'running';

/** A run's ended states, and those it has started in, from the service's own lists (GET /states). */
async function runStateGroups(api: ApiClient): Promise<{ ended: Set<string>; started: Set<string> }> {
  const { run } = await answerOf(api.GET('/states'));
  const ended = new Set(run.ended);
  const from = run.states.indexOf(CONTAINER_STARTS);
  return { ended, started: new Set([...run.states.slice(from === -1 ? 0 : from), ...ended]) };
}
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

const seconds = (from: string | null, to: string | null) =>
  from && to ? Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000) : null;

export function outcomeOf(state: string): ReportLine['outcome'] {
  if (state === 'succeeded') return 'ok';
  if (state === 'skipped') return 'skipped';
  if (state === 'cancelled') return 'cancelled';
  return 'failed';
}

export function formatReport(lines: ReportLine[]): string[] {
  const width = Math.max(4, ...lines.map((l) => l.name.length));
  return [
    'Report:',
    ...lines.map((l) => {
      const duration = l.durationSeconds === null ? '-' : `${l.durationSeconds.toFixed(1)}s`;
      const exit = l.exitCode === null ? '' : `exit ${l.exitCode}`;
      const reason = l.outcome !== 'ok' && l.reason ? `  (${l.reason})` : '';
      const parts = [`  ${l.name.padEnd(width)}  ${l.outcome.padEnd(9)} ${duration.padStart(7)}`];
      if (exit) parts.push(exit);
      if (reason) parts.push(reason.trim());
      return parts.join('  ');
    }),
  ];
}

/**
 * Prints a run's output as the run prints it, from its log stream (each line once, in order, a
 * dropped connection resumed), each line prefixed by its step. Settles once the run has ended and
 * every line was printed, or when `signal` stops the watch; a stream that cannot be read is said
 * once on stderr, and the watch goes on without it.
 */
function followOutput(
  api: ApiClient,
  runId: string,
  name: string,
  options: WatchOptions,
  signal: AbortSignal,
): Promise<void> {
  if (options.quiet) return Promise.resolve();
  return followLog(
    api,
    runId,
    ({ stream, line }) => {
      if (options.progress) logUpdate.clear();
      (stream === 'stdout' ? options.print : options.printError)(`[${name}] ${line}`);
    },
    { signal },
  ).then(
    () => undefined,
    (error: unknown) =>
      options.printError(
        `[${name}] (its output could not be followed: ${error instanceof Error ? error.message : String(error)})`,
      ),
  );
}

/** Ctrl-C asks whether to cancel the run or only stop watching; off a terminal it stops watching. */
function interruptHandler(onCancel: () => Promise<void>, stopWatching: () => void, progress: boolean) {
  let asking = false;
  const handler = () => {
    if (asking) return;
    if (!process.stdin.isTTY) {
      stopWatching();
      return;
    }
    asking = true;
    if (progress) logUpdate.clear();
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    void rl
      .question('\nCancel the run? [y] cancel it, [n] stop watching and leave it running: ')
      .then(async (answer) => {
        rl.close();
        asking = false;
        if (/^y/i.test(answer.trim())) await onCancel();
        else stopWatching();
      });
  };
  process.on('SIGINT', handler);
  return () => process.off('SIGINT', handler);
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Watches one run of a job to its end: Started and Ended lines, its output, a progress line, the report. */
export async function watchRun(
  api: ApiClient,
  runId: string,
  name: string,
  options: WatchOptions,
): Promise<WatchResult> {
  await loadProgressLine(options);
  const stop = new AbortController();
  let output: Promise<void> | undefined;
  let started = false;
  let detached = false;
  let tick = 0;
  const began = Date.now();
  const release = interruptHandler(
    async () => {
      await answerOf(api.POST('/runs/{id}/cancel', { params: { path: { id: runId } } }));
      options.printError(`Cancelling run ${runId}...`);
    },
    () => {
      detached = true;
    },
    options.progress,
  );
  const say = (line: string) => {
    if (options.progress) logUpdate.clear();
    options.print(line);
  };
  try {
    const states = await runStateGroups(api);
    for (;;) {
      const run = await answerOf(api.GET('/runs/{id}', { params: { path: { id: runId } } }));
      if (!started && states.started.has(run.state)) {
        started = true;
        say(`Started: ${name}`);
        output = followOutput(api, runId, name, options, stop.signal);
      }
      if (states.ended.has(run.state)) {
        // A run cancelled before it started has no output to wait for.
        await output;
        if (options.progress) logUpdate.clear();
        const duration = seconds(run.timings.startedAt, run.timings.endedAt);
        say(
          `Ended : ${name} (${run.state}${duration === null ? '' : `, ${duration.toFixed(1)}s`}${run.exitCode === null ? '' : `, exit ${run.exitCode}`})`,
        );
        return {
          state: run.state,
          succeeded: run.state === 'succeeded',
          detached: false,
          report: [
            {
              name,
              outcome: outcomeOf(run.state),
              durationSeconds: duration,
              exitCode: run.exitCode,
              ...(run.failure ? { reason: run.failure.message } : {}),
            },
          ],
        };
      }
      if (detached) {
        say(`Stopped watching; run ${runId} goes on (tds logs -f ${runId}).`);
        return { state: run.state, succeeded: false, detached: true, report: [] };
      }
      if (options.progress) {
        const elapsed = Math.round((Date.now() - began) / 1000);
        logUpdate(`${SPINNER[tick++ % SPINNER.length]} ${name} ${run.state} ${elapsed}s`);
      }
      await sleep(options.intervalMs ?? 400);
    }
  } finally {
    stop.abort();
    if (options.progress) logUpdate.done();
    release();
  }
}

/** Watches a workflow run: each step's Started/Ended lines and output, fan-outs as counts, then the report. */
export async function watchWorkflowRun(
  api: ApiClient,
  workflowRunId: string,
  options: WatchOptions,
): Promise<WatchResult> {
  await loadProgressLine(options);
  const started = new Set<string>();
  const ended = new Set<string>();
  const stop = new AbortController();
  const outputs = new Map<string, Promise<void>>();
  /** Each fan-out step's items whose output is followed, by their run ids. */
  const itemOutputs = new Map<string, Map<string, Promise<void>>>();
  /**
   * Follows the output of a fan-out step's items that have a run (those in `states`, or all), each
   * line prefixed `[step/index]`. Items found while the step runs are followed side by side; those
   * found once it has ended (they started and ended between two looks) one after another.
   */
  const followItems = async (step: string, states: string | undefined, oneByOne: boolean) => {
    if (options.quiet) return;
    const followed = itemOutputs.get(step) ?? new Map<string, Promise<void>>();
    itemOutputs.set(step, followed);
    let cursor: string | null = null;
    try {
      do {
        const page: Answer<'/workflow-runs/{id}/steps/{name}/items'> = await answerOf(
          api.GET('/workflow-runs/{id}/steps/{name}/items', {
            params: {
              path: { id: workflowRunId, name: step },
              query: { limit: 200, ...(states ? { state: states } : {}), ...(cursor ? { cursor } : {}) },
            },
          }),
        );
        for (const item of page.items) {
          if (!item.runId || followed.has(item.runId)) continue;
          const following = followOutput(api, item.runId, `${step}/${item.index}`, options, stop.signal);
          followed.set(item.runId, following);
          if (oneByOne) await following;
        }
        cursor = page.nextCursor;
      } while (cursor);
    } catch (error) {
      options.printError(
        `[${step}] (its items' output could not be followed: ${error instanceof Error ? error.message : String(error)})`,
      );
    }
  };
  let detached = false;
  let tick = 0;
  const release = interruptHandler(
    async () => {
      await answerOf(api.POST('/workflow-runs/{id}/cancel', { params: { path: { id: workflowRunId } } }));
      options.printError(`Cancelling workflow run ${workflowRunId}...`);
    },
    () => {
      detached = true;
    },
    options.progress,
  );
  const say = (line: string) => {
    if (options.progress) logUpdate.clear();
    options.print(line);
  };
  try {
    const states = await answerOf(api.GET('/states'));
    const workflowEnded = new Set(states.workflowRun.ended);
    const stepStarted = new Set(states.step.started);
    const stepEnded = new Set(states.step.ended);
    for (;;) {
      const run = await answerOf(api.GET('/workflow-runs/{id}', { params: { path: { id: workflowRunId } } }));
      for (const step of run.steps) {
        if (!started.has(step.name) && stepStarted.has(step.state)) {
          started.add(step.name);
          say(`Started: ${step.name}`);
        }
        if (step.runId && started.has(step.name) && !outputs.has(step.name))
          outputs.set(step.name, followOutput(api, step.runId, step.name, options, stop.signal));
        if (step.items && step.state === 'running') await followItems(step.name, 'running', false);
        if (
          !ended.has(step.name) &&
          stepEnded.has(step.state) &&
          (started.has(step.name) || step.state === 'skipped')
        ) {
          ended.add(step.name);
          await outputs.get(step.name);
          if (step.items && started.has(step.name)) {
            await followItems(step.name, undefined, true);
            await Promise.all(itemOutputs.get(step.name)?.values() ?? []);
          }
          say(
            `Ended : ${step.name} (${step.state}${step.exitCode === null ? '' : `, exit ${step.exitCode}`})`,
          );
        }
      }
      if (workflowEnded.has(run.state)) {
        return {
          state: run.state,
          succeeded: run.state === 'succeeded',
          detached: false,
          report: run.steps.map((step) => ({
            name: step.name,
            outcome: outcomeOf(step.state),
            durationSeconds: step.durationSeconds,
            exitCode: step.exitCode,
            ...(step.reason ? { reason: step.reason } : {}),
          })),
        };
      }
      if (detached) {
        say(`Stopped watching; workflow run ${workflowRunId} goes on.`);
        return { state: run.state, succeeded: false, detached: true, report: [] };
      }
      if (options.progress) {
        const active = run.steps
          .filter(
            (s) => s.state === 'running' || (s.items && s.state !== 'pending' && !stepEnded.has(s.state)),
          )
          .map((s) =>
            s.items ? `${s.name} ${s.items.succeeded}/${s.items.total} ok, ${s.items.failed} failed` : s.name,
          );
        const done = run.steps.filter((s) => stepEnded.has(s.state)).length;
        logUpdate(
          `${SPINNER[tick++ % SPINNER.length]} ${done}/${run.steps.length} steps done${active.length ? ` · ${active.join(' · ')}` : ''}`,
        );
      }
      await sleep(options.intervalMs ?? 500);
    }
  } finally {
    stop.abort();
    if (options.progress) logUpdate.done();
    release();
  }
}
