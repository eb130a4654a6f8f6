/**
 * docker compose v2's ContainerContext (cmd/formatter/container.go, 2.26):
 * the fields `compose ps --format` templates see, named and printed as
 * compose prints them. It differs from `docker ps`'s context: Name, Project,
 * Service, Health, ExitCode and Publishers besides docker's fields, the image
 * as the engine names it, and Ports rendered from the publishers.
 */
import type { ContainerPort, ContainerSummary } from '../../../client/index.js';
import { nameOf, serviceOf } from '../../../compose/containers.js';
import { LABEL } from '../../../compose/labels.js';
import { goMarshalsJson, goMethod, goNilSlice, goStruct } from '../../format/template.js';
import { goTimeString, sinceUnix } from '../../format/units.js';
import { ellipsis, truncateId } from '../common.js';
import { commandCell, CONTAINER_HEADERS, namesCell, sizeCell } from '../container/ps-rows.js';

/** compose's NewContainerContext headers; the fields missing here print `<no value>` in a header, as in compose. */
export const COMPOSE_PS_HEADERS: Record<string, string> = {
  ...Object.fromEntries(['ID', 'Image', 'Command', 'CreatedAt', 'Ports', 'State', 'Status', 'Size', 'Labels'].map((k) => [k, CONTAINER_HEADERS[k]])),
  Name: 'NAME',
  Project: 'PROJECT',
  Service: 'SERVICE',
  RunningFor: 'CREATED',
};

export const COMPOSE_PS_TABLE = 'table {{.Name}}\t{{.Image}}\t{{.Command}}\t{{.Service}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}';

/** compose's NewContainerFormat: `table` (or nothing) is its own columns, anything else a template. */
export function composePsFormat(source: string): string {
  return source === 'table' || source === '' ? COMPOSE_PS_TABLE : source;
}

interface Publisher {
  URL: string;
  TargetPort: number;
  PublishedPort: number;
  Protocol: string;
}

/** compose ps's publishers: the engine's ports ordered by container port. */
function publishers(ports: readonly ContainerPort[] | null): Publisher[] {
  if (!ports?.length) return goNilSlice();
  return [...ports]
    .sort((a, b) => a.PrivatePort - b.PrivatePort)
    .map((p) => goStruct({ URL: p.IP ?? '', TargetPort: p.PrivatePort, PublishedPort: p.PublicPort ?? 0, Protocol: p.Type }, 'api.PortPublisher'));
}

/**
 * docker's formatter.DisplayablePorts: sorted by container port, then host
 * IP; a port published on the same host port is grouped into ranges
 * (`0.0.0.0:80-81->80-81/tcp`), other mappings listed after them.
 */
export function displayablePorts(list: readonly Publisher[]): string {
  const ports = [...list].sort((a, b) => a.TargetPort - b.TargetPort || cmp(a.URL, b.URL) || a.PublishedPort - b.PublishedPort || cmp(a.Protocol, b.Protocol));
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const mappings: string[] = [];
  for (const p of ports) {
    let key = p.Protocol;
    if (p.URL !== '') {
      if (p.PublishedPort !== p.TargetPort) {
        mappings.push(`${joinHostPort(p.URL, p.PublishedPort)}->${p.TargetPort}/${p.Protocol}`);
        continue;
      }
      key = `${p.URL}/${p.Protocol}`;
    }
    const group = groups.get(key);
    if (group && p.TargetPort === group.last + 1) {
      group.last = p.TargetPort;
      continue;
    }
    if (group) result.push(formGroup(key, group.first, group.last));
    // A Map keeps its first insertion's order, as compose's groupMapKeys does.
    groups.set(key, { first: p.TargetPort, last: p.TargetPort });
  }
  for (const [key, g] of groups) result.push(formGroup(key, g.first, g.last));
  return [...result, ...mappings].join(', ');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The CLI that compose 2.26 builds with joins without brackets (`:::8080`), unlike docker 28's net.JoinHostPort. */
function joinHostPort(ip: string, port: number | string): string {
  return `${ip}:${port}`;
}

function formGroup(key: string, first: number, last: number): string {
  const slash = key.lastIndexOf('/');
  const ip = slash > 0 ? key.slice(0, slash) : '';
  const type = key.slice(slash + 1);
  const range = first === last ? `${first}` : `${first}-${last}`;
  return ip ? `${joinHostPort(ip, range)}->${range}/${type}` : `${range}/${type}`;
}

/** compose reads health and exit code from inspect; the engine's status text carries the same state. */
function health(c: ContainerSummary): string {
  if (c.State !== 'running') return '';
  return /\((healthy|unhealthy|health: starting)\)/.exec(c.Status)?.[1]?.replace('health: ', '') ?? '';
}

function exitCode(c: ContainerSummary): number {
  if (c.State !== 'exited' && c.State !== 'dead') return 0;
  return Number(/^Exited \((-?\d+)\)/.exec(c.Status)?.[1] ?? 0);
}

/** One container as compose's template sees it; keys sorted as its MarshalJSON writes them. */
export function composePsRow(c: ContainerSummary, options: { trunc: boolean; now?: number }) {
  const { trunc } = options;
  const pubs = publishers(c.Ports);
  const labels = c.Labels ?? {};
  const row = goStruct(
    {
      Command: commandCell(c.Command, trunc),
      CreatedAt: goTimeString(c.Created),
      ExitCode: exitCode(c),
      Health: health(c),
      ID: trunc ? truncateId(c.Id) : c.Id,
      Image: c.Image,
      Labels: Object.entries(labels).map(([k, v]) => `${k}=${v}`).sort().join(','),
      LocalVolumes: String((c.Mounts ?? []).filter((m) => m.Driver === 'local').length),
      Mounts: (c.Mounts ?? []).map((m) => (trunc ? ellipsis(m.Name || m.Source || '', 15) : m.Name || m.Source || '')).join(','),
      Name: nameOf(c),
      Names: namesCell(c.Names, trunc),
      Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).sort().join(','),
      Ports: displayablePorts(pubs),
      Project: labels[LABEL.project] ?? '',
      Publishers: pubs,
      RunningFor: sinceUnix(c.Created, options.now),
      Service: serviceOf(c),
      Size: sizeCell(c),
      State: c.State,
      Status: c.Status,
    },
    '*formatter.ContainerContext',
  );
  return goMarshalsJson(goMethod(row, 'Label', (name: string) => labels[name] ?? ''));
}
