/**
 * Fan-out scale: what moving a workflow run on costs per item as a fan-out grows, measured on the
 * service's own control path against a real Postgres and S3 server, with no containers (each item's
 * run is ended as a worker ends it: `finish` and the workflow's advance in one transaction).
 * - per item end: the transaction that ends an item's run and moves the workflow run on, in a
 *   10,000-item fan-out against a 100-item one (target ≤ 1.5×: the cost of an item's end does not
 *   grow with the number of items);
 * - with no target: reading the workflow run (GET /workflow-runs/:id's query) at 10,000 items, the
 *   report and the 10,000-line manifest written at its end, the reduce step's command built from
 *   10,000 results (over TDS_MAX_RESULT_BYTES, so it reads the manifest, given as a file).
 *
 *   npx node --import tsx bench/fan-out-scale.ts [--items 10000] [--baseline 100] [--parallel 50]
 */
import { parseArgs } from 'node:util';
import { createAuditTrail } from '../src/audit/audit-trail.js';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createS3ObjectStore } from '../services/aws/s3-object-store.js';
import type { Database } from '../services/db/database.js';
import { finish } from '../src/runs/transitions.js';
import { createSignals } from '../src/signals.js';
import { createWorkflowService } from '../src/workflows/workflow-service.js';
import { createQueueRoom } from '../src/runs/queue-room.js';
import { createBucketCheck } from '../src/definitions/bucket-check.js';
import { startStack } from './stack.js';
import { machine, ms, note, percentile, ratio, record, verdict } from './support.js';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '10000' },
    baseline: { type: 'string', default: '100' },
    parallel: { type: 'string', default: '50' },
  },
});
const items = Number(values.items);
const baseline = Number(values.baseline);
const parallel = Number(values.parallel);
const BUCKET = 'fan-out-scale';

console.log(`fan-out-scale — ${machine()}`);
const stack = await startStack();
await stack.createBucket(BUCKET);
const db: Database = stack.database.db;
const store = createS3ObjectStore(stack.s3);
const workflows = createWorkflowService({
  db,
  store,
  buckets: createBucketCheck(store),
  queue: createQueueRoom(db, { perUser: 10_000_000, total: 100_000_000 }),
  logger: stack.database.logger,
  defaults: {
    timeoutSeconds: 3600,
    cpus: 1,
    memoryMb: 512,
    diskMb: 1024,
    metricsIntervalSeconds: 1,
    baseImage: 'debian:bookworm-slim',
    network: 'none',
  },
  limits: { maxResultBytes: 64 * 1024 },
  signals: createSignals(),
  audit: createAuditTrail(),
});

interface Measured {
  perEnd: number[];
  totalMs: number;
  readMs: number;
  reportMs: number;
  reduceCommandBytes: number;
  manifestLines: number;
}

/** A fan-out of `count` items plus its reduce, every run ended in turn as workers would end them. */
async function fanOut(count: number): Promise<Measured> {
  const uniqueId = `scale-${count}-${Date.now()}`;
  const submitted = await workflows.submit(
    {
      userId: 'bench',
      uniqueId,
      s3_bucket: BUCKET,
      source_s3_prefix: '',
      destination_s3_prefix: 'out',
      max_parallel: parallel,
      steps: [
        {
          name: 'square',
          for_each: Array.from({ length: count }, (_, i) => i),
          command: 'echo $((TDS_ITEM*TDS_ITEM))',
        },
        { name: 'sum', depends_on: ['square'], command: 'wc -l < "$TDS_STEP_SQUARE_MANIFEST"' },
      ],
    },
    async () => {},
  );
  const workflowRunId = submitted.workflowRunId!;
  const perEnd: number[] = [];
  const started = performance.now();
  let readMs = NaN;
  let reduceCommandBytes = 0;
  for (;;) {
    const queued = await db.query<{ id: string; item_index: number | null; spec: { command: string } }>(
      `SELECT id, item_index, spec FROM runs WHERE workflow_run_id = $1::uuid AND state = 'queued'
       ORDER BY item_index`,
      [workflowRunId],
    );
    if (queued.length === 0) {
      // A fan-out's dependants may wait for its manifest (a result over the bound), written after
      // the step's end as the finisher writes it.
      await workflows.writeReportOf(workflowRunId);
      const [more] = await db.query(
        `SELECT 1 FROM runs WHERE workflow_run_id = $1::uuid AND state = 'queued' LIMIT 1`,
        [workflowRunId],
      );
      if (!more) break;
      continue;
    }
    for (const run of queued) {
      if (run.item_index === null) reduceCommandBytes = Buffer.byteLength(JSON.stringify(run.spec));
      if (run.item_index === Math.floor(count / 2)) {
        const t = performance.now();
        await workflows.getWorkflowRun(workflowRunId);
        readMs = performance.now() - t;
      }
      const t = performance.now();
      await db.transaction(async (tx) => {
        const index = run.item_index ?? 0;
        const ended = await finish(
          tx,
          run.id,
          { state: 'succeeded' },
          { exitCode: 0, result: String(index * index) },
        );
        await workflows.advance(tx, ended!.workflowRunId!);
      });
      perEnd.push(performance.now() - t);
    }
  }
  const totalMs = performance.now() - started;
  const t = performance.now();
  await workflows.writeReportOf(workflowRunId);
  const reportMs = performance.now() - t;
  const run = await workflows.getWorkflowRun(workflowRunId);
  if (run.state !== 'succeeded') throw new Error(`the workflow run ended ${run.state}`);
  const square = run.steps.find((s) => s.name === 'square')!;
  const manifest = await stack.s3.send(
    new GetObjectCommand({ Bucket: BUCKET, Key: `out/${uniqueId}/${workflowRunId}/square/items.jsonl` }),
  );
  const lines = (await manifest.Body!.transformToString()).trim().split('\n');
  const manifestLines = lines.length;
  const results = square.resultTruncated
    ? lines.map((line) => Number((JSON.parse(line) as { result: string }).result))
    : (JSON.parse(square.result!) as number[]);
  if (results.length !== count || results[count - 1] !== (count - 1) ** 2)
    throw new Error('the fan-out step result is not every item in order');
  return { perEnd, totalMs, readMs, reportMs, reduceCommandBytes, manifestLines };
}

try {
  const small = await fanOut(baseline);
  const large = await fanOut(items);
  const smallP50 = percentile(small.perEnd, 50);
  const largeP50 = percentile(large.perEnd, 50);
  const lastTenth = large.perEnd.slice(Math.floor(large.perEnd.length * 0.9));
  await record(
    `item end (finish + advance) in a ${items}-item fan-out: p50 ${ms(largeP50)}, p99 ${ms(percentile(large.perEnd, 99))}, last tenth p50 ${ms(percentile(lastTenth, 50))}; in a ${baseline}-item one p50 ${ms(smallP50)} → ${ratio(largeP50, smallP50)} (target ≤ 1.5×: ${verdict(largeP50 <= 1.5 * smallP50)})`,
    `${items} items ended through the control path in ${(large.totalMs / 1000).toFixed(1)} s (${(items / (large.totalMs / 1000)).toFixed(0)} item ends/s, max_parallel ${parallel})`,
    `GET /workflow-runs/:id at ${items} items: ${ms(large.readMs)} (at ${baseline}: ${ms(small.readMs)})`,
    `report and ${large.manifestLines}-line items.jsonl written in ${ms(large.reportMs)}; the reduce's run spec with ${items} items' folders and their manifest: ${(large.reduceCommandBytes / 1024).toFixed(0)} KiB`,
  );
  await note(
    'No containers: each item run is ended by the same `finish` and workflow advance a worker runs in one transaction, so the figure is the control path alone (the containers of 10,000 items take about an hour on this machine).',
  );
} finally {
  await stack.close();
}
