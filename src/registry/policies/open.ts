/** Opens the policies of `--console` mode: <root>/auth/policies.json, the webhook sender and its history, the service, the retention schedule. */
import { join } from 'node:path';
import type { ConsoleAuth } from '../auth/console.js';
import type { Registry } from '../registry.js';
import { PolicyService } from './service.js';
import { PolicyStore } from './store.js';
import { DeliveryLog } from './delivery-log.js';
import { DEFAULT_BACKOFF_MS, WebhookSender } from './webhooks.js';

export async function openPolicies(root: string, registry: Registry, auth: ConsoleAuth, log: (line: string) => void): Promise<PolicyService> {
  const store = await PolicyStore.open(join(root, 'auth', 'policies.json'));
  const deliveries = await DeliveryLog.open(join(root, 'auth', 'webhook-deliveries.json'), log);
  const service = new PolicyService(store, new WebhookSender(DEFAULT_BACKOFF_MS, deliveries), registry, auth.accounts, auth.audit, log);
  service.scheduler.arm();
  const resumed = service.sender.resume((id) => service.webhook(id));
  if (resumed > 0) log(`webhooks: carrying on with ${resumed} deliveries the last run left unfinished`);
  return service;
}
