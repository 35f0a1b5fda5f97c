// Docker's event stream of container exits, followed for as long as asked.
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import type { ContainerEvent } from './container-engine.js';

export function watchContainers(
  docker: Docker,
  label: string,
  onEvent: (event: ContainerEvent) => void,
  signal: AbortSignal,
  logger: Logger,
): void {
  let delay = 250;
  const connect = async (): Promise<void> => {
    while (!signal.aborted) {
      try {
        const stream = (await docker.getEvents({
          filters: { type: ['container'], event: ['die', 'kill'], label: [label] },
          abortSignal: signal,
        } as Docker.GetEventsOptions)) as unknown as Readable;
        delay = 250;
        let buffered = '';
        for await (const chunk of stream) {
          buffered += (chunk as Buffer).toString('utf8');
          let newline: number;
          while ((newline = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, newline).trim();
            buffered = buffered.slice(newline + 1);
            if (!line) continue;
            const event = JSON.parse(line) as {
              Action?: string;
              Actor?: { ID?: string; Attributes?: Record<string, string> };
            };
            const attributes = event.Actor?.Attributes ?? {};
            if (!event.Actor?.ID || (event.Action !== 'die' && event.Action !== 'kill')) continue;
            onEvent({
              action: event.Action,
              containerId: event.Actor.ID,
              labels: attributes,
              signal: attributes.signal,
            });
          }
        }
      } catch (error) {
        if (signal.aborted) return;
        logger.warn({ err: error }, 'the Docker event stream failed; reconnecting');
      }
      if (signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  };
  void connect();
}
