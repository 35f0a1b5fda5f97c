import { errorMessage } from './errors.js';

/** The service cannot start as configured; the message says what to do. */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/** A StartupError saying what to do when `error` is a port already in use; `error` itself otherwise. */
export function portTaken(error: unknown, what: string, address: string, setting: string): unknown {
  if ((error as { code?: string }).code !== 'EADDRINUSE') return error;
  return new StartupError(
    `${what} cannot listen on ${address}: the port is in use (another copy of the service, or another ` +
      `program). Stop it, or set ${setting} to a free port, then start the service again.`,
    { cause: error },
  );
}

/** A StartupError saying what to do when no Docker engine answers. */
export function dockerUnreachable(address: string, error: unknown): StartupError {
  return new StartupError(
    `No Docker engine answered at ${address} (${errorMessage(error)}). Start Docker ` +
      '(for example `sudo systemctl start docker`, or `sudo dockerd &`), or set DOCKER_HOST to an engine ' +
      'that is reachable, then start the service again. To run only the API here, set TDS_ROLES=api.',
    { cause: error },
  );
}
