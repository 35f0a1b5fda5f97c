import { useEffect, useState } from 'preact/hooks';
import { answerOf, client } from './api.ts';
import type { paths } from '../../api-types/openapi.ts';

// The states of runs, workflow runs, steps and items, as the service serves them (GET /states):
// read once per page load, never spelled here.
export type States = paths['/states']['get']['responses'][200]['content']['application/json'];

let loading: Promise<States> | undefined;

/** The state lists, once read; undefined until then. */
export function useStates(): States | undefined {
  const [states, setStates] = useState<States | undefined>(undefined);
  useEffect(() => {
    loading ??= answerOf(client.GET('/states')).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    let gone = false;
    loading.then(
      (value) => !gone && setStates(value),
      () => undefined,
    );
    return () => {
      gone = true;
    };
  }, []);
  return states;
}
