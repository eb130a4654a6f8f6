/**
 * One compose file as parsed: its plain data (anchors, aliases and `<<`
 * merge keys resolved), the line of every key path (for error messages such
 * as `compose.yaml:12: services.web.ports[0]: …`), and the paths tagged
 * `!reset` / `!override` (13-merge.md), which the merge consults.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { invalid } from '../lib/errors.js';

export interface ComposeSource {
  /** The file name as given (for messages). */
  file: string;
  data: Record<string, unknown>;
  lines: Map<string, number>;
  resets: Set<string>;
  overrides: Set<string>;
}

/** Joins a key path the way compose prints it: `services.web.ports[0]`. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

export function parseSource(file: string, text: string): ComposeSource {
  const counter = new LineCounter();
  const doc = parseDocument(text, { merge: true, lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const line = err.linePos?.[0].line ?? counter.linePos(err.pos[0]).line;
    throw invalid(`${file}${line ? `:${line}` : ''}: ${err.message.split('\n')[0]}`);
  }
  const data = doc.toJS({ maxAliasCount: 10000 }) as unknown;
  if (data !== null && data !== undefined && (typeof data !== 'object' || Array.isArray(data))) {
    throw invalid(`${file}: top-level object must be a mapping`);
  }
  const source: ComposeSource = { file, data: (data ?? {}) as Record<string, unknown>, lines: new Map(), resets: new Set(), overrides: new Set() };
  walk(doc.contents as Node | null, '', source, counter);
  return source;
}

function walk(node: Node | null, path: string, source: ComposeSource, counter: LineCounter): void {
  if (!node || isAlias(node)) return;
  if (node.range) source.lines.set(path, counter.linePos(node.range[0]).line);
  if (node.tag === '!reset') source.resets.add(path);
  if (node.tag === '!override') source.overrides.add(path);
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (key === '<<') continue;
      const keyNode = pair.key as Node | null;
      const child = childPath(path, key);
      if (keyNode?.range) source.lines.set(child, counter.linePos(keyNode.range[0]).line);
      walk(pair.value as Node | null, child, source, counter);
      // The key's line says more than the value's for a multi-line value.
      if (keyNode?.range) source.lines.set(child, counter.linePos(keyNode.range[0]).line);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => walk(item as Node | null, childPath(path, i), source, counter));
  }
}

/** The line of a path, or of its nearest ancestor that has one. */
export function lineOf(source: ComposeSource, path: string): number | undefined {
  let p = path;
  for (;;) {
    const line = source.lines.get(p);
    if (line !== undefined) return line;
    if (p === '') return undefined;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    p = cut < 0 ? '' : p.slice(0, cut);
  }
}

/** `file:line: ` for messages about a path. */
export function where(source: ComposeSource, path: string): string {
  const line = lineOf(source, path);
  return `${source.file}${line !== undefined ? `:${line}` : ''}: `;
}
