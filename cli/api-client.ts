import createClient from 'openapi-fetch';
import type { paths } from '../api-types/openapi.ts';
import { CliExit, EXIT } from './exit-codes.ts';
import { withoutTrailing } from '../src/text/without-trailing.ts';

export interface ApiProblem {
  path: string;
  message: string;
}

/** A 4xx or 5xx from the service, with its stable code, message and problems. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problems: ApiProblem[];

  constructor(status: number, code: string, message: string, problems: ApiProblem[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.problems = problems;
  }

  /** 401 and 403 are the service refusing the key: exit 3; other 4xx are the caller's mistake: exit 2. */
  get exitCode(): number {
    if (this.status === 401 || this.status === 403 || this.status >= 500) return EXIT.unreachable;
    return EXIT.invalid;
  }
}

/** What the API answers to `method path` when it succeeds: Answer<'/runs/{id}'> is a run. */
export type Answer<
  P extends keyof paths,
  M extends 'get' | 'post' | 'put' | 'patch' | 'delete' = 'get',
> = Success<NonNullable<paths[P][M]>>;
/**
 * What `method path` takes as its JSON body: a definition read from a file is sent as one, for the
 * service to validate whole (a cast from what the file holds, never from what the API answers).
 */
export type Body<P extends keyof paths, M extends 'post' | 'put' | 'patch' = 'post'> =
  NonNullable<paths[P][M]> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
type JsonOf<R> = R extends { content: { 'application/json': infer J } } ? J : never;
type Success<O> = O extends { responses: infer R }
  ? R extends { 200: infer A }
    ? JsonOf<A>
    : R extends { 201: infer A }
      ? JsonOf<A>
      : R extends { 202: infer A }
        ? JsonOf<A>
        : never
  : never;

/** The paths whose GET answers a page of a listing: a cursor in, nextCursor out. */
export type PagedPath = {
  [P in keyof paths]: NonNullable<paths[P]['get']> extends { parameters: { query?: { cursor?: string } } }
    ? Answer<P> extends { nextCursor: string | null }
      ? P
      : never
    : never;
}[keyof paths];
/** The field of a page that holds its items: 'jobs' of GET /jobs. */
export type ItemsField<P extends PagedPath> = {
  [F in keyof Answer<P>]: Answer<P>[F] extends readonly unknown[] ? F : never;
}[keyof Answer<P>];
/** One item of a listing: ItemOf<'/jobs', 'jobs'> is a Job. */
export type ItemOf<P extends PagedPath, F extends ItemsField<P>> = Answer<P>[F] extends readonly (infer I)[]
  ? I
  : never;
type GetParams<P extends keyof paths> =
  NonNullable<paths[P]['get']> extends { parameters: infer R } ? R : never;
/** A listing's parameters but the page's own (limit, cursor), which all() sets. */
export type PageParams<P extends PagedPath> = {
  [K in keyof GetParams<P>]: K extends 'query'
    ? Omit<NonNullable<GetParams<P>[K]>, 'limit' | 'cursor'>
    : GetParams<P>[K];
};
/** Items asked for a page of a listing by all(): the most any listing gives. */
const PAGE_SIZE = 200;

/** A refused request's body and status as an ApiError, with what to do about a missing key. */
function refusalOf(response: Response, body: unknown): ApiError {
  const parsed = (typeof body === 'object' && body !== null ? body : {}) as {
    error?: string;
    message?: string;
    problems?: ApiProblem[];
  };
  let message = parsed.message ?? `${response.status} ${response.statusText}`;
  if (response.status === 401) message += '; give an API key with --api-key or TDS_API_KEY';
  return new ApiError(response.status, parsed.error ?? 'error', message, parsed.problems ?? []);
}

/**
 * The answer of a request made with the client's typed methods (api.GET('/runs/{id}', { params:
 * { path: { id } } })), or the service's refusal as an ApiError.
 */
export async function answerOf<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await request;
  if (!response.ok) throw refusalOf(response, error);
  return data as T;
}

export interface ApiClientOptions {
  url: string;
  apiKey?: string;
}

export type ApiClient = ReturnType<typeof createApiClient>;

/** The service's public API over HTTP: the one way `tds` reaches it. */
export function createApiClient({ url, apiKey }: ApiClientOptions) {
  const base = withoutTrailing(url, '/');

  /** One request to `url` (the base and a path) with the key; `body` is JSON text. */
  async function send(
    method: string,
    url: string,
    body: string | undefined,
    extra: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...extra };
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await fetch(url, { method, headers, body, signal });
    } catch (error) {
      if (signal?.aborted) throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliExit(
        EXIT.unreachable,
        `cannot reach the service at ${base}: ${cause?.code ?? cause?.message ?? String(error)}; start it, or give --url (or TDS_URL)`,
      );
    }
  }

  /** The error a refused request is answered with, as an ApiError. */
  async function refusal(response: Response): Promise<ApiError> {
    const text = await response.text();
    let parsed: unknown = {};
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = {};
    }
    return refusalOf(response, parsed);
  }

  // The API typed by its own OpenAPI document (api-types/openapi.ts): each path, its parameters,
  // body and answer. Sent the same way as every other request (send: the key, the unreachable service).
  const typed = createClient<paths>({
    baseUrl: base,
    fetch: async (request: Request) =>
      send(request.method, request.url, request.body ? await request.text() : undefined),
  });

  return {
    base,
    /** The typed requests: GET, POST, PUT, PATCH and DELETE by the API's own paths; see answer(). */
    GET: typed.GET,
    POST: typed.POST,
    PUT: typed.PUT,
    PATCH: typed.PATCH,
    DELETE: typed.DELETE,

    /** A GET whose body is read as a stream (Server-Sent Events): the open response, or the refusal. */
    async stream(
      path: string,
      headers: Record<string, string> = {},
      signal?: AbortSignal,
    ): Promise<Response> {
      const response = await send(
        'GET',
        `${base}${path}`,
        undefined,
        { accept: 'text/event-stream', ...headers },
        signal,
      );
      if (!response.ok) throw await refusal(response);
      return response;
    },

    /**
     * Every item of a listing, following nextCursor page by page: all('/jobs', 'jobs', { query: {
     * userId } }) is every Job of the user, typed as GET /jobs answers it.
     */
    async all<P extends PagedPath, F extends ItemsField<P>>(
      path: P,
      field: F,
      params: PageParams<P>,
    ): Promise<ItemOf<P, F>[]> {
      const items: ItemOf<P, F>[] = [];
      let cursor: string | null = null;
      // A path typed generically is more than openapi-fetch's overloads can follow: what goes in
      // and comes out is typed by this method's signature, from the same paths.
      const given = params as { query?: object; path?: object };
      do {
        const query = { ...given.query, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) };
        const page = (await answerOf(
          typed.GET(path as '/jobs', { params: { ...given, query } as never }),
        )) as unknown as Answer<P>;
        items.push(...(page[field] as ItemOf<P, F>[]));
        cursor = page.nextCursor;
      } while (cursor);
      return items;
    },
  };
}
