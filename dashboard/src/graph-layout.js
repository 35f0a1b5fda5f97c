/** Node sizes in the workflow graph (px): a plain step, and a fan-out step with its counts line. */
export const NODE = { width: 168, height: 32, fanOutHeight: 50 };

/** What the layout depends on: the steps' names and dependencies, not their states. */
export function structureOf(steps) {
  return steps.map((s) => `${s.name}<${s.dependsOn.join(',')}`).join(';');
}

/**
 * Lays the steps out (left to right, each after its dependencies) in a Web Worker; resolves with
 * `{ positions: { name: [x, y] }, path, width, height, ms }`.
 */
export function layOut(steps) {
  const nodes = steps.map((s) => ({
    id: s.name,
    width: NODE.width,
    height: s.items ? NODE.fanOutHeight : NODE.height,
  }));
  const edges = steps.flatMap((s) => s.dependsOn.map((d) => [d, s.name]));
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./layout-worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = ({ data }) => {
      worker.terminate();
      resolve(data);
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(`the graph could not be laid out: ${event.message}`));
    };
    worker.postMessage({ nodes, edges, rankdir: 'LR' });
  });
}
