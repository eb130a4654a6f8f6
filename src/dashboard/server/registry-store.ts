/**
 * The registries an admin added: registries.json in the data directory
 * (0600, as JsonFile writes it: it holds the registries' passwords and
 * client keys, which are never sent back to browsers; nor are the
 * certificates, only whether there are any).
 */
import { conflict, invalid, notFound } from '../../lib/errors.js';
import type { RegistryEntry } from '../shared/extra-types.js';
import { JsonFile } from './json-file.js';
import { checkRegistryUrl, type RegistryTarget } from './registry-client.js';
import { checkTls } from './registry-tls.js';

export interface StoredRegistry extends RegistryTarget {
  name: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class RegistryStore {
  private constructor(private readonly file: JsonFile<StoredRegistry[]>, private entries: StoredRegistry[]) {}

  static async open(path: string): Promise<RegistryStore> {
    const file = new JsonFile<StoredRegistry[]>(path);
    return new RegistryStore(file, await file.load([]));
  }

  list(): RegistryEntry[] {
    return this.entries.map(publicEntry);
  }

  get(name: string): StoredRegistry {
    const entry = this.entries.find((e) => e.name === name);
    if (!entry) throw notFound(`no such registry: ${name}`);
    return entry;
  }

  async add(value: Record<string, unknown>): Promise<RegistryEntry> {
    const entry = checkEntry(value);
    if (this.entries.some((e) => e.name === entry.name)) throw conflict(`registry ${entry.name} already exists`);
    const next = [...this.entries, entry];
    await this.file.save(next);
    this.entries = next;
    return publicEntry(entry);
  }

  async remove(name: string): Promise<void> {
    this.get(name);
    const next = this.entries.filter((e) => e.name !== name);
    await this.file.save(next);
    this.entries = next;
  }
}

function checkEntry(v: Record<string, unknown>): StoredRegistry {
  const name = v.name === undefined || v.name === '' ? undefined : v.name;
  const url = checkRegistryUrl(v.url);
  const entry: StoredRegistry = { name: typeof name === 'string' ? name : new URL(url).host.replace(/:/g, '_'), url };
  if (!NAME.test(entry.name)) throw invalid('name must be 1-64 letters, digits or ._- and start with a letter or digit');
  for (const key of ['username', 'password'] as const) {
    if (v[key] === undefined || v[key] === '') continue;
    if (typeof v[key] !== 'string') throw invalid(`${key} must be a string`);
    entry[key] = v[key] as string;
  }
  if (entry.password !== undefined && entry.username === undefined) throw invalid('a password needs a user name');
  const tls = checkTls(v);
  if (Object.keys(tls).length && !url.startsWith('https:')) throw invalid('certificates are only for https:// registries');
  return { ...entry, ...tls };
}

function publicEntry(e: StoredRegistry): RegistryEntry {
  return { name: e.name, url: e.url, ...(e.username ? { username: e.username } : {}), hasPassword: Boolean(e.password), customCa: Boolean(e.ca), clientCert: Boolean(e.cert) };
}
