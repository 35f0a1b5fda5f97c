import { html } from 'htm/preact';
import { Component, type TargetedEvent } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { answerOf, client, type Answer } from '../api.ts';
import { duration, secondsBetween, time } from '../format.ts';
import { layOut, NODE, structureOf, type Layout } from '../graph-layout.ts';
import { Link, navigate, Problem, StateBadge, usePoll } from '../router.ts';
import { Overrides } from '../overrides.ts';
import { useStates } from '../states.ts';
import { stateColours } from '../state-colours.ts';
import { ConfirmButton } from '../writes.ts';

type Step = WorkflowRun['steps'][number];
/** A fan-out step's items by state. */
type ItemCounts = NonNullable<Step['items']>;

const countsText = (items: ItemCounts) =>
  `✓${items.succeeded} ✗${items.failed} ▶${items.running} ◷${items.queued + items.pending} /${items.total}`;

function describe(step: Step) {
  const items = step.items
    ? `; items: ${step.items.succeeded} succeeded, ${step.items.failed} failed, ${step.items.running} running, ${step.items.queued} queued, ${step.items.pending} not started, of ${step.items.total}`
    : '';
  return `step ${step.name}: ${step.state}${step.reason ? ` (${step.reason})` : ''}${items}`;
}

/** One step of the graph; drawn again only when its state (or counts) change. */
interface StepNodeProps {
  step: Step;
  x: number;
  y: number;
  sig: string;
}

class StepNode extends Component<StepNodeProps> {
  override shouldComponentUpdate(next: StepNodeProps) {
    return next.sig !== this.props.sig || next.x !== this.props.x || next.y !== this.props.y;
  }

  override render({ step, x, y }: StepNodeProps) {
    const height = step.items ? NODE.fanOutHeight : NODE.height;
    const label = step.name.length > 21 ? `${step.name.slice(0, 20)}…` : step.name;
    const title = describe(step);
    const body = html`<title>${title}</title>
      <rect width=${NODE.width} height=${height} rx="5" />
      <text x="8" y="20">${label}</text>
      ${step.items && html`<text class="counts" x="8" y="40">${countsText(step.items)}</text>`}`;
    return html`<g
      class=${`node state-${step.state}`}
      transform=${`translate(${x - NODE.width / 2},${y - height / 2})`}
      data-step=${step.name}
      data-state=${step.state}
    >
      ${
        step.runId
          ? html`<a href=${`/ui/runs/${step.runId}`} aria-label=${title}>${body}</a>`
          : html`<g role="img" aria-label=${title}>${body}</g>`
      }
    </g>`;
  }
}

const ZOOMS = [1, 0.75, 0.5, 0.25];

function followLinks(event: MouseEvent) {
  const link = event.target instanceof Element ? event.target.closest('a') : null;
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  navigate(link.getAttribute('href') ?? '');
  window.scrollTo(0, 0);
}

interface GraphProps {
  steps: Step[];
  layout: Layout;
}

function Graph({ steps, layout }: GraphProps) {
  const [zoom, setZoom] = useState(1);
  const width = Math.ceil(layout.width);
  const height = Math.ceil(layout.height);
  return html`<div class="actions">
      <label
        >${'Zoom '}<select
          value=${zoom}
          onChange=${(e: TargetedEvent<HTMLSelectElement>) => setZoom(Number(e.currentTarget.value))}
        >
          ${ZOOMS.map((z) => html`<option value=${z}>${z * 100} %</option>`)}
        </select></label
      >
      ${
        steps.some((s) => s.items) &&
        html`<small>fan-out steps: ✓ succeeded ✗ failed ▶ running ◷ waiting / items</small>`
      }
    </div>
    <div
      class="graph"
      tabindex="0"
      role="group"
      aria-label=${`Graph of ${steps.length} steps, each after the steps it depends on`}
      data-testid="graph"
      data-nodes=${steps.length}
      data-layout-ms=${layout.ms}
      onClick=${followLinks}
    >
      <svg width=${width * zoom} height=${height * zoom} viewBox=${`0 0 ${width} ${height}`}>
        <path class="edges" d=${layout.path} />
        ${steps.map((step) => {
          const at = layout.positions[step.name];
          if (!at) return null;
          const sig = `${step.state}|${step.runId}|${step.items ? countsText(step.items) : ''}`;
          return html`<${StepNode} key=${step.name} step=${step} sig=${sig} x=${at[0]} y=${at[1]} />`;
        })}
      </svg>
    </div>`;
}

/** The steps that started, one row each from start to end (or now), coloured by state. */
interface TimelineProps {
  run: WorkflowRun;
}

function Timeline({ run }: TimelineProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const rows = run.steps
    .filter((s): s is Step & { startedAt: string } => Boolean(s.startedAt))
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.name.localeCompare(b.name));
  const rowHeight = Math.max(0.25, Math.min(18, 720 / Math.max(1, rows.length)));
  const labels = rowHeight >= 12;
  const top = 22;
  const cssHeight = Math.ceil(top + rows.length * rowHeight + 4);
  const start = rows.length ? Math.min(...rows.map((s) => Date.parse(s.startedAt))) : 0;
  const end = run.timings.endedAt
    ? Date.parse(run.timings.endedAt)
    : Math.max(Date.now(), ...rows.map((s) => (s.endedAt ? Date.parse(s.endedAt) : 0)));
  const span = Math.max(1000, end - start);
  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const cssWidth = Math.max(320, el.parentElement?.clientWidth ?? 0);
    const ratio = window.devicePixelRatio || 1;
    el.width = cssWidth * ratio;
    el.height = cssHeight * ratio;
    el.style.width = `${cssWidth}px`;
    el.style.height = `${cssHeight}px`;
    const ctx = el.getContext('2d');
    if (!ctx) return;
    ctx.scale(ratio, ratio);
    ctx.clearRect(0, 0, cssWidth, cssHeight);
    const left = labels ? 170 : 8;
    const barWidth = cssWidth - left - 8;
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = '#374151';
    ctx.textBaseline = 'middle';
    ctx.fillText('0 s', left, 10);
    const total = duration(span / 1000);
    ctx.fillText(total, left + barWidth - ctx.measureText(total).width, 10);
    rows.forEach((step, i) => {
      const y = top + i * rowHeight;
      const from = Date.parse(step.startedAt) - start;
      const to = (step.endedAt ? Date.parse(step.endedAt) : end) - start;
      ctx.fillStyle = stateColours(step.state)?.bar ?? '#9ca3af';
      ctx.fillRect(
        left + (from / span) * barWidth,
        y + (labels ? 3 : 0),
        Math.max(2, ((to - from) / span) * barWidth),
        labels ? rowHeight - 6 : Math.max(0.5, rowHeight),
      );
      if (labels) {
        ctx.fillStyle = '#111827';
        ctx.fillText(step.name.length > 24 ? `${step.name.slice(0, 23)}…` : step.name, 8, y + rowHeight / 2);
      }
    });
  }, [run, cssHeight, labels]);
  if (rows.length === 0) return html`<p>No step has started yet.</p>`;
  const open = (event: TargetedEvent<HTMLCanvasElement, MouseEvent>) => {
    const box = event.currentTarget.getBoundingClientRect();
    const step = rows[Math.floor((event.clientY - box.top - top) / rowHeight)];
    if (step?.runId) navigate(`/ui/runs/${step.runId}`);
  };
  return html`<div class="gantt">
    <canvas
      ref=${canvas}
      role="img"
      data-testid="gantt"
      data-rows=${rows.length}
      aria-label=${`Timeline of the ${rows.length} steps that started, over ${duration(span / 1000)}: each bar from a step's start to its end, coloured by its state`}
      onClick=${open}
    ></canvas>
  </div>`;
}

interface StateCountsProps {
  steps: Step[];
}

function StateCounts({ steps }: StateCountsProps) {
  const stepStates = useStates()?.step.states ?? [];
  const counts: Record<string, number> = {};
  for (const step of steps) counts[step.state] = (counts[step.state] ?? 0) + 1;
  return html`<ul class="legend" aria-label="Steps by state">
    ${stepStates
      .filter((s) => counts[s])
      .map(
        (s) =>
          html`<li data-state=${s}>
            <${StateBadge} state=${s} /> ${(counts[s] ?? 0).toLocaleString('en')}
          </li>`,
      )}
  </ul>`;
}

/** The workflow run as last read whole, with the newer states polled since laid over it. */
type WorkflowRun = Answer<'/workflow-runs/{id}'>;

function withStates(
  run: WorkflowRun | undefined,
  states: Answer<'/workflow-runs/{id}/states'> | undefined,
): WorkflowRun | undefined {
  if (!run || !states || states.id !== run.id) return run;
  const byName = new Map(states.steps.map((step) => [step.name, step]));
  return {
    ...run,
    state: states.state,
    failure: states.failure,
    cancelRequested: states.cancelRequested,
    timings: states.timings,
    steps: run.steps.map((step) => ({ ...step, ...byName.get(step.name) })),
  };
}

interface WorkflowRunPageProps {
  id: string;
}

export function WorkflowRunPage({ id }: WorkflowRunPageProps) {
  const [live, setLive] = useState(true);
  // The whole workflow run (its graph, results and folders) is read once, and again when it ends;
  // while it runs only the states are polled, so a large graph is not fetched every time.
  const run = usePoll(
    () => answerOf(client.GET('/workflow-runs/{id}', { params: { path: { id } } })),
    1500,
    [id],
    false,
  );
  const states = usePoll(
    () => answerOf(client.GET('/workflow-runs/{id}/states', { params: { path: { id } } })),
    1500,
    [id],
    live,
  );
  const data = withStates(run.data, states.data);
  const unfinished = useStates()?.workflowRun.unfinished;
  useEffect(() => {
    if (states.data && unfinished && !unfinished.includes(states.data.state)) {
      setLive(false);
      run.reload();
    }
  }, [states.data?.state, unfinished]);
  // Laid out once per graph: the states change on every poll, the structure never does.
  const structure = data ? structureOf(data.steps) : '';
  const [layout, setLayout] = useState<Layout | { error: Error }>();
  useEffect(() => {
    if (!data) return undefined;
    let cancelled = false;
    setLayout(undefined);
    layOut(data.steps).then(
      (result) => !cancelled && setLayout(result),
      (error: unknown) => !cancelled && setLayout({ error: error as Error }),
    );
    return () => {
      cancelled = true;
    };
  }, [structure]);
  const [message, setMessage] = useState('');
  const [from, setFrom] = useState('');
  if (!data) return html`<${Problem} error=${run.error} />${!run.error && html`<p>Loading…</p>`}`;
  const failedStep = data.failure?.step ? data.steps.find((s) => s.name === data.failure?.step) : undefined;
  const act = (what: 'retry' | 'cancel') =>
    (what === 'retry'
      ? answerOf(
          client.POST('/workflow-runs/{id}/retry', {
            params: { path: { id }, query: from ? { from } : {} },
          }),
        )
      : answerOf(client.POST('/workflow-runs/{id}/cancel', { params: { path: { id } } }))
    ).then(
      (answer) => {
        if (what === 'retry') navigate(`/ui/workflow-runs/${answer.id}`);
        else {
          setMessage('Cancel requested.');
          states.reload();
        }
      },
      (error) => setMessage(error.message),
    );
  return html`<h1>Workflow run ${id.slice(0, 8)} <${StateBadge} state=${data.state} /></h1>
    ${
      data.failure &&
      html`<div class="failure" role="alert" data-testid="failure">
        ${data.failure.step && html`step <strong>${data.failure.step}</strong> · `}<strong>${data.failure.reason}</strong>${`: ${data.failure.message}`}
        ${failedStep?.runId && html` · <${Link} href=${`/ui/runs/${failedStep.runId}`}>its run</${Link}>`}
      </div>`
    }
    <${Problem} error=${run.error ?? states.error} />
    <p>
      workflow <${Link} href=${`/ui/workflows/${data.workflowId}`}>${data.uniqueId}</${Link}>
      ${` · ${data.trigger} · queued ${time(data.timings.queuedAt)} · duration ${duration(secondsBetween(data.timings.startedAt, data.timings.endedAt))} · `}
      ${data.retryOf && html`retry of <${Link} href=${`/ui/workflow-runs/${data.retryOf}`}>${data.retryOf.slice(0, 8)}</${Link}> · `}
      <code>${data.results.uri}</code>
    </p>
    <${Overrides} overrides=${data.overrides} params=${data.params} />
    <div class="actions">
      ${
        unfinished === undefined
          ? null
          : unfinished.includes(data.state)
            ? html`<${ConfirmButton}
                label=${data.cancelRequested ? 'Cancelling…' : 'Cancel workflow run'}
                disabled=${data.cancelRequested}
                question="Cancel this workflow run? This cannot be undone: running steps are stopped and steps not started end cancelled."
                confirmLabel="Yes, cancel the workflow run"
                onConfirm=${() => act('cancel')}
              />`
            : html`<button onClick=${() => act('retry')}>Retry</button>
                <label
                  >${'from '}<select
                    value=${from}
                    onChange=${(e: TargetedEvent<HTMLSelectElement>) => setFrom(e.currentTarget.value)}
                  >
                    <option value="">the steps that did not succeed</option>
                    ${data.steps.map((s) => html`<option value=${s.name}>step ${s.name} and after</option>`)}
                  </select></label
                >`
      }
      <span role="status">${message}</span>
    </div>
    <section aria-labelledby="graph">
      <h2 id="graph">Steps</h2>
      <${StateCounts} steps=${data.steps} />
      ${
        layout === undefined
          ? html`<p role="status">Laying out ${data.steps.length.toLocaleString('en')} steps…</p>`
          : 'error' in layout
            ? html`<${Problem} error=${layout.error} />`
            : html`<${Graph} steps=${data.steps} layout=${layout} />`
      }
    </section>
    <section aria-labelledby="gantt">
      <h2 id="gantt">Timeline</h2>
      <${Timeline} run=${data} />
    </section>`;
}
