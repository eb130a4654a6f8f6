import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../lib/atomic.js';
import { invalid, notFound } from '../../lib/errors.js';
import type { Container } from './types.js';

const RECORD = 'config.v2.json';

/**
 * Container records, one directory each under <data-root>/containers/<id>,
 * kept in memory and written atomically on every change. Lookup follows
 * Docker: full ID, then name, then a unique ID prefix.
 */
export class ContainerStore {
  private readonly byId = new Map<string, Container>();

  private constructor(readonly root: string) {}

  static async open(root: string): Promise<ContainerStore> {
    const store = new ContainerStore(root);
    await mkdir(root, { recursive: true, mode: 0o710 });
    for (const id of await readdir(root)) {
      if (!/^[a-f0-9]{64}$/.test(id)) continue;
      try {
        const record = JSON.parse(await readFile(join(root, id, RECORD), 'utf8')) as Container;
        store.byId.set(id, record);
      } catch {
        // A directory without a readable record is the leftover of a create that crashed half way.
        await rm(join(root, id), { recursive: true, force: true });
      }
    }
    return store;
  }

  dirOf(id: string): string {
    return join(this.root, id);
  }

  all(): Container[] {
    return [...this.byId.values()];
  }

  get(id: string): Container | undefined {
    return this.byId.get(id);
  }

  byName(name: string): Container | undefined {
    const wanted = name.startsWith('/') ? name : `/${name}`;
    return this.all().find((c) => c.name === wanted);
  }

  /** Finds a container by ID, name or unique ID prefix; `No such container: x` otherwise. */
  find(idOrName: string): Container {
    if (idOrName === '') throw notFound('No such container: ');
    const exact = this.byId.get(idOrName) ?? this.byName(idOrName);
    if (exact) return exact;
    if (/^[a-f0-9]+$/.test(idOrName)) {
      const matches = this.all().filter((c) => c.id.startsWith(idOrName));
      if (matches.length === 1) return matches[0]!;
      if (matches.length > 1) throw invalid(`multiple IDs found with provided prefix: ${idOrName}`);
    }
    throw notFound(`No such container: ${idOrName}`);
  }

  /** Registers a new record in memory (so its name is taken at once) and on disk. */
  async add(container: Container): Promise<void> {
    this.byId.set(container.id, container);
    try {
      await mkdir(this.dirOf(container.id), { mode: 0o710 });
      await this.save(container);
    } catch (err) {
      this.byId.delete(container.id);
      throw err;
    }
  }

  async save(container: Container): Promise<void> {
    await writeJsonAtomic(join(this.dirOf(container.id), RECORD), container, 0o600);
  }

  async delete(id: string): Promise<void> {
    this.byId.delete(id);
    await rm(this.dirOf(id), { recursive: true, force: true });
  }
}
