import { EmptyState } from '../empty-state.ts';
import { html } from 'htm/preact';
import type { TargetedEvent } from 'preact';
import { useState } from 'preact/hooks';
import { answerOf, client, type Answer } from '../api.ts';
import { time } from '../format.ts';
import { Problem, usePoll } from '../router.ts';
import { Outcome, useWrite } from '../writes.ts';

function Keys() {
  const keys = usePoll(() => answerOf(client.GET('/admin/keys')), 15000, []);
  const [userId, setUserId] = useState('');
  const [name, setName] = useState('');
  const [operator, setOperator] = useState(false);
  const [created, setCreated] = useState<Answer<'/admin/keys', 'post'>>();
  const [problem, setProblem] = useState<Error>();
  const create = async (event: SubmitEvent) => {
    event.preventDefault();
    try {
      const body = operator ? { operator: true, name } : { userId, name };
      setCreated(await answerOf(client.POST('/admin/keys', { body })));
      setProblem(undefined);
      keys.reload();
    } catch (error) {
      setProblem(error as Error);
    }
  };
  return html`<section aria-labelledby="keys">
    <h2 id="keys">API keys</h2>
    <form class="filters" onSubmit=${create}>
      <label
        >${'User '}<input
          value=${userId}
          disabled=${operator}
          onInput=${(e: TargetedEvent<HTMLInputElement>) => setUserId(e.currentTarget.value)}
      /></label>
      <label
        >${'Name '}<input
          value=${name}
          onInput=${(e: TargetedEvent<HTMLInputElement>) => setName(e.currentTarget.value)}
      /></label>
      <label
        ><input
          type="checkbox"
          checked=${operator}
          onChange=${(e: TargetedEvent<HTMLInputElement>) => setOperator(e.currentTarget.checked)}
        />
        operator key</label
      >
      <button type="submit">Create key</button>
    </form>
    <${Problem} error=${problem} />
    ${
      created &&
      html`<div class="created" role="status">
        <p>The new key, shown this once only: copy it now.</p>
        <code data-testid="new-key">${created.key}</code>
        <button onClick=${() => setCreated(undefined)}>Done</button>
      </div>`
    }
    <${Problem} error=${keys.error} />
    ${
      keys.data &&
      html`<table class="cards">
        <thead>
          <tr>
            <th>key</th>
            <th>user</th>
            <th>name</th>
            <th>created</th>
            <th>last used</th>
            <th><span class="sr-only">actions</span></th>
          </tr>
        </thead>
        <tbody>
          ${keys.data.keys.map(
            (key) =>
              html`<tr>
                <td data-label="key"><code>${key.hint}…</code></td>
                <td data-label="user">${key.operator ? 'operator' : key.userId}</td>
                <td data-label="name">${key.name}</td>
                <td data-label="created">${time(key.createdAt)}</td>
                <td data-label="last used">${time(key.lastUsedAt)}</td>
                <td>
                  ${
                    key.revokedAt
                      ? `revoked ${time(key.revokedAt)}`
                      : html`<button
                          aria-label=${`Revoke key ${key.hint}`}
                          onClick=${() => answerOf(client.DELETE('/admin/keys/{id}', { params: { path: { id: key.id } } })).then(keys.reload, setProblem)}
                        >
                          Revoke
                        </button>`
                  }
                </td>
              </tr>`,
          )}
        </tbody>
      </table>`
    }
  </section>`;
}

type User = Answer<'/admin/users'>['users'][number];
type Worker = Answer<'/admin/workers'>['workers'][number];

interface UserFieldsProps {
  /** The user's settings as stored (none yet, for a user being added). */
  user: Pick<User, 'allowedBuckets'> & { ceilings: Partial<User['ceilings']> };
  /** Makes the fields' ids unique on the page. */
  prefix: string;
}

/** The fields of a user's ceilings and allow-list; empty means the service's default. */
function UserFields({ user, prefix }: UserFieldsProps) {
  const field = (name: string, label: string, value: number | null | undefined, step?: string) =>
    html`<label
      >${label} <input name=${name} id=${`${prefix}-${name}`} type="number" step=${step} value=${value ?? ''}
    /></label>`;
  return html`<label
      >Buckets (bucket or bucket/prefix/, comma-separated)
      <input name="buckets" value=${user.allowedBuckets.join(', ')}
    /></label>
    ${field('maxCpus', 'Max CPUs', user.ceilings.maxCpus, '0.1')}
    ${field('maxMemoryMb', 'Max memory (MB)', user.ceilings.maxMemoryMb)}
    ${field('maxTimeoutSeconds', 'Max timeout (s)', user.ceilings.maxTimeoutSeconds)}
    ${field('maxConcurrentRuns', 'Max concurrent runs', user.ceilings.maxConcurrentRuns)}`;
}

/** PUT /admin/users/:userId from one of the user forms. */
function userChange(form: FormData) {
  const number = (name: string) => (form.get(name) === '' ? null : Number(form.get(name)));
  return {
    allowedBuckets: String(form.get('buckets'))
      .split(/[\s,]+/)
      .filter(Boolean),
    maxCpus: number('maxCpus'),
    maxMemoryMb: number('maxMemoryMb'),
    maxTimeoutSeconds: number('maxTimeoutSeconds'),
    maxConcurrentRuns: number('maxConcurrentRuns'),
  };
}

const savedMessage = (userId: string, saved: Answer<'/admin/users/{userId}', 'put'>) => {
  const c = saved.effectiveCeilings ?? {};
  return `Saved ${userId}: ${c.maxCpus} CPUs, ${c.maxMemoryMb} MB, ${c.maxTimeoutSeconds} s, ${c.maxConcurrentRuns} runs at once; buckets ${(saved.allowedBuckets ?? []).join(', ') || 'none'}.`;
};

function Users() {
  const users = usePoll(() => answerOf(client.GET('/admin/users')), 15000, []);
  const [editing, setEditing] = useState<string>();
  const { outcome, carry } = useWrite();
  const save = (userId: string) => async (event: TargetedEvent<HTMLFormElement, SubmitEvent>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const answer = await carry(
      () =>
        answerOf(
          client.PUT('/admin/users/{userId}', {
            params: { path: { userId } },
            body: userChange(new FormData(form)),
          }),
        ),
      (saved) => ({ message: savedMessage(userId, saved) }),
    );
    if (answer) {
      setEditing(undefined);
      users.reload();
    }
  };
  const blank: UserFieldsProps['user'] = { allowedBuckets: [], ceilings: {} };
  return html`<section aria-labelledby="users">
    <h2 id="users">Users: ceilings and bucket allow-lists</h2>
    <${Problem} error=${users.error} />
    ${
      users.data &&
      html`<div class="scroll">
        <table class="cards">
          <thead>
            <tr>
              <th>user</th>
              <th>buckets</th>
              <th>CPUs</th>
              <th>memory (MB)</th>
              <th>timeout (s)</th>
              <th>concurrent runs</th>
              <th><span class="sr-only">actions</span></th>
            </tr>
          </thead>
          <tbody>
            ${users.data.users.map((u) =>
              editing === u.userId
                ? html`<tr class="editing">
                    <td colspan="7">
                      <form
                        class="user-form in-place"
                        aria-label=${`Edit ${u.userId}`}
                        onSubmit=${save(u.userId)}
                      >
                        <strong>${u.userId}</strong>
                        <${UserFields} user=${u} prefix=${`edit-${u.userId}`} />
                        <button type="submit">Save</button>
                        <button type="button" onClick=${() => setEditing(undefined)}>Cancel editing</button>
                      </form>
                    </td>
                  </tr>`
                : html`<tr>
                    <td data-label="user">${u.userId}</td>
                    <td data-label="buckets">${u.allowedBuckets.join(', ') || '—'}</td>
                    <td data-label="CPUs">${u.effectiveCeilings.maxCpus}</td>
                    <td data-label="memory (MB)">${u.effectiveCeilings.maxMemoryMb}</td>
                    <td data-label="timeout (s)">${u.effectiveCeilings.maxTimeoutSeconds}</td>
                    <td data-label="concurrent runs">${u.effectiveCeilings.maxConcurrentRuns}</td>
                    <td>
                      <button aria-label=${`Edit ${u.userId}`} onClick=${() => setEditing(u.userId)}>
                        Edit
                      </button>
                    </td>
                  </tr>`,
            )}
          </tbody>
        </table>
      </div>`
    }
    <${Outcome} outcome=${outcome} testid="user-outcome" />
    <form
      class="user-form"
      onSubmit=${(event: TargetedEvent<HTMLFormElement, SubmitEvent>) =>
        save(String(new FormData(event.currentTarget).get('userId')))(event)}
    >
      <h3>Add a user (or change one by name)</h3>
      <label>User <input name="userId" required /></label>
      <${UserFields} user=${blank} prefix="new" />
      <button type="submit">Save</button>
    </form>
  </section>`;
}

function Workers() {
  const { data, error, reload } = usePoll(() => answerOf(client.GET('/admin/workers')), 5000, []);
  const { outcome, carry } = useWrite();
  const said = {
    drain: (w: Worker) =>
      `Worker ${w.id} is draining: it claims no new run and finishes the ${w.runsInHand} it holds.`,
    undrain: (w: Worker) => `Worker ${w.id} claims runs again.`,
    retire: (w: Worker) => `Worker ${w.id} is retired: recorded stopped; it is live again if it starts.`,
  };
  const act = (worker: { id: string }, what: keyof typeof said) =>
    carry(
      () => {
        const params = { params: { path: { id: worker.id } } };
        return answerOf(
          what === 'drain'
            ? client.POST('/admin/workers/{id}/drain', params)
            : what === 'undrain'
              ? client.POST('/admin/workers/{id}/undrain', params)
              : client.POST('/admin/workers/{id}/retire', params),
        );
      },
      (answer) => {
        reload();
        return { message: said[what](answer) };
      },
    );
  return html`<section aria-labelledby="workers">
    <h2 id="workers">Workers</h2>
    <${Problem} error=${error} />
    ${
      data &&
      (data.workers ?? []).length === 0 &&
      html`<${EmptyState}
        commands=${['TDS_ROLES=worker DATABASE_URL=… npm start   # on each host with Docker']}
      >
        No worker has reported. Each worker process (a service started with the worker role) is listed
        here with its heartbeat, the runs in hand and its tags; until one runs, queued runs wait. Start one:
      </${EmptyState}>`
    }
    ${
      data &&
      (data.workers ?? []).length > 0 &&
      html`<div class="scroll">
        <table class="cards">
          <thead>
            <tr>
              <th>worker</th>
              <th>host</th>
              <th>last heartbeat</th>
              <th>runs in hand</th>
              <th>tags</th>
              <th>state</th>
              <th><span class="sr-only">actions</span></th>
            </tr>
          </thead>
          <tbody>
            ${(data.workers ?? []).map(
              (w) =>
                html`<tr>
                  <td data-label="worker">${w.id}</td>
                  <td data-label="host">${w.host}</td>
                  <td data-label="last heartbeat">${time(w.lastHeartbeatAt)}</td>
                  <td data-label="runs in hand">${`${w.runsInHand} of ${w.capacity}`}</td>
                  <td data-label="tags">${w.tags.join(', ')}</td>
                  <td data-label="state" data-testid=${`worker-state-${w.id}`}>
                    ${w.drained ? 'drained' : w.state}
                  </td>
                  <td>
                    ${
                      w.state === 'active'
                        ? html`<button aria-label=${`Drain ${w.id}`} onClick=${() => act(w, 'drain')}>
                            Drain
                          </button>`
                        : w.state === 'draining'
                          ? html`<button aria-label=${`Undrain ${w.id}`} onClick=${() => act(w, 'undrain')}>
                              Undrain
                            </button>`
                          : !w.stoppedAt
                            ? html`<button
                                aria-label=${`Retire ${w.id}`}
                                title="Gone without stopping: record it stopped, so its silence no longer raises the heartbeat alert"
                                onClick=${() => act(w, 'retire')}
                              >
                                Retire
                              </button>`
                            : null
                    }
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>`
    }
    <${Outcome} outcome=${outcome} testid="worker-outcome" />
  </section>`;
}

interface OperatorsPageProps {
  me: Answer<'/whoami'>;
}

export function OperatorsPage({ me }: OperatorsPageProps) {
  if (!me.operator)
    return html`<h1>Operators</h1>
      <p>This page needs an operator key.</p>`;
  return html`<h1>Operators</h1>
    <${Keys} /><${Users} /><${Workers} />`;
}
