import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { createRdsDataClient, createRdsDataDatabase } from '../../services/aws/rds-data-database.js';
import type { Database } from '../../services/db/database.js';
import { finish } from '../../src/runs/transitions.js';
import { advanceWorkflowRun } from '../../src/workflows/advance.js';
import { parseWorkflowRequest } from '../../src/workflows/workflow-definition.js';
import { toWorkflow } from '../../src/workflows/workflow-repository.js';
import { startWorkflowRun } from '../../src/workflows/workflow-start.js';
import { startDataApiServer, type DataApiServer } from '../support/data-api-server.js';
import { TEST_CLUSTER_ARN, TEST_SECRET_ARN } from '../support/database-driver.js';
import { createTestDatabase } from '../support/harness.js';

/**
 * What a workflow step's end costs on the RDS Data API, where every statement is an HTTPS call:
 * the statements of the transaction the worker's finisher runs when a step's run ends (the run's
 * finish, then the workflow run moved on), counted by the suite's Data API endpoint. No container
 * runs: the step's run is ended as the finisher ends it, on a real Postgres behind the endpoint.
 */
const DEFAULTS = {
  timeoutSeconds: 3600,
  cpus: 1,
  memoryMb: 512,
  diskMb: 1024,
  metricsIntervalSeconds: 1,
  baseImage: 'debian:bookworm-slim',
  network: 'none' as const,
};
const limits = { maxResultBytes: 65_536 };

let server: DataApiServer;
let db: Database;

beforeAll(async () => {
  const url = await createTestDatabase();
  const base = new URL(url);
  base.pathname = '/postgres';
  server = await startDataApiServer({
    postgresUrl: base.toString(),
    resourceArn: TEST_CLUSTER_ARN,
    secretArn: TEST_SECRET_ARN,
  });
  const client = createRdsDataClient({ region: 'us-east-1', endpoint: server.endpoint });
  db = createRdsDataDatabase(
    client,
    { resourceArn: TEST_CLUSTER_ARN, secretArn: TEST_SECRET_ARN, database: new URL(url).pathname.slice(1) },
    pino({ level: 'silent' }),
  );
});

afterAll(async () => {
  await db?.close();
  await server?.stop();
});

/** Stores a workflow of these steps and starts its run; answers the workflow run's id. */
async function startRun(steps: Record<string, unknown>[]): Promise<string> {
  const definition = parseWorkflowRequest(
    {
      userId: 'alice',
      uniqueId: `counted-${uuidv7()}`,
      s3_bucket: 'bucket',
      source_s3_prefix: '',
      destination_s3_prefix: '/out/',
      max_parallel: 4,
      steps,
    },
    DEFAULTS,
  );
  const [row] = await db.query(
    `INSERT INTO workflows (id, user_id, unique_id, definition) VALUES ($1::uuid, $2, $3, $4::jsonb) RETURNING *`,
    [uuidv7(), definition.shared.userId, definition.shared.uniqueId, JSON.stringify(definition)],
  );
  const started = await db.transaction((tx) =>
    startWorkflowRun(tx, toWorkflow(row!), { trigger: 'submit' }, limits),
  );
  return started.id;
}

async function unfinishedRunOf(workflowRunId: string, step: string): Promise<string> {
  const [run] = await db.query<{ id: string }>(
    `SELECT id FROM runs WHERE workflow_run_id = $1::uuid AND step_name = $2 AND state = 'queued'
     ORDER BY item_index NULLS FIRST LIMIT 1`,
    [workflowRunId, step],
  );
  return run!.id;
}

/** Ends a step's run as the finisher does (finish and move its workflow run on, one transaction); counts the calls. */
async function endStep(workflowRunId: string, runId: string) {
  const before = { ...server.calls };
  const moved = await db.transaction(async (tx) => {
    const finished = await finish(tx, runId, { state: 'succeeded' }, { exitCode: 0, result: '"done"' });
    expect(finished).toBeDefined();
    return advanceWorkflowRun(tx, workflowRunId, limits);
  });
  const delta = (op: string) => (server.calls[op] ?? 0) - (before[op] ?? 0);
  return {
    moved,
    statements: delta('Execute') + delta('BatchExecute'),
    calls: delta('BeginTransaction') + delta('CommitTransaction'),
  };
}

describe("a workflow step's end on the Data API", () => {
  it('costs four statements when it starts the next step (a hop), and three more when the workflow run ends', async () => {
    const id = await startRun([
      { name: 'a', command: 'true' },
      { name: 'b', command: 'echo {{steps.a.result}}', depends_on: ['a'] },
    ]);
    const hop = await endStep(id, await unfinishedRunOf(id, 'a'));
    expect(hop.moved).toMatchObject({ queued: 1, ended: false });
    expect(hop.calls).toBe(2);
    // finish, the lock of the workflow run, its snapshot, the decision written (step b's run queued with it).
    expect(hop.statements).toBe(4);
    const [b] = await db.query<{ state: string }>(
      `SELECT state FROM workflow_steps WHERE workflow_run_id = $1::uuid AND name = 'b'`,
      [id],
    );
    expect(b!.state).toBe('queued');

    const last = await endStep(id, await unfinishedRunOf(id, 'b'));
    expect(last.moved).toMatchObject({ queued: 0, ended: true });
    // The same four, then the workflow run's end event (read and written) and the look for a run waiting for it.
    expect(last.statements).toBe(7);
    const [run] = await db.query<{ state: string }>('SELECT state FROM workflow_runs WHERE id = $1::uuid', [
      id,
    ]);
    expect(run!.state).toBe('succeeded');
  });

  it("costs four statements for a fan-out item's end that starts the next item", async () => {
    const id = await startRun([
      { name: 'fan', command: 'echo {{item}}', for_each: Array.from({ length: 10 }, (_, i) => i) },
    ]);
    const [started] = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM runs WHERE workflow_run_id = $1::uuid',
      [id],
    );
    expect(Number(started!.n)).toBe(4);
    const item = await endStep(id, await unfinishedRunOf(id, 'fan'));
    expect(item.moved).toMatchObject({ queued: 1, ended: false });
    expect(item.statements).toBe(4);
  });
});
