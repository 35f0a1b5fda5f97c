import type { Command } from 'commander';
import { answerOf, type Answer } from './api-client.ts';
import type { Context } from './context.ts';
import { CliExit, EXIT } from './exit-codes.ts';
import { table } from './output.ts';

const GROUPINGS = ['job', 'workflow', 'user', 'day'];

/** Hours with enough places that a short run does not read as nothing. */
function hours(seconds: number): string {
  const value = seconds / 3600;
  return value === 0 ? '0' : value >= 10 ? value.toFixed(1) : value.toFixed(4);
}

/** A run time as h:mm:ss. */
function clock(seconds: number): string {
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

function row(name: string, f: Answer<'/usage'>['total']): string[] {
  return [name, hours(f.cpuSeconds), hours(f.memoryGbSeconds), String(f.runs), clock(f.runSeconds)];
}

export function addUsageCommand(program: Command, context: () => Context): void {
  program
    .command('usage')
    .description('CPU-hours, GB-hours of memory, runs and run time, per day, job, workflow or user')
    .option('--from <date>', 'the first day counted, YYYY-MM-DD (UTC; default: 6 days before today)')
    .option('--to <date>', 'the day after the last one counted, YYYY-MM-DD (default: tomorrow)')
    .option('--by <group>', `one row per ${GROUPINGS.join(', ')}`, 'day')
    .addHelpText(
      'after',
      '\nExamples:\n  tds usage --user alice\n  tds usage --user alice --by job --from 2025-01-01 --to 2025-02-01\n  tds usage --by user --output json   (an operator key: every user)',
    )
    .action(async (options: { from?: string; to?: string; by: string }) => {
      const ctx = context();
      if (!GROUPINGS.includes(options.by)) {
        throw new CliExit(EXIT.invalid, `--by ${options.by}: use one of ${GROUPINGS.join(', ')}`);
      }
      const report = await answerOf(
        ctx.api.GET('/usage', {
          params: {
            query: {
              ...(ctx.userId ? { userId: ctx.userId } : {}),
              ...(options.from ? { from: options.from } : {}),
              ...(options.to ? { to: options.to } : {}),
              groupBy: options.by as 'job' | 'workflow' | 'user' | 'day',
            },
          },
        }),
      );
      ctx.output.data(report);
      const who = report.userId === null ? 'every user' : report.userId;
      ctx.output.line(
        `Usage of ${who} from ${report.from} up to ${report.to} (not included), by ${report.groupBy}`,
      );
      const name = (g: { key: string; uniqueId: string | null }) =>
        g.uniqueId === null ? g.key : `${g.uniqueId} (${g.key})`;
      const rows = [
        [report.groupBy.toUpperCase(), 'CPU-HOURS', 'GB-HOURS', 'RUNS', 'RUN TIME'],
        ...report.groups.map((g) => row(name(g), g)),
        row('TOTAL', report.total),
      ];
      if (report.groups.length === 0) ctx.output.line('No run ended in this range: nothing was used.');
      for (const line of table(rows)) ctx.output.line(line);
      if (report.truncated) {
        ctx.output.line(
          `Only the first ${report.groups.length} groups are shown; the total counts them all.`,
        );
      }
    });
}
