// The dashboard is a client of the public API: every request goes through here, with the API key
// of this browser session (kept in sessionStorage only) when there is one.

const KEY = 'tds.apiKey';

export const session = {
  get key() {
    return sessionStorage.getItem(KEY) ?? '';
  },
  set key(value) {
    if (value) sessionStorage.setItem(KEY, value);
    else sessionStorage.removeItem(KEY);
  },
};

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `the API answered ${status}`);
    this.status = status;
    this.code = body?.error;
    /** Each problem of a refused definition: { path (a JSON Pointer into the body sent), message }. */
    this.problems = Array.isArray(body?.problems) ? body.problems : [];
  }
}

export function headers(extra = {}) {
  const key = session.key;
  return key ? { authorization: `Bearer ${key}`, ...extra } : extra;
}

export async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = { message: text };
  }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body ?? {});

/** A query string from the defined values of `params`. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
