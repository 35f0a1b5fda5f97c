import { html } from 'htm/preact';
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/** Every page has its own address: moving between pages pushes it to the browser's history. */
export function navigate(href: string, { replace = false } = {}): void {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  dispatchEvent(new Event('tds:navigate'));
}

export function useLocation() {
  const [location, setLocation] = useState({
    pathname: window.location.pathname,
    search: window.location.search,
  });
  useEffect(() => {
    const update = () => setLocation({ pathname: window.location.pathname, search: window.location.search });
    addEventListener('popstate', update);
    addEventListener('tds:navigate', update);
    return () => {
      removeEventListener('popstate', update);
      removeEventListener('tds:navigate', update);
    };
  }, []);
  return location;
}

/** A link within the page: `rest` are the anchor's other attributes (aria-current, aria-label…). */
interface LinkProps {
  href: string;
  children?: ComponentChildren;
  [attribute: string]: unknown;
}

export function Link({ href, children, ...rest }: LinkProps) {
  return html`<a
    href=${href}
    ...${rest}
    onClick=${(event: MouseEvent) => {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      navigate(href);
      window.scrollTo(0, 0);
    }}
    >${children}</a
  >`;
}

/** Calls `load` now and every `ms` while `active` is true; returns its latest result or error. */
export function usePoll<T>(
  load: () => Promise<T>,
  ms: number,
  deps: unknown[],
  active = true,
): { data: T | undefined; error: Error | undefined; reload: () => void } {
  const [state, setState] = useState<{ data: T | undefined; error: Error | undefined }>({
    data: undefined,
    error: undefined,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let cancelled = false;
    load().then(
      (data) => !cancelled && setState({ data, error: undefined }),
      (error) => !cancelled && setState((previous) => ({ data: previous.data, error })),
    );
    return () => {
      cancelled = true;
    };
  }, [...deps, tick]);
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => setTick((n) => n + 1), ms);
    return () => clearInterval(timer);
  }, [active, ms]);
  return { ...state, reload: () => setTick((n) => n + 1) };
}

export function StateBadge({ state }: { state: string | undefined }) {
  return html`<span class=${`badge state-${state}`}>${state?.replace('_', ' ')}</span>`;
}

export function Problem({ error }: { error: { message: string } | undefined | null }) {
  return error ? html`<p class="problem" role="alert">${error.message}</p>` : null;
}
