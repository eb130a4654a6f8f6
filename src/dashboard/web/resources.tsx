/**
 * Images, networks and volumes of every host, each one table. They are
 * fetched again whenever a host's summary changes, which the server refreshes
 * on the engines' image, network and volume events. Networks and volumes
 * can be created and removed here by operators and admins.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { AcrossHosts, HostSummary, ImageRow, NetworkRow, Role, VolumeRow } from '../shared/types.js';
import { api, errorText } from './api.js';
import { FilterBox } from './fields.js';
import { ago, bytes, isoTime } from './format.js';
import { NetworkForm, networkPath, RemoveButton, VolumeForm, volumePath, type CreateProps } from './resource-forms.js';
import { DataTable, filterRows, type Column } from './table.js';

interface Kind<T> {
  path: string;
  title: string;
  columns: Column<T>[];
  rowKey: (row: T) => string;
  /** What operators may do: a creation form, and where and what a row's removal is. */
  actions?: { Create: (p: CreateProps) => JSX.Element; path: (row: T) => string; what: (row: T) => string };
}

export const shortId = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);
const since = (iso: string) => (iso ? Date.parse(iso) / 1000 : 0);
const hostColumn = <T extends { host: string }>(): Column<T> => ({ key: 'host', label: 'Host', value: (r) => r.host, render: (r) => r.host });

export const IMAGES: Kind<ImageRow> = {
  path: '/api/images',
  title: 'Images',
  rowKey: (i) => `${i.host}/${i.id}`,
  columns: [
    hostColumn<ImageRow>(),
    { key: 'tags', label: 'Tags', value: (i) => i.tags.join(' ') || '<none>', render: (i) => (i.tags.length ? i.tags.map((t) => <code key={t} class="block">{t}</code>) : <span class="dim">&lt;none&gt;</span>) },
    { key: 'id', label: 'ID', value: (i) => shortId(i.id), render: (i) => <code title={i.id}>{shortId(i.id)}</code> },
    { key: 'size', label: 'Size', value: (i) => i.size, render: (i) => bytes(i.size) },
    { key: 'containers', label: 'Containers', value: (i) => i.containers, render: (i) => (i.containers >= 0 ? i.containers : '') },
    { key: 'created', label: 'Created', value: (i) => i.created, render: (i) => <time dateTime={isoTime(i.created)} title={isoTime(i.created)}>{ago(i.created)}</time> },
  ],
};

export const NETWORKS: Kind<NetworkRow> = {
  path: '/api/networks',
  title: 'Networks',
  rowKey: (n) => `${n.host}/${n.name}`,
  columns: [
    hostColumn<NetworkRow>(),
    { key: 'name', label: 'Name', value: (n) => n.name, render: (n) => n.name },
    { key: 'id', label: 'ID', value: (n) => shortId(n.id), render: (n) => <code title={n.id}>{shortId(n.id)}</code> },
    { key: 'driver', label: 'Driver', value: (n) => n.driver, render: (n) => n.driver },
    { key: 'scope', label: 'Scope', value: (n) => n.scope, render: (n) => n.scope },
    { key: 'subnets', label: 'Subnets', value: (n) => n.subnets.join(' '), render: (n) => n.subnets.map((s) => <code key={s} class="block">{s}</code>) },
    { key: 'internal', label: 'Internal', value: (n) => (n.internal ? 'yes' : 'no'), render: (n) => (n.internal ? 'yes' : 'no') },
  ],
  actions: { Create: NetworkForm, path: networkPath, what: (n) => `network ${n.name} on ${n.host}` },
};

export const VOLUMES: Kind<VolumeRow> = {
  path: '/api/volumes',
  title: 'Volumes',
  rowKey: (v) => `${v.host}/${v.name}`,
  columns: [
    hostColumn<VolumeRow>(),
    { key: 'name', label: 'Name', value: (v) => v.name, render: (v) => <code>{v.name}</code> },
    { key: 'driver', label: 'Driver', value: (v) => v.driver, render: (v) => v.driver },
    { key: 'mountpoint', label: 'Mount point', value: (v) => v.mountpoint, render: (v) => <code>{v.mountpoint}</code> },
    { key: 'created', label: 'Created', value: (v) => since(v.created), render: (v) => v.created && <time dateTime={v.created}>{ago(since(v.created))}</time> },
  ],
  actions: { Create: VolumeForm, path: volumePath, what: (v) => `volume ${v.name} on ${v.host}` },
};

/** A list of every host, fetched again when any host's summary changes (the server refreshes those on the engines' events) or `again` does. */
export function useAcrossHosts<T>(path: string, hosts: HostSummary[], again: unknown = 0): { data: AcrossHosts<T>; error: string } {
  const [data, setData] = useState<AcrossHosts<T>>({ rows: [], errors: {} });
  const [error, setError] = useState('');
  const stamp = hosts.map((h) => `${h.name}:${h.checked ?? 0}:${h.reachable}`).join(',');
  useEffect(() => {
    api<AcrossHosts<T>>('GET', path).then((d) => { setData(d); setError(''); }, (err) => setError(errorText(err)));
  }, [path, stamp, again]);
  return { data, error };
}

export function ResourceView<T>({ kind, hosts, role }: { kind: Kind<T>; hosts: HostSummary[]; role: Role }) {
  const [again, setAgain] = useState(0);
  const { data, error } = useAcrossHosts<T>(kind.path, hosts, again);
  const [query, setQuery] = useState('');
  const id = kind.title.toLowerCase();
  const refresh = () => setAgain((n) => n + 1);
  const actions = role !== 'viewer' ? kind.actions : undefined;
  const columns: Column<T>[] = actions
    ? [...kind.columns, { key: 'actions', label: 'Actions', render: (row) => <RemoveButton path={actions.path(row)} what={actions.what(row)} onDone={refresh} /> }]
    : kind.columns;
  const shown = filterRows(data.rows, kind.columns, query);
  return (
    <section aria-labelledby={`${id}-title`}>
      <div class="toolbar">
        <h1 id={`${id}-title`}>{kind.title} <span class="dim">({shown.length} of {data.rows.length})</span></h1>
        <FilterBox id={`${id}-filter`} label={`Filter ${id}`} value={query} onChange={setQuery} />
      </div>
      {actions && <actions.Create hosts={hosts} onDone={refresh} />}
      {error && <p class="error" role="alert">{error}</p>}
      {Object.entries(data.errors).map(([host, message]) => <p key={host} class="error">{host}: {message}</p>)}
      <DataTable id={`${id.replace(/s$/, '')}-table`} caption={`${kind.title} of all hosts`} rows={shown}
        columns={columns} rowKey={kind.rowKey} initialSort={{ key: kind.columns[1]!.key }} />
    </section>
  );
}
