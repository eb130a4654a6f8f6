/**
 * A sortable table: each column header is a button that sorts by it
 * (again: the other way), announced with aria-sort. Rows can carry a
 * checkbox for selection. On narrow screens CSS lays each row out as a card,
 * labelling every cell from data-label.
 */
import type { ComponentChild } from 'preact';
import { useMemo, useState } from 'preact/hooks';

export interface Column<T> {
  key: string;
  label: string;
  /** The value sorted by and searched; the column is not sortable without it. */
  value?: (row: T) => string | number;
  render: (row: T) => ComponentChild;
}

export interface TableProps<T> {
  id: string;
  caption: string;
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  initialSort?: { key: string; desc?: boolean };
  /** With selection: the selected keys and a setter. */
  selection?: { selected: Set<string>; onChange: (next: Set<string>) => void; label: (row: T) => string };
  empty?: string;
}

/** Rows whose columns' values contain every word of `query` (case-insensitive). */
export function filterRows<T>(rows: T[], columns: Column<T>[], query: string): T[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return rows;
  return rows.filter((row) => {
    const text = columns.map((c) => (c.value ? String(c.value(row)) : '')).join(' ').toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

function compare(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: 'base' });
}

export function DataTable<T>(p: TableProps<T>) {
  const [sort, setSort] = useState(p.initialSort ?? { key: p.columns[0]!.key, desc: false });
  const sorted = useMemo(() => {
    const column = p.columns.find((c) => c.key === sort.key);
    if (!column?.value) return p.rows;
    const value = column.value;
    const out = [...p.rows].sort((a, b) => compare(value(a), value(b)) || compare(p.rowKey(a), p.rowKey(b)));
    return sort.desc ? out.reverse() : out;
  }, [p.rows, p.columns, sort]);
  const sel = p.selection;
  const allSelected = sel !== undefined && sorted.length > 0 && sorted.every((r) => sel.selected.has(p.rowKey(r)));
  const toggleAll = () => sel?.onChange(allSelected ? new Set() : new Set(sorted.map(p.rowKey)));
  const toggle = (key: string) => {
    if (!sel) return;
    const next = new Set(sel.selected);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    sel.onChange(next);
  };
  return (
    <div class="table-wrap">
      <table id={p.id} class="data">
        <caption class="visually-hidden">{p.caption}</caption>
        <thead>
          <tr>
            {sel && (
              <th scope="col" class="select">
                <input type="checkbox" aria-label="Select all shown" checked={allSelected} onChange={toggleAll} />
              </th>
            )}
            {p.columns.map((c) => {
              const active = sort.key === c.key;
              return (
                <th scope="col" key={c.key} data-key={c.key} aria-sort={active ? (sort.desc ? 'descending' : 'ascending') : undefined}>
                  {c.value ? (
                    <button type="button" class="sort" onClick={() => setSort({ key: c.key, desc: active ? !sort.desc : false })}>
                      {c.label}
                      <span aria-hidden="true" class="arrow">{active ? (sort.desc ? ' ▼' : ' ▲') : ''}</span>
                    </button>
                  ) : (
                    c.label
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {sorted.map((row) => {
            const key = p.rowKey(row);
            return (
              <tr key={key} data-key={key} class={sel?.selected.has(key) ? 'selected' : undefined}>
                {sel && (
                  <td class="select">
                    <input type="checkbox" aria-label={`Select ${sel.label(row)}`} checked={sel.selected.has(key)} onChange={() => toggle(key)} />
                  </td>
                )}
                {p.columns.map((c) => (
                  <td key={c.key} data-label={c.label} class={`col-${c.key}`}>
                    {c.render(row)}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
      {sorted.length === 0 && <p class="empty">{p.empty ?? 'Nothing to show.'}</p>}
    </div>
  );
}
