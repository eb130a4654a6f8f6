import { isEngineError } from '../lib/errors.js';
import { isPeerGone } from '../lib/streams.js';
import { DEFAULTS, mergeConfig, readConfigFile, type DaemonConfig } from './config.js';
import { checkMerged } from './config-values.js';
import { startDaemon } from './daemon.js';
import { parseDaemonFlags, USAGE } from './flags.js';
import { Logger } from './log.js';
import { shutdownOnSignals } from './signals.js';
import { BERTH_VERSION, GIT_COMMIT } from './version.js';

async function loadConfig(flags: Partial<DaemonConfig>): Promise<DaemonConfig> {
  const path = flags.configFile ?? DEFAULTS.configFile;
  const file = await readConfigFile(path, flags.configFile !== undefined);
  const config = { ...mergeConfig(flags, file), configFile: path };
  checkMerged(config);
  return config;
}

async function main(argv: string[]): Promise<void> {
  let parsed: ReturnType<typeof parseDaemonFlags>;
  try {
    parsed = parseDaemonFlags(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\nSee 'berthd --help'.\n`);
    process.exit(125);
  }
  if (parsed.help) return void process.stdout.write(USAGE);
  if (parsed.version) return void process.stdout.write(`berthd version ${BERTH_VERSION}${GIT_COMMIT ? `, build ${GIT_COMMIT.slice(0, 7)}` : ''}\n`);
  if (parsed.validate) {
    // As dockerd --validate: check the flags and the file together, say so, and exit.
    await loadConfig(parsed.flags);
    return void process.stdout.write('configuration OK\n');
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('berthd needs to be started with root privileges.\n');
    process.exit(1);
  }

  const config = await loadConfig(parsed.flags);
  const log = new Logger(config.debug ? 'debug' : config.logLevel, config.logFormat);
  const daemon = await startDaemon(config, log);
  guardAgainstStrayConnectionErrors(log);

  const shutdown = shutdownOnSignals(() => daemon.stop(), log, (code) => process.exit(code));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => {
    loadConfig(parsed.flags).then((next) => daemon.reload(next), (err) => log.error(`reload failed: ${(err as Error).message}`));
  });
}

/**
 * The last resort: every socket and stream of a request has its own error
 * path, so a connection error reaching the process means one was missed. It
 * concerns one client only, and must not take the engine away from all the
 * others: it is logged as the bug it is, and the daemon goes on. Anything
 * else is as fatal as Node makes it.
 */
function guardAgainstStrayConnectionErrors(log: Logger): void {
  process.on('uncaughtException', (err, origin) => {
    if (isPeerGone(err)) {
      log.error(`a connection error escaped its request's handling (please report this): ${err.stack ?? err.message}`);
      return;
    }
    process.stderr.write(`berthd: ${origin === 'unhandledRejection' ? 'unhandled rejection' : 'uncaught exception'}: ${err?.stack ?? String(err)}\n`);
    process.exit(1);
  });
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`berthd: ${message}\n`);
  if (!isEngineError(err)) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  process.exit(1);
});
