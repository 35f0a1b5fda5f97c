import { html } from 'htm/preact';
import type { ComponentChildren } from 'preact';

/**
 * What a page shows where there is nothing yet: what would be there, and the command that makes it
 * (shown as text to copy; long lines scroll inside their box).
 */
interface EmptyStateProps {
  children?: ComponentChildren;
  /** Lines to copy that make what would be there. */
  commands?: string[];
}

export function EmptyState({ children, commands = [] }: EmptyStateProps) {
  return html`<div class="empty" data-testid="empty">
    <p>${children}</p>
    ${commands.length > 0 && html`<pre class="command" tabindex="0"><code>${commands.join('\n')}</code></pre>`}
  </div>`;
}

const origin = () => window.location.origin;
const key = `-H "authorization: Bearer $TDS_API_KEY"`;

/** The lines that submit a job: with tds, or with curl. */
export const submitJob = () => [
  'tds apply job.yaml          # a job definition, as examples/hello.yaml',
  `curl -X POST ${origin()}/jobs ${key} -H 'content-type: application/json' -d @job.json`,
];

/** The lines that submit a workflow. */
export const submitWorkflow = () => [
  'tds apply workflow.yaml     # a workflow definition, as examples/fan-out.yaml',
  `curl -X POST ${origin()}/workflows ${key} -H 'content-type: application/json' -d @workflow.json`,
];

/** The line that runs a job or a workflow now (`kind`: jobs or workflows). */
export const triggerNow = (kind: 'jobs' | 'workflows', id: string) => [
  `curl -X POST ${origin()}/${kind}/${id}/trigger ${key}`,
];
