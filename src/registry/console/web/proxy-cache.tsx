/**
 * Proxy-cache projects in the console (Harbor's "Proxy Cache" switch of the
 * new-project dialog): the upstream's endpoint URL, its credentials (Harbor's
 * "Access ID" and "Access Secret"), whether its certificate must verify, and
 * how long fetched content is kept (distribution's proxy.ttl). Only the
 * admin sets a project's upstream, as the API allows.
 */
import { useEffect, useState } from 'preact/hooks';
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

/** Makes a (just created) project a cache of the draft's upstream. */
export function saveProxy(project: string, d: ProxyDraft): Promise<unknown> {
  const upstream = { url: d.url.trim(), ...(d.username ? { username: d.username, password: d.password } : {}), insecure: !d.verify };
  return call('PUT', `/projects/${enc(project)}/proxy`, { upstream, ttl_seconds: Math.round(d.ttlHours * 3600) });
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
      {d.enabled && (
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
            <input name="proxy_password" type="password" autocomplete="new-password" value={d.password} onInput={(e) => set({ password: e.currentTarget.value })} />
          </label>
          <label class="check">
            <input type="checkbox" name="proxy_verify" checked={d.verify} onChange={(e) => set({ verify: e.currentTarget.checked })} /> Verify Remote Cert
          </label>
          <label>
            Keep cached content (hours, 0: for ever)
            <input name="proxy_ttl_hours" type="number" min={0} step="any" required value={d.ttlHours} onInput={(e) => set({ ttlHours: Number(e.currentTarget.value) })} />
          </label>
        </>
      )}
    </fieldset>
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
