import { EmptyState } from '../empty-state.js';
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, get, post } from '../api.js';
import { time } from '../format.js';
import { Problem, usePoll } from '../router.js';

function Keys() {
  const keys = usePoll(() => get('/admin/keys'), 15000, []);
  const [userId, setUserId] = useState('');
  const [name, setName] = useState('');
  const [operator, setOperator] = useState(false);
  const [created, setCreated] = useState();
  const [problem, setProblem] = useState();
  const create = async (event) => {
    event.preventDefault();
    try {
      const body = operator ? { operator: true, name } : { userId, name };
      setCreated(await post('/admin/keys', body));
      setProblem(undefined);
      keys.reload();
    } catch (error) {
      setProblem(error);
    }
  };
  return html`<section aria-labelledby="keys">
    <h2 id="keys">API keys</h2>
    <form class="filters" onSubmit=${create}>
      <label
        >User <input value=${userId} disabled=${operator} onInput=${(e) => setUserId(e.target.value)}
      /></label>
      <label>Name <input value=${name} onInput=${(e) => setName(e.target.value)} /></label>
      <label
        ><input type="checkbox" checked=${operator} onChange=${(e) => setOperator(e.target.checked)} />
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
      html`<table>
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
                <td><code>${key.hint}…</code></td>
                <td>${key.operator ? 'operator' : key.userId}</td>
                <td>${key.name}</td>
                <td>${time(key.createdAt)}</td>
                <td>${time(key.lastUsedAt)}</td>
                <td>
                  ${
                    key.revokedAt
                      ? `revoked ${time(key.revokedAt)}`
                      : html`<button
                          aria-label=${`Revoke key ${key.hint}`}
                          onClick=${() => api('DELETE', `/admin/keys/${key.id}`).then(keys.reload, setProblem)}
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

function Users() {
  const users = usePoll(() => get('/admin/users'), 15000, []);
  const [editing, setEditing] = useState();
  const [problem, setProblem] = useState();
  const save = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const number = (name) => (form.get(name) === '' ? null : Number(form.get(name)));
    try {
      await api('PUT', `/admin/users/${encodeURIComponent(form.get('userId'))}`, {
        allowedBuckets: String(form.get('buckets'))
          .split(/[\s,]+/)
          .filter(Boolean),
        maxCpus: number('maxCpus'),
        maxMemoryMb: number('maxMemoryMb'),
        maxTimeoutSeconds: number('maxTimeoutSeconds'),
        maxConcurrentRuns: number('maxConcurrentRuns'),
      });
      setEditing(undefined);
      setProblem(undefined);
      users.reload();
    } catch (error) {
      setProblem(error);
    }
  };
  const user = editing ?? { userId: '', allowedBuckets: [], ceilings: {} };
  return html`<section aria-labelledby="users">
    <h2 id="users">Users: ceilings and bucket allow-lists</h2>
    <${Problem} error=${users.error} />
    ${
      users.data &&
      html`<table tabindex="0">
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
          ${users.data.users.map(
            (u) =>
              html`<tr>
                <td>${u.userId}</td>
                <td>${u.allowedBuckets.join(', ') || '—'}</td>
                <td>${u.effectiveCeilings.maxCpus}</td>
                <td>${u.effectiveCeilings.maxMemoryMb}</td>
                <td>${u.effectiveCeilings.maxTimeoutSeconds}</td>
                <td>${u.effectiveCeilings.maxConcurrentRuns}</td>
                <td><button aria-label=${`Edit ${u.userId}`} onClick=${() => setEditing(u)}>Edit</button></td>
              </tr>`,
          )}
        </tbody>
      </table>`
    }
    <form class="user-form" key=${user.userId} onSubmit=${save}>
      <h3>${editing ? `Edit ${user.userId}` : 'Add or change a user'}</h3>
      <label>User <input name="userId" required value=${user.userId} readonly=${!!editing} /></label>
      <label
        >Buckets (bucket or bucket/prefix/, comma-separated)
        <input name="buckets" value=${user.allowedBuckets.join(', ')}
      /></label>
      <label
        >Max CPUs <input name="maxCpus" type="number" step="0.1" value=${user.ceilings.maxCpus ?? ''}
      /></label>
      <label
        >Max memory (MB) <input name="maxMemoryMb" type="number" value=${user.ceilings.maxMemoryMb ?? ''}
      /></label>
      <label
        >Max timeout (s)
        <input name="maxTimeoutSeconds" type="number" value=${user.ceilings.maxTimeoutSeconds ?? ''}
      /></label>
      <label
        >Max concurrent runs
        <input name="maxConcurrentRuns" type="number" value=${user.ceilings.maxConcurrentRuns ?? ''}
      /></label>
      <button type="submit">Save</button>
      <${Problem} error=${problem} />
    </form>
  </section>`;
}

function Workers() {
  const { data, error } = usePoll(() => get('/admin/workers'), 5000, []);
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
      html`<table tabindex="0">
        <thead>
          <tr>
            <th>worker</th>
            <th>host</th>
            <th>last heartbeat</th>
            <th>runs in hand</th>
            <th>tags</th>
            <th>state</th>
          </tr>
        </thead>
        <tbody>
          ${(data.workers ?? []).map(
            (w) =>
              html`<tr>
                <td>${w.id}</td>
                <td>${w.host}</td>
                <td>${time(w.lastHeartbeatAt)}</td>
                <td>${`${w.runsInHand} of ${w.capacity}`}</td>
                <td>${w.tags.join(', ')}</td>
                <td>${w.drained ? 'drained' : w.state}</td>
              </tr>`,
          )}
        </tbody>
      </table>`
    }
  </section>`;
}

export function OperatorsPage({ me }) {
  if (!me.operator)
    return html`<h1>Operators</h1>
      <p>This page needs an operator key.</p>`;
  return html`<h1>Operators</h1>
    <${Keys} /><${Users} /><${Workers} />`;
}
