import type { ObjectStore } from '../../services/aws/object-store.js';
import type { WorkflowRunHeader } from './workflow-run-header.js';

/** What the report reads of a step: the fields of GET /workflow-runs/:id's steps it shows. */
export interface ReportStep {
  name: string;
  state: string;
  reason: string | null;
  reusedFrom: string | null;
  durationSeconds: number | null;
  exitCode: number | null;
}

/** A workflow run as GET /workflow-runs/:id shows it (report.json holds all of it). */
type WorkflowRun = WorkflowRunHeader & { steps: ReportStep[] };

/**
 * A workflow run's report, written to its folder once it has ended: `report.json` (the workflow
 * run as GET /workflow-runs/:id shows it, with its timeline) and `report.txt` for people: the
 * `Started: NAME` and `Ended : NAME` lines in the order they happened, then one line per step
 * with ok, failed or skipped (and why), its duration and exit code.
 */
export function reportText(run: WorkflowRun, timeline: { at: Date; line: string }[]): string {
  const lines = timeline.map((t) => t.line);
  lines.push('');
  const width = Math.max(...run.steps.map((s) => s.name.length), 4);
  for (const step of run.steps) {
    const word = step.state === 'succeeded' ? 'ok' : step.state;
    const duration = step.durationSeconds === null ? '-' : `${step.durationSeconds.toFixed(1)}s`;
    const exit = step.exitCode === null ? '-' : String(step.exitCode);
    const why = step.reason
      ? `  (${step.reason})`
      : step.reusedFrom
        ? `  (reused from ${step.reusedFrom})`
        : '';
    lines.push(
      `${step.name.padEnd(width)}  ${word.padEnd(9)}  duration ${duration.padStart(7)}  exit ${exit}${why}`,
    );
  }
  lines.push('');
  lines.push(`workflow run ${run.id}: ${run.state}${run.failure ? ` (${run.failure.message})` : ''}`);
  return `${lines.join('\n')}\n`;
}

/** Started/Ended lines of the steps that ran, in the order they happened. */
export function timelineOf(
  events: { name: string; started_at: Date | null; ended_at: Date | null }[],
  steps: ReportStep[],
): { at: Date; line: string }[] {
  const ran = new Set(steps.filter((s) => s.state !== 'skipped' && s.reusedFrom === null).map((s) => s.name));
  const timeline: { at: Date; line: string; order: number }[] = [];
  for (const e of events) {
    if (!ran.has(e.name)) continue;
    if (e.started_at) timeline.push({ at: e.started_at, line: `Started: ${e.name}`, order: 0 });
    if (e.ended_at) timeline.push({ at: e.ended_at, line: `Ended : ${e.name}`, order: 1 });
  }
  // Steps end and their dependants start in one transaction, within the same millisecond: at a
  // tie, an end comes first (a step's own start is always well before its end).
  return timeline.sort((a, b) => a.at.getTime() - b.at.getTime() || b.order - a.order);
}

export async function writeReport(
  store: ObjectStore,
  run: WorkflowRun,
  steps: ReportStep[],
  events: { name: string; started_at: Date | null; ended_at: Date | null }[],
): Promise<void> {
  const timeline = timelineOf(events, steps);
  const json = { ...run, timeline: timeline.map((t) => ({ at: t.at, line: t.line })) };
  await store.putObject(
    run.results.bucket,
    `${run.results.prefix}report.json`,
    `${JSON.stringify(json, null, 2)}\n`,
    'application/json',
  );
  await store.putObject(
    run.results.bucket,
    `${run.results.prefix}report.txt`,
    reportText(run, timeline),
    'text/plain; charset=utf-8',
  );
}
