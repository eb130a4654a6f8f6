/**
 * Compares the shapes of two JSON answers, berthd's and dockerd's: the same
 * keys at every level and the same kind of value under each (string, number,
 * boolean, null, array, object). Values themselves are not compared, so IDs,
 * times and sizes may differ; map keys that are IDs are folded to <id> so a
 * map keyed by container or network ID compares by shape too. Each
 * difference is one line naming its path, as a failed assertion shows it.
 */

export type Kind = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object' | 'undefined';

export function kindOf(value: unknown): Kind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const kind = typeof value;
  if (kind === 'string' || kind === 'number' || kind === 'boolean' || kind === 'object' || kind === 'undefined') return kind;
  return 'string'; // bigint, symbol and functions never come out of JSON
}

/** IDs and digests become placeholders: in messages, in values compared exactly, and in map keys. */
export function withoutIds(text: string): string {
  return text.replace(/(sha256:)?[0-9a-f]{64}/g, '<id>').replace(/\b[0-9a-f]{12}\b/g, '<id12>');
}

function entriesOf(value: Record<string, unknown>): Map<string, unknown> {
  return new Map(Object.entries(value).map(([key, v]) => [withoutIds(key), v]));
}

const isPlain = (value: unknown) => !['array', 'object'].includes(kindOf(value));

function plainArrayDiff(a: unknown[], b: unknown[], path: string): string[] {
  const kinds = (xs: unknown[]) => [...new Set(xs.map(kindOf))].sort().join('|');
  const [ka, kb] = [kinds(a), kinds(b)];
  // An empty list says nothing of its items' kind.
  return ka === kb || !ka || !kb ? [] : [`${path}[]: berthd ${ka}, dockerd ${kb}`];
}

/**
 * The paths where `a` (berthd's) and `b` (dockerd's) differ in shape, as
 * "path: berthd <kind>, dockerd <kind>" lines; [] when they agree. Arrays of
 * objects compare element by element (a case lists what it compares, in
 * order), and a length that differs is one line; arrays of plain values are
 * values (MaskedPaths, plugin names), so only the kinds in them count.
 */
export function shapeDiff(a: unknown, b: unknown, path = '$'): string[] {
  const [ka, kb] = [kindOf(a), kindOf(b)];
  if (ka !== kb) return [`${path}: berthd ${ka}, dockerd ${kb}`];
  if (ka === 'array') {
    const [xa, xb] = [a as unknown[], b as unknown[]];
    if (xa.every(isPlain) && xb.every(isPlain)) return plainArrayDiff(xa, xb, path);
    const diffs = xa.length === xb.length ? [] : [`${path}: berthd ${xa.length} items, dockerd ${xb.length}`];
    for (let i = 0; i < Math.min(xa.length, xb.length); i++) diffs.push(...shapeDiff(xa[i], xb[i], `${path}[${i}]`));
    return diffs;
  }
  if (ka !== 'object') return [];
  const [ea, eb] = [entriesOf(a as Record<string, unknown>), entriesOf(b as Record<string, unknown>)];
  const diffs: string[] = [];
  for (const key of [...new Set([...ea.keys(), ...eb.keys()])].sort()) {
    const at = `${path}.${key}`;
    if (!ea.has(key)) diffs.push(`${at}: only dockerd has it`);
    else if (!eb.has(key)) diffs.push(`${at}: only berthd has it`);
    else diffs.push(...shapeDiff(ea.get(key), eb.get(key), at));
  }
  return diffs;
}
