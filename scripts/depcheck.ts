/**
 * Checks the dependency rules of DESIGN.md: which of our folders may import
 * which. Every `import … from`, `export … from` and `import('…')` with a
 * relative specifier in src/**\/*.ts is checked against RULES; imports of
 * packages (node:fs, tar-stream) are not ours and are ignored.
 *
 *   usage: node dist/scripts/depcheck.js [rootDir]     (exit 1 on violations)
 *
 * Imports are found with TypeScript's own pre-processor (ts.preProcessFile),
 * not a regex, so commented-out imports and import-like strings don't count.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

/**
 * A rule says what files matching `from` may import; anything of ours not in
 * `may` is a violation, reported with `why`. The first rule whose `from`
 * matches a file applies. Patterns are paths relative to the root: `*` is one
 * path segment, `**` any number of segments, and `$name` is one segment that
 * is captured in `from` and means the same segment in `may` (e.g. "its own
 * engine area"). Files that no rule matches may import anything.
 */
export interface Rule {
  from: string;
  may: string[];
  why: string;
}

const LIB = 'src/lib/**';
const PLATFORM = 'src/platform/**';
const ENGINE_CONTRACTS = 'src/engine/*/types.ts';

export const RULES: Rule[] = [
  {
    from: 'src/lib/**',
    may: [LIB],
    why: 'lib imports nothing of ours outside lib',
  },
  {
    from: 'src/platform/**',
    may: [LIB, PLATFORM],
    why: 'platform imports only lib and platform',
  },
  {
    from: 'src/engine/$area/**',
    may: [LIB, PLATFORM, 'src/engine/$area/**', ENGINE_CONTRACTS],
    why: "an engine area imports other areas only through their types.ts, and never api, cli, client, daemon or registry (registry and distribution share only lib)",
  },
  {
    from: 'src/api/**',
    may: [LIB, 'src/api/**', ENGINE_CONTRACTS],
    why: 'api sees the engine only through src/engine/*/types.ts; only daemon picks implementations',
  },
  {
    from: 'src/registry/console/web/**',
    may: [LIB, 'src/registry/console/web/**', 'src/dashboard/web/**'],
    why: "the registry console's front end runs in the browser: it talks to the registry over HTTP and shares the dashboard's generic web parts",
  },
  {
    from: 'src/registry/**',
    may: [LIB, PLATFORM, 'src/registry/**'],
    why: 'the registry server shares only lib with the rest (in particular not engine/distribution)',
  },
  {
    from: 'src/client/**',
    may: [LIB, 'src/client/**'],
    why: 'client imports only lib',
  },
  {
    from: 'src/cli/**',
    may: [LIB, 'src/client/**', 'src/cli/**', 'src/compose/**'],
    why: 'cli speaks only the API, through client (no engine, api or platform); `berth compose` uses the compose model',
  },
  {
    from: 'src/cli-pool/**',
    may: [LIB, PLATFORM, 'src/cli-pool/**'],
    why: "the CLI's warm pool hosts the CLI bundle (loaded by path at run time) and passes descriptors with the platform's syscalls; it imports no CLI code",
  },
  ...['compose', 'web'].map((front) => ({
    from: `src/${front}/**`,
    may: [LIB, 'src/client/**', `src/${front}/**`],
    why: `${front} speaks only the API, through client (no engine, api or platform)`,
  })),
  {
    from: 'src/dashboard/**',
    may: [LIB, 'src/client/**', 'src/dashboard/**'],
    why: 'the dashboard speaks to engines only through client (no engine, api, platform or cli)',
  },
  {
    from: 'src/daemon/**',
    may: ['src/**'],
    why: 'daemon is the composition root',
  },
];

export interface Violation {
  file: string;
  target: string;
  why: string;
}

export function formatViolation(v: Violation): string {
  return `${v.file} imports ${v.target}: ${v.why}`;
}

/** Checks every .ts file under rootDir/src; paths in the result are relative to rootDir. */
export async function checkTree(rootDir: string): Promise<Violation[]> {
  const root = resolve(rootDir);
  const violations: Violation[] = [];
  for (const file of await listTypeScript(join(root, 'src'))) {
    const source = await readFile(file, 'utf8');
    const from = toPosix(relative(root, file));
    for (const specifier of importsOf(source)) {
      if (!isOurs(specifier)) continue;
      const target = toPosix(relative(root, resolveSpecifier(file, specifier)));
      const broken = brokenRule(from, target);
      if (broken !== undefined) violations.push({ file: from, target, why: broken.why });
    }
  }
  return violations;
}

/** The rule `target` breaks when imported from `from`, or undefined if the import is allowed. */
export function brokenRule(from: string, target: string, rules: Rule[] = RULES): Rule | undefined {
  for (const rule of rules) {
    const captures = matchPattern(rule.from, from);
    if (captures === undefined) continue;
    const allowed = rule.may.some((p) => matchPattern(substitute(p, captures), target) !== undefined);
    return allowed ? undefined : rule;
  }
  return undefined;
}

/** Specifiers of every static and dynamic import and re-export in a TypeScript source. */
export function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

function isOurs(specifier: string): boolean {
  return specifier.startsWith('.') || specifier.startsWith('/');
}

/** "./x.js" written in src/a/b.ts means src/a/x.ts: ESM imports name the compiled file. */
function resolveSpecifier(importer: string, specifier: string): string {
  const path = resolve(dirname(importer), specifier);
  if (/\.(?:js|mjs|cjs)$/.test(path)) return path.replace(/\.(m|c)?js$/, '.$1ts');
  return /\.[cm]?ts$/.test(path) ? path : `${path}.ts`;
}

async function listTypeScript(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function toPosix(p: string): string {
  return p.split(sep).join('/');
}

// ---- Patterns: "*" one segment, "**" any segments, "$name" a captured segment ----

type Captures = Record<string, string>;

/** The `$name` captures if `path` matches `pattern`, else undefined. */
export function matchPattern(pattern: string, path: string): Captures | undefined {
  const captures: Captures = {};
  return matchSegments(pattern.split('/'), path.split('/'), captures) ? captures : undefined;
}

function matchSegments(pattern: string[], path: string[], captures: Captures): boolean {
  if (pattern.length === 0) return path.length === 0;
  const [head, ...rest] = pattern as [string, ...string[]];
  if (head === '**') {
    for (let skip = 0; skip <= path.length; skip++) {
      if (matchSegments(rest, path.slice(skip), captures)) return true;
    }
    return false;
  }
  if (path.length === 0) return false;
  const segment = path[0]!;
  if (!matchSegment(head, segment, captures)) return false;
  return matchSegments(rest, path.slice(1), captures);
}

function matchSegment(pattern: string, segment: string, captures: Captures): boolean {
  if (pattern === '*') return true;
  if (!pattern.startsWith('$')) return pattern === segment;
  const name = pattern.slice(1);
  if (captures[name] !== undefined) return captures[name] === segment;
  captures[name] = segment;
  return true;
}

function substitute(pattern: string, captures: Captures): string {
  return pattern.replace(/\$(\w+)/g, (whole, name: string) => captures[name] ?? whole);
}

// ---- Command line ----

async function main(): Promise<void> {
  const root = process.argv[2] ?? process.cwd();
  const violations = await checkTree(root);
  for (const v of violations) console.log(formatViolation(v));
  if (violations.length > 0) {
    console.error(`depcheck: ${violations.length} dependency rule violation(s)`);
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 2;
  });
}
