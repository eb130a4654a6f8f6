import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeCgroup } from '../../platform/linux/cgroups.js';
import { cgroupVersion } from '../../platform/linux/host.js';
import { ConmonRuncRuntime } from './runtime.js';
import { DEFAULT_CAPABILITIES, DEFAULT_SHM_SIZE, type RuntimeSpec } from './types.js';

/**
 * Shared by the runtime's tests (real containers, needs root, runc, conmon and
 * busybox-static): a busybox rootfs, a runtime under a temp exec root, spec
 * defaults, and a cleanup that removes everything the tests made, even after
 * a failure: runc state, conmon processes, cgroups, temp dirs.
 */

export const PROJECT_ROOT = resolve(fileURLToPath(import.meta.url), '../../../../..');
export const TEST_CGROUP_PARENT = '/berth-test';

export interface Fixture {
  dir: string;
  root: string;
  rootfs: string;
  runtime: ConmonRuncRuntime;
  ids: string[];
  /** A fresh 64-hex-like ID, remembered for cleanup. */
  newId(): string;
  logPath(id: string): string;
  spec(id: string, args: string[], over?: Partial<RuntimeSpec> & { terminal?: boolean }): RuntimeSpec;
  cleanup(): Promise<void>;
}

export function makeFixture(): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'berth-rt-'));
  const root = join(dir, 'run');
  const rootfs = join(dir, 'rootfs');
  mkdirSync(rootfs);
  execFileSync('bash', [join(PROJECT_ROOT, 'scripts/busybox-rootfs.sh'), join(dir, 'busybox.tar')]);
  execFileSync('tar', ['-xf', join(dir, 'busybox.tar'), '-C', rootfs]);
  const runtime = new ConmonRuncRuntime({ root });
  const ids: string[] = [];
  let n = 0;
  const fixture: Fixture = {
    dir,
    root,
    rootfs,
    runtime,
    ids,
    newId() {
      const id = `${process.pid.toString(16)}${Date.now().toString(16)}${(n++).toString(16)}`.padEnd(64, '0');
      ids.push(id);
      return id;
    },
    logPath: (id) => join(dir, `${id}.log`),
    spec(id, args, over = {}) {
      const { terminal, ...rest } = over;
      return {
        id,
        rootfs,
        readonlyRootfs: false,
        hostname: id.slice(0, 12),
        domainname: '',
        process: {
          args,
          env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
          cwd: '/',
          user: { uid: 0, gid: 0, additionalGids: [] },
          terminal: terminal ?? false,
          noNewPrivileges: false,
          capabilities: [...DEFAULT_CAPABILITIES],
          rlimits: [],
        },
        mounts: [],
        privileged: false,
        seccomp: 'default',
        resources: {},
        namespaces: { network: 'new', pid: 'new', ipc: 'new', uts: 'new' },
        shmSize: DEFAULT_SHM_SIZE,
        sysctls: {},
        devices: [],
        annotations: {},
        cgroupParent: TEST_CGROUP_PARENT,
        ...rest,
      };
    },
    async cleanup() {
      for (const id of ids) await runtime.delete(id, { force: true }).catch(() => undefined);
      killLeftovers(root);
      const v2 = (await cgroupVersion()) === '2';
      for (const id of ids) await removeCgroup(`${TEST_CGROUP_PARENT}/${id}`, v2);
      await removeCgroup(TEST_CGROUP_PARENT, v2);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}

/** Anything still known to our runc root, and any conmon whose command line names our exec root. */
function killLeftovers(root: string): void {
  try {
    const list = JSON.parse(execFileSync('/usr/sbin/runc', ['--root', join(root, 'runc'), 'list', '--format', 'json']).toString() || '[]') as { id: string }[];
    for (const c of list ?? []) execFileSync('/usr/sbin/runc', ['--root', join(root, 'runc'), 'delete', '--force', c.id], { stdio: 'ignore' });
  } catch {
    /* nothing left */
  }
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.endsWith('conmon') && argv.some((a) => a.startsWith(root))) process.kill(Number(pid), 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** Reads a whole stream into a string. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += chunk.toString();
  return out;
}

/** Resolves once `pred(text so far)` holds, or rejects after `ms`. */
export function waitForOutput(stream: NodeJS.ReadableStream, pred: (text: string) => boolean, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for output; got ${JSON.stringify(text)}`)), ms);
    const onData = (c: Buffer) => {
      text += c.toString();
      if (pred(text)) {
        clearTimeout(timer);
        stream.off('data', onData);
        resolve(text);
      }
    };
    stream.on('data', onData);
  });
}
