/** The shapes of the policy endpoints (/api/v1/projects/{p}/retention, …/immutability, …/webhooks). */
import { call } from './api.js';
import type { Delivery, GcSchedule, RetentionReport } from './wire.js';

export type { Delivery, RetentionReport };

export interface Selector {
  repositories: string;
  tags: string;
}

export interface RetentionRule extends Selector {
  keep: 'latest' | 'all';
  count?: number;
}

export interface Retention {
  rules: RetentionRule[];
  run_after_push: boolean;
  schedule: GcSchedule;
  next_run: string | null;
  last_run: RetentionReport | null;
}

export interface Webhook {
  id: string;
  name: string;
  url: string;
  events: string[];
  enabled: boolean;
  has_auth_header: boolean;
  deliveries: Delivery[];
}

export const EVENTS = ['PUSH_ARTIFACT', 'DELETE_ARTIFACT', 'PULL_ARTIFACT'];

/** Runs a change, reports it, reloads; errors become notices. */
export async function act(notify: (message: string, error?: boolean) => void, what: () => Promise<unknown>, done: string, reload: () => Promise<unknown>): Promise<void> {
  try {
    await what();
    notify(done);
    await reload();
  } catch (err) {
    notify((err as Error).message, true);
  }
}

export const ruleText = (r: RetentionRule) => (r.keep === 'all' ? 'all matching' : `latest ${r.count}`);

export const attemptsText = (d: Delivery) => d.attempts.map((a) => a.status_code ?? a.error ?? '?').join(', ');

export const policyCall = call;
