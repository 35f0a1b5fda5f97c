import type { AccessControl } from '../auth/access-control.js';
import type { Principal } from '../auth/principal.js';
import type { JobSpec } from '../jobs/job-spec.js';
import type { WebhookService } from '../webhooks/webhook-service.js';
import type { WorkflowDefinition } from '../workflows/workflow-definition.js';
import type { BucketCheck } from './bucket-check.js';

/**
 * One definition model: a job or a workflow, where a job is a workflow of one step. Whatever is
 * checked of a definition before it is stored, replaced or answered by a dry run is checked here,
 * the same way for both kinds, in this order:
 *
 * 1. its shape (the kind's own parser: `normaliseJobRequest`, `parseWorkflowRequest`; 400);
 * 2. who may store it (`authoriseDefinition`): for every step, the caller acts for the
 *    definition's user, the user's ceilings (cpus, memory, time…), with authentication on their
 *    bucket allow-list, and the secrets it names (403, 400); then its notify_url (400);
 * 3. its bucket (`bucketProblemOf`): the bucket exists and, for one that runs now, its inputs are
 *    there (422). A repeated post of a stored definition is answered from what is stored instead.
 */
export interface Definition {
  kind: 'job' | 'workflow';
  userId: string;
  uniqueId: string;
  s3_bucket: string;
  source_s3_prefix: string;
  cron: string | null;
  notify_url?: string;
  /** Each step as the job it runs: a job is its own one step. */
  steps: JobSpec[];
}

/** A job as the one model sees it: a workflow of one step. */
export function jobDefinition(spec: JobSpec): Definition {
  return {
    kind: 'job',
    userId: spec.userId,
    uniqueId: spec.uniqueId,
    s3_bucket: spec.s3_bucket,
    source_s3_prefix: spec.source_s3_prefix,
    cron: spec.cron,
    ...(spec.notify_url === undefined ? {} : { notify_url: spec.notify_url }),
    steps: [spec],
  };
}

/** A workflow as the one model sees it. */
export function workflowDefinition(definition: WorkflowDefinition): Definition {
  const { shared } = definition;
  return {
    kind: 'workflow',
    userId: shared.userId,
    uniqueId: shared.uniqueId,
    s3_bucket: shared.s3_bucket,
    source_s3_prefix: shared.source_s3_prefix,
    cron: shared.cron,
    ...(shared.notify_url === undefined ? {} : { notify_url: shared.notify_url }),
    steps: definition.steps.map((step) => step.spec),
  };
}

/** Refuses a definition its caller may not store; runs before anything is read or stored. */
export type Authorise = (definition: Definition) => Promise<void>;

/** Lets through every definition: for callers inside the service (tests, tools), not for requests. */
export const anyone: Authorise = async () => undefined;

/**
 * Who may store a definition, for the principal of a request: every step as a submission
 * (its user, ceilings, bucket allow-list and secrets), then the notify_url.
 */
export function authoriseDefinition(
  access: Pick<AccessControl, 'checkSubmission'>,
  webhooks: Pick<WebhookService, 'checkUrl'>,
  principal: Principal,
): Authorise {
  return async (definition) => {
    for (const step of definition.steps) await access.checkSubmission(principal, step);
    if (definition.notify_url !== undefined) await webhooks.checkUrl(definition.notify_url, 'notify_url');
  };
}

/**
 * Why a definition's bucket cannot serve it (undefined when it can): the bucket exists, and with
 * `runsNow` its inputs are there. A dry run and an update check the bucket only: inputs may come later.
 */
export function bucketProblemOf(
  buckets: BucketCheck,
  definition: Definition,
  runsNow: boolean,
): Promise<Error | undefined> {
  return buckets.problem(definition.s3_bucket, definition.source_s3_prefix, runsNow);
}

/** Checks 2 and 3 of a definition to be stored anew (a dry run, an update), throwing the first problem. */
export async function checkDefinition(
  buckets: BucketCheck,
  definition: Definition,
  authorise: Authorise,
): Promise<void> {
  await authorise(definition);
  const problem = await bucketProblemOf(buckets, definition, false);
  if (problem) throw problem;
}
