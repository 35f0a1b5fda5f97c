import type { Command } from 'commander';
import { answerOf, type ApiClient, type Body } from './api-client.ts';
import { carryOut, formatDone, formatPlan, makePlan } from './apply.ts';
import type { Context } from './context.ts';
import { loadDefinitions, type Definition } from './definitions/load.ts';
import { formatProblem, type FileProblem } from './definitions/problems.ts';
import { expandPaths } from './definitions/source-files.ts';
import { CliExit, EXIT } from './exit-codes.ts';
import { formatReport, watchRun, watchWorkflowRun } from './watch.ts';
import { checkWithService, duplicateProblems, sortProblems, type Checked } from './validate.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Loads and checks definitions, locally and by the service; every problem printed, exit 2 if any. */
async function loadAndCheck(
  context: Context,
  paths: string[],
  extra: { allowDuplicates?: boolean } = {},
): Promise<{ checked: Checked[]; definitions: Definition[] }> {
  const { output } = context;
  const files = paths.includes('-')
    ? paths
    : await expandPaths(paths).catch((error: NodeJS.ErrnoException) => {
        throw new CliExit(EXIT.invalid, `${error.path ?? paths.join(' ')}: no such file or folder`);
      });
  const templateFiles = context.templateDirs.length > 0 ? await expandPaths(context.templateDirs) : [];
  const loaded = await loadDefinitions([...new Set([...files, ...templateFiles])], {
    values: context.values,
    userId: context.userId,
    set: context.set,
    readStdin,
  });
  const fromTemplatesOnly = new Set(templateFiles.filter((f) => !files.includes(f)));
  const definitions = loaded.definitions.filter((d) => !fromTemplatesOnly.has(d.file));
  const problems: FileProblem[] = [...loaded.problems];
  if (!extra.allowDuplicates) problems.push(...duplicateProblems(definitions));
  // A job whose template is unknown is not sent: its problems are already known. A workflow is,
  // its steps whose templates failed standing in by their place in the graph (Definition.checkBody).
  const valid = definitions.filter((d) => !('uses' in d.body));
  let checked;
  try {
    checked = await checkWithService(context.api, valid);
  } catch (error) {
    // The service unreachable or refusing: what was found in the files is still worth showing.
    for (const problem of sortProblems(problems)) output.error(formatProblem(problem));
    throw error;
  }
  problems.push(...checked.problems);
  if (problems.length > 0) {
    const sorted = sortProblems(problems);
    if (output.json) output.data({ valid: false, problems: sorted });
    else for (const problem of sorted) output.error(formatProblem(problem));
    if (!output.json) output.error(`${sorted.length} ${sorted.length === 1 ? 'problem' : 'problems'} found`);
    throw new CliExit(EXIT.invalid);
  }
  return { checked: checked.checked, definitions };
}

/** A job submitted to run once, now (its schedule left out of the body): the job and its run. */
async function submittedJob(api: ApiClient, body: Record<string, unknown>) {
  const answer = await answerOf(api.POST('/jobs', { body }));
  if ('job' in answer && answer.run) return { job: answer.job, run: answer.run };
  throw new Error(`the service queued no run of the job ${String(body.uniqueId)}`);
}

/** A workflow submitted to run once, now: the workflow and its run. */
async function submittedWorkflow(api: ApiClient, body: Record<string, unknown>) {
  const answer = await answerOf(api.POST('/workflows', { body: body as Body<'/workflows'> }));
  if ('workflow' in answer && answer.workflowRun)
    return { workflow: answer.workflow, workflowRun: answer.workflowRun };
  throw new Error(`the service started no run of the workflow ${String(body.uniqueId)}`);
}

export function addDefinitionCommands(program: Command, context: () => Context): void {
  program
    .command('validate')
    .description(
      "Check definition files (syntax, schema, templates, and the service's own validation) and print every problem as file:line:column: message",
    )
    .argument('<paths...>', 'definition files, or folders of them (.yaml, .yml, .json, .conf)')
    .addHelpText(
      'after',
      '\nExample:\n  tds validate examples/nightly.yaml --templates examples/templates\n\nExit 0 when every definition is valid, 2 when any problem is found.',
    )
    .action(async (paths: string[]) => {
      const ctx = context();
      const { definitions } = await loadAndCheck(ctx, paths);
      if (ctx.output.json)
        ctx.output.data({
          valid: true,
          definitions: definitions.map((d) => ({
            kind: d.kind,
            userId: d.userId,
            uniqueId: d.uniqueId,
            file: d.file,
          })),
        });
      else
        ctx.output.line(
          `${definitions.length} ${definitions.length === 1 ? 'definition' : 'definitions'} valid`,
        );
    });

  program
    .command('apply')
    .description(
      'Create or update jobs and workflows so the service matches the files (keyed by userId + uniqueId); prints the plan, then carries it out',
    )
    .argument('<paths...>', 'definition files, or folders of them')
    .option('--dry-run', 'print the plan only; change nothing')
    .option('--prune', "also delete the user's jobs and workflows that no file holds any more")
    .addHelpText(
      'after',
      '\nExamples:\n  tds apply examples/nightly.yaml --dry-run\n  tds apply definitions/ --prune\n\nPlan lines: + create, ~ update (with each changed field), = unchanged, - delete (--prune).',
    )
    .action(async (paths: string[], options: { dryRun?: boolean; prune?: boolean }) => {
      const ctx = context();
      const { checked } = await loadAndCheck(ctx, paths);
      const plan = await makePlan(ctx.api, checked, options.prune === true);
      const summary = plan.map((e) => ({
        action: e.action,
        kind: e.kind,
        userId: e.userId,
        uniqueId: e.uniqueId,
        id: e.id ?? null,
        changes: e.changes,
      }));
      for (const line of formatPlan(plan)) ctx.output.line(line);
      if (options.dryRun) {
        ctx.output.data({ dryRun: true, plan: summary });
        return;
      }
      const done = await carryOut(ctx.api, plan);
      for (const item of done) for (const line of formatDone(item)) ctx.output.line(line);
      ctx.output.data({
        dryRun: false,
        plan: summary,
        applied: done.map(({ entry, id, notify }) => ({
          action: entry.action,
          kind: entry.kind,
          uniqueId: entry.uniqueId,
          id,
          ...(notify ? { notify } : {}),
        })),
      });
    });

  program
    .command('run')
    .description(
      'Submit a job, workflow or task list once and watch it: Started/Ended lines, output prefixed by step, a progress line on a terminal, then the report',
    )
    .argument('<path>', 'a definition file, or - for standard input')
    .option('--name <uniqueId>', 'which definition of the file to run, when it holds several')
    .option('-q, --quiet', "don't print the steps' output")
    .option('--no-watch', 'submit and print the run id, without watching')
    .addHelpText(
      'after',
      '\nExamples:\n  tds run examples/hello.yaml\n  tds run tasks.json --set s3_bucket=my-bucket --set destination_s3_prefix=out/\n  cat job.yaml | tds run -\n\nThe run gets a uniqueId of its own (<uniqueId>-<time>) and no schedule: it runs once, now.\nExit 0 only if it succeeded; 1 if it failed; Ctrl-C asks whether to cancel it or stop watching (exit 130).',
    )
    .action(async (path: string, options: { name?: string; quiet?: boolean; watch: boolean }) => {
      const ctx = context();
      const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
      const { definitions } = await loadAndCheck(ctx, [path], { allowDuplicates: true });
      const candidates = options.name ? definitions.filter((d) => d.uniqueId === options.name) : definitions;
      if (candidates.length !== 1) {
        throw new CliExit(
          EXIT.invalid,
          candidates.length === 0
            ? `no definition ${options.name ? `named "${options.name}" ` : ''}in ${path}`
            : `${path} holds ${candidates.length} definitions (${candidates.map((d) => d.uniqueId).join(', ')}); choose one with --name`,
        );
      }
      const definition = candidates[0]!;
      const body: Record<string, unknown> = {
        ...definition.body,
        uniqueId: `${definition.uniqueId}-${stamp}`.slice(0, 128),
      };
      for (const field of [
        'cron',
        'timezone',
        'overlap_policy',
        'catch_up_policy',
        'catch_up_window_seconds',
        'catch_up_limit',
      ])
        delete body[field];
      const watch = {
        quiet: options.quiet === true || ctx.output.json,
        progress: !ctx.output.json && process.stdout.isTTY === true,
        print: ctx.output.line,
        printError: (l: string) => (ctx.output.json ? undefined : ctx.output.error(l)),
      };
      let result;
      if (definition.kind === 'job') {
        const answer = await submittedJob(ctx.api, body);
        ctx.output.line(`Submitted job ${body.uniqueId as string}: run ${answer.run.id}`);
        if (!options.watch) {
          ctx.output.data({ kind: 'job', jobId: answer.job.id, runId: answer.run.id });
          return;
        }
        result = await watchRun(ctx.api, answer.run.id, definition.uniqueId, watch);
        ctx.output.data({
          kind: 'job',
          jobId: answer.job.id,
          runId: answer.run.id,
          state: result.state,
          report: result.report,
        });
      } else {
        const answer = await submittedWorkflow(ctx.api, body);
        ctx.output.line(
          `Submitted workflow ${body.uniqueId as string}: workflow run ${answer.workflowRun.id}`,
        );
        if (!options.watch) {
          ctx.output.data({
            kind: 'workflow',
            workflowId: answer.workflow.id,
            workflowRunId: answer.workflowRun.id,
          });
          return;
        }
        result = await watchWorkflowRun(ctx.api, answer.workflowRun.id, watch);
        ctx.output.data({
          kind: 'workflow',
          workflowId: answer.workflow.id,
          workflowRunId: answer.workflowRun.id,
          state: result.state,
          report: result.report,
        });
      }
      if (result.detached) throw new CliExit(130);
      for (const line of formatReport(result.report)) ctx.output.line(line);
      if (!result.succeeded) throw new CliExit(EXIT.failed);
    });
}
