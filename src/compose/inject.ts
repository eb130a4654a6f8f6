/**
 * `secrets` and `configs` whose value is not a file (compose v2's
 * secrets.go): a secret from `environment`, a config from `environment` or
 * `content`, is written into the created container before it starts, as a
 * one-file archive put at `/` (PUT /containers/{id}/archive): at
 * /run/secrets/<target> for a secret, at the target (default /<name>) for a
 * config, mode 0444 unless the service says otherwise. Unlike a bind mount
 * of a file written on the client's host, this works with a remote engine
 * and leaves nothing behind to clean up. File-based ones are bind mounts
 * (mounts.ts); `external` ones are swarm objects, which compose v2 refuses
 * outside swarm, and so does this, before anything is created.
 */
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import type { BerthClient } from '../client/index.js';
import { invalid } from '../lib/errors.js';
import { encodeHeader, END_OF_ARCHIVE, padding } from '../lib/tar/writer.js';
import type { Project } from './project.js';

type Dict = Record<string, unknown>;
type Kind = 'secrets' | 'configs';

const KINDS: Kind[] = ['secrets', 'configs'];

/** Where a service's secret or config is seen in the container (compose v2's defaults). */
export function fileTarget(kind: Kind, source: string, target: string | undefined): string {
  if (kind === 'configs') return target ?? `/${source}`;
  if (!target) return `/run/secrets/${source}`;
  return posix.isAbsolute(target) ? target : `/run/secrets/${target}`;
}

/** The definition a service's reference names, refused when compose v2 refuses it. */
export function definitionOf(project: Project, kind: Kind, ref: Dict): Dict {
  const source = String(ref.source);
  const def = project.model[kind][source];
  const singular = kind.slice(0, -1);
  if (!def) throw invalid(`service refers to undefined ${singular} ${source}: invalid compose project`);
  if (def.external) throw invalid(`unsupported external ${singular} ${String(def.name ?? source)}`);
  if (def.driver) throw invalid(`Docker Compose does not support ${kind}.*.driver`);
  if (def.template_driver) throw invalid(`Docker Compose does not support ${kind}.*.template_driver`);
  return def;
}

/** Every reference of the services checked, so an external one fails `up` before it creates anything. */
export function checkReferences(project: Project, services: string[]): void {
  for (const name of services) {
    for (const kind of KINDS) for (const ref of refsOf(project.model.services[name], kind)) inlineValue(project, kind, ref);
  }
}

/** Writes the service's environment and content secrets and configs into the (created, not started) container. */
export async function injectFiles(client: BerthClient, project: Project, service: Dict, id: string): Promise<void> {
  for (const kind of KINDS) {
    for (const ref of refsOf(service, kind)) {
      const value = inlineValue(project, kind, ref);
      if (value === undefined) continue;
      const target = fileTarget(kind, String(ref.source), ref.target as string | undefined);
      await client.putArchive(id, '/', Readable.from([oneFileArchive(target, value, ref)]));
    }
  }
}

function refsOf(service: Dict | undefined, kind: Kind): Dict[] {
  return (service?.[kind] ?? []) as Dict[];
}

/** The value to write, or undefined for a file-based definition (bind-mounted instead). */
function inlineValue(project: Project, kind: Kind, ref: Dict): string | undefined {
  const def = definitionOf(project, kind, ref);
  if (typeof def.environment === 'string') {
    const value = project.environment[def.environment];
    if (value === undefined) {
      throw invalid(`environment variable ${JSON.stringify(def.environment)} required by ${kind.slice(0, -1)} ${JSON.stringify(def.name ?? ref.source)} is not set`);
    }
    return value;
  }
  return typeof def.content === 'string' ? def.content : undefined;
}

/** A tar of one regular file at `target` (relative to `/`), owned and moded as the reference says. */
function oneFileArchive(target: string, value: string, ref: Dict): Buffer {
  const body = Buffer.from(value, 'utf8');
  const header = encodeHeader({
    name: target.replace(/^\/+/, ''),
    type: 'file',
    mode: fileMode(ref.mode),
    uid: Number(ref.uid ?? 0),
    gid: Number(ref.gid ?? 0),
    size: body.length,
    mtime: Math.floor(Date.now() / 1000),
  });
  return Buffer.concat([header, body, padding(body.length), END_OF_ARCHIVE]);
}

/** `mode: 0440` (a YAML number) or `"0440"` (a string, octal as compose-go reads it); 0444 when not given. */
function fileMode(mode: unknown): number {
  if (typeof mode === 'number') return mode;
  return typeof mode === 'string' ? parseInt(mode, 8) : 0o444;
}
