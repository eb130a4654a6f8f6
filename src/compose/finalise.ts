/**
 * After the merge: profiles decide which services are in the model, service
 * references are checked (depends_on to unknown or disabled services, cycles),
 * and the implicit parts compose v2 adds are made explicit: the `default`
 * network, resource names `<project>_<key>`, each service attached to
 * `default` when it names no network.
 */
import { invalid } from '../lib/errors.js';
import { ramInBytes } from './go-json.js';

type Dict = Record<string, unknown>;

export interface ComposeModel {
  name: string;
  services: Record<string, Dict>;
  networks: Record<string, Dict>;
  volumes: Record<string, Dict>;
  secrets: Record<string, Dict>;
  configs: Record<string, Dict>;
  [extension: string]: unknown;
}

/** Profiles a service needs: none means always on. `*` enables every profile. */
export function activeServices(services: Record<string, Dict>, profiles: string[], targeted: string[] = []): Set<string> {
  const active = new Set(profiles);
  for (const name of targeted) for (const p of (services[name]?.profiles as string[] | undefined) ?? []) active.add(p);
  const on = (s: Dict) => {
    const needs = (s.profiles as string[] | undefined) ?? [];
    return needs.length === 0 || active.has('*') || needs.some((p) => active.has(p));
  };
  return new Set(Object.entries(services).filter(([name, s]) => on(s) || targeted.includes(name)).map(([name]) => name));
}

export function applyProfiles(model: ComposeModel, profiles: string[], targeted: string[] = []): void {
  for (const name of targeted) if (!model.services[name]) throw invalid(`no such service: ${name}`);
  const keep = activeServices(model.services, profiles, targeted);
  // A targeted service pulls in what it depends on, whatever their profiles.
  const queue = [...targeted];
  while (queue.length > 0) {
    for (const dep of Object.keys(dependsOn(model.services[queue.shift() as string]))) {
      if (model.services[dep] && !keep.has(dep)) queue.push((keep.add(dep), dep));
    }
  }
  for (const name of Object.keys(model.services)) if (!keep.has(name)) delete model.services[name];
}

function dependsOn(service: Dict | undefined): Record<string, Dict> {
  return (service?.depends_on as Record<string, Dict> | undefined) ?? {};
}

/**
 * A service that shares another's namespaces or volumes (`network_mode`,
 * `pid`, `ipc`: `service:x`, `volumes_from`, `links`) needs it started
 * first: compose-go adds these to depends_on, restarting with it for the
 * network namespace and links.
 */
function addImplicitDependencies(service: Dict): void {
  for (const { name, restart } of referencedServices(service)) {
    service.depends_on ??= {};
    dependsOn(service)[name] ??= { condition: 'service_started', required: true, ...(restart ? { restart: true } : {}) };
  }
}

/**
 * The services whose containers this service's create body names (shared
 * namespaces, volumes_from, links): they must exist before it is created.
 * `restart`: it must restart with them (network namespace and links).
 */
export function referencedServices(service: Dict): { name: string; restart: boolean }[] {
  const out: { name: string; restart: boolean }[] = [];
  const ref = (v: unknown) => (typeof v === 'string' && v.startsWith('service:') ? v.slice('service:'.length) : undefined);
  const network = ref(service.network_mode);
  if (network) out.push({ name: network, restart: true });
  for (const key of ['pid', 'ipc']) if (ref(service[key])) out.push({ name: ref(service[key]) as string, restart: false });
  for (const entry of (service.volumes_from ?? []) as string[]) if (!entry.startsWith('container:')) out.push({ name: entry.replace(/^service:/, '').replace(/:(ro|rw)$/, ''), restart: false });
  for (const link of (service.links ?? []) as string[]) out.push({ name: link.split(':')[0]!, restart: true });
  return out;
}

/** Unknown required dependencies are errors; optional ones (`required: false`) are dropped. */
export function checkDependencies(model: ComposeModel): void {
  Object.values(model.services).forEach(addImplicitDependencies);
  for (const [name, service] of Object.entries(model.services)) {
    for (const [dep, opts] of Object.entries(dependsOn(service))) {
      if (model.services[dep]) continue;
      if (opts.required === false) delete dependsOn(service)[dep];
      else throw invalid(`service "${name}" depends on undefined service "${dep}": invalid compose project`);
    }
  }
  dependencyOrder(model.services);
}

/** Services in an order where each comes after what it depends on; a cycle is an error naming it. */
export function dependencyOrder(services: Record<string, Dict>): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw invalid(`dependency cycle detected: ${[...path.slice(path.indexOf(name)), name].join(' -> ')}`);
    state.set(name, 'visiting');
    for (const dep of Object.keys(dependsOn(services[name])).sort()) if (services[dep]) visit(dep, [...path, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of Object.keys(services).sort()) visit(name, []);
  return order;
}

/**
 * compose-go's consistency checks: each service has an image or a build, and
 * the networks, volumes, secrets and configs it names are declared at the
 * top level (the default network always is).
 */
export function checkConsistency(model: ComposeModel): void {
  for (const [name, service] of Object.entries(model.services)) {
    if (!service.image && !service.build && !service.provider) {
      throw invalid(`service "${name}" has neither an image nor a build context specified: invalid compose project`);
    }
    const undefinedRef = (kind: string, ref: string) => invalid(`service "${name}" refers to undefined ${kind} ${ref}: invalid compose project`);
    for (const network of Object.keys((service.networks ?? {}) as Dict)) {
      if (network !== 'default' && !model.networks[network]) throw undefinedRef('network', network);
    }
    for (const volume of (service.volumes ?? []) as Dict[]) {
      const source = volume.type === 'volume' ? volume.source : undefined;
      if (typeof source === 'string' && source && !model.volumes[source]) throw undefinedRef('volume', source);
    }
    for (const [key, kind] of [['secrets', 'secret'], ['configs', 'config']] as const) {
      for (const ref of (service[key] ?? []) as Dict[]) if (!model[key][String(ref.source)]) throw undefinedRef(kind, String(ref.source));
    }
  }
}

/** A service-level limit and its deploy.resources twin, compared as compose-go compares them. */
const LIMIT_TWINS: Array<[string, 'limits' | 'reservations', string, (v: unknown) => number]> = [
  ['cpus', 'limits', 'cpus', Number],
  ['mem_limit', 'limits', 'memory', ramInBytes],
  ['mem_reservation', 'reservations', 'memory', ramInBytes],
  ['pids_limit', 'limits', 'pids', Number],
];

/** compose-go's normalisation refuses a service-level limit that deploy.resources contradicts (a set limits block without it counts as 0). */
export function checkLimitTwins(model: ComposeModel): void {
  for (const [name, service] of Object.entries(model.services)) {
    const resources = ((service.deploy ?? {}) as Dict).resources as Dict | undefined;
    for (const [key, block, field, value] of LIMIT_TWINS) {
      const twin = resources?.[block] as Dict | undefined;
      if (service[key] === undefined || service[key] === null || !twin) continue;
      if (value(service[key]) !== value(twin[field] ?? 0)) {
        throw invalid(`services.${name}: can't set distinct values on '${key}' and 'deploy.resources.${block}.${field}': invalid compose project`);
      }
    }
  }
}

/** Names and defaults compose v2 fills in (what `config` prints). */
export function addDefaults(model: ComposeModel): void {
  const needsDefault = Object.values(model.services).some((s) => !s.network_mode && (!s.networks || 'default' in (s.networks as Dict)));
  for (const service of Object.values(model.services)) {
    if (!service.network_mode && !service.networks) service.networks = { default: null };
  }
  if (needsDefault && !model.networks.default) model.networks.default = {};
  nameResources(model.name, model.networks);
  nameResources(model.name, model.volumes);
  nameResources(model.name, model.secrets);
  nameResources(model.name, model.configs);
}

/** `<project>_<key>` unless the resource has a `name:` or is external (whose name is the key). */
function nameResources(project: string, resources: Record<string, Dict>): void {
  for (const [key, def] of Object.entries(resources)) {
    const d = def ?? {};
    const external = d.external === true || (typeof d.external === 'object' && d.external !== null);
    if (!d.name) d.name = external ? key : `${project}_${key}`;
    resources[key] = d;
  }
}
