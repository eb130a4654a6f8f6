/**
 * The policies of `--console` mode at work: the immutability check the
 * registry asks before it moves or deletes a tag, and what follows a push,
 * pull or delete that succeeded (webhooks; retention after a push; the
 * retention schedule is retention-schedule.ts). Runs of
 * retention are serialised per project; a push while one is queued for the
 * same repository does not queue another.
 */
import { KeyedMutex } from '../../lib/mutex.js';
import type { AccountStore } from '../auth/accounts.js';
import type { AuditLog, AuditOperation } from '../auth/audit.js';
import { projectOf } from '../auth/permissions.js';
import { registryError } from '../errors.js';
import { isTag } from '../names.js';
import type { Registry, TagChange } from '../registry.js';
import { isImmutable } from './immutability.js';
import { runRetention } from './retention-run.js';
import { RetentionScheduler } from './retention-schedule.js';
import type { PolicyStore, ProjectPolicies, RetentionReport } from './store.js';
import type { EventType, WebhookConfig, WebhookPayload } from './webhook-types.js';
import type { WebhookSender } from './webhooks.js';

/** The audit log's name for deletes that retention made (":" cannot be in a user name). */
export const RETENTION_OPERATOR = 'system:retention';

export interface RegistryEvent {
  operation: AuditOperation;
  user: string;
  repository: string;
  /** The tag or digest the client named. */
  reference: string;
  digest?: string;
  /** host[:port] clients use for this registry (for resource_url). */
  host: string;
}

const EVENT_OF: Record<AuditOperation, EventType> = { push: 'PUSH_ARTIFACT', pull: 'PULL_ARTIFACT', delete: 'DELETE_ARTIFACT' };

export class PolicyService {
  private readonly runs = new KeyedMutex();
  private readonly queued = new Set<string>();
  /** Runs retention on each project's schedule. */
  readonly scheduler: RetentionScheduler;

  constructor(
    readonly store: PolicyStore,
    readonly sender: WebhookSender,
    private readonly registry: Registry,
    private readonly accounts: AccountStore,
    private readonly audit: AuditLog,
    private readonly log: (line: string) => void,
  ) {
    this.scheduler = new RetentionScheduler(this, log);
  }

  /** The policies of a project that exists (undefined otherwise). */
  policies(project: string): ProjectPolicies | undefined {
    const record = this.accounts.project(project);
    return record && this.store.get(project, record.created);
  }

  /** A webhook of any project that exists, by its id. */
  webhook(id: string): WebhookConfig | undefined {
    for (const project of this.store.projects()) {
      const hook = this.policies(project)?.webhooks.find((h) => h.id === id);
      if (hook) return hook;
    }
    return undefined;
  }

  update(project: string, fn: (p: ProjectPolicies) => void): Promise<ProjectPolicies> {
    return this.store.update(project, this.accounts.project(project)!.created, fn);
  }

  /** The registry's tagGuard: an immutable tag may be set once, then neither moved nor deleted. */
  readonly guard = async (change: TagChange): Promise<void> => {
    const project = projectOf(change.name);
    const rules = project === undefined ? undefined : this.policies(project)?.immutable;
    if (!rules || !isImmutable(rules, change.name.slice(project!.length + 1), change.tag)) return;
    const current = await this.registry.repos.resolveTag(change.name, change.tag);
    if (current === undefined || current === change.to) return;
    const what = change.to === undefined ? 'deleted' : 'overwritten';
    throw registryError('DENIED', `tag ${change.tag} of ${change.name} is immutable and cannot be ${what} (a tag immutability rule of project ${project})`, {
      tag: change.tag,
    });
  };

  /** After a push, pull or delete succeeded: webhooks, and retention after a push. Never throws. */
  record(event: RegistryEvent): void {
    if (event.host) this.host = event.host;
    const project = projectOf(event.repository);
    const policies = project === undefined ? undefined : this.policies(project);
    if (!policies) return;
    this.notify(project!, policies, event);
    if (event.operation === 'push' && policies.retention.afterPush && policies.retention.rules.length > 0 && isTag(event.reference)) {
      const key = event.repository;
      if (this.queued.has(key)) return;
      this.queued.add(key);
      void this.retain(project!, { dryRun: false, trigger: 'push', operator: event.user, repository: event.repository, onStart: () => this.queued.delete(key) }).catch(
        (err: unknown) => this.log(`error: retention of ${event.repository} after a push: ${(err as Error).message}`),
      );
    }
  }

  /** Runs the project's retention rules (serialised per project); a real run's report is kept as the last run. */
  retain(project: string, o: { dryRun: boolean; trigger: RetentionReport['trigger']; operator: string; repository?: string; onStart?: () => void }): Promise<RetentionReport> {
    return this.runs.run(project, async () => {
      o.onStart?.();
      const policies = this.policies(project);
      if (!policies) throw registryError('NAME_UNKNOWN', `no such project: ${project}`);
      const report = await runRetention(this.registry, {
        ...o,
        project,
        rules: policies.retention.rules,
        immutable: policies.immutable,
        onDeleted: async (repository, tag, digest) => {
          await this.audit.record({ operation: 'delete', user: RETENTION_OPERATOR, repository, reference: tag });
          this.record({ operation: 'delete', user: RETENTION_OPERATOR, repository, reference: tag, digest, host: '' });
        },
      });
      if (!o.dryRun || o.trigger === 'manual') await this.update(project, (p) => void (p.retention.lastRun = trimReport(report)));
      return report;
    });
  }

  private notify(project: string, policies: ProjectPolicies, event: RegistryEvent): void {
    const type = EVENT_OF[event.operation];
    const hooks = policies.webhooks.filter((h) => h.enabled && h.events.includes(type));
    if (hooks.length === 0) return;
    const payload = this.payload(project, type, event);
    for (const hook of hooks) this.sender.send(hook, payload);
  }

  private payload(project: string, type: EventType, event: RegistryEvent): WebhookPayload {
    const record = this.accounts.project(project)!;
    const tag = isTag(event.reference) ? event.reference : '';
    const digest = event.digest ?? (tag ? '' : event.reference);
    const host = event.host || this.host;
    return {
      type,
      occur_at: Math.floor(Date.now() / 1000),
      operator: event.user,
      event_data: {
        resources: [{ digest, tag, resource_url: `${host}/${event.repository}${tag ? `:${tag}` : `@${digest}`}` }],
        repository: {
          date_created: Math.floor(Date.parse(record.created) / 1000),
          name: event.repository.slice(project.length + 1),
          namespace: project,
          repo_full_name: event.repository,
          repo_type: record.public ? 'public' : 'private',
        },
      },
    };
  }

  /** host:port of the registry for events without a request (retention): the last one a client used. */
  private host = 'localhost';
}

const MAX_REPORTED = 500;

function trimReport(report: RetentionReport): RetentionReport {
  if (report.deleted.length <= MAX_REPORTED) return report;
  return { ...report, deleted: report.deleted.slice(0, MAX_REPORTED), errors: [...report.errors, `and ${report.deleted.length - MAX_REPORTED} more deleted tags not listed`] };
}
