/** fetch() for the dashboard's API: JSON both ways, the CSRF header on state-changing requests, errors as ApiError. */
let csrfToken = '';
let onSignedOut: () => void = () => undefined;

export function setCsrf(token: string): void {
  csrfToken = token;
}

/** Called when the server answers 401: the session ended, so the app goes back to the login page. */
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly body: Record<string, unknown>) {
    super(message);
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const data = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    if (res.status === 401 && path !== '/api/session' && path !== '/api/login') onSignedOut();
    throw new ApiError(res.status, typeof data.message === 'string' ? data.message : res.statusText, data);
  }
  return data as T;
}

export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The session's CSRF token, for the WebSocket endpoints that take it as ?csrf= (a browser WebSocket cannot send headers). */
export const csrf = (): string => csrfToken;
