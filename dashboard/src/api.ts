import createClient from 'openapi-fetch';
import type { paths } from '../../api-types/openapi.ts';

// The dashboard is a client of the public API: every request goes through here, typed by the API's
// own OpenAPI document (api-types/openapi.ts, `npm run api:types`), with the API key of this
// browser session (kept in sessionStorage only) when there is one.

const KEY = 'tds.apiKey';

export const session = {
  get key(): string {
    return sessionStorage.getItem(KEY) ?? '';
  },
  set key(value: string) {
    if (value) sessionStorage.setItem(KEY, value);
    else sessionStorage.removeItem(KEY);
  },
};

/** Each problem of a refused definition: path (a JSON Pointer into the body sent) and message. */
export interface Problem {
  path: string;
  message: string;
  line?: number;
}

interface ProblemDetails {
  error?: string;
  message?: string;
  problems?: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly problems: Problem[];

  constructor(status: number, body: ProblemDetails | undefined) {
    super(body?.message ?? `the API answered ${status}`);
    this.status = status;
    this.code = body?.error;
    this.problems = Array.isArray(body?.problems) ? (body.problems as Problem[]) : [];
  }
}

export function headers(extra: Record<string, string> = {}): Record<string, string> {
  const key = session.key;
  return key ? { authorization: `Bearer ${key}`, ...extra } : extra;
}

/** How long a read that failed on the network waits before it is sent once more. */
const RETRY_AFTER_MS = 300;

/**
 * A request that changes nothing in the service: a read (GET or HEAD), or a dry run
 * (`?dry_run=true`: checked as it would be, nothing stored).
 */
function changesNothing(request: Request): boolean {
  return (
    request.method === 'GET' ||
    request.method === 'HEAD' ||
    new URL(request.url).searchParams.get('dry_run') === 'true'
  );
}

/**
 * fetch, with a request that changes nothing (a read, a dry run) and failed on the network (no
 * answer at all: the browser's network changed, a connection dropped) sent once more before the
 * page shows it as a problem. A write is never sent twice: whether the service acted on it cannot
 * be known.
 */
export async function fetchReadsTwice(request: Request): Promise<Response> {
  const again = changesNothing(request) ? request.clone() : undefined;
  try {
    return await fetch(request);
  } catch (error) {
    if (!again || !(error instanceof TypeError)) throw error;
    await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_MS));
    return fetch(again);
  }
}

/** The API, typed by its paths: client.GET('/runs/{id}', { params: { path: { id } } }). */
export const client = createClient<paths>({ baseUrl: '', fetch: fetchReadsTwice });
client.use({
  onRequest({ request }) {
    const key = session.key;
    if (key) request.headers.set('authorization', `Bearer ${key}`);
    return request;
  },
});

/** A refused request's body as problem details: JSON as sent, other text as its message. */
function problemDetails(error: unknown): ProblemDetails | undefined {
  if (typeof error === 'string') return error ? { message: error } : undefined;
  return typeof error === 'object' && error !== null ? (error as ProblemDetails) : undefined;
}

/**
 * The answer of a request made with `client`, or an ApiError with the service's message and
 * problems when it was refused.
 */
export async function answerOf<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await request;
  if (!response.ok) throw new ApiError(response.status, problemDetails(error));
  return data as T;
}

/** `params` as `query` leaves it: a value that may be null or undefined may be absent, never null. */
type Unset<T, K extends keyof T> = null extends T[K] ? K : undefined extends T[K] ? K : never;
export type Present<T> = { [K in keyof T as Unset<T, K>]?: Exclude<T[K], null> } & {
  [K in keyof T as K extends Unset<T, K> ? never : K]: T[K];
};

/** The query of a request from the values of `params` that are set (not undefined, null or ''). */
export function query<T extends Record<string, unknown>>(params: T): Present<T> {
  return Object.fromEntries(
    Object.entries(params).filter(([, value]) => value !== undefined && value !== null && value !== ''),
  ) as Present<T>;
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type JsonOf<R> = R extends { content: { 'application/json': infer J } } ? J : never;
type Success<O> = O extends { responses: infer R }
  ? R extends { 200: infer A }
    ? JsonOf<A>
    : R extends { 201: infer A }
      ? JsonOf<A>
      : never
  : never;

/** What the API answers to `method path` when it succeeds: Answer<'/runs/{id}', 'get'> is a run. */
export type Answer<P extends keyof paths, M extends Method = 'get'> = Success<NonNullable<paths[P][M]>>;
