import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { answerOf } from './api-client.ts';
import type { Context } from './context.ts';
import { CliExit, EXIT } from './exit-codes.ts';
import { table } from './output.ts';

/** `?userId=` when --user (TDS_USER) is given; a user's key needs none (its own secrets). */
/** The query naming whose secrets: the context's user, or the key's own. */
const whose = (ctx: Context) => (ctx.userId ? { userId: ctx.userId } : {});

/** Everything on stdin, as text. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The value to set: a file as it is, or stdin without the one line break that ends it (so that
 * `echo "$TOKEN" | tds secrets set NAME` sets the token). Never an argument: arguments end up in
 * shell histories and in every process listing.
 */
async function valueFrom(fromFile: string | undefined): Promise<string> {
  let value: string;
  if (fromFile !== undefined) {
    try {
      value = await readFile(fromFile, 'utf8');
    } catch (error) {
      throw new CliExit(EXIT.invalid, `--from-file ${fromFile}: ${(error as Error).message}`);
    }
  } else {
    if (process.stdin.isTTY) process.stderr.write('reading the value from stdin; end it with Ctrl-D\n');
    value = (await readStdin()).replace(/\r?\n$/, '');
  }
  if (value === '') {
    throw new CliExit(EXIT.invalid, 'the value is empty: pipe it on stdin, or give --from-file PATH');
  }
  return value;
}

/** `tds secrets`: a user's secrets, set from stdin or a file, listed by name, deleted. */
export function addSecretCommands(program: Command, context: () => Context): void {
  const secrets = program
    .command('secrets')
    .description('your secrets: values jobs name in `secrets` and get as environment variables');
  secrets
    .command('list', { isDefault: true })
    .description('List your secrets (names and dates; values are never shown)')
    .action(async () => {
      const ctx = context();
      const answer = await answerOf(ctx.api.GET('/secrets', { params: { query: whose(ctx) } }));
      for (const line of table([
        ['NAME', 'CREATED', 'UPDATED'],
        ...answer.secrets.map((s) => [s.name, s.createdAt, s.updatedAt]),
      ]))
        ctx.output.line(line);
      ctx.output.data(answer);
    });
  secrets
    .command('set')
    .description('Set a secret from stdin (or --from-file); replaces the value of an existing one')
    .argument('<name>', 'the name, also the environment variable jobs get it as')
    .option('--from-file <path>', 'read the value from this file, as it is')
    .addHelpText(
      'after',
      '\nExamples:\n  printf %s "$TOKEN" | tds secrets set API_TOKEN\n  tds secrets set TLS_KEY --from-file key.pem',
    )
    .action(async (name: string, options: { fromFile?: string }) => {
      const ctx = context();
      const value = await valueFrom(options.fromFile);
      const stored = await answerOf(
        ctx.api.PUT('/secrets/{name}', { params: { path: { name }, query: whose(ctx) }, body: { value } }),
      );
      ctx.output.line(`set ${stored.name}`);
      ctx.output.data(stored);
    });
  secrets
    .command('delete')
    .description("Delete a secret; jobs naming it fail at their next run's start until it is set again")
    .argument('<name>', 'the name')
    .action(async (name: string) => {
      const ctx = context();
      await answerOf(ctx.api.DELETE('/secrets/{name}', { params: { path: { name }, query: whose(ctx) } }));
      ctx.output.line(`deleted ${name}`);
      ctx.output.data({ deleted: name });
    });
}
