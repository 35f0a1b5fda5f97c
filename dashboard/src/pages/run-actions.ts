import { html } from 'htm/preact';
import { answerOf, client, type Answer } from '../api.ts';
import { ConfirmButton, Outcome, useWrite } from '../writes.ts';

/**
 * A run's writes: cancel while it has not ended (asked first: it cannot be undone), and, once it
 * has, run its job again (a new run of the job's current definition, POST /jobs/:id/trigger). A
 * step's run is retried from its workflow run's page.
 */
interface RunActionsProps {
  run: Answer<'/runs/{id}'>;
  /** Whether the run has ended (its state is one of GET /states' ended run states). */
  ended: boolean;
  onChanged: () => void;
}

export function RunActions({ run, ended, onChanged }: RunActionsProps) {
  const { outcome, carry } = useWrite();
  const id = run.id;
  const jobId = run.jobId;
  if (ended && !jobId) return null;
  return html`<div class="actions">
    ${
      ended && jobId
        ? html`<button
            onClick=${() =>
              carry(
                () =>
                  answerOf(client.POST('/jobs/{id}/trigger', { params: { path: { id: jobId } }, body: {} })),
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
interface CancelRunButtonProps {
  runId: string;
  onDone: () => void;
}

export function CancelRunButton({ runId, onDone }: CancelRunButtonProps) {
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
