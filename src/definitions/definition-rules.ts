import type { AccessControl } from '../auth/access-control.js';
import type { Principal } from '../auth/principal.js';
import type { JobSpec } from '../jobs/job-spec.js';
import type { WebhookService } from '../webhooks/webhook-service.js';
import type { Problem } from '../errors.js';
import { resultEnvName, type WorkflowDefinition } from '../workflows/workflow-definition.js';
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

/** Where a step's text names a variable: the path of the field, as a request gives it. */
function stepTexts(spec: JobSpec, at: string): { path: string; text: string }[] {
  const texts: { path: string; text: string }[] = [];
  if (spec.command !== null) texts.push({ path: `${at}/command`, text: spec.command });
  if (typeof spec.args === 'string') texts.push({ path: `${at}/args`, text: spec.args });
  if (Array.isArray(spec.args)) spec.args.forEach((text, j) => texts.push({ path: `${at}/args/${j}`, text }));
  for (const [name, text] of Object.entries(spec.env)) {
    texts.push({ path: `${at}/env/${name}`, text });
  }
  return texts;
}

/**
 * A step reads another step's result from `TDS_STEP_<NAME>_RESULT` only when that step is among
 * its ancestors (its depends_on, and theirs): any other step's variable is not set when it runs,
 * and the step would read an empty string without a word. Every such mention in a step's command,
 * args or env is a problem at that field, naming the depends_on to add. Names that are no step's
 * variable are the user's own and left alone.
 */
export function stepResultProblems(definition: WorkflowDefinition): Problem[] {
  const stepOfVariable = new Map(definition.steps.map((step) => [resultEnvName(step.name), step.name]));
  const dependsOn = new Map(definition.steps.map((step) => [step.name, step.dependsOn]));
  const ancestors = new Map<string, Set<string>>();
  const ancestorsOf = (name: string): Set<string> => {
    const known = ancestors.get(name);
    if (known) return known;
    const found = new Set<string>();
    ancestors.set(name, found); // the graph has no cycle: a definition with one is never parsed
    for (const dep of dependsOn.get(name) ?? []) {
      found.add(dep);
      for (const further of ancestorsOf(dep)) found.add(further);
    }
    return found;
  };
  const problems: Problem[] = [];
  definition.steps.forEach((step, i) => {
    for (const { path, text } of stepTexts(step.spec, `/steps/${i}`)) {
      const named = new Set(text.match(/TDS_STEP_[A-Z0-9_]+_RESULT/g) ?? []);
      for (const variable of named) {
        const source = stepOfVariable.get(variable);
        if (source === undefined || ancestorsOf(step.name).has(source)) continue;
        problems.push({
          path,
          message:
            source === step.name
              ? `names ${variable}, this step's own result, which it cannot read while it runs`
              : `names ${variable}, the result of step "${source}", which is not among this step's dependencies or their ancestors, so it would be empty; add "${source}" to depends_on`,
        });
      }
    }
  });
  return problems;
}
