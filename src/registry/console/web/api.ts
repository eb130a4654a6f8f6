/**
 * Calls to the registry's management API (/api/v1). The session cookie is
 * HttpOnly and SameSite=Strict; the server takes it on writes only with a JSON
 * body, so every write here sends one. Errors are Harbor's
 * {"errors":[{"code","message"}]}, thrown as Error with the first message.
 */
export const API = '/api/v1';

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const write = method !== 'GET';
  const res = await fetch(API + path, {
    method,
    credentials: 'same-origin',
    headers: write ? { 'Content-Type': 'application/json' } : {},
    body: write ? JSON.stringify(body ?? {}) : undefined,
  });
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => ({}))) as { errors?: { message?: string }[] };
  if (!res.ok) throw new ApiError(res.status, data.errors?.[0]?.message ?? res.statusText);
  return data as T;
}

export const enc = encodeURIComponent;

export interface User {
  username: string;
  admin: boolean;
}

export type Role = 'projectAdmin' | 'maintainer' | 'developer' | 'guest';
export const ROLES: Role[] = ['projectAdmin', 'maintainer', 'developer', 'guest'];

export interface Project {
  name: string;
  public: boolean;
  repositories: number;
  quota_bytes: number | null;
  used_bytes?: number;
  role?: Role;
}

export interface Tag {
  name: string;
  digest: string;
  size: number;
  platforms: string[];
  pushed: number;
  /** null: never pulled. */
  pulled: number | null;
}

export interface Tags {
  repository: string;
  can_delete: boolean;
  tags: Tag[];
}

export interface Member {
  username: string;
  role: Role;
}

export interface Robot {
  name: string;
  actions: string[];
  description?: string;
  expires_at: number;
}

export interface AuditEntry {
  time: string;
  operation: string;
  user: string;
  repository: string;
  reference: string;
}
