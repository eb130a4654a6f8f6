/** The projects the caller may see, with repository counts and quota use; signed-in users create projects. */
import { useEffect, useState } from 'preact/hooks';
import { useNotify } from '../../../dashboard/web/notices.js';
import { DataTable, type Column } from '../../../dashboard/web/table.js';
import { bytes } from '../../../dashboard/web/format.js';
import { call, enc, type Project, type User } from './api.js';
import { NO_PROXY, ProxyFields, saveProxy, type ProxyDraft } from './proxy-cache.js';

export function quotaText(p: Project): string {
  const used = p.used_bytes === undefined ? '' : bytes(p.used_bytes);
  return p.quota_bytes === null ? `${used} (no limit)` : `${used} of ${bytes(p.quota_bytes)}`;
}

const COLUMNS: Column<Project>[] = [
  { key: 'name', label: 'Project', value: (p) => p.name, render: (p) => <a href={`#/projects/${enc(p.name)}`}>{p.name}</a> },
  { key: 'access', label: 'Access', value: (p) => (p.public ? 'public' : 'private'), render: (p) => (p.public ? 'public' : 'private') },
  { key: 'role', label: 'Your role', value: (p) => p.role ?? '', render: (p) => p.role ?? '' },
  { key: 'repositories', label: 'Repositories', value: (p) => p.repositories, render: (p) => p.repositories },
  { key: 'quota', label: 'Storage used', value: (p) => p.used_bytes ?? 0, render: quotaText },
];

export function Projects({ user }: { user: User | null }) {
  const [projects, setProjects] = useState<Project[] | undefined>(undefined);
  const notify = useNotify();
  const load = async () => {
    try {
      const list = await call<Project[]>('GET', '/projects');
      // The list has no usage; each project's page does.
      setProjects(await Promise.all(list.map((p) => call<Project>('GET', `/projects/${enc(p.name)}`))));
    } catch (err) {
      notify((err as Error).message, true);
    }
  };
  useEffect(() => void load(), []);
  return (
    <section aria-labelledby="projects-title">
      <h1 id="projects-title">Projects</h1>
      {user && <CreateProject onCreated={load} admin={user.admin} />}
      {projects === undefined ? <p>Loading…</p> : (
        <DataTable id="projects" caption="Projects" rows={projects} columns={COLUMNS} rowKey={(p) => p.name} empty="No projects you may see." />
      )}
    </section>
  );
}

function CreateProject({ onCreated, admin }: { onCreated: () => void; admin: boolean }) {
  const [name, setName] = useState('');
  const [pub, setPub] = useState(false);
  const [proxy, setProxy] = useState<ProxyDraft>(NO_PROXY);
  const notify = useNotify();
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await call('POST', '/projects', { name, public: pub });
      if (proxy.enabled) await makeProxy(name, proxy);
      notify(`Project ${name} created${proxy.enabled ? ` as a proxy cache of ${proxy.url}` : ''}`);
      setName('');
      setProxy(NO_PROXY);
      onCreated();
    } catch (err) {
      notify((err as Error).message, true);
    }
  };
  return (
    <form id="create-project" class="inline" onSubmit={submit}>
      <label>
        New project
        <input name="project" required pattern="[a-z0-9]+(?:[._-][a-z0-9]+)*" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label class="check">
        <input type="checkbox" name="public" checked={pub} onChange={(e) => setPub(e.currentTarget.checked)} /> Public
      </label>
      {admin && <ProxyFields value={proxy} onChange={setProxy} />}
      <button type="submit" class="primary">Create project</button>
    </form>
  );
}

/** A project whose upstream was refused is taken back, so the form can simply be sent again. */
async function makeProxy(name: string, proxy: ProxyDraft): Promise<void> {
  try {
    await saveProxy(name, proxy);
  } catch (err) {
    await call('DELETE', `/projects/${enc(name)}`).catch(() => undefined);
    throw err;
  }
}
