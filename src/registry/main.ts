/**
 * `berth registry serve|gc …`: the registry's own entry point, started by
 * bin/berth without loading the CLI bundle or needing berthd.
 */
import { invalid, isEngineError } from '../lib/errors.js';
import { DEFAULT_ROOT, loadServeConfig, loadSettings, rootOf, type Settings } from './config.js';
import { collectGarbage } from './gc.js';
import { Registry } from './registry.js';
import { startRegistry } from './serve.js';

const USAGE = `Usage:  berth registry serve [CONFIG.yml] [OPTIONS]
        berth registry gc [CONFIG.yml] [--root DIR] [--dry-run] [--delete-untagged]

A private image registry (OCI distribution API). Settings come from the YAML
file (distribution's format), REGISTRY_* environment variables, then flags.
The YAML's proxy section (remoteurl, username, password; berth's tagttl in
seconds) makes it a pull-through cache of another registry, for registry-mirrors.

serve options:
      --config FILE          YAML config file (same as the positional argument)
      --addr HOST:PORT       listen address (default ":5000")
      --root DIR             storage root (default ${DEFAULT_ROOT})
      --delete-enabled       allow deleting blobs, manifests and tags
      --htpasswd FILE        require basic auth against this htpasswd file (bcrypt entries)
      --realm NAME           the basic-auth realm (default "berth registry")
      --allow-plain-http-auth  accept basic auth over plain HTTP from other hosts
      --tls-cert FILE        serve HTTPS with this certificate (PEM)
      --tls-key FILE         and this key (PEM)
      --no-access-log        do not log each request
      --console              projects, accounts and token auth (see the README); the
                             admin's password comes from --admin-password-file or
                             BERTH_REGISTRY_ADMIN_PASSWORD on the first start
      --admin-password-file FILE  the first admin's password (at least 8 characters)
      --token-expiry SECONDS lifetime of the bearer tokens (default 300)
      --token-realm URL      the token endpoint's public URL in challenges, for a registry
                             behind a proxy (default: http(s)://<Host header>/service/token)
      --token-service NAME   the service name in challenges and tokens (default berth-registry)
      --replication-parallel N  replication executions run at once (default 4; YAML:
                             replication.parallel)

gc options:
      --root DIR             storage root
      --dry-run              only print what would be removed
      --delete-untagged      also remove manifests that no tag (or tagged index) refers to
`;

/** Flags that take a value, and the setting each one sets. */
const VALUE_FLAGS: Record<string, keyof Settings | 'config'> = {
  '--config': 'config',
  '--addr': 'http.addr',
  '--root': 'storage.filesystem.rootdirectory',
  '--htpasswd': 'auth.htpasswd.path',
  '--realm': 'auth.htpasswd.realm',
  '--tls-cert': 'http.tls.certificate',
  '--tls-key': 'http.tls.key',
  '--admin-password-file': 'console.adminpasswordfile',
  '--token-expiry': 'console.tokenexpiry',
  '--token-realm': 'console.tokenrealm',
  '--token-service': 'console.tokenservice',
  '--replication-parallel': 'replication.parallel',
};
const BOOLEAN_FLAGS: Record<string, [keyof Settings, boolean]> = {
  '--delete-enabled': ['storage.delete.enabled', true],
  '--allow-plain-http-auth': ['auth.htpasswd.allowplainhttp', true],
  '--no-access-log': ['log.accesslog.disabled', true],
  '--console': ['console.enabled', true],
};
const GC_FLAGS = new Set(['--dry-run', '--delete-untagged']);

interface ParsedArgs {
  config?: string;
  settings: Settings;
  switches: Set<string>;
}

export function parseArgs(args: string[], allowed: { values: string[]; booleans: string[] }): ParsedArgs {
  const out: ParsedArgs = { settings: {}, switches: new Set() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (allowed.values.includes(flag)) {
      const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) throw invalid(`flag needs an argument: ${flag}`);
      const target = VALUE_FLAGS[flag]!;
      if (target === 'config') out.config = value;
      else out.settings[target] = value;
    } else if (allowed.booleans.includes(arg)) {
      const entry = BOOLEAN_FLAGS[arg];
      if (entry) out.settings[entry[0]] = entry[1];
      else out.switches.add(arg);
    } else if (!arg.startsWith('-') && out.config === undefined) {
      out.config = arg;
    } else {
      throw invalid(`unknown flag or argument: ${arg}`);
    }
  }
  return out;
}

async function serve(args: string[]): Promise<void> {
  const parsed = parseArgs(args, { values: Object.keys(VALUE_FLAGS), booleans: Object.keys(BOOLEAN_FLAGS) });
  const config = await loadServeConfig(parsed.config, process.env, parsed.settings);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const running = await startRegistry(config, log);
  log(`berth registry listening on ${running.address} (${config.tls ? 'https' : 'http'}), root ${config.root}${config.auth ? ', htpasswd auth' : ''}${config.console ? ', console with token auth' : ''}${config.deleteEnabled ? ', deletes enabled' : ''}`);
  const stop = (signal: string) => {
    log(`${signal}: shutting down`);
    running.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

async function gc(args: string[]): Promise<void> {
  const parsed = parseArgs(args, { values: ['--root', '--config'], booleans: [...GC_FLAGS] });
  const root = rootOf(await loadSettings(parsed.config, process.env, parsed.settings));
  const registry = await Registry.open({ root, deleteEnabled: true });
  const report = await collectGarbage(registry, {
    dryRun: parsed.switches.has('--dry-run'),
    deleteUntagged: parsed.switches.has('--delete-untagged'),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(
    `${parsed.switches.has('--dry-run') ? 'would remove' : 'removed'} ${report.blobs.length} blobs (${report.bytes} bytes) and ${report.manifests.length} manifests; kept ${report.kept} blobs\n`,
  );
}

export async function main(args: string[]): Promise<void> {
  const [command, ...rest] = args;
  try {
    if (rest.includes('--help') || rest.includes('-h')) process.stdout.write(USAGE);
    else if (command === 'serve') await serve(rest);
    else if (command === 'gc') await gc(rest);
    else if (command === undefined || command === '--help' || command === '-h' || command === 'help') process.stdout.write(USAGE);
    else throw invalid(`unknown registry command: ${command} (see berth registry --help)`);
  } catch (err) {
    process.stderr.write(`berth registry: ${isEngineError(err) ? err.message : (err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  }
}
