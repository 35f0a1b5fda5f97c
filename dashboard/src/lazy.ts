import { html } from 'htm/preact';
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Problem } from './router.ts';

/**
 * A page whose code is loaded when it is first opened (its own file under /assets/), so what every
 * page loads stays small: `load` imports the module, `name` is the component it exports.
 */
export function lazyPage<P extends object, N extends string>(
  load: () => Promise<Record<N, ComponentType<P>>>,
  name: N,
) {
  let loaded: ComponentType<P> | undefined;
  return function LazyPage(props: P) {
    const [Page, setPage] = useState<ComponentType<P> | undefined>(() => loaded);
    const [error, setError] = useState<Error>();
    useEffect(() => {
      if (Page) return;
      load().then(
        (module) => {
          loaded = module[name];
          setPage(() => loaded);
        },
        (problem: Error) => setError(new Error(`This page could not be loaded: ${problem.message}`)),
      );
    }, []);
    if (error) return html`<${Problem} error=${error} />`;
    return Page ? html`<${Page} ...${props} />` : html`<p>Loading…</p>`;
  };
}
