import AnsiToHtml from 'ansi-to-html';
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { get } from '../api.js';
import { LineChart } from '../chart.js';
import { bytes, duration, percent, secondsBetween, time } from '../format.js';
import { followLog } from '../log-stream.js';
import { Link, Problem, StateBadge, usePoll } from '../router.js';
import { useStates } from '../states.js';
import { RunActions } from './run-actions.js';

/** The 16 ANSI colours, each readable on the log's dark background (WCAG AA contrast). */
const PALETTE = [
  '#9ca3af',
  '#f87171',
  '#4ade80',
  '#facc15',
  '#60a5fa',
  '#e879f9',
  '#22d3ee',
  '#e5e7eb',
  '#d1d5db',
  '#fca5a5',
  '#86efac',
  '#fde047',
  '#93c5fd',
  '#f0abfc',
  '#67e8f9',
  '#ffffff',
];
/** Lines kept on the page; older ones are dropped from view (the stored log keeps them all). */
const MAX_LINES = 5000;

function LogView({ runId }) {
  const [lines, setLines] = useState([]);
  const [status, setStatus] = useState('connecting…');
  const box = useRef();
  useEffect(() => {
    // escapeXML: the log's text is shown, never interpreted as HTML.
    const convert = new AnsiToHtml({ escapeXML: true, stream: false, colors: PALETTE });
    let pending = [];
    let timer;
    const flush = () => {
      timer = undefined;
      const add = pending;
      pending = [];
      setLines((current) => [...current, ...add].slice(-MAX_LINES));
    };
    const stop = followLog(runId, {
      onLine: (stream, text) => {
        pending.push({ stream, html: convert.toHtml(text) });
        timer ??= setTimeout(flush, 100);
      },
      onEnd: ({ state }) => setStatus(`complete (run ${state})`),
      onStatus: setStatus,
    });
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, [runId]);
  useEffect(() => {
    const el = box.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
  }, [lines]);
  return html`<section aria-labelledby="log">
    <h2 id="log">Log <small data-testid="log-status">${status}</small></h2>
    <pre class="log" ref=${box} tabindex="0" aria-label="Run log" data-lines=${lines.length}>
${lines.map(
        (line) =>
          html`<div class=${line.stream} dangerouslySetInnerHTML=${{ __html: line.html || ' ' }}></div>`,
      )}</pre>
  </section>`;
}

function useMetrics(runId, live) {
  const [samples, setSamples] = useState([]);
  const [summary, setSummary] = useState();
  useEffect(() => {
    let stopped = false;
    let last;
    let timer;
    const load = async () => {
      try {
        const since = last === undefined ? '' : `?sinceElapsed=${last}`;
        const answer = await get(`/runs/${runId}/metrics${since}`);
        if (stopped) return;
        const first = last === undefined;
        if (answer.samples.length) last = answer.samples.at(-1).elapsed;
        // The first answer of each pass is the whole series (live, or stored once the run ended).
        if (first) setSamples(answer.samples);
        else if (answer.samples.length) setSamples((current) => [...current, ...answer.samples]);
        setSummary(answer.summary);
      } catch {
        // shown as no samples; the next poll tries again
      }
      if (!stopped && live) timer = setTimeout(load, 2000);
    };
    load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [runId, live]);
  return { samples, summary };
}

function Timeline({ run }) {
  const history = run.history ?? [];
  const start = history[0] ? new Date(history[0].at).getTime() : 0;
  const end = run.timings.endedAt ? new Date(run.timings.endedAt).getTime() : Date.now();
  const span = Math.max(1, end - start);
  return html`<ol class="timeline">
    ${history.map((event, i) => {
      const at = new Date(event.at).getTime();
      const next = history[i + 1] ? new Date(history[i + 1].at).getTime() : end;
      return html`<li>
        <${StateBadge} state=${event.state} />
        <time datetime=${event.at}>${time(event.at)}</time>
        <span class="track" aria-hidden="true"
          ><span
            class="bar"
            style=${`margin-left:${((at - start) / span) * 100}%;width:${Math.max(0.5, ((next - at) / span) * 100)}%`}
          ></span
        ></span>
        <span class="detail">${event.detail?.message ?? ''}</span>
      </li>`;
    })}
  </ol>`;
}

function Files({ runId, state }) {
  const ended = useStates()?.run.ended ?? [];
  const { data, error } = usePoll(
    () => get(`/runs/${runId}/files`),
    3000,
    [runId, state],
    !ended.includes(state),
  );
  if (error) return html`<${Problem} error=${error} />`;
  if (!data) return null;
  if (data.files.length === 0) return html`<p>No result files yet: they are uploaded when the run ends.</p>`;
  return html`<ul class="files">
    ${data.files.map((file) => html`<li><a href=${file.url} download>${file.path}</a> <small>${bytes(file.size)}</small></li>`)}
  </ul>`;
}

// Built as one string: htm drops the spaces around line breaks in a template.
const summaryLine = (run) =>
  `worker ${run.workerId ?? '—'} · exit code ${run.exitCode ?? '—'} · duration ${duration(secondsBetween(run.timings.startedAt, run.timings.endedAt))} · results `;
const metricsLine = (summary) =>
  `peak CPU ${percent(summary?.cpu_percent_peak)} · average ${percent(summary?.cpu_percent_avg)} · peak memory ${bytes(summary?.memory_bytes_peak)}`;

export function RunPage({ id }) {
  const [live, setLive] = useState(true);
  const run = usePoll(() => get(`/runs/${id}`), 1500, [id], live);
  const data = run.data;
  const ended = useStates()?.run.ended ?? [];
  useEffect(() => {
    if (data && ended.includes(data.state)) setLive(false);
  }, [data?.state, ended]);
  const metrics = useMetrics(id, live);
  if (!data) return html`<${Problem} error=${run.error} />${!run.error && html`<p>Loading…</p>`}`;
  const samples = metrics.samples;
  const xs = samples.map((s) => s.elapsed);
  return html`<h1>Run ${id.slice(0, 8)} <${StateBadge} state=${data.state} /></h1>
    ${
      data.failure &&
      html`<div class="failure" role="alert" data-testid="failure">
        <strong>${data.failure.reason}</strong>: ${data.failure.message}
      </div>`
    }
    <p>
      ${data.jobId && html`job <${Link} href=${`/ui/jobs/${data.jobId}`}>${data.jobId.slice(0, 8)}</${Link}> · `}
      ${
        data.workflowRunId &&
        html`step <strong>${data.stepName}</strong>${data.itemIndex !== null && data.itemIndex !== undefined ? ` item ${data.itemIndex}` : ''} of workflow run
          <${Link} href=${`/ui/workflow-runs/${data.workflowRunId}`}>${data.workflowRunId.slice(0, 8)}</${Link}> · `
      }
      ${summaryLine(data)}
      ${
        data.results.expiredAt
          ? html`<span data-testid="results-expired"
              >results expired ${time(data.results.expiredAt)} (were at
              <code>${data.results.uri}</code>)</span
            >`
          : html`<code>${data.results.uri}</code>`
      }
    </p>
    <${RunActions} run=${data} ended=${ended.includes(data.state)} onChanged=${run.reload} />
    <section aria-labelledby="timeline">
      <h2 id="timeline">Timeline</h2>
      <${Timeline} run=${data} />
    </section>
    <${LogView} runId=${id} />
    <section aria-labelledby="metrics">
      <h2 id="metrics">CPU and memory</h2>
      <p>${metricsLine(metrics.summary)}</p>
      <div class="charts">
        <${LineChart} title="CPU (% of one core)" unit="%" data=${[xs, samples.map((s) => s.cpuPercent)]} />
        <${LineChart}
          title="Memory (MiB)"
          unit="MiB"
          color="#9333ea"
          data=${[xs, samples.map((s) => (s.memoryBytes === null ? null : s.memoryBytes / 1048576))]}
        />
      </div>
    </section>
    <section aria-labelledby="files">
      <h2 id="files">Result files</h2>
      <${Files} runId=${id} state=${data.state} />
    </section>`;
}
