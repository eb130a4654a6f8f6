/** Opens the policies of `--console` mode: <root>/auth/policies.json, the webhook sender, the service. */
import { join } from 'node:path';
import type { ConsoleAuth } from '../auth/console.js';
import type { Registry } from '../registry.js';
import { PolicyService } from './service.js';
import { PolicyStore } from './store.js';
import { WebhookSender } from './webhooks.js';

export async function openPolicies(root: string, registry: Registry, auth: ConsoleAuth, log: (line: string) => void): Promise<PolicyService> {
  const store = await PolicyStore.open(join(root, 'auth', 'policies.json'));
  return new PolicyService(store, new WebhookSender(), registry, auth.accounts, auth.audit, log);
}
