/**
 * berth's context store, laid out as the docker CLI's (so the layout is
 * familiar and the files can be compared): under the config directory
 * (~/.berth, or $BERTH_CONFIG, or --config),
 *
 *   config.json                                   {"currentContext": "<name>"}
 *   contexts/meta/<sha256(name)>/meta.json        name, description, endpoint
 *   contexts/tls/<sha256(name)>/docker/{ca,cert,key}.pem
 *
 * The "default" context is not stored: it is whatever -H, DOCKER_HOST and the
 * TLS flags say.
 */
import type crypto from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** node:crypto loads only for a named context: loading it costs every command milliseconds, and most use the default context. */
const loadCrypto = (): typeof crypto => createRequire(import.meta.url)('node:crypto') as typeof crypto;

export const DEFAULT_CONTEXT = 'default';
const TLS_FILES = ['ca.pem', 'cert.pem', 'key.pem'] as const;

export interface ContextEndpoint {
  Host: string;
  SkipTLSVerify: boolean;
}

export interface StoredContext {
  Name: string;
  Metadata: { Description?: string };
  Endpoints: { docker: ContextEndpoint };
}

/** A context with where its TLS files are (those it has). */
export interface ContextInfo extends StoredContext {
  tls: { caFile?: string; certFile?: string; keyFile?: string };
}

export class ContextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContextError';
  }
}

export function configDir(env: NodeJS.ProcessEnv, flag?: string): string {
  return flag || env.BERTH_CONFIG || join(homedir(), '.berth');
}

/** docker's context name rule. */
export function checkContextName(name: string): void {
  if (!name) throw new ContextError('context name cannot be empty');
  if (name === DEFAULT_CONTEXT) throw new ContextError(`"${DEFAULT_CONTEXT}" is a reserved context name`);
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$/.test(name)) {
    throw new ContextError(`context name "${name}" is invalid, names are validated against regexp "^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$"`);
  }
}

export class ContextStore {
  constructor(readonly dir: string) {}

  private idOf(name: string): string {
    return loadCrypto().createHash('sha256').update(name).digest('hex');
  }

  metaDir(name: string): string {
    return join(this.dir, 'contexts', 'meta', this.idOf(name));
  }

  tlsDir(name: string): string {
    return join(this.dir, 'contexts', 'tls', this.idOf(name), 'docker');
  }

  current(): string {
    try {
      const config = JSON.parse(readFileSync(join(this.dir, 'config.json'), 'utf8')) as { currentContext?: string };
      return config.currentContext || DEFAULT_CONTEXT;
    } catch {
      return DEFAULT_CONTEXT;
    }
  }

  /** Records the current context in config.json, keeping its other keys. */
  setCurrent(name: string): void {
    const path = join(this.dir, 'config.json');
    let config: Record<string, unknown> = {};
    try {
      config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch {
      // none yet
    }
    if (name === DEFAULT_CONTEXT) delete config.currentContext;
    else config.currentContext = name;
    writeAtomic(path, `${JSON.stringify(config, null, '\t')}\n`);
  }

  exists(name: string): boolean {
    return existsSync(join(this.metaDir(name), 'meta.json'));
  }

  get(name: string): ContextInfo {
    let meta: StoredContext;
    try {
      meta = JSON.parse(readFileSync(join(this.metaDir(name), 'meta.json'), 'utf8')) as StoredContext;
    } catch {
      throw new ContextError(`context "${name}" does not exist`);
    }
    const tlsDir = this.tlsDir(name);
    const file = (f: string) => (existsSync(join(tlsDir, f)) ? join(tlsDir, f) : undefined);
    return { ...meta, tls: { caFile: file('ca.pem'), certFile: file('cert.pem'), keyFile: file('key.pem') } };
  }

  list(): ContextInfo[] {
    let ids: string[] = [];
    try {
      ids = readdirSync(join(this.dir, 'contexts', 'meta'));
    } catch {
      return [];
    }
    const names = ids.flatMap((id) => {
      try {
        return [(JSON.parse(readFileSync(join(this.dir, 'contexts', 'meta', id, 'meta.json'), 'utf8')) as StoredContext).Name];
      } catch {
        return [];
      }
    });
    return names.sort().map((n) => this.get(n));
  }

  /** Writes a context; its TLS files are copied in, so later changes to the originals do not affect it. */
  save(context: StoredContext, tls: { caFile?: string; certFile?: string; keyFile?: string }): void {
    mkdirSync(this.metaDir(context.Name), { recursive: true, mode: 0o700 });
    const sources = [tls.caFile, tls.certFile, tls.keyFile];
    if (sources.some(Boolean)) {
      const dir = this.tlsDir(context.Name);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      TLS_FILES.forEach((name, i) => {
        if (sources[i]) copyFileSync(sources[i]!, join(dir, name));
      });
    }
    writeAtomic(join(this.metaDir(context.Name), 'meta.json'), JSON.stringify(context));
  }

  remove(name: string): void {
    if (!this.exists(name)) throw new ContextError(`context "${name}" does not exist`);
    rmSync(this.metaDir(name), { recursive: true, force: true });
    rmSync(join(this.dir, 'contexts', 'tls', this.idOf(name)), { recursive: true, force: true });
  }
}

function writeAtomic(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}
