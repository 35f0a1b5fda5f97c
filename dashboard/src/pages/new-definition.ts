import { html } from 'htm/preact';
import type { TargetedEvent } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { parseYamlText } from '../../../cli/definitions/yaml-text.ts';
import { pathOf422, type Locate } from '../../../cli/definitions/problems.ts';
import {
  diffFields,
  diffWorkflows,
  showValue,
  type FieldChange,
} from '../../../cli/definitions/field-changes.ts';
import type { paths } from '../../../api-types/openapi.ts';
import { answerOf, ApiError, client, query, type Answer } from '../api.ts';

type Kind = 'job' | 'workflow';
/** A definition as pasted: the service checks it, and its refusal is shown at its lines. */
type Definition = Record<string, unknown> & { userId?: string | null; uniqueId?: string };
/** A place in the text, and what is wrong there. */
interface Located {
  line: number;
  column: number;
  message: string;
}
/** What applying the definition would do. */
interface Plan {
  action: 'create' | 'update' | 'unchanged';
  kind: Kind;
  body: Definition;
  id?: string;
  changes: FieldChange[];
}
/** The last check of the text: its problems, its plan, or why it could not be checked. */
interface CheckResult {
  text: string;
  problems?: Located[];
  plan?: Plan;
  error?: Error;
}
/** A stored job or workflow, as much as the plan reads of it. */
interface Stored {
  id: string;
  uniqueId: string;
  deletedAt?: string | null;
  spec?: Record<string, unknown>;
  definition?: Record<string, unknown>;
}

type Json<R> = R extends { content: { 'application/json': infer J } } ? J : never;
type JobCreated = Json<paths['/jobs']['post']['responses'][202]>;
type WorkflowCreated = Json<paths['/workflows']['post']['responses'][202]>;
type JobReplaced = Answer<'/jobs/{id}', 'put'>;
/**
 * What applying answers, as `applied` reads it: a job's or a workflow's, created (POST: 202, or 200
 * when already stored) or replaced (PUT); each field as the API declares it.
 */
type AppliedAnswer = Partial<Pick<JobCreated, 'job' | 'run' | 'created' | 'warnings' | 'notify'>> &
  Partial<Pick<WorkflowCreated, 'workflow' | 'workflowRun'>> &
  Partial<Pick<JobReplaced, 'version'>>;

/** The requests of the definition editor, each to its own typed route. */
const requests = {
  list: (kind: Kind, params: { userId: string; limit: number; cursor?: string }) =>
    kind === 'job'
      ? answerOf(client.GET('/jobs', { params: { query: query(params) } })).then((page) => ({
          items: page.jobs satisfies Stored[],
          nextCursor: page.nextCursor,
        }))
      : answerOf(client.GET('/workflows', { params: { query: query(params) } })).then((page) => ({
          items: page.workflows satisfies Stored[],
          nextCursor: page.nextCursor,
        })),
  dryRun: (kind: Kind, body: Definition) =>
    (kind === 'job'
      ? answerOf(client.POST('/jobs', { params: { query: { dry_run: true } }, body: body as never }))
      : answerOf(
          client.POST('/workflows', { params: { query: { dry_run: 'true' } }, body: body as never }),
        )) as Promise<{
      spec?: Record<string, unknown>;
      definition?: Record<string, unknown>;
    }>,
  create: async (kind: Kind, body: Definition): Promise<AppliedAnswer> => {
    const answer =
      kind === 'job'
        ? await answerOf(client.POST('/jobs', { body: body as never }))
        : await answerOf(client.POST('/workflows', { body: body as never }));
    // The same routes answer a dry run ({ valid, … }), which was not asked for here.
    if ('valid' in answer) throw new Error('the service answered with a dry run: nothing was stored');
    return answer;
  },
  replace: async (kind: Kind, id: string, body: Definition): Promise<AppliedAnswer> =>
    kind === 'job'
      ? answerOf(client.PUT('/jobs/{id}', { params: { path: { id } }, body: body as never }))
      : answerOf(client.PUT('/workflows/{id}', { params: { path: { id } }, body: body as never })),
};
import { Link } from '../router.ts';
import { Outcome, useWrite, type Said } from '../writes.ts';

// A job or workflow submitted from the page, as `tds apply` submits a file: read with the same
// YAML reader (positions kept), checked by the service's own dry run, every problem shown at its
// line, the plan shown (create, or update with the changed fields), and applied on confirmation.

const LISTS: Record<Kind, string> = { job: 'jobs', workflow: 'workflows' };

const EXAMPLES: Record<Kind, string> = {
  job: `kind: job
userId: alice
uniqueId: nightly-report
s3_bucket: my-bucket
destination_s3_prefix: reports/
command: python3 -c 'print(42)'
linux_dependencies: [python3]
cron: "0 6 * * *"
timezone: Europe/Paris
`,
  workflow: `kind: workflow
userId: alice
uniqueId: fetch-and-count
s3_bucket: my-bucket
destination_s3_prefix: flows/
steps:
  - name: fetch
    command: echo hello > /job/output/words.txt
  - name: count
    depends_on: [fetch]
    command: wc -w /job/input/fetch/words.txt
`,
};

/** The text read: its one definition with the way to its lines, or the problems that stop it. */
/** The text's one definition, ready for the service's check, and the way to its lines. */
interface Read {
  problems?: undefined;
  kind: Kind;
  body: Definition;
  locate: Locate;
}

function readText(text: string, routeKind: Kind, me: Answer<'/whoami'>): { problems: Located[] } | Read {
  const { documents, problems } = parseYamlText('definition', text);
  if (problems.length > 0) return { problems };
  if (documents.length !== 1)
    return {
      problems: [
        {
          line: 1,
          column: 1,
          message:
            documents.length === 0
              ? 'paste or upload a definition: a map with userId, uniqueId and the fields of a job or workflow'
              : `this text holds ${documents.length} definitions: submit one at a time (tds apply takes several)`,
        },
      ],
    };
  const doc = documents[0];
  if (!doc) return { problems: [] };
  const at = (path: string, message: string) => ({ ...doc.locate(path), message });
  if (doc.value === null || typeof doc.value !== 'object' || Array.isArray(doc.value))
    return { problems: [at('', 'a definition is a map of fields (userId, uniqueId, command, …)')] };
  const { kind = routeKind, ...body } = doc.value as Definition;
  if (kind !== 'job' && kind !== 'workflow')
    return { problems: [at('/kind', `kind ${JSON.stringify(kind)} is not one of job, workflow`)] };
  if (body.userId === undefined && me.kind === 'user') body.userId = me.userId;
  const missing: ReturnType<typeof at>[] = [];
  if (!body.userId) missing.push(at('', 'missing userId: whose job or workflow this is'));
  if (!body.uniqueId) missing.push(at('', 'missing uniqueId: it names the definition in the service'));
  if (missing.length > 0) return { problems: missing };
  return { kind, body, locate: doc.locate };
}

/** The stored job or workflow of this userId and uniqueId, if any (deleted ones are gone). */
async function findStored(kind: Kind, userId: string, uniqueId: string): Promise<Stored | undefined> {
  let cursor: string | undefined;
  do {
    const page = await requests.list(kind, { userId, limit: 200, cursor });
    const found = page.items.find((item) => item.uniqueId === uniqueId && !item.deletedAt);
    if (found) return found;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return undefined;
}

/** The service's dry run and the plan: { problems } when refused, else { plan }. */
async function check(read: Read): Promise<{ problems: Located[] } | { plan: Plan }> {
  const { kind, body, locate } = read;
  try {
    const checked = await requests.dryRun(kind, body);
    const stored = await findStored(kind, String(body.userId), String(body.uniqueId));
    if (!stored) return { plan: { action: 'create', kind, body, changes: [] } };
    const changes =
      kind === 'job'
        ? diffFields(stored.spec ?? {}, checked.spec ?? body)
        : diffWorkflows(stored.definition ?? {}, checked.definition ?? {});
    return {
      plan: { action: changes.length > 0 ? 'update' : 'unchanged', kind, body, id: stored.id, changes },
    };
  } catch (error) {
    if (!(error instanceof ApiError) || error.status === 401 || error.status === 403 || error.status >= 500)
      throw error;
    const pointed =
      error.status === 422
        ? [{ path: pathOf422(error.message), message: error.message }]
        : error.problems.length > 0
          ? error.problems
          : [{ path: '', message: error.message }];
    return { problems: pointed.map((p) => ({ ...locate(p.path), message: p.message })) };
  }
}

/** The pasted text with line numbers, each problem written under its line. */
interface AnnotatedProps {
  text: string;
  problems: Located[];
}

function Annotated({ text, problems }: AnnotatedProps) {
  const byLine = new Map<number, Located[]>();
  for (const problem of problems) byLine.set(problem.line, [...(byLine.get(problem.line) ?? []), problem]);
  return html`<ol class="source" aria-label="The definition, with its problems at their lines">
    ${text.split('\n').map((line, i) => {
      const here = byLine.get(i + 1) ?? [];
      return html`<li class=${here.length > 0 ? 'has-problem' : ''} data-line=${i + 1}>
        <code>${line || ' '}</code>
        ${here.map((p) => html`<span class="line-problem">line ${p.line}, column ${p.column}: ${p.message}</span>`)}
      </li>`;
    })}
  </ol>`;
}

interface PlanViewProps {
  plan: Plan;
}

function PlanView({ plan }: PlanViewProps) {
  const name = `${plan.body.userId}/${plan.body.uniqueId}`;
  const words = {
    create: `Create ${plan.kind} ${name}`,
    update: `Update ${plan.kind} ${name}: ${plan.changes.length} field${plan.changes.length === 1 ? '' : 's'} change`,
    unchanged: `Nothing to change: ${plan.kind} ${name} is stored as this definition says.`,
  };
  return html`<section aria-labelledby="plan" data-testid="plan">
    <h2 id="plan">Plan</h2>
    <p>
      <strong>${{ create: '+', update: '~', unchanged: '=' }[plan.action]} ${words[plan.action]}</strong>
      ${plan.id && html` (<${Link} href=${`/ui/${LISTS[plan.kind]}/${plan.id}`}>${plan.id.slice(0, 8)}</${Link}>)`}
    </p>
    ${
      plan.changes.length > 0 &&
      html`<div class="scroll">
        <table>
          <thead>
            <tr>
              <th>field</th>
              <th>stored</th>
              <th>this definition</th>
            </tr>
          </thead>
          <tbody>
            ${plan.changes.map(
              (c) =>
                html`<tr>
                  <td><code>${c.field}</code></td>
                  <td><code>${showValue(c.from)}</code></td>
                  <td><code>${showValue(c.to)}</code></td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>`
    }
    ${plan.action === 'create' && html`<p>${plan.kind === 'job' ? 'A job without cron runs once, as soon as it is created; with cron, on its schedule.' : 'A workflow without cron starts its first run as soon as it is created; with cron, on its schedule.'}</p>`}
  </section>`;
}

/** What applying did, in words, with links to what it made. */
function applied(plan: Plan, answer: AppliedAnswer): Said {
  const item = answer[plan.kind];
  const first = plan.kind === 'job' ? answer.run : answer.workflowRun;
  const verb =
    plan.action === 'create' ? (answer.created === false ? 'Already stored:' : 'Created') : 'Updated';
  const parts = [
    `${verb} ${plan.kind} ${item?.uniqueId}${plan.action === 'update' ? ` (version ${answer.version})` : ''}.`,
  ];
  if (first) parts.push(`Its first ${plan.kind === 'job' ? 'run' : 'workflow run'} is ${first.state}.`);
  if (answer.warnings?.length) parts.push(`Warnings: ${answer.warnings.join('; ')}.`);
  if (answer.notify)
    parts.push(
      `notify_url: webhook ${answer.notify.webhookId}, signing secret ${answer.notify.secret} (shown this once: keep it).`,
    );
  return {
    message: parts.join(' '),
    href: `/ui/${LISTS[plan.kind]}/${item?.id}`,
    linkText: `Open the ${plan.kind}`,
  };
}

interface NewDefinitionPageProps {
  kind: Kind;
  me: Answer<'/whoami'>;
}

export function NewDefinitionPage({ kind: routeKind, me }: NewDefinitionPageProps) {
  const [text, setText] = useState('');
  const [result, setResult] = useState<CheckResult>();
  const [checking, setChecking] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const { outcome, carry, clear } = useWrite();
  const edit = (value: string) => {
    setText(value);
    setResult(undefined);
    clear();
  };
  const runCheck = async (event: SubmitEvent) => {
    event.preventDefault();
    setChecking(true);
    clear();
    try {
      const read = readText(text, routeKind, me);
      setResult({ text, ...(read.problems ? read : await check(read)) });
    } catch (error) {
      setResult({ text, error: error as Error });
    } finally {
      setChecking(false);
    }
  };
  const apply = () => {
    const plan = result?.plan;
    if (!plan) return;
    carry(
      () =>
        plan.action === 'create'
          ? requests.create(plan.kind, plan.body)
          : requests.replace(plan.kind, plan.id ?? '', plan.body),
      (answer) => {
        setResult(undefined);
        return applied(plan, answer);
      },
    );
  };
  const jump = (line: number) => {
    const lines = text.split('\n');
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    area.current?.focus();
    area.current?.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
  };
  const problems = result?.problems ?? [];
  return html`<h1>New ${routeKind}</h1>
    <p>
      Paste or upload a ${routeKind} definition in YAML or JSON, as <code>tds apply</code> takes it
      (${'a '}<code>kind: job</code> or <code>kind: workflow</code> line is optional). The service checks it
      first (nothing is stored) and shows what applying it would do.
    </p>
    <form class="definition-form" onSubmit=${runCheck}>
      <label for="definition-text">Definition (YAML or JSON)</label>
      <textarea
        id="definition-text"
        ref=${area}
        rows="16"
        spellcheck="false"
        placeholder=${EXAMPLES[routeKind]}
        value=${text}
        onInput=${(e: TargetedEvent<HTMLTextAreaElement>) => edit(e.currentTarget.value)}
      ></textarea>
      <div class="actions">
        <label
          >Upload a file
          <input
            type="file"
            accept=".yaml,.yml,.json,application/json,text/yaml"
            onChange=${async (e: TargetedEvent<HTMLInputElement>) => {
              const file = e.currentTarget.files?.[0];
              if (file) edit(await file.text());
            }}
        /></label>
        <button type="button" onClick=${() => edit(EXAMPLES[routeKind])}>Start from an example</button>
        <button type="submit" disabled=${checking || !text.trim()}>
          ${checking ? 'Checking…' : 'Check'}
        </button>
      </div>
    </form>
    ${result?.error && html`<p class="problem" role="alert">${result.error.message}</p>`}
    ${
      problems.length > 0 &&
      html`<section aria-labelledby="problems" data-testid="problems">
        <h2 id="problems">
          ${problems.length} problem${problems.length === 1 ? '' : 's'}: nothing was stored
        </h2>
        <div role="alert">
          <ul class="problem-list">
            ${[...problems]
              .sort((a, b) => a.line - b.line || a.column - b.column)
              .map(
                (p) =>
                  html`<li>
                    <button class="jump" onClick=${() => jump(p.line)}>line ${p.line}</button
                    >${`, column ${p.column}: ${p.message}`}
                  </li>`,
              )}
          </ul>
        </div>
        <${Annotated} text=${result?.text} problems=${problems} />
      </section>`
    }
    ${
      result?.plan &&
      html`<${PlanView} plan=${result.plan} /> ${
          result.plan.action !== 'unchanged' &&
          html`<div class="actions">
            <button class="primary" onClick=${apply}>
              ${result.plan.action === 'create' ? `Create ${result.plan.kind}` : `Update ${result.plan.kind}`}
            </button>
            <button onClick=${() => setResult(undefined)}>Not now</button>
          </div>`
        }`
    }
    <${Outcome} outcome=${outcome} testid="apply-outcome" />`;
}
