/**
 * `compose pull` and `compose push` (pkg/compose/pull.go, push.go): each
 * service's image, in parallel, with compose's per-service events
 * (` web Pulling` … ` web Pulled`) and one line per layer message.
 * pull honours pull_policy (never/build skip, missing skips a present image);
 * push takes the services that have both `build` and `image`.
 */
import type { BerthClient, JsonMessage } from '../client/index.js';
import type { RegistryAuth } from '../client/distribution.js';
import { present, pull, push } from './images.js';
import type { Progress } from './progress.js';
import type { Project } from './project.js';

export interface TransferRun {
  /** The services to act on (already narrowed by the command line). */
  services: string[];
  /** No events at all (-q). */
  quiet?: boolean;
  /** A failure is reported and the command still succeeds. */
  ignoreFailures?: boolean;
  auth?: (image: string) => Promise<RegistryAuth | undefined>;
}

export interface PullResult {
  /** Services whose pull failed but that can be built: the user is told to build them. */
  mustBuild: string[];
  /** What fails the command (unless --ignore-pull-failures), reported after the build hint as compose does. */
  failure?: unknown;
}

type Service = Record<string, unknown>;

/** Settles every task, then throws the first failure (compose's errgroup without cancellation). */
async function settleAll(tasks: Promise<void>[]): Promise<void> {
  const failed = (await Promise.allSettled(tasks)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Layer lines, leaving out the per-chunk Downloading/Extracting/Pushing ticks that plain output cannot redraw. */
function layerLine(progress: Progress): (msg: JsonMessage) => void {
  return (msg) => {
    if (msg.progressDetail?.current !== undefined) return;
    progress.event(msg.id as string, msg.status ?? '');
  };
}

export async function pullServices(client: BerthClient, project: Project, progress: Progress, run: TransferRun & { ignoreBuildable?: boolean }): Promise<PullResult> {
  const errors: unknown[] = [];
  const mustBuild: string[] = [];
  const pulling = new Map<string, string>();
  const tasks: Promise<void>[] = [];
  const say = (id: string, text: string, status = ''): void => {
    if (!run.quiet) progress.event(id, text, status);
  };
  for (const name of run.services) {
    const service = project.model.services[name] as Service;
    const image = service.image as string | undefined;
    const policy = service.pull_policy as string | undefined;
    if (!image) {
      say(name, 'Skipped - No image to be pulled');
      continue;
    }
    if (policy === 'never' || policy === 'build') {
      say(`Image ${image}`, 'Skipped');
      continue;
    }
    if ((policy === 'missing' || policy === 'if_not_present') && (await present(client, image))) {
      say(name, 'Skipped - Image is already present locally');
      continue;
    }
    if (service.build && run.ignoreBuildable) {
      say(name, 'Skipped - Image can be built');
      continue;
    }
    const by = pulling.get(image);
    if (by) {
      say(name, `Skipped - Image is already being pulled by ${by}`);
      continue;
    }
    pulling.set(image, name);
    tasks.push((async () => {
      try {
        say(name, 'Pulling');
        await pull(client, image, { auth: await run.auth?.(image), onLayer: run.quiet ? undefined : layerLine(progress) });
        say(name, 'Pulled');
      } catch (err) {
        say(name, 'Error', (err as Error).message);
        errors.push(err);
        if (service.build) mustBuild.push(name);
        // Fail fast only for an image that cannot be built either.
        else if (!run.ignoreFailures) throw err;
      }
    })());
  }
  let failure: unknown;
  await settleAll(tasks).catch((err: unknown) => {
    failure = err;
  });
  if (failure === undefined && errors.length > 0 && !run.ignoreFailures) failure = errors[0];
  return { mustBuild, failure };
}

/** Pushes each built service's image (and its build.tags); returns the failures --ignore-push-failures let pass. */
export async function pushServices(client: BerthClient, project: Project, progress: Progress, run: TransferRun): Promise<string[]> {
  const ignored: string[] = [];
  const tasks: Promise<void>[] = [];
  for (const name of run.services) {
    const service = project.model.services[name] as Service;
    const image = service.image as string | undefined;
    if (!service.build || !image) {
      if (!run.quiet) progress.event(name, 'Skipped');
      continue;
    }
    const tags = [image, ...(((service.build as Service).tags as string[] | undefined) ?? [])];
    for (const tag of tags) {
      tasks.push((async () => {
        try {
          if (!run.quiet) progress.event(name, 'Pushing', tag === image ? '' : tag);
          await push(client, tag, { auth: await run.auth?.(tag), onLayer: run.quiet ? undefined : layerLine(progress) });
          if (!run.quiet) progress.event(name, 'Pushed', tag === image ? '' : tag);
        } catch (err) {
          if (!run.ignoreFailures) throw err;
          ignored.push(`Pushing ${name}: ${(err as Error).message}`);
        }
      })());
    }
  }
  await settleAll(tasks);
  return ignored;
}
