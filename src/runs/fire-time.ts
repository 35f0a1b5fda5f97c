import type { JobSpec } from '../jobs/job-spec.js';

/**
 * The dates of a run's fire, filled in by the service as each run starts, so a stored definition
 * reads the same on any day and each fire gets its own: `${TODAY}` and `${NOW}` in the fields a
 * run's command reads (FIRE_TIME_FIELDS), and TDS_SCHEDULED_FOR and TDS_RUN_DATE in its
 * container's environment. The instant is the fire time of a scheduled run, the queue time of
 * any other (src/runs/fire-instant.ts says which for retries and workflow steps).
 */
export interface FireTime {
  /** `${NOW}` and TDS_SCHEDULED_FOR: the instant in ISO 8601 UTC, to the second (`2026-03-04T05:06:07Z`). */
  now: string;
  /** `${TODAY}` and TDS_RUN_DATE: the instant's date (YYYY-MM-DD) in the definition's timezone. */
  today: string;
}

/** The fields of a run whose `${TODAY}` and `${NOW}` are filled in (the documentation names the same). */
export const FIRE_TIME_FIELDS = ['command', 'args', 'env values'] as const;

/** The fire time of `at`, its date read in `timezone` (an IANA name the definition was checked to hold). */
export function fireTime(at: Date, timezone: string): FireTime {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    now: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    today: `${part('year')}-${part('month')}-${part('day')}`,
  };
}

/**
 * `${TODAY}` and `${NOW}` in `text` filled in; `$${TODAY}` and `$${NOW}` kept as `${TODAY}` and
 * `${NOW}` (the escape tds uses for its own values); any other `${NAME}` left as written (the
 * command's own shell variables).
 */
export function fillFireTime(text: string, time: FireTime): string {
  return text.replace(/\$(\$?)\{(TODAY|NOW)\}/g, (whole, escaped: string, name: string) => {
    if (escaped) return whole.slice(1);
    return name === 'TODAY' ? time.today : time.now;
  });
}

/** The spec a run starts with: its stored spec, `${TODAY}` and `${NOW}` filled in FIRE_TIME_FIELDS. */
export function specAtFireTime(spec: JobSpec, time: FireTime): JobSpec {
  const fill = (text: string) => fillFireTime(text, time);
  return {
    ...spec,
    command: spec.command === null ? null : fill(spec.command),
    args: spec.args === null ? null : typeof spec.args === 'string' ? fill(spec.args) : spec.args.map(fill),
    env: Object.fromEntries(Object.entries(spec.env).map(([name, value]) => [name, fill(value)])),
  };
}

/** The fire time as the container's environment has it (`NAME=value`). */
export function fireTimeEnv(time: FireTime): string[] {
  return [`TDS_SCHEDULED_FOR=${time.now}`, `TDS_RUN_DATE=${time.today}`];
}
