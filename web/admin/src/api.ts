/** An error answer of /api/v1; `key` names the setting a validation error is about. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly key?: string,
    /** Where a Sieve script's compile error is. */
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

let csrf: string | null = null;
let onUnauthorized: () => void = () => undefined;

export function setCsrf(token: string | null): void {
  csrf = token;
}

export function whenLoggedOut(fn: () => void): void {
  onUnauthorized = fn;
}

/** Calls the API with the session cookie, and the CSRF token on every state-changing request. */
export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const data = res.headers.get('content-type')?.includes('json') ? await res.json() : null;
  if (res.status === 401 && path !== '/session') onUnauthorized();
  if (!res.ok) throw new ApiError(res.status, data?.error ?? res.statusText, data?.key, data?.line, data?.column);
  return data as T;
}

export const get = <T = any>(path: string) => api<T>('GET', path);
export const post = <T = any>(path: string, body: unknown = {}) => api<T>('POST', path, body);
export const put = <T = any>(path: string, body: unknown = {}) => api<T>('PUT', path, body);
export const patch = <T = any>(path: string, body: unknown = {}) => api<T>('PATCH', path, body);
export const del = <T = any>(path: string) => api<T>('DELETE', path);

/** A path segment from user data (addresses, names): never lets it change the path. */
export const seg = (s: string | number) => encodeURIComponent(String(s));
