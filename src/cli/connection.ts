/**
 * Where the CLI connects, by the docker CLI's precedence:
 *   -H  >  --context  >  BERTH_HOST / DOCKER_HOST  >  BERTH_CONTEXT / DOCKER_CONTEXT  >  the current context  >  the default socket.
 * A named context brings its own endpoint and TLS files; otherwise the TLS
 * flags apply: --tlsverify (or DOCKER_TLS_VERIFY set to anything but "")
 * implies --tls, and the certificate files default to
 * $DOCKER_CERT_PATH/{ca,cert,key}.pem (else the config directory).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TlsOptions } from '../client/transport.js';
import { ContextError, ContextStore, DEFAULT_CONTEXT } from './context/store.js';
import type { ParsedArgs } from './flags.js';
import { DEFAULT_HOST } from './version-info.js';

export interface Connection {
  host: string;
  tls?: TlsOptions;
  /** The context in use ("default" when -H or an environment variable decided). */
  context: string;
}

export function resolveConnection(globals: ParsedArgs, env: NodeJS.ProcessEnv, store: ContextStore): Connection {
  const hosts = globals.flags.host as string[];
  const contextFlag = globals.flags.context as string | undefined;
  if (hosts.length > 0 && contextFlag) throw new ContextError('conflicting options: either specify --host or --context, not both');
  const envHost = env.BERTH_HOST || env.DOCKER_HOST;
  let name = contextFlag || (hosts.length > 0 || envHost ? DEFAULT_CONTEXT : env.BERTH_CONTEXT || env.DOCKER_CONTEXT || store.current());
  if (name !== DEFAULT_CONTEXT) {
    const context = store.get(name);
    const endpoint = context.Endpoints.docker;
    const hasTls = context.tls.caFile || context.tls.certFile || endpoint.SkipTLSVerify;
    return { host: endpoint.Host, context: name, tls: hasTls ? { ...context.tls, verify: !endpoint.SkipTLSVerify } : undefined };
  }
  name = DEFAULT_CONTEXT;
  const host = hosts[0] || envHost || DEFAULT_HOST;
  return { host, context: name, tls: tlsFromFlags(globals, env, store.dir) };
}

function tlsFromFlags(globals: ParsedArgs, env: NodeJS.ProcessEnv, configDir: string): TlsOptions | undefined {
  const verify = globals.changed.has('tlsverify') ? Boolean(globals.flags.tlsverify) : Boolean(env.DOCKER_TLS_VERIFY);
  // As docker: giving --tlsverify at all (even =false) turns TLS on.
  if (!globals.flags.tls && !verify && !globals.changed.has('tlsverify')) return undefined;
  const certPath = env.DOCKER_CERT_PATH || configDir;
  // A file given by flag must exist; a default one is used only when it does (docker's rule).
  const pick = (flag: string, file: string, requiredByDefault: boolean) => {
    const given = globals.flags[flag] as string | undefined;
    if (given) return given;
    const path = join(certPath, file);
    return requiredByDefault || existsSync(path) ? path : undefined;
  };
  return { verify, caFile: pick('tlscacert', 'ca.pem', verify), certFile: pick('tlscert', 'cert.pem', false), keyFile: pick('tlskey', 'key.pem', false) };
}
