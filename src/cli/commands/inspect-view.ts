/**
 * The typed view docker's CLI executes `inspect -f` templates against first:
 * Go structs, so a nil list prints `[]`, a nil map `map[]`, and `{{json
 * .Config}}` drops empty fields (the OCI image config is all `omitempty`).
 * When a template fails on the typed view, docker retries it on the raw JSON
 * map with missingkey=error; inspect.ts does the same.
 */
import type { ImageInspect } from '../../client/types.js';
import { goStruct } from '../format/template.js';

/** OCI image config fields (plus docker's extensions) with their Go zero values. */
const IMAGE_CONFIG_FIELDS: Array<[string, () => unknown]> = [
  ['User', () => ''],
  ['ExposedPorts', () => ({})],
  ['Env', () => []],
  ['Entrypoint', () => []],
  ['Cmd', () => []],
  ['Volumes', () => ({})],
  ['WorkingDir', () => ''],
  ['Labels', () => ({})],
  ['StopSignal', () => ''],
  ['ArgsEscaped', () => false],
  ['Healthcheck', () => null],
  ['OnBuild', () => []],
  ['Shell', () => []],
];

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '' || value === false || value === 0) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

/** Builds the Config struct: known fields only, zero values for absent ones. */
function imageConfigView(config: Record<string, unknown> | null | undefined) {
  const source = config ?? {};
  const fields: Record<string, unknown> = {};
  const omitted: string[] = [];
  for (const [name, zero] of IMAGE_CONFIG_FIELDS) {
    const value = source[name];
    fields[name] = value === null || value === undefined ? zero() : value;
    if (isEmpty(value)) omitted.push(name);
  }
  // `{{json .Config}}` must show only the non-empty fields, as Go's omitempty does.
  Object.defineProperty(fields, 'toJSON', {
    enumerable: false,
    value: () => goStruct(Object.fromEntries(Object.entries(fields).filter(([k]) => !omitted.includes(k))), 'json'),
  });
  return goStruct(fields, '*v1.DockerOCIImageConfig');
}

export function imageInspectView(raw: ImageInspect): Record<string, unknown> {
  const view: Record<string, unknown> = { ...raw };
  view.RepoTags = raw.RepoTags ?? [];
  view.RepoDigests = raw.RepoDigests ?? [];
  view.Config = imageConfigView(raw.Config);
  // Go structs keep their field order in `{{json}}`; the daemon sent them in that order.
  for (const field of ['RootFS', 'GraphDriver', 'Metadata', 'ContainerConfig']) {
    const value = view[field];
    if (value && typeof value === 'object' && !Array.isArray(value)) view[field] = goStruct({ ...(value as object) }, field);
  }
  return goStruct(view, 'image.InspectResponse');
}

/** Fields of docker's container.InspectResponse that are Go maps (printed sorted), not structs. */
const CONTAINER_MAP_FIELDS = new Set([
  'Labels', 'ExposedPorts', 'Volumes', 'PortBindings', 'Ports', 'Networks', 'Tmpfs', 'Sysctls', 'StorageOpt', 'Config', 'Data', 'DriverOpts', 'Options',
]);

/**
 * The typed view of a container: the daemon's JSON, already in Go struct
 * field order, with objects marked as structs so `{{json .State}}` keeps that
 * order; map-typed fields stay maps (sorted keys). `LogConfig.Config` and
 * `GraphDriver.Data` are maps, while the top-level `Config` is a struct.
 */
export function containerInspectView(raw: Record<string, unknown>): Record<string, unknown> {
  const mark = (value: unknown, key: string, depth: number): unknown => {
    if (Array.isArray(value)) return value.map((v) => mark(v, '', depth + 1));
    if (!value || typeof value !== 'object') return value;
    const isMap = CONTAINER_MAP_FIELDS.has(key) && !(key === 'Config' && depth === 1);
    const copy = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isMap ? mark(v, '', depth + 1) : mark(v, k, depth + 1)]));
    return isMap ? copy : goStruct(copy, key ? `container.${key}` : 'container.InspectResponse');
  };
  return mark(raw, '', 0) as Record<string, unknown>;
}
