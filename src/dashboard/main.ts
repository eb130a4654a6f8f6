/**
 * `berth dashboard serve …`: the dashboard's own entry point, started by
 * bin/berth without loading the CLI bundle or needing a local berthd.
 */
import { readFile } from 'node:fs/promises';
import { invalid, isEngineError } from '../lib/errors.js';
import { checkPassword } from './server/accounts.js';
import { startDashboard, type DashboardConfig } from './server/server.js';

export const DEFAULT_ADDR = '127.0.0.1:8090';
export const DEFAULT_DATA = '/var/lib/berth-dashboard';

const USAGE = `Usage:  berth dashboard serve [OPTIONS]

A web console for many engines (berthd or dockerd), each reached over the
Engine API: unix sockets, or tcp:// with mutual TLS.

Options:
      --addr HOST:PORT             listen address (default "${DEFAULT_ADDR}")
      --data DIR                   where users, sessions and hosts are kept (default ${DEFAULT_DATA})
      --tls-cert FILE              serve HTTPS with this certificate (PEM)
      --tls-key FILE               and this key (PEM)
      --hosts FILE                 YAML list of hosts: name, host (as DOCKER_HOST), tlscacert, tlscert, tlskey
      --admin-password-file FILE   the first admin's password (else BERTH_DASHBOARD_ADMIN_PASSWORD,
                                   else the first visit asks for it); at least 8 characters
`;

const VALUE_FLAGS = ['--addr', '--data', '--tls-cert', '--tls-key', '--hosts', '--admin-password-file'] as const;
type Flag = (typeof VALUE_FLAGS)[number];

export function parseServeArgs(args: string[]): Partial<Record<Flag, string>> {
  const out: Partial<Record<Flag, string>> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const flag = (eq > 0 ? arg.slice(0, eq) : arg) as Flag;
    if (!VALUE_FLAGS.includes(flag)) throw invalid(`unknown flag or argument: ${arg}`);
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) throw invalid(`flag needs an argument: ${flag}`);
    out[flag] = value;
  }
  return out;
}

/** "HOST:PORT", ":PORT" (all interfaces) or "[v6]:PORT". */
export function parseAddr(addr: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
  if (!match || Number(match[3]) > 65535) throw invalid(`invalid --addr "${addr}": expected HOST:PORT`);
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port: Number(match[3]) };
}

export async function configFrom(flags: Partial<Record<Flag, string>>, env: NodeJS.ProcessEnv): Promise<DashboardConfig> {
  if (Boolean(flags['--tls-cert']) !== Boolean(flags['--tls-key'])) throw invalid('--tls-cert and --tls-key go together');
  let adminPassword: string | undefined;
  if (flags['--admin-password-file']) adminPassword = (await readFile(flags['--admin-password-file'], 'utf8')).replace(/\r?\n$/, '');
  else if (env.BERTH_DASHBOARD_ADMIN_PASSWORD !== undefined) adminPassword = env.BERTH_DASHBOARD_ADMIN_PASSWORD;
  if (adminPassword !== undefined) checkPassword(adminPassword);
  return {
    ...parseAddr(flags['--addr'] ?? DEFAULT_ADDR),
    dataDir: flags['--data'] ?? DEFAULT_DATA,
    tls: flags['--tls-cert'] ? { cert: flags['--tls-cert'], key: flags['--tls-key']! } : undefined,
    hostsFile: flags['--hosts'],
    adminPassword,
  };
}

async function serve(args: string[]): Promise<void> {
  const config = await configFrom(parseServeArgs(args), process.env);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const running = await startDashboard(config, log);
  log(`berth dashboard listening on ${running.url}, data ${config.dataDir}`);
  const stop = (signal: string) => {
    log(`${signal}: shutting down`);
    void running.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

export async function main(args: string[]): Promise<void> {
  const [command, ...rest] = args;
  try {
    if (command === undefined || ['--help', '-h', 'help'].includes(command) || rest.includes('--help') || rest.includes('-h')) process.stdout.write(USAGE);
    else if (command === 'serve') await serve(rest);
    else throw invalid(`unknown dashboard command: ${command} (see berth dashboard --help)`);
  } catch (err) {
    process.stderr.write(`berth dashboard: ${isEngineError(err) ? err.message : (err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  }
}
