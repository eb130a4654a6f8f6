import { checkLogConfig } from './logging.js';
import { cpus } from 'node:os';
import { invalid } from '../../lib/errors.js';
import { checkIsolation, checkNamespaceModes } from './validate-modes.js';
import type { HostConfig, RestartPolicy } from './types.js';

/**
 * Checks a HostConfig before anything is created, with Docker's messages, so a
 * bad request leaves nothing behind. Features of later issues (volumes, ports,
 * links, bridge networks) are refused by name rather than ignored.
 */
const VALIDATORS: ((h: HostConfig) => void)[] = [
  checkMemory,
  checkCpus,
  checkRestartPolicy,
  checkNetworkMode,
  checkNamespaceModes,
  checkIsolation,
  checkSecurityOpts,
  checkRuntimeAndLogs,
];

export function validateHostConfig(hostConfig: HostConfig): void {
  for (const validate of VALIDATORS) validate(hostConfig);
}

const MIN_MEMORY = 6 * 1024 * 1024;

function checkMemory(h: HostConfig): void {
  const memory = h.Memory ?? 0;
  const swap = h.MemorySwap ?? 0;
  if (memory < 0) throw invalid('invalid memory limit');
  if (memory > 0 && memory < MIN_MEMORY) throw invalid('Minimum memory limit allowed is 6MB');
  if (swap > 0 && memory === 0) throw invalid('You should always set the Memory limit when using Memoryswap limit, see usage');
  if (swap > 0 && swap < memory) throw invalid('Minimum memoryswap limit should be larger than memory limit, see usage');
  if ((h.MemoryReservation ?? 0) < 0) throw invalid('invalid memory reservation');
  if (memory > 0 && (h.MemoryReservation ?? 0) > memory) {
    throw invalid('Minimum memory limit can not be less than memory reservation limit, see usage');
  }
  if (h.PidsLimit !== undefined && h.PidsLimit !== null && h.PidsLimit < -1) throw invalid('invalid PIDs limit');
}

function checkCpus(h: HostConfig): void {
  const nano = h.NanoCpus ?? 0;
  const count = cpus().length;
  if (nano < 0 || nano > count * 1e9) {
    throw invalid(`Range of CPUs is from 0.01 to ${count}.00, as there are only ${count} CPUs available`);
  }
  if (nano > 0 && ((h.CpuQuota ?? 0) > 0 || (h.CpuPeriod ?? 0) > 0)) {
    throw invalid('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  }
  if ((h.CpuShares ?? 0) < 0) throw invalid('invalid CPU shares');
  if (h.CpusetCpus && !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(h.CpusetCpus)) throw invalid(`Invalid value ${h.CpusetCpus} for cpuset cpus`);
  if (h.CpusetCpus) {
    for (const n of h.CpusetCpus.split(/[,-]/).map(Number)) {
      if (n >= count) throw invalid(`Requested CPUs are not available - requested ${h.CpusetCpus}, available: 0-${count - 1}`);
    }
  }
  const weight = h.BlkioWeight ?? 0;
  if (weight !== 0 && (weight < 10 || weight > 1000)) throw invalid('Range of blkio weight is from 10 to 1000');
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

/** The network area checks the mode itself at register; here only its shape. */
function checkNetworkMode(h: HostConfig): void {
  const mode = h.NetworkMode ?? '';
  if (mode.startsWith('container:') && mode.length === 'container:'.length) throw invalid('container: network mode needs a container name or ID');
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
