/**
 * Attached `berth compose up` (compose v2's runInteractiveUp): after the
 * containers are created, attach to them, print `Attaching to …`, start them,
 * and print their output until all have exited. The first Ctrl-C (SIGINT or
 * SIGTERM) stops the project ("Gracefully stopping…", exit 130), a second one
 * kills it; with --abort-on-container-exit the first exit stops the others
 * and its exit code (or that of --exit-code-from's service) is the command's.
 */
import type { CommandContext } from '../../command.js';
import type { BerthClient } from '../../../client/index.js';
import { AttachSession, displayName, type ExitEvent } from '../../../compose/attach.js';
import { stopServices } from '../../../compose/lifecycle.js';
import { LogPrinter } from '../../../compose/log-printer.js';
import type { Progress } from '../../../compose/progress.js';
import type { Project } from '../../../compose/project.js';
import { startServices } from '../../../compose/start.js';
import type { ProjectContainers } from '../../../compose/up.js';

export interface AttachedOptions {
  /** Services whose output is shown (and whose exits end the command). */
  attachTo: string[];
  cascade: boolean;
  exitCodeFrom?: string;
  color: boolean;
  prefix: boolean;
  timestamps: boolean;
  timeout?: number;
}

/** Go's RFC3339NanoFixed, as compose stamps attached output (the attach stream carries no timestamps). */
const now = (): string => new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');

export async function runAttached(ctx: CommandContext, client: BerthClient, project: Project, created: ProjectContainers, progress: Progress, options: AttachedOptions): Promise<number> {
  const printer = new LogPrinter((text) => ctx.stdout.write(text), { color: options.color, prefix: options.prefix, timestamps: options.timestamps });
  const followed = [...created.entries()].filter(([service]) => options.attachTo.includes(service)).flatMap(([, list]) => list);
  const session = new AttachSession(client, project, printer, options.timestamps ? now : undefined);
  ctx.stdout.write(`Attaching to ${followed.map((c) => displayName(project, c.name)).sort().join(', ')}\n`);
  const services = [...created.keys()];
  let aborting = false;
  let interrupted = 0;
  let exitCode = 0;
  let exitCodeFrom = options.exitCodeFrom;
  const stops: Promise<void>[] = [];
  const stopAll = (kill: boolean) => stops.push(stopServices(client, project, services, progress, { timeout: options.timeout, kill }));

  const onExit = (event: ExitEvent) => {
    if (!aborting) printer.status(event.display, `exited with code ${event.exitCode}`);
    if (!options.cascade) return;
    if (!aborting) {
      aborting = true;
      ctx.stdout.write('Aborting on container exit...\n');
      stopAll(false);
    }
    exitCodeFrom ??= event.service;
    if (event.service === exitCodeFrom) exitCode = event.exitCode;
  };
  const onSignal = () => {
    interrupted++;
    if (interrupted > 1) return void stopAll(true);
    aborting = true;
    ctx.stdout.write('Gracefully stopping... (press Ctrl+C again to force)\n');
    stopAll(false);
  };

  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const { done } = await session.attach(followed, onExit);
    await startServices(client, project, created, progress, () => aborting);
    // A start already on its way when the stop began ends after it: stop again, or that container keeps running.
    if (aborting) stopAll(interrupted > 1);
    await done;
    // Stops run in parallel with the exits they cause; a failed one fails the command.
    for (let i = 0; i < stops.length; i++) await stops[i];
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    session.close();
  }
  return interrupted > 0 ? 130 : exitCode;
}
