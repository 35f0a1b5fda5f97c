import {
  BeginTransactionCommand,
  CommitTransactionCommand,
  ExecuteStatementCommand,
  RDSDataClient,
  RollbackTransactionCommand,
} from '@aws-sdk/client-rds-data';
import type { Logger } from 'pino';
import { NOT_LISTENING, type Database, type SqlExecutor } from '../db/database.js';
import { toDataApiError } from './data-api-errors.js';
import { toDataApiStatement } from './data-api-parameters.js';
import { toRows } from './data-api-results.js';
import { DEFAULT_RETRY_POLICY, retryTransient, type DataApiRetryPolicy } from './data-api-retry.js';

export interface RdsDataTarget {
  /** The Aurora cluster's ARN. */
  resourceArn: string;
  /** The ARN of the Secrets Manager secret holding the database user's credentials. */
  secretArn: string;
  database: string;
}

/**
 * An RDS Data API client. The SDK's own retries are off: which failures are tried again is decided
 * in one place (data-api-errors.ts), since retrying a statement is only safe when it did not run.
 */
export function createRdsDataClient(options: { region?: string; endpoint?: string }): RDSDataClient {
  return new RDSDataClient({ region: options.region, endpoint: options.endpoint, maxAttempts: 1 });
}

/**
 * A Database over the RDS Data API (Aurora Serverless, no connection of its own): every statement is
 * an HTTPS call; a transaction is a transaction id passed with each of its statements. Transient
 * failures (a cluster resuming, throttling, a statement timeout outside a transaction) are tried
 * again with backoff; SQL errors surface as DataApiQueryError.
 */
export function createRdsDataDatabase(
  client: RDSDataClient,
  target: RdsDataTarget,
  logger: Logger,
  policy: DataApiRetryPolicy = DEFAULT_RETRY_POLICY,
): Database {
  const { resourceArn, secretArn, database } = target;
  const retried = <T>(call: () => Promise<T>, inTransaction: boolean, what: string) =>
    retryTransient(call, {
      inTransaction,
      policy,
      onRetry: (error, attempt, delayMs) =>
        logger.warn(
          { error: (error as Error).name, message: (error as Error).message, attempt, delayMs },
          `RDS Data API ${what} failed; trying again`,
        ),
    });

  let closed = false;
  const open = () => {
    // As a pg pool after end(): a closed Database answers nothing.
    if (closed) throw new Error('the RDS Data API database was closed');
  };

  async function run<Row>(sql: string, params: readonly unknown[] | undefined, transactionId?: string) {
    open();
    const statement = toDataApiStatement(sql, params);
    try {
      const output = await retried(
        () =>
          client.send(
            new ExecuteStatementCommand({
              resourceArn,
              secretArn,
              database,
              transactionId,
              sql: statement.sql,
              parameters: statement.parameters,
              includeResultMetadata: true,
              resultSetOptions: { longReturnType: 'STRING', decimalReturnType: 'STRING' },
            }),
          ),
        transactionId !== undefined,
        'statement',
      );
      return toRows(output.records, output.columnMetadata) as Row[];
    } catch (error) {
      throw toDataApiError(error, sql);
    }
  }

  return {
    query: (sql, params) => run(sql, params),
    async transaction(fn) {
      open();
      const { transactionId } = await retried(
        () => client.send(new BeginTransactionCommand({ resourceArn, secretArn, database })),
        false,
        'BeginTransaction',
      ).catch((error: unknown) => {
        throw toDataApiError(error, 'BEGIN');
      });
      if (!transactionId)
        throw new Error('the RDS Data API began a transaction but returned no transaction id');
      const tx: SqlExecutor = { query: (sql, params) => run(sql, params, transactionId) };
      try {
        const result = await fn(tx);
        await retried(
          () => client.send(new CommitTransactionCommand({ resourceArn, secretArn, transactionId })),
          true,
          'CommitTransaction',
        ).catch((error: unknown) => {
          throw toDataApiError(error, 'COMMIT');
        });
        return result;
      } catch (error) {
        await client
          .send(new RollbackTransactionCommand({ resourceArn, secretArn, transactionId }))
          .catch((rollbackError: unknown) =>
            logger.warn(
              { error: (rollbackError as Error).name, message: (rollbackError as Error).message },
              'RDS Data API rollback failed; the transaction ends when the service times it out',
            ),
          );
        throw error;
      }
    },
    // The Data API has no session to LISTEN on: callers poll.
    subscribe: () => NOT_LISTENING,
    async close() {
      closed = true;
      client.destroy();
    },
  };
}
