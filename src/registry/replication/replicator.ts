/**
 * Runs replication: a push of a tag that an event rule matches queues an
 * execution for it (the push itself does not wait), a manual run queues one
 * for every matching tag of the project. Up to `parallel` executions run at
 * once (replication.parallel in the registry's config, 4 by default; Harbor's
 * job service runs replication jobs on a pool of workers), in
 * the order they were queued; each is tried up to MAX_ATTEMPTS times with a
 * growing pause, and its status is kept in the store for the API and the console.
 * Executions a stop cut short are carried on at the next start.
 */
import { randomBytes } from 'node:crypto';
import type { Digest } from '../../lib/digest.js';
import type { Registry, RegistryEvent } from '../registry.js';
import { clientFor } from '../remote/endpoint.js';
import { ImageCopier } from './copy.js';
import { filterMatches } from './filter.js';
import { destinationName, type ReplicationRule, type Trigger } from './rules.js';
import type { Execution, ReplicationStore } from './store.js';

export const MAX_ATTEMPTS = 3;

export interface ReplicatorOptions {
  /** Executions running at once. */
  parallel: number;
  /** The pause before a second attempt (twice that before a third). */
  retryDelayMs?: number;
}

export class Replicator {
  /** Executions queued, waiting for a free place. */
  private readonly waiting: Execution[] = [];
  private running = 0;
  /** Per rule: where on its target each blob is known to be, for cross-repository mounts. */
  private readonly known = new Map<string, Map<Digest, string>>();

  private readonly parallel: number;
  private readonly retryDelayMs: number;

  constructor(
    readonly store: ReplicationStore,
    private readonly registry: Registry,
    private readonly log: (message: string) => void,
    options: ReplicatorOptions,
  ) {
    this.parallel = options.parallel;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    registry.events.on('push', (event: RegistryEvent) => {
      this.onPush(event).catch((err: unknown) => log(`replication: ${(err as Error).message}`));
    });
    // What the last run left pending or running goes first.
    this.waiting.push(...store.unfinished());
    if (this.waiting.length > 0) log(`replication: carrying on with ${this.waiting.length} executions the last run did not finish`);
    this.startWaiting();
  }

  private async onPush(event: RegistryEvent): Promise<void> {
    if (event.tag === undefined) return;
    for (const rule of this.store.rules()) {
      if (rule.enabled && rule.trigger === 'event' && filterMatches(rule, event.repository, event.tag)) {
        await this.enqueue(rule, 'event', [{ repository: event.repository, tag: event.tag }]);
      }
    }
  }

  /** A manual run: every tag of the project that the rule matches, as they are when it starts. */
  run(rule: ReplicationRule): Promise<Execution> {
    return this.enqueue(rule, 'manual', []);
  }

  private async enqueue(rule: ReplicationRule, trigger: Trigger, artifacts: Execution['artifacts']): Promise<Execution> {
    const execution: Execution = {
      id: randomBytes(6).toString('hex'),
      ruleId: rule.id,
      project: rule.project,
      trigger,
      status: 'pending',
      artifacts,
      attempts: 0,
      created: new Date().toISOString(),
    };
    await this.store.addExecution(execution);
    this.waiting.push(execution);
    this.startWaiting();
    return execution;
  }

  private startWaiting(): void {
    while (this.running < this.parallel && this.waiting.length > 0) {
      const execution = this.waiting.shift()!;
      this.running++;
      void this.execute(execution)
        .catch((err: unknown) => this.log(`replication: ${(err as Error).message}`))
        .finally(() => {
          this.running--;
          this.startWaiting();
        });
    }
  }

  private async execute(execution: Execution): Promise<void> {
    const rule = this.store.rule(execution.project, execution.ruleId);
    execution.status = 'running';
    execution.started = new Date().toISOString();
    await this.store.saveExecution();
    if (execution.trigger === 'manual' && rule) execution.artifacts = await this.matchingTags(rule);
    // One carried on after a restart gets at least one more attempt, whatever it had made.
    const lastAttempt = Math.max(MAX_ATTEMPTS, execution.attempts + 1);
    while (rule && execution.attempts < lastAttempt) {
      execution.attempts++;
      try {
        await this.copy(rule, execution);
        execution.status = 'succeeded';
        delete execution.error;
        break;
      } catch (err) {
        execution.error = (err as Error).message;
        this.log(`replication ${rule.name} (${execution.id}), attempt ${execution.attempts}: ${execution.error}`);
        await this.store.saveExecution();
        if (execution.attempts < lastAttempt) await new Promise((r) => setTimeout(r, this.retryDelayMs * execution.attempts));
      }
    }
    if (execution.status !== 'succeeded') {
      execution.status = 'failed';
      execution.error ??= 'the rule was deleted';
    }
    execution.ended = new Date().toISOString();
    await this.store.saveExecution();
  }

  private async copy(rule: ReplicationRule, execution: Execution): Promise<void> {
    let known = this.known.get(rule.id);
    if (!known) this.known.set(rule.id, (known = new Map()));
    const copier = new ImageCopier(this.registry, clientFor(rule.target), known);
    for (const { repository, tag } of execution.artifacts) {
      await copier.copyTag(repository, tag, destinationName(rule, repository));
    }
    execution.blobs = copier.counts;
  }

  private async matchingTags(rule: ReplicationRule): Promise<Execution['artifacts']> {
    const out: Execution['artifacts'] = [];
    for (const repository of await this.registry.repos.list()) {
      if (!repository.startsWith(`${rule.project}/`)) continue;
      for (const tag of await this.registry.repos.tags(repository)) {
        if (filterMatches(rule, repository, tag)) out.push({ repository, tag });
      }
    }
    return out;
  }
}
