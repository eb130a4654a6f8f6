import { mkdir } from 'node:fs/promises';
import { parseNormalizedNamed, pullReference } from '../../lib/reference.js';
import type { ContentStore } from '../content/types.js';
import type { EventBus } from '../events/types.js';
import type { ImageService } from '../images/types.js';
import type { LayerStore } from '../layers/types.js';
import { RegistryAccess } from './access.js';
import { EndpointResolver, HUB_AUTH_KEY, HUB_DOMAIN } from './endpoints.js';
import { InFlight } from './inflight.js';
import { Limiter } from './limiter.js';
import { login } from './login.js';
import { BlobLocations } from './metadata.js';
import { pullAllTags, pullImage, type PullDeps } from './pull.js';
import { pushImage, type PushDeps } from './push.js';
import { search } from './search.js';
import { inspectDistribution } from './inspect.js';
import type { AuthConfig, DistributionInspect, DistributionService, PullOptions, PushOptions, RegistrySettings, SearchOptions, SearchResult } from './types.js';

export interface DistributionDeps {
  images: ImageService;
  content: ContentStore;
  layers: LayerStore;
  events: EventBus;
  settings: RegistrySettings;
  /** Where the layer → registry blob locations are kept (dockerd's v2 metadata). */
  metadataDir: string;
  log?: (message: string) => void;
}

/** berthd's registry client: pull, push, login and search, as dockerd does them. */
export class RegistryDistributionService implements DistributionService {
  private readonly resolver: EndpointResolver;
  private readonly access: RegistryAccess;
  private readonly pullDeps: PullDeps;
  private readonly pushDeps: PushDeps;

  private constructor(deps: DistributionDeps) {
    this.resolver = new EndpointResolver(deps.settings);
    this.access = new RegistryAccess(this.resolver, deps.log);
    const locations = new BlobLocations(deps.metadataDir);
    const common = { images: deps.images, content: deps.content, events: deps.events, access: this.access, locations };
    this.pullDeps = {
      ...common,
      layers: deps.layers,
      downloads: new Limiter(deps.settings.maxConcurrentDownloads),
      unpacking: new InFlight(),
    };
    this.pushDeps = { ...common, uploads: new Limiter(deps.settings.maxConcurrentUploads) };
  }

  static async create(deps: DistributionDeps): Promise<RegistryDistributionService> {
    await mkdir(deps.metadataDir, { recursive: true });
    return new RegistryDistributionService(deps);
  }

  /**
   * A reference with a tag or digest pulls that; a bare name pulls "latest",
   * unless `allTags`. (The API route decides what an empty tag means.)
   */
  async pull(reference: string, options: PullOptions): Promise<void> {
    const ref = parseNormalizedNamed(reference);
    const withAuth = { ...options, auth: options.auth ?? authForRegistry(options.registryAuths, ref.domain) };
    if (options.allTags) return pullAllTags(this.pullDeps, reference, withAuth);
    await pullImage(this.pullDeps, pullReference(ref), withAuth);
  }

  push(name: string, tag: string | undefined, options: PushOptions): Promise<void> {
    return pushImage(this.pushDeps, name, tag, options);
  }

  login(auth: AuthConfig): Promise<{ Status: string; IdentityToken?: string }> {
    return login(this.resolver, this.access, auth);
  }

  inspect(reference: string, auth: AuthConfig | undefined): Promise<DistributionInspect> {
    return inspectDistribution(this.access, reference, auth);
  }

  search(term: string, options: SearchOptions): Promise<SearchResult[]> {
    return search(this.resolver, this.access.mayCarryCredentials, term, options);
  }
}

/** The entry of a config.json-style credentials map for a registry (keys with or without a scheme). */
function authForRegistry(auths: Record<string, AuthConfig> | undefined, domain: string): AuthConfig | undefined {
  if (!auths) return undefined;
  if (domain === HUB_DOMAIN) return auths[HUB_AUTH_KEY] ?? auths[HUB_DOMAIN];
  return auths[domain] ?? auths[`https://${domain}`] ?? auths[`http://${domain}`];
}
