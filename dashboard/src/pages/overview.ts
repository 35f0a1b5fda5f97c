import { html } from 'htm/preact';
import { answerOf, client, query, type Answer } from '../api.ts';
import { duration, time } from '../format.ts';
import { Link, Problem, StateBadge, usePoll } from '../router.ts';
import { useStates } from '../states.ts';
import { UsageChart } from '../usage-chart.ts';
import { CancelRunButton } from './run-actions.ts';

/** What a run belongs to: its job, or its workflow run (and step). */
type Overview = Answer<'/overview'>;

interface OwnerProps {
  /** A run running now, or one that failed lately. */
  run: Overview['running'][number] | Overview['recentFailures'][number];
}

function Owner({ run }: OwnerProps) {
  if (run.jobId) return html`<${Link} href=${`/ui/jobs/${run.jobId}`}>${run.uniqueId}</${Link}>`;
  if (run.workflowRunId)
    return html`<${Link} href=${`/ui/workflow-runs/${run.workflowRunId}`}>${run.uniqueId}</${Link}> · ${run.stepName}`;
  return '—';
}

interface OverviewPageProps {
  me: Answer<'/whoami'>;
}

export function OverviewPage({ me }: OverviewPageProps) {
  const userId = me.kind === 'user' ? me.userId : undefined;
  const { data, error, reload } = usePoll(
    () => answerOf(client.GET('/overview', { params: { query: query({ userId }) } })),
    3000,
    [userId],
  );
  // Every run state, as the service lists them (GET /states): those that ended first.
  const states = useStates()?.run;
  const outcomes = states ? [...states.ended, ...states.unfinished] : [];
  return html`<h1>Overview</h1>
    <${Problem} error=${error} />
    ${
      data &&
      html`<section aria-labelledby="today">
          <h2 id="today">Runs in the last 24 h</h2>
          <dl class="tiles">
            ${outcomes.map(
              (state) =>
                html`<div class="tile">
                  <dt><${StateBadge} state=${state} /></dt>
                  <dd data-state=${state}>${data.runsByState[state] ?? 0}</dd>
                </div>`,
            )}
            <div class="tile">
              <dt>success rate</dt>
              <dd data-testid="success-rate">
                ${data.successRate === null ? '—' : `${Math.round(data.successRate * 100)} %`}
              </dd>
            </div>
          </dl>
        </section>
        <section aria-labelledby="now">
          <h2 id="now">Running now</h2>
          ${
            data.running.length === 0
              ? html`<p>
                  Nothing is running. Runs in progress show here with their elapsed time and a cancel button.
                </p>`
              : html`<table>
                  <thead>
                    <tr>
                      <th>run</th>
                      <th>job or workflow</th>
                      <th>state</th>
                      <th>elapsed</th>
                      <th><span class="sr-only">actions</span></th>
                    </tr>
                  </thead>
                  <tbody>
                    ${data.running.map(
                      (run) => html`<tr>
                    <td><${Link} href=${`/ui/runs/${run.runId}`}>${run.runId.slice(0, 8)}</${Link}></td>
                    <td><${Owner} run=${run} /></td>
                    <td><${StateBadge} state=${run.state} /></td>
                    <td>${duration(run.elapsedSeconds)}</td>
                    <td>
                      <${CancelRunButton} runId=${run.runId} onDone=${reload} />
                    </td>
                  </tr>`,
                    )}
                  </tbody>
                </table>`
          }
        </section>
        <section aria-labelledby="next">
          <h2 id="next">Next fires (24 h)</h2>
          ${
            data.nextFires.length === 0
              ? html`<p>
                  No schedule fires in the next 24 hours. A job or workflow with a <code>cron</code> (as
                  <code>"cron": "0 6 * * *"</code>) shows its fire times here.
                </p>`
              : html`<ul class="plain">
                  ${data.nextFires.map(
                    (fire) =>
                      html`<li><time datetime=${fire.fireAt}>${time(fire.fireAt)}</time> — <${Link} href=${fire.workflowId ? `/ui/workflows/${fire.workflowId}` : `/ui/jobs/${fire.jobId}`}>${fire.uniqueId}</${Link}>${fire.workflowId ? ' (workflow)' : ''}</li>`,
                  )}
                </ul>`
          }
        </section>
        <section aria-labelledby="failures">
          <h2 id="failures">Recent failures</h2>
          ${
            data.recentFailures.length === 0
              ? html`<p>No failures in the last week.</p>`
              : html`<table>
                  <thead>
                    <tr>
                      <th>run</th>
                      <th>job or workflow</th>
                      <th>reason</th>
                      <th>ended</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${data.recentFailures.map(
                      (run) => html`<tr>
                    <td><${Link} href=${`/ui/runs/${run.runId}`}>${run.runId.slice(0, 8)}</${Link}></td>
                    <td><${Owner} run=${run} /></td>
                    <td><strong>${run.reason}</strong>: ${run.message}</td>
                    <td>${time(run.endedAt)}</td>
                  </tr>`,
                    )}
                  </tbody>
                </table>`
          }
        </section>`
    }
    <${UsageChart} filter=${{ userId }} what=${userId ? 'yours' : 'any user'} />`;
}
