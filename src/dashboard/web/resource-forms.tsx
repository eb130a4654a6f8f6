/**
 * Acting on networks and volumes (operators and admins): a form to create
 * one on a chosen host, and a Remove button per row. The engine judges
 * names, drivers and subnets; its refusal is shown as it words it.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { HostSummary, NetworkRow, VolumeRow } from '../shared/types.js';
import { api, errorText } from './api.js';
import { HostSelect } from './fields.js';
import { useNotify } from './notices.js';
import './operations.css';

export interface CreateProps {
  hosts: HostSummary[];
  onDone: () => void;
}

/** Submits the form's fields as JSON to the chosen host's `kind` collection; the error stays on screen until the next try. */
function useCreate(kind: 'networks' | 'volumes', hosts: HostSummary[], onDone: () => void) {
  const [host, setHost] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const notify = useNotify();
  const target = host || hosts.find((h) => h.reachable)?.name || '';
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const fields = Object.fromEntries(new FormData(form));
    setBusy(true);
    setError('');
    try {
      const made = await api<{ name: string; warning?: string }>('POST', `/api/hosts/${encodeURIComponent(target)}/${kind}`, { ...fields, host: undefined });
      notify(`Created ${kind === 'networks' ? 'network' : 'volume'} ${made.name} on ${target}${made.warning ? ` (${made.warning})` : ''}`);
      // Not form.reset(): the host select is the view's state, and stays as chosen.
      for (const input of form.querySelectorAll('input')) {
        if (input.type === 'checkbox') input.checked = false;
        else input.value = '';
      }
      onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const hostField = <HostSelect id={`${kind}-create-host`} hosts={hosts} value={target} onChange={setHost} label="On host" />;
  return { submit: (e: Event) => void submit(e), error, busy: busy || !target, hostField };
}

/** The creation panel around a form's own fields: the host, then the fields, the engine's error, the button. */
function CreatePanel({ kind, noun, c, children }: { kind: 'networks' | 'volumes'; noun: string; c: ReturnType<typeof useCreate>; children: ComponentChildren }) {
  const id = kind.replace(/s$/, '');
  return (
    <details class="panel">
      <summary>Create a {noun}</summary>
      <form id={`${id}-form`} class="grid-form" onSubmit={c.submit} autoComplete="off">
        {c.hostField}
        {children}
        {c.error && <p id={`${id}-form-error`} class="error" role="alert">{c.error}</p>}
        <div><button type="submit" class="primary" disabled={c.busy}>Create {noun}</button></div>
      </form>
    </details>
  );
}

export function NetworkForm({ hosts, onDone }: CreateProps) {
  return (
    <CreatePanel kind="networks" noun="network" c={useCreate('networks', hosts, onDone)}>
      <label>Name<input name="name" required spellcheck={false} /></label>
      <label>Driver (optional)<input name="driver" placeholder="bridge" spellcheck={false} /></label>
      <label>Subnet (optional)<input name="subnet" placeholder="10.89.0.0/24" spellcheck={false} /></label>
      <label>Gateway (optional)<input name="gateway" placeholder="10.89.0.1" spellcheck={false} /></label>
      <label class="check"><input type="checkbox" name="internal" /> Internal (no outside access)</label>
    </CreatePanel>
  );
}

export function VolumeForm({ hosts, onDone }: CreateProps) {
  return (
    <CreatePanel kind="volumes" noun="volume" c={useCreate('volumes', hosts, onDone)}>
      <label>Name (optional)<input name="name" placeholder="generated when empty" spellcheck={false} /></label>
      <label>Driver (optional)<input name="driver" placeholder="local" spellcheck={false} /></label>
    </CreatePanel>
  );
}

/** A row's Remove button: asks first; the engine's refusal (in use, predefined) comes as an error notice. */
export function RemoveButton({ path, what, onDone }: { path: string; what: string; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const notify = useNotify();
  const remove = async () => {
    if (!window.confirm(`Remove ${what}?`)) return;
    setBusy(true);
    try {
      await api('DELETE', path);
      notify(`Removed ${what}`);
      onDone();
    } catch (err) {
      notify(errorText(err), true);
    } finally {
      setBusy(false);
    }
  };
  return <button type="button" class="danger remove" disabled={busy} aria-label={`Remove ${what}`} onClick={() => void remove()}>Remove</button>;
}

export const networkPath = (n: NetworkRow) => `/api/hosts/${encodeURIComponent(n.host)}/networks/${encodeURIComponent(n.id)}`;
export const volumePath = (v: VolumeRow) => `/api/hosts/${encodeURIComponent(v.host)}/volumes/${encodeURIComponent(v.name)}`;
