/**
 * All hosts' containers in one table, live. Operators and admins act on a
 * row or on the selection; viewers get no buttons (and the server refuses
 * them anyway).
 */
import { useMemo, useState } from 'preact/hooks';
import type { ContainerAction, ContainerRow, ContainerUsage, HostSummary, PortInfo, Role } from '../shared/types.js';
import { act, actionsFor, DESTRUCTIVE, LABELS } from './actions.js';
import { errorText } from './api.js';
import { ago, bytes, isoTime } from './format.js';
import { useNotify } from './notices.js';
import { DataTable, filterRows, type Column } from './table.js';

const keyOf = (c: ContainerRow) => `${c.host}/${c.name || c.id.slice(0, 12)}`;

function portLink(p: PortInfo, portHost: string) {
  const text = p.publicPort ? `${p.ip && p.ip !== '0.0.0.0' && p.ip !== '::' ? `${p.ip}:` : ''}${p.publicPort}→${p.privatePort}/${p.type}` : `${p.privatePort}/${p.type}`;
  if (!p.publicPort || p.type !== 'tcp') return <span class="port">{text}</span>;
  const host = p.ip && p.ip !== '0.0.0.0' && p.ip !== '::' && !portHost ? p.ip : portHost || location.hostname;
  return <a class="port" href={`http://${host.includes(':') ? `[${host}]` : host}:${p.publicPort}/`} target="_blank" rel="noopener noreferrer">{text}</a>;
}

/** One port per bound address family is enough: dockerd lists 0.0.0.0 and :: separately. */
function uniquePorts(ports: PortInfo[]): PortInfo[] {
  const seen = new Set<string>();
  return ports.filter((p) => {
    const key = `${p.privatePort}/${p.type}/${p.publicPort ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function ContainersView({ hosts, containers, usage, role }: { hosts: HostSummary[]; containers: Record<string, ContainerRow[]>; usage: Record<string, Record<string, ContainerUsage>>; role: Role }) {
  const [query, setQuery] = useState('');
  const [stateFilter, setStateFilter] = useState('');
  const [hostFilter, setHostFilter] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState<Set<string>>(new Set());
  const notify = useNotify();
  const canAct = role !== 'viewer';
  const portHosts = Object.fromEntries(hosts.map((h) => [h.name, h.portHost]));
  const all = useMemo(() => Object.values(containers).flat(), [containers]);
  const usageOf = (c: ContainerRow): ContainerUsage | undefined => (c.state === 'running' ? usage[c.host]?.[c.id] : undefined);

  const run = async (action: ContainerAction, targets: ContainerRow[]) => {
    if (targets.length === 0) return;
    const names = targets.map(keyOf);
    if (DESTRUCTIVE.has(action) && !window.confirm(`${LABELS[action]} ${names.join(', ')}?`)) return;
    setBusy((b) => new Set([...b, ...names]));
    const results = await Promise.allSettled(targets.map((c) => act(action, c)));
    setBusy((b) => new Set([...b].filter((k) => !names.includes(k))));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${names[i]}: ${errorText(r.reason)}`] : []));
    if (failed.length) notify(`${LABELS[action]} failed for ${failed.join('; ')}`, true);
    else notify(`${LABELS[action]}: ${names.join(', ')}`);
  };

  const columns: Column<ContainerRow>[] = [
    { key: 'host', label: 'Host', value: (c) => c.host, render: (c) => c.host },
    {
      key: 'name', label: 'Name', value: (c) => c.name,
      render: (c) => <a href={`#/container/${encodeURIComponent(c.host)}/${encodeURIComponent(c.id)}`}>{c.name || c.id.slice(0, 12)}</a>,
    },
    { key: 'image', label: 'Image', value: (c) => c.image, render: (c) => <code>{c.image}</code> },
    { key: 'state', label: 'State', value: (c) => c.state, render: (c) => <span class={`state ${c.state}`} title={c.status}>{c.state}</span> },
    { key: 'health', label: 'Health', value: (c) => c.health, render: (c) => c.health && <span class={`health ${c.health}`}>{c.health}</span> },
    {
      key: 'ports', label: 'Ports', value: (c) => c.ports.map((p) => p.publicPort ?? p.privatePort).join(' '),
      render: (c) => c.ports.length > 0 && <span class="ports">{uniquePorts(c.ports).map((p) => portLink(p, portHosts[c.host] ?? ''))}</span>,
    },
    // Sampled every few seconds for running containers; -1 sorts the others (no numbers) first.
    { key: 'cpu', label: 'CPU %', value: (c) => usageOf(c)?.cpuPercent ?? -1, render: (c) => { const u = usageOf(c); return u && `${u.cpuPercent.toFixed(1)} %`; } },
    {
      key: 'memory', label: 'Memory', value: (c) => usageOf(c)?.memory ?? -1,
      render: (c) => { const u = usageOf(c); return u && <span title={u.memoryLimit ? `of ${bytes(u.memoryLimit)}` : undefined}>{bytes(u.memory)}</span>; },
    },
    { key: 'created', label: 'Created', value: (c) => c.created, render: (c) => <time dateTime={isoTime(c.created)} title={isoTime(c.created)}>{ago(c.created)}</time> },
  ];
  if (canAct) {
    columns.push({
      key: 'actions', label: 'Actions',
      render: (c) => (
        <span class="row-actions">
          {actionsFor(c.state).map((a) => (
            <button type="button" key={a} class={`${a}${DESTRUCTIVE.has(a) ? ' danger' : ''}`} disabled={busy.has(keyOf(c))}
              aria-label={`${LABELS[a]} ${c.name}`} onClick={() => void run(a, [c])}>
              {LABELS[a]}
            </button>
          ))}
        </span>
      ),
    });
  }

  const shown = filterRows(all, columns, query).filter((c) => (!stateFilter || c.state === stateFilter) && (!hostFilter || c.host === hostFilter));
  const chosen = shown.filter((c) => selected.has(keyOf(c)));
  const states = [...new Set(all.map((c) => c.state))].sort();
  return (
    <section aria-labelledby="containers-title">
      <div class="toolbar">
        <h1 id="containers-title">Containers <span class="dim">({shown.length} of {all.length})</span></h1>
        <label class="search">
          <span class="visually-hidden">Filter containers</span>
          <input id="container-filter" type="search" placeholder="Filter: name, image, host…" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </label>
        <label>
          <span class="visually-hidden">Host</span>
          <select id="host-select" value={hostFilter} onChange={(e) => setHostFilter(e.currentTarget.value)}>
            <option value="">All hosts</option>
            {hosts.map((h) => <option key={h.name} value={h.name}>{h.name}</option>)}
          </select>
        </label>
        <label>
          <span class="visually-hidden">State</span>
          <select id="state-select" value={stateFilter} onChange={(e) => setStateFilter(e.currentTarget.value)}>
            <option value="">All states</option>
            {states.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
      </div>
      {canAct && (
        <div class="bulk" role="toolbar" aria-label="Actions on the selected containers">
          <span>{chosen.length} selected</span>
          {(['start', 'stop', 'restart', 'pause', 'unpause', 'kill', 'remove'] as ContainerAction[]).map((a) => (
            <button type="button" key={a} id={`bulk-${a}`} class={DESTRUCTIVE.has(a) ? 'danger' : undefined} disabled={chosen.length === 0}
              onClick={() => void run(a, chosen).then(() => a === 'remove' && setSelected(new Set()))}>
              {LABELS[a]}
            </button>
          ))}
        </div>
      )}
      <DataTable id="container-table" caption="Containers of all hosts" rows={shown} columns={columns} rowKey={keyOf}
        initialSort={{ key: 'name' }} empty="No containers match."
        selection={canAct ? { selected, onChange: setSelected, label: (c) => `${c.name} on ${c.host}` } : undefined} />
    </section>
  );
}
