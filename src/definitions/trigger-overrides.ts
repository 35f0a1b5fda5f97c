import Type, { type Static } from 'typebox';
import { ValidationError, type Problem } from '../errors.js';
import { ENV_NAME_PATTERN, envNameProblems, JobRequestSchema, normalisePrefix } from '../jobs/job-spec.js';
import { MAX_PARAMS, resolveParams, type ParamDeclarations, type ParamValue } from './params.js';

/**
 * What a trigger may change of one run of a definition (`POST /jobs/:id/trigger`,
 * `POST /workflows/:id/trigger` with a body): `env` merged over the definition's, another
 * `source_s3_prefix`, and a workflow's declared `params`. Checked by the rules a submitted
 * definition's fields are (the same schema, the same reserved names, the same prefix rules), every
 * problem at its field; the run records what was asked (`overrides`) and runs with it.
 */

const job = JobRequestSchema.properties;

export const TriggerRequestSchema = Type.Object(
  {
    env: Type.Optional(
      Type.Record(Type.String({ pattern: ENV_NAME_PATTERN }), Type.String({ maxLength: 32_768 }), {
        maxProperties: 200,
        description:
          "environment variables merged over the definition's (and each step's) for this run only, by the rules of a definition's env: names starting with TDS_ are reserved, and a secret's name cannot be replaced",
      }),
    ),
    source_s3_prefix: Type.Optional(
      Type.String({
        ...job.source_s3_prefix,
        description:
          'another folder of the definition\'s bucket whose objects become the inputs of this run (of every step of a workflow run); "" for the whole bucket; a leading "/" is dropped, ".." is refused',
      }),
    ),
    params: Type.Optional(
      Type.Record(Type.String({ maxLength: 63 }), Type.Unknown(), {
        maxProperties: MAX_PARAMS,
        description:
          "a workflow's declared params for this run: NAME → value of its type (a number, boolean or list may also be given as text, as `tds trigger --set` sends it); params not given take their defaults",
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'what this run changes of its definition; an empty body (or none) runs it as defined',
  },
);

export type TriggerRequest = Static<typeof TriggerRequestSchema>;

/** What a run was started with besides its definition, as recorded on the run and shown by GET. */
export interface RunOverrides {
  env?: Record<string, string>;
  source_s3_prefix?: string;
  /** A workflow run's params: every declared one, given or defaulted. */
  params?: Record<string, ParamValue>;
}

/** What the overrides are checked against. */
export interface OverrideTarget {
  noun: 'job' | 'workflow';
  /** The secret names of the definition (and of its steps): env may not name them. */
  secrets: readonly string[];
  /** A workflow's declared params. */
  params?: ParamDeclarations;
}

/**
 * The overrides of a trigger's body, checked; undefined when the run is as defined (no body, an
 * empty one, and no params declared). Throws a ValidationError (400) listing every problem.
 */
export function resolveOverrides(
  body: TriggerRequest | undefined,
  target: OverrideTarget,
): RunOverrides | undefined {
  const problems: Problem[] = [];
  const overrides: RunOverrides = {};
  if (body?.env !== undefined) {
    problems.push(...envNameProblems(body.env, target.secrets));
    overrides.env = body.env;
  }
  if (body?.source_s3_prefix !== undefined) {
    try {
      overrides.source_s3_prefix = normalisePrefix('source_s3_prefix', body.source_s3_prefix);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problems.push({ path: '/source_s3_prefix', message: error.message });
    }
  }
  if (target.noun === 'job') {
    for (const name of Object.keys(body?.params ?? {}))
      problems.push({
        path: `/params/${name}`,
        message: `a job has no params (only a workflow declares them): set "${name}" through env instead`,
      });
  } else if (body?.params !== undefined || Object.keys(target.params ?? {}).length > 0) {
    overrides.params = resolveParams(target.params, body?.params, problems);
  }
  if (problems.length > 0) throw ValidationError.of(problems);
  return Object.keys(overrides).length === 0 ? undefined : overrides;
}

/** The names of what a trigger changed, for its audit entry (values are the tenant's, never logged). */
export function overridesSummary(overrides: RunOverrides | undefined): Record<string, unknown> | undefined {
  if (!overrides) return undefined;
  return {
    ...(overrides.env ? { env: Object.keys(overrides.env).sort() } : {}),
    ...(overrides.source_s3_prefix !== undefined ? { source_s3_prefix: overrides.source_s3_prefix } : {}),
    ...(overrides.params ? { params: Object.keys(overrides.params).sort() } : {}),
  };
}

/** A job's spec as one run of it runs with `overrides`: env merged over its own, another input prefix. */
export function specWithOverrides<S extends { env: Record<string, string>; source_s3_prefix: string }>(
  spec: S,
  overrides: RunOverrides | undefined,
): S {
  if (!overrides) return spec;
  return {
    ...spec,
    env: { ...spec.env, ...overrides.env },
    source_s3_prefix: overrides.source_s3_prefix ?? spec.source_s3_prefix,
  };
}
