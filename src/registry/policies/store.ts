/**
 * The policies of `--console` projects (retention, immutability, webhooks),
 * kept in <root>/auth/policies.json beside accounts.json, written whole and
 * atomically under one lock, read from memory. Each project's entry carries
 * the project's creation time: a project deleted and made again under the
 * same name starts with no policies rather than inheriting the old ones.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../lib/atomic.js';
import { invalid } from '../../lib/errors.js';
import { Mutex } from '../../lib/mutex.js';
import type { GcSchedule } from '../gc-schedule.js';
import { isMissing } from '../storage/fs-util.js';
import type { ImmutableRule } from './immutability.js';
import type { RetentionReport, RetentionRule } from './retention.js';

export type { RetentionReport };
import type { WebhookConfig } from './webhook-types.js';

export interface ProjectPolicies {
  projectCreated: string;
  retention: {
    rules: RetentionRule[];
    afterPush: boolean;
    lastRun?: RetentionReport;
    /** When retention runs on its own (none when absent), as garbage collection's schedule. */
    schedule?: GcSchedule;
    /** When the schedule last started a run, or was set (ms): an interval counts from it. */
    lastScheduled?: number;
  };
  immutable: ImmutableRule[];
  webhooks: WebhookConfig[];
}

interface State {
  version: 1;
  projects: Record<string, ProjectPolicies>;
}

function empty(projectCreated: string): ProjectPolicies {
  return { projectCreated, retention: { rules: [], afterPush: false }, immutable: [], webhooks: [] };
}

export class PolicyStore {
  private state: State = { version: 1, projects: {} };
  private readonly lock = new Mutex();

  private constructor(readonly path: string) {}

  static async open(path: string): Promise<PolicyStore> {
    const store = new PolicyStore(path);
    try {
      store.state = JSON.parse(await readFile(path, 'utf8')) as State;
    } catch (err) {
      if (!isMissing(err)) throw invalid(`cannot read ${path}: ${(err as Error).message}`, err);
    }
    return store;
  }

  /** The project's policies (none when it has none yet, or only a namesake's). */
  get(project: string, projectCreated: string): ProjectPolicies {
    const p = Object.prototype.hasOwnProperty.call(this.state.projects, project) ? this.state.projects[project] : undefined;
    return p && p.projectCreated === projectCreated ? p : empty(projectCreated);
  }

  /** The names of the projects that have (or had) policies. */
  projects(): string[] {
    return Object.keys(this.state.projects);
  }

  /** Changes a copy of the project's policies and saves; memory changes only once the file has. */
  update(project: string, projectCreated: string, fn: (p: ProjectPolicies) => void): Promise<ProjectPolicies> {
    return this.lock.run(async () => {
      const next = structuredClone(this.get(project, projectCreated));
      fn(next);
      const state: State = { ...this.state, projects: { ...this.state.projects, [project]: next } };
      await writeFileAtomic(this.path, `${JSON.stringify(state, null, 2)}\n`, 0o600);
      this.state = state;
      return next;
    });
  }
}
