/**
 * The project as compose v2's `config` prints it (compose-go marshalled by
 * yaml.v3 or encoding/json): each struct's keys in field order (go-fields.ts),
 * zero values of `omitempty` fields left out, sizes in bytes, durations as Go
 * prints them, labels as maps, extra_hosts as `host=ip`, a string health
 * check as CMD-SHELL, a secret's default target filled in, and env_file gone
 * (its variables are in `environment` by now).
 */
import { composeDuration, goDuration, ramInBytes } from './go-json.js';
import { asList, asMap, deviceMapping, DEVICE_STRUCT, hostsList, isEmpty, SERVICE, ULIMIT_STRUCT, type Dict, type Field, type Kind } from './go-fields.js';

const IPAM_POOL: Field[] = [['subnet', 'str'], ['gateway', 'str'], ['ip_range', 'str'], ['aux_addresses', 'map']];
const IPAM: Field[] = [['driver', 'str'], ['config', { listOf: { struct: IPAM_POOL } }], ['options', 'map']];
/** The top-level sections' types, in field order. */
export const TOP_LEVEL: Record<'networks' | 'volumes' | 'secrets' | 'configs', Field[]> = {
  networks: [
    ['name', 'str'], ['driver', 'str'], ['driver_opts', 'map'], ['ipam', { struct: IPAM, value: true }], ['external', 'bool'], ['internal', 'bool'],
    ['attachable', 'bool'], ['labels', 'map'], ['enable_ipv4', 'ptr'], ['enable_ipv6', 'ptr'],
  ],
  volumes: [['name', 'str'], ['driver', 'str'], ['driver_opts', 'map'], ['external', 'bool'], ['labels', 'map']],
  secrets: fileObject(),
  configs: fileObject(),
};

function fileObject(): Field[] {
  return [
    ['name', 'str'], ['file', 'str'], ['environment', 'str'], ['content', 'str'], ['external', 'bool'], ['labels', 'map'],
    ['driver', 'str'], ['driver_opts', 'map'], ['template_driver', 'str'],
  ];
}

/**
 * yaml.v3 leaves out empty structs held by value and absent commands; encoding/json writes them
 * (`"ipam": {}`, `"command": null`).
 */
export type Encoding = 'yaml' | 'json';

/** A service as compose v2 prints it. */
export function printedService(service: Dict, encoding: Encoding): Dict {
  const { env_file: _e, extends: _x, ...rest } = service;
  if (Array.isArray(rest.secrets)) rest.secrets = (rest.secrets as Dict[]).map((s) => ({ target: `/run/secrets/${String(s.source)}`, ...s }));
  return struct(rest, SERVICE, encoding);
}

/** A network, volume, secret or config definition as compose v2 prints it. */
export function printedResource(section: keyof typeof TOP_LEVEL, definition: Dict, encoding: Encoding): Dict {
  return struct(definition, TOP_LEVEL[section], encoding);
}

/** One value in its printed form, or undefined when `omitempty` leaves it out. */
function form(v: unknown, kind: Kind, encoding: Encoding): unknown {
  if (typeof kind === 'object') return composite(v, kind, encoding);
  switch (kind) {
    case 'str': return v === undefined || v === null || v === '' ? undefined : String(v);
    case 'bool': return v === true || v === 'true' ? true : undefined;
    case 'flag': return v === undefined || v === null ? undefined : v === true || v === 'true';
    case 'int': case 'float': return v === undefined || v === null || Number(v) === 0 ? undefined : Number(v);
    case 'bytes': return v === undefined || v === null || ramInBytes(v) === 0 ? undefined : String(ramInBytes(v));
    case 'dur': return v === undefined || v === null ? undefined : goDuration(composeDuration(v));
    case 'ptr': return v === undefined || v === null ? undefined : v;
    case 'cmd': if (v === undefined || v === null) return encoding === 'json' ? null : undefined;
      return (v as unknown[]).map(String);
    case 'list': return isEmpty(v) ? undefined : asList(v).map(String);
    case 'map': return isEmpty(v) ? undefined : sortedMap(asMap(v), (x) => String(x ?? ''));
    case 'envmap': return isEmpty(v) ? undefined : sortedMap(v as Dict, (x) => (x === null || x === undefined ? null : String(x)));
    case 'hosts': return isEmpty(v) ? undefined : hostsList(v);
    case 'mode': case 'any': return isEmpty(v) && kind === 'any' ? undefined : sortKeys(v);
    case 'healthtest': return v === undefined ? undefined : typeof v === 'string' ? ['CMD-SHELL', v] : v;
    case 'ulimit': return typeof v === 'object' && v !== null ? struct(v as Dict, ULIMIT_STRUCT, encoding) : Number(v);
    case 'device': return struct(deviceMapping(v), DEVICE_STRUCT, encoding);
  }
}

function composite(v: unknown, kind: Exclude<Kind, string>, encoding: Encoding): unknown {
  if ('listOf' in kind) return isEmpty(v) ? undefined : (v as unknown[]).map((x) => form(x, kind.listOf, encoding) ?? {});
  if ('mapOf' in kind) return isEmpty(v) ? undefined : sortedMap(v as Dict, (x) => (x === null || x === undefined ? null : form(x, kind.mapOf, encoding) ?? {}));
  // A struct held by value: yaml.v3 leaves it out when empty, encoding/json writes {}. One behind a pointer prints when given, even as {}.
  if (v === undefined || v === null) return kind.value && encoding === 'json' ? {} : undefined;
  const out = struct(v as Dict, kind.struct, encoding);
  return kind.value && encoding === 'yaml' && isEmpty(out) ? undefined : out;
}

/** The fields in declaration order; keys the table does not know (extensions) after them, sorted. */
function struct(v: Dict, fields: Field[], encoding: Encoding): Dict {
  const out: Dict = {};
  for (const [name, kind] of fields) {
    const value = form(v[name], kind, encoding);
    if (value !== undefined) out[name] = value;
  }
  const known = new Set(fields.map(([name]) => name));
  // Extensions (x-…) of a service or resource: yaml.v3 prints them inline, encoding/json not at all (`json:"-"`).
  const extra = Object.keys(v).filter((k) => !known.has(k) && v[k] !== undefined && !(encoding === 'json' && k.startsWith('x-')));
  for (const key of extra.sort()) out[key] = sortKeys(v[key]);
  return out;
}

function sortedMap(map: Dict, value: (v: unknown) => unknown): Dict {
  return Object.fromEntries(Object.keys(map).sort().map((k) => [k, value(map[k])]));
}

/** Anything without a typed table: keys sorted, as Go writes a map. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') return sortedMap(value as Dict, sortKeys);
  return value;
}
