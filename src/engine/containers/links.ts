import { conflict, notFound } from '../../lib/errors.js';

/** A HostConfig.Links entry ("name:alias", "/name:/parent/alias" or "name") as target and alias. */
export function parseLink(spec: string): { target: string; alias: string } {
  const [rawName, rawAlias] = spec.split(':');
  const target = rawName!.replace(/^\//, '');
  return { target, alias: (rawAlias ?? target).replace(/^.*\//, '') };
}

/**
 * `docker rm --link /parent/alias`, as dockerd's rmLink: the name must be a
 * link (a container's own name is "the default link name" and cannot go),
 * and the parent's link of that alias is dropped. A name that is neither is
 * "No such container", as dockerd's lookup of it says. Returns the parent and
 * its links without the removed one.
 */
export function linkRemoval<C extends { name: string; hostConfig: { Links?: string[] | null } }>(
  name: string, find: (name: string) => C | undefined,
): { parent: C; links: string[] } {
  const full = name.startsWith('/') ? name : `/${name}`;
  const cut = full.lastIndexOf('/');
  const missing = () => notFound(`No such container: ${name}`);
  if (cut === 0) {
    if (!find(full)) throw missing();
    throw conflict('Conflict, cannot remove the default link name of the container');
  }
  const parent = find(full.slice(0, cut));
  const alias = full.slice(cut + 1);
  const links = parent?.hostConfig.Links ?? [];
  const kept = links.filter((spec) => parseLink(spec).alias !== alias);
  if (!parent || kept.length === links.length) throw missing();
  return { parent, links: kept };
}
