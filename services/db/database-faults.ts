import { connectionLost } from './pg-database.js';

/**
 * Whether an error is the database's fault rather than the statement's: the server unreachable,
 * gone or overloaded (no connection, a connection ended, SQLSTATE classes 08, 53, 57, 58 and XX,
 * a lock or statement timeout), or the RDS Data API answering 5xx or 429. A statement the database
 * refused for what it asked (a unique violation, a bad value) is not one, nor is an error of the
 * application's own thrown inside a transaction.
 */
export function isDatabaseFault(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, httpStatus, message } = error as { code?: unknown; httpStatus?: unknown; message?: unknown };
  // Node's socket errors: ECONNREFUSED, ETIMEDOUT, ECONNRESET, EPIPE, ENOTFOUND, EHOSTUNREACH...
  if (typeof code === 'string' && /^E[A-Z]{3,}$/.test(code)) return true;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    return /^(?:08|53|57|58|XX)/.test(code) || code === '55P03';
  }
  if (typeof httpStatus === 'number') return httpStatus >= 500 || httpStatus === 429;
  if (connectionLost(error)) return true;
  return (
    typeof message === 'string' && /timeout exceeded when trying to connect|connection timeout/i.test(message)
  );
}
