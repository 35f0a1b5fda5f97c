import { Command, CommanderError, Option } from 'commander';
import { ApiError, createApiClient } from './api-client.ts';
import type { Context, ContextOptions } from './context.ts';
import { addDefinitionCommands } from './definitions-commands.ts';
import { parseSet } from './definitions/load.ts';
import { builtInValues, environmentValues } from './definitions/substitutions.ts';
import { addEverydayCommands } from './everyday-commands.ts';
import { addSecretCommands } from './secrets-commands.ts';
import { addUsageCommand } from './usage-command.ts';
import { addWebhookCommands } from './webhooks-commands.ts';
import { addOperatorCommands } from './operator-commands.ts';
import { CliExit, EXIT } from './exit-codes.ts';
import { createOutput } from './output.ts';

const collect = (value: string, all: string[]) => [...all, value];

/** `tds`: the command-line client of the service's public API. */
export function buildProgram(): Command {
  const program = new Command('tds');
  program
    .description(
      'Runs jobs and workflows on the Task Deploy Service: keep them as files, validate, apply, run and watch them.',
    )
    .addOption(new Option('--url <url>', 'the service').env('TDS_URL').default('http://127.0.0.1:8080'))
    .addOption(new Option('--api-key <key>', 'an API key (sent as a Bearer token)').env('TDS_API_KEY'))
    .addOption(
      new Option('--user <userId>', 'whose jobs to list; the userId a definition leaves out').env('TDS_USER'),
    )
    .addOption(
      new Option('--output <format>', 'text for people, json for programs')
        .choices(['text', 'json'])
        .default('text'),
    )
    .option(
      '--env <name>',
      'let definitions use this environment variable as ${NAME} (repeatable; no other is read)',
      collect,
      [] as string[],
    )
    .option(
      '--set <key=value>',
      'fill in or override a field of every definition read (repeatable; dots reach inside: env.LEVEL=2)',
      collect,
      [] as string[],
    )
    .option(
      '--templates <dir>',
      'register every template file under this folder (repeatable)',
      collect,
      [] as string[],
    )
    .showHelpAfterError()
    .addHelpText(
      'after',
      `
Examples:
  tds validate examples/nightly.yaml --templates examples/templates
  tds apply examples/ --dry-run
  tds run examples/hello.yaml
  tds logs -f RUN_ID

Exit codes: 0 ok, 1 the job or workflow failed, 2 bad usage or an invalid definition,
3 the service unreachable, failing (5xx) or refusing the key (401, 403).
Docs: docs/cli.md`,
    );
  program.exitOverride();

  const context = (wants: ContextOptions = {}): Context => {
    const options = program.opts<{
      url: string;
      apiKey?: string;
      user?: string;
      output: string;
      env: string[];
      templates: string[];
      set: string[];
    }>();
    const set = parseSet(options.set);
    if (set.problems.length > 0) throw new CliExit(EXIT.invalid, set.problems.join('\n'));
    // --env NAME lets a definition read $NAME; --env NAME=VALUE is a value for tds trigger.
    const pairs = options.env.filter((entry) => entry.includes('='));
    if (pairs.length > 0 && !wants.envValues)
      throw new CliExit(
        EXIT.invalid,
        `--env ${pairs[0]}: NAME=VALUE sets an env value of tds trigger only; for a definition, --env NAME lets it read $NAME`,
      );
    const envValues: Record<string, string> = {};
    for (const pair of pairs) envValues[pair.slice(0, pair.indexOf('='))] = pair.slice(pair.indexOf('=') + 1);
    const { values, missing } = environmentValues(options.env.filter((entry) => !entry.includes('=')));
    if (missing.length > 0)
      throw new CliExit(EXIT.invalid, `--env ${missing.join(', ')}: not set in the environment`);
    return {
      api: createApiClient({ url: options.url, apiKey: options.apiKey }),
      output: createOutput(options.output === 'json'),
      userId: options.user,
      values: { ...builtInValues(), ...values },
      templateDirs: options.templates,
      set: set.values,
      envValues,
    };
  };
  addDefinitionCommands(program, context);
  addEverydayCommands(program, context);
  addSecretCommands(program, context);
  addUsageCommand(program, context);
  addWebhookCommands(program, context);
  addOperatorCommands(program, context);
  for (const command of program.commands) command.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  // Output piped into a program that stops reading (`tds jobs | head`) ends tds quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.ok);
    throw error;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with code 0; anything else commander refuses is bad usage.
      return error.exitCode === 0 ? EXIT.ok : EXIT.invalid;
    }
    if (error instanceof CliExit) {
      if (error.message) process.stderr.write(`tds: ${error.message}\n`);
      return error.code;
    }
    if (error instanceof ApiError) {
      process.stderr.write(`tds: ${error.message}\n`);
      for (const problem of error.problems) {
        if (problem.path) process.stderr.write(`  ${problem.path}: ${problem.message}\n`);
      }
      return error.exitCode;
    }
    process.stderr.write(`tds: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.unreachable;
  }
}
