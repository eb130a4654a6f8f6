/**
 * Cleanup that happens even on Ctrl-C: whatever a benchmark starts or creates
 * (daemons, temp dirs) registers how to undo it. On SIGINT or SIGTERM every
 * registered cleanup runs, newest first, and new commands are refused, so a
 * benchmark that is still running cannot start more while we tear down.
 */
type Cleanup = () => Promise<void>;

const pending: Array<{ what: string; undo: Cleanup }> = [];
let aborting = false;
let installed = false;

export function isAborting(): boolean {
  return aborting;
}

/** Registers `undo`; call the returned function once it has been done normally. */
export function registerCleanup(what: string, undo: Cleanup): () => void {
  installSignalHandlers();
  const entry = { what, undo };
  pending.push(entry);
  return () => {
    const i = pending.indexOf(entry);
    if (i !== -1) pending.splice(i, 1);
  };
}

function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  const onSignal = (signal: NodeJS.Signals) => {
    aborting = true;
    process.stderr.write(`\n${signal}: cleaning up (${pending.length} item(s))…\n`);
    void runAllCleanups().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', () => {
    for (const { what } of pending) process.stderr.write(`warning: not cleaned up: ${what}\n`);
  });
}

async function runAllCleanups(): Promise<void> {
  while (pending.length > 0) {
    const { what, undo } = pending.pop()!;
    await undo().catch((err: unknown) => process.stderr.write(`cleanup of ${what} failed: ${String(err)}\n`));
  }
}
