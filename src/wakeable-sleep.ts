/**
 * A pause a loop takes between passes, cut short by `wake()` (work arrived, or the loop is
 * stopping). Shared by the worker's claim loop and the scheduler's loop. A wake that comes while
 * the loop is not sleeping (it is busy with a pass) is kept: the next sleep returns at once, so
 * work that arrived during a pass is not left for a whole poll interval. Wakes do not add up:
 * several before a sleep cut short that one sleep only.
 */
export interface WakeableSleep {
  sleep(ms: number): Promise<void>;
  wake(): void;
}

export function createWakeableSleep(): WakeableSleep {
  let wakeUp: (() => void) | undefined;
  let woken = false;
  return {
    async sleep(ms) {
      if (woken) {
        woken = false;
        return;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          wakeUp = undefined;
          resolve();
        }, ms);
        wakeUp = () => {
          wakeUp = undefined;
          clearTimeout(timer);
          resolve();
        };
      });
    },
    wake() {
      if (wakeUp) wakeUp();
      else woken = true;
    },
  };
}
