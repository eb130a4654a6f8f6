/**
 * Shapes of the compose, registries and files APIs, shared by server and
 * front end (kept apart from types.ts so parallel work on the dashboard does
 * not collide in one file). Imports nothing.
 */

/** Containers of one compose project on one host, grouped by their com.docker.compose.* labels. */
export interface ComposeProject {
  host: string;
  name: string;
  services: string[];
  running: number;
  total: number;
  workingDir: string;
  configFiles: string[];
  /** Whether the dashboard can read every config file (needed for `up`; down and logs work from labels alone). */
  configReadable: boolean;
  /** Why not, when it cannot. */
  configProblem?: string;
}

export interface RegistryEntry {
  name: string;
  /** http(s)://host[:port] */
  url: string;
  username?: string;
  /** Whether a password is stored (it is never sent to browsers). */
  hasPassword: boolean;
  /** Whether an https registry is verified against a CA certificate stored with it rather than the system's. */
  customCa: boolean;
  /** Whether a client certificate (and key) is presented to it. */
  clientCert: boolean;
}

export interface RegistryPage {
  repositories: string[];
  /** The last repository, to ask for the next page; absent on the last page. */
  next?: string;
}

export interface FileEntry {
  name: string;
  type: 'dir' | 'file' | 'link' | 'other';
  size: number;
  /** Unix permission bits. */
  mode: number;
  /** Seconds since the epoch. */
  mtime: number;
  linkTarget?: string;
}

export interface DirectoryListing {
  path: string;
  entries: FileEntry[];
  /** True when the listing stopped at the entry limit. */
  truncated: boolean;
}
