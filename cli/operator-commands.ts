import type { Command } from 'commander';
import { answerOf, type Answer } from './api-client.ts';
import type { Context } from './context.ts';
import { CliExit, EXIT } from './exit-codes.ts';
import { table } from './output.ts';

type WorkerView = Answer<'/admin/workers'>['workers'][number];
type UserView = Answer<'/admin/users/{userId}'>;

const workerState = (w: WorkerView) => (w.drained ? 'drained' : w.state);

/** `tds workers`: the fleet, and a worker drained for maintenance (operator keys). */
function addWorkerCommands(program: Command, context: () => Context): void {
  const workers = program
    .command('workers')
    .description('the fleet (operator keys only): list, drain, undrain, retire');
  workers
    .command('list', { isDefault: true })
    .description('Every worker known, live ones first, with the runs each holds')
    .action(async () => {
      const ctx = context();
      const answer = await answerOf(ctx.api.GET('/admin/workers'));
      if (ctx.output.json) return ctx.output.data(answer);
      for (const line of table([
        ['ID', 'HOST', 'STATE', 'RUNS', 'TAGS', 'LAST HEARTBEAT'],
        ...answer.workers.map((w) => [
          w.id,
          w.host,
          workerState(w),
          `${w.runsInHand}/${w.capacity}`,
          w.tags.join(',') || '-',
          w.lastHeartbeatAt,
        ]),
      ]))
        ctx.output.line(line);
    });
  workers
    .command('drain')
    .description('Drain a worker: it claims no new run and finishes those it holds')
    .argument('<id>', 'the worker id (tds workers list)')
    .action(async (id: string) => {
      const ctx = context();
      const worker = await answerOf(ctx.api.POST('/admin/workers/{id}/drain', { params: { path: { id } } }));
      ctx.output.line(
        worker.drained
          ? `worker ${id} is drained: it holds no run and may be stopped`
          : `worker ${id} is draining: it claims no new run and finishes the ${worker.runsInHand} it holds`,
      );
      ctx.output.data(worker);
    });
  workers
    .command('undrain')
    .description('Undrain a worker: it claims runs again')
    .argument('<id>', 'the worker id (tds workers list)')
    .action(async (id: string) => {
      const ctx = context();
      const worker = await answerOf(
        ctx.api.POST('/admin/workers/{id}/undrain', { params: { path: { id } } }),
      );
      ctx.output.line(`worker ${id} is ${workerState(worker)}: it claims runs again`);
      ctx.output.data(worker);
    });
  workers
    .command('retire')
    .description(
      'Retire a worker gone without stopping (it died, its host is lost): it is recorded stopped, and its silence no longer raises the heartbeat alert',
    )
    .argument('<id>', 'the worker id (tds workers list)')
    .action(async (id: string) => {
      const ctx = context();
      const worker = await answerOf(ctx.api.POST('/admin/workers/{id}/retire', { params: { path: { id } } }));
      ctx.output.line(`worker ${id} is retired: recorded stopped; it is live again if it starts`);
      ctx.output.data(worker);
    });
}

/**
 * A ceiling option's value: a number, or `default` (the operator's default, sent as null; kept as
 * the word until then, since commander takes an option parsed to null for one given no value).
 */
function ceiling(option: string, integer: boolean) {
  return (value: string): number | 'default' => {
    if (value === 'default') return value;
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
      throw new CliExit(
        EXIT.invalid,
        `${option} ${value}: give ${integer ? 'a whole number' : 'a number'}, or "default" for the operator default`,
      );
    }
    return n;
  };
}

function userLines(ctx: Context, users: UserView[]): void {
  for (const line of table([
    ['USER', 'BUCKETS', 'CPUS', 'MEMORY MB', 'TIMEOUT S', 'CONCURRENT RUNS'],
    ...users.map((u) => [
      u.userId,
      u.allowedBuckets.join(',') || '-',
      ...(['maxCpus', 'maxMemoryMb', 'maxTimeoutSeconds', 'maxConcurrentRuns'] as const).map(
        (k) => `${u.effectiveCeilings[k]}${u.ceilings[k] === null ? ' (default)' : ''}`,
      ),
    ]),
  ]))
    ctx.output.line(line);
}

/** `tds users`: each user's bucket allow-list and ceilings (operator keys). */
function addUserCommands(program: Command, context: () => Context): void {
  const users = program
    .command('users')
    .description("users' ceilings and bucket allow-lists (operator keys only): list, get, set-ceilings");
  users
    .command('list', { isDefault: true })
    .description('Users with settings, with the ceilings in force ("(default)": the operator default)')
    .action(async () => {
      const ctx = context();
      const answer = await answerOf(ctx.api.GET('/admin/users'));
      if (ctx.output.json) return ctx.output.data(answer);
      userLines(ctx, answer.users);
    });
  users
    .command('get')
    .description("A user's ceilings and bucket allow-list")
    .argument('<user>', 'the userId')
    .action(async (userId: string) => {
      const ctx = context();
      const user = await answerOf(ctx.api.GET('/admin/users/{userId}', { params: { path: { userId } } }));
      if (ctx.output.json) return ctx.output.data(user);
      userLines(ctx, [user]);
    });
  users
    .command('set-ceilings')
    .description("Set a user's ceilings (and bucket allow-list); options left out keep their value")
    .argument('<user>', 'the userId')
    .option('--max-cpus <n>', 'CPUs a run may ask for, or "default"', ceiling('--max-cpus', false))
    .option('--max-memory-mb <n>', 'memory a run may ask for', ceiling('--max-memory-mb', true))
    .option('--max-timeout-seconds <n>', 'the longest timeout', ceiling('--max-timeout-seconds', true))
    .option('--max-concurrent-runs <n>', 'runs at once', ceiling('--max-concurrent-runs', true))
    .option('--buckets <list>', 'the whole allow-list, comma-separated: bucket or bucket/prefix/')
    .addHelpText(
      'after',
      '\nExamples:\n  tds users set-ceilings alice --max-cpus 2 --max-memory-mb 4096\n  tds users set-ceilings alice --max-cpus default --buckets data,results/alice/',
    )
    .action(async (userId: string, options: Record<string, number | 'default'> & { buckets?: string }) => {
      const ctx = context();
      const { buckets, ...given } = options;
      const ceilings = Object.fromEntries(
        Object.entries(given).map(([name, value]) => [name, value === 'default' ? null : value]),
      );
      const body = {
        ...ceilings,
        ...(buckets === undefined
          ? {}
          : {
              allowedBuckets: buckets
                .split(',')
                .map((b) => b.trim())
                .filter(Boolean),
            }),
      };
      if (Object.keys(body).length === 0) {
        throw new CliExit(
          EXIT.invalid,
          'nothing to set: give --max-cpus, --max-memory-mb, --max-timeout-seconds, --max-concurrent-runs or --buckets',
        );
      }
      const user = await answerOf(
        ctx.api.PUT('/admin/users/{userId}', { params: { path: { userId } }, body }),
      );
      ctx.output.line(`set ${userId}:`);
      userLines(ctx, [user]);
      ctx.output.data(user);
    });
}

/** The operator's commands beside `tds keys`: the fleet and the users' settings. */
export function addOperatorCommands(program: Command, context: () => Context): void {
  addWorkerCommands(program, context);
  addUserCommands(program, context);
}
