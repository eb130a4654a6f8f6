import { checkLogConfig } from './logging.js';
import { invalid } from '../../lib/errors.js';
import { checkIsolation, checkNamespaceModes } from './validate-modes.js';
import type { ContainerConfig, HostConfig, RestartPolicy } from './types.js';
import { checkConfig } from './validate-config.js';
import { checkNetworkMode, checkPortBindings, networkWarnings } from './validate-network.js';
import { checkResources } from './validate-resources.js';

/**
 * Checks a HostConfig before anything is created, with Docker's messages, so a
 * bad request leaves nothing behind. Features of later issues (volumes, ports,
 * links, bridge networks) are refused by name rather than ignored.
 */
const VALIDATORS: ((h: HostConfig, update: boolean) => void)[] = [
  checkResources,
  checkRestartPolicy,
  checkNamespaceModes,
  checkIsolation,
  checkSecurityOpts,
  checkRuntimeAndLogs,
];

/** `update`: the merged HostConfig of POST /containers/{id}/update, where dockerd relaxes a few checks. */
export function validateHostConfig(hostConfig: HostConfig, { update = false } = {}): void {
  for (const validate of VALIDATORS) validate(hostConfig, update);
}

/**
 * Everything a create request is checked for before any lookup or any file
 * is made, in dockerd's order (the API's network-mode checks, then
 * verifyContainerSettings: config, then host config), so each bad request
 * gets the error dockerd gives first. Returns dockerd's warnings.
 */
export function validateCreate(config: ContainerConfig, hostConfig: HostConfig): string[] {
  checkNetworkMode(config, hostConfig);
  checkConfig(config);
  checkPortBindings(hostConfig);
  validateHostConfig(hostConfig);
  return networkWarnings(hostConfig);
}

const POLICIES: RestartPolicy['Name'][] = ['', 'no', 'always', 'unless-stopped', 'on-failure'];

function checkRestartPolicy(h: HostConfig): void {
  const policy = h.RestartPolicy;
  if (!policy) return;
  if (!POLICIES.includes(policy.Name)) throw invalid(`invalid restart policy '${policy.Name}'`);
  const retries = policy.MaximumRetryCount ?? 0;
  if (retries < 0) throw invalid('invalid restart policy: maximum retry count cannot be negative');
  if (retries > 0 && policy.Name !== 'on-failure') {
    throw invalid(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  }
  if (h.AutoRemove && policy.Name !== '' && policy.Name !== 'no') {
    throw invalid(`can't create 'AutoRemove' container with restart policy`);
  }
}

function checkSecurityOpts(h: HostConfig): void {
  for (const opt of h.SecurityOpt ?? []) {
    if (/^no-new-privileges(?:[:=](true|false))?$/.test(opt)) continue;
    if (opt.startsWith('seccomp=') || opt.startsWith('seccomp:')) continue;
    if (opt === 'apparmor=unconfined' || opt === 'label=disable' || opt === 'label:disable') continue;
    throw invalid(`invalid --security-opt: ${JSON.stringify(opt)} (supported: no-new-privileges, seccomp=unconfined|<profile>)`);
  }
}

function checkRuntimeAndLogs(h: HostConfig): void {
  if (h.Runtime && h.Runtime !== 'runc') throw invalid(`unknown or invalid runtime name: ${h.Runtime}`);
  checkLogConfig(h.LogConfig);
}
