import { useEffect, useState } from 'preact/hooks';
import { get } from './api.js';

// The states of runs, workflow runs, steps and items, as the service serves them (GET /states):
// read once per page load, never spelled here.
let loading;

/** The state lists, once read; undefined until then. */
export function useStates() {
  const [states, setStates] = useState(undefined);
  useEffect(() => {
    loading ??= get('/states').catch((error) => {
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
