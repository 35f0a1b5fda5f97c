import AnsiToHtml from 'ansi-to-html';
import { html } from 'htm/preact';
import type { TargetedEvent } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { answerOf, client, type Answer } from '../api.ts';
import { LineChart } from '../chart.ts';
import { bytes, duration, percent, secondsBetween, time } from '../format.ts';
import { followLog, lineNumberOf, readLogWindow } from '../log-stream.ts';
import { Link, Problem, StateBadge, usePoll } from '../router.ts';
import { Overrides } from '../overrides.ts';
import { useStates } from '../states.ts';
import { RunActions } from './run-actions.ts';

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

/** Lines shown around a line the page no longer holds: this many before it, and this many in all. */
const WINDOW_BEFORE = 100;
const WINDOW_LINES = 250;

function logLines(lines: ShownLine[], target: LinePlace | undefined) {
  return lines.map(
    (line) =>
      html`<div
        class=${`${line.stream}${target && line.stream === target.stream && line.n === target.line ? ' hit' : ''}`}
        data-line=${`${line.stream}:${line.n}`}
        dangerouslySetInnerHTML=${{ __html: line.html || ' ' }}
      ></div>`,
  );
}

/** Search of the whole stored log (GET /runs/:id/log-search); a click on a match jumps to its line. */
interface LogSearchProps {
  runId: string;
  onJump: (to: LinePlace) => void;
}

function LogSearch({ runId, onJump }: LogSearchProps) {
  const [text, setText] = useState('');
  const [matchCase, setMatchCase] = useState(false);
  const [searched, setAnswer] = useState<
    (Answer<'/runs/{id}/log-search'> & { error?: undefined }) | { error: Error }
  >();
  const [busy, setBusy] = useState(false);
  const find = async (event: SubmitEvent) => {
    event.preventDefault();
    if (!text) return;
    setBusy(true);
    try {
      setAnswer(
        await answerOf(
          client.GET('/runs/{id}/log-search', {
            params: { path: { id: runId }, query: { q: text, ignoreCase: !matchCase } },
          }),
        ),
      );
    } catch (error) {
      setAnswer({ error: error as Error });
    } finally {
      setBusy(false);
    }
  };
  const ok = searched && !searched.error ? searched : undefined;
  const found = ok?.matches;
  return html`<form class="log-search" role="search" aria-label="Find in the log" onSubmit=${find}>
      <label for="log-q">Find in the whole log</label>
      <input
        id="log-q"
        type="search"
        value=${text}
        onInput=${(e: TargetedEvent<HTMLInputElement>) => setText(e.currentTarget.value)}
      />
      <label class="inline"
        ><input
          type="checkbox"
          checked=${matchCase}
          onChange=${(e: TargetedEvent<HTMLInputElement>) => setMatchCase(e.currentTarget.checked)}
        />${' match case'}</label
      >
      <button type="submit" disabled=${busy}>${busy ? 'Searching…' : 'Find'}</button>
    </form>
    ${searched?.error && html`<${Problem} error=${searched.error} />`}
    ${
      ok &&
      found &&
      html`<p role="status" data-testid="log-search-status">
          ${
            ok.message
              ? ok.message
              : found.length === 0
                ? `No line of the stored log contains “${ok.q}”.`
                : ok.truncated
                  ? `The first ${found.length.toLocaleString('en')} matching lines (more lines match: narrow the search):`
                  : `${found.length.toLocaleString('en')} matching line${found.length === 1 ? '' : 's'}:`
          }
        </p>
        ${
          found.length > 0 &&
          html`<ol class="matches" data-testid="log-matches">
            ${found.map(
              (m) =>
                html`<li>
                  <button class="link" onClick=${() => onJump({ stream: m.stream, line: m.line })}>
                    ${`${m.stream} line ${m.line.toLocaleString('en')}`}</button
                  >${' '}<code>${m.cut ? `…${m.text}…` : m.text}</code>
                </li>`,
            )}
          </ol>`
        }`
    }`;
}

/** Links to the stored logs, whole, as files (GET /runs/:id/files: each link downloads its file). */
interface LogDownloadsProps {
  runId: string;
  ended: boolean;
}

function LogDownloads({ runId, ended }: LogDownloadsProps) {
  const [files, setFiles] = useState<Answer<'/runs/{id}/files'>['files']>();
  useEffect(() => {
    if (!ended) return;
    answerOf(client.GET('/runs/{id}/files', { params: { path: { id: runId } } })).then(
      (answer) =>
        // stdout first, as the log shows it.
        setFiles(answer.files.filter((f) => f.path === 'stdout.log' || f.path === 'stderr.log').reverse()),
      () => setFiles([]),
    );
  }, [runId, ended]);
  if (!files?.length) return null;
  return html`<p class="downloads">
    Download the full log:${' '}
    ${files.map(
      (file, i) =>
        html`${i ? ' · ' : ''}<a href=${file.url} download>${file.path}</a>${' '}<small
            >(${bytes(file.size)})</small
          >`,
    )}
  </p>`;
}

/** A line as the page shows it: its stream, its number there, its text as HTML. */
interface ShownLine {
  stream: string;
  n: number | undefined;
  html: string;
}

/** A line of the log: its stream and its number in that stream. */
interface LinePlace {
  stream: string;
  line: number;
}

interface LogViewProps {
  runId: string;
  ended: boolean;
}

function LogView({ runId, ended }: LogViewProps) {
  const [lines, setLines] = useState<ShownLine[]>([]);
  const [status, setStatus] = useState('connecting…');
  // A line the reader jumped to, and the lines around it when the page no longer holds it.
  const [target, setTarget] = useState<LinePlace>();
  const [around, setAround] = useState<LinePlace & { loading?: true; lines?: ShownLine[]; error?: Error }>();
  const box = useRef<HTMLElement>(null);
  const convert = useRef<AnsiToHtml>(null);
  useEffect(() => {
    // escapeXML: the log's text is shown, never interpreted as HTML.
    convert.current = new AnsiToHtml({ escapeXML: true, stream: false, colors: PALETTE });
    const live = new AnsiToHtml({ escapeXML: true, stream: false, colors: PALETTE });
    let pending: ShownLine[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      const add = pending;
      pending = [];
      setLines((current) => [...current, ...add].slice(-MAX_LINES));
    };
    const stop = followLog(runId, {
      onLine: (stream, text, id) => {
        pending.push({ stream, n: lineNumberOf(stream, id), html: live.toHtml(text) });
        timer ??= setTimeout(flush, 100);
      },
      onEnd: (end) => setStatus(`complete (run ${(end as { state: string }).state})`),
      onStatus: setStatus,
    });
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, [runId]);
  useEffect(() => {
    const el = box.current;
    if (!target && el && el.scrollHeight - el.scrollTop - el.clientHeight < 80)
      el.scrollTop = el.scrollHeight;
  }, [lines]);
  useEffect(() => {
    const hit = target && box.current?.querySelector('.hit');
    // Scrolled within the log's box so that the line sits in its middle.
    const el = box.current;
    if (hit && el) {
      el.scrollTop += hit.getBoundingClientRect().top - el.getBoundingClientRect().top - el.clientHeight / 2;
    }
  }, [target, around]);
  const jump = async (to: LinePlace) => {
    setTarget(to);
    if (lines.some((l) => l.stream === to.stream && l.n === to.line)) {
      setAround(undefined);
      return;
    }
    setAround({ loading: true, ...to });
    try {
      const first = Math.max(1, to.line - WINDOW_BEFORE);
      const read = await readLogWindow(runId, to.stream, first, WINDOW_LINES);
      setAround({
        ...to,
        lines: read.map((l) => ({
          stream: l.stream,
          n: l.number,
          html: convert.current?.toHtml(l.text) ?? '',
        })),
      });
    } catch (error) {
      setAround({ ...to, error: error as Error });
    }
  };
  const shown = around?.lines ?? lines;
  // The log is a labelled `role="log"` (a bare <pre> may not carry a label: axe-core refuses it while
  // the log is empty), not read aloud line by line as it grows (aria-live off).
  return html`<section aria-labelledby="log">
    <h2 id="log">Log <small data-testid="log-status">${status}</small></h2>
    <${LogSearch} runId=${runId} onJump=${jump} />
    ${
      around &&
      html`<p class="log-window" data-testid="log-window">
        ${
          around.loading
            ? `Reading the log around ${around.stream} line ${around.line.toLocaleString('en')}…`
            : around.error
              ? around.error.message
              : `Lines around ${around.stream} line ${around.line.toLocaleString('en')} (the page holds the last ${MAX_LINES.toLocaleString('en')}).`
        }
        ${' '}<button
          class="link"
          onClick=${() => {
            setAround(undefined);
            setTarget(undefined);
          }}
        >
          Back to the end of the log
        </button>
      </p>`
    }
    <pre
      class="log"
      ref=${box}
      tabindex="0"
      role="log"
      aria-live="off"
      aria-label="Run log"
      data-lines=${shown.length}
    >
${logLines(shown, target)}</pre>
    <${LogDownloads} runId=${runId} ended=${ended} />
  </section>`;
}

type Metrics = Answer<'/runs/{id}/metrics'>;

function useMetrics(runId: string, live: boolean) {
  const [samples, setSamples] = useState<Metrics['samples']>([]);
  const [summary, setSummary] = useState<Metrics['summary']>();
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    let stopped = false;
    let last: number | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const since = last === undefined ? {} : { sinceElapsed: last };
        const read = await answerOf(
          client.GET('/runs/{id}/metrics', { params: { path: { id: runId }, query: since } }),
        );
        if (stopped) return;
        const first = last === undefined;
        if (read.samples.length) last = read.samples.at(-1)?.elapsed;
        // The first answer of each pass is the whole series (live, or stored once the run ended).
        if (first) setSamples(read.samples);
        else if (read.samples.length) setSamples((current) => [...current, ...read.samples]);
        setSummary(read.summary);
        setLoaded(true);
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
  return { samples, summary, loaded };
}

type Run = Answer<'/runs/{id}'>;

/** The message of a state change's detail, when it has one (the API declares detail as any JSON). */
function detailMessage(detail: unknown): string {
  if (typeof detail !== 'object' || detail === null || !('message' in detail)) return '';
  const { message } = detail;
  return message === null || message === undefined ? '' : String(message);
}

interface TimelineProps {
  run: Run;
}

function Timeline({ run }: TimelineProps) {
  const history = run.history ?? [];
  const start = history[0] ? new Date(history[0].at).getTime() : 0;
  const end = run.timings.endedAt ? new Date(run.timings.endedAt).getTime() : Date.now();
  const span = Math.max(1, end - start);
  return html`<ol class="timeline">
    ${history.map((event, i) => {
      const at = new Date(event.at).getTime();
      const following = history[i + 1];
      const next = following ? new Date(following.at).getTime() : end;
      return html`<li>
        <${StateBadge} state=${event.state} />
        <time datetime=${event.at}>${time(event.at)}</time>
        <span class="track" aria-hidden="true"
          ><span
            class="bar"
            style=${`margin-left:${((at - start) / span) * 100}%;width:${Math.max(0.5, ((next - at) / span) * 100)}%`}
          ></span
        ></span>
        <span class="detail">${detailMessage(event.detail)}</span>
      </li>`;
    })}
  </ol>`;
}

interface FilesProps {
  runId: string;
  state: string;
}

function Files({ runId, state }: FilesProps) {
  const ended = useStates()?.run.ended ?? [];
  const { data, error } = usePoll(
    () => answerOf(client.GET('/runs/{id}/files', { params: { path: { id: runId } } })),
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
const summaryLine = (run: Run) =>
  `worker ${run.workerId ?? '—'} · exit code ${run.exitCode ?? '—'} · duration ${duration(secondsBetween(run.timings.startedAt, run.timings.endedAt))} · results `;
const metricsLine = (summary: Metrics['summary'] | undefined) =>
  `peak CPU ${percent(summary?.cpu_percent_peak)} · average ${percent(summary?.cpu_percent_avg)} · peak memory ${bytes(summary?.memory_bytes_peak)}`;

// A chart of one point draws nothing, and a run's CPU takes two readings (the first has none).
const oneReadingLine = (sample: Metrics['samples'][number], ended: boolean) =>
  `One reading, ${sample.elapsed.toFixed(1)} s after the start: memory ${bytes(sample.memoryBytes)}. ${
    ended
      ? 'The run ended before the next (the engine reads a container about once a second), so there is nothing to chart.'
      : 'Its CPU and memory are charted here from the next reading on (about a second apart).'
  }`;

interface RunPageProps {
  id: string;
  /** Told the menu's section the run belongs to: jobs, or workflows for a step's run. */
  onSection?: (section: string) => void;
}

export function RunPage({ id, onSection }: RunPageProps) {
  const [live, setLive] = useState(true);
  const run = usePoll(
    () => answerOf(client.GET('/runs/{id}', { params: { path: { id } } })),
    1500,
    [id],
    live,
  );
  const data = run.data;
  const ended = useStates()?.run.ended ?? [];
  useEffect(() => {
    if (data && ended.includes(data.state)) setLive(false);
  }, [data?.state, ended]);
  const metrics = useMetrics(id, live);
  // A step's run belongs to its workflow run: the menu shows Workflows as the current section.
  useEffect(() => {
    if (data) onSection?.(data.workflowRunId ? 'workflows' : 'jobs');
  }, [data?.workflowRunId]);
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
        html`step <strong>${data.stepName}</strong>${`${data.itemIndex !== null && data.itemIndex !== undefined ? ` item ${data.itemIndex}` : ''} of workflow run `}<${Link} href=${`/ui/workflow-runs/${data.workflowRunId}`}>${data.workflowRunId.slice(0, 8)}</${Link}> · `
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
    <${Overrides} overrides=${data.overrides} />
    <${RunActions} run=${data} ended=${ended.includes(data.state)} onChanged=${run.reload} />
    <section aria-labelledby="timeline">
      <h2 id="timeline">Timeline</h2>
      <${Timeline} run=${data} />
    </section>
    <${LogView} runId=${id} ended=${ended.includes(data.state)} />
    <section aria-labelledby="metrics">
      <h2 id="metrics">CPU and memory</h2>
      ${
        metrics.loaded && samples.length === 0
          ? html`<p data-testid="no-readings">
              ${
                ended.includes(data.state)
                  ? 'No readings: the run ended before its command was sampled.'
                  : 'No readings yet: its CPU and memory are charted here, as they grow, once its command runs.'
              }
            </p>`
          : html`<p>${metricsLine(metrics.summary)}</p>
              ${
                samples.length === 1
                  ? html`<p data-testid="one-reading">
                      ${oneReadingLine(samples[0]!, ended.includes(data.state))}
                    </p>`
                  : html`<div class="charts">
                      <${LineChart}
                        title="CPU (% of one core)"
                        unit="%"
                        data=${[xs, samples.map((s) => s.cpuPercent)]}
                      />
                      <${LineChart}
                        title="Memory (MiB)"
                        unit="MiB"
                        color="#9333ea"
                        data=${[xs, samples.map((s) => (s.memoryBytes === null ? null : s.memoryBytes / 1048576))]}
                      />
                    </div>`
              }`
      }
    </section>
    <section aria-labelledby="files">
      <h2 id="files">Result files</h2>
      <${Files} runId=${id} state=${data.state} />
    </section>`;
}
