import { html } from 'htm/preact';
import type { TargetedEvent } from 'preact';
import { navigate } from './router.ts';

/**
 * A list page's filters (part of the name, the last run's state, failed only), kept in the page's
 * query string so that a filtered list can be linked to and reloaded.
 */

/** The filters in `params`; with failed only, `state` is `failedStates`. */
export function readFilters(params: URLSearchParams, failedStates: string) {
  const name = params.get('name') ?? '';
  const failedOnly = params.get('failed') === '1';
  const state = failedOnly ? failedStates : (params.get('state') ?? '');
  return { name, failedOnly, state };
}

/** The filter form of the list at `path`: `states` are the last run's states to choose from. */
interface FilterFormProps {
  path: string;
  params: URLSearchParams;
  states: string[];
}

export function FilterForm({ path, params, states }: FilterFormProps) {
  const { name, failedOnly } = readFilters(params, '');
  const setFilter = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    const text = next.toString();
    navigate(`${path}${text ? `?${text}` : ''}`, { replace: true });
  };
  return html`<form class="filters" role="search" onSubmit=${(e: SubmitEvent) => e.preventDefault()}>
    <label
      >${'Name '}<input
        type="search"
        value=${name}
        onInput=${(e: TargetedEvent<HTMLInputElement>) => setFilter({ name: e.currentTarget.value })}
    /></label>
    <label
      >${'Last run '}<select
        value=${params.get('state') ?? ''}
        disabled=${failedOnly}
        onChange=${(e: TargetedEvent<HTMLSelectElement>) => setFilter({ state: e.currentTarget.value })}
      >
        ${['', ...states].map((s: string) => html`<option value=${s}>${s || 'any state'}</option>`)}
      </select></label
    >
    <label
      ><input
        type="checkbox"
        checked=${failedOnly}
        onChange=${(e: TargetedEvent<HTMLInputElement>) => setFilter({ failed: e.currentTarget.checked ? '1' : '' })}
      />
      failed only</label
    >
  </form>`;
}
