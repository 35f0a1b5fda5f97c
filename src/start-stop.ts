/**
 * The one shape of every long-running part of the service (River's startstop): `start()` and
 * `stop()` return promises, and either may be called again at any time. Starting a started part,
 * or stopping a stopped one, does nothing; a stop while it is starting waits for the start, then
 * stops; a start while it is stopping waits for the stop, then starts again.
 */
export interface StartStop {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Gives `hooks` the StartStop shape: `hooks.start` runs only when stopped and `hooks.stop` only
 * when started, one at a time. A start that fails leaves the part stopped (it cleans up after
 * itself), so it may be started again.
 */
export function startStop(hooks: { start(): Promise<void> | void; stop(): Promise<void> | void }): StartStop {
  let started = false;
  /** The start or stop under way, which the next call waits for. */
  let pending: Promise<void> = Promise.resolve();

  const enqueue = (step: () => Promise<void>): Promise<void> => {
    const next = pending.then(step);
    pending = next.catch(() => undefined);
    return next;
  };

  return {
    start: () =>
      enqueue(async () => {
        if (started) return;
        await hooks.start();
        started = true;
      }),
    stop: () =>
      enqueue(async () => {
        if (!started) return;
        started = false;
        await hooks.stop();
      }),
  };
}

/**
 * Parts started in order and stopped in reverse. A part that fails to start stops those started
 * before it; a part that fails to stop does not keep the others from stopping (the first failure
 * is thrown once all have been asked to stop).
 */
export function startStopAll(parts: StartStop[]): StartStop {
  return startStop({
    async start() {
      const started: StartStop[] = [];
      try {
        for (const part of parts) {
          await part.start();
          started.push(part);
        }
      } catch (error) {
        for (const part of started.reverse()) await part.stop().catch(() => undefined);
        throw error;
      }
    },
    async stop() {
      const failures: unknown[] = [];
      for (const part of [...parts].reverse())
        await part.stop().catch((error: unknown) => failures.push(error));
      if (failures.length > 0) throw failures[0];
    },
  });
}
