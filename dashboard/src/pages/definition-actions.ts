import { html } from 'htm/preact';
import type { TargetedEvent } from 'preact';
import { useState } from 'preact/hooks';
import { answerOf, client, type Answer } from '../api.ts';

/**
 * The writes of a job or workflow, each to its own typed route. The bodies a person fills in are
 * sent as given: the service checks them and its refusal is shown.
 */
const writes = {
  patch: async (kind: 'job' | 'workflow', id: string, body: Record<string, unknown>) =>
    kind === 'job'
      ? answerOf(client.PATCH('/jobs/{id}', { params: { path: { id } }, body }))
      : answerOf(client.PATCH('/workflows/{id}', { params: { path: { id } }, body })),
  trigger: async (kind: 'job' | 'workflow', id: string, body: Record<string, unknown> = {}) =>
    kind === 'job'
      ? answerOf(client.POST('/jobs/{id}/trigger', { params: { path: { id } }, body }))
      : answerOf(client.POST('/workflows/{id}/trigger', { params: { path: { id } }, body })),
  pauseOrResume: async (kind: 'job' | 'workflow', id: string, what: 'pause' | 'resume') => {
    const path = { params: { path: { id } } };
    if (kind === 'job')
      return answerOf(
        what === 'pause' ? client.POST('/jobs/{id}/pause', path) : client.POST('/jobs/{id}/resume', path),
      );
    return answerOf(
      what === 'pause'
        ? client.POST('/workflows/{id}/pause', path)
        : client.POST('/workflows/{id}/resume', path),
    );
  },
  remove: async (kind: 'job' | 'workflow', id: string) =>
    kind === 'job'
      ? answerOf(client.DELETE('/jobs/{id}', { params: { path: { id } } }))
      : answerOf(client.DELETE('/workflows/{id}', { params: { path: { id } } })),
};
import { time } from '../format.ts';
import { ConfirmButton, Outcome, useWrite, type Said } from '../writes.ts';

type Job = Answer<'/jobs/{id}'>['job'];
type Workflow = Answer<'/workflows/{id}'>['workflow'];
type Schedule = NonNullable<Workflow['schedule']>;
/** A job or a workflow, with its kind. */
type Definition = { kind: 'job'; item: Job } | { kind: 'workflow'; item: Workflow };
/** How a part of the page makes a write and says what happened (useWrite). */
type Carry = ReturnType<typeof useWrite>['carry'];

/** Where a trigger's answer is shown: a job's run, or a workflow's workflow run. */
const STARTED: Record<Definition['kind'], (started: { id: string }) => Said> = {
  job: (run: { id: string }) => ({
    message: 'Run queued:',
    href: `/ui/runs/${run.id}`,
    linkText: `run ${run.id.slice(0, 8)}`,
  }),
  workflow: (run: { id: string }) => ({
    message: 'Workflow run started:',
    href: `/ui/workflow-runs/${run.id}`,
    linkText: `workflow run ${run.id.slice(0, 8)}`,
  }),
};

function nextFire(item: { schedule?: Pick<Schedule, 'nextFireTimes'> | null }) {
  const next = item.schedule?.nextFireTimes?.[0];
  return next ? ` Next fire: ${time(next)}.` : '';
}

/** A workflow's schedule in words, its timezone and next fire times (or that it runs on demand). */
interface ScheduleLineProps {
  schedule: Schedule | null;
}

export function ScheduleLine({ schedule }: ScheduleLineProps) {
  if (!schedule) return html`<p>On demand: no schedule; it runs when started (Run now, or the API).</p>`;
  return html`<p>
      <strong>${schedule.description}</strong
      >${' '}(<code>${schedule.cron}</code>${`, timezone ${schedule.timezone})`}${schedule.paused ? ' — paused' : ''}
    </p>
    <p>Next: ${(schedule.nextFireTimes ?? []).slice(0, 3).map(time).join(' · ') || '—'}</p>`;
}

/** The schedule's cron expression and timezone, changed with PATCH /jobs/:id (/workflows/:id). */
type ScheduleFormProps = Definition & {
  carry: Carry;
  onChanged: () => void;
};

function ScheduleForm({ kind, item, carry, onChanged }: ScheduleFormProps) {
  const [cron, setCron] = useState(item.schedule?.cron ?? '');
  const [timezone, setTimezone] = useState(item.schedule?.timezone ?? 'UTC');
  const save = (event: SubmitEvent) => {
    event.preventDefault();
    const change: { cron?: string; timezone?: string } = {};
    if (cron.trim()) change.cron = cron.trim();
    if (timezone.trim()) change.timezone = timezone.trim();
    carry(
      () => writes.patch(kind, item.id, change),
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
      <input
        name="cron"
        value=${cron}
        placeholder="*/5 * * * *"
        onInput=${(e: TargetedEvent<HTMLInputElement>) => setCron(e.currentTarget.value)}
    /></label>
    <label
      >Timezone
      <input
        name="timezone"
        value=${timezone}
        placeholder="Europe/Paris"
        onInput=${(e: TargetedEvent<HTMLInputElement>) => setTimezone(e.currentTarget.value)}
    /></label>
    <button type="submit">Save schedule</button>
  </form>`;
}

/**
 * What a job's or a workflow's owner changes from its page: the schedule, pause and resume, a run
 * now, and delete (asked first: it cannot be undone). Each says what happened.
 */
/** `NAME=value` lines as an env map, or the first line that is not one. */
function envLines(
  text: string,
): { env: Record<string, string>; problem?: undefined } | { env?: undefined; problem: string } {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const at = line.indexOf('=');
    if (at <= 0) return { problem: `"${line.trim()}" is not NAME=value` };
    env[line.slice(0, at).trim()] = line.slice(at + 1);
  }
  return { env };
}

/**
 * A trigger with overrides (POST …/trigger with a body): env values, another input folder, and a
 * workflow's declared params (sent as text, as `tds trigger --set` sends them; left empty, the
 * default). The service checks them as it checks a definition; its problems are shown as they come.
 */
type TriggerWithChangesProps = Definition & {
  carry: Carry;
  onChanged: () => void;
};

function TriggerWithChanges({ kind, item, carry, onChanged }: TriggerWithChangesProps) {
  // A workflow's declared params (docs/workflows.md).
  const params: [string, { type: string; default?: unknown }][] =
    kind === 'workflow' ? Object.entries(item.definition?.params ?? {}) : [];
  const prefix =
    kind === 'workflow' ? item.definition?.shared?.source_s3_prefix : item.spec?.source_s3_prefix;
  const submit = (event: TargetedEvent<HTMLFormElement, SubmitEvent>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body: { env?: Record<string, string>; source_s3_prefix?: string; params?: Record<string, string> } =
      {};
    const { env, problem } = envLines(String(form.get('env') ?? ''));
    if (env && Object.keys(env).length > 0) body.env = env;
    const source = String(form.get('source') ?? '').trim();
    if (source !== '') body.source_s3_prefix = source;
    const values: Record<string, string> = {};
    for (const [name] of params) {
      const value = String(form.get(`param-${name}`) ?? '');
      if (value !== '') values[name] = value;
    }
    if (params.length > 0) body.params = values;
    carry(
      () =>
        problem ? Promise.reject(new Error(`Environment: ${problem}`)) : writes.trigger(kind, item.id, body),
      (run) => {
        onChanged();
        return STARTED[kind](run);
      },
    );
  };
  return html`<details class="trigger-with">
    <summary>Run now with changes</summary>
    <form class="trigger-form" aria-label="Run now with changes" onSubmit=${submit}>
      ${params.map(
        ([name, declared]) =>
          html`<label
            >${name} <span class="detail">(${declared.type})</span>
            <input
              name=${`param-${name}`}
              placeholder=${declared.default === undefined ? 'required' : JSON.stringify(declared.default)}
          /></label>`,
      )}
      <label
        >Environment <span class="detail">(NAME=value, one a line)</span>
        <textarea name="env" rows="3"></textarea>
      </label>
      <label
        >Input folder
        <input name="source" placeholder=${prefix ?? ''} />
      </label>
      <button type="submit">Run with these changes</button>
    </form>
  </details>`;
}

type DefinitionActionsProps = Definition & {
  onChanged: () => void;
};

export function DefinitionActions({ kind, item, onChanged }: DefinitionActionsProps) {
  const { outcome, carry } = useWrite();
  if (item.deletedAt)
    return html`<p>
        This ${kind} was deleted ${time(item.deletedAt)}: it has no future runs; its history stays readable.
      </p>
      <${Outcome} outcome=${outcome} testid="write-outcome" />`;
  const schedule = item.schedule;
  const pauseOrResume = (what: 'pause' | 'resume') =>
    carry(
      () => writes.pauseOrResume(kind, item.id, what),
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
            () => writes.trigger(kind, item.id),
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
            () => writes.remove(kind, item.id),
            () => {
              onChanged();
              return { message: `Deleted ${kind} ${item.uniqueId}.` };
            },
          )}
      />
    </div>
    <${TriggerWithChanges} kind=${kind} item=${item} carry=${carry} onChanged=${onChanged} />
    <${Outcome} outcome=${outcome} testid="write-outcome" />
  </div>`;
}
