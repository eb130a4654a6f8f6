/**
 * What `--console` adds to the registry: accounts and projects, the token
 * service, and login sessions for the management API, opened from files in
 * the registry's root (auth/accounts.json, auth/token-key.pem, auth/audit.log,
 * auth/sessions.json, auth/pull-times.json, all 0600).
 */
import { join } from 'node:path';
import { AccountStore } from './accounts.js';
import { AuditLog } from './audit.js';
import type { GcService } from '../gc-service.js';
import type { Quota } from '../registry.js';
import type { RemoteServices } from '../remote/services.js';
import { loadOrCreateKey } from './jwt.js';
import { projectOf } from './permissions.js';
import { PullTimes } from './pull-times.js';
import type { PolicyService } from '../policies/service.js';
import { SessionStore } from './sessions.js';
import { TokenService } from './token-service.js';

export interface ConsoleAuth {
  accounts: AccountStore;
  tokens: TokenService;
  sessions: SessionStore;
  audit: AuditLog;
  /** When each manifest was last pulled, for the console's tag lists. */
  pulls: PullTimes;
  /** Proxy-cache projects and replication (set by serve). */
  remote?: RemoteServices;
  /** Retention, immutability and webhooks (set once the registry is open). */
  policies?: PolicyService;
  /** The token endpoint's URL for challenges when configured (--token-realm); else derived from each request. */
  realm?: string;
  /** Garbage collection run from the console (set once the registry is open). */
  gc?: GcService;
}

/** The quota of a repository's project, for the registry's pushes. */
export function projectQuota(accounts: AccountStore): (name: string) => Quota | undefined {
  return (name) => {
    const project = projectOf(name);
    const bytes = project === undefined ? undefined : accounts.project(project)?.quotaBytes;
    return bytes === undefined ? undefined : { prefix: project!, bytes };
  };
}

export interface ConsoleAuthOptions {
  adminPassword?: string;
  tokenTtlSeconds?: number;
  tokenRealm?: string;
  tokenService?: string;
  /** Where warnings go (an unreadable pull-times file). */
  log?: (line: string) => void;
}

export async function openConsoleAuth(root: string, options: ConsoleAuthOptions): Promise<ConsoleAuth> {
  const dir = join(root, 'auth');
  const accounts = await AccountStore.open(join(dir, 'accounts.json'), options.adminPassword);
  const key = await loadOrCreateKey(join(dir, 'token-key.pem'));
  return {
    accounts,
    tokens: new TokenService(key, accounts, options.tokenTtlSeconds, options.tokenService),
    sessions: await SessionStore.open(join(dir, 'sessions.json')),
    audit: new AuditLog(join(dir, 'audit.log')),
    pulls: await PullTimes.open(join(dir, 'pull-times.json'), options.log ?? (() => undefined)),
    realm: options.tokenRealm,
  };
}
