/**
 * Registry credentials on the client side, as the docker CLI keeps them:
 * config.json's "auths" (base64 "user:password", or an identity token),
 * "credsStore" and "credHelpers" naming docker-credential-<name> helpers.
 * berth writes ~/.berth/config.json (or $BERTH_CONFIG/config.json) and reads
 * ~/.docker/config.json (or $DOCKER_CONFIG/config.json) when it has nothing
 * for a registry, so a `docker login` is good for berth too.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RegistryAuth } from '../client/distribution.js';
import { callHelper, type HelperCredentials } from './credentials-helper.js';

/** Docker Hub's key in config.json, a relic of the v1 index. */
export const HUB_KEY = 'https://index.docker.io/v1/';

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
  email?: string;
}

interface ConfigFile {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

export function berthConfigPath(): string {
  return join(process.env.BERTH_CONFIG || join(homedir(), '.berth'), 'config.json');
}

function dockerConfigPath(): string {
  return join(process.env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
}

async function readConfig(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as ConfigFile) : {};
  } catch (err) {
    throw new Error(`loading config file ${path}: ${(err as Error).message}`);
  }
}

/** Writes the config through a temp file and rename, readable by the owner only: it holds passwords. */
async function writeConfig(path: string, config: ConfigFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(config, null, '\t')}\n`, { mode: 0o600 });
  await chmod(temp, 0o600);
  await rename(temp, path);
}

/** docker's ConvertToHostname: "https://host:5000/v2/" → "host:5000"; Hub names map to its key. */
export function registryKey(server: string | undefined): string {
  if (!server) return HUB_KEY;
  const host = server.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com'].includes(host)) return HUB_KEY;
  return host;
}

/** The registry an image reference's credentials are filed under ("docker.io" → Hub's key). */
export function registryKeyForDomain(domain: string): string {
  return domain === 'docker.io' ? HUB_KEY : domain;
}

function helperFor(config: ConfigFile, key: string): string | undefined {
  return config.credHelpers?.[key] ?? config.credsStore ?? undefined;
}

function fromHelper(key: string, found: HelperCredentials | undefined): RegistryAuth | undefined {
  if (!found) return undefined;
  // docker's convention: the user name "<token>" marks an identity token.
  if (found.Username === '<token>') return { serveraddress: key, identitytoken: found.Secret };
  return { serveraddress: key, username: found.Username, password: found.Secret };
}

function fromEntry(key: string, entry: AuthEntry | undefined): RegistryAuth | undefined {
  if (!entry) return undefined;
  let { username, password } = entry;
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString();
    const colon = decoded.indexOf(':');
    if (colon >= 0) {
      username = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    }
  }
  if (!username && !password && !entry.identitytoken && !entry.registrytoken) return undefined;
  return { serveraddress: key, username, password, identitytoken: entry.identitytoken, registrytoken: entry.registrytoken, email: entry.email };
}

async function lookupIn(path: string, key: string): Promise<RegistryAuth | undefined> {
  const config = await readConfig(path);
  const helper = helperFor(config, key);
  if (helper) return fromHelper(key, await callHelper(helper, 'get', key));
  return fromEntry(key, config.auths?.[key]);
}

/** The stored credentials for a registry key, berth's file first, then docker's; undefined if none. */
export async function getCredentials(key: string): Promise<RegistryAuth | undefined> {
  return (await lookupIn(berthConfigPath(), key)) ?? (await lookupIn(dockerConfigPath(), key));
}

/**
 * Every stored credential, by registry key, for a build's FROM pulls
 * (X-Registry-Config): the "auths" entries and the registries named in
 * "credHelpers" of docker's config and then berth's (berth's win).
 */
export async function allCredentials(): Promise<Record<string, RegistryAuth>> {
  const out: Record<string, RegistryAuth> = {};
  for (const path of [dockerConfigPath(), berthConfigPath()]) {
    const config = await readConfig(path);
    const keys = new Set([...Object.keys(config.auths ?? {}), ...Object.keys(config.credHelpers ?? {})]);
    for (const key of keys) {
      const found = await lookupIn(path, key).catch(() => undefined);
      if (found) out[key] = found;
    }
  }
  return out;
}

/** Stores credentials (an identity token instead of the password when the registry gave one). Returns where. */
export async function storeCredentials(key: string, auth: RegistryAuth): Promise<{ path: string; helper?: string }> {
  const path = berthConfigPath();
  const config = await readConfig(path);
  const helper = helperFor(config, key);
  const token = auth.identitytoken;
  if (helper) {
    await callHelper(helper, 'store', key, { ServerURL: key, Username: token ? '<token>' : auth.username ?? '', Secret: token ?? auth.password ?? '' });
    return { path, helper };
  }
  const entry: AuthEntry = token
    ? { auth: Buffer.from(`${auth.username ?? ''}:`).toString('base64'), identitytoken: token }
    : { auth: Buffer.from(`${auth.username ?? ''}:${auth.password ?? ''}`).toString('base64') };
  config.auths = { ...config.auths, [key]: entry };
  await writeConfig(path, config);
  return { path };
}

/** Removes berth's stored credentials for a registry; false when there were none. */
export async function eraseCredentials(key: string): Promise<boolean> {
  const path = berthConfigPath();
  const config = await readConfig(path);
  const helper = helperFor(config, key);
  if (helper) return callHelper(helper, 'erase', key).then(() => true, () => false);
  if (!config.auths?.[key]) return false;
  delete config.auths[key];
  await writeConfig(path, config);
  return true;
}
