import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../lib/atomic.js';
import { errnoCode } from '../../lib/errors.js';
import type { PublishedPort } from './ports.js';
import type { InterfacePlan } from './sandbox.js';
import type { Attachment, ContainerNetworkConfig, EndpointRequest, NetworkRecord } from './types.js';

/**
 * What the network area keeps on disk under <data-root>/network, so that a
 * restarted berthd knows its networks and can rebuild ports and DNS for the
 * containers that kept running:
 *   networks/<id>.json     one NetworkRecord per network
 *   containers/<id>.json   one ContainerRecord per registered container
 */

/** One interface of a live sandbox. */
export interface LiveEndpoint {
  networkId: string;
  endpointId: string;
  plan: InterfacePlan;
  gateway: string;
  /** The IPv6 default gateway ("" without IPv6 or on internal networks). */
  gateway6?: string;
  aliases: string[];
}

export interface SandboxState {
  /** The netns name under /run/netns, or null when the container has none of its own. */
  netns: string | null;
  endpoints: LiveEndpoint[];
  ports: PublishedPort[];
  attachment: Attachment;
}

export interface ContainerRecord {
  id: string;
  config: ContainerNetworkConfig;
  /** The networks the container is connected to, in order (the first one is its primary). */
  networks: Array<{ networkId: string; request: EndpointRequest }>;
  /** Present while the container runs. */
  sandbox?: SandboxState;
  /** The ID and key (netns path) inspect shows for the last sandbox built, which dockerd keeps showing after the container stops. */
  shownSandbox?: { id: string; key: string };
}

export class NetworkStore {
  constructor(private readonly root: string) {}

  private dir(kind: 'networks' | 'containers'): string {
    return join(this.root, kind);
  }

  async loadAll<T>(kind: 'networks' | 'containers'): Promise<T[]> {
    await mkdir(this.dir(kind), { recursive: true });
    const out: T[] = [];
    for (const file of await readdir(this.dir(kind))) {
      if (!file.endsWith('.json')) continue;
      out.push(JSON.parse(await readFile(join(this.dir(kind), file), 'utf8')) as T);
    }
    return out;
  }

  async saveNetwork(record: NetworkRecord): Promise<void> {
    await writeJsonAtomic(join(this.dir('networks'), `${record.id}.json`), record);
  }

  /**
   * `sandboxOnly`: only the sandbox changed (attach, detach). Its state is void
   * after a power loss (netns and processes are gone too), so it is written
   * without fsyncs, which cost tens of ms each on a busy disk, twice per
   * start and stop. Configuration changes stay durable.
   */
  async saveContainer(record: ContainerRecord, o: { sandboxOnly?: boolean } = {}): Promise<void> {
    await writeJsonAtomic(join(this.dir('containers'), `${record.id}.json`), record, 0o644, { durable: !o.sandboxOnly });
  }

  async delete(kind: 'networks' | 'containers', id: string): Promise<void> {
    await rm(join(this.dir(kind), `${id}.json`)).catch((err) => {
      if (errnoCode(err) !== 'ENOENT') throw err;
    });
  }
}
