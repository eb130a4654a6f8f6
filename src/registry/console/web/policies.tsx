/** #/projects/NAME/policies: a project's retention, immutability and (for its admins) webhooks. */
import { useEffect, useState } from 'preact/hooks';
import { call, enc, type Project, type User } from './api.js';
import { ImmutabilitySection } from './immutability.js';
import { RetentionSection } from './retention.js';
import { WebhooksSection } from './webhooks.js';

export function PoliciesPage({ name, user }: { name: string; user: User | null }) {
  const [project, setProject] = useState<Project | undefined>(undefined);
  const [error, setError] = useState('');
  useEffect(() => void call<Project>('GET', `/projects/${enc(name)}`).then(setProject, (err: Error) => setError(err.message)), [name]);
  if (error) return <p class="error" role="alert">{error}</p>;
  if (!project) return <p>Loading…</p>;
  const manager = user !== null && (user.admin || project.role === 'projectAdmin');
  return (
    <article aria-labelledby="policies-title">
      <p><a href={`#/projects/${enc(name)}`}>← {name}</a></p>
      <h1 id="policies-title">Policies of {name}</h1>
      <RetentionSection project={name} manager={manager} />
      <ImmutabilitySection project={name} manager={manager} />
      {manager && <WebhooksSection project={name} />}
    </article>
  );
}
