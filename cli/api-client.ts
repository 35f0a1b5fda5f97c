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

export interface ApiClientOptions {
  url: string;
  apiKey?: string;
}

export type ApiClient = ReturnType<typeof createApiClient>;

/** The service's public API over HTTP: the one way `tds` reaches it. */
export function createApiClient({ url, apiKey }: ApiClientOptions) {
  const base = withoutTrailing(url, '/');

  async function send(
    method: string,
    path: string,
    body: unknown,
    extra: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...extra };
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await fetch(`${base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
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
    let parsed: { error?: string; message?: string; problems?: ApiProblem[] } = {};
    try {
      parsed = text ? (JSON.parse(text) as typeof parsed) : {};
    } catch {
      parsed = {};
    }
    let message = parsed.message ?? `${response.status} ${response.statusText}`;
    if (response.status === 401) message += '; give an API key with --api-key or TDS_API_KEY';
    return new ApiError(response.status, parsed.error ?? 'error', message, parsed.problems ?? []);
  }

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await send(method, path, body);
    if (!response.ok) throw await refusal(response);
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return parsed as T;
  }

  return {
    base,
    get: <T>(path: string) => request<T>('GET', path),
    post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
    put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
    delete: <T>(path: string) => request<T>('DELETE', path),

    /** A GET whose body is read as a stream (Server-Sent Events): the open response, or the refusal. */
    async stream(
      path: string,
      headers: Record<string, string> = {},
      signal?: AbortSignal,
    ): Promise<Response> {
      const response = await send(
        'GET',
        path,
        undefined,
        { accept: 'text/event-stream', ...headers },
        signal,
      );
      if (!response.ok) throw await refusal(response);
      return response;
    },

    /** Every item of a listing, following nextCursor page by page. */
    async all<T>(path: string, field: string): Promise<T[]> {
      const items: T[] = [];
      let cursor: string | null = null;
      do {
        const separator = path.includes('?') ? '&' : '?';
        const page: Record<string, unknown> = await request<Record<string, unknown>>(
          'GET',
          `${path}${separator}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        items.push(...((page[field] as T[] | undefined) ?? []));
        cursor = (page.nextCursor as string | null | undefined) ?? null;
      } while (cursor);
      return items;
    },
  };
}
