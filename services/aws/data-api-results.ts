import type { ArrayValue, ColumnMetadata, Field } from '@aws-sdk/client-rds-data';

/**
 * Turns Data API records into rows shaped as `pg` returns them to the application, column by
 * column from the column's Postgres type name:
 * int2/int4/oid → number; int8 and numeric → string (as `pg` does: no precision lost; the
 * statements are sent with longReturnType STRING so the service sends no JSON number beyond 2^53);
 * float4/float8 → number; bool → boolean; json/jsonb → parsed value; timestamptz → Date (the Data
 * API sends it in UTC); timestamp and date → Date in local time (as `pg` reads them); bytea →
 * Buffer; arrays (`_name`) → arrays of the same; anything else → its text.
 */
export function toRows(
  records: Field[][] | undefined,
  columns: ColumnMetadata[] | undefined,
): Record<string, unknown>[] {
  if (!records) return [];
  const names = (columns ?? []).map((c, i) => c.label ?? c.name ?? `?column?${i}`);
  return records.map((record) => {
    const row: Record<string, unknown> = {};
    record.forEach((field, i) => {
      // Like pg: when two columns share a name, the last one wins.
      row[names[i] ?? `?column?${i}`] = fromField(field, columns?.[i]?.typeName ?? '');
    });
    return row;
  });
}

export function fromField(field: Field, typeName: string): unknown {
  if (field.isNull) return null;
  if (field.arrayValue !== undefined) return fromArray(field.arrayValue, elementType(typeName));
  if (field.booleanValue !== undefined) return field.booleanValue;
  if (field.blobValue !== undefined) return Buffer.from(field.blobValue);
  if (field.longValue !== undefined) return fromScalar(field.longValue, typeName);
  if (field.doubleValue !== undefined) return fromScalar(field.doubleValue, typeName);
  if (field.stringValue !== undefined) return fromScalar(field.stringValue, typeName);
  return null;
}

function elementType(typeName: string): string {
  return typeName.startsWith('_') ? typeName.slice(1) : typeName.replace(/\[\]$/, '');
}

function fromArray(array: ArrayValue, typeName: string): unknown[] {
  if (array.arrayValues) {
    return array.arrayValues.map((inner) => (inner === null ? null : fromArray(inner, typeName)));
  }
  const values: (string | number | boolean | null | undefined)[] =
    array.stringValues ?? array.longValues ?? array.doubleValues ?? array.booleanValues ?? [];
  return values.map((value) => (value === null || value === undefined ? null : fromScalar(value, typeName)));
}

function fromScalar(value: string | number | boolean, typeName: string): unknown {
  switch (typeName.toLowerCase()) {
    case 'int2':
    case 'int4':
    case 'oid':
    case 'float4':
    case 'float8':
      return typeof value === 'number' ? value : Number(value);
    case 'int8':
    case 'numeric':
    case 'bigserial':
    case 'money':
      return String(value);
    case 'bool':
      return typeof value === 'boolean' ? value : value === 't' || value === 'true';
    case 'json':
    case 'jsonb':
      return typeof value === 'string' ? JSON.parse(value) : value;
    case 'timestamptz':
      return typeof value === 'string' ? parseTimestamp(value, true) : value;
    case 'timestamp':
    case 'date':
      return typeof value === 'string' ? parseTimestamp(value, false) : value;
    default:
      return value;
  }
}

const TIMESTAMP =
  /^(\d{4,})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d):(\d\d)(?:\.(\d+))?)?(?:\s*(Z|[+-]\d\d(?::?\d\d)?(?::?\d\d)?))?(\s+BC)?\s*$/i;

/**
 * A timestamp as the Data API writes it ("2024-03-31 01:30:00.123456", UTC for timestamptz; an
 * explicit offset is honoured) → Date, with millisecond precision as `pg` gives it. `infinity`
 * and `-infinity` become ±Infinity, as with `pg`.
 */
export function parseTimestamp(text: string, utc: boolean): Date | number {
  if (text === 'infinity') return Infinity;
  if (text === '-infinity') return -Infinity;
  const m = TIMESTAMP.exec(text.trim());
  if (!m) throw new RangeError(`unreadable timestamp from the Data API: "${text}"`);
  const bc = Boolean(m[9]);
  let year = Number(m[1]);
  if (bc) year = 1 - year;
  const month = Number(m[2]) - 1;
  const day = Number(m[3]);
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  const offset = m[8];
  if (!offset && !utc) {
    const local = new Date(year, month, day, hour, minute, second, ms);
    local.setFullYear(year); // years 0–99 would otherwise be read as 1900–1999
    return local;
  }
  const date = new Date(Date.UTC(year, month, day, hour, minute, second, ms));
  date.setUTCFullYear(year);
  if (!offset || offset.toUpperCase() === 'Z') return date;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(/:/g, '');
  const offsetSeconds =
    Number(digits.slice(0, 2)) * 3600 +
    Number(digits.slice(2, 4) || 0) * 60 +
    Number(digits.slice(4, 6) || 0);
  return new Date(date.getTime() - sign * offsetSeconds * 1000);
}
