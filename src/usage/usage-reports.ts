import type { SqlExecutor } from '../../services/db/database.js';
import { ValidationError } from '../errors.js';
import { isUuid } from '../ids.js';
import {
  readUsage,
  todayUtc,
  USAGE_GROUPINGS,
  type UsageGrouping,
  type UsageSums,
} from './usage-repository.js';

/** What GET /usage is asked, as it came (each checked here, in one place, for the API and its clients). */
export interface UsageQuery {
  from?: string;
  to?: string;
  groupBy?: string;
  jobId?: string;
  workflowId?: string;
}

export interface UsageFigures {
  runs: number;
  runSeconds: number;
  cpuSeconds: number;
  /** GB here is 2^30 bytes (GiB), as memory limits are counted. */
  memoryGbSeconds: number;
  memoryByteSeconds: number;
}

export interface UsageReport {
  from: string;
  to: string;
  groupBy: UsageGrouping;
  userId: string | null;
  groups: (UsageFigures & { key: string; uniqueId: string | null; userId: string | null })[];
  /** More groups than TDS_USAGE_MAX_GROUPS: the rest are left out of `groups` (never of `total`). */
  truncated: boolean;
  total: UsageFigures;
}

export interface UsageReports {
  /** `userId`: whose usage (already confined to the caller's own); undefined: every user's. */
  report(userId: string | undefined, query: UsageQuery): Promise<UsageReport>;
}

export interface UsageLimits {
  /** The most days one report may cover. */
  maxRangeDays: number;
  /** The most groups one report answers. */
  maxGroups: number;
}

/** The days a report covers without from and to: the last seven, today (UTC) included. */
export const DEFAULT_RANGE_DAYS = 7;
const DAY_MS = 86_400_000;
const GIB = 1024 ** 3;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date (YYYY-MM-DD) as milliseconds at its UTC midnight, or a 400 saying what is wrong. */
export function parseDay(name: string, value: string): number {
  const match = DATE.exec(value);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
  if (!match || Number.isNaN(ms) || formatDay(ms) !== value) {
    throw new ValidationError(
      `${name} must be a date as YYYY-MM-DD (a day in UTC, e.g. 2025-01-31); got ${JSON.stringify(value.slice(0, 40))}`,
    );
  }
  return ms;
}

export function formatDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The range asked for, checked: from before to, at most maxRangeDays apart. */
export function usageRange(
  query: Pick<UsageQuery, 'from' | 'to'>,
  today: string,
  maxRangeDays: number,
): { from: string; to: string } {
  const to = query.to !== undefined ? parseDay('to', query.to) : parseDay('today', today) + DAY_MS;
  const from = query.from !== undefined ? parseDay('from', query.from) : to - DEFAULT_RANGE_DAYS * DAY_MS;
  if (from >= to) {
    throw new ValidationError(
      `from (${formatDay(from)}) must be before to (${formatDay(to)}): to is the day after the last one counted`,
    );
  }
  const days = Math.round((to - from) / DAY_MS);
  if (days > maxRangeDays) {
    throw new ValidationError(
      `from ${formatDay(from)} to ${formatDay(to)} is ${days} days; a report covers at most ${maxRangeDays} (TDS_USAGE_MAX_RANGE_DAYS): ask for a shorter range, or several`,
    );
  }
  return { from: formatDay(from), to: formatDay(to) };
}

export function parseGrouping(value: string | undefined): UsageGrouping {
  if (value === undefined) return 'day';
  if ((USAGE_GROUPINGS as readonly string[]).includes(value)) return value as UsageGrouping;
  throw new ValidationError(
    `groupBy ${JSON.stringify(value.slice(0, 40))} is not one of ${USAGE_GROUPINGS.join(', ')}`,
  );
}

const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;

export function figures(sums: UsageSums): UsageFigures {
  return {
    runs: sums.runs,
    runSeconds: round(sums.runSeconds, 3),
    cpuSeconds: round(sums.cpuSeconds, 3),
    memoryGbSeconds: round(sums.memoryByteSeconds / GIB, 6),
    memoryByteSeconds: Math.round(sums.memoryByteSeconds),
  };
}

export function createUsageReports(db: SqlExecutor, limits: UsageLimits): UsageReports {
  return {
    async report(userId, query) {
      const groupBy = parseGrouping(query.groupBy);
      for (const [name, id] of [
        ['jobId', query.jobId],
        ['workflowId', query.workflowId],
      ] as const) {
        if (id !== undefined && !isUuid(id)) {
          throw new ValidationError(
            `${name} must be a ${name.slice(0, -2)}'s id (a UUID); got ${JSON.stringify(id.slice(0, 40))}`,
          );
        }
      }
      const today = query.to === undefined ? await todayUtc(db) : '';
      const { from, to } = usageRange(query, today, limits.maxRangeDays);
      const read = await readUsage(db, {
        userId,
        from,
        to,
        groupBy,
        jobId: query.jobId,
        workflowId: query.workflowId,
        maxGroups: limits.maxGroups,
      });
      return {
        from,
        to,
        groupBy,
        userId: userId ?? null,
        groups: read.groups.map(({ key, uniqueId, userId: owner, ...sums }) => ({
          key,
          uniqueId,
          userId: owner,
          ...figures(sums),
        })),
        truncated: read.truncated,
        total: figures(read.total),
      };
    },
  };
}
