/** One project: its visibility and quota, repositories with their tags, members and robot accounts. */
import { useEffect, useState } from 'preact/hooks';
import { useNotify } from '../../../dashboard/web/notices.js';
import { call, enc, type Project, type User } from './api.js';
import { Members } from './members.js';
import { ProxyFact, ProxySettings } from './proxy-cache.js';
import { Replication } from './replication.js';
import { QuotaBar, QuotaEditor } from './quota.js';
import { Repositories } from './repositories.js';
import { Robots } from './robots.js';

export function ProjectPage({ name, user }: { name: string; user: User | null }) {
  const [project, setProject] = useState<Project | undefined>(undefined);
  const [error, setError] = useState('');
  /** Bumped when the admin saves the upstream, so its summary reloads. */
  const [proxyVersion, setProxyVersion] = useState(0);
  const notify = useNotify();
  const load = () => call<Project>('GET', `/projects/${enc(name)}`).then(setProject, (err: Error) => setError(err.message));
  useEffect(() => void load(), [name]);
  if (error) return <p class="error" role="alert">{error}</p>;
  if (!project) return <p>Loading…</p>;
  const manager = user !== null && (user.admin || project.role === 'projectAdmin');
  const member = user !== null && (user.admin || project.role !== undefined);
  const setPublic = async (pub: boolean) => {
    try {
      await call('PUT', `/projects/${enc(name)}`, { public: pub });
      notify(`Project ${name} is now ${pub ? 'public' : 'private'}`);
      await load();
    } catch (err) {
      notify((err as Error).message, true);
    }
  };
  return (
    <article aria-labelledby="project-title">
      <h1 id="project-title">{name}</h1>
      <dl class="facts">
        <dt>Access</dt>
        <dd>
          {manager ? (
            <label class="check">
              <input type="checkbox" id="project-public" checked={project.public} onChange={(e) => setPublic(e.currentTarget.checked)} /> Public (anyone may pull)
            </label>
          ) : project.public ? 'public' : 'private'}
        </dd>
        {project.role && (<><dt>Your role</dt><dd id="project-role">{project.role}</dd></>)}
        {manager && <ProxyFact key={proxyVersion} project={name} />}
        <dt>Storage used</dt>
        <dd><QuotaBar project={project} /></dd>
      </dl>
      {member && <p><a id="project-policies" href={`#/projects/${enc(name)}/policies`}>Retention, immutability and webhooks</a></p>}
      {user?.admin && <QuotaEditor key={project.quota_bytes} project={project} onChanged={load} />}
      {user?.admin && <ProxySettings project={name} onSaved={() => setProxyVersion(proxyVersion + 1)} />}
      <Repositories project={name} />
      {member && <Members project={name} manager={manager} />}
      {manager && <Robots project={name} />}
      {manager && <Replication project={name} />}
    </article>
  );
}
