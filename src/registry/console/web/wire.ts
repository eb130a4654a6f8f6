/**
 * JSON shapes of management API answers that the console shows, in one
 * place for both sides: the server's modules import these types (a
 * registry module may import anything under src/registry), while the
 * console, which runs in the browser, may import nothing of the server
 * (scripts/depcheck.ts). Types only: nothing here runs.
 */

export type GcSchedule = { kind: 'none' } | { kind: 'interval'; hours: number } | { kind: 'daily'; time: string };

/** One garbage collection run's report. */
export interface GcRun {
  started: string;
  finished: string;
  duration_ms: number;
  /** The user who ran it, or "scheduler". */
  by: string;
  trigger: 'manual' | 'schedule';
  dry_run: boolean;
  delete_untagged: boolean;
  blobs_removed: number;
  bytes_removed: number;
  manifests_removed: number;
  blobs_kept: number;
  error?: string;
}

/** What a retention run did (or, dry, would do). */
export interface RetentionReport {
  dry_run: boolean;
  /** What started it: a person, a push (run after push), or the project's retention schedule. */
  trigger: 'manual' | 'push' | 'schedule';
  operator: string;
  started: string;
  finished: string;
  /** Tags kept, over the repositories looked at. */
  kept: number;
  deleted: { repository: string; tag: string; digest: string }[];
  errors: string[];
}

/** One attempt to deliver an event to a webhook. */
export interface Attempt {
  time: string;
  status_code?: number;
  error?: string;
}

/** One delivery of an event to a webhook, with its attempts so far. */
export interface Delivery {
  id: string;
  event_type: string;
  repository: string;
  tag: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: Attempt[];
}
