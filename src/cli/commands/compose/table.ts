/** compose v2's table output (cmd/formatter): tabwriter(out, 20, 1, 3, ' ', 0) under a header line; or JSON of the same rows. */
import { StatusError } from '../../command.js';
import { tabwrite } from '../../format/table.js';

export const COMPOSE_TABLE = { minWidth: 20, padding: 3 };

export function composeTable(headers: string[], rows: string[][]): string {
  return tabwrite([headers, ...rows].map((r) => `${r.join('\t')}\n`).join(''), COMPOSE_TABLE);
}

/** `--format`: table (the default) or json, compose's only two; anything else fails as compose's formatter.Print does. */
export function checkFormat(format: string): 'table' | 'json' {
  const f = format.toLowerCase();
  if (f === 'table' || f === 'pretty' || f === '') return 'table';
  if (f === 'json') return 'json';
  throw new StatusError(`format value "${format}" could not be parsed: parsing failed`, 1);
}
