import type { ImageService } from '../engine/images/types.js';
import type { EventBus, EventFeed } from '../engine/events/types.js';
import type { ContainerService } from '../engine/containers/types.js';
import type { VolumeService } from '../engine/volumes/types.js';
import type { NetworkService } from '../engine/network/types.js';
import type { BuilderService } from '../engine/builder/types.js';
import type { DistributionService } from '../engine/distribution/types.js';

/** What /info, /version and /system/df need; assembled by the daemon from the engine areas. */
export interface SystemBackend {
  info(): Promise<Record<string, unknown>>;
  version(): Promise<Record<string, unknown>>;
  /** Extra headers for /_ping (OSType, Builder-Version, …). */
  pingHeaders(): Record<string, string>;
}

/** The narrow backends the API routes use; each router takes only what it needs. */
export interface ApiBackends {
  images: ImageService;
  containers: ContainerService;
  volumes: VolumeService;
  networks: NetworkService;
  builder: BuilderService;
  distribution: DistributionService;
  system: SystemBackend;
  events: EventBus & EventFeed;
}
