/**
 * A port of Go's text/tabwriter (no flags, left-aligned, pad char ' ') —
 * the writer every docker table goes through. Cells are tab-terminated; the
 * text after a line's last tab is not part of a column and is never padded.
 * Column widths are computed per *column block*: a run of consecutive lines
 * that all have a cell in that column, exactly as Go does, so a short line in
 * the middle of a table restarts the alignment below it.
 */

export interface TabwriterOptions {
  /** Minimal cell width including padding. */
  minWidth: number;
  /** Padding added to the widest cell of a column. */
  padding: number;
}

/** docker's list formatters: `tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)`. */
export const DOCKER_TABLE: TabwriterOptions = { minWidth: 10, padding: 3 };
/** `docker version`: `tabwriter.NewWriter(out, 20, 1, 1, ' ', 0)`. */
export const DOCKER_VERSION: TabwriterOptions = { minWidth: 20, padding: 1 };

/** Display width of a cell: Go's tabwriter counts UTF-8 runes. */
function runeWidth(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

export function tabwrite(text: string, options: TabwriterOptions = DOCKER_TABLE): string {
  const endsWithNewline = text.endsWith('\n');
  const rawLines = (endsWithNewline ? text.slice(0, -1) : text).split('\n');
  const lines = rawLines.map((line) => line.split('\t'));
  const widths: number[] = [];
  const out: string[] = [];

  const writeLines = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const cells = lines[i];
      let rendered = '';
      cells.forEach((cell, column) => {
        // Only tab-terminated cells are padded; the trailing cell never is.
        const width = column < cells.length - 1 ? widths[column] : undefined;
        rendered += width === undefined ? cell : cell + ' '.repeat(Math.max(0, width - runeWidth(cell)));
      });
      out.push(rendered);
    }
  };

  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let current = line0; current < line1; current++) {
      if (column >= lines[current].length - 1) continue;
      writeLines(line0, current);
      line0 = current;
      let width = options.minWidth;
      for (; current < line1; current++) {
        const cells = lines[current];
        if (column >= cells.length - 1) break;
        width = Math.max(width, runeWidth(cells[column]) + options.padding);
      }
      widths.push(width);
      format(line0, current);
      widths.pop();
      line0 = current;
    }
    writeLines(line0, line1);
  };

  // format() writes each line exactly once, in order.
  format(0, lines.length);
  return out.join('\n') + (endsWithNewline ? '\n' : '');
}
