import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { replacePlaceholders } from '../../services/db/sql-text.js';

/**
 * A local endpoint that speaks the RDS Data API's REST-JSON protocol, as the real
 * `@aws-sdk/client-rds-data` sends it (POST /Execute, /BatchExecute, /BeginTransaction,
 * /CommitTransaction, /RollbackTransaction), and runs every statement on a real Postgres.
 *
 * It behaves as the service does where the service differs from a Postgres connection:
 * - named parameters (`:name`) are bound with the type their field gives them: stringValue as
 *   varchar (or the typeHint's type: UUID, TIMESTAMP without time zone, DATE, TIME, DECIMAL,
 *   JSON), longValue as bigint, doubleValue as double precision, booleanValue as boolean,
 *   blobValue as bytea; an untyped NULL; array parameters are refused;
 * - one statement per call (the extended protocol refuses several);
 * - sessions run in UTC and timestamptz comes back as UTC text without an offset;
 * - records are typed fields (longValue, stringValue, arrayValue…), with columnMetadata when asked,
 *   and longReturnType/decimalReturnType honoured; formatRecordsAs JSON gives formattedRecords;
 * - a transaction holds a connection of the endpoint's pool, named by a transaction id; once the
 *   database ends that connection (idle_in_transaction_session_timeout), the transaction is not
 *   found;
 * - SQL errors are DatabaseErrorException ("ERROR: …; SQLState: 23505"), a statement running
 *   longer than the statement timeout (45 s, like the service's synchronous limit) is
 *   StatementTimeoutException.
 * Failures can be injected (`failNext`) to test how a client copes with transient errors.
 */

export interface DataApiServerOptions {
  /** Any database on this Postgres server can be named in a request. */
  postgresUrl: string;
  resourceArn: string;
  secretArn: string;
  statementTimeoutMs?: number;
}

export interface DataApiServer {
  endpoint: string;
  /** The next `count` calls of `operation` fail with the named error (as the service sends it). */
  failNext(operation: Operation, error: InjectedError, count?: number): void;
  /** Calls received per operation, injected failures included. */
  calls: Record<string, number>;
  openTransactions(): number;
  stop(): Promise<void>;
}

type Operation =
  'Execute' | 'BatchExecute' | 'BeginTransaction' | 'CommitTransaction' | 'RollbackTransaction';
export type InjectedError =
  | 'DatabaseResumingException'
  | 'ThrottlingException'
  | 'StatementTimeoutException'
  | 'ServiceUnavailableError'
  | 'InternalServerErrorException';

const INJECTED: Record<InjectedError, { status: number; message: string }> = {
  DatabaseResumingException: { status: 400, message: 'The database is resuming after being auto-paused.' },
  ThrottlingException: { status: 400, message: 'Rate exceeded' },
  StatementTimeoutException: { status: 400, message: 'Request timed out' },
  ServiceUnavailableError: { status: 503, message: '' },
  InternalServerErrorException: { status: 500, message: '' },
};

class ApiError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

interface Field {
  isNull?: boolean;
  booleanValue?: boolean;
  longValue?: number;
  doubleValue?: number;
  stringValue?: string;
  blobValue?: string;
  arrayValue?: unknown;
}
interface SqlParameter {
  name?: string;
  value?: Field;
  typeHint?: string;
}

const HINT_TYPES: Record<string, string> = {
  UUID: 'uuid',
  TIMESTAMP: 'timestamp',
  DATE: 'date',
  TIME: 'time',
  DECIMAL: 'numeric',
  JSON: 'json',
};

const JDBC_TYPES: Record<string, number> = {
  bool: -7,
  int2: 5,
  int4: 4,
  int8: -5,
  float4: 7,
  float8: 8,
  numeric: 2,
  text: 12,
  varchar: 12,
  bpchar: 1,
  date: 91,
  time: 92,
  timestamp: 93,
  timestamptz: 93,
  bytea: -2,
};

const INTEGER_TYPES = new Set(['int2', 'int4', 'int8', 'oid']);
const FLOAT_TYPES = new Set(['float4', 'float8']);

/** Binds parameters as the Data API does: `:name` becomes `($n::type)`, the type the field gives. */
function bindParameters(sql: string, parameters: SqlParameter[]): { text: string; values: unknown[] } {
  const byName = new Map<string, SqlParameter>();
  for (const p of parameters) {
    if (!p.name) throw new ApiError('BadRequestException', 400, 'Parameter name is required');
    if (p.value?.arrayValue !== undefined) {
      throw new ApiError('BadRequestException', 400, 'Array parameters are not supported.');
    }
    byName.set(p.name, p);
  }
  const values: unknown[] = [];
  const positions = new Map<string, string>();
  const text = replacePlaceholders(sql, 'named', (placeholder) => {
    const name = placeholder.kind === 'named' ? placeholder.name : '';
    const parameter = byName.get(name);
    if (!parameter) return `:${name}`;
    let bound = positions.get(name);
    if (!bound) {
      const { value, cast } = parameterValue(parameter);
      values.push(value);
      bound = cast ? `($${values.length}::${cast})` : `$${values.length}`;
      positions.set(name, bound);
    }
    return bound;
  });
  return { text, values };
}

function parameterValue(parameter: SqlParameter): { value: unknown; cast: string | undefined } {
  const field = parameter.value ?? { isNull: true };
  if (field.isNull) return { value: null, cast: undefined };
  if (field.booleanValue !== undefined) return { value: field.booleanValue, cast: 'bool' };
  if (field.longValue !== undefined) return { value: String(field.longValue), cast: 'int8' };
  if (field.doubleValue !== undefined) return { value: String(field.doubleValue), cast: 'float8' };
  if (field.blobValue !== undefined) return { value: Buffer.from(field.blobValue, 'base64'), cast: 'bytea' };
  if (field.stringValue !== undefined) {
    const hint = parameter.typeHint ? HINT_TYPES[parameter.typeHint] : 'varchar';
    if (!hint) throw new ApiError('BadRequestException', 400, `Invalid typeHint: ${parameter.typeHint}`);
    return { value: field.stringValue, cast: hint };
  }
  throw new ApiError('BadRequestException', 400, `Parameter ${parameter.name} has no value`);
}

function sqlError(error: unknown): ApiError {
  const e = error as { code?: string; message?: string; detail?: string; position?: string };
  if (e.code === '57014') {
    return new ApiError('StatementTimeoutException', 400, 'Request timed out', { dbConnectionId: 1 });
  }
  if (e.code === '3D000')
    return new ApiError('DatabaseNotFoundException', 404, e.message ?? 'database not found');
  // The database cannot be reached, is shutting down or dropped the connection: nothing was committed.
  if (!e.code || /^(?:08|57P)/.test(e.code) || e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET') {
    return new ApiError('DatabaseUnavailableException', 504, '');
  }
  let message = `ERROR: ${e.message}`;
  if (e.detail) message += `\n  Detail: ${e.detail}`;
  if (e.position) message += `\n  Position: ${e.position}`;
  return new ApiError('DatabaseErrorException', 400, `${message}; SQLState: ${e.code}`);
}

function utcText(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

interface ResultOptions {
  longAsString: boolean;
  decimalAsString: boolean;
}

function scalarField(value: unknown, type: string, options: ResultOptions): Field {
  if (value === null || value === undefined) return { isNull: true };
  const text = String(value);
  if (type === 'bool') return { booleanValue: value === true || text === 't' };
  if (INTEGER_TYPES.has(type))
    return options.longAsString ? { stringValue: text } : { longValue: Number(text) };
  if (FLOAT_TYPES.has(type)) {
    const n = Number(text);
    return Number.isFinite(n) ? { doubleValue: n } : { stringValue: text };
  }
  if (type === 'numeric')
    return options.decimalAsString ? { stringValue: text } : { doubleValue: Number(text) };
  if (type === 'bytea') return { blobValue: Buffer.from(text.slice(2), 'hex').toString('base64') };
  if (type === 'timestamptz')
    return { stringValue: value instanceof Date ? utcText(value) : text.replace(/\+00$/, '') };
  if (value instanceof Date) return { stringValue: utcText(value) };
  if (typeof value === 'object') return { stringValue: JSON.stringify(value) };
  return { stringValue: text };
}

function arrayField(values: unknown[], elementType: string): Record<string, unknown> {
  if (values.some((v) => Array.isArray(v))) {
    return { arrayValues: values.map((v) => arrayField(v as unknown[], elementType)) };
  }
  if (elementType === 'bool') return { booleanValues: values.map((v) => (v === null ? null : v === true)) };
  if (INTEGER_TYPES.has(elementType))
    return { longValues: values.map((v) => (v === null ? null : Number(v))) };
  if (FLOAT_TYPES.has(elementType))
    return { doubleValues: values.map((v) => (v === null ? null : Number(v))) };
  return {
    stringValues: values.map((v) => {
      if (v === null) return null;
      if (v instanceof Date) return utcText(v);
      if (Buffer.isBuffer(v)) return v.toString('base64');
      if (typeof v === 'object') return JSON.stringify(v);
      return String(v);
    }),
  };
}

export async function startDataApiServer(options: DataApiServerOptions): Promise<DataApiServer> {
  const statementTimeoutMs = options.statementTimeoutMs ?? 45_000;
  const pools = new Map<string, pg.Pool>();
  const transactions = new Map<string, pg.PoolClient>();
  const typeNames = new Map<number, { name: string; element: string | undefined }>();
  const failures: { operation: Operation; error: InjectedError }[] = [];
  const calls: Record<string, number> = {};

  const connectionConfig = (database: string): pg.ClientConfig => {
    const url = new URL(options.postgresUrl);
    url.pathname = `/${database}`;
    return {
      connectionString: url.toString(),
      statement_timeout: statementTimeoutMs,
      options: '-c TimeZone=UTC',
      // Values arrive as Postgres text; this endpoint encodes them as the Data API does.
      types: { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig,
    };
  };
  const poolOf = (database: string) => {
    let pool = pools.get(database);
    if (!pool) {
      // Bounded, as the service's own pool is: a burst of calls waits for a connection.
      pool = new pg.Pool({ ...connectionConfig(database), max: 30, idleTimeoutMillis: 2000 });
      pool.on('error', () => undefined);
      // A connection the database drops while a call or a transaction holds it fails that call
      // (or the transaction's next one), not the endpoint.
      pool.on('connect', (client) => client.on('error', () => undefined));
      pools.set(database, pool);
    }
    return pool;
  };

  async function typesOf(client: pg.ClientBase, oids: number[]) {
    const missing = oids.filter((oid) => !typeNames.has(oid));
    if (missing.length > 0) {
      const { rows } = await client.query<{ oid: string; name: string; element: string | null }>(
        `SELECT t.oid::text AS oid, t.typname AS name, e.typname AS element
         FROM pg_type t LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
         WHERE t.oid = ANY($1::oid[])`,
        [missing],
      );
      for (const row of rows)
        typeNames.set(Number(row.oid), { name: row.name, element: row.element ?? undefined });
    }
    return oids.map((oid) => typeNames.get(oid) ?? { name: 'unknown', element: undefined });
  }

  async function execute(client: pg.ClientBase, body: Record<string, unknown>, parameters: SqlParameter[]) {
    const { text, values } = bindParameters(String(body.sql ?? ''), parameters);
    let result: pg.QueryArrayResult;
    try {
      result = await client.query({
        text,
        values,
        rowMode: 'array',
        queryMode: 'extended',
      } as pg.QueryArrayConfig);
    } catch (error) {
      throw sqlError(error);
    }
    const output: Record<string, unknown> = {
      numberOfRecordsUpdated: result.command === 'SELECT' ? 0 : (result.rowCount ?? 0),
      generatedFields: [],
    };
    if (result.fields.length === 0) return output;
    const types = await typesOf(
      client,
      result.fields.map((f) => f.dataTypeID),
    );
    const resultOptions = (body.resultSetOptions ?? {}) as {
      longReturnType?: string;
      decimalReturnType?: string;
    };
    const encodeOptions = {
      longAsString: resultOptions.longReturnType === 'STRING',
      decimalAsString: resultOptions.decimalReturnType !== 'DOUBLE_OR_LONG',
    };
    const fields = result.rows.map((row) =>
      row.map((raw, i) => {
        const type = types[i]!;
        if (type.element === undefined || raw === null) return scalarField(raw, type.name, encodeOptions);
        const parsed: unknown = pg.types.getTypeParser(result.fields[i]!.dataTypeID, 'text')(raw as string);
        if (!Array.isArray(parsed)) return { stringValue: String(raw) };
        return { arrayValue: arrayField(parsed, type.element) };
      }),
    );
    if (body.formatRecordsAs === 'JSON') {
      output.formattedRecords = JSON.stringify(
        fields.map((row) =>
          Object.fromEntries(
            row.map((field, i) => {
              const f = field as Field & { arrayValue?: Record<string, unknown> };
              const value = f.isNull
                ? null
                : (f.booleanValue ??
                  f.longValue ??
                  f.doubleValue ??
                  f.stringValue ??
                  f.blobValue ??
                  f.arrayValue);
              return [result.fields[i]!.name, value];
            }),
          ),
        ),
      );
    } else {
      output.records = fields;
    }
    if (body.includeResultMetadata) {
      output.columnMetadata = result.fields.map((f, i) => ({
        name: f.name,
        label: f.name,
        typeName: types[i]!.name,
        type: types[i]!.element === undefined ? (JDBC_TYPES[types[i]!.name] ?? 1111) : 2003,
        arrayBaseColumnType: types[i]!.element === undefined ? 0 : (JDBC_TYPES[types[i]!.element!] ?? 1111),
        nullable: 2,
        precision: 0,
        scale: 0,
        schemaName: '',
        tableName: '',
        isAutoIncrement: false,
        isCaseSensitive: true,
        isCurrency: false,
        isSigned: INTEGER_TYPES.has(types[i]!.name) || FLOAT_TYPES.has(types[i]!.name),
      }));
    }
    return output;
  }

  function transactionOf(id: unknown): pg.PoolClient {
    const client = transactions.get(String(id));
    if (!client)
      throw new ApiError('TransactionNotFoundException', 404, `Transaction ${String(id)} is not found`);
    return client;
  }

  /** A connection of the request's database pool; a database that cannot be reached answers as the Data API does. */
  async function connect(body: Record<string, unknown>): Promise<pg.PoolClient> {
    try {
      return await poolOf(String(body.database ?? 'postgres')).connect();
    } catch (error) {
      throw sqlError(error);
    }
  }

  async function withClient<T>(body: Record<string, unknown>, fn: (client: pg.ClientBase) => Promise<T>) {
    if (body.transactionId) {
      const id = String(body.transactionId);
      const client = transactionOf(id);
      try {
        return await fn(client);
      } catch (error) {
        // The database ended the transaction's connection (idle_in_transaction_session_timeout, a
        // restart): the transaction is gone, and the service answers so for it from then on.
        if (error instanceof ApiError && error.type === 'DatabaseUnavailableException') {
          transactions.delete(id);
          client.release(true);
          throw new ApiError('TransactionNotFoundException', 404, `Transaction ${id} is not found`);
        }
        throw error;
      }
    }
    const client = await connect(body);
    try {
      return await fn(client);
    } finally {
      client.release();
    }
  }

  const operations: Record<Operation, (body: Record<string, unknown>) => Promise<unknown>> = {
    Execute: (body) =>
      withClient(body, (client) => execute(client, body, (body.parameters ?? []) as SqlParameter[])),
    BatchExecute: (body) =>
      withClient(body, async (client) => {
        const sets = (body.parameterSets ?? [[]]) as SqlParameter[][];
        const own = !body.transactionId;
        if (own) await client.query('BEGIN');
        try {
          for (const set of sets) await execute(client, body, set);
          if (own) await client.query('COMMIT');
        } catch (error) {
          if (own) await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
        return { updateResults: sets.map(() => ({ generatedFields: [] })) };
      }),
    async BeginTransaction(body) {
      // As the service does, a transaction holds a connection of the database's pool until it ends.
      const client = await connect(body);
      try {
        await client.query('BEGIN');
      } catch (error) {
        client.release(true);
        throw sqlError(error);
      }
      const id = randomBytes(144).toString('base64');
      transactions.set(id, client);
      return { transactionId: id };
    },
    async CommitTransaction(body) {
      const client = transactionOf(body.transactionId);
      transactions.delete(String(body.transactionId));
      try {
        await client.query('COMMIT');
        client.release();
      } catch (error) {
        client.release(true);
        throw sqlError(error);
      }
      return { transactionStatus: 'Transaction Committed' };
    },
    async RollbackTransaction(body) {
      const client = transactionOf(body.transactionId);
      transactions.delete(String(body.transactionId));
      const failed = await client.query('ROLLBACK').then(
        () => false,
        () => true,
      );
      client.release(failed);
      return { transactionStatus: 'Rollback Complete' };
    },
  };

  async function handle(
    request: http.IncomingMessage,
  ): Promise<{ status: number; body: unknown; type?: string }> {
    const operation = (request.url ?? '').replace(/^\//, '').split('?')[0] as Operation;
    if (request.method !== 'POST' || !(operation in operations)) {
      throw new ApiError('NotFoundException', 404, `unknown operation ${request.method} ${request.url}`);
    }
    calls[operation] = (calls[operation] ?? 0) + 1;
    const auth = request.headers.authorization ?? '';
    if (!auth.startsWith('AWS4-HMAC-SHA256 ') || !auth.includes('/rds-data/aws4_request')) {
      throw new ApiError('ForbiddenException', 403, 'Missing or invalid SigV4 signature for rds-data');
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    const failure = failures.findIndex((f) => f.operation === operation);
    if (failure !== -1) {
      const { error } = failures.splice(failure, 1)[0]!;
      const extra = error === 'StatementTimeoutException' ? { dbConnectionId: 1 } : {};
      throw new ApiError(error, INJECTED[error].status, INJECTED[error].message, extra);
    }
    if (body.resourceArn !== options.resourceArn) {
      throw new ApiError('BadRequestException', 400, `Cluster ${String(body.resourceArn)} not found`);
    }
    if (body.secretArn !== options.secretArn) {
      throw new ApiError(
        'BadRequestException',
        400,
        `Secret ${String(body.secretArn)} not found or not readable`,
      );
    }
    return { status: 200, body: await operations[operation](body) };
  }

  const server = http.createServer((request, response) => {
    handle(request)
      .then(({ status, body }) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      })
      .catch((error: unknown) => {
        const e =
          error instanceof ApiError
            ? error
            : new ApiError('InternalServerErrorException', 500, String(error));
        response.writeHead(e.status, { 'content-type': 'application/json', 'x-amzn-errortype': e.type });
        response.end(JSON.stringify({ message: e.message, ...e.extra }));
      });
  });
  // The SDK keeps idle connections open for reuse with no time limit of its own; a server closing
  // them after Node's 5 s default can close one just as a request goes out on it, which the client
  // sees as "socket hang up". The suite's clients are the only ones here: the emulator keeps an
  // idle connection until its client closes it (or the emulator stops, closing them all).
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    failNext(operation, error, count = 1) {
      for (let i = 0; i < count; i += 1) failures.push({ operation, error });
    },
    openTransactions: () => transactions.size,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const client of transactions.values()) client.release(true);
      transactions.clear();
      for (const pool of pools.values()) await pool.end().catch(() => undefined);
      pools.clear();
    },
  };
}
