import { randomUUID } from 'node:crypto';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import Docker from 'dockerode';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvents } from '../../src/events/outbox.js';
import { KIND_LABEL, MANAGED_LABEL } from '../../src/runner/image-builder.js';
import {
  createBucket,
  getText,
  jobBody,
  startTestService,
  uniqueName,
  type TestService,
} from '../support/harness.js';

const docker = new Docker();
let service: TestService;
let bucket: string;
const made: string[] = [];
const networks: string[] = [];

beforeAll(async () => {
  service = await startTestService({
    env: {
      TDS_RETENTION_DAYS: '30',
      TDS_HOUSEKEEPING_INTERVAL_MS: '3600000',
      TDS_IMAGE_CACHE_MB: '100',
    },
  });
  bucket = await createBucket();
});

afterAll(async () => {
  for (const id of made)
    await docker
      .getContainer(id)
      .remove({ force: true })
      .catch(() => undefined);
  for (const name of networks)
    await docker
      .getNetwork(name)
      .remove()
      .catch(() => undefined);
  await service?.close();
});

/** An image labelled as a package image (no layers of its own: a label on the base image). */
async function packageImage(): Promise<string> {
  const tag = `tds-packages:housekeeping-${randomUUID()}`;
  const dockerfile = 'FROM debian:bookworm-slim\n';
  const context = tar.pack();
  context.entry({ name: 'Dockerfile' }, dockerfile);
  context.finalize();
  const stream = await docker.buildImage(context as unknown as NodeJS.ReadableStream, {
    t: tag,
    labels: { [MANAGED_LABEL]: 'true', [KIND_LABEL]: 'packages' },
  });
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (error: Error | null, output: { error?: string }[]) => {
      const failed = error ?? output.find((line) => line.error);
      if (failed) reject(failed instanceof Error ? failed : new Error(String(failed.error)));
      else resolve();
    }),
  );
  return tag;
}

/** A run image of run `runId` as the image builder labels them (`installationId`: whose). */
async function runImage(runId: string, installationId: string): Promise<string> {
  const tag = `tds-run:${runId}`;
  const context = tar.pack();
  context.entry({ name: 'Dockerfile' }, 'FROM debian:bookworm-slim\n');
  context.finalize();
  const stream = await docker.buildImage(context as unknown as NodeJS.ReadableStream, {
    t: tag,
    labels: {
      [MANAGED_LABEL]: 'true',
      [KIND_LABEL]: 'run',
      'tds.run-id': runId,
      'tds.installation': installationId,
    },
  });
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (error: Error | null) => (error ? reject(error) : resolve())),
  );
  return tag;
}

let jobId: string | undefined;

/**
 * A run in the given state, written straight into the database under a recurring job (which
 * queues nothing when submitted), so this service's own worker never claims it.
 */
async function runIn(state: string, finishedDaysAgo = 0): Promise<string> {
  if (!jobId) {
    const { body } = await service.request(
      'POST',
      '/jobs',
      jobBody(bucket, { command: 'true', cron: '0 0 1 1 *' }),
    );
    jobId = body.job.id as string;
  }
  const id = randomUUID();
  await service.db.query(
    `INSERT INTO runs (id, job_id, state, trigger, spec, results_bucket, results_prefix, worker_id, finished_at)
     SELECT $1::uuid, id, $2, 'manual', spec, $3, 'out/', 'elsewhere',
            CASE WHEN $2 IN ('succeeded', 'failed') THEN now() - make_interval(days => $4::int) END
     FROM jobs WHERE id = $5::uuid`,
    [id, state, bucket, finishedDaysAgo, jobId],
  );
  return id;
}

async function leftoverContainer(runId: string, workerId: string, installationId?: string): Promise<string> {
  const container = await docker.createContainer({
    Image: 'debian:bookworm-slim',
    Cmd: ['true'],
    Labels: {
      'tds.managed': 'true',
      'tds.run-id': runId,
      'tds.worker-id': workerId,
      ...(installationId ? { 'tds.installation': installationId } : {}),
    },
  });
  made.push(container.id);
  return container.id;
}

async function exists(id: string): Promise<boolean> {
  return docker
    .getContainer(id)
    .inspect()
    .then(() => true)
    .catch(() => false);
}

describe('housekeeping', () => {
  it("removes the service's containers whose run has ended or is its installation's and unknown, and nothing else", async () => {
    // The worker's own queue must not claim these runs meanwhile: they are never left queued.
    const own = service.installationId;
    const ended = await leftoverContainer(await runIn('failed'), 'elsewhere');
    const ownUnknown = await leftoverContainer(randomUUID(), 'elsewhere', own);
    // Another installation on this engine, with this worker's id (both default to the host name).
    const foreignUnknown = await leftoverContainer(randomUUID(), service.config.workerId, randomUUID());
    const unlabelledUnknown = await leftoverContainer(randomUUID(), service.config.workerId);
    const live = await leftoverContainer(await runIn('running'), 'elsewhere', own);

    const report = await service.housekeeper!.sweep();
    expect(report.containers).toBeGreaterThanOrEqual(2);
    expect(await exists(ended)).toBe(false);
    expect(await exists(ownUnknown)).toBe(false);
    expect(await exists(foreignUnknown)).toBe(true);
    expect(await exists(unlabelledUnknown)).toBe(true);
    expect(await exists(live)).toBe(true);
  });

  it("removes its installation's run networks whose run has ended or is unknown, and nothing else", async () => {
    const own = service.installationId;
    const network = async (runId: string, installationId: string) => {
      const name = `tds-net-${runId}`;
      await docker.createNetwork({
        Name: name,
        Labels: { 'tds.managed': 'true', 'tds.run-id': runId, 'tds.installation': installationId },
      });
      networks.push(name);
      return name;
    };
    const networkExists = (name: string) =>
      docker
        .getNetwork(name)
        .inspect()
        .then(
          () => true,
          () => false,
        );
    const ended = await network(await runIn('succeeded'), own);
    const unknown = await network(randomUUID(), own);
    const live = await network(await runIn('running'), own);
    const foreign = await network(randomUUID(), randomUUID());

    const report = await service.housekeeper!.sweep();
    expect(report.networks).toBe(2);
    expect(await networkExists(ended)).toBe(false);
    expect(await networkExists(unknown)).toBe(false);
    expect(await networkExists(live)).toBe(true);
    expect(await networkExists(foreign)).toBe(true);
  });

  it('evicts the images it pulled, least recently used first, past the cache budget, but none used lately', async () => {
    // The base image under tags of this test's own, as if pulled: each is bigger than the budget
    // (TDS_IMAGE_CACHE_MB=100), and removing a tag of an image with other tags only untags it.
    const base = docker.getImage('debian:bookworm-slim');
    const suffix = randomUUID().slice(0, 8);
    // Not tds-test-*: the tests' list of local images (which are never evicted) names those.
    const refs = ['oldest', 'older', 'recent'].map((age) => `tds-evictee-${age}:${suffix}`);
    for (const ref of refs) await base.tag({ repo: ref.split(':')[0]!, tag: suffix });
    const engineId = await service.engine.engineId();
    await service.db.query(
      `INSERT INTO image_uses (engine_id, ref, last_used_at) VALUES
         ($1, $2, now() - interval '3 hours'), ($1, $3, now() - interval '2 hours'), ($1, $4, now())`,
      [engineId, ...refs],
    );
    const imageExists = (ref: string) =>
      docker
        .getImage(ref)
        .inspect()
        .then(
          () => true,
          () => false,
        );

    const report = await service.housekeeper!.sweep();
    expect(report.imagesEvicted).toBe(2);
    expect(await imageExists(refs[0]!)).toBe(false);
    expect(await imageExists(refs[1]!)).toBe(false);
    // Over the budget still, but used in the last minutes: a run may be building on it.
    expect(await imageExists(refs[2]!)).toBe(true);
    expect(await imageExists('debian:bookworm-slim')).toBe(true);
    const left = await service.db.query<{ ref: string }>('SELECT ref FROM image_uses WHERE engine_id = $1', [
      engineId,
    ]);
    expect(left.map((row) => row.ref)).toEqual([refs[2]]);
    await docker.getImage(refs[2]!).remove();
  });

  it("removes its installation's run volumes and images whose run has ended or is unknown, and no other installation's", async () => {
    const own = service.installationId;
    const foreign = randomUUID();
    const volume = async (runId: string, installationId: string) => {
      const name = `tds-vol-${runId}-output`;
      await docker.createVolume({
        Name: name,
        Labels: { 'tds.run-id': runId, 'tds.installation': installationId },
      });
      return name;
    };
    const volumeExists = (name: string) =>
      docker
        .getVolume(name)
        .inspect()
        .then(
          () => true,
          () => false,
        );
    const imageExists = (tag: string) =>
      docker
        .getImage(tag)
        .inspect()
        .then(
          () => true,
          () => false,
        );
    const endedRun = await runIn('failed');
    const liveRun = await runIn('running');
    const volumes = {
      ownEnded: await volume(endedRun, own),
      ownUnknown: await volume(randomUUID(), own),
      ownLive: await volume(liveRun, own),
      foreignUnknown: await volume(randomUUID(), foreign),
    };
    const images = {
      ownUnknown: await runImage(randomUUID(), own),
      ownLive: await runImage(liveRun, own),
      // Another installation's, of a run this database knows as ended (a copy of its database).
      foreignEnded: await runImage(endedRun, foreign),
    };

    const report = await service.housekeeper!.sweep();
    expect(report.volumes).toBeGreaterThanOrEqual(2);
    expect(await volumeExists(volumes.ownEnded)).toBe(false);
    expect(await volumeExists(volumes.ownUnknown)).toBe(false);
    expect(await volumeExists(volumes.ownLive)).toBe(true);
    expect(await volumeExists(volumes.foreignUnknown)).toBe(true);
    expect(await imageExists(images.ownUnknown)).toBe(false);
    expect(await imageExists(images.ownLive)).toBe(true);
    expect(await imageExists(images.foreignEnded)).toBe(true);
    for (const name of [volumes.ownLive, volumes.foreignUnknown]) await docker.getVolume(name).remove();
    for (const tag of [images.ownLive, images.foreignEnded]) await docker.getImage(tag).remove();
  });

  it('removes run images whose run has ended, and keeps those of live or unknown runs and package images', async () => {
    const base = docker.getImage('debian:bookworm-slim');
    const tagFor = async (runId: string) => {
      await base.tag({ repo: 'tds-run', tag: runId });
      return `tds-run:${runId}`;
    };
    const imageExists = (tag: string) =>
      docker
        .getImage(tag)
        .inspect()
        .then(
          () => true,
          () => false,
        );
    const ended = await tagFor(await runIn('succeeded'));
    const live = await tagFor(await runIn('running'));
    const unknown = await tagFor(randomUUID());
    // A package image of this test's own, labelled as the image builder labels them: other files
    // build and remove package images on the same engine at the same time, so only this one's
    // fate says what the sweep did.
    const packages = await packageImage();

    const report = await service.housekeeper!.sweep();
    expect(report.images).toBeGreaterThanOrEqual(1);
    expect(await imageExists(ended)).toBe(false);
    expect(await imageExists(live)).toBe(true);
    expect(await imageExists(unknown)).toBe(true);
    expect(await imageExists('debian:bookworm-slim')).toBe(true);
    expect(await imageExists(packages)).toBe(true);
    await docker.getImage(packages).remove();
    for (const tag of [live, unknown]) await docker.getImage(tag).remove();
  });

  it('removes working folders of runs that have ended or are unknown', async () => {
    const runsDir = path.join(service.config.dataDir, 'runs');
    const live = await runIn('running');
    const stale = randomUUID();
    await mkdir(path.join(runsDir, live, 'context'), { recursive: true });
    await mkdir(path.join(runsDir, stale, 'context'), { recursive: true });
    await service.housekeeper!.sweep();
    const left = await readdir(runsDir);
    expect(left).toContain(live);
    expect(left).not.toContain(stale);
  });

  it('deletes the history of runs that ended before the retention period, and keeps the rest', async () => {
    const old = await runIn('succeeded', 40);
    const recent = await runIn('failed', 3);
    const retry = await runIn('succeeded', 1);
    await service.db.query('UPDATE runs SET retry_of = $2::uuid WHERE id = $1::uuid', [retry, old]);

    const report = await service.housekeeper!.sweep();
    expect(report.runsPruned).toBeGreaterThanOrEqual(1);
    expect((await service.request('GET', `/runs/${old}`)).status).toBe(404);
    expect((await service.request('GET', `/runs/${recent}`)).status).toBe(200);
    const kept = await service.request('GET', `/runs/${retry}`);
    expect(kept.status).toBe(200);
    expect(kept.body.retryOf).toBeNull();
    expect(await service.db.query('SELECT 1 FROM run_events WHERE run_id = $1::uuid', [old])).toEqual([]);
  });

  it('deletes events older than the retention period with their deliveries, unless one is pending', async () => {
    await recordEvents(service.db, [
      { type: 'run.failed', userId: 'pruned', data: { runId: 'old-delivered' } },
      { type: 'run.failed', userId: 'pruned', data: { runId: 'old-pending' } },
      { type: 'run.failed', userId: 'pruned', data: { runId: 'recent' } },
    ]);
    await service.db.query(
      `UPDATE events SET at = now() - interval '40 days' WHERE user_id = 'pruned' AND data ->> 'runId' LIKE 'old-%'`,
    );
    // Deliveries made here (none is due, so the sender leaves them alone): one still pending.
    const [endpoint] = await service.db.query<{ id: string }>(
      `INSERT INTO webhook_endpoints (id, user_id, url, event_types)
       VALUES (gen_random_uuid(), 'pruned', 'http://192.0.2.1/hook', '{run.failed}') RETURNING id`,
    );
    await service.db.query(
      `INSERT INTO webhook_deliveries (id, endpoint_id, event_id, state, next_attempt_at)
       SELECT gen_random_uuid(), $1::uuid, id,
              CASE WHEN data ->> 'runId' = 'old-pending' THEN 'pending' ELSE 'delivered' END,
              now() + interval '1 hour'
       FROM events WHERE user_id = 'pruned'`,
      [endpoint!.id],
    );
    await service.housekeeper!.sweep();
    const left = await service.db.query<{ run_id: string }>(
      `SELECT data ->> 'runId' AS run_id FROM events WHERE user_id = 'pruned' ORDER BY id`,
    );
    expect(left.map((row) => row.run_id)).toEqual(['old-pending', 'recent']);
    const deliveries = await service.db.query(
      'SELECT 1 FROM webhook_deliveries WHERE endpoint_id = $1::uuid',
      [endpoint!.id],
    );
    expect(deliveries).toHaveLength(2);
  });
});

describe('two installations on one Docker engine', () => {
  it("never remove each other's runs, even with the same worker id", async () => {
    // Worker ids default to the host name: two installations on one host share them.
    const workerId = uniqueName('same-host');
    const first = await startTestService({ workerId });
    try {
      const { body } = await first.request(
        'POST',
        '/jobs',
        jobBody(bucket, { command: 'sleep 600', network: 'bridge' }),
      );
      const runId = body.run.id as string;
      await first.waitForRun(runId, (state) => state === 'running');
      // The second installation's housekeeper sweeps when it starts, and here once more.
      const second = await startTestService({ workerId });
      try {
        expect(second.installationId).not.toBe(first.installationId);
        const ownLeftover = await leftoverContainer(randomUUID(), workerId, second.installationId);
        await second.housekeeper!.sweep();
        expect(await exists(ownLeftover)).toBe(false);
        const [container] = await docker.listContainers({ filters: { label: [`tds.run-id=${runId}`] } });
        expect(container?.State).toBe('running');
        const [networkName] = Object.keys(container!.NetworkSettings.Networks);
        expect(networkName).toMatch(/^tds-net-/);
        expect(
          await docker
            .getNetwork(networkName!)
            .inspect()
            .then(() => true),
        ).toBe(true);
      } finally {
        await second.close();
      }
      // Ended by its own installation: cancelled, not failed for a container that disappeared.
      expect((await first.request('POST', `/runs/${runId}/cancel`)).status).toBeLessThan(300);
      const run = await first.waitForRun(runId);
      expect(run.state, JSON.stringify(run.failure)).toBe('cancelled');
    } finally {
      await first.close();
    }
  });

  it("never adopt each other's containers, even one a run in the other's database points at", async () => {
    const first = await startTestService();
    try {
      const { body } = await first.request(
        'POST',
        '/jobs',
        jobBody(bucket, { command: 'sleep 10; echo mine', network: 'none' }),
      );
      await first.waitForRun(body.run.id as string, (state) => state === 'running');
      const [started] = await first.db.query<{ container_id: string }>(
        'SELECT container_id FROM runs WHERE id = $1::uuid',
        [body.run.id],
      );
      // Fencing is fencing.test.ts's: a heartbeat held up on a loaded machine must not make this worker stop its run.
      const second = await startTestService({ env: { TDS_LEASE_MS: '1500', TDS_FENCE_MS: '0' } });
      try {
        // As if the second's database held the first's run (a copy restored into it, say): a run
        // whose worker stopped heartbeating, its container on this engine.
        const { body: job } = await second.request(
          'POST',
          '/jobs',
          jobBody(bucket, { command: 'true', cron: '0 0 1 1 *' }),
        );
        const copy = randomUUID();
        await second.db.query(
          `INSERT INTO runs (id, job_id, state, trigger, spec, results_bucket, results_prefix, worker_id,
                             container_id, heartbeat_at)
           SELECT $1::uuid, id, 'running', 'manual', spec, $2, 'out/', 'gone-worker', $3, now() - interval '1 minute'
           FROM jobs WHERE id = $4::uuid`,
          [copy, bucket, started!.container_id, job.job.id],
        );
        const lost = await second.waitForRun(copy, undefined, 60_000);
        expect(lost.state).toBe('failed');
        expect(lost.failure.reason).toBe('infra_error');
        expect(lost.failure.message).toContain("the run's container could not be found");
      } finally {
        await second.close();
      }
      const run = await first.waitForRun(body.run.id as string);
      expect(run.state, JSON.stringify(run.failure)).toBe('succeeded');
      expect(await getText(bucket, `${run.results.prefix as string}stdout.log`)).toBe('mine\n');
    } finally {
      await first.close();
    }
  });
});
