import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { Link } from './router.ts';
import './writes.css';

// Every write the page makes goes through here: it asks first where the write cannot be undone,
// and always says what happened (what the API did, or its error message), never nothing.

/**
 * The outcome of the last write of a part of the page, and `carry(write, done)` to make one:
 * `write()` calls the API; `done(answer)` words its success ({ message, href?, linkText? }).
 */
/** How a write's success is worded: a message, and a link to what it made. */
export interface Said {
  message: string;
  href?: string;
  linkText?: string;
}

export type WriteOutcome = { pending: true } | ({ ok: true } & Said) | { ok: false; message: string };

export function useWrite() {
  const [outcome, setOutcome] = useState<WriteOutcome>();
  const carry = async <T>(write: () => Promise<T>, done: (answer: T) => Said): Promise<T | undefined> => {
    setOutcome({ pending: true });
    try {
      const answer = await write();
      setOutcome({ ok: true, ...done(answer) });
      return answer;
    } catch (error) {
      setOutcome({ ok: false, message: (error as Error).message });
      return undefined;
    }
  };
  return { outcome, carry, clear: () => setOutcome(undefined) };
}

/** What the last write did: a status, or the API's error as an alert. */
interface OutcomeProps {
  outcome: WriteOutcome | undefined;
  testid?: string;
}

export function Outcome({ outcome, testid }: OutcomeProps) {
  if (outcome && 'ok' in outcome && !outcome.ok)
    return html`<p class="problem" role="alert" data-testid=${testid}>${outcome.message}</p>`;
  const said = outcome && 'ok' in outcome ? outcome : undefined;
  return html`<p class="outcome" role="status" data-testid=${testid}>
    ${outcome && 'pending' in outcome ? 'Working…' : (said?.message ?? '')}
    ${said?.href && html` <${Link} href=${said.href}>${said.linkText}</${Link}>`}
  </p>`;
}

/**
 * A button for a write that cannot be undone: a click asks `question` first, and only
 * `confirmLabel` carries it out.
 */
interface ConfirmButtonProps {
  label: string;
  question: string;
  confirmLabel: string;
  onConfirm: () => void;
  disabled?: boolean;
  ariaLabel?: string;
}

export function ConfirmButton({
  label,
  question,
  confirmLabel,
  onConfirm,
  disabled,
  ariaLabel,
}: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  useEffect(() => {
    if (disabled) setAsking(false);
  }, [disabled]);
  if (!asking)
    return html`<button disabled=${disabled} aria-label=${ariaLabel} onClick=${() => setAsking(true)}>
      ${label}
    </button>`;
  return html`<span class="confirm" role="group" aria-label=${`Confirm: ${ariaLabel ?? label}`}>
    <span>${question}</span>
    <button
      class="danger"
      onClick=${() => {
        setAsking(false);
        onConfirm();
      }}
    >
      ${confirmLabel}
    </button>
    <button onClick=${() => setAsking(false)}>No, keep it</button>
  </span>`;
}
