/**
 * Proxy-cache projects in the console (Harbor's "Proxy Cache" switch of the
 * new-project dialog): the upstream's endpoint URL, its credentials (Harbor's
 * "Access ID" and "Access Secret"), whether its certificate must verify, and
 * how long fetched content is kept (distribution's proxy.ttl), when a project
 * is created and later on its page. Only the admin sets a project's upstream,
 * as the API allows.
 */
import { useEffect, useState } from 'preact/hooks';
import { useNotify } from '../../../dashboard/web/notices.js';
import { call, enc } from './api.js';

export interface ProxyDraft {
  enabled: boolean;
  url: string;
  username: string;
  password: string;
  verify: boolean;
  ttlHours: number;
}

export const NO_PROXY: ProxyDraft = { enabled: false, url: '', username: '', password: '', verify: true, ttlHours: 168 };

interface ProxyView {
  upstream: { url: string; username: string | null; has_password: boolean; insecure: boolean };
  tag_ttl_seconds: number;
  ttl_seconds: number;
}

/**
 * Makes a project a cache of the draft's upstream. A blank secret is not
 * sent, so the server keeps the one it has for the same Access ID.
 */
export function saveProxy(project: string, d: ProxyDraft): Promise<ProxyView> {
  const credentials = d.username ? { username: d.username, ...(d.password ? { password: d.password } : {}) } : {};
  const upstream = { url: d.url.trim(), ...credentials, insecure: !d.verify };
  return call<ProxyView>('PUT', `/projects/${enc(project)}/proxy`, { upstream, ttl_seconds: Math.round(d.ttlHours * 3600) });
}

function draftOf(view: ProxyView): ProxyDraft {
  const u = view.upstream;
  return { enabled: true, url: u.url, username: u.username ?? '', password: '', verify: !u.insecure, ttlHours: view.ttl_seconds / 3600 };
}

export function ProxyFields({ value: d, onChange }: { value: ProxyDraft; onChange: (d: ProxyDraft) => void }) {
  const set = (change: Partial<ProxyDraft>) => onChange({ ...d, ...change });
  return (
    <fieldset id="create-project-proxy">
      <legend>
        <label class="check">
          <input type="checkbox" name="proxy_cache" checked={d.enabled} onChange={(e) => set({ enabled: e.currentTarget.checked })} /> Proxy Cache
        </label>
      </legend>
      {d.enabled && <UpstreamFields value={d} onChange={onChange} />}
    </fieldset>
  );
}

/** The upstream's endpoint, credentials, certificate check and TTL; `secretHint` says what a blank secret does. */
function UpstreamFields({ value: d, onChange, secretHint }: { value: ProxyDraft; onChange: (d: ProxyDraft) => void; secretHint?: string }) {
  const set = (change: Partial<ProxyDraft>) => onChange({ ...d, ...change });
  return (
    <>
      <label>
        Endpoint URL
        <input name="proxy_url" type="url" required placeholder="https://registry.example.com" value={d.url} onInput={(e) => set({ url: e.currentTarget.value })} />
      </label>
      <label>
        Access ID
        <input name="proxy_username" autocomplete="off" value={d.username} onInput={(e) => set({ username: e.currentTarget.value })} />
      </label>
      <label>
        Access Secret
        <input name="proxy_password" type="password" autocomplete="new-password" placeholder={secretHint} value={d.password} onInput={(e) => set({ password: e.currentTarget.value })} />
      </label>
      <label class="check">
        <input type="checkbox" name="proxy_verify" checked={d.verify} onChange={(e) => set({ verify: e.currentTarget.checked })} /> Verify Remote Cert
      </label>
      <label>
        Keep cached content (hours, 0: for ever)
        <input name="proxy_ttl_hours" type="number" min={0} step="any" required value={d.ttlHours} onInput={(e) => set({ ttlHours: Number(e.currentTarget.value) })} />
      </label>
    </>
  );
}

/** The admin changes a proxy-cache project's upstream on its page (nothing shows for other projects). */
export function ProxySettings({ project, onSaved }: { project: string; onSaved: () => void }) {
  const [draft, setDraft] = useState<ProxyDraft | null>(null);
  const notify = useNotify();
  useEffect(() => void call<ProxyView>('GET', `/projects/${enc(project)}/proxy`).then((v) => setDraft(draftOf(v)), () => setDraft(null)), [project]);
  if (!draft) return null;
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      setDraft(draftOf(await saveProxy(project, draft)));
      notify(`Project ${project} now proxies ${draft.url.trim()}`);
      onSaved();
    } catch (err) {
      notify((err as Error).message, true);
    }
  };
  return (
    <section aria-labelledby="proxy-settings-title">
      <h2 id="proxy-settings-title">Proxy cache upstream</h2>
      <form id="proxy-settings" class="inline" onSubmit={submit}>
        <UpstreamFields value={draft} onChange={setDraft} secretHint="unchanged when blank" />
        <button type="submit" class="primary">Save upstream</button>
      </form>
    </section>
  );
}

/** The project's upstream, for those who manage it (nothing when it is not a proxy cache). */
export function ProxyFact({ project }: { project: string }) {
  const [proxy, setProxy] = useState<ProxyView | null>(null);
  useEffect(() => void call<ProxyView>('GET', `/projects/${enc(project)}/proxy`).then(setProxy, () => setProxy(null)), [project]);
  if (!proxy) return null;
  const u = proxy.upstream;
  const ttl = proxy.ttl_seconds === 0 ? 'kept until deleted' : `kept ${Math.round((proxy.ttl_seconds / 3600) * 100) / 100} h`;
  return (
    <>
      <dt>Proxy cache of</dt>
      <dd id="project-proxy">
        <code>{u.url}</code>
        {u.username ? ` as ${u.username}` : ''}, {u.insecure ? 'certificate not verified' : 'certificate verified'}, content {ttl}
      </dd>
    </>
  );
}
