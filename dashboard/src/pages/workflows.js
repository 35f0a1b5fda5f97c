import { html } from 'htm/preact';
import { get, query } from '../api.js';
import { Problem, usePoll } from '../router.js';

/**
 * Workflows: listed when the service has the workflow API (GET /workflows); until then the page
 * says so.
 */
export function WorkflowsPage({ me }) {
  const userId = me.kind === 'user' ? me.userId : undefined;
  const { data, error } = usePoll(() => get(`/workflows${query({ userId })}`), 10000, [userId]);
  if (error?.status === 404)
    return html`<h1>Workflows</h1>
      <p>This service has no workflow API yet: workflows will be listed here once it does.</p>`;
  return html`<h1>Workflows</h1>
    <${Problem} error=${error} />
    ${
      data &&
      html`<ul>
        ${data.workflows.map((workflow) => html`<li>${workflow.uniqueId}</li>`)}
      </ul>`
    }`;
}
