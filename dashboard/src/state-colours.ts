// The colours of states, in one place: the badges of runs, workflow runs and steps, the workflow
// graph's boxes and the timeline's bars. The state lists themselves are the service's (GET /states,
// states.ts); a state named here that the service does not have is shown in the plain colours.

/** How a state looks: a badge's background and text, a graph box's fill and edge, a timeline bar. */
interface Tone {
  fill: string;
  text: string;
  edge: string;
  bar: string;
  /** A graph box's edge drawn dashed (a step that has not started, or will not). */
  dashed?: string;
}

const TONES = {
  done: { fill: '#bbf7d0', text: '#14532d', edge: '#15803d', bar: '#16a34a' },
  broken: { fill: '#fecaca', text: '#7f1d1d', edge: '#b91c1c', bar: '#dc2626' },
  busy: { fill: '#bfdbfe', text: '#1e3a8a', edge: '#1d4ed8', bar: '#2563eb' },
  waiting: { fill: '#fef3c7', text: '#78350f', edge: '#b45309', bar: '#d97706' },
  stopped: { fill: '#e5e7eb', text: '#374151', edge: '#6b7280', bar: '#6b7280', dashed: '2 2' },
  left: { fill: '#f3f4f6', text: '#374151', edge: '#6b7280', bar: '#9ca3af', dashed: '2 2' },
  unstarted: { fill: '#f3f4f6', text: '#374151', edge: '#6b7280', bar: '#d1d5db', dashed: '4 3' },
} satisfies Record<string, Tone>;

/** The tone of each state of runs, workflow runs and steps. */
const TONE_OF: Record<string, keyof typeof TONES> = {
  succeeded: 'done',
  failed: 'broken',
  timed_out: 'broken',
  running: 'busy',
  uploading: 'busy',
  staging: 'busy',
  building: 'busy',
  queued: 'waiting',
  cancelled: 'stopped',
  skipped: 'left',
  pending: 'unstarted',
};

/** The colours a state is drawn in; undefined for a state shown in the plain colours. */
export function stateColours(state: string): Tone | undefined {
  const tone = TONE_OF[state];
  return tone ? TONES[tone] : undefined;
}

/** The style rules of every coloured state: .state-NAME badges, and the graph's .node.state-NAME boxes. */
export function stateStyleRules(): string {
  return Object.entries(TONE_OF)
    .map(([state, name]) => {
      const tone: Tone = TONES[name];
      const dash = tone.dashed ? ` stroke-dasharray: ${tone.dashed};` : '';
      const fill = name === 'unstarted' ? '' : ` fill: ${tone.fill};`;
      const edge = name === 'unstarted' ? '' : ` stroke: ${tone.edge};`;
      return (
        `.state-${state} { background: ${tone.fill}; color: ${tone.text}; }\n` +
        `.graph .node.state-${state} rect {${fill}${edge}${dash} }`
      );
    })
    .join('\n');
}

/** Puts the state colours in the page, once: main.ts calls it before the first page is drawn. */
export function installStateColours(document: Document): void {
  if (document.getElementById('state-colours')) return;
  const style = document.createElement('style');
  style.id = 'state-colours';
  style.textContent = stateStyleRules();
  document.head.append(style);
}
