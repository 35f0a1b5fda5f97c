import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { answerOf, client, query, type Answer } from '../api.ts';
import { FilterForm, readFilters } from '../filters.ts';
import { LineChart } from '../chart.ts';
import { bytes, duration, percent, secondsBetween, time } from '../format.ts';
import { Link, Problem, StateBadge, usePoll } from '../router.ts';
import { useStates } from '../states.ts';
import { UsageChart } from '../usage-chart.ts';
import { DefinitionActions } from './definition-actions.ts';
import { EmptyState, submitJob, triggerNow } from '../empty-state.ts';

interface JobsPageProps {
  me: Answer<'/whoami'>;
  /** The page's query string: the list's filters. */
  params: URLSearchParams;
}

export function JobsPage({ me, params }: JobsPageProps) {
  const runStates = useStates()?.run.states ?? [];
  const userId = me.kind === 'user' ? me.userId : undefined;
  const { name, state } = readFilters(params, 'failed,timed_out');
  const { data, error } = usePoll(
    () => answerOf(client.GET('/job-summaries', { params: { query: query({ userId, name, state }) } })),
    5000,
    [userId, name, state],
  );
  return html`<h1>Jobs</h1>
    <p><${Link} href="/ui/jobs/new">New job</${Link}>: paste or upload a definition (YAML or JSON)</p>
    <${FilterForm} path="/ui/jobs" params=${params} states=${runStates} />
    <${Problem} error=${error} />
    ${
      data &&
      (data.jobs.length === 0
        ? html`<${EmptyState} commands=${name || state ? [] : submitJob()}>
            ${name || state ? 'No jobs match. Clear the filters to see every job.' : "No jobs match. The jobs you submit are listed here with their last run's state and next fire time; submit one:"}
          </${EmptyState}>`
        : html`<table>
            <thead>
              <tr>
                <th>job</th>
                ${!userId && html`<th>user</th>`}
                <th>schedule</th>
                <th>last run</th>
                <th>next fire</th>
              </tr>
            </thead>
            <tbody>
              ${data.jobs.map(
                (job) => html`<tr>
                <td><${Link} href=${`/ui/jobs/${job.id}`}>${job.uniqueId}</${Link}></td>
                ${!userId && html`<td>${job.userId}</td>`}
                <td>${job.cron ? html`<code>${job.cron}</code> ${job.paused ? '(paused)' : ''}` : 'once'}</td>
                <td>${job.lastRun ? html`<${Link} href=${`/ui/runs/${job.lastRun.id}`}><${StateBadge} state=${job.lastRun.state} /></${Link}>` : '—'}</td>
                <td>${time(job.nextFireAt)}</td>
              </tr>`,
              )}
            </tbody>
          </table>`)
    }`;
}

async function loadRuns(id: string, cursor: string | null | undefined) {
  const page = await answerOf(
    client.GET('/jobs/{id}/runs', { params: { path: { id }, query: query({ limit: 20, cursor }) } }),
  );
  const metrics = await Promise.all(
    page.runs.map((run) =>
      answerOf(client.GET('/runs/{id}/metrics', { params: { path: { id: run.id } } })).then(
        (m) => m.summary,
        () => null,
      ),
    ),
  );
  return { ...page, runs: page.runs.map((run, i) => ({ ...run, metrics: metrics[i] })) };
}

interface JobPageProps {
  id: string;
}

export function JobPage({ id }: JobPageProps) {
  const [cursors, setCursors] = useState<(string | null | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const job = usePoll(() => answerOf(client.GET('/jobs/{id}', { params: { path: { id } } })), 5000, [id]);
  const runs = usePoll(() => loadRuns(id, cursor), 5000, [id, cursor]);
  const data = job.data?.job;
  const schedule = data?.schedule;
  const ordered = runs.data ? [...runs.data.runs].reverse() : [];
  const index = ordered.map((_, i) => i + 1);
  return html`<${Problem} error=${job.error} />
    ${
      data &&
      html`<h1>Job ${data.uniqueId}</h1>
        <p>user <strong>${data.userId}</strong> · <code>${data.spec.command ?? data.spec.image}</code></p>
        ${(data.spec.secrets?.length ?? 0) > 0 && html`<p>Secrets (names; values are never shown): ${data.spec.secrets?.join(', ')}</p>`}
        <section aria-labelledby="schedule">
          <h2 id="schedule">Schedule</h2>
          ${
            schedule
              ? html`<p>
                    <strong>${schedule.description}</strong
                    >${' ('}<code>${schedule.cron}</code>${`, timezone ${schedule.timezone})${schedule.paused ? ' — paused' : ''}`}
                  </p>
                  <p>Next: ${(schedule.nextFireTimes ?? []).slice(0, 3).map(time).join(' · ') || '—'}</p>`
              : html`<p>Runs once, when submitted (or when run now).</p>`
          }
          <${DefinitionActions}
            kind="job"
            item=${data}
            onChanged=${() => {
              job.reload();
              runs.reload();
            }}
          />
        </section>
        <${UsageChart} filter=${{ userId: data.userId, jobId: id }} what="this job" />`
    }
    <section aria-labelledby="runs">
      <h2 id="runs">Runs</h2>
      <${Problem} error=${runs.error} />
      ${
        runs.data &&
        runs.data.runs.length === 0 &&
        cursors.length === 1 &&
        html`<${EmptyState} commands=${triggerNow('jobs', id)}>
          No runs yet. Each run of this job will be listed here with its duration, exit code, peak CPU
          and memory, and charted over the runs. Start one with Run now above, or:
        </${EmptyState}>`
      }
      ${
        runs.data &&
        (runs.data.runs.length > 0 || cursors.length > 1) &&
        html`<div class="charts">
            <${LineChart}
              title="Duration of the last runs (s)"
              unit="s"
              data=${[index, ordered.map((r) => secondsBetween(r.timings.startedAt, r.timings.endedAt))]}
            />
            <${LineChart}
              title="Peak memory of the last runs (MiB)"
              unit="MiB"
              color="#9333ea"
              data=${[index, ordered.map((r) => (r.metrics?.memory_bytes_peak ?? null) && (r.metrics?.memory_bytes_peak ?? 0) / 1048576)]}
            />
          </div>
          <table>
            <thead>
              <tr>
                <th>run</th>
                <th>state</th>
                <th>queued</th>
                <th>duration</th>
                <th>exit code</th>
                <th>peak CPU</th>
                <th>peak memory</th>
              </tr>
            </thead>
            <tbody>
              ${runs.data.runs.map(
                (run) => html`<tr>
                <td><${Link} href=${`/ui/runs/${run.id}`}>${run.id.slice(0, 8)}</${Link}></td>
                <td><${StateBadge} state=${run.state} /></td>
                <td>${time(run.timings.queuedAt)}</td>
                <td>${duration(secondsBetween(run.timings.startedAt, run.timings.endedAt))}</td>
                <td>${run.exitCode ?? '—'}</td>
                <td>${percent(run.metrics?.cpu_percent_peak)}</td>
                <td>${bytes(run.metrics?.memory_bytes_peak)}</td>
              </tr>`,
              )}
            </tbody>
          </table>
          <div class="actions">
            <button disabled=${cursors.length === 1} onClick=${() => setCursors(cursors.slice(0, -1))}>
              Newer
            </button>
            <button
              disabled=${!runs.data?.nextCursor}
              onClick=${() => setCursors([...cursors, runs.data?.nextCursor])}
            >
              Older
            </button>
          </div>`
      }
    </section>`;
}
