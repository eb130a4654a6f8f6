/**
 * A container's files, directory by directory, through the archive API
 * (the server lists a directory from its tar headers): open a directory or
 * a link to one, download a file or a whole directory (as tar). The
 * listing sorts by any column and filters by name, mode or link target.
 */
import { useEffect, useState } from 'preact/hooks';
import type { DirectoryListing, FileEntry } from '../shared/extra-types.js';
import { api, errorText } from './api.js';
import { ago, bytes, isoTime } from './format.js';
import { FilterBox } from './fields.js';
import { DataTable, filterRows, type Column } from './table.js';
import './views.css';

const join = (dir: string, name: string) => (dir === '/' ? `/${name}` : `${dir}/${name}`);

/** "-rwxr-xr-x" from the permission bits. */
function permissions(type: FileEntry['type'], mode: number): string {
  const bits = 'rwxrwxrwx'.split('').map((c, i) => ((mode >> (8 - i)) & 1 ? c : '-')).join('');
  return `${type === 'dir' ? 'd' : type === 'link' ? 'l' : type === 'other' ? '?' : '-'}${bits}`;
}

export function FilesPanel({ base }: { base: string }) {
  const [open, setOpen] = useState(false);
  return (
    <details class="panel" id="files-panel" onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>Files</summary>
      {open && <Files base={base} />}
    </details>
  );
}

function Files({ base }: { base: string }) {
  const [path, setPath] = useState('/');
  const [listing, setListing] = useState<DirectoryListing | undefined>(undefined);
  const [error, setError] = useState('');
  const [typed, setTyped] = useState('/');
  const [query, setQuery] = useState('');
  useEffect(() => {
    setError('');
    // A filter is about the directory it was typed in.
    setQuery('');
    api<DirectoryListing>('GET', `${base}/files?path=${encodeURIComponent(path)}`).then(
      (l) => { setListing(l); setTyped(l.path); },
      (err) => setError(errorText(err)),
    );
  }, [base, path]);
  const shown = listing?.path ?? path;
  const download = (p: string) => `${base}/files/download?path=${encodeURIComponent(p)}`;
  const columns: Column<FileEntry>[] = [
    {
      key: 'name', label: 'Name', value: (f) => f.name,
      render: (f) => (f.type === 'dir' || f.type === 'link'
        ? <button type="button" class="open" aria-label={`Open ${f.type === 'link' ? 'link' : 'directory'} ${f.name}`} onClick={() => setPath(join(shown, f.name))}>{f.name}{f.type === 'dir' ? '/' : ''}</button>
        : <span>{f.name}</span>),
    },
    { key: 'size', label: 'Size', value: (f) => f.size, render: (f) => (f.type === 'file' ? bytes(f.size) : '') },
    { key: 'mode', label: 'Mode', value: (f) => permissions(f.type, f.mode), render: (f) => <code>{permissions(f.type, f.mode)}</code> },
    { key: 'mtime', label: 'Modified', value: (f) => f.mtime, render: (f) => (f.mtime > 0 ? <time dateTime={isoTime(f.mtime)} title={isoTime(f.mtime)}>{ago(f.mtime)}</time> : '') },
    { key: 'target', label: 'Link to', value: (f) => f.linkTarget ?? '', render: (f) => (f.linkTarget ? <code>{f.linkTarget}</code> : '') },
    {
      key: 'actions', label: 'Download',
      render: (f) => (f.type === 'file' || f.type === 'dir'
        ? <a class="button" href={download(join(shown, f.name))} download aria-label={`Download ${f.name}${f.type === 'dir' ? ' as tar' : ''}`}>{f.type === 'dir' ? 'tar' : 'file'}</a>
        : ''),
    },
  ];
  const parts = shown.split('/').filter(Boolean);
  const entries = listing?.entries ?? [];
  const rows = filterRows(entries, columns, query);
  return (
    <div>
      <div class="toolbar">
        <nav aria-label="Path">
          <ol class="breadcrumbs" id="files-path">
            <li><button type="button" onClick={() => setPath('/')} aria-label="Root directory">/</button></li>
            {parts.map((p, i) => (
              <li key={i}><button type="button" aria-current={i === parts.length - 1 ? 'location' : undefined} onClick={() => setPath(`/${parts.slice(0, i + 1).join('/')}`)}>{p}</button></li>
            ))}
          </ol>
        </nav>
        <form class="search" onSubmit={(e) => { e.preventDefault(); setPath(typed); }}>
          <label>
            <span class="visually-hidden">Go to path</span>
            <input id="files-go" type="text" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />
          </label>
        </form>
        <a class="button" id="files-download-dir" href={download(shown)} download>Download this directory (tar)</a>
      </div>
      <div class="toolbar">
        <FilterBox id="files-filter" label="Filter files" value={query} onChange={setQuery} />
        <span class="dim" id="files-count">{rows.length} of {entries.length}</span>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {listing?.truncated && <p class="dim">Only the first {listing.entries.length} entries are shown.</p>}
      <DataTable id="files-table" caption={`Files in ${shown}`} rows={rows} columns={columns} rowKey={(f) => f.name} initialSort={{ key: 'name' }}
        empty={entries.length ? 'No files match.' : 'Empty directory.'} />
    </div>
  );
}
