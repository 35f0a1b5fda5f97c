import { render } from 'preact';
import { html } from 'htm/preact';
import type { TargetedEvent, VNode } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { answerOf, ApiError, client, session, type Answer } from './api.ts';
import { OverviewPage } from './pages/overview.ts';
import { JobsPage, JobPage } from './pages/jobs.ts';
import { RunPage } from './pages/run.ts';
import { WorkflowPage, WorkflowsPage } from './pages/workflows.ts';
import { WorkflowRunPage } from './pages/workflow-run.ts';
import { Link, useLocation } from './router.ts';
import { lazyPage } from './lazy.ts';
import { installStateColours } from './state-colours.ts';
import './style.css';

// The definition editor brings the YAML reader: loaded only when a New page is opened.
const NewDefinitionPage = lazyPage(() => import('./pages/new-definition.ts'), 'NewDefinitionPage');
// Pages fewer people open are loaded when first opened, so what every page loads stays small.
const OperatorsPage = lazyPage(() => import('./pages/operators.ts'), 'OperatorsPage');
const AuditPage = lazyPage(() => import('./pages/audit.ts'), 'AuditPage');
const WebhooksPage = lazyPage(() => import('./pages/webhooks.ts'), 'WebhooksPage');

type PageName =
  | 'overview'
  | 'jobs'
  | 'job'
  | 'run'
  | 'workflows'
  | 'workflow'
  | 'workflow-run'
  | 'new-job'
  | 'new-workflow'
  | 'operators'
  | 'audit'
  | 'webhooks'
  | 'unknown';

/** The page an address shows, and the id it names (a job's, a run's…). */
interface Route {
  page: PageName;
  id?: string;
}

function route(path: string): Route {
  const parts = path.replace(/^\/ui/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || parts[0] === 'overview') return { page: 'overview' };
  if (parts[0] === 'jobs' && parts.length === 1) return { page: 'jobs' };
  if ((parts[0] === 'jobs' || parts[0] === 'workflows') && parts[1] === 'new' && parts.length === 2)
    return { page: parts[0] === 'jobs' ? 'new-job' : 'new-workflow' };
  if (parts[0] === 'jobs') return { page: 'job', id: parts[1] };
  if (parts[0] === 'runs' && parts[1]) return { page: 'run', id: parts[1] };
  if (parts[0] === 'workflows' && parts.length === 1) return { page: 'workflows' };
  if (parts[0] === 'workflows') return { page: 'workflow', id: parts[1] };
  if (parts[0] === 'workflow-runs' && parts[1]) return { page: 'workflow-run', id: parts[1] };
  if (parts[0] === 'operators') return { page: 'operators' };
  if (parts[0] === 'audit') return { page: 'audit' };
  if (parts[0] === 'webhooks') return { page: 'webhooks' };
  return { page: 'unknown' };
}

/** The nav entry a page belongs to, when it is not one itself. */
const SECTION: Partial<Record<PageName, PageName>> = {
  job: 'jobs',
  run: 'jobs',
  'new-job': 'jobs',
  workflow: 'workflows',
  'workflow-run': 'workflows',
  'new-workflow': 'workflows',
};

interface KeyFormProps {
  message: string;
  onKey: (key: string) => void;
}

function KeyForm({ message, onKey }: KeyFormProps) {
  const [value, setValue] = useState('');
  return html`<main class="login">
    <h1>Task Deploy Service</h1>
    <form
      onSubmit=${(event: SubmitEvent) => {
        event.preventDefault();
        onKey(value.trim());
      }}
    >
      <p>${message}</p>
      <label for="api-key">API key</label>
      <input
        id="api-key"
        type="password"
        autocomplete="off"
        value=${value}
        onInput=${(e: TargetedEvent<HTMLInputElement>) => setValue(e.currentTarget.value)}
      />
      <button type="submit">Sign in</button>
      <p class="hint">
        The key is kept in this browser tab only (sessionStorage), and forgotten when it closes.
      </p>
    </form>
  </main>`;
}

function App() {
  const location = useLocation();
  const [me, setMe] = useState<Answer<'/whoami'> | null | undefined>();
  const [problem, setProblem] = useState('');
  // The section a page says it belongs to (a step's run: Workflows), for the address it was said at.
  const [section, setSection] = useState<{ path?: string; name?: string }>({});
  const check = useCallback(async () => {
    try {
      setMe(await answerOf(client.GET('/whoami')));
      setProblem('');
    } catch (error) {
      setMe(null);
      setProblem(
        error instanceof ApiError && error.status === 401
          ? session.key
            ? `That key was refused: ${error.message}`
            : 'Authentication is on: enter your API key.'
          : `The API did not answer: ${(error as Error).message}`,
      );
    }
  }, []);
  useEffect(() => {
    check();
  }, [check]);
  if (me === undefined) return html`<p class="loading">Loading…</p>`;
  if (me === null)
    return html`<${KeyForm}
      message=${problem}
      onKey=${(key: string) => {
        session.key = key;
        check();
      }}
    />`;
  const current = route(location.pathname);
  const params = new URLSearchParams(location.search);
  const pages: Record<PageName, VNode> = {
    overview: html`<${OverviewPage} me=${me} />`,
    jobs: html`<${JobsPage} me=${me} params=${params} />`,
    job: html`<${JobPage} id=${current.id} />`,
    run: html`<${RunPage}
      id=${current.id}
      onSection=${(name: string) => setSection({ path: location.pathname, name })}
    />`,
    workflows: html`<${WorkflowsPage} me=${me} params=${params} />`,
    workflow: html`<${WorkflowPage} id=${current.id} />`,
    // Keyed by id: a retry opens the new workflow run's page afresh.
    'workflow-run': html`<${WorkflowRunPage} key=${current.id} id=${current.id} />`,
    'new-job': html`<${NewDefinitionPage} key="job" kind="job" me=${me} />`,
    'new-workflow': html`<${NewDefinitionPage} key="workflow" kind="workflow" me=${me} />`,
    operators: html`<${OperatorsPage} me=${me} />`,
    audit: html`<${AuditPage} />`,
    webhooks: html`<${WebhooksPage} me=${me} params=${params} />`,
    unknown: html`<h1>No such page</h1><p><${Link} href="/">Back to the overview</${Link}></p>`,
  };
  const sectionOf = (page: PageName): string | undefined =>
    section.path === location.pathname && section.name ? section.name : SECTION[page];
  const nav = [
    ['/', 'Overview', 'overview'],
    ['/ui/jobs', 'Jobs', 'jobs'],
    ['/ui/workflows', 'Workflows', 'workflows'],
    ['/ui/webhooks', 'Webhooks', 'webhooks'],
    ...(me.operator
      ? [
          ['/ui/operators', 'Operators', 'operators'],
          ['/ui/audit', 'Audit', 'audit'],
        ]
      : []),
  ];
  return html`<div class="shell">
    <header>
      <a class="skip" href="#content">Skip to content</a>
      <span class="brand">Task Deploy Service</span>
      <nav aria-label="Main">
        ${nav.map(
          ([href, label, page]) =>
            html`<${Link} href=${href} aria-current=${current.page === page || sectionOf(current.page) === page ? 'page' : undefined}>${label}</${Link}>`,
        )}
      </nav>
      <span class="who">
        ${me.kind === 'user' ? `user ${me.userId}` : me.kind === 'operator' ? 'operator' : 'local (authentication off)'}
        ${
          me.authEnabled &&
          html` <button
            class="link"
            onClick=${() => {
              session.key = '';
              check();
            }}
          >
            Sign out
          </button>`
        }
      </span>
    </header>
    <main id="content" tabindex="-1">${pages[current.page]}</main>
  </div>`;
}

installStateColours(document);
render(html`<${App} />`, document.getElementById('app') as HTMLElement);
