import type { ProgressSink } from '../images/types.js';

/**
 * The distribution area: berthd as a registry client. It resolves references
 * to registries (docker.io and mirrors, insecure registries, per-registry CA
 * certificates), authenticates (Basic, Bearer tokens from the registry's
 * challenge), pulls manifests and blobs into the content store (verified,
 * then unpacked into the layer store) and pushes local images (only the
 * blobs the registry lacks). It knows the images area only through its
 * contract.
 */

/** Credentials as the Engine API carries them (X-Registry-Auth, POST /auth). */
export interface AuthConfig {
  username?: string;
  password?: string;
  /** "user:password" in base64, as config.json stores it. */
  auth?: string;
  email?: string;
  serveraddress?: string;
  /** A refresh token from an earlier login (OAuth2 flow of the token spec). */
  identitytoken?: string;
  /** A bearer token to use as it is. */
  registrytoken?: string;
}

export interface PullOptions {
  /** Every tag of the repository (docker pull -a). */
  allTags?: boolean;
  /** "os/arch[/variant]"; the host's platform by default. */
  platform?: string;
  auth?: AuthConfig;
  /**
   * Credentials by registry, keyed as config.json keys them ("host:port",
   * "https://index.docker.io/v1/"), as builds receive them in X-Registry-Config;
   * the one for the image's registry is used when `auth` is not given.
   */
  registryAuths?: Record<string, AuthConfig>;
  progress: ProgressSink;
}

export interface PushOptions {
  auth?: AuthConfig;
  progress: ProgressSink;
}

export interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
}

export interface SearchOptions {
  limit?: number;
  /** Docker's search filters: stars, is-official, is-automated. */
  filters?: Map<string, string[]>;
  auth?: AuthConfig;
}

/** What the builder needs: make an image local (FROM of an image not here, or build --pull). */
export interface ImagePuller {
  /** Pulls `reference` ("busybox", "host:5000/x:1", "x@sha256:…"); progress as the pull stream. */
  pull(reference: string, options: PullOptions): Promise<void>;
}

/** The narrow interface src/api uses for /images/create?fromImage, push, /auth, /images/search and /distribution. */
export interface DistributionService extends ImagePuller {
  /** Pushes the given tag, or every tag of the repository when `tag` is empty. */
  push(name: string, tag: string | undefined, options: PushOptions): Promise<void>;
  /** Checks credentials against a registry (POST /auth). */
  login(auth: AuthConfig): Promise<{ Status: string; IdentityToken?: string }>;
  search(term: string, options: SearchOptions): Promise<SearchResult[]>;
  /** GET /distribution/{name}/json: the manifest's descriptor at the registry, and its platforms. */
  inspect(reference: string, auth: AuthConfig | undefined): Promise<DistributionInspect>;
}

/** An OCI platform as dockerd's distribution inspect writes it. */
export interface InspectPlatform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}

/** dockerd's registry.DistributionInspect. */
export interface DistributionInspect {
  Descriptor: { mediaType: string; digest: string; size: number };
  Platforms: InspectPlatform[] | null;
}

/** The daemon's registry settings (daemon.json keys of the same names). */
export interface RegistrySettings {
  /** Mirrors of Docker Hub, tried in order before it ("https://mirror:5000"). */
  mirrors: string[];
  /** CIDRs and host[:port] names of registries reached over plain HTTP or unverified TLS. */
  insecureRegistries: string[];
  maxConcurrentDownloads: number;
  maxConcurrentUploads: number;
  /** Directories holding <host[:port]>/ca.crt (and client cert/key pairs), first match wins. */
  certsDirs: string[];
}
