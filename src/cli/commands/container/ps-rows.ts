/**
 * docker's container list formatter (formatter.ContainerContext): the cell
 * values `ps` prints — 12-digit IDs, familiar image names, the command
 * quoted and cut at 20 runes, `N seconds ago`, ports, names without the
 * leading slash. STATUS is the daemon's own text (`Up 3 seconds`,
 * `Exited (0) 2 minutes ago`), printed as sent, exactly as docker does.
 */
import type { ContainerPort, ContainerSummary } from '../../../client/container-types.js';
import { familiarRepoTag } from '../../../client/reference.js';
import { goStruct } from '../../format/template.js';
import { goTimeString, humanSizeWithPrecision, sinceUnix } from '../../format/units.js';
import { ellipsis, truncateId } from '../common.js';

export const CONTAINER_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Names: 'NAMES',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS',
};

/** Go's strconv.Quote for the text docker quotes COMMAND with. */
export function goQuote(text: string): string {
  const named: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\', '"': '\\"' };
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (named[ch]) out += named[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + '"';
}

export function commandCell(command: string, trunc: boolean): string {
  return goQuote(trunc ? ellipsis(command, 20) : command);
}

export function namesCell(names: readonly string[] | null, trunc: boolean): string {
  const stripped = (names ?? []).map((n) => (n.startsWith('/') ? n.slice(1) : n));
  if (trunc) {
    // Link aliases (`other/alias`) are hidden unless --no-trunc.
    const own = stripped.find((n) => !n.includes('/'));
    if (own !== undefined) return own;
  }
  return stripped.join(',');
}

export function imageCell(c: ContainerSummary, trunc: boolean): string {
  if (!c.Image) return '<no image>';
  if (!trunc) return c.Image;
  if (truncateId(c.ImageID) === truncateId(c.Image)) return truncateId(c.Image);
  // A digest is dropped when not --no-trunc; the familiar name stays.
  const tagged = familiarRepoTag(c.Image.replace(/@sha256:[0-9a-f]+$/, ''));
  if (tagged) return `${tagged.repo}:${tagged.tag}`;
  return c.Image.replace(/@sha256:[0-9a-f]+$/, '');
}

/** docker's DisplayablePorts (without its range compaction). */
export function portsCell(ports: readonly ContainerPort[] | null): string {
  const rendered = (ports ?? []).map((p) => {
    if (p.PublicPort) {
      const ip = p.IP ?? '';
      const host = ip.includes(':') ? `[${ip}]` : ip;
      return `${host}:${p.PublicPort}->${p.PrivatePort}/${p.Type}`;
    }
    return `${p.PrivatePort}/${p.Type}`;
  });
  return [...new Set(rendered)].sort().join(', ');
}

export function sizeCell(c: ContainerSummary): string {
  const rw = humanSizeWithPrecision(c.SizeRw ?? 0, 3);
  return (c.SizeRootFs ?? 0) > 0 ? `${rw} (virtual ${humanSizeWithPrecision(c.SizeRootFs!, 3)})` : rw;
}

function labelsCell(labels: Record<string, string> | null): string {
  return Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`).sort().join(',');
}

function mountsCell(c: ContainerSummary, trunc: boolean): string {
  return (c.Mounts ?? []).map((m) => (m.Name || (trunc ? ellipsis(m.Source ?? '', 15) : (m.Source ?? '')))).join(',');
}

/** One row; keys sorted so `{{json .}}` matches docker's output. */
export function containerRow(c: ContainerSummary, options: { trunc: boolean; now?: number }) {
  const { trunc } = options;
  return goStruct(
    {
      Command: commandCell(c.Command, trunc),
      CreatedAt: goTimeString(c.Created),
      ID: trunc ? truncateId(c.Id) : c.Id,
      Image: imageCell(c, trunc),
      Labels: labelsCell(c.Labels),
      LocalVolumes: String((c.Mounts ?? []).filter((m) => m.Type === 'volume').length),
      Mounts: mountsCell(c, trunc),
      Names: namesCell(c.Names, trunc),
      Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).sort().join(','),
      // docker 28's context has a Platform (nil unless the daemon reports one).
      Platform: (c as { ImageManifestDescriptor?: { platform?: unknown } }).ImageManifestDescriptor?.platform ?? null,
      Ports: portsCell(c.Ports),
      RunningFor: sinceUnix(c.Created, options.now),
      Size: sizeCell(c),
      State: c.State,
      Status: c.Status,
    },
    '*formatter.ContainerContext',
  );
}
