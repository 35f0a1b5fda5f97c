// Lays a workflow's graph out with dagre, off the page's thread: a graph of thousands of steps
// takes seconds to lay out, and the page stays responsive meanwhile. Laid out once per graph.
import dagre from '@dagrejs/dagre';
import type { Layout, LayoutRequest } from './graph-layout.ts';

/** Above this many steps, the quicker ranking and ordering (the layout stays layered and readable). */
const LARGE = 300;

self.onmessage = ({ data }: MessageEvent<LayoutRequest>) => {
  const { nodes, edges, rankdir } = data;
  const g = new dagre.graphlib.Graph();
  const large = nodes.length > LARGE;
  g.setGraph({
    rankdir,
    nodesep: 10,
    ranksep: 48,
    marginx: 8,
    marginy: 8,
    ...(large ? { ranker: 'longest-path' } : {}),
  });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) g.setNode(node.id, { width: node.width, height: node.height });
  for (const [from, to] of edges) g.setEdge(from, to);
  const started = performance.now();
  dagre.layout(g, large ? { disableOptimalOrderHeuristic: true } : {});
  const positions: Layout['positions'] = {};
  for (const id of g.nodes()) {
    const node = g.node(id);
    positions[id] = [node.x, node.y];
  }
  // All edges as one SVG path: one element, however many edges.
  let path = '';
  for (const e of g.edges()) {
    const points: { x: number; y: number }[] = g.edge(e).points ?? [];
    points.forEach((p, i) => {
      path += `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)} ${p.y.toFixed(1)}`;
    });
  }
  const { width, height } = g.graph();
  const layout: Layout = { positions, path, width, height, ms: Math.round(performance.now() - started) };
  self.postMessage(layout);
};
