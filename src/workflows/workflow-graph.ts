/**
 * The graph of a workflow's steps: edges go from a step to the steps it depends on.
 */

/**
 * A cycle, as the names along it with the first repeated at the end (`a → b → c → a` as
 * ['a', 'b', 'c', 'a'], each depending on the next), or undefined when there is none. Iterative, so 500 steps in a chain do
 * not deepen the stack.
 */
export function findCycle(names: string[], edges: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  for (const start of names) {
    if (state.has(start)) continue;
    const stack: { name: string; next: number }[] = [{ name: start, next: 0 }];
    state.set(start, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const deps = edges.get(top.name) ?? [];
      if (top.next >= deps.length) {
        state.set(top.name, 'done');
        stack.pop();
        continue;
      }
      const dep = deps[top.next++]!;
      const seen = state.get(dep);
      if (seen === 'open') {
        // The path from dep down the stack to here, then back to dep: each depends on the next.
        const from = stack.findIndex((f) => f.name === dep);
        return [...stack.slice(from).map((f) => f.name), dep];
      }
      if (seen === undefined && edges.has(dep)) {
        state.set(dep, 'open');
        stack.push({ name: dep, next: 0 });
      }
    }
  }
  return undefined;
}

/**
 * The names in an order each step comes after its dependencies: ready steps in the order they
 * were declared (Kahn's algorithm). Assumes no cycle.
 */
export function startOrder(names: string[], edges: Map<string, string[]>): string[] {
  const waiting = new Map(names.map((n) => [n, new Set(edges.get(n) ?? [])]));
  const dependants = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const n of names) for (const d of edges.get(n) ?? []) dependants.get(d)?.push(n);
  const position = new Map(names.map((n, i) => [n, i]));
  const ready = names.filter((n) => waiting.get(n)!.size === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => position.get(a)! - position.get(b)!);
    const next = ready.shift()!;
    order.push(next);
    for (const d of dependants.get(next) ?? []) {
      const left = waiting.get(d)!;
      left.delete(next);
      if (left.size === 0) ready.push(d);
    }
  }
  return order;
}
