/** Search across the projects the caller may see (the server applies the catalog's visibility rule). */
import { useEffect, useState } from 'preact/hooks';
import { useNotify } from '../../../dashboard/web/notices.js';
import { DataTable, type Column } from '../../../dashboard/web/table.js';
import { call, enc } from './api.js';

interface RepoHit {
  name: string;
  project: string | null;
  tags: number;
}

interface SearchResult {
  query: string;
  projects: { name: string; public: boolean }[];
  repositories: RepoHit[];
}

const REPO_COLUMNS: Column<RepoHit>[] = [
  {
    key: 'name',
    label: 'Repository',
    value: (r) => r.name,
    render: (r) => (r.project ? <a href={`#/projects/${enc(r.project)}`}>{r.name}</a> : r.name),
  },
  { key: 'tags', label: 'Tags', value: (r) => r.tags, render: (r) => r.tags },
];

/** `query` comes from the route (#/search?q=…), so a search can be linked to and survives a reload. */
export function Search({ query }: { query: string }) {
  const [term, setTerm] = useState(query);
  const [result, setResult] = useState<SearchResult | undefined>(undefined);
  const notify = useNotify();
  useEffect(() => {
    setTerm(query);
    if (query.trim() === '') return setResult(undefined);
    call<SearchResult>('GET', `/search?q=${enc(query)}`).then(setResult, (err: Error) => notify(err.message, true));
  }, [query]);
  const submit = (e: Event) => {
    e.preventDefault();
    location.hash = `#/search?q=${enc(term)}`;
  };
  return (
    <section aria-labelledby="search-title">
      <h1 id="search-title">Search</h1>
      <form id="search-form" class="inline" role="search" onSubmit={submit}>
        <label>
          Project or repository name contains
          <input name="q" type="search" required value={term} onInput={(e) => setTerm(e.currentTarget.value)} />
        </label>
        <button type="submit" class="primary">Search</button>
      </form>
      {result && (
        <>
          <h2>Projects</h2>
          {result.projects.length === 0 ? <p id="search-projects-none">No projects match.</p> : (
            <ul id="search-projects">
              {result.projects.map((p) => <li key={p.name}><a href={`#/projects/${enc(p.name)}`}>{p.name}</a> ({p.public ? 'public' : 'private'})</li>)}
            </ul>
          )}
          <h2>Repositories</h2>
          <DataTable id="search-repositories" caption={`Repositories matching ${result.query}`} rows={result.repositories} columns={REPO_COLUMNS} rowKey={(r) => r.name} empty="No repositories match." />
        </>
      )}
    </section>
  );
}
