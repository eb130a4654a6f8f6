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
import { asList, asMap, deviceMapping, DEVICE_STRUCT, hostsList, isEmpty, SERVICE, ULIMIT_STRUCT, type Dict, type Field, type Kind } from './go-fields.js';

/** One value as Go writes it, or undefined when `omitempty` leaves it out. */
function encode(v: unknown, kind: Kind): string | undefined {
  if (typeof kind === 'object') return encodeComposite(v, kind);
  switch (kind) {
    case 'str': return v === undefined || v === null || v === '' ? undefined : goString(String(v));
    case 'bool': return v === true || v === 'true' ? 'true' : undefined;
    case 'flag': return v === undefined || v === null ? undefined : String(v === true || v === 'true');
    case 'int': case 'float': return v === undefined || v === null || Number(v) === 0 ? undefined : String(Number(v));
    case 'bytes': return v === undefined || v === null || ramInBytes(v) === 0 ? undefined : `"${ramInBytes(v)}"`;
    case 'dur': return v === undefined || v === null ? undefined : goString(goDuration(composeDuration(v)));
    case 'ptr': return v === undefined || v === null ? undefined : JSON.stringify(v);
    case 'cmd': return v === undefined || v === null ? 'null' : `[${(v as unknown[]).map((x) => goString(String(x))).join(',')}]`;
    case 'list': return isEmpty(v) ? undefined : `[${asList(v).map((x) => goString(String(x))).join(',')}]`;
    case 'map': return isEmpty(v) ? undefined : encodeMap(asMap(v), (x) => goString(String(x)));
    case 'envmap': return isEmpty(v) ? undefined : encodeMap(v as Dict, (x) => (x === null || x === undefined ? 'null' : goString(String(x))));
    case 'hosts': return isEmpty(v) ? undefined : encode(hostsList(v), 'list');
    case 'mode': return v === undefined || v === null ? undefined : `"0${(typeof v === 'number' ? v : parseInt(String(v), 8)).toString(8)}"`;
    case 'any': return isEmpty(v) ? undefined : generic(v);
    case 'healthtest': return v === undefined ? undefined : encode(typeof v === 'string' ? ['CMD-SHELL', v] : v, 'list');
    case 'ulimit': return typeof v === 'object' && v !== null ? encode(v, { struct: ULIMIT_STRUCT }) : String(Number(v));
    case 'device': return encode(deviceMapping(v), { struct: DEVICE_STRUCT });
  }
}

function encodeComposite(v: unknown, kind: Exclude<Kind, string>): string | undefined {
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
