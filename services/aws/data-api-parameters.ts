import type { SqlParameter } from '@aws-sdk/client-rds-data';
import { replacePlaceholders } from '../db/sql-text.js';

/**
 * Turns the application's `$1`-style SQL and its parameter values into a Data API statement with
 * named parameters (`:p1`) and typed values.
 *
 * The Data API binds a plain `stringValue` as `varchar`, `longValue` as `bigint`, `doubleValue` as
 * `double precision` and `booleanValue` as `boolean`; unlike `pg`, which leaves a text parameter's
 * type for the server to infer. So SQL sent through either driver states the type of a parameter
 * that is not text where the context does not fix it (`$1::uuid`, `$2::jsonb`, `$3::timestamptz`,
 * `$4::text[]`).
 *
 * Values map as `pg` serialises them: null and undefined → NULL; a boolean → booleanValue; a safe
 * integer → longValue, a fraction → doubleValue; an integer (number or bigint) beyond 2^53, NaN and
 * ±Infinity → its text as DECIMAL; a Date → ISO 8601 text in UTC with its offset (never the TIMESTAMP hint,
 * which means "without time zone" and is read in the session's time zone); an array → a Postgres
 * array literal (the SQL casts it: `$1::uuid[]`); a Buffer → blobValue; any other object → JSON.
 */
export function toDataApiStatement(
  sql: string,
  params: readonly unknown[] = [],
): { sql: string; parameters: SqlParameter[] } {
  const used = new Set<number>();
  const text = replacePlaceholders(sql, 'positional', (placeholder) => {
    const index = placeholder.kind === 'positional' ? placeholder.index : 0;
    if (index < 1 || index > params.length) {
      throw new RangeError(`the statement refers to $${index} but ${params.length} parameter(s) were given`);
    }
    used.add(index);
    return `:p${index}`;
  });
  if (used.size !== params.length) {
    throw new RangeError(`${params.length} parameter(s) were given but the statement uses ${used.size}`);
  }
  const parameters = [...used].sort((a, b) => a - b).map((i) => toSqlParameter(`p${i}`, params[i - 1]));
  return { sql: text, parameters };
}

export function toSqlParameter(name: string, value: unknown): SqlParameter {
  if (value === null || value === undefined) return { name, value: { isNull: true } };
  if (typeof value === 'boolean') return { name, value: { booleanValue: value } };
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return { name, value: { longValue: value } };
    if (Number.isFinite(value) && !Number.isInteger(value)) return { name, value: { doubleValue: value } };
    // Beyond 2^53, NaN, ±Infinity: the text pg would send, exact.
    return { name, value: { stringValue: String(value) }, typeHint: 'DECIMAL' };
  }
  if (typeof value === 'bigint') {
    const asNumber = Number(value);
    if (Number.isSafeInteger(asNumber)) return { name, value: { longValue: asNumber } };
    return { name, value: { stringValue: value.toString() }, typeHint: 'DECIMAL' };
  }
  if (typeof value === 'string') return { name, value: { stringValue: value } };
  if (value instanceof Date) return { name, value: { stringValue: dateText(value) } };
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    return { name, value: { blobValue: new Uint8Array(value) } };
  }
  if (Array.isArray(value)) return { name, value: { stringValue: arrayLiteral(value) } };
  if (typeof value === 'object')
    return { name, value: { stringValue: JSON.stringify(value) }, typeHint: 'JSON' };
  throw new TypeError(`a ${typeof value} cannot be sent as a SQL parameter`);
}

function dateText(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('an invalid Date cannot be sent as a SQL parameter');
  return date.toISOString();
}

function elementText(value: unknown): string {
  if (value instanceof Date) return dateText(value);
  if (Buffer.isBuffer(value) || value instanceof Uint8Array)
    return `\\x${Buffer.from(value).toString('hex')}`;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A Postgres array literal, as `pg` writes one: every element quoted, NULL for null, nested arrays nested. */
export function arrayLiteral(values: readonly unknown[]): string {
  const items = values.map((item) => {
    if (item === null || item === undefined) return 'NULL';
    if (Array.isArray(item)) return arrayLiteral(item);
    return `"${elementText(item).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  });
  return `{${items.join(',')}}`;
}
