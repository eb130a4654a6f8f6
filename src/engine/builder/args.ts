/**
 * Build arguments with the classic builder's scoping (moby's BuildArgs):
 * --build-arg values override ARG defaults; ARGs before the first FROM (meta
 * args) are visible in FROM lines, and inside a stage only once re-declared;
 * each stage starts with nothing declared. The proxy variables are usable
 * without an ARG, but stay out of the cache key and history unless declared.
 */

export const BUILTIN_ARGS = new Set([
  'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy',
]);

export class BuildArgs {
  private readonly meta = new Map<string, string | undefined>();
  private declared = new Map<string, string | undefined>();
  private readonly referenced = new Set<string>();

  constructor(private readonly provided: Readonly<Record<string, string | null>>) {}

  /** An ARG before the first FROM. */
  declareMeta(key: string, defaultValue: string | undefined): void {
    this.referenced.add(key);
    this.meta.set(key, this.valueOf(key, defaultValue));
  }

  /** Values for expanding FROM lines: the meta args with a value. */
  metaEnv(): Map<string, string> {
    const env = new Map<string, string>();
    for (const [key, value] of this.meta) if (value !== undefined) env.set(key, value);
    return env;
  }

  /** A new stage sees no ARG until it declares one. */
  beginStage(): void {
    this.declared = new Map();
  }

  /** An ARG inside a stage; without a default it takes the meta arg's value, as Docker. */
  declare(key: string, defaultValue: string | undefined): void {
    this.referenced.add(key);
    const fallback = defaultValue ?? this.meta.get(key);
    this.declared.set(key, this.valueOf(key, fallback));
  }

  /** Args in scope with a value, ENV entries of the same name winning (they are left out here). */
  allowed(configEnv: readonly string[]): [string, string][] {
    const envKeys = new Set(configEnv.map((entry) => entry.split('=', 1)[0]!));
    const out: [string, string][] = [];
    for (const [key, value] of this.declared) if (value !== undefined && !envKeys.has(key)) out.push([key, value]);
    for (const key of BUILTIN_ARGS) {
      const value = this.provided[key];
      if (!this.declared.has(key) && typeof value === 'string' && !envKeys.has(key)) out.push([key, value]);
    }
    return out;
  }

  /** The RUN cache key's "|N k=v …" prefix: allowed args, without undeclared builtins, sorted. */
  cachePrefix(configEnv: readonly string[]): string[] {
    const allowed = this.allowed(configEnv);
    if (allowed.length === 0) return [];
    const entries = allowed
      .filter(([key]) => !BUILTIN_ARGS.has(key) || this.declared.has(key))
      .map(([key, value]) => `${key}=${value}`)
      .sort();
    return [`|${entries.length}`, ...entries];
  }

  /** --build-arg names no ARG in the Dockerfile used (Docker warns about them). */
  unconsumed(): string[] {
    return Object.keys(this.provided)
      .filter((key) => !this.referenced.has(key) && !BUILTIN_ARGS.has(key))
      .sort();
  }

  private valueOf(key: string, fallback: string | undefined): string | undefined {
    const given = this.provided[key];
    return typeof given === 'string' ? given : fallback;
  }
}

/** The environment for expanding words: the config's ENV over the args in scope. */
export function expansionEnv(configEnv: readonly string[], args: readonly [string, string][]): Map<string, string> {
  const env = new Map<string, string>(args);
  for (const entry of configEnv) {
    const at = entry.indexOf('=');
    if (at > 0) env.set(entry.slice(0, at), entry.slice(at + 1));
  }
  return env;
}
