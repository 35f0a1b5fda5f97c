import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, post } from '../api.js';
import { time } from '../format.js';
import { ConfirmButton, Outcome, useWrite } from '../writes.js';

const ROUTES = { job: '/jobs', workflow: '/workflows' };

/** Where a trigger's answer is shown: a job's run, or a workflow's workflow run. */
const STARTED = {
  job: (run) => ({
    message: 'Run queued:',
    href: `/ui/runs/${run.id}`,
    linkText: `run ${run.id.slice(0, 8)}`,
  }),
  workflow: (run) => ({
    message: 'Workflow run started:',
    href: `/ui/workflow-runs/${run.id}`,
    linkText: `workflow run ${run.id.slice(0, 8)}`,
  }),
};

function nextFire(item) {
  const next = item.schedule?.nextFireTimes?.[0];
  return next ? ` Next fire: ${time(next)}.` : '';
}

/** A workflow's schedule in words, its timezone and next fire times (or that it runs on demand). */
export function ScheduleLine({ schedule }) {
  if (!schedule) return html`<p>On demand: no schedule; it runs when started (Run now, or the API).</p>`;
  return html`<p>
      <strong>${schedule.description}</strong>
      (<code>${schedule.cron}</code>${`, timezone ${schedule.timezone})`}${schedule.paused ? ' — paused' : ''}
    </p>
    <p>Next: ${(schedule.nextFireTimes ?? []).slice(0, 3).map(time).join(' · ') || '—'}</p>`;
}

/** The schedule's cron expression and timezone, changed with PATCH /jobs/:id (/workflows/:id). */
function ScheduleForm({ kind, item, carry, onChanged }) {
  const [cron, setCron] = useState(item.schedule?.cron ?? '');
  const [timezone, setTimezone] = useState(item.schedule?.timezone ?? 'UTC');
  const save = (event) => {
    event.preventDefault();
    const change = {};
    if (cron.trim()) change.cron = cron.trim();
    if (timezone.trim()) change.timezone = timezone.trim();
    carry(
      () => api('PATCH', `${ROUTES[kind]}/${item.id}`, change),
      (answer) => {
        onChanged();
        return {
          message: `Schedule changed: ${answer.schedule?.description ?? 'runs once'} (${answer.schedule?.timezone ?? timezone}).${nextFire(answer)}`,
        };
      },
    );
  };
  return html`<form class="filters schedule-form" onSubmit=${save}>
    <label
      >Cron
      <input name="cron" value=${cron} placeholder="*/5 * * * *" onInput=${(e) => setCron(e.target.value)}
    /></label>
    <label
      >Timezone
      <input
        name="timezone"
        value=${timezone}
        placeholder="Europe/Paris"
        onInput=${(e) => setTimezone(e.target.value)}
    /></label>
    <button type="submit">Save schedule</button>
  </form>`;
}

/**
 * What a job's or a workflow's owner changes from its page: the schedule, pause and resume, a run
 * now, and delete (asked first: it cannot be undone). Each says what happened.
 */
export function DefinitionActions({ kind, item, onChanged }) {
  const { outcome, carry } = useWrite();
  const base = `${ROUTES[kind]}/${item.id}`;
  if (item.deletedAt)
    return html`<p>
        This ${kind} was deleted ${time(item.deletedAt)}: it has no future runs; its history stays readable.
      </p>
      <${Outcome} outcome=${outcome} testid="write-outcome" />`;
  const schedule = item.schedule;
  const pauseOrResume = (what) =>
    carry(
      () => post(`${base}/${what}`),
      (answer) => {
        onChanged();
        return {
          message:
            what === 'pause'
              ? `Paused: no fire time is acted on until it is resumed.`
              : `Resumed.${nextFire(answer)}`,
        };
      },
    );
  return html`<div class="definition-actions">
    <${ScheduleForm}
      key=${`${schedule?.cron}|${schedule?.timezone}`}
      kind=${kind}
      item=${item}
      carry=${carry}
      onChanged=${onChanged}
    />
    <div class="actions">
      ${
        schedule &&
        (schedule.paused
          ? html`<button onClick=${() => pauseOrResume('resume')}>Resume</button>`
          : html`<button onClick=${() => pauseOrResume('pause')}>Pause</button>`)
      }
      <button
        onClick=${() =>
          carry(
            () => post(`${base}/trigger`),
            (run) => {
              onChanged();
              return STARTED[kind](run);
            },
          )}
      >
        Run now
      </button>
      <${ConfirmButton}
        label=${`Delete ${kind}`}
        question=${`Delete ${kind} ${item.uniqueId}? This cannot be undone: it will have no future runs and its queued runs are cancelled (runs under way finish; its history stays readable).`}
        confirmLabel=${`Yes, delete ${item.uniqueId}`}
        onConfirm=${() =>
          carry(
            () => api('DELETE', base),
            () => {
              onChanged();
              return { message: `Deleted ${kind} ${item.uniqueId}.` };
            },
          )}
      />
    </div>
    <${Outcome} outcome=${outcome} testid="write-outcome" />
  </div>`;
}
