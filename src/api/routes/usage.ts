import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { listingScope } from '../../auth/principal.js';
import { NAME_PATTERN } from '../../jobs/job-spec.js';
import { USAGE_GROUPINGS } from '../../usage/usage-repository.js';
import type { UsageReports } from '../../usage/usage-reports.js';
import { ErrorSchema } from '../schemas.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema };

const Day = (description: string) =>
  Type.String({ maxLength: 64, description: `${description} (YYYY-MM-DD, a day in UTC)` });

const Figures = {
  runs: Type.Number({ description: 'runs that ended, whose container ran' }),
  runSeconds: Type.Number({ description: "seconds the runs' containers ran, in all" }),
  cpuSeconds: Type.Number({
    description: 'CPU used, in seconds of one whole core: each run its average CPU × its run time',
  }),
  memoryGbSeconds: Type.Number({
    description: 'memory held, in GB-seconds (GB = 2^30 bytes): each run its average memory × its run time',
  }),
  memoryByteSeconds: Type.Number({ description: 'the same in byte-seconds' }),
};

const ReportSchema = Type.Object({
  from: Type.String({ description: 'the first day counted' }),
  to: Type.String({ description: 'the day after the last one counted' }),
  groupBy: Type.String(),
  userId: Type.Union([Type.String(), Type.Null()], { description: "whose usage; null: every user's" }),
  groups: Type.Array(
    Type.Object({
      key: Type.String({ description: "the job's or workflow's id, the user's id, or the day" }),
      uniqueId: Type.Union([Type.String(), Type.Null()], {
        description: "the job's or workflow's uniqueId; null for other groups",
      }),
      userId: Type.Union([Type.String(), Type.Null()], { description: 'whose job, workflow or usage it is' }),
      ...Figures,
    }),
    { description: 'days in order; jobs, workflows and users the most CPU first' },
  ),
  truncated: Type.Boolean({
    description: 'more groups than TDS_USAGE_MAX_GROUPS: the rest are left out of groups, never of total',
  }),
  total: Type.Object(Figures, { description: 'everything the report covers' }),
});

/** GET /usage: CPU, memory, runs and run time, summed per job, workflow, user or day. */
export const usageRoutes: FastifyPluginAsyncTypebox<{ usage: UsageReports }> = async (app, { usage }) => {
  app.get(
    '/usage',
    {
      config: { access: 'user' },
      schema: {
        summary: 'CPU-seconds, memory GB-seconds, runs and run time over a range of days, grouped',
        description:
          "What runs used, counted when each ended, per day (UTC). A user's key reads its own user's usage only, and must name it in userId; an operator reads any user's, or every user's without userId. from is the first day counted and to the day after the last (without them: the last 7 days, today included); the range is at most TDS_USAGE_MAX_RANGE_DAYS. groupBy job (jobs' runs) or workflow (workflows' step runs) or user or day (every run). See docs/usage.md.",
        tags: ['usage'],
        querystring: Type.Object(
          {
            userId: Type.Optional(
              Type.String({
                pattern: NAME_PATTERN,
                description:
                  "whose usage: required with a user's key (its own user); an operator may leave it out for every user's",
              }),
            ),
            from: Type.Optional(Day('the first day counted; default: 6 days before today')),
            to: Type.Optional(Day('the day after the last one counted; default: tomorrow')),
            groupBy: Type.Optional(
              Type.Union(
                USAGE_GROUPINGS.map((g) => Type.Literal(g)),
                { description: 'what each group is; default: day' },
              ),
            ),
            jobId: Type.Optional(Type.String({ maxLength: 64, description: "only this job's runs" })),
            workflowId: Type.Optional(
              Type.String({ maxLength: 64, description: "only this workflow's runs" }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: ReportSchema, ...errors },
      },
    },
    async (request) => {
      const { userId, ...query } = request.query;
      return usage.report(listingScope(request.principal, userId), query);
    },
  );
};
