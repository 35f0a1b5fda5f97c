import { html } from 'htm/preact';
import type { TargetedEvent } from 'preact';
import { useState } from 'preact/hooks';
import { answerOf, client, query, type Answer } from '../api.ts';
import type { paths } from '../../../api-types/openapi.ts';

type EventType = NonNullable<
  paths['/webhooks']['post']['requestBody']
>['content']['application/json']['events'][number];
import { time } from '../format.ts';
import { navigate, Problem, usePoll } from '../router.ts';
import { useStates } from '../states.ts';
import './webhooks.css';

// A user's webhook endpoints and their deliveries, read and changed through the public API
// (/webhooks, /webhook-deliveries): add one, see its secret once, rotate it, turn it off and on,
// delete it, and send a delivery again.

type Delivery = Answer<'/webhooks/{id}/deliveries'>['deliveries'][number];
/** An endpoint, with its newest delivery (none yet: undefined). */
type Endpoint = Answer<'/webhooks'>['webhooks'][number] & { latest: Delivery | undefined };
/** A secret shown once, and what it is the secret of. */
interface Shown {
  what: string;
  secret: string;
}

/** The endpoints with each one's newest delivery (GET /webhooks/:id/deliveries?limit=1). */
async function loadEndpoints(userId: string): Promise<Endpoint[]> {
  const { webhooks } = await answerOf(client.GET('/webhooks', { params: { query: query({ userId }) } }));
  const latest = await Promise.all(
    webhooks.map((w) =>
      answerOf(
        client.GET('/webhooks/{id}/deliveries', { params: { path: { id: w.id }, query: { limit: 1 } } }),
      ).then((d) => d.deliveries[0]),
    ),
  );
  return webhooks.map((w, i) => ({ ...w, latest: latest[i] }));
}

/** The last answer of a delivery: its status, or why there was none. */
function lastAnswer(delivery: Delivery) {
  const last = delivery.history.at(-1);
  return last ? (last.error ?? String(last.status)) : '—';
}

interface SecretProps {
  shown: Shown;
  onDone: () => void;
}

function Secret({ shown, onDone }: SecretProps) {
  return html`<div class="created" role="status">
    <p>
      <strong>${shown.what}: copy it now, it will not be shown again.</strong> Receivers verify each
      delivery's signature with it.
    </p>
    <code data-testid="webhook-secret" class="secret">${shown.secret}</code>
    <button onClick=${onDone}>I have copied it</button>
  </div>`;
}

interface EmptyProps {
  userId: string;
}

function Empty({ userId }: EmptyProps) {
  const who = userId || 'alice';
  return html`<div class="empty">
    <p>
      No webhook endpoints yet. A webhook is an address of yours that the service POSTs to, signed, when
      something happens: a run succeeds, fails or times out, a workflow run ends. Add one with the form above,
      or from a terminal:
    </p>
    <pre><code>tds webhooks add https://example.com/hook --user ${who}</code></pre>
    <pre><code>curl -X POST "$TDS_URL/webhooks" -H "authorization: Bearer $TDS_API_KEY" \\
  -H 'content-type: application/json' \\
  -d '{"userId":"${who}","url":"https://example.com/hook","events":["run.failed"]}'</code></pre>
  </div>`;
}

interface AddFormProps {
  userId: string;
  onAdded: (made: Answer<'/webhooks', 'post'>) => void;
  setProblem: (problem: Error | undefined) => void;
}

function AddForm({ userId, onAdded, setProblem }: AddFormProps) {
  const types = useStates()?.event.types ?? [];
  const submit = async (event: TargetedEvent<HTMLFormElement, SubmitEvent>) => {
    event.preventDefault();
    // Kept: once the request is awaited, the event no longer names its form.
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    try {
      const made = await answerOf(
        client.POST('/webhooks', {
          body: {
            userId,
            url: String(form.get('url')).trim(),
            // The boxes are the service's own event types (GET /states): it refuses any other.
            events: form.getAll('events').map(String) as EventType[],
          },
        }),
      );
      formElement.reset();
      onAdded(made);
    } catch (error) {
      setProblem(error as Error);
    }
  };
  return html`<form class="hook-form" onSubmit=${submit}>
    <label>URL <input name="url" type="url" required placeholder="https://example.com/hook" /></label>
    <fieldset>
      <legend>Events</legend>
      ${types.map(
        (type) =>
          html`<label class="event"
            ><input type="checkbox" name="events" value=${type} checked=${type.startsWith('run.')} />
            ${type}</label
          >`,
      )}
    </fieldset>
    <button type="submit" disabled=${!userId}>Add endpoint</button>
  </form>`;
}

interface DeliveriesProps {
  endpoint: Endpoint;
  setMessage: (message: string) => void;
}

function Deliveries({ endpoint, setMessage }: DeliveriesProps) {
  const { data, error, reload } = usePoll(
    () =>
      answerOf(
        client.GET('/webhooks/{id}/deliveries', {
          params: { path: { id: endpoint.id }, query: { limit: 20 } },
        }),
      ),
    3000,
    [endpoint.id],
  );
  const redeliver = (delivery: Delivery) =>
    answerOf(
      client.POST('/webhook-deliveries/{id}/redeliver', { params: { path: { id: delivery.id } } }),
    ).then(
      () => {
        setMessage(
          `The ${delivery.eventType} delivery of ${time(delivery.createdAt)} is queued to be sent again now.`,
        );
        reload();
      },
      (e: Error) => setMessage(`Could not send it again: ${e.message}`),
    );
  return html`<section aria-labelledby="deliveries" class="deliveries">
    <h2 id="deliveries">Deliveries to <span class="url">${endpoint.url}</span></h2>
    <${Problem} error=${error} />
    ${
      data?.deliveries.length === 0 &&
      html`<p>No deliveries yet: one is made for each event this endpoint wants.</p>`
    }
    ${
      data &&
      data.deliveries.length > 0 &&
      html`<div class="scroll">
        <table class="cards">
          <thead>
            <tr>
              <th>event</th>
              <th>state</th>
              <th>attempts</th>
              <th>last answer</th>
              <th>created</th>
              <th>ended or next try</th>
              <th><span class="sr-only">actions</span></th>
            </tr>
          </thead>
          <tbody>
            ${data.deliveries.map(
              (d) =>
                html`<tr>
                  <td data-label="event">${d.eventType}</td>
                  <td data-label="state"><span class=${`badge delivery-${d.state}`}>${d.state}</span></td>
                  <td data-label="attempts">${d.attempts}</td>
                  <td data-label="last answer" class="answer">${lastAnswer(d)}</td>
                  <td data-label="created">${time(d.createdAt)}</td>
                  <td data-label="ended or next try">${time(d.endedAt ?? d.nextAttemptAt)}</td>
                  <td>
                    <button aria-label=${`Redeliver ${d.eventType} ${d.id}`} onClick=${() => redeliver(d)}>
                      Redeliver
                    </button>
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>`
    }
  </section>`;
}

interface EndpointRowProps {
  endpoint: Endpoint;
  selected: boolean;
  act: EndpointActions;
  /** Whether its deletion is being asked about. */
  confirming: boolean;
  setConfirming: (id: string | undefined) => void;
}

function EndpointRow({ endpoint, selected, act, confirming, setConfirming }: EndpointRowProps) {
  const latest = endpoint.latest;
  return html`<tr class=${selected ? 'selected' : ''}>
    <td data-label="URL" class="url">
      ${endpoint.url}${endpoint.description && html`<br /><small>${endpoint.description}</small>`}
    </td>
    <td data-label="events">${endpoint.events.join(', ')}</td>
    <td data-label="enabled">
      ${endpoint.enabled ? 'yes' : html`no <small>(${endpoint.disabledReason})</small>`}
    </td>
    <td data-label="last delivery">
      ${
        latest
          ? html`<span class=${`badge delivery-${latest.state}`}>${latest.state}</span>
              <small>${time(latest.createdAt)}</small>`
          : 'none yet'
      }
    </td>
    <td class="row-actions">
      <div>
        <button onClick=${() => act.select(endpoint)} aria-label=${`Deliveries of ${endpoint.url}`}>
          Deliveries
        </button>
        <button onClick=${() => act.rotate(endpoint)} aria-label=${`Rotate secret of ${endpoint.url}`}>
          Rotate secret
        </button>
        <button
          onClick=${() => act.toggle(endpoint)}
          aria-label=${`${endpoint.enabled ? 'Disable' : 'Enable'} ${endpoint.url}`}
        >
          ${endpoint.enabled ? 'Disable' : 'Enable'}
        </button>
        ${
          confirming
            ? html`<span role="group" aria-label="Confirm the deletion">
                Delete it and its deliveries? This cannot be undone.
                <button class="danger" onClick=${() => act.remove(endpoint)}>Yes, delete</button>
                <button onClick=${() => setConfirming(undefined)}>Keep it</button>
              </span>`
            : html`<button onClick=${() => setConfirming(endpoint.id)} aria-label=${`Delete ${endpoint.url}`}>
                Delete
              </button>`
        }
      </div>
    </td>
  </tr>`;
}

type EndpointActions = ReturnType<typeof useEndpointActions>;

function useEndpointActions(
  endpoints: { reload: () => void },
  setShown: (shown: Shown) => void,
  setMessage: (message: string) => void,
  setProblem: (problem: Error | undefined) => void,
  params: URLSearchParams,
) {
  const done = (message: string) => {
    setMessage(message);
    setProblem(undefined);
    endpoints.reload();
  };
  const select = (endpoint: Endpoint | undefined) => {
    const next = new URLSearchParams(params);
    if (endpoint) next.set('webhook', endpoint.id);
    else next.delete('webhook');
    navigate(`/ui/webhooks?${next}`, { replace: true });
  };
  return {
    select,
    rotate: (endpoint: Endpoint) =>
      answerOf(client.POST('/webhooks/{id}/rotate-secret', { params: { path: { id: endpoint.id } } })).then(
        (made) => {
          setShown({ what: `The new secret of ${endpoint.url}`, secret: made.secret });
          done(
            `Rotated: the previous secret keeps signing beside the new one until ${time(made.webhook.previousSecretValidUntil)}.`,
          );
        },
        setProblem,
      ),
    toggle: (endpoint: Endpoint) =>
      answerOf(
        endpoint.enabled
          ? client.POST('/webhooks/{id}/disable', { params: { path: { id: endpoint.id } } })
          : client.POST('/webhooks/{id}/enable', { params: { path: { id: endpoint.id } } }),
      ).then(
        () =>
          done(
            `${endpoint.url} is ${endpoint.enabled ? 'disabled: nothing is sent to it' : 'enabled again'}.`,
          ),
        setProblem,
      ),
    remove: (endpoint: Endpoint) =>
      answerOf(client.DELETE('/webhooks/{id}', { params: { path: { id: endpoint.id } } })).then(() => {
        if (params.get('webhook') === endpoint.id) select(undefined);
        done(`Deleted ${endpoint.url} and its deliveries.`);
      }, setProblem),
  };
}

interface WebhooksPageProps {
  me: Answer<'/whoami'>;
  /** The page's query string: the user named (operators) and the endpoint selected. */
  params: URLSearchParams;
}

export function WebhooksPage({ me, params }: WebhooksPageProps) {
  const userId = me.kind === 'user' ? me.userId : (params.get('userId') ?? '');
  const endpoints = usePoll(() => (userId ? loadEndpoints(userId) : Promise.resolve<Endpoint[]>([])), 5000, [
    userId,
  ]);
  const [shown, setShown] = useState<{ what: string; secret: string }>();
  const [message, setMessage] = useState('');
  const [problem, setProblem] = useState<Error>();
  const [confirming, setConfirming] = useState<string>();
  const act = useEndpointActions(endpoints, setShown, setMessage, setProblem, params);
  const selected = endpoints.data?.find((w) => w.id === params.get('webhook'));
  return html`<h1>Webhooks</h1>
    <p class="hint">
      Endpoints told of runs and workflow runs as they end, by a signed POST (docs/webhooks.md).
    </p>
    ${
      me.kind !== 'user' &&
      html`<form class="filters" role="search" onSubmit=${(e: SubmitEvent) => e.preventDefault()}>
        <label
          >User
          <input
            value=${userId}
            onChange=${(e: TargetedEvent<HTMLInputElement>) => {
              const user = e.currentTarget.value.trim();
              navigate(user ? `/ui/webhooks?${new URLSearchParams({ userId: user })}` : '/ui/webhooks', {
                replace: true,
              });
            }}
        /></label>
        ${!userId && html`<span class="hint">Name a user to see their endpoints.</span>`}
      </form>`
    }
    <${AddForm}
      userId=${userId}
      setProblem=${setProblem}
      onAdded=${(made: Answer<'/webhooks', 'post'>) => {
        setShown({ what: `The secret of ${made.webhook.url}`, secret: made.secret });
        setProblem(undefined);
        setMessage(`Added ${made.webhook.url}.`);
        endpoints.reload();
      }}
    />
    <${Problem} error=${problem ?? endpoints.error} />
    ${shown && html`<${Secret} shown=${shown} onDone=${() => setShown(undefined)} />`}
    ${message && html`<p role="status">${message}</p>`}
    ${endpoints.data?.length === 0 && userId && html`<${Empty} userId=${userId} />`}
    ${
      endpoints.data &&
      endpoints.data.length > 0 &&
      html`<div class="scroll">
        <table class="endpoints cards">
          <thead>
            <tr>
              <th>URL</th>
              <th>events</th>
              <th>enabled</th>
              <th>last delivery</th>
              <th><span class="sr-only">actions</span></th>
            </tr>
          </thead>
          <tbody>
            ${endpoints.data.map(
              (w) =>
                html`<${EndpointRow}
                  key=${w.id}
                  endpoint=${w}
                  selected=${w.id === selected?.id}
                  act=${act}
                  confirming=${confirming === w.id}
                  setConfirming=${setConfirming}
                />`,
            )}
          </tbody>
        </table>
      </div>`
    }
    ${selected && html`<${Deliveries} key=${selected.id} endpoint=${selected} setMessage=${setMessage} />`}`;
}
