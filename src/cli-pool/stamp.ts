/**
 * What a pool worker (worker.ts) must match to run a command in place of a
 * fresh Node: the installation it loaded (the CLI bundle, its loader, the
 * pool's own code, the node binary), the namespaces and root it runs in, and
 * the environment Node reads only at its start (locale, its own NODE_*
 * settings, libuv and OpenSSL variables).
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Changes whenever `make build` (or a bundle rebuild, or a Node upgrade) changed what a worker would run. */
export function installStamp(root: string): string {
  const manifest = readFileSync(join(root, 'dist', 'bundle', 'berth.json'), 'utf8').trim();
  const files = [join(root, 'bin', 'cli-bundle.cjs'), join(here, 'worker.js'), join(here, 'pool.js'), process.execPath];
  return [manifest, ...files.map((file) => statSync(file).mtimeMs)].join(' ');
}

/** The namespaces and root directory this process runs in, written as the launcher writes them (where_we_run in native/berth-launch.c). */
export function placeOfThisProcess(): string {
  const namespaces = ['net', 'mnt', 'pid', 'user', 'uts', 'ipc'].map((ns) => {
    try {
      return `${ns}:${statSync(`/proc/self/ns/${ns}`).ino}`;
    } catch {
      return `${ns}:0`;
    }
  });
  const root = statSync('/');
  return `${namespaces.join(',')},root:${root.dev}:${root.ino}`;
}

/** Read by Node (or ICU, libuv, OpenSSL) once, as the process starts: a worker started under other values is not the same CLI. */
const READ_AT_START = /^(NODE_|UV_|OPENSSL_|SSL_CERT_|ICU_|LC_|LANG$|LANGUAGE$)/;
/** Node's own, set for a child with an IPC channel and removed at its start. */
const NODE_CHANNEL = /^NODE_(CHANNEL_|UNIQUE_ID$)/;

/** The first variable read at start-up whose value differs between the two environments, if any. */
export function startupEnvDifference(started: NodeJS.ProcessEnv, wanted: NodeJS.ProcessEnv): string | undefined {
  const names = new Set([...Object.keys(started), ...Object.keys(wanted)]);
  for (const name of names) {
    if (READ_AT_START.test(name) && !NODE_CHANNEL.test(name) && started[name] !== wanted[name]) return name;
  }
  return undefined;
}
