/** Webhook configuration and Harbor's payload shape, shared by the store, the sender and the API. */
import { invalid } from '../../lib/errors.js';
import type { Attempt, Delivery } from '../console/web/wire.js';

export const EVENT_TYPES = ['PUSH_ARTIFACT', 'DELETE_ARTIFACT', 'PULL_ARTIFACT'] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export const MAX_WEBHOOKS = 10;

export interface WebhookConfig {
  id: string;
  name: string;
  url: string;
  /** Sent as the Authorization header when set (Harbor's "auth header"). */
  authHeader?: string;
  events: EventType[];
  enabled: boolean;
  created: string;
}

/** Harbor's webhook payload (its "Default" format). */
export interface WebhookPayload {
  type: EventType;
  /** Seconds since the epoch. */
  occur_at: number;
  operator: string;
  event_data: {
    resources: { digest: string; tag: string; resource_url: string }[];
    repository: { date_created: number; name: string; namespace: string; repo_full_name: string; repo_type: 'public' | 'private' };
  };
}

/** The editable fields of a webhook from a JSON body; `base` fills in what a PUT leaves out. */
export function parseWebhook(body: Record<string, unknown>, base?: Omit<WebhookConfig, 'id' | 'created'>): Omit<WebhookConfig, 'id' | 'created'> {
  const name = body.name ?? base?.name;
  if (typeof name !== 'string' || name === '' || name.length > 100) throw invalid('name must be a non-empty string of at most 100 characters');
  const url = body.url ?? base?.url;
  if (typeof url !== 'string' || !isHttpUrl(url)) throw invalid('url must be an http:// or https:// URL');
  const events = body.events ?? base?.events ?? ['PUSH_ARTIFACT', 'DELETE_ARTIFACT'];
  if (!Array.isArray(events) || events.length === 0 || events.some((e) => !(EVENT_TYPES as readonly unknown[]).includes(e))) {
    throw invalid(`events must be a non-empty list of ${EVENT_TYPES.join(', ')}`);
  }
  const enabled = body.enabled ?? base?.enabled ?? true;
  if (typeof enabled !== 'boolean') throw invalid('enabled must be true or false');
  // null clears the header; absent keeps it.
  const auth = body.auth_header === undefined ? base?.authHeader : body.auth_header;
  if (auth !== undefined && auth !== null && (typeof auth !== 'string' || /[\r\n]/.test(auth) || auth.length > 4096)) {
    throw invalid('auth_header must be one line of text');
  }
  return { name, url, events: [...new Set(events as EventType[])], enabled, ...(typeof auth === 'string' && auth !== '' ? { authHeader: auth } : {}) };
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

export type { Attempt, Delivery };
