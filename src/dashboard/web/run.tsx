/**
 * "Run a container": every field docker run's common flags cover, sent as
 * one form; the server creates and starts the container. An image the host
 * lacks is pulled first, with its progress, as docker run does. The engine's
 * own error is shown under the form as it gave it.
 */
import { useState } from 'preact/hooks';
import type { HostSummary, ImageRow, NetworkRow, Role } from '../shared/types.js';
import { RESTART_POLICIES, type PortForm, type RestartPolicyName, type RunForm, type RunResult } from '../shared/operations.js';
import { api, ApiError, errorText } from './api.js';
import { HostSelect } from './fields.js';
import { useNotify } from './notices.js';
import type { ProgressState } from '../shared/operations.js';
import { postProgress, ProgressView } from './progress.js';
import { useAcrossHosts } from './resources.js';

const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);
const emptyPort = (): PortForm => ({ hostIp: '', hostPort: '', containerPort: '', protocol: 'tcp' });

export function RunView({ hosts, role }: { hosts: HostSummary[]; role: Role }) {
  const [host, setHost] = useState('');
  const target = host || hosts.find((h) => h.reachable)?.name || '';
  const images = useAcrossHosts<ImageRow>('/api/images', hosts).data.rows.filter((i) => i.host === target);
  const networks = useAcrossHosts<NetworkRow>('/api/networks', hosts).data.rows.filter((n) => n.host === target);
  const [form, setForm] = useState({ image: '', name: '', command: '', env: '', volumes: '', network: '', restart: 'no' as RestartPolicyName, maxRetries: '', memoryMiB: '', cpus: '' });
  const [ports, setPorts] = useState<PortForm[]>([]);
  const [error, setError] = useState('');
  const [result, setResult] = useState<{ host: string; id: string; warnings: string[] }>();
  const [busy, setBusy] = useState(false);
  const [pulling, setPulling] = useState<ProgressState>();
  const notify = useNotify();
  if (role === 'viewer') return <p class="error" role="alert">Running containers needs the operator role.</p>;
  const field = (name: keyof typeof form) => ({
    name, value: form[name],
    onInput: (e: { currentTarget: { value: string } }) => setForm({ ...form, [name]: e.currentTarget.value }),
  });
  const setPort = (i: number, change: Partial<PortForm>) => setPorts(ports.map((p, j) => (j === i ? { ...p, ...change } : p)));
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    setResult(undefined);
    const body: RunForm = {
      image: form.image, name: form.name, command: form.command, env: lines(form.env), ports: ports.filter((p) => p.containerPort.trim()),
      volumes: lines(form.volumes), network: form.network, restart: form.restart, maxRetries: Number(form.maxRetries) || 0,
      memoryMiB: Number(form.memoryMiB) || 0, cpus: Number(form.cpus) || 0,
    };
    const run = () => api<RunResult>('POST', `/api/hosts/${encodeURIComponent(target)}/run`, body);
    setPulling(undefined);
    try {
      const done = await run().catch(async (err: unknown) => {
        if (!missingImage(err)) throw err;
        await pullFirst(target, form.image, setPulling);
        return run();
      });
      setResult({ host: target, ...done });
      notify(`Started ${form.name || done.id.slice(0, 12)} on ${target}`);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="run-title">
      <div class="toolbar"><h1 id="run-title">Run a container</h1></div>
      <form id="run-form" class="panel grid-form run-form" onSubmit={(e) => void submit(e)}>
        <HostSelect id="run-host" hosts={hosts} value={target} onChange={setHost} label="Host" />
        <label>Image <input {...field('image')} required list="run-images" autocomplete="off" spellcheck={false} placeholder="busybox:latest" /></label>
        <datalist id="run-images">{images.flatMap((i) => i.tags).map((t) => <option key={t} value={t} />)}</datalist>
        <label>Name <input {...field('name')} autocomplete="off" spellcheck={false} placeholder="optional" /></label>
        <label class="wide">Command <input {...field('command')} autocomplete="off" spellcheck={false} placeholder="the image's default; quotes group words" /></label>
        <label>Environment <span class="dim">(KEY=value, one a line)</span><textarea {...field('env')} rows={3} spellcheck={false} /></label>
        <label>Volumes <span class="dim">(source:target[:ro], one a line)</span><textarea {...field('volumes')} rows={3} spellcheck={false} /></label>
        <label>Network
          <select {...field('network')} onChange={(e) => setForm({ ...form, network: e.currentTarget.value })}>
            <option value="">default</option>
            {networks.map((n) => <option key={n.id} value={n.name}>{n.name}</option>)}
          </select>
        </label>
        <label>Restart policy
          <select name="restart" value={form.restart} onChange={(e) => setForm({ ...form, restart: e.currentTarget.value as RestartPolicyName })}>
            {RESTART_POLICIES.map((p) => <option key={p} value={p}>{p}</option>)}
          </select>
        </label>
        {form.restart === 'on-failure' && <label>Maximum retries <input {...field('maxRetries')} type="number" min={0} step={1} /></label>}
        <label>Memory limit (MiB) <input {...field('memoryMiB')} type="number" min={0} step="any" placeholder="no limit" /></label>
        <label>CPUs <input {...field('cpus')} type="number" min={0} step="any" placeholder="no limit" /></label>
        <fieldset class="wide ports-field">
          <legend>Published ports</legend>
          {ports.map((p, i) => (
            <div class="port-row" key={i} data-port={i}>
              <label>Host address <input name={`port-${i}-ip`} value={p.hostIp} placeholder="all" onInput={(e) => setPort(i, { hostIp: e.currentTarget.value })} /></label>
              <label>Host port <input name={`port-${i}-host`} inputMode="numeric" value={p.hostPort} placeholder="any" onInput={(e) => setPort(i, { hostPort: e.currentTarget.value })} /></label>
              <label>Container port <input name={`port-${i}-container`} inputMode="numeric" required value={p.containerPort} onInput={(e) => setPort(i, { containerPort: e.currentTarget.value })} /></label>
              <label>Protocol
                <select name={`port-${i}-protocol`} value={p.protocol} onChange={(e) => setPort(i, { protocol: e.currentTarget.value as PortForm['protocol'] })}>
                  {['tcp', 'udp', 'sctp'].map((x) => <option key={x} value={x}>{x}</option>)}
                </select>
              </label>
              <button type="button" class="danger" aria-label={`Remove port ${i + 1}`} onClick={() => setPorts(ports.filter((_, j) => j !== i))}>Remove</button>
            </div>
          ))}
          <button type="button" id="add-port" onClick={() => setPorts([...ports, emptyPort()])}>Add a port</button>
        </fieldset>
        <div class="wide"><button type="submit" class="primary" id="run-submit" disabled={busy || !target}>{busy ? 'Starting…' : 'Run'}</button></div>
        {pulling && <div class="wide"><ProgressView id="run-pull-progress" state={pulling} label={`Pulling ${form.image}`} /></div>}
        {error && <p id="run-error" class="error" role="alert">{error}</p>}
        {result && (
          <p id="run-result" class="wide" role="status">
            Started on {result.host}: <a href={`#/container/${encodeURIComponent(result.host)}/${encodeURIComponent(result.id)}`}><code>{result.id.slice(0, 12)}</code></a>
            {result.warnings.map((w) => <span key={w} class="dim"> {w}</span>)}
          </p>
        )}
      </form>
    </section>
  );
}

/** The engines' answer to a create from an image they lack (dockerd and berthd alike). */
function missingImage(err: unknown): boolean {
  return err instanceof ApiError && err.status === 404 && /^No such image/.test(err.message);
}

/** Pulls `image` onto `host` with its progress shown; throws (docker run's words) when the pull fails. */
async function pullFirst(host: string, image: string, onState: (s: ProgressState) => void): Promise<void> {
  const first = `Unable to find image '${image}' locally`;
  const withFirst = (s: ProgressState): ProgressState => ({ ...s, lines: [first, ...s.lines] });
  // The engine refuses some pulls before any progress (an unknown manifest), others in the stream.
  const final = await postProgress(`/api/hosts/${encodeURIComponent(host)}/images/pull`, { image }, (s) => onState(withFirst(s))).catch((err: unknown) => {
    throw new Error(`${first}: ${errorText(err)}`);
  });
  if (final.error !== undefined) throw new Error(`${first}: ${final.error}`);
}
