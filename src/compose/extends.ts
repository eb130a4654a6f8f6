/**
 * `extends` (05-services.md#extends): a service starts from another service
 * of the same file or of another file, then its own keys merge on top with the
 * file-merge rules. Files named by `file:` are relative to the extending file;
 * cycles are an error.
 */
import { dirname } from 'node:path';
import { invalid } from '../lib/errors.js';
import { mergeTrees } from './merge.js';
import { resolveHostPath } from './short-syntax.js';

type Dict = Record<string, unknown>;

/** A loaded, interpolated, validated and canonical file: what `extends` reads. */
export interface LoadedFile {
  path: string;
  services: Record<string, Dict>;
}

export type FileLoader = (path: string) => LoadedFile;

/** Replaces each service that has `extends` by its merged form, in place. */
export function resolveExtends(file: LoadedFile, load: FileLoader): void {
  for (const name of Object.keys(file.services)) file.services[name] = resolveService(file, name, load, []);
}

function resolveService(file: LoadedFile, name: string, load: FileLoader, chain: string[]): Dict {
  const service = file.services[name];
  if (!service) throw invalid(`cannot extend service "${name}" in ${file.path}: service not found`);
  const ext = service.extends;
  if (ext === undefined) return service;
  const link = `${file.path}:${name}`;
  if (chain.includes(link)) throw invalid(`circular reference with extends: ${[...chain, link].join(' -> ')}`);
  const { service: baseName, file: baseFile } = typeof ext === 'string' ? { service: ext, file: undefined } : (ext as { service: string; file?: string });
  const other = baseFile ? load(resolveHostPath(baseFile, dirname(file.path))) : file;
  const base = resolveService(other, baseName, load, [...chain, link]);
  checkHealthcheckDisable(base, service, name);
  const { extends: _drop, ...own } = service;
  const merged = mergeTrees(base, own, undefined, `services.${name}`) as Dict;
  delete merged.extends;
  return merged;
}

function checkHealthcheckDisable(base: Dict, own: Dict, name: string): void {
  const mine = own.healthcheck as Dict | undefined;
  const theirs = base.healthcheck as Dict | undefined;
  if (mine?.disable === true && theirs && theirs.disable !== true && Object.keys(theirs).length > 0) {
    throw invalid(`service "${name}": healthcheck.disable cannot be set when extending a service with a healthcheck`);
  }
}
