/**
 * compose-go's types (types/types.go) as tables: each struct's fields in
 * declaration order with how each value is written. Go marshals a struct in
 * field order and leaves out `omitempty` zero values, so the same table
 * drives the config hash (hash.ts: json.Marshal's bytes) and `compose
 * config`'s output (go-form.ts: the YAML and JSON compose v2 prints).
 */
export type Dict = Record<string, unknown>;
/** How one Go field is written: its name and encoding. */
export type Field = [string, Kind];
export type Kind =
  | 'str' | 'bool' | 'flag' | 'int' | 'float' | 'bytes' | 'dur' | 'ptr' | 'cmd' | 'list' | 'map' | 'envmap' | 'hosts' | 'mode' | 'any'
  | 'healthtest' | 'ulimit' | 'device'
  | { struct: Field[]; value?: boolean } | { listOf: Kind } | { mapOf: Kind };

const FILE_REF: Field[] = [['source', 'str'], ['target', 'str'], ['uid', 'str'], ['gid', 'str'], ['mode', 'mode']];
const RESOURCE: Field[] = [['cpus', 'float'], ['memory', 'bytes'], ['pids', 'int'], ['devices', 'any'], ['generic_resources', 'any']];
const UPDATE: Field[] = [['parallelism', 'ptr'], ['delay', 'dur'], ['failure_action', 'str'], ['monitor', 'dur'], ['max_failure_ratio', 'float'], ['order', 'str']];
const DEPLOY: Field[] = [
  ['mode', 'str'], ['replicas', 'ptr'], ['labels', 'map'], ['update_config', { struct: UPDATE }], ['rollback_config', { struct: UPDATE }],
  ['resources', { struct: [['limits', { struct: RESOURCE }], ['reservations', { struct: RESOURCE }]], value: true }],
  ['restart_policy', { struct: [['condition', 'str'], ['delay', 'dur'], ['max_attempts', 'ptr'], ['window', 'dur']] }],
  ['placement', { struct: [['constraints', 'list'], ['preferences', { listOf: { struct: [['spread', 'str']] } }], ['max_replicas_per_node', 'int']], value: true }],
  ['endpoint_mode', 'str'],
];
const HEALTHCHECK: Field[] = [
  ['test', 'healthtest'], ['timeout', 'dur'], ['interval', 'dur'], ['retries', 'ptr'], ['start_period', 'dur'], ['start_interval', 'dur'], ['disable', 'bool'],
];
const PORT: Field[] = [['name', 'str'], ['mode', 'str'], ['host_ip', 'str'], ['target', 'int'], ['published', 'str'], ['protocol', 'str'], ['app_protocol', 'str']];
const VOLUME: Field[] = [
  ['type', 'str'], ['source', 'str'], ['target', 'str'], ['read_only', 'bool'], ['consistency', 'str'],
  ['bind', { struct: [['selinux', 'str'], ['propagation', 'str'], ['create_host_path', 'bool'], ['recursive', 'str']] }],
  ['volume', { struct: [['labels', 'map'], ['nocopy', 'bool'], ['subpath', 'str']] }],
  ['tmpfs', { struct: [['size', 'bytes'], ['mode', 'int']] }],
  ['image', { struct: [['subpath', 'str']] }],
];
const NETWORK: Field[] = [
  ['aliases', 'list'], ['driver_opts', 'map'], ['gw_priority', 'int'], ['interface_name', 'str'], ['ipv4_address', 'str'],
  ['ipv6_address', 'str'], ['link_local_ips', 'list'], ['mac_address', 'str'], ['priority', 'int'],
];
const BUILD: Field[] = [
  ['context', 'str'], ['dockerfile', 'str'], ['dockerfile_inline', 'str'], ['entitlements', 'list'], ['args', 'envmap'], ['ssh', 'any'],
  ['labels', 'map'], ['cache_from', 'list'], ['cache_to', 'list'], ['no_cache', 'bool'], ['additional_contexts', 'map'], ['pull', 'bool'],
  ['extra_hosts', 'hosts'], ['isolation', 'str'], ['network', 'str'], ['target', 'str'], ['secrets', { listOf: { struct: FILE_REF } }],
  ['shm_size', 'bytes'], ['tags', 'list'], ['ulimits', { mapOf: 'ulimit' }], ['platforms', 'list'], ['privileged', 'bool'],
];
const DEPENDS_ON: Field[] = [['condition', 'str'], ['restart', 'bool'], ['required', 'flag']];

/** compose-go's ServiceConfig, in declaration order. */
export const SERVICE: Field[] = [
  ['profiles', 'list'], ['annotations', 'map'], ['attach', 'ptr'], ['build', { struct: BUILD }], ['develop', 'any'], ['blkio_config', 'any'],
  ['cap_add', 'list'], ['cap_drop', 'list'], ['cgroup_parent', 'str'], ['cgroup', 'str'], ['cpu_count', 'int'], ['cpu_percent', 'float'],
  ['cpu_period', 'int'], ['cpu_quota', 'int'], ['cpu_rt_period', 'int'], ['cpu_rt_runtime', 'int'], ['cpus', 'float'], ['cpuset', 'str'],
  ['cpu_shares', 'int'], ['command', 'cmd'], ['configs', { listOf: { struct: FILE_REF } }], ['container_name', 'str'],
  ['credential_spec', 'any'], ['depends_on', { mapOf: { struct: DEPENDS_ON } }], ['deploy', { struct: DEPLOY }], ['device_cgroup_rules', 'list'],
  ['devices', { listOf: 'device' }], ['dns', 'list'], ['dns_opt', 'list'], ['dns_search', 'list'], ['dockerfile', 'str'],
  ['domainname', 'str'], ['entrypoint', 'cmd'], ['provider', 'any'], ['environment', 'envmap'], ['env_file', 'any'], ['expose', 'list'],
  ['extends', 'any'], ['external_links', 'list'], ['extra_hosts', 'hosts'], ['group_add', 'list'], ['gpus', 'any'], ['hostname', 'str'],
  ['healthcheck', { struct: HEALTHCHECK }], ['image', 'str'], ['init', 'ptr'], ['ipc', 'str'], ['isolation', 'str'], ['labels', 'map'],
  ['label_file', 'list'], ['links', 'list'], ['logging', { struct: [['driver', 'str'], ['options', 'map']] }], ['log_driver', 'str'],
  ['log_opt', 'map'], ['mem_limit', 'bytes'], ['mem_reservation', 'bytes'], ['memswap_limit', 'bytes'], ['mem_swappiness', 'bytes'],
  ['mac_address', 'str'], ['models', 'any'], ['net', 'str'], ['network_mode', 'str'], ['networks', { mapOf: { struct: NETWORK } }],
  ['oom_kill_disable', 'bool'], ['oom_score_adj', 'int'], ['pid', 'str'], ['pids_limit', 'int'], ['platform', 'str'],
  ['ports', { listOf: { struct: PORT } }], ['privileged', 'bool'], ['pull_policy', 'str'], ['read_only', 'bool'], ['restart', 'str'],
  ['runtime', 'str'], ['scale', 'ptr'], ['secrets', { listOf: { struct: FILE_REF } }], ['security_opt', 'list'], ['shm_size', 'bytes'],
  ['stdin_open', 'bool'], ['stop_grace_period', 'dur'], ['stop_signal', 'str'], ['storage_opt', 'map'], ['sysctls', 'map'], ['tmpfs', 'list'],
  ['tty', 'bool'], ['ulimits', { mapOf: 'ulimit' }], ['use_api_socket', 'bool'], ['user', 'str'], ['userns_mode', 'str'], ['uts', 'str'],
  ['volume_driver', 'str'], ['volumes', { listOf: { struct: VOLUME } }], ['volumes_from', 'list'], ['working_dir', 'str'],
  ['post_start', 'any'], ['pre_stop', 'any'],
];

export const ULIMIT_STRUCT: Field[] = [['single', 'int'], ['soft', 'int'], ['hard', 'int']];
export const DEVICE_STRUCT: Field[] = [['source', 'str'], ['target', 'str'], ['permissions', 'str']];

/** A device as `source[:target[:permissions]]` or its long form, in the long form. */
export function deviceMapping(v: unknown): Dict {
  if (typeof v !== 'string') return v as Dict;
  const [source, target = source, permissions = 'rwm'] = v.split(':');
  return { source, target, permissions };
}

/** extra_hosts as compose-go's HostsList marshals it: sorted `host=ip` entries. */
export function hostsList(v: unknown): string[] {
  const entries = Array.isArray(v) ? (v as string[]).map((h) => h.split(/[=:](.*)/s)) : Object.entries(v as Dict);
  return entries.flatMap(([host, ips]) => (Array.isArray(ips) ? ips : String(ips ?? '').split(',')).map((ip) => `${host}=${String(ip).replace(/^\[(.*)\]$/, '$1')}`)).sort();
}

/** What `omitempty` leaves out: nothing, or an empty list or map. */
export function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

/** A Go []string field given as one string (`label_file: ./a`, `dns: 8.8.8.8`) or a list. */
export function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

/** A Go map[string]string field given as a list (`["a=b"]`) or a map. */
export function asMap(v: unknown): Dict {
  if (!Array.isArray(v)) return v as Dict;
  return Object.fromEntries((v as string[]).map((item) => {
    const i = String(item).indexOf('=');
    return i < 0 ? [item, ''] : [item.slice(0, i), item.slice(i + 1)];
  }));
}
