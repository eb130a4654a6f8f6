/**
 * The config hash compose v2 stores in com.docker.compose.config-hash
 * (pkg/compose/hash.go ServiceHash): sha256 of json.Marshal of compose-go's
 * ServiceConfig after build, pull_policy, scale, deploy.replicas,
 * depends_on and profiles are cleared. Go marshals a struct in field
 * order, leaves out `omitempty` zero values and sorts map keys, so the
 * service is written here through a table of compose-go's fields (types/
 * types.go) rather than by sorting our own keys: the same service gives the
 * same hash under docker compose and berth compose, and neither recreates
 * the other's containers.
 */
import { createHash } from 'node:crypto';
import { composeDuration, goDuration, goString, ramInBytes } from './go-json.js';

type Dict = Record<string, unknown>;
/** How one Go field is written: its JSON name and encoding. */
type Field = [string, Kind];
type Kind =
  | 'str' | 'bool' | 'int' | 'float' | 'bytes' | 'dur' | 'ptr' | 'cmd' | 'list' | 'map' | 'envmap' | 'hosts' | 'mode' | 'any'
  | { struct: Field[]; value?: boolean } | { listOf: Kind } | { mapOf: Kind } | { custom: (v: unknown) => string | undefined };

const FILE_REF: Field[] = [['source', 'str'], ['target', 'str'], ['uid', 'str'], ['gid', 'str'], ['mode', 'mode']];
const RESOURCE: Field[] = [['cpus', 'float'], ['memory', 'bytes'], ['pids', 'int'], ['devices', 'any'], ['generic_resources', 'any']];
const UPDATE: Field[] = [['parallelism', 'ptr'], ['delay', 'dur'], ['failure_action', 'str'], ['monitor', 'dur'], ['max_failure_ratio', 'float'], ['order', 'str']];
const DEPLOY: Field[] = [
  ['mode', 'str'], ['labels', 'map'], ['update_config', { struct: UPDATE }], ['rollback_config', { struct: UPDATE }],
  ['resources', { struct: [['limits', { struct: RESOURCE }], ['reservations', { struct: RESOURCE }]], value: true }],
  ['restart_policy', { struct: [['condition', 'str'], ['delay', 'dur'], ['max_attempts', 'ptr'], ['window', 'dur']] }],
  ['placement', { struct: [['constraints', 'list'], ['preferences', { listOf: { struct: [['spread', 'str']] } }], ['max_replicas_per_node', 'int']], value: true }],
  ['endpoint_mode', 'str'],
];
const HEALTHCHECK: Field[] = [
  ['test', { custom: (v) => (v === undefined ? undefined : encode(typeof v === 'string' ? ['CMD-SHELL', v] : v, 'list')) }],
  ['timeout', 'dur'], ['interval', 'dur'], ['retries', 'ptr'], ['start_period', 'dur'], ['start_interval', 'dur'], ['disable', 'bool'],
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
const ULIMIT: Kind = { custom: (v) => (typeof v === 'object' && v !== null ? encode(v, { struct: [['single', 'int'], ['soft', 'int'], ['hard', 'int']] }) : String(Number(v))) };
const DEVICE: Kind = {
  custom: (v) => {
    if (typeof v !== 'string') return encode(v, { struct: [['source', 'str'], ['target', 'str'], ['permissions', 'str']] });
    const [source, target = source, permissions = 'rwm'] = v.split(':');
    return encode({ source, target, permissions }, { struct: [['source', 'str'], ['target', 'str'], ['permissions', 'str']] });
  },
};

/** compose-go's ServiceConfig, in declaration order. */
const SERVICE: Field[] = [
  ['profiles', 'list'], ['annotations', 'map'], ['attach', 'ptr'], ['build', 'any'], ['develop', 'any'], ['blkio_config', 'any'],
  ['cap_add', 'list'], ['cap_drop', 'list'], ['cgroup_parent', 'str'], ['cgroup', 'str'], ['cpu_count', 'int'], ['cpu_percent', 'float'],
  ['cpu_period', 'int'], ['cpu_quota', 'int'], ['cpu_rt_period', 'int'], ['cpu_rt_runtime', 'int'], ['cpus', 'float'], ['cpuset', 'str'],
  ['cpu_shares', 'int'], ['command', 'cmd'], ['configs', { listOf: { struct: FILE_REF } }], ['container_name', 'str'],
  ['credential_spec', 'any'], ['depends_on', 'any'], ['deploy', { struct: DEPLOY }], ['device_cgroup_rules', 'list'],
  ['devices', { listOf: DEVICE }], ['dns', 'list'], ['dns_opt', 'list'], ['dns_search', 'list'], ['dockerfile', 'str'],
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
  ['tty', 'bool'], ['ulimits', { mapOf: ULIMIT }], ['use_api_socket', 'bool'], ['user', 'str'], ['userns_mode', 'str'], ['uts', 'str'],
  ['volume_driver', 'str'], ['volumes', { listOf: { struct: VOLUME } }], ['volumes_from', 'list'], ['working_dir', 'str'],
  ['post_start', 'any'], ['pre_stop', 'any'],
];

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

/** One value as Go writes it, or undefined when `omitempty` leaves it out. */
function encode(v: unknown, kind: Kind): string | undefined {
  if (typeof kind === 'object') return encodeComposite(v, kind);
  switch (kind) {
    case 'str': return v === undefined || v === null || v === '' ? undefined : goString(String(v));
    case 'bool': return v === true || v === 'true' ? 'true' : undefined;
    case 'int': case 'float': return v === undefined || v === null || Number(v) === 0 ? undefined : String(Number(v));
    case 'bytes': return v === undefined || v === null || ramInBytes(v) === 0 ? undefined : `"${ramInBytes(v)}"`;
    case 'dur': return v === undefined || v === null ? undefined : goString(goDuration(composeDuration(v)));
    case 'ptr': return v === undefined || v === null ? undefined : JSON.stringify(v);
    case 'cmd': return v === undefined || v === null ? 'null' : `[${(v as unknown[]).map((x) => goString(String(x))).join(',')}]`;
    case 'list': return isEmpty(v) ? undefined : `[${(v as unknown[]).map((x) => goString(String(x))).join(',')}]`;
    case 'map': return isEmpty(v) ? undefined : encodeMap(v as Dict, (x) => goString(String(x)));
    case 'envmap': return isEmpty(v) ? undefined : encodeMap(v as Dict, (x) => (x === null || x === undefined ? 'null' : goString(String(x))));
    case 'hosts': return isEmpty(v) ? undefined : encode(hostsList(v), 'list');
    case 'mode': return v === undefined || v === null ? undefined : `"0${(typeof v === 'number' ? v : parseInt(String(v), 8)).toString(8)}"`;
    case 'any': return isEmpty(v) ? undefined : generic(v);
  }
}

function encodeComposite(v: unknown, kind: Exclude<Kind, string>): string | undefined {
  if ('custom' in kind) return kind.custom(v);
  if ('listOf' in kind) return isEmpty(v) ? undefined : `[${(v as unknown[]).map((x) => encode(x, kind.listOf) ?? '{}').join(',')}]`;
  if ('mapOf' in kind) return isEmpty(v) ? undefined : encodeMap(v as Dict, (x) => (x === null || x === undefined ? 'null' : encode(x, kind.mapOf) ?? '{}'));
  if (v === undefined || v === null) return kind.value ? encodeStruct({}, kind.struct) : undefined;
  return encodeStruct(v as Dict, kind.struct);
}

function encodeStruct(v: Dict, fields: Field[]): string {
  const parts: string[] = [];
  for (const [name, kind] of fields) {
    const out = encode(v[name], kind);
    if (out !== undefined) parts.push(`${goString(name)}:${out}`);
  }
  return `{${parts.join(',')}}`;
}

function encodeMap(map: Dict, value: (v: unknown) => string): string {
  return `{${Object.keys(map).sort().map((k) => `${goString(k)}:${value(map[k])}`).join(',')}}`;
}

/** Anything without a typed table: keys sorted, as Go writes a map. */
function generic(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(generic).join(',')}]`;
  if (v && typeof v === 'object') return encodeMap(v as Dict, generic);
  return typeof v === 'string' ? goString(v) : JSON.stringify(v ?? null);
}

/** extra_hosts as compose-go's HostsList marshals it: sorted `host=ip` entries. */
function hostsList(v: unknown): string[] {
  const entries = Array.isArray(v) ? (v as string[]).map((h) => h.split(/[=:](.*)/s)) : Object.entries(v as Dict);
  return entries.flatMap(([host, ips]) => (Array.isArray(ips) ? ips : String(ips ?? '').split(',')).map((ip) => `${host}=${String(ip).replace(/^\[(.*)\]$/, '$1')}`)).sort();
}

/** The service as compose v2 marshals it for the hash, with what does not change the container cleared. */
export function hashedJson(service: Dict): string {
  const { build: _b, pull_policy: _p, scale: _s, depends_on: _d, profiles: _pr, env_file: _e, extends: _x, ...rest } = service;
  if (rest.deploy && typeof rest.deploy === 'object') {
    const { replicas: _r, ...deploy } = rest.deploy as Dict;
    rest.deploy = deploy;
  }
  // compose-go gives a secret without a target its default place.
  if (Array.isArray(rest.secrets)) rest.secrets = (rest.secrets as Dict[]).map((s) => ({ target: `/run/secrets/${String(s.source)}`, ...s }));
  return encodeStruct(rest, SERVICE);
}

export function serviceConfigHash(service: Dict): string {
  return createHash('sha256').update(hashedJson(service)).digest('hex');
}
