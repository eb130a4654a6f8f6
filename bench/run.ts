/**
 * Runs every benchmark (dist/bench/*.bench.js) and prints one table: the
 * median per subject and the berth/dockerd ratio per benchmark (below 1 means
 * berth is faster). Benchmarks are not tests: they need root, time and disk.
 *
 *   usage: node dist/bench/run.js [--runs N] [NAME…]
 *   NAME selects bench files by substring (e.g. "images").
 */
import { readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchContext, BenchModule, Row } from './types.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** dist/bench/run.js → the repository root. */
const ROOT = resolve(HERE, '..', '..');
const DEFAULT_RUNS = 5;

interface Options {
  runs: number;
  names: string[];
}

function parseArgs(argv: string[]): Options {
  const options: Options = { runs: DEFAULT_RUNS, names: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--runs') {
      options.runs = Number.parseInt(argv[++i] ?? '', 10);
      if (!(options.runs > 0)) throw new Error('--runs needs a positive number');
    } else {
      options.names.push(arg);
    }
  }
  return options;
}

async function benchFiles(names: string[]): Promise<string[]> {
  const files = (await readdir(HERE)).filter((f) => f.endsWith('.bench.js')).sort();
  return names.length === 0 ? files : files.filter((f) => names.some((n) => f.includes(n)));
}

async function runAll(options: Options): Promise<Row[]> {
  const ctx: BenchContext = {
    root: ROOT,
    runs: options.runs,
    log: (message) => process.stderr.write(`[bench] ${message}\n`),
  };
  const rows: Row[] = [];
  for (const file of await benchFiles(options.names)) {
    ctx.log(`${file}`);
    const module = (await import(pathToFileURL(join(HERE, file)).href)) as BenchModule;
    try {
      rows.push(...(await module.run(ctx)));
    } catch (err) {
      rows.push({ bench: file, subject: '-', median_ms: null, runs: 0, note: `failed: ${(err as Error).message}` });
    }
  }
  return rows;
}

// ---- The table ----

function formatTable(rows: Row[]): string {
  const subjects = unique(rows.map((r) => r.subject));
  const header = ['bench', 'unit', ...subjects, 'berth/dockerd', 'runs', 'notes'];
  const lines = unique(rows.map((r) => r.bench)).map((bench) => {
    const of = (subject: string) => rows.find((r) => r.bench === bench && r.subject === subject);
    const berth = of('berth')?.median_ms;
    const dockerd = of('dockerd')?.median_ms;
    const ratio = berth != null && dockerd != null && dockerd > 0 ? (berth / dockerd).toFixed(2) : '-';
    const mine = rows.filter((r) => r.bench === bench);
    return [
      bench,
      mine.find((r) => r.unit)?.unit ?? 'ms',
      ...subjects.map((s) => String(of(s)?.median_ms ?? '-')),
      ratio,
      unique(mine.filter((r) => r.runs > 0).map((r) => String(r.runs))).join('/') || '-',
      mine.filter((r) => r.note).map((r) => `${r.subject}: ${r.note}`).join('; '),
    ];
  });
  return alignColumns([header, ...lines]);
}

function alignColumns(table: string[][]): string {
  const widths = table[0]!.map((_, col) => Math.max(...table.map((row) => row[col]!.length)));
  const render = (row: string[]) => row.map((cell, col) => cell.padEnd(widths[col]!)).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [render(table[0]!), rule, ...table.slice(1).map(render)].join('\n');
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

async function main(): Promise<void> {
  const rows = await runAll(parseArgs(process.argv.slice(2)));
  console.log(formatTable(rows));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
