import { html } from 'htm/preact';
import type { TargetedEvent } from 'preact';
import { useState } from 'preact/hooks';
import { answerOf, client, query, type Answer } from '../api.ts';
import { time } from '../format.ts';
import { Problem, usePoll } from '../router.ts';

const FILTERS: [string, string][] = [
  ['actor', 'Actor (key id or user)'],
  ['action', 'Action (job.paused, job.*)'],
  ['target', 'Target id'],
];

function who(actor: Answer<'/audit'>['entries'][number]['actor']) {
  if (actor.kind === 'user') return `user ${actor.userId}`;
  if (actor.kind === 'cli') return `keys CLI (${actor.userId})`;
  return actor.kind === 'local' ? 'local' : 'operator';
}

function summary(value: unknown) {
  const text = JSON.stringify(value);
  return text === '{}' ? '' : text;
}

/** The audit log for operators: who did what, to which thing, when and from where, newest first. */
export function AuditPage() {
  const [filters, setFilters] = useState<Record<string, string>>({});
  const [cursors, setCursors] = useState<(string | null | undefined)[]>([]);
  const cursor = cursors.at(-1) ?? undefined;
  const page = usePoll(
    () => answerOf(client.GET('/audit', { params: { query: query({ ...filters, cursor }) } })),
    30000,
    [filters, cursor],
  );
  const apply = (event: TargetedEvent<HTMLFormElement, SubmitEvent>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setFilters(Object.fromEntries(FILTERS.map(([name]) => [name, String(form.get(name)).trim()])));
    setCursors([]);
  };
  return html`<section aria-labelledby="audit">
    <h1 id="audit">Audit log</h1>
    <form class="filters" onSubmit=${apply}>
      ${FILTERS.map(([name, label]) => html`<label>${label} <input name=${name} value=${filters[name] ?? ''} /></label>`)}
      <button type="submit">Filter</button>
    </form>
    <${Problem} error=${page.error} />
    ${
      page.data &&
      html`<table tabindex="0">
          <thead>
            <tr>
              <th>when</th>
              <th>who</th>
              <th>from</th>
              <th>action</th>
              <th>target</th>
              <th>change</th>
            </tr>
          </thead>
          <tbody>
            ${page.data.entries.map(
              (entry) =>
                html`<tr>
                  <td>${time(entry.at)}</td>
                  <td title=${entry.actor.keyId ?? ''}>${who(entry.actor)}</td>
                  <td>${entry.actor.address ?? ''}</td>
                  <td><code>${entry.action}</code></td>
                  <td>${entry.target.kind} <code>${entry.target.id}</code></td>
                  <td><code>${summary(entry.summary)}</code></td>
                </tr>`,
            )}
          </tbody>
        </table>
        ${
          page.data.entries.length === 0 &&
          html`<p>
            No actions match. Every change made through the API (jobs and workflows submitted, changed, paused
            or deleted, keys made or revoked, users' settings) is recorded here with who made it.
          </p>`
        }
        <p>
          ${cursors.length > 0 && html`<button onClick=${() => setCursors(cursors.slice(0, -1))}>Newer</button>`}
          ${page.data?.nextCursor && html`<button onClick=${() => setCursors([...cursors, page.data?.nextCursor])}>Older</button>`}
        </p>`
    }
  </section>`;
}
