import { answerOf, type ApiClient, type Body } from './api-client.ts';
import type { Definition } from './definitions/load.ts';
import { diffFields, diffWorkflows, showValue, type FieldChange } from './definitions/field-changes.ts';
import type { Checked } from './validate.ts';

export type Action = 'create' | 'update' | 'unchanged' | 'delete';

export interface PlanEntry {
  action: Action;
  kind: 'job' | 'workflow';
  userId: string;
  uniqueId: string;
  /** The stored job or workflow's id (none for a create). */
  id?: string;
  changes: FieldChange[];
  definition?: Definition;
}

interface Stored {
  id: string;
  uniqueId: string;
  deletedAt?: string | null;
  spec?: Record<string, unknown>;
  definition?: Record<string, unknown>;
}

const SYMBOL: Record<Action, string> = { create: '+', update: '~', unchanged: '=', delete: '-' };

/** What would make the service match the files, keyed by userId + uniqueId. */
export async function makePlan(api: ApiClient, checked: Checked[], prune: boolean): Promise<PlanEntry[]> {
  const storedCache = new Map<string, Stored[]>();
  const hasWorkflows = checked.some((c) => c.definition.kind === 'workflow');
  async function stored(kind: 'job' | 'workflow', userId: string): Promise<Stored[]> {
    const key = `${kind}:${userId}`;
    if (!storedCache.has(key)) {
      const items: Stored[] =
        kind === 'job'
          ? await api.all('/jobs', 'jobs', { query: { userId } })
          : await api.all('/workflows', 'workflows', { query: { userId } });
      storedCache.set(
        key,
        items.filter((item) => !item.deletedAt),
      );
    }
    return storedCache.get(key)!;
  }

  const plan: PlanEntry[] = [];
  for (const { definition, spec, workflow } of checked) {
    const { kind, userId, uniqueId } = definition;
    const existing = (await stored(kind, userId)).find((item) => item.uniqueId === uniqueId);
    const base = { kind, userId, uniqueId, definition };
    if (!existing) {
      plan.push({ ...base, action: 'create', changes: [] });
      continue;
    }
    const changes =
      kind === 'job'
        ? diffFields(existing.spec ?? {}, spec ?? definition.body)
        : diffWorkflows(existing.definition ?? {}, workflow ?? {});
    plan.push({ ...base, id: existing.id, action: changes.length > 0 ? 'update' : 'unchanged', changes });
  }
  if (prune) {
    const users = [...new Set(checked.map((c) => c.definition.userId))];
    const kinds: ('job' | 'workflow')[] = hasWorkflows ? ['job', 'workflow'] : ['job'];
    for (const userId of users) {
      for (const kind of kinds) {
        const kept = new Set(
          checked
            .filter((c) => c.definition.kind === kind && c.definition.userId === userId)
            .map((c) => c.definition.uniqueId),
        );
        for (const item of await stored(kind, userId)) {
          if (!kept.has(item.uniqueId))
            plan.push({ action: 'delete', kind, userId, uniqueId: item.uniqueId, id: item.id, changes: [] });
        }
      }
    }
  }
  return plan;
}

/** What was done to one definition; with the secret of an endpoint just made for its notify_url. */
export function formatDone({ entry, id, notify }: Done): string[] {
  const verb = entry.action === 'create' ? 'created' : entry.action === 'update' ? 'updated' : 'deleted';
  const lines = [`${verb} ${entry.kind} ${entry.uniqueId} (${id})`];
  if (notify)
    lines.push(
      `    notify_url: webhook ${notify.webhookId}, signing secret ${notify.secret} (shown this once: keep it)`,
    );
  return lines;
}

/** `+ create job alice/nightly`, `~ update ...` with one line per changed field, and so on. */
export function formatPlan(plan: PlanEntry[]): string[] {
  const lines: string[] = [];
  for (const entry of plan) {
    lines.push(
      `${SYMBOL[entry.action]} ${entry.action} ${entry.kind} ${entry.userId}/${entry.uniqueId}${entry.id ? ` (${entry.id})` : ''}`,
    );
    for (const change of entry.changes)
      lines.push(`    ${change.field}: ${showValue(change.from)} -> ${showValue(change.to)}`);
  }
  const counts = (['create', 'update', 'unchanged', 'delete'] as Action[])
    .map((action) => [action, plan.filter((e) => e.action === action).length] as const)
    .filter(([, n]) => n > 0)
    .map(([action, n]) => `${n} to ${action === 'unchanged' ? 'leave unchanged' : action}`);
  if (plan.every((e) => e.action === 'unchanged'))
    lines.push('Nothing to change: the service matches the files.');
  else lines.push(`Plan: ${counts.join(', ')}.`);
  return lines;
}

/** The endpoint the service made for a notify_url, with its secret: answered this once only. */
export interface Notify {
  webhookId: string;
  secret: string;
}

export interface Done {
  entry: PlanEntry;
  id: string;
  /** Set when this create or update made the endpoint of the definition's notify_url. */
  notify?: Notify;
}

/** Carries the plan out, in file order, deletions last. */
export async function carryOut(api: ApiClient, plan: PlanEntry[]): Promise<Done[]> {
  const done: Done[] = [];
  const withNotify = (item: Done, notify: Notify | undefined): Done => (notify ? { ...item, notify } : item);
  for (const entry of plan) {
    if (entry.action === 'create') {
      const { id, notify } = await create(api, entry.kind, entry.definition!.body);
      done.push(withNotify({ entry, id }, notify));
    } else if (entry.action === 'update') {
      const { notify } = await update(api, entry.kind, entry.id!, entry.definition!.body);
      done.push(withNotify({ entry, id: entry.id! }, notify));
    } else if (entry.action === 'delete') {
      if (entry.kind === 'job')
        await answerOf(api.DELETE('/jobs/{id}', { params: { path: { id: entry.id! } } }));
      else await answerOf(api.DELETE('/workflows/{id}', { params: { path: { id: entry.id! } } }));
      done.push({ entry, id: entry.id! });
    }
  }
  return done;
}

/** The new job or workflow's id, and the endpoint made for its notify_url. */
async function create(
  api: ApiClient,
  kind: PlanEntry['kind'],
  body: Record<string, unknown>,
): Promise<{ id: string; notify?: Notify }> {
  // Asked without dry_run, the service answers the stored definition (200 when it was there, 202 made).
  if (kind === 'job') {
    const answer = await answerOf(api.POST('/jobs', { body }));
    if ('job' in answer) return { id: answer.job.id, notify: 'notify' in answer ? answer.notify : undefined };
  } else {
    const answer = await answerOf(api.POST('/workflows', { body: body as Body<'/workflows'> }));
    if ('workflow' in answer)
      return { id: answer.workflow.id, notify: 'notify' in answer ? answer.notify : undefined };
  }
  throw new Error(`the service answered the ${kind} ${String(body.uniqueId)} with a dry run's plan`);
}

async function update(
  api: ApiClient,
  kind: PlanEntry['kind'],
  id: string,
  body: Record<string, unknown>,
): Promise<{ notify?: Notify }> {
  const params = { path: { id } };
  return kind === 'job'
    ? await answerOf(api.PUT('/jobs/{id}', { params, body: body as Body<'/jobs/{id}', 'put'> }))
    : await answerOf(api.PUT('/workflows/{id}', { params, body: body as Body<'/workflows/{id}', 'put'> }));
}
