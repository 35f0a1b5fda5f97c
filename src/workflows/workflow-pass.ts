import type { Logger } from 'pino';
import { startStop, type StartStop } from '../start-stop.js';
import type { WorkflowService } from './workflow-service.js';

/**
 * The periodic pass over workflow runs: every `intervalMs` it moves on those no step's end moved
 * lately (a worker killed between a step's end and its dependants' start, a step's run ended by
 * hand) and writes the reports not yet written. Any number of instances may run it: each
 * workflow run is moved on under a lock of its row, and moving it on twice changes nothing.
 */
export function createWorkflowPass(deps: {
  workflows: Pick<WorkflowService, 'sweep'>;
  logger: Logger;
  intervalMs: number;
}): StartStop {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const pass = async () => {
    try {
      const done = await deps.workflows.sweep(deps.intervalMs / 1000);
      if (done.advanced > 0 || done.reports > 0) deps.logger.info(done, 'workflow runs moved on');
    } catch (error) {
      deps.logger.warn({ err: error }, 'the workflow pass failed; it runs again shortly');
    }
  };
  return startStop({
    async start() {
      running = pass();
      timer = setInterval(() => {
        running ??= pass().finally(() => (running = undefined));
      }, deps.intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  });
}
