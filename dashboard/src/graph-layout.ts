/** Node sizes in the workflow graph (px): a plain step, and a fan-out step with its counts line. */
export const NODE = { width: 168, height: 32, fanOutHeight: 50 };

/** Up to this many steps the graph is laid out on the page's own thread: at once, without a worker. */
export const SMALL_GRAPH = 60;

const RANK_GAP = 48;
const NODE_GAP = 10;
const MARGIN = 8;

/** What the layout reads of a step: its name, what it depends on, and whether it fans out. */
export interface GraphStep {
  name: string;
  dependsOn: string[];
  items?: unknown;
}

/** Where each step sits (its centre, by name), the edges as one SVG path, the size, the time taken. */
export interface Layout {
  positions: Record<string, [number, number]>;
  path: string;
  width: number;
  height: number;
  ms: number;
}

/** What the page asks of the layout worker (layout-worker.ts): the nodes with their sizes, the edges. */
export interface LayoutRequest {
  nodes: { id: string; width: number; height: number }[];
  /** Each edge as [from, to] step names. */
  edges: [string, string][];
  rankdir: 'LR' | 'TB';
}

/** What the layout depends on: the steps' names and dependencies, not their states. */
export function structureOf(steps: GraphStep[]): string {
  return steps.map((s) => `${s.name}<${s.dependsOn.join(',')}`).join(';');
}

/**
 * A layered layout, left to right, made here in one pass: each step in the column after its
 * furthest dependency, each column ordered by where its dependencies sit, edges as curves. Used
 * for small graphs (drawn in the same task as their data, whatever the browser does with workers)
 * and when a worker cannot lay a graph out.
 */
export function layOutHere(steps: GraphStep[]): Layout {
  const started = performance.now();
  const byName = new Map(steps.map((s) => [s.name, s]));
  const rank = new Map<string, number>();
  const rankOf = (name: string, seen = new Set<string>()): number => {
    const known = rank.get(name);
    if (known !== undefined) return known;
    seen.add(name);
    const deps = (byName.get(name)?.dependsOn ?? []).filter((d) => byName.has(d) && !seen.has(d));
    const r = deps.length ? 1 + Math.max(...deps.map((d) => rankOf(d, seen))) : 0;
    rank.set(name, r);
    return r;
  };
  const columns: GraphStep[][] = [];
  for (const step of steps) (columns[rankOf(step.name)] ??= []).push(step);
  const heightOf = (step: GraphStep) => (step.items ? NODE.fanOutHeight : NODE.height);
  const positions: Layout['positions'] = {};
  let height = 0;
  columns.forEach((column, r) => {
    // Ordered by the mean height of their dependencies, so that edges cross less.
    const key = (step: GraphStep) => {
      const ys = step.dependsOn.map((d) => positions[d]?.[1]).filter((y): y is number => y !== undefined);
      return ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : 0;
    };
    const ordered = r === 0 ? column : [...column].sort((a, b) => key(a) - key(b));
    let y = MARGIN;
    for (const step of ordered) {
      positions[step.name] = [MARGIN + r * (NODE.width + RANK_GAP) + NODE.width / 2, y + heightOf(step) / 2];
      y += heightOf(step) + NODE_GAP;
    }
    height = Math.max(height, y - NODE_GAP + MARGIN);
  });
  let path = '';
  for (const step of steps) {
    const here = positions[step.name];
    if (!here) continue;
    const [x2, y2] = here;
    for (const d of step.dependsOn) {
      const there = positions[d];
      if (!there) continue;
      const [x1, y1] = there;
      const from = x1 + NODE.width / 2;
      const to = x2 - NODE.width / 2;
      const bend = (to - from) / 2;
      path += `M${from} ${y1}C${from + bend} ${y1} ${to - bend} ${y2} ${to} ${y2}`;
    }
  }
  const width = MARGIN * 2 + columns.length * NODE.width + Math.max(0, columns.length - 1) * RANK_GAP;
  return { positions, path, width, height, ms: Math.round(performance.now() - started) };
}

/**
 * Lays the steps out (left to right, each after its dependencies); resolves with
 * `{ positions: { name: [x, y] }, path, width, height, ms }`. A small graph is laid out here and at
 * once; a larger one with dagre in a Web Worker, so the page answers input meanwhile (and here, if
 * the worker cannot start or fails).
 */
export function layOut(steps: GraphStep[]): Promise<Layout> {
  if (steps.length <= SMALL_GRAPH) return Promise.resolve(layOutHere(steps));
  const nodes = steps.map((s) => ({
    id: s.name,
    width: NODE.width,
    height: s.items ? NODE.fanOutHeight : NODE.height,
  }));
  const edges = steps.flatMap((s) => s.dependsOn.map((d): [string, string] => [d, s.name]));
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(new URL('./layout-worker.ts', import.meta.url), { type: 'module' });
    } catch {
      resolve(layOutHere(steps));
      return;
    }
    worker.onmessage = ({ data }: MessageEvent<Layout>) => {
      worker.terminate();
      resolve(data);
    };
    worker.onerror = () => {
      worker.terminate();
      resolve(layOutHere(steps));
    };
    const request: LayoutRequest = { nodes, edges, rankdir: 'LR' };
    worker.postMessage(request);
  });
}
