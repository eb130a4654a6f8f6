/**
 * Webhook deliveries: each event is POSTed as JSON to every enabled webhook
 * that wants it, off the request's path (a push never waits for a receiver,
 * nor fails because of one). A delivery is retried after a failure (no
 * answer, or a status other than 2xx) with growing pauses, and its attempts
 * are kept, the last few per webhook, for the API and console (delivery-log.ts).
 * A delivery still trying when the registry stops is saved with its body and
 * carried on at the next start (resume()), from the attempt it had reached.
 * No redirects are followed: the receiver is the URL that was configured.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { DeliveryLog } from './delivery-log.js';
import type { Delivery, WebhookConfig, WebhookPayload } from './webhook-types.js';

/** Deliveries still trying; past this, new ones are recorded as failed at once rather than queued without bound. */
const MAX_IN_FLIGHT = 200;
export const DEFAULT_BACKOFF_MS = [1000, 5000, 30_000];
const TIMEOUT_MS = 10_000;

export class WebhookSender {
  private inFlight = 0;

  constructor(
    private readonly backoffMs: number[] = DEFAULT_BACKOFF_MS,
    readonly history: DeliveryLog = DeliveryLog.inMemory(),
  ) {}

  /** Starts delivering `payload` to `hook`; returns at once. */
  send(hook: WebhookConfig, payload: WebhookPayload): Delivery {
    const resource = payload.event_data.resources[0];
    const delivery: Delivery = {
      id: randomBytes(8).toString('hex'),
      event_type: payload.type,
      repository: payload.event_data.repository.repo_full_name,
      tag: resource?.tag ?? '',
      status: 'pending',
      attempts: [],
    };
    if (this.inFlight >= MAX_IN_FLIGHT) {
      delivery.status = 'failed';
      delivery.attempts.push({ time: new Date().toISOString(), error: 'too many deliveries in flight; dropped' });
    }
    const body = JSON.stringify(payload);
    this.history.add(hook.id, delivery, body);
    if (delivery.status === 'failed') return delivery;
    this.start(hook, body, delivery);
    return delivery;
  }

  /**
   * Carries on with the deliveries a previous run left pending: each goes
   * to its webhook as configured now, or fails if the webhook is gone.
   */
  resume(webhook: (id: string) => WebhookConfig | undefined): number {
    const unfinished = this.history.unfinished();
    for (const { hookId, delivery, body } of unfinished) {
      const hook = webhook(hookId);
      if (hook) {
        this.start(hook, body, delivery);
        continue;
      }
      delivery.status = 'failed';
      delivery.attempts.push({ time: new Date().toISOString(), error: 'the webhook was removed before the delivery finished' });
      this.history.changed();
    }
    return unfinished.length;
  }

  deliveries(hookId: string): Delivery[] {
    return this.history.list(hookId);
  }

  forget(hookId: string): void {
    this.history.forget(hookId);
  }

  private start(hook: WebhookConfig, body: string, delivery: Delivery): void {
    this.inFlight++;
    void this.deliver(hook, Buffer.from(body), delivery).finally(() => this.inFlight--);
  }

  /** Attempts until one succeeds or the pauses run out; a resumed delivery goes on from the attempts it made. */
  private async deliver(hook: WebhookConfig, body: Buffer, delivery: Delivery): Promise<void> {
    for (let attempt = delivery.attempts.length; ; attempt++) {
      const result = await post(hook, body);
      delivery.attempts.push({ time: new Date().toISOString(), ...result });
      const ok = result.status_code !== undefined && result.status_code >= 200 && result.status_code < 300;
      const pause = this.backoffMs[attempt];
      if (ok || pause === undefined) delivery.status = ok ? 'succeeded' : 'failed';
      this.history.changed();
      if (delivery.status !== 'pending') return;
      await new Promise((resolve) => setTimeout(resolve, pause).unref());
    }
  }
}

function post(hook: WebhookConfig, body: Buffer): Promise<{ status_code?: number; error?: string }> {
  const url = new URL(hook.url);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers: Record<string, string | number> = { 'Content-Type': 'application/json', 'Content-Length': body.length, 'User-Agent': 'berth-registry-webhook' };
  if (hook.authHeader) headers.Authorization = hook.authHeader;
  return new Promise((resolve) => {
    const req = send(url, { method: 'POST', headers, agent: false, timeout: TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status_code: res.statusCode }));
      res.on('error', (err) => resolve({ status_code: res.statusCode, error: err.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', (err) => resolve({ error: err.message }));
    req.end(body);
  });
}
