import { mkdirSync, renameSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../lib/atomic.js';
import { BackgroundTasks } from '../../lib/background.js';
import { errnoCode, invalid, notFound } from '../../lib/errors.js';
import type { Container } from './types.js';

const RECORD = 'config.v2.json';
const TRASH_PREFIX = '.trash-';

/**
 * Container records, one directory each under <data-root>/containers/<id>,
 * kept in memory and written atomically on every change. Lookup follows
 * Docker: full ID, then name, then a unique ID prefix.
 */
export class ContainerStore {
  private readonly byId = new Map<string, Container>();
  /** The last write queued per container (see write). */
  private readonly writes = new Map<string, Promise<void>>();
  /** Directories of deleted containers still being deleted. */
  private readonly deleting = new BackgroundTasks();

  private constructor(readonly root: string) {}

  static async open(root: string): Promise<ContainerStore> {
    const store = new ContainerStore(root);
    await mkdir(root, { recursive: true, mode: 0o710 });
    for (const id of await readdir(root)) {
      if (id.startsWith(TRASH_PREFIX)) await rm(join(root, id), { recursive: true, force: true });
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

  /**
   * Registers a new record in memory (so its name is taken at once) and on
   * disk, not yet durably: the create's last save is the durable one, and a
   * record lost to a power cut before it is a create that never finished.
   */
  async add(container: Container): Promise<void> {
    this.byId.set(container.id, container);
    try {
      mkdirSync(this.dirOf(container.id), { mode: 0o710 }); // one small syscall: not worth a thread-pool round trip
      await this.saveState(container);
    } catch (err) {
      this.byId.delete(container.id);
      throw err;
    }
  }

  /** Saves the record durably (fsynced): for what a user configured (create, rename, update). */
  save(container: Container): Promise<void> {
    return this.write(container, true);
  }

  /**
   * Saves the record without fsync: for state changes (start, stop, exit,
   * pause), which mean nothing after a power loss (the processes are gone
   * too) and which a berthd crash does not lose (the page cache outlives it).
   */
  saveState(container: Container): Promise<void> {
    return this.write(container, false);
  }

  /**
   * Forgets a container. Its directory is moved aside at once and deleted
   * after this returns (settled() waits for that; open() deletes what a crash left).
   */
  async delete(id: string): Promise<void> {
    this.byId.delete(id);
    await this.writes.get(id)?.catch(() => undefined); // a save still on its way would recreate the directory
    const trash = join(this.root, `${TRASH_PREFIX}${id}`);
    try {
      renameSync(this.dirOf(id), trash);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return;
      throw err;
    }
    this.deleting.add(rm(trash, { recursive: true, force: true }));
  }

  /** Resolves once the directories of deleted containers are gone. */
  async settled(): Promise<void> {
    await this.deleting.settled();
  }

  /**
   * One write at a time per container, in call order, so an older state never
   * lands after a newer one (each write serialises the record as it is when its turn comes).
   */
  private write(container: Container, durable: boolean): Promise<void> {
    const id = container.id;
    const previous = this.writes.get(id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(async () => {
      if (!this.byId.has(id)) return; // deleted meanwhile
      await writeJsonAtomic(join(this.dirOf(id), RECORD), container, 0o600, { durable });
    });
    this.writes.set(id, next);
    void next.finally(() => {
      if (this.writes.get(id) === next) this.writes.delete(id);
    }).catch(() => undefined);
    return next;
  }
}
