import type { SqlExecutor } from '../../services/db/database.js';
import { activeRunsOfWorkerSql } from '../runs/leases.js';

/** The workers table (migration 025): each worker's presence, offer and drain request. */

export type WorkerState = 'active' | 'draining' | 'gone';

/** What a worker says of itself when it starts. */
export interface WorkerAdvert {
  id: string;
  host: string;
  /** TDS_WORKER_TAGS and its platform. */
  tags: string[];
  platform: string;
  version: string;
  /** Runs it takes on at once (TDS_MAX_CONCURRENT_RUNS). */
  capacity: number;
  /** What its runs under way may ask for together (TDS_WORKER_CPUS, TDS_WORKER_MEMORY_MB). */
  cpus: number;
  memoryMb: number;
}

export interface WorkerRecord extends Omit<WorkerAdvert, 'cpus' | 'memoryMb'> {
  /** Null for a worker of an earlier release, which did not say. */
  cpus: number | null;
  memoryMb: number | null;
  state: WorkerState;
  /** Runs it is staging, building, running or uploading now. */
  runsInHand: number;
  startedAt: Date;
  lastHeartbeatAt: Date;
  stoppedAt: Date | null;
  drainRequestedAt: Date | null;
}

/**
 * A worker's state from its row, by the database's clock: gone once stopped or silent for longer
 * than the lease (its runs may then be taken over), else draining while a drain is requested.
 */
const stateSql = (leaseParam: string) => `CASE
    WHEN w.stopped_at IS NOT NULL OR w.heartbeat_at < now() - make_interval(secs => ${leaseParam}::float8 / 1000)
      THEN 'gone'
    WHEN w.drain_requested_at IS NOT NULL THEN 'draining'
    ELSE 'active' END`;

const SELECT_WORKERS = (leaseParam: string) => `SELECT w.*, ${stateSql(leaseParam)} AS state,
    ${activeRunsOfWorkerSql('w.id')} AS runs_in_hand
  FROM workers w`;

type Row = Record<string, unknown>;

function toWorker(row: Row): WorkerRecord {
  return {
    id: row.id as string,
    host: row.host as string,
    tags: row.tags as string[],
    platform: row.platform as string,
    version: row.version as string,
    capacity: row.capacity as number,
    cpus: row.cpus === null ? null : Number(row.cpus),
    memoryMb: row.memory_mb === null ? null : Number(row.memory_mb),
    state: row.state as WorkerState,
    runsInHand: row.runs_in_hand as number,
    startedAt: row.started_at as Date,
    lastHeartbeatAt: row.heartbeat_at as Date,
    stoppedAt: (row.stopped_at as Date | null) ?? null,
    drainRequestedAt: (row.drain_requested_at as Date | null) ?? null,
  };
}

/**
 * Records a worker starting: its offer is replaced, its heartbeat is now; a drain requested
 * before it restarted still holds. Returns whether it is draining.
 */
export async function registerWorker(db: SqlExecutor, advert: WorkerAdvert): Promise<{ draining: boolean }> {
  const rows = await db.query<{ draining: boolean }>(
    `INSERT INTO workers (id, host, tags, platform, version, capacity, cpus, memory_mb)
     VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7::numeric, $8::bigint)
     ON CONFLICT (id) DO UPDATE SET host = excluded.host, tags = excluded.tags,
       platform = excluded.platform, version = excluded.version, capacity = excluded.capacity,
       cpus = excluded.cpus, memory_mb = excluded.memory_mb,
       started_at = now(), heartbeat_at = now(), stopped_at = NULL
     RETURNING drain_requested_at IS NOT NULL AS draining`,
    [
      advert.id,
      advert.host,
      JSON.stringify(advert.tags),
      advert.platform,
      advert.version,
      advert.capacity,
      String(advert.cpus),
      String(advert.memoryMb),
    ],
  );
  return { draining: rows[0]?.draining ?? false };
}

/** The worker is alive; returns whether it is asked to drain, or undefined when it has no row. */
export async function heartbeatWorker(
  db: SqlExecutor,
  id: string,
): Promise<{ draining: boolean } | undefined> {
  const rows = await db.query<{ draining: boolean }>(
    `UPDATE workers SET heartbeat_at = now(), stopped_at = NULL WHERE id = $1
     RETURNING drain_requested_at IS NOT NULL AS draining`,
    [id],
  );
  return rows[0];
}

/** The worker stopped on its own (shutdown): it is gone at once, not a lease later. */
export async function markWorkerStopped(db: SqlExecutor, id: string): Promise<void> {
  await db.query('UPDATE workers SET stopped_at = now() WHERE id = $1', [id]);
}

/**
 * An operator retires a worker that is gone without having stopped (it died, or its host is lost):
 * it is recorded stopped, so that its silence no longer counts as a heartbeat overdue. Only one
 * silent for `leaseMs`; false when there is no such worker, or it heartbeat since.
 */
export async function retireWorker(db: SqlExecutor, id: string, leaseMs: number): Promise<boolean> {
  const rows = await db.query(
    `UPDATE workers SET stopped_at = now()
     WHERE id = $1 AND stopped_at IS NULL AND heartbeat_at < now() - make_interval(secs => $2::float8 / 1000)
     RETURNING id`,
    [id, leaseMs],
  );
  return rows.length > 0;
}

/** Every worker known, live ones first, then by id. */
export async function listWorkers(db: SqlExecutor, leaseMs: number): Promise<WorkerRecord[]> {
  const rows = await db.query(`${SELECT_WORKERS('$1')} ORDER BY (${stateSql('$1')}) = 'gone', w.id`, [
    leaseMs,
  ]);
  return rows.map(toWorker);
}

export async function getWorker(
  db: SqlExecutor,
  id: string,
  leaseMs: number,
): Promise<WorkerRecord | undefined> {
  const rows = await db.query(`${SELECT_WORKERS('$1')} WHERE w.id = $2`, [leaseMs, id]);
  return rows[0] ? toWorker(rows[0]) : undefined;
}

/** Asks a worker to drain (`drain`) or to claim again; false when no worker has that id. */
export async function setDrain(db: SqlExecutor, id: string, drain: boolean): Promise<boolean> {
  const rows = await db.query(
    drain
      ? 'UPDATE workers SET drain_requested_at = coalesce(drain_requested_at, now()) WHERE id = $1 RETURNING id'
      : 'UPDATE workers SET drain_requested_at = NULL WHERE id = $1 RETURNING id',
    [id],
  );
  return rows.length > 0;
}

/** What a worker that claims now offers: its tags, and its CPUs and memory (null: it does not say). */
export interface ClaimingOffer {
  tags: string[];
  cpus: number | null;
  memoryMb: number | null;
}

/**
 * The offers of workers that claim now (live and not draining), as one JSON array: an expression
 * another statement can carry (a job's submit reads them with its insert), read by toClaimingOffers.
 */
export const claimingOffersSql = (leaseParam: string) =>
  `(SELECT coalesce(jsonb_agg(jsonb_build_object('tags', w.tags, 'cpus', w.cpus, 'memory_mb', w.memory_mb)), '[]'::jsonb)
    FROM workers w WHERE ${stateSql(leaseParam)} = 'active')`;

export function toClaimingOffers(value: unknown): ClaimingOffer[] {
  return (value as { tags: string[]; cpus: number | null; memory_mb: number | null }[]).map((offer) => ({
    tags: offer.tags,
    cpus: offer.cpus === null ? null : Number(offer.cpus),
    memoryMb: offer.memory_mb === null ? null : Number(offer.memory_mb),
  }));
}

/** The offers of workers that claim now: live and not draining. */
export async function claimingOffers(db: SqlExecutor, leaseMs: number): Promise<ClaimingOffer[]> {
  const rows = await db.query<{ offers: unknown }>(`SELECT ${claimingOffersSql('$1')} AS offers`, [leaseMs]);
  return toClaimingOffers(rows[0]!.offers);
}

/** Of `tags`, those no worker has ever advertised. */
export async function neverAdvertised(db: SqlExecutor, tags: string[]): Promise<string[]> {
  if (tags.length === 0) return [];
  const rows = await db.query<{ tag: string }>(
    `SELECT t.tag FROM jsonb_array_elements_text($1::jsonb) t(tag)
     WHERE NOT EXISTS (SELECT 1 FROM workers w WHERE w.tags @> jsonb_build_array(t.tag))
     ORDER BY t.tag`,
    [JSON.stringify(tags)],
  );
  return rows.map((row) => row.tag);
}

/**
 * Forgets workers gone (stopped, or silent) for longer than `days`: a fleet whose hosts come and
 * go (worker ids from host names) would otherwise list every host it ever had.
 */
export async function forgetGoneWorkers(db: SqlExecutor, days: number): Promise<number> {
  const rows = await db.query(
    `DELETE FROM workers WHERE coalesce(stopped_at, heartbeat_at) < now() - make_interval(days => $1::int)
     RETURNING id`,
    [days],
  );
  return rows.length;
}

/**
 * How long ago the worker heard from least recently sent its heartbeat, among workers that have
 * not stopped (a worker that died without stopping counts until it starts again or is forgotten);
 * 0 when there is none.
 */
export async function oldestHeartbeatAgeSeconds(db: SqlExecutor): Promise<number> {
  const [row] = await db.query<{ age: string | number | null }>(
    'SELECT extract(epoch FROM now() - min(heartbeat_at)) AS age FROM workers WHERE stopped_at IS NULL',
  );
  return Math.max(0, Number(row?.age ?? 0));
}
