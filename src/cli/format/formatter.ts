/**
 * docker's formatter.Context: turns `--format` (`table`, `table TEMPLATE`,
 * `json`, or a bare template) plus rows into output. Table output renders
 * the header by executing the same template against a map of column titles,
 * with docker's header functions (json, join, … return their input) so a
 * header cell reads `IMAGE ID` even under `{{json .ID}}`.
 */
import { compileTemplate, goMethod, type TemplateFunc } from './template.js';
import { DOCKER_TABLE, tabwrite } from './table.js';

export const TABLE_KEY = 'table';
export const JSON_KEY = 'json';
export const RAW_KEY = 'raw';

const passThrough: TemplateFunc = (value) => value;

/** docker's templates.HeaderFunctions. */
const HEADER_FUNCS: Record<string, TemplateFunc> = {
  json: passThrough,
  split: passThrough,
  join: passThrough,
  title: passThrough,
  lower: passThrough,
  upper: passThrough,
  truncate: passThrough,
  pad: passThrough,
};

export function isTableFormat(format: string): boolean {
  return format.startsWith(TABLE_KEY);
}

/** Strips `table`, maps `json`, and expands the literal `\t` / `\n` escapes users type. */
export function finalTemplate(format: string): string {
  let source = format;
  if (isTableFormat(format)) source = format.slice(TABLE_KEY.length);
  else if (format === JSON_KEY) source = '{{json .}}';
  return source.replace(/^ +| +$/g, '').replaceAll('\\t', '\t').replaceAll('\\n', '\n');
}

/** Renders rows (one template execution per row, each followed by a newline). */
export function renderRows(format: string, rows: readonly object[], headers: Record<string, string>): string {
  const template = compileTemplate(finalTemplate(format));
  const body = rows.map((row) => template.execute(row) + '\n').join('');
  if (!isTableFormat(format)) return body;
  const header = template.execute(headerContext(headers), { funcs: HEADER_FUNCS });
  return tabwrite(`${header}\n${body}`, DOCKER_TABLE);
}

/** docker's SubHeaderContext: the titles, and `.Label "a.b-c"` titled `b c`. */
function headerContext(headers: Record<string, string>): Record<string, string> {
  return goMethod({ ...headers }, 'Label', (name: string) => name.split('.').pop()!.replace(/[-_]/g, ' '));
}
