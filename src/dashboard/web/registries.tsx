/**
 * Registries: the ones an admin added (URL, optional credentials kept on
 * the server), their repositories (/v2/_catalog, page by page) and a
 * repository's tags, and pulling a chosen tag to a chosen host.
 */
import { useEffect, useState } from 'preact/hooks';
import type { RegistryEntry, RegistryPage } from '../shared/extra-types.js';
import type { HostSummary, Role } from '../shared/types.js';
import { api, errorText } from './api.js';
import { Choice, FilterBox, HostSelect } from './fields.js';
import { useNotify } from './notices.js';
import { ProgressView, usePull } from './progress.js';
import { DataTable, filterRows, type Column } from './table.js';
import './views.css';

const regPath = (name: string) => `/api/registries/${encodeURIComponent(name)}`;

export function RegistriesView({ hosts, role }: { hosts: HostSummary[]; role: Role }) {
  const [registries, setRegistries] = useState<RegistryEntry[]>([]);
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const [error, setError] = useState('');
  const [query, setQuery] = useState('');
  const reload = () => api<RegistryEntry[]>('GET', '/api/registries').then((r) => { setRegistries(r); setError(''); }, (err) => setError(errorText(err)));
  useEffect(() => void reload(), []);
  const notify = useNotify();
  const remove = async (r: RegistryEntry) => {
    if (!window.confirm(`Remove registry ${r.name}?`)) return;
    try {
      await api('DELETE', regPath(r.name));
      if (chosen === r.name) setChosen(undefined);
      await reload();
    } catch (err) {
      notify(errorText(err), true);
    }
  };
  const columns: Column<RegistryEntry>[] = [
    { key: 'name', label: 'Name', value: (r) => r.name, render: (r) => <button type="button" class="browse" aria-pressed={chosen === r.name} onClick={() => setChosen(r.name)}>{r.name}</button> },
    { key: 'url', label: 'URL', value: (r) => `${r.url}${r.customCa ? ' custom CA' : ''}${r.clientCert ? ' client certificate' : ''}`, render: (r) => <span><code>{r.url}</code>{r.customCa && <span class="badge">custom CA</span>}{r.clientCert && <span class="badge">client certificate</span>}</span> },
    { key: 'user', label: 'User', value: (r) => r.username ?? '', render: (r) => r.username ?? <span class="dim">anonymous</span> },
    ...(role === 'admin' ? [{ key: 'actions', label: 'Actions', render: (r: RegistryEntry) => <button type="button" class="danger" aria-label={`Remove registry ${r.name}`} onClick={() => void remove(r)}>Remove</button> }] : []),
  ];
  const shown = filterRows(registries, columns, query);
  return (
    <section aria-labelledby="registries-title">
      <div class="toolbar">
        <h1 id="registries-title">Registries <span class="dim">({shown.length} of {registries.length})</span></h1>
        <FilterBox id="registries-filter" label="Filter registries" value={query} onChange={setQuery} />
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      <DataTable id="registry-table" caption="Registries" rows={shown} columns={columns} rowKey={(r) => r.name} empty={registries.length ? 'No registries match.' : 'No registries yet.'} />
      {role === 'admin' && <AddRegistry onAdded={(name) => void reload().then(() => setChosen(name))} />}
      {chosen && <Browser key={chosen} registry={chosen} hosts={hosts} role={role} />}
    </section>
  );
}

/** An uncontrolled form: the browser keeps the fields; FormData reads them on submit. */
function AddRegistry({ onAdded }: { onAdded: (name: string) => void }) {
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    setError('');
    try {
      const added = await api<RegistryEntry>('POST', '/api/registries', Object.fromEntries(new FormData(form)));
      form.reset();
      onAdded(added.name);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <details id="add-registry-panel" class="panel">
      <summary>Add a registry</summary>
      <form id="add-registry" class="grid-form" onSubmit={submit} autoComplete="off">
        <label>URL<input name="url" required placeholder="https://registry.example or http://127.0.0.1:5000" /></label>
        <label>Name (optional)<input name="name" placeholder="defaults to host:port" /></label>
        <label>User (optional)<input name="username" /></label>
        <label>Password (optional)<input name="password" type="password" autoComplete="new-password" /></label>
        <label class="wide">CA certificate (PEM, optional: an https registry whose certificate a private CA signed)
          <textarea name="ca" rows={4} spellcheck={false} placeholder="-----BEGIN CERTIFICATE-----" />
        </label>
        <fieldset class="wide">
          <legend>Client certificate (optional, for registries that ask for one)</legend>
          <label>Certificate (PEM)<textarea name="cert" rows={3} spellcheck={false} placeholder="-----BEGIN CERTIFICATE-----" /></label>
          <label>Key (PEM)<textarea name="key" rows={3} spellcheck={false} placeholder="-----BEGIN PRIVATE KEY-----" /></label>
        </fieldset>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary">Add registry</button>
      </form>
    </details>
  );
}

function Browser({ registry, hosts, role }: { registry: string; hosts: HostSummary[]; role: Role }) {
  const [repos, setRepos] = useState<string[]>([]);
  const [next, setNext] = useState<string | undefined>(undefined);
  const [repo, setRepo] = useState<string | undefined>(undefined);
  const [error, setError] = useState('');
  const load = (last?: string) =>
    api<RegistryPage>('GET', `${regPath(registry)}/repositories${last ? `?last=${encodeURIComponent(last)}` : ''}`).then(
      (page) => { setRepos((r) => (last ? [...r, ...page.repositories] : page.repositories)); setNext(page.next); setError(''); },
      (err) => setError(errorText(err)),
    );
  useEffect(() => void load(), []);
  const [repoQuery, setRepoQuery] = useState('');
  const columns: Column<string>[] = [
    { key: 'repository', label: 'Repository', value: (r) => r, render: (r) => <button type="button" class="browse" aria-pressed={repo === r} onClick={() => setRepo(r)}>{r}</button> },
  ];
  const shownRepos = filterRows(repos, columns, repoQuery);
  return (
    <section class="panel" aria-labelledby="browse-title">
      <h2 id="browse-title">Browse {registry}</h2>
      {error && <p id="browse-error" class="error" role="alert">{error}</p>}
      <div class="split">
        <div>
          <h3 id="repos-title">Repositories <span class="dim">({shownRepos.length} of {repos.length}{next ? '+' : ''})</span></h3>
          <FilterBox id="repos-filter" label="Filter repositories" value={repoQuery} onChange={setRepoQuery} />
          <DataTable id="repositories" caption={`Repositories of ${registry}`} rows={shownRepos} columns={columns} rowKey={(r) => r}
            empty={repos.length ? 'No repositories match.' : error ? '' : 'No repositories.'} />
          {next && <button type="button" id="repos-more" onClick={() => void load(next)}>More repositories</button>}
        </div>
        {repo && <Tags key={repo} registry={registry} repo={repo} hosts={hosts} role={role} />}
      </div>
    </section>
  );
}

function Tags({ registry, repo, hosts, role }: { registry: string; repo: string; hosts: HostSummary[]; role: Role }) {
  const [tags, setTags] = useState<string[] | undefined>(undefined);
  const [tag, setTag] = useState('');
  const [host, setHost] = useState('');
  const [error, setError] = useState('');
  const [query, setQuery] = useState('');
  const { progress, busy, pull } = usePull();
  const target = host || hosts.find((h) => h.reachable)?.name || '';
  useEffect(() => {
    api<{ tags: string[] }>('GET', `${regPath(registry)}/tags?repository=${encodeURIComponent(repo)}`).then(
      (t) => { setTags(t.tags); setTag(t.tags.includes('latest') ? 'latest' : (t.tags[0] ?? '')); },
      (err) => setError(errorText(err)),
    );
  }, []);
  const tagColumns: Column<string>[] = [
    { key: 'tag', label: 'Tag', value: (t) => t, render: (t) => <button type="button" class="browse" aria-pressed={tag === t} onClick={() => setTag(t)}>{t}</button> },
  ];
  const submit = (e: Event) => {
    e.preventDefault();
    void pull(`${regPath(registry)}/pull`, { repository: repo, tag, host: target }, `${repo}:${tag} to ${target}`);
  };
  return (
    <div>
      <h3 id="tags-title">Tags of {repo}{tags && <span class="dim"> ({tags.length})</span>}</h3>
      {error && <p class="error" role="alert">{error}</p>}
      {tags === undefined && !error && <p class="dim">Loading…</p>}
      {tags && (
        <>
          <FilterBox id="tags-filter" label="Filter tags" value={query} onChange={setQuery} />
          <DataTable id="tags" caption={`Tags of ${repo}`} rows={filterRows(tags, tagColumns, query)} columns={tagColumns} rowKey={(t) => t}
            empty={tags.length ? 'No tags match.' : 'No tags.'} />
        </>
      )}
      {tags && role !== 'viewer' && (
        <form id="pull-form" class="pull-form" onSubmit={submit}>
          <Choice id="registry-pull-tag" name="tag" label="Tag" showLabel value={tag} onChange={setTag} options={tags.map((t) => ({ value: t, text: t }))} />
          <HostSelect id="registry-pull-host" hosts={hosts} value={target} onChange={setHost} label="To host" />
          <button type="submit" class="primary" disabled={busy || !tag || !target}>{busy ? 'Pulling…' : 'Pull'}</button>
        </form>
      )}
      {progress && <ProgressView id="registry-pull-progress" state={progress} label={`Pulling ${repo}:${tag}`} />}
    </div>
  );
}
