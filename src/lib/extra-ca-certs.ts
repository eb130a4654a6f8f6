/**
 * NODE_EXTRA_CA_CERTS, loaded when a TLS connection needs it rather than at
 * Node's start.
 *
 * Node 20 reads that file at start-up, in every process that has it in its
 * environment, and builds its whole root store then: it parses every bundled
 * root certificate and every certificate of the file (~50 ms of CPU, half of
 * Node's start on a host whose file is the system bundle). A CLI command on a
 * unix socket never uses TLS. So bin/berth hands the file to Node under
 * DEFERRED_ENV instead, and the CLI calls takeDeferredExtraCaCerts first:
 * the variable is back in process.env for every process the CLI starts, and
 * a TLS connection that would have trusted Node's default roots gets
 * defaultCaWithExtra (those roots plus the file's certificates), which is
 * what Node's default store would have held. A connection given its own CA
 * (--tlscacert) never used the file: Node adds it only to the default store.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type tls from 'node:tls';

/** Set by bin/berth to what NODE_EXTRA_CA_CERTS was, when it took that out of Node's environment. */
export const DEFERRED_ENV = 'BERTH_DEFERRED_EXTRA_CA_CERTS';

let deferredFile: string | undefined;
let defaultCa: string[] | null | undefined;

/** Puts NODE_EXTRA_CA_CERTS back into env (for child processes) and remembers the file for TLS connections. */
export function takeDeferredExtraCaCerts(env: NodeJS.ProcessEnv = process.env): void {
  const file = env[DEFERRED_ENV];
  if (file === undefined) return;
  delete env[DEFERRED_ENV];
  if (file === '') return;
  env.NODE_EXTRA_CA_CERTS = file;
  deferredFile = file;
  defaultCa = undefined;
}

/**
 * The CA list for a connection that trusts the default roots: undefined when
 * Node's own default store already holds the file (nothing was deferred), else
 * Node's bundled roots plus the deferred file's certificates, read once.
 */
export function defaultCaWithExtra(warn: (line: string) => void = (line) => process.stderr.write(line)): string[] | undefined {
  if (deferredFile === undefined) return undefined;
  if (defaultCa === undefined) defaultCa = loadDefaultCa(deferredFile, warn);
  return defaultCa ?? undefined;
}

function loadDefaultCa(file: string, warn: (line: string) => void): string[] | null {
  let extra: string;
  try {
    extra = readFileSync(file, 'utf8');
  } catch (err) {
    // Node's warning when it cannot load the file at start (with the error in Node's JS words); then the bundled roots only.
    warn(`Warning: Ignoring extra certs from \`${file}\`, load failed: ${(err as Error).message}\n`);
    return null;
  }
  const { rootCertificates } = createRequire(import.meta.url)('node:tls') as typeof tls;
  return [...rootCertificates, extra];
}
