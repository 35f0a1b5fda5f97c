import { html } from 'htm/preact';
import { get, query } from './api.js';
import { LineChart } from './chart.js';
import { duration } from './format.js';
import { Problem, usePoll } from './router.js';

const DAY = 86400;

/** Every day of the report's range (from up to to), with what was used on it (0 on a day of none). */
function perDay(report) {
  const used = new Map(report.groups.map((g) => [g.key, g.cpuSeconds / 3600]));
  const xs = [];
  const ys = [];
  for (let t = Date.parse(report.from) / 1000; t < Date.parse(report.to) / 1000; t += DAY) {
    xs.push(t);
    ys.push(used.get(new Date(t * 1000).toISOString().slice(0, 10)) ?? 0);
  }
  return [xs, ys];
}

const hours = (seconds) => (seconds / 3600).toFixed(seconds >= 36000 ? 1 : 3);

/**
 * What runs used per day over the last 7 days (GET /usage): CPU-hours as a chart, and the week's
 * CPU-hours, GB-hours, runs and run time. `filter`: userId, and a jobId or workflowId.
 */
export function UsageChart({ filter, what }) {
  const { data, error } = usePoll(() => get(`/usage${query({ groupBy: 'day', ...filter })}`), 30000, [
    filter.userId,
    filter.jobId,
    filter.workflowId,
  ]);
  return html`<section aria-labelledby="usage" data-testid="usage">
    <h2 id="usage">Usage, last 7 days</h2>
    <${Problem} error=${error} />
    ${
      data &&
      (data.total.runs === 0
        ? html`<p>
            No run of ${what} ended in the last 7 days. The CPU-hours and GB-hours of memory its runs use, day
            by day, will show here.
          </p>`
        : html`<p data-testid="usage-total">
              ${hours(data.total.cpuSeconds)} CPU-hours · ${hours(data.total.memoryGbSeconds)} GB-hours ·
              ${data.total.runs} ${data.total.runs === 1 ? 'run' : 'runs'} ·
              ${duration(data.total.runSeconds)} run time
            </p>
            <div class="charts">
              <${LineChart} title="CPU-hours per day" unit="CPU-hours" xTime=${true} data=${perDay(data)} />
            </div>`)
    }
  </section>`;
}
