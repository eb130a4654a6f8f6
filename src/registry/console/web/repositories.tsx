/** A project's repositories, each with its tags: size, digest, platforms, push and last pull time, the pull command; deletes where allowed. */
import { useEffect, useState } from 'preact/hooks';
import { useNotify } from '../../../dashboard/web/notices.js';
import { DataTable, type Column } from '../../../dashboard/web/table.js';
import { ago, bytes, isoTime } from '../../../dashboard/web/format.js';
import { call, enc, type Tag, type Tags } from './api.js';
import { CopyField } from './copy.js';

export function Repositories({ project }: { project: string }) {
  const [names, setNames] = useState<string[] | undefined>(undefined);
  const notify = useNotify();
  useEffect(() => {
    call<{ name: string }[]>('GET', `/projects/${enc(project)}/repositories`).then(
      (list) => setNames(list.map((r) => r.name)),
      (err: Error) => notify(err.message, true),
    );
  }, [project]);
  return (
    <section aria-labelledby="repositories-title">
      <h2 id="repositories-title">Repositories</h2>
      {names === undefined ? <p>Loading…</p> : names.length === 0 ? <p>No repositories yet: push to {location.host}/{project}/NAME:TAG.</p> : (
        names.map((name) => <Repository key={name} project={project} name={name} onDeleted={() => setNames(names.filter((n) => n !== name))} />)
      )}
    </section>
  );
}

function Repository({ project, name, onDeleted }: { project: string; name: string; onDeleted: () => void }) {
  const [tags, setTags] = useState<Tags | undefined>(undefined);
  const notify = useNotify();
  const inner = name.slice(project.length + 1);
  const path = `/projects/${enc(project)}/repositories/${enc(inner)}/tags`;
  const load = () => call<Tags>('GET', path).then(setTags, (err: Error) => notify(err.message, true));
  useEffect(() => void load(), [path]);
  const remove = async (tag: Tag) => {
    if (!window.confirm(`Delete ${name}:${tag.name}?`)) return;
    try {
      await call('DELETE', `${path}/${enc(tag.name)}`);
      notify(`Deleted ${name}:${tag.name}`);
      await load();
    } catch (err) {
      notify((err as Error).message, true);
    }
  };
  const removeRepository = async () => {
    if (!window.confirm(`Delete the repository ${name} with all its tags?`)) return;
    try {
      await call('DELETE', `/projects/${enc(project)}/repositories/${enc(inner)}`);
      notify(`Deleted repository ${name}`);
      onDeleted();
    } catch (err) {
      notify((err as Error).message, true);
    }
  };
  const columns: Column<Tag>[] = [
    { key: 'tag', label: 'Tag', value: (t) => t.name, render: (t) => t.name },
    { key: 'size', label: 'Size', value: (t) => t.size, render: (t) => bytes(t.size) },
    { key: 'digest', label: 'Digest', value: (t) => t.digest, render: (t) => <code title={t.digest}>{t.digest.slice(0, 19)}</code> },
    { key: 'platforms', label: 'Platforms', value: (t) => t.platforms.join(' '), render: (t) => t.platforms.join(', ') },
    { key: 'pushed', label: 'Pushed', value: (t) => t.pushed, render: (t) => <time dateTime={isoTime(t.pushed)} title={isoTime(t.pushed)}>{ago(t.pushed)}</time> },
    { key: 'pulled', label: 'Last pull', value: (t) => t.pulled ?? 0, render: (t) => (t.pulled === null ? 'never' : <time dateTime={isoTime(t.pulled)} title={isoTime(t.pulled)}>{ago(t.pulled)}</time>) },
    { key: 'pull', label: 'Pull command', render: (t) => <CopyField value={`docker pull ${location.host}/${name}:${t.name}`} label={`Pull command for ${name}:${t.name}`} /> },
  ];
  if (tags?.can_delete) {
    columns.push({ key: 'actions', label: 'Actions', render: (t) => <button type="button" class="danger" onClick={() => remove(t)}>Delete {t.name}</button> });
  }
  return (
    <section class="repository" aria-label={`Repository ${name}`} data-repository={name}>
      <h3>{name}</h3>
      {tags?.can_delete && <button type="button" class="danger delete-repository" onClick={removeRepository}>Delete repository {name}</button>}
      {tags === undefined ? <p>Loading…</p> : (
        <DataTable id={`tags-${name.replace(/[^a-z0-9]/g, '-')}`} caption={`Tags of ${name}`} rows={tags.tags} columns={columns} rowKey={(t) => t.name}
          initialSort={{ key: 'pushed', desc: true }} empty="No tags." />
      )}
    </section>
  );
}
