import Type from 'typebox';
import type { WorkflowRunHeader } from '../../workflows/workflow-run-header.js';
import { WORKFLOW_RUN_STATES } from '../../workflows/workflow-states.js';
import { RunOverridesSchema } from '../schemas.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(
  schema: T,
  options?: { description: string },
) => Type.Union([schema, Type.Null()], options);
const Time = Nullable(Type.String({ format: 'date-time' }));

/**
 * The fields of a workflow run that GET /workflow-runs/:id (with its steps) and the listings (with
 * its steps counted by state) both answer.
 */
export const WorkflowRunHeaderFields = {
  id: Type.String({ format: 'uuid' }),
  workflowId: Type.String({ format: 'uuid' }),
  userId: Type.String(),
  uniqueId: Type.String(),
  state: Type.String({ description: WORKFLOW_RUN_STATES.join(', ') }),
  trigger: Type.String({ description: 'submit, retry, schedule, catch_up, manual or backfill' }),
  scheduledFor: Time,
  retryOf: Nullable(Type.String()),
  fromStep: Nullable(Type.String()),
  maxParallel: Type.Integer(),
  failure: Nullable(
    Type.Object({ step: Nullable(Type.String()), reason: Type.String(), message: Type.String() }),
  ),
  cancelRequested: Type.Boolean(),
  overrides: Nullable(RunOverridesSchema),
  params: Nullable(
    Type.Record(Type.String(), Type.Unknown(), {
      description:
        "the values of the workflow's declared params this run used (given by its trigger, or defaults); null when it declares none",
    }),
  ),
  timings: Type.Object({ queuedAt: Time, startedAt: Time, endedAt: Time }),
  results: Type.Object({
    bucket: Type.String(),
    prefix: Type.String(),
    uri: Type.String(),
    report: Type.Object({
      json: Type.String(),
      text: Type.String(),
      writtenAt: Nullable(Type.String({ format: 'date-time' }), {
        description: 'when the report was written: null until just after the workflow run ends',
      }),
    }),
  }),
};

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** A workflow run's header as JSON: its times as ISO strings. */
export function workflowRunHeaderView<R extends WorkflowRunHeader>(r: R) {
  return {
    ...r,
    scheduledFor: iso(r.scheduledFor),
    timings: {
      queuedAt: iso(r.timings.queuedAt),
      startedAt: iso(r.timings.startedAt),
      endedAt: iso(r.timings.endedAt),
    },
    results: { ...r.results, report: { ...r.results.report, writtenAt: iso(r.results.report.writtenAt) } },
  };
}
