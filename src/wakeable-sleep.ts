/**
 * A pause a loop takes between passes, cut short by `wake()` (work arrived) or ended for good by
 * `stop()`. Shared by the worker's claim loop and the scheduler's loop.
 */
export interface WakeableSleep {
  sleep(ms: number): Promise<void>;
  wake(): void;
}

export function createWakeableSleep(): WakeableSleep {
  let wakeUp: (() => void) | undefined;
  return {
    async sleep(ms) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = undefined;
    },
    wake() {
      wakeUp?.();
    },
  };
}
