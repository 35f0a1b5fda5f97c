import { html } from 'htm/preact';
import { answerOf, client } from '../api.ts';
import { ConfirmButton, Outcome, useWrite } from '../writes.ts';

/**
 * A run's writes: cancel while it has not ended (asked first: it cannot be undone), and, once it
 * has, run its job again (a new run of the job's current definition, POST /jobs/:id/trigger). A
 * step's run is retried from its workflow run's page.
 */
export function RunActions({ run, ended, onChanged }) {
  const { outcome, carry } = useWrite();
  const id = run.id;
  if (ended && !run.jobId) return null;
  return html`<div class="actions">
    ${
      ended
        ? html`<button
            onClick=${() =>
              carry(
                () =>
                  answerOf(
                    client.POST('/jobs/{id}/trigger', { params: { path: { id: run.jobId } }, body: {} }),
                  ),
                (again) => ({
                  message: 'The job runs again:',
                  href: `/ui/runs/${again.id}`,
                  linkText: `run ${again.id.slice(0, 8)}`,
                }),
              )}
          >
            Run job again
          </button>`
        : html`<${ConfirmButton}
            label=${run.cancelRequested ? 'Cancelling…' : 'Cancel run'}
            disabled=${run.cancelRequested}
            question="Cancel this run? This cannot be undone: its container is stopped and what it made so far is uploaded."
            confirmLabel="Yes, cancel the run"
            onConfirm=${() =>
              carry(
                () => answerOf(client.POST('/runs/{id}/cancel', { params: { path: { id } } })),
                () => {
                  onChanged();
                  return { message: 'Cancel requested.' };
                },
              )}
          />`
    }
    <${Outcome} outcome=${outcome} testid="run-outcome" />
  </div>`;
}

/** The overview's cancel of a running run: asked first, and what happened said in its row. */
export function CancelRunButton({ runId, onDone }) {
  const { outcome, carry } = useWrite();
  return html`<${ConfirmButton}
      label="Cancel"
      ariaLabel=${`Cancel run ${runId}`}
      question=${`Cancel run ${runId.slice(0, 8)}? This cannot be undone.`}
      confirmLabel="Yes, cancel it"
      onConfirm=${() =>
        carry(
          () => answerOf(client.POST('/runs/{id}/cancel', { params: { path: { id: runId } } })),
          () => {
            onDone();
            return { message: 'Cancel requested.' };
          },
        )}
    />
    <${Outcome} outcome=${outcome} />`;
}
