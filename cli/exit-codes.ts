/** The exit codes of `tds`, one meaning each (docs/cli.md lists them). */
export const EXIT = {
  ok: 0,
  /** The job, workflow or run failed (or was cancelled, or timed out). */
  failed: 1,
  /** Bad usage, or a definition that is not valid (every problem printed). */
  invalid: 2,
  /** The service could not be reached, failed (5xx) or refused the key (401, 403). */
  unreachable: 3,
} as const;

/** Ends the command with an exit code and a message for people (or none when already printed). */
export class CliExit extends Error {
  readonly code: number;

  constructor(code: number, message = '') {
    super(message);
    this.name = 'CliExit';
    this.code = code;
  }
}
