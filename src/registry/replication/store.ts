/**
 * Replication's state in the registry's root: the rules (with the targets'
 * credentials, so 0600) and the latest executions with their status.
 */
import { join } from 'node:path';
import { Mutex } from '../../lib/mutex.js';
import { readSecretFile, writeSecretFile } from '../remote/secret-file.js';
import type { ReplicationRule, Trigger } from './rules.js';

export type ExecutionStatus = 'pending' | 'running' | 'succeeded' | 'failed';

export interface Execution {
  id: string;
  ruleId: string;
  project: string;
  trigger: Trigger;
  status: ExecutionStatus;
  /** The tags to copy; for a manual run, filled in when it starts. */
  artifacts: { repository: string; tag: string }[];
  attempts: number;
  /** The last attempt's error. */
  error?: string;
  /** Blobs uploaded, mounted, and skipped because the target had them (the last attempt). */
  blobs?: { uploaded: number; mounted: number; skipped: number };
  created: string;
  started?: string;
  ended?: string;
}

interface State {
  rules: ReplicationRule[];
  executions: Execution[];
}

/** Executions kept (newest), across all rules. */
const KEEP_EXECUTIONS = 500;

export class ReplicationStore {
  private readonly lock = new Mutex();

  private constructor(
    private readonly path: string,
    private state: State,
  ) {}

  static async open(root: string): Promise<ReplicationStore> {
    const path = join(root, 'replication', 'state.json');
    const state = await readSecretFile<State>(path, { rules: [], executions: [] });
    // Executions cut short by a stop wait again, to be carried on by the replicator (unfinished()).
    for (const e of state.executions) {
      if (e.status === 'running') {
        Object.assign(e, { status: 'pending', error: 'the registry stopped before it finished; carried on after the restart' });
        delete e.started;
      }
    }
    return new ReplicationStore(path, state);
  }

  /** The executions waiting to run, oldest first (after a restart: those the last run did not finish). */
  unfinished(): Execution[] {
    return this.state.executions.filter((e) => e.status === 'pending').reverse();
  }

  rules(project?: string): ReplicationRule[] {
    return this.state.rules.filter((r) => project === undefined || r.project === project);
  }

  rule(project: string, id: string): ReplicationRule | undefined {
    return this.state.rules.find((r) => r.project === project && r.id === id);
  }

  executions(project: string, ruleId?: string): Execution[] {
    return this.state.executions.filter((e) => e.project === project && (ruleId === undefined || e.ruleId === ruleId));
  }

  execution(id: string): Execution | undefined {
    return this.state.executions.find((e) => e.id === id);
  }

  putRule(rule: ReplicationRule): Promise<void> {
    return this.change((s) => ({ ...s, rules: [...s.rules.filter((r) => r.id !== rule.id), rule] }));
  }

  deleteRule(id: string): Promise<void> {
    return this.change((s) => ({ ...s, rules: s.rules.filter((r) => r.id !== id) }));
  }

  addExecution(e: Execution): Promise<void> {
    return this.change((s) => ({ ...s, executions: [e, ...s.executions].slice(0, KEEP_EXECUTIONS) }));
  }

  /** Records changes made to an execution object in place. */
  saveExecution(): Promise<void> {
    return this.change((s) => s);
  }

  private change(fn: (s: State) => State): Promise<void> {
    return this.lock.run(async () => {
      const next = fn(this.state);
      await writeSecretFile(this.path, next);
      this.state = next;
    });
  }
}
