import { html } from 'htm/preact';
import { answerOf, client, query, type Answer } from '../api.ts';
import { FilterForm, readFilters } from '../filters.ts';
import { duration, secondsBetween, time } from '../format.ts';
import { UsageChart } from '../usage-chart.ts';
import { DefinitionActions, ScheduleLine } from './definition-actions.ts';
import { Link, Problem, StateBadge, usePoll } from '../router.ts';
import { useStates } from '../states.ts';
import { EmptyState, submitWorkflow, triggerNow } from '../empty-state.ts';

interface WorkflowsPageProps {
  me: Answer<'/whoami'>;
  /** The page's query string: the list's filters. */
  params: URLSearchParams;
}

export function WorkflowsPage({ me, params }: WorkflowsPageProps) {
  const userId = me.kind === 'user' ? me.userId : undefined;
  const workflowRunStates = useStates()?.workflowRun.states ?? [];
  const { name, state } = readFilters(params, 'failed');
  const { data, error } = usePoll(
    () => answerOf(client.GET('/workflow-summaries', { params: { query: query({ userId, name, state }) } })),
    5000,
    [userId, name, state],
  );
  return html`<h1>Workflows</h1>
    <p><${Link} href="/ui/workflows/new">New workflow</${Link}>: paste or upload a definition (YAML or JSON)</p>
    <${FilterForm} path="/ui/workflows" params=${params} states=${workflowRunStates} />
    <${Problem} error=${error} />
    ${
      data &&
      (data.workflows.length === 0
        ? html`<${EmptyState} commands=${name || state ? [] : submitWorkflow()}>
            ${name || state ? 'No workflows match. Clear the filters to see every workflow.' : 'No workflows match. The workflows you submit (steps that run in order, each after the steps it depends on) are listed here with their latest run; submit one:'}
          </${EmptyState}>`
        : html`<table>
            <thead>
              <tr>
                <th>workflow</th>
                ${!userId && html`<th>user</th>`}
                <th>steps</th>
                <th>schedule</th>
                <th>last run</th>
                <th>queued</th>
                <th>next fire</th>
              </tr>
            </thead>
            <tbody>
              ${data.workflows.map(
                (w) => html`<tr>
                <td><${Link} href=${`/ui/workflows/${w.id}`}>${w.uniqueId}</${Link}></td>
                ${!userId && html`<td>${w.userId}</td>`}
                <td>${w.steps}</td>
                <td>${w.cron ? html`<code>${w.cron}</code> ${w.paused ? '(paused)' : ''}` : 'on demand'}</td>
                <td>${w.lastRun ? html`<${Link} href=${`/ui/workflow-runs/${w.lastRun.id}`} aria-label=${`last run ${w.lastRun.state}`}><${StateBadge} state=${w.lastRun.state} /></${Link}>` : '—'}</td>
                <td>${time(w.lastRun?.queuedAt)}</td>
                <td>${time(w.nextFireAt)}</td>
              </tr>`,
              )}
            </tbody>
          </table>`)
    }`;
}

type Workflow = Answer<'/workflows/{id}'>['workflow'];
type Step = Workflow['definition']['steps'][number];

function forEachText(forEach: Step['forEach']) {
  if (!forEach || forEach.kind === 'none') return '—';
  if (forEach.kind === 'static') return `${(forEach.items ?? []).length} items`;
  if (forEach.kind === 'param') return `items of param ${forEach.param}`;
  return `items of ${forEach.step}`;
}

function commandText(spec: Step['spec']) {
  if (spec.command) return spec.command;
  const args = Array.isArray(spec.args) ? spec.args.join(' ') : (spec.args ?? '');
  return `${spec.image} ${args}`.trim();
}

const countSteps = (run: Answer<'/workflows/{id}'>['runs'][number], state: string) =>
  run.steps.filter((s) => s.state === state).length;

interface WorkflowPageProps {
  id: string;
}

export function WorkflowPage({ id }: WorkflowPageProps) {
  const { data, error, reload } = usePoll(
    () => answerOf(client.GET('/workflows/{id}', { params: { path: { id } } })),
    5000,
    [id],
  );
  if (!data) return html`<${Problem} error=${error} />${!error && html`<p>Loading…</p>`}`;
  const { workflow, runs } = data;
  // The definition as stored (docs/workflows.md).
  const definition = workflow.definition;
  const steps = definition.steps;
  return html`<h1>Workflow ${workflow.uniqueId}</h1>
    <${Problem} error=${error} />
    <p>
      user <strong>${workflow.userId}</strong>
      ${` · ${steps.length} ${steps.length === 1 ? 'step' : 'steps'} · at most ${definition.maxParallel} runs at once · created ${time(workflow.createdAt)}`}
    </p>
    <section aria-labelledby="schedule">
      <h2 id="schedule">Schedule</h2>
      <${ScheduleLine} schedule=${workflow.schedule} />
      <${DefinitionActions} kind="workflow" item=${workflow} onChanged=${reload} />
    </section>
    <${UsageChart} filter=${{ userId: workflow.userId, workflowId: id }} what="this workflow" />
    <section aria-labelledby="runs">
      <h2 id="runs">Latest runs</h2>
      ${
        runs.length === 0
          ? html`<${EmptyState} commands=${triggerNow('workflows', id)}>
              No runs yet. Each run of this workflow, triggered or fired by its schedule, will be listed
              here with its state, duration and failure. Trigger one:
            </${EmptyState}>`
          : html`<table>
              <thead>
                <tr>
                  <th>workflow run</th>
                  <th>state</th>
                  <th>trigger</th>
                  <th>queued</th>
                  <th>duration</th>
                  <th>steps succeeded</th>
                  <th>failure</th>
                </tr>
              </thead>
              <tbody>
                ${runs.map(
                  (run) => html`<tr>
                  <td><${Link} href=${`/ui/workflow-runs/${run.id}`}>${run.id.slice(0, 8)}</${Link}></td>
                  <td><${StateBadge} state=${run.state} /></td>
                  <td>${run.trigger}</td>
                  <td>${time(run.timings.queuedAt)}</td>
                  <td>${duration(secondsBetween(run.timings.startedAt, run.timings.endedAt))}</td>
                  <td>${countSteps(run, 'succeeded')} of ${run.steps.length}</td>
                  <td>${run.failure ? [run.failure.step, run.failure.reason].filter(Boolean).join(': ') : '—'}</td>
                </tr>`,
                )}
              </tbody>
            </table>`
      }
    </section>
    <section aria-labelledby="steps">
      <h2 id="steps">Steps</h2>
      <table tabindex="0">
        <thead>
          <tr>
            <th>step</th>
            <th>depends on</th>
            <th>runs if</th>
            <th>fan-out</th>
            <th>command or image</th>
          </tr>
        </thead>
        <tbody>
          ${steps.map(
            (step) =>
              html`<tr>
                <td>${step.name}</td>
                <td>${step.dependsOn.join(', ') || '—'}</td>
                <td>${step.runIf.replace(/_/g, ' ')}</td>
                <td>${forEachText(step.forEach)}</td>
                <td><code>${commandText(step.spec)}</code></td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>`;
}
