import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Command } from 'commander';
import { answerOf, ApiError } from './api-client.ts';
import type { Context, ContextOptions } from './context.ts';
import { followLog } from './log-stream.ts';
import { stripControlSequences } from './terminal-text.ts';
import { CliExit, EXIT } from './exit-codes.ts';
import { getSummary } from './get-summary.ts';
import { table } from './output.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The jobs of listed runs by the name a person gave them (`uniqueId`), one request per job; a job
 * that cannot be read (deleted, another user's) keeps its id.
 */
async function jobNames(ctx: Context, runs: { jobId: string | null }[]): Promise<Map<string, string>> {
  const ids = [...new Set(runs.flatMap((r) => (r.jobId ? [r.jobId] : [])))];
  const named = await Promise.all(
    ids.map(async (id) => {
      const answer = await answerOf(ctx.api.GET('/jobs/{id}', { params: { path: { id } } })).catch(
        () => undefined,
      );
      return [id, answer?.job.uniqueId ?? id] as const;
    }),
  );
  return new Map(named);
}

export function requireUser(ctx: Context): string {
  if (!ctx.userId) throw new CliExit(EXIT.invalid, 'say whose: give --user NAME (or set TDS_USER)');
  return ctx.userId;
}

/** Asks each route in turn; the first that knows the id answers. */
async function firstKnown<A extends (() => Promise<unknown>)[]>(
  attempts: [...A],
  id: string,
): Promise<Awaited<ReturnType<A[number]>>> {
  for (const attempt of attempts) {
    try {
      return (await attempt()) as Awaited<ReturnType<A[number]>>;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 404) throw error;
    }
  }
  throw new CliExit(EXIT.invalid, `no job, workflow, run or workflow run with id "${id}" (or not yours)`);
}

function checkId(id: string): void {
  if (!UUID.test(id))
    throw new CliExit(
      EXIT.invalid,
      `"${id}" is not an id; ids look like 0192f5c4-...: see tds jobs or tds runs`,
    );
}

export function addEverydayCommands(program: Command, context: (wants?: ContextOptions) => Context): void {
  program
    .command('jobs')
    .description("List a user's jobs with their last run's state and next fire time")
    .addHelpText('after', '\nExample:\n  tds jobs --user alice')
    .action(async () => {
      const ctx = context();
      const userId = requireUser(ctx);
      const jobs = (await ctx.api.all('/jobs', 'jobs', { query: { userId } })).filter((j) => !j.deletedAt);
      const rows: string[][] = [['ID', 'UNIQUE ID', 'CRON', 'LAST RUN', 'NEXT FIRE']];
      const listed = [];
      for (const listedJob of jobs) {
        // The listing leaves out schedule details; the job's own view has them and its latest runs.
        const { job, runs } = await answerOf(
          ctx.api.GET('/jobs/{id}', { params: { path: { id: listedJob.id } } }),
        );
        const last = runs[0]?.state ?? '-';
        const next = job.schedule?.paused ? 'paused' : (job.schedule?.nextFireTimes?.[0] ?? '-');
        rows.push([job.id, job.uniqueId, job.spec.cron ?? '-', last, next]);
        listed.push({
          ...job,
          lastRunState: runs[0]?.state ?? null,
          nextFireAt: job.schedule?.nextFireTimes?.[0] ?? null,
        });
      }
      for (const line of table(rows)) ctx.output.line(line);
      ctx.output.data({ jobs: listed });
    });

  program
    .command('workflows')
    .description("List a user's workflows with their last run's state and next fire time")
    .addHelpText('after', '\nExample:\n  tds workflows --user alice')
    .action(async () => {
      const ctx = context();
      const userId = requireUser(ctx);
      const workflows = (await ctx.api.all('/workflows', 'workflows', { query: { userId } })).filter(
        (w) => !w.deletedAt,
      );
      const rows: string[][] = [['ID', 'UNIQUE ID', 'CRON', 'LAST RUN', 'NEXT FIRE']];
      const listed = [];
      for (const listedWorkflow of workflows) {
        // The listing leaves out schedule details; the workflow's own view has them and its latest runs.
        const { workflow, runs } = await answerOf(
          ctx.api.GET('/workflows/{id}', { params: { path: { id: listedWorkflow.id } } }),
        );
        const next = workflow.schedule?.paused ? 'paused' : (workflow.schedule?.nextFireTimes?.[0] ?? '-');
        rows.push([
          workflow.id,
          workflow.uniqueId,
          workflow.definition.shared.cron ?? '-',
          runs[0]?.state ?? '-',
          next,
        ]);
        listed.push({
          ...workflow,
          lastRunState: runs[0]?.state ?? null,
          nextFireAt: workflow.schedule?.nextFireTimes?.[0] ?? null,
        });
      }
      for (const line of table(rows)) ctx.output.line(line);
      ctx.output.data({ workflows: listed });
    });

  program
    .command('get')
    .description(
      'Show a job, workflow, run or workflow run by its id: a summary (--output json: the whole answer)',
    )
    .argument('<id>')
    .addHelpText('after', '\nExample:\n  tds get 0192f5c4-8d0e-7c3a-9b1e-2f4a6c8e0d12')
    .action(async (id: string) => {
      const ctx = context();
      checkId(id);
      const byId = { params: { path: { id } } };
      const found = await firstKnown(
        [
          async () => ({ kind: 'job', value: await answerOf(ctx.api.GET('/jobs/{id}', byId)) }),
          async () => ({ kind: 'run', value: await answerOf(ctx.api.GET('/runs/{id}', byId)) }),
          async () => ({ kind: 'workflow', value: await answerOf(ctx.api.GET('/workflows/{id}', byId)) }),
          async () => ({
            kind: 'workflow run',
            value: await answerOf(ctx.api.GET('/workflow-runs/{id}', byId)),
          }),
        ],
        id,
      );
      ctx.output.data(found);
      for (const line of getSummary(found.kind, found.value)) ctx.output.line(line);
    });

  program
    .command('runs')
    .description("List runs newest first: a job's (--job) or a user's (--user), optionally in a state")
    .option('--job <id>', "the job's runs")
    .option(
      '--state <state>',
      'only runs in this state (queued, running, succeeded, failed, ...; several with commas)',
    )
    .option('--limit <n>', 'at most this many', '20')
    .addHelpText(
      'after',
      '\nExamples:\n  tds runs --job 0192f5c4-...\n  tds runs --user alice --state failed',
    )
    .action(async (options: { job?: string; state?: string; limit: string }) => {
      const ctx = context();
      const query = { limit: Number(options.limit), ...(options.state ? { state: options.state } : {}) };
      let page;
      if (options.job) {
        checkId(options.job);
        page = await answerOf(
          ctx.api.GET('/jobs/{id}/runs', { params: { path: { id: options.job }, query } }),
        );
      } else {
        const user = ctx.userId ? { userId: ctx.userId } : {};
        page = await answerOf(ctx.api.GET('/runs', { params: { query: { ...user, ...query } } }));
      }
      const names = await jobNames(ctx, page.runs);
      const rows = [
        ['ID', 'JOB', 'STATE', 'EXIT', 'QUEUED'],
        ...page.runs.map((r) => [
          r.id,
          r.jobId
            ? (names.get(r.jobId) ?? r.jobId)
            : r.stepName
              ? `step ${r.stepName} of ${r.workflowRunId ?? '?'}`
              : '-',
          r.state,
          r.exitCode === null ? '-' : String(r.exitCode),
          r.timings.queuedAt ?? '-',
        ]),
      ];
      for (const line of table(rows)) ctx.output.line(line);
      ctx.output.data(page);
    });

  program
    .command('logs')
    .description(
      "Print a run's stdout and stderr; -f follows its live output, line by line, until the run ends",
    )
    .argument('<run>', 'a run id')
    .option('-f, --follow', 'follow the output until the run ends')
    .option('--raw', "print the output's bytes as the run wrote them, terminal escape sequences included")
    .addHelpText('after', '\nExample:\n  tds logs -f 0192f5c4-...')
    .action(async (runId: string, options: { follow?: boolean; raw?: boolean }) => {
      const ctx = context();
      checkId(runId);
      // What the run printed is shown as text: its escape sequences could drive this terminal.
      const shown = options.raw ? (text: string) => text : stripControlSequences;
      if (options.follow) {
        // Live from the run's log stream, each line once and in order, resumed if the connection drops.
        // With --output json: JSON Lines, { stream, line } for each line, then { state }.
        const ended = await followLog(ctx.api, runId, ({ stream, line }) => {
          if (ctx.output.json) process.stdout.write(`${JSON.stringify({ stream, line })}\n`);
          else (stream === 'stdout' ? process.stdout : process.stderr).write(`${shown(line)}\n`);
        });
        if (ctx.output.json) process.stdout.write(`${JSON.stringify({ state: ended?.state })}\n`);
        return;
      }
      const logs = await answerOf(ctx.api.GET('/runs/{id}/logs', { params: { path: { id: runId } } }));
      if (ctx.output.json) ctx.output.data(logs);
      else {
        process.stdout.write(shown(logs.stdout));
        process.stderr.write(shown(logs.stderr));
      }
    });

  program
    .command('cancel')
    .description('Cancel a run or a workflow run')
    .argument('<id>', 'a run or workflow run id')
    .addHelpText('after', '\nExample:\n  tds cancel 0192f5c4-...')
    .action(async (id: string) => {
      const ctx = context();
      checkId(id);
      const answer = await firstKnown(
        [
          () => answerOf(ctx.api.POST('/runs/{id}/cancel', { params: { path: { id } } })),
          () => answerOf(ctx.api.POST('/workflow-runs/{id}/cancel', { params: { path: { id } } })),
        ],
        id,
      );
      ctx.output.line(`cancel requested: ${id} (${answer.state})`);
      ctx.output.data(answer);
    });

  for (const [verb, text] of [
    ['pause', 'Pause a recurring job or workflow: no fire times are acted on until resumed'],
    ['resume', 'Resume a paused job or workflow from its next fire time'],
  ] as const) {
    program
      .command(verb)
      .description(text)
      .argument('<id>', 'a job or workflow id')
      .addHelpText('after', `\nExample:\n  tds ${verb} 0192f5c4-...`)
      .action(async (id: string) => {
        const ctx = context();
        checkId(id);
        const answer = await firstKnown(
          [
            () => answerOf(ctx.api.POST(`/jobs/{id}/${verb}`, { params: { path: { id } } })),
            () => answerOf(ctx.api.POST(`/workflows/{id}/${verb}`, { params: { path: { id } } })),
          ],
          id,
        );
        ctx.output.line(`${verb}: ${id}`);
        ctx.output.data(answer);
      });
  }

  program
    .command('trigger')
    .description(
      'Queue a run of a job or workflow now, whatever its schedule; optionally with params, env values or another input prefix',
    )
    .argument('<id>', 'a job or workflow id')
    .option('--source <prefix>', 'another input folder of the bucket for this run')
    .addHelpText(
      'after',
      `
With tds trigger, --set NAME=VALUE gives a workflow's declared param (repeatable; a number, true/false
or a JSON list as written) and --env NAME=VALUE an environment variable merged over the definition's.

Examples:
  tds trigger 0192f5c4-...
  tds trigger 0192f5c4-... --set region=eu --set days=7 --env LOG_LEVEL=debug --source inputs/2026-03-01/`,
    )
    .action(async (id: string, options: { source?: string }) => {
      const ctx = context({ envValues: true });
      checkId(id);
      const body = {
        ...(Object.keys(ctx.set).length > 0 ? { params: ctx.set } : {}),
        ...(Object.keys(ctx.envValues).length > 0 ? { env: ctx.envValues } : {}),
        ...(options.source !== undefined ? { source_s3_prefix: options.source } : {}),
      };
      const answer = await firstKnown(
        [
          () => answerOf(ctx.api.POST('/jobs/{id}/trigger', { params: { path: { id } }, body })),
          () => answerOf(ctx.api.POST('/workflows/{id}/trigger', { params: { path: { id } }, body })),
        ],
        id,
      );
      const what = 'workflowId' in answer ? 'workflow run' : 'run';
      ctx.output.line(`trigger: ${id} (${what} ${answer.id})`);
      ctx.output.data(answer);
    });

  program
    .command('backfill')
    .description(
      "Queue a run for each fire time of a recurring job's or workflow's cron in a past period [--from, --to)",
    )
    .argument('<id>', 'a job or workflow id')
    .requiredOption('--from <instant>', 'the start of the period, an ISO 8601 instant (included)')
    .requiredOption('--to <instant>', 'the end of the period, an ISO 8601 instant not after now (left out)')
    .option('--dry-run', 'list the fire times without queuing anything')
    .addHelpText(
      'after',
      '\nExample:\n  tds backfill 0192f5c4-... --from 2026-03-01T00:00:00Z --to 2026-03-04T00:00:00Z',
    )
    .action(async (id: string, options: { from: string; to: string; dryRun?: boolean }) => {
      const ctx = context();
      checkId(id);
      const body = { from: options.from, to: options.to };
      const params = { path: { id }, query: options.dryRun ? { dry_run: true } : {} };
      const answer = await firstKnown(
        [
          () => answerOf(ctx.api.POST('/jobs/{id}/backfill', { params, body })),
          () => answerOf(ctx.api.POST('/workflows/{id}/backfill', { params, body })),
        ],
        id,
      );
      for (const line of table([
        ['SCHEDULED FOR', answer.dryRun ? '' : 'QUEUED AS'],
        ...answer.runs.map((r) => [r.scheduledFor, r.id ?? '']),
      ]))
        ctx.output.line(line.trimEnd());
      ctx.output.line(
        answer.dryRun
          ? `${answer.count} fire times in [${answer.from}, ${answer.to}); nothing queued (dry run)`
          : `backfill: ${answer.count} queued for [${answer.from}, ${answer.to})`,
      );
      ctx.output.data(answer);
    });

  program
    .command('retry')
    .description('Run a finished workflow run again, reusing the results of the steps before --from')
    .argument('<workflowRun>', 'a workflow run id')
    .option('--from <step>', 'the step to start again from (default: the failed ones)')
    .addHelpText('after', '\nExample:\n  tds retry 0192f5c4-... --from transform')
    .action(async (id: string, options: { from?: string }) => {
      const ctx = context();
      checkId(id);
      const answer = await answerOf(
        ctx.api.POST('/workflow-runs/{id}/retry', {
          params: { path: { id }, query: options.from ? { from: options.from } : {} },
        }),
      );
      ctx.output.line(`retrying as workflow run ${answer.id}`);
      ctx.output.data(answer);
    });

  program
    .command('results')
    .description(
      "Download a run's result files (logs, run.json, metrics, outputs) through the API's short-lived links",
    )
    .argument('<run>', 'a run id')
    .option('-o, --out <dir>', 'the folder to write them into', '.')
    .addHelpText('after', '\nExample:\n  tds results 0192f5c4-... -o results/')
    .action(async (runId: string, options: { out: string }) => {
      const ctx = context();
      checkId(runId);
      const { files } = await answerOf(ctx.api.GET('/runs/{id}/files', { params: { path: { id: runId } } }));
      const root = path.resolve(options.out);
      const written: string[] = [];
      for (const file of files) {
        const target = path.resolve(root, file.path);
        if (!target.startsWith(root + path.sep)) continue; // a path that would leave the folder
        await mkdir(path.dirname(target), { recursive: true });
        const response = await fetch(file.url);
        if (!response.ok || !response.body)
          throw new CliExit(EXIT.unreachable, `downloading ${file.path} failed: ${response.status}`);
        await pipeline(
          Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
          createWriteStream(target),
        );
        written.push(target);
        ctx.output.line(`${file.path}  ${file.size} bytes`);
      }
      ctx.output.line(`${written.length} ${written.length === 1 ? 'file' : 'files'} written under ${root}`);
      ctx.output.data({ runId, directory: root, files: files.map((f) => ({ path: f.path, size: f.size })) });
    });

  const keys = program.command('keys').description('API keys (operator keys only): list, create, revoke');
  keys
    .command('list', { isDefault: true })
    .description('List API keys (never the keys themselves)')
    .action(async () => {
      const ctx = context();
      const { keys: list } = await answerOf(
        ctx.api.GET('/admin/keys', { params: { query: ctx.userId ? { userId: ctx.userId } : {} } }),
      );
      for (const line of table([
        ['ID', 'USER', 'NAME', 'CREATED', 'REVOKED'],
        ...list.map((k) => [k.id, k.userId ?? '(operator)', k.name, k.createdAt, k.revokedAt ?? '-']),
      ]))
        ctx.output.line(line);
      ctx.output.data({ keys: list });
    });
  keys
    .command('create')
    .description('Create a key for --user (or --operator); the key is shown once')
    .option('--operator', 'an operator key')
    .option('--name <name>', 'what the key is for', '')
    .addHelpText('after', '\nExample:\n  tds keys create --user alice --name laptop')
    .action(async (options: { operator?: boolean; name: string }) => {
      const ctx = context();
      const body = options.operator
        ? { operator: true, name: options.name }
        : { userId: requireUser(ctx), name: options.name };
      const answer = await answerOf(ctx.api.POST('/admin/keys', { body }));
      ctx.output.line(answer.key);
      ctx.output.data(answer);
    });
  keys
    .command('revoke')
    .description('Revoke a key at once')
    .argument('<id>', 'the key id (from tds keys list)')
    .action(async (id: string) => {
      const ctx = context();
      await answerOf(ctx.api.DELETE('/admin/keys/{id}', { params: { path: { id } } }));
      ctx.output.line(`revoked ${id}`);
      ctx.output.data({ revoked: id });
    });
}
