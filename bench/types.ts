/** One measured (or skipped) subject of one benchmark. */
export interface Row {
  /** What was measured, e.g. "images: load -i (debian 200 MB)". */
  bench: string;
  /** Who was measured: "berth", "dockerd", … */
  subject: string;
  /** Median wall time in milliseconds (or the median in `unit`); null when the subject was skipped. */
  median_ms: number | null;
  /** What median_ms counts when it is not milliseconds, e.g. "MiB". */
  unit?: string;
  /** How many runs the median is of (0 when skipped). */
  runs: number;
  /** Why a subject was skipped, or anything a reader needs to read the number right. */
  note?: string;
}

export interface BenchContext {
  /** The repository root (where bin/berthd lives). */
  root: string;
  /** Runs per measurement. */
  runs: number;
  /** Progress messages, to stderr, so the table on stdout stays clean. */
  log(message: string): void;
}

/** What every bench/*.bench.ts exports. */
export interface BenchModule {
  run(ctx: BenchContext): Promise<Row[]>;
}
