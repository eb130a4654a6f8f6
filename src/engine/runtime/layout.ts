import { join } from 'node:path';

/**
 * Where things live under the runtime's exec root. One place, so that the
 * runtime, recovery and tests agree on every path.
 *
 *   <root>/runc/                   runc --root (berth's runc state only)
 *   <root>/<id>/                   the bundle: config.json, conmon.pid, pidfile, attach, ctl, winsz, oom
 *   <root>/<id>/exit/<id>          conmon's exit file (the exit code as text)
 *   <root>/<id>/exec/<execId>/     an exec session: process.json, pidfile, attach, ctl, exit/<id>
 */
export class Layout {
  constructor(readonly root: string) {}

  get runcRoot(): string {
    return join(this.root, 'runc');
  }

  bundle(id: string): string {
    return join(this.root, id);
  }

  configJson(id: string): string {
    return join(this.bundle(id), 'config.json');
  }

  conmonPidFile(id: string): string {
    return join(this.bundle(id), 'conmon.pid');
  }

  pidFile(id: string): string {
    return join(this.bundle(id), 'pidfile');
  }

  exitDir(id: string): string {
    return join(this.bundle(id), 'exit');
  }

  /** conmon names the exit file after --cid, which is the container ID for exec sessions too. */
  exitFile(id: string): string {
    return join(this.exitDir(id), id);
  }

  /** conmon writes "oom" into its working directory, which we make the bundle. */
  oomFile(id: string): string {
    return join(this.bundle(id), 'oom');
  }

  attachSocket(id: string): string {
    return join(this.bundle(id), 'attach');
  }

  ctlFifo(id: string): string {
    return join(this.bundle(id), 'ctl');
  }

  execDir(id: string, execId: string): string {
    return join(this.bundle(id), 'exec', execId);
  }
}

/** A container or exec ID that is safe as a single path component (and as runc's ID). */
export const SAFE_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
