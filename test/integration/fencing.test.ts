import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { isTerminal } from '../../src/runs/run-states.js';
import {
  createBucket,
  createTestDatabase,
  eventually,
  getText,
  jobBody,
  listKeys,
  startTestService,
  type TestService,
} from '../support/harness.js';
import { removeDir, startServiceProcess, type ServiceProcess } from '../support/service-process.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const docker = new Docker();
const processes: ServiceProcess[] = [];
let api: TestService | undefined;
let proxy: TcpProxy | undefined;

afterAll(async () => {
  for (const p of processes) {
    await p.kill();
    await removeDir(p.dataDir);
  }
  await proxy?.close();
  await api?.close();
});

// Short leases keep the test short: the cut-off worker fences after half the lease (1.5 s), the
// other may take the run over after the whole lease (3 s).
const LEASES = { TDS_RECONCILE_INTERVAL_MS: '300', TDS_LEASE_MS: '3000' };

const worker = async (databaseUrl: string, workerId: string) => {
  const p = await startServiceProcess(databaseUrl, {
    TDS_ROLES: 'worker',
    TDS_WORKER_ID: workerId,
    ...LEASES,
  });
  processes.push(p);
  return p;
};

interface EngineEvent {
  Action: string;
  id: string;
  timeNano: number;
  Actor: { Attributes: Record<string, string> };
}

/** The engine's container events for one run's containers, from `since` (seconds) on. */
async function followRunEvents(runId: string, since: number) {
  const events: EngineEvent[] = [];
  const stream = (await docker.getEvents({
    since,
    filters: { type: ['container'], event: ['start', 'die', 'rename'], label: [`tds.run-id=${runId}`] },
  })) as NodeJS.ReadableStream & { destroy(): void };
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as EngineEvent);
  });
  return { events, stop: () => stream.destroy() };
}

type Event = { state: string; at: string; detail: Record<string, unknown> | null };

describe('a worker cut off from the database', () => {
  it('stops its container before another worker takes the run over: the command never runs twice at once, the run ends once', async () => {
    const databaseUrl = await createTestDatabase();
    api = await startTestService({ databaseUrl, roles: ['api'] });
    const bucket = await createBucket();
    const postgres = new URL(databaseUrl);
    proxy = await startTcpProxy({ host: postgres.hostname, port: Number(postgres.port) });
    await worker(proxy.through(databaseUrl), 'cut-off');

    const since = Math.floor(Date.now() / 1000) - 1;
    const body = jobBody(bucket, { command: 'echo begun; sleep 12; echo ended' });
    const { status, body: posted } = await api.request('POST', '/jobs', body);
    expect(status).toBe(202);
    const runId: string = posted.run.id;
    const engineEvents = await followRunEvents(runId, since);
    try {
      const running = await api.waitForRun(runId, (s) => s === 'running', 120_000);
      const firstContainer = (running.history as Event[]).find((e) => e.state === 'running')!.detail!
        .containerId as string;
      // The command has begun in the cut-off worker's container.
      await eventually('the first container to print its marker', async () => {
        const logs = await docker.getContainer(firstContainer).logs({ stdout: true, stderr: false });
        return logs.toString('utf8').includes('begun');
      });

      proxy.cut();
      const heir = await worker(databaseUrl, 'heir');
      const ended = await api.waitForRun(runId, isTerminal, 150_000);
      expect(ended.state, JSON.stringify(ended.failure)).toBe('succeeded');

      const history = ended.history as Event[];
      const starts = history
        .filter((e) => e.state === 'running' && e.detail?.containerId)
        .map((e) => e.detail!.containerId);
      // The container running at the cut, then the heir's. (On a host so busy that a heartbeat
      // took longer than the fence, the worker fences then too: more containers, one at a time.)
      expect(starts.length).toBeGreaterThanOrEqual(2);
      const cutAt = starts.indexOf(firstContainer);
      expect(cutAt).toBeGreaterThanOrEqual(0);
      expect(cutAt).toBeLessThan(starts.length - 1);
      const secondContainer = starts[cutAt + 1] as string;
      expect(secondContainer).not.toBe(firstContainer);
      // The heir took the run over from the cut-off worker, and put it back in the queue.
      expect(history.some((e) => e.detail?.takenOverBy === 'heir' && e.detail.from === 'cut-off')).toBe(true);
      expect(
        history.some((e) => e.state === 'queued' && e.detail?.fencedContainerId === firstContainer),
      ).toBe(true);
      // One end: one terminal event, one run of the job (no retry), one set of results.
      expect(history.filter((e) => isTerminal(e.state as never))).toHaveLength(1);
      const runsOfJob = await api.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM runs WHERE job_id = $1',
        [posted.job.id],
      );
      expect(runsOfJob[0]!.n).toBe(1);
      expect(await getText(bucket, `${ended.results.prefix}stdout.log`)).toBe('begun\nended\n');
      const keys = await listKeys(bucket, `out/${body.uniqueId as string}/`);
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) expect(key.startsWith(ended.results.prefix)).toBe(true);

      // The engine's own record: the cut-off worker renamed (fenced) and stopped its container
      // before the heir's container started.
      await eventually('the engine to report the last container starting', async () =>
        engineEvents.events.some((e) => e.Action === 'start' && e.id === starts.at(-1)),
      );
      const at = (action: string, id: string) =>
        engineEvents.events.find((e) => e.Action === action && e.id === id);
      const fenced = at('rename', firstContainer);
      expect(fenced?.Actor.Attributes.name).toBe(`tds-fenced-${runId}`);
      const firstDied = at('die', firstContainer)!;
      const secondStarted = at('start', secondContainer)!;
      expect(firstDied).toBeDefined();
      expect(firstDied.timeNano).toBeLessThan(secondStarted.timeNano);
      expect(fenced!.timeNano).toBeLessThanOrEqual(firstDied.timeNano);
      // Never two containers of the run at once: each stopped before the next started.
      for (let i = 1; i < starts.length; i += 1) {
        const died = at('die', starts[i - 1] as string);
        expect(died, `container ${i} stopped`).toBeDefined();
        expect(died!.timeNano).toBeLessThan(at('start', starts[i] as string)!.timeNano);
      }

      // run.json names every worker that held the run, and its host.
      const record = JSON.parse((await getText(bucket, `${ended.results.prefix}run.json`))!);
      expect(record.state).toBe('succeeded');
      const holders = record.workers as { workerId: string; host: string | null; how: string }[];
      const held = holders.map((h) => `${h.how} ${h.workerId}`);
      expect(held[0]).toBe('claimed cut-off');
      expect(held.slice(-2)).toEqual(['took over heir', 'claimed heir']);
      for (const h of holders) expect(h.host).toBeTruthy();

      // The cut-off worker comes back: with the heir gone, it alone can run the next job, which
      // shows it is back (its watcher settles that run's exit); the first run keeps its one end.
      await heir.kill('SIGTERM');
      proxy.restore();
      const next = await api.request('POST', '/jobs', jobBody(bucket, { command: 'echo back' }));
      expect(next.status).toBe(202);
      const nextRun = await api.waitForRun(next.body.run.id, isTerminal, 120_000);
      expect(nextRun.state).toBe('succeeded');
      expect((nextRun.history as Event[]).find((e) => e.state === 'staging')?.detail?.workerId).toBe(
        'cut-off',
      );
      const after = await api.request('GET', `/runs/${runId}`);
      expect(after.body.state).toBe('succeeded');
      expect((after.body.history as Event[]).filter((e) => isTerminal(e.state as never))).toHaveLength(1);
      expect(JSON.parse((await getText(bucket, `${ended.results.prefix}run.json`))!)).toEqual(record);
      expect(proxy.refused).toBeGreaterThan(0);
    } finally {
      engineEvents.stop();
    }
  }, 240_000);
});
