/**
 * The narrow SQL interface the application uses; implemented over `pg` (pg-database.ts) and over
 * the RDS Data API (../aws/rds-data-database.ts). Statements use `$1`-style parameters and run one
 * at a time, and rows come back as `pg` gives them (bigint and numeric as strings, timestamptz as
 * Date, JSON parsed). A parameter that is not text is cast where the context does not fix its type
 * (`$1::uuid`, `$2::jsonb`, `$3::timestamptz`, `$4::text[]`): the Data API binds text as varchar.
 */
export interface SqlExecutor {
  query<Row = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<Row[]>;
}

export interface QueryOptions {
  /**
   * A statement run often (claiming and moving runs): a driver that can keeps it prepared on each
   * connection, so the server parses it once per connection rather than on every call. Postgres
   * keeps a single plan for a prepared statement without parameters; one with parameters may be
   * planned again for the values of each call, as Postgres judges from its estimates. Its result
   * columns must be named, not `*`: a column added by a later migration would otherwise change
   * the prepared statement's result and fail it.
   */
  prepared?: boolean;
}

export interface Database extends SqlExecutor {
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Calls `onNotify` when a `NOTIFY` (or `pg_notify`) on `channel` is committed, on a driver that
   * can listen (`pg`: one connection of its own, LISTENing). A driver that cannot (the RDS Data
   * API) returns a subscription that never listens: callers keep polling. A lost listening
   * connection is opened again; meanwhile `listening()` is false, and `onNotify` is called once
   * it listens again (what was notified in between was missed).
   */
  subscribe(channel: string, onNotify: () => void): Subscription;
  close(): Promise<void>;
}

/** A subscription to a channel's notifications. */
export interface Subscription {
  /** Whether notifications reach it now: callers poll at their short interval while it is false. */
  listening(): boolean;
  close(): Promise<void>;
}

/** The subscription of a driver that cannot listen. */
export const NOT_LISTENING: Subscription = {
  listening: () => false,
  close: async () => undefined,
};
