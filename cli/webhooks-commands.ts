import type { Command } from 'commander';
import type { paths } from '../api-types/openapi.ts';
import { answerOf, type Answer } from './api-client.ts';
import type { Context } from './context.ts';
import { requireUser } from './everyday-commands.ts';
import { table } from './output.ts';
import { stripControlSequences } from './terminal-text.ts';

type DeliveryView = Answer<'/webhooks/{id}/deliveries'>['deliveries'][number];
type EventType = NonNullable<
  paths['/webhooks']['post']['requestBody']
>['content']['application/json']['events'][number];

/** What `tds webhooks add` asks for when --events is not given: the end of every run (GET /states). */
async function runEnds(ctx: Context): Promise<EventType[]> {
  const { event } = await answerOf(ctx.api.GET('/states'));
  return event.types.filter((type) => type.startsWith('run.')) as EventType[];
}

/**
 * The last answer of a delivery in a few words: its status, or why there was none. A receiver's
 * words are its own text: shown without control sequences.
 */
export function lastAnswer(delivery: Pick<DeliveryView, 'history'>): string {
  const last = delivery.history.at(-1);
  if (!last) return '-';
  return stripControlSequences(last.error ?? String(last.status)).replace(/\n/g, ' ');
}

/** A secret shown the one time the service gives it. */
function showSecret(ctx: Context, secret: string, note: string): void {
  ctx.output.line(`secret: ${secret}`);
  ctx.output.line(`copy it now: it will not be shown again. ${note}`);
}

/** The endpoint commands: list, add, rotate, disable, enable, delete. */
function addEndpointCommands(webhooks: Command, context: () => Context): void {
  webhooks
    .command('list', { isDefault: true })
    .description("List --user's endpoints with the state of each one's latest delivery (never secrets)")
    .action(async () => {
      const ctx = context();
      const answer = await answerOf(
        ctx.api.GET('/webhooks', { params: { query: { userId: requireUser(ctx) } } }),
      );
      if (ctx.output.json) return ctx.output.data(answer);
      if (answer.webhooks.length === 0) {
        ctx.output.line('No webhook endpoints. Add one: tds webhooks add https://example.com/hook');
        return;
      }
      const latest = await Promise.all(
        answer.webhooks.map((w) =>
          answerOf(
            ctx.api.GET('/webhooks/{id}/deliveries', { params: { path: { id: w.id }, query: { limit: 1 } } }),
          ).then((d) => d.deliveries[0]),
        ),
      );
      for (const line of table([
        ['ID', 'URL', 'EVENTS', 'ENABLED', 'LAST DELIVERY'],
        ...answer.webhooks.map((w, i) => [
          w.id,
          w.url,
          w.events.join(','),
          w.enabled ? 'yes' : `no (${w.disabledReason ?? 'disabled'})`,
          latest[i] ? `${latest[i].state} ${latest[i].createdAt}` : 'none yet',
        ]),
      ]))
        ctx.output.line(line);
    });
  webhooks
    .command('add')
    .description('Register an endpoint for --user; its signing secret is shown this once')
    .argument('<url>', 'where deliveries are POSTed (http or https, a public address)')
    .option('--events <types>', 'comma-separated event types (default: the end of every run: run.*)')
    .option('--description <text>', 'what the endpoint is for')
    .addHelpText(
      'after',
      '\nExamples:\n  tds webhooks add https://example.com/hook --user alice\n  tds webhooks add https://example.com/hook --events run.failed,workflow_run.failed',
    )
    .action(async (url: string, options: { events?: string; description?: string }) => {
      const ctx = context();
      // The service refuses a type it does not send, with the list of those it does.
      const events = options.events
        ? (options.events
            .split(',')
            .map((e) => e.trim())
            .filter(Boolean) as EventType[])
        : await runEnds(ctx);
      const answer = await answerOf(
        ctx.api.POST('/webhooks', {
          body: {
            userId: requireUser(ctx),
            url,
            events,
            ...(options.description ? { description: options.description } : {}),
          },
        }),
      );
      ctx.output.line(`added webhook ${answer.webhook.id}: ${url} (${answer.webhook.events.join(', ')})`);
      showSecret(ctx, answer.secret, 'Verify deliveries with it (docs/webhooks.md#signatures).');
      ctx.output.data(answer);
    });
  webhooks
    .command('rotate')
    .description('Give an endpoint a new secret, shown this once; the previous one signs beside it for 24 h')
    .argument('<id>', 'the endpoint id (tds webhooks list)')
    .action(async (id: string) => {
      const ctx = context();
      const answer = await answerOf(
        ctx.api.POST('/webhooks/{id}/rotate-secret', { params: { path: { id } } }),
      );
      ctx.output.line(`rotated the secret of webhook ${id}`);
      showSecret(
        ctx,
        answer.secret,
        `The previous secret keeps signing until ${answer.webhook.previousSecretValidUntil ?? 'now'}.`,
      );
      ctx.output.data(answer);
    });
  for (const [verb, says] of [
    ['disable', 'Turn an endpoint off: nothing is sent to it until it is enabled again'],
    ['enable', 'Turn a disabled endpoint back on'],
  ] as const) {
    webhooks
      .command(verb)
      .description(says)
      .argument('<id>', 'the endpoint id (tds webhooks list)')
      .action(async (id: string) => {
        const ctx = context();
        const answer = await answerOf(
          verb === 'enable'
            ? ctx.api.POST('/webhooks/{id}/enable', { params: { path: { id } } })
            : ctx.api.POST('/webhooks/{id}/disable', { params: { path: { id } } }),
        );
        ctx.output.line(`${verb}d webhook ${id}${answer.enabled ? '' : `: ${answer.disabledReason}`}`);
        ctx.output.data(answer);
      });
  }
  webhooks
    .command('delete')
    .description('Delete an endpoint and its deliveries; nothing more is sent to it')
    .argument('<id>', 'the endpoint id (tds webhooks list)')
    .action(async (id: string) => {
      const ctx = context();
      await answerOf(ctx.api.DELETE('/webhooks/{id}', { params: { path: { id } } }));
      ctx.output.line(`deleted webhook ${id}`);
      ctx.output.data({ deleted: id });
    });
}

/** The delivery commands: an endpoint's deliveries, and one sent again. */
function addDeliveryCommands(webhooks: Command, context: () => Context): void {
  webhooks
    .command('deliveries')
    .description("An endpoint's deliveries, newest first: state, attempts and the last answer")
    .argument('<id>', 'the endpoint id (tds webhooks list)')
    .option('--limit <n>', 'how many', '20')
    .action(async (id: string, options: { limit: string }) => {
      const ctx = context();
      const answer = await answerOf(
        ctx.api.GET('/webhooks/{id}/deliveries', {
          params: { path: { id }, query: { limit: Number(options.limit) } },
        }),
      );
      if (ctx.output.json) return ctx.output.data(answer);
      if (answer.deliveries.length === 0) {
        ctx.output.line('No deliveries yet: one is made for each event the endpoint wants.');
        return;
      }
      for (const line of table([
        ['ID', 'EVENT', 'STATE', 'ATTEMPTS', 'LAST ANSWER', 'CREATED', 'ENDED OR NEXT TRY'],
        ...answer.deliveries.map((d) => [
          d.id,
          d.eventType,
          d.state,
          String(d.attempts),
          lastAnswer(d),
          d.createdAt,
          d.endedAt ?? d.nextAttemptAt ?? '-',
        ]),
      ]))
        ctx.output.line(line);
    });
  webhooks
    .command('redeliver')
    .description('Send a delivery again, now, with the same webhook-id')
    .argument('<delivery-id>', 'the delivery id (tds webhooks deliveries ID)')
    .action(async (id: string) => {
      const ctx = context();
      const answer = await answerOf(
        ctx.api.POST('/webhook-deliveries/{id}/redeliver', { params: { path: { id } } }),
      );
      ctx.output.line(`delivery ${id} is queued to be sent again now (${answer.state})`);
      ctx.output.data(answer);
    });
}

/** `tds webhooks`: a user's endpoints and their deliveries. */
export function addWebhookCommands(program: Command, context: () => Context): void {
  const webhooks = program
    .command('webhooks')
    .description('endpoints told when runs end (signed POSTs), and their deliveries');
  addEndpointCommands(webhooks, context);
  addDeliveryCommands(webhooks, context);
}
