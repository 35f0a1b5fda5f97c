import { html } from 'htm/preact';
import { answerOf, client, query, type Answer } from './api.ts';
import { LineChart } from './chart.ts';
import { duration } from './format.ts';
import { Problem, usePoll } from './router.ts';

const DAY = 86400;

/** Seconds of something (CPU, GB) in hours, or in seconds while under a hundredth of an hour. */
export function amount(seconds: number, what: string): string {
  if (seconds >= 36) return `${(seconds / 3600).toFixed(2)} ${what}-hours`;
  return `${seconds >= 1 || seconds === 0 ? seconds.toFixed(1) : seconds.toPrecision(2)} ${what}-seconds`;
}

/**
 * Every day of the report's range (from up to to) with its CPU (0 on a day of none), in hours, or
 * in seconds when no day comes to a hundredth of an hour (an axis of zeros says nothing).
 */
function perDay(report: Answer<'/usage'>): { unit: string; data: [number[], number[]] } {
  const used = new Map(report.groups.map((g) => [g.key, g.cpuSeconds]));
  const inHours = report.groups.some((g) => g.cpuSeconds >= 36);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let t = Date.parse(report.from) / 1000; t < Date.parse(report.to) / 1000; t += DAY) {
    xs.push(t);
    ys.push((used.get(new Date(t * 1000).toISOString().slice(0, 10)) ?? 0) / (inHours ? 3600 : 1));
  }
  return { unit: inHours ? 'CPU-hours' : 'CPU-seconds', data: [xs, ys] };
}

/**
 * What runs used per day over the last 7 days (GET /usage): CPU per day as a chart, and the week's
 * CPU, memory, runs and run time. `filter`: userId, and a jobId or workflowId.
 */
interface UsageChartProps {
  /** Whose usage: a user's (or every user's, for an operator), of one job or one workflow. */
  filter: { userId?: string; jobId?: string; workflowId?: string };
  /** What the usage is of, in words ("this job"), for the empty state. */
  what: string;
}

export function UsageChart({ filter, what }: UsageChartProps) {
  const { data, error } = usePoll(
    () =>
      answerOf(client.GET('/usage', { params: { query: query({ groupBy: 'day' as const, ...filter }) } })),
    30000,
    [filter.userId, filter.jobId, filter.workflowId],
  );
  const chart = data && perDay(data);
  const total = data?.total;
  return html`<section aria-labelledby="usage" data-testid="usage">
    <h2 id="usage">Usage, last 7 days</h2>
    <${Problem} error=${error} />
    ${
      total &&
      chart &&
      (total.runs === 0
        ? html`<p>
            No run of ${what} ended in the last 7 days. The CPU and memory its runs use, day by day, will show
            here.
          </p>`
        : html`<p data-testid="usage-total">
              ${`${amount(total.cpuSeconds, 'CPU')} · ${amount(total.memoryGbSeconds, 'GB')} · ${total.runs} ${total.runs === 1 ? 'run' : 'runs'} · ${duration(total.runSeconds)} run time`}
            </p>
            <div class="charts">
              <${LineChart}
                key=${chart.unit}
                title=${`${chart.unit} per day`}
                unit=${chart.unit}
                xTime=${true}
                data=${chart.data}
              />
            </div>`)
    }
  </section>`;
}
