/** A project's members and their roles; project admins and the admin add and remove them. */
import { useEffect, useState } from 'preact/hooks';
import { useNotify } from '../../../dashboard/web/notices.js';
import { DataTable, type Column } from '../../../dashboard/web/table.js';
import { call, enc, ROLES, type Member, type Role } from './api.js';

export function Members({ project, manager }: { project: string; manager: boolean }) {
  const [members, setMembers] = useState<Member[]>([]);
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<Role>('developer');
  const notify = useNotify();
  const base = `/projects/${enc(project)}/members`;
  const load = () => call<Member[]>('GET', base).then(setMembers, (err: Error) => notify(err.message, true));
  useEffect(() => void load(), [base]);
  const act = async (what: () => Promise<unknown>, done: string) => {
    try {
      await what();
      notify(done);
      await load();
    } catch (err) {
      notify((err as Error).message, true);
    }
  };
  const add = (e: Event) => {
    e.preventDefault();
    void act(() => call('POST', base, { username, role }), `${username} is now ${role} of ${project}`).then(() => setUsername(''));
  };
  const columns: Column<Member>[] = [
    { key: 'user', label: 'User', value: (m) => m.username, render: (m) => m.username },
    { key: 'role', label: 'Role', value: (m) => m.role, render: (m) => m.role },
  ];
  if (manager) {
    columns.push({
      key: 'actions',
      label: 'Actions',
      render: (m) => <button type="button" onClick={() => act(() => call('DELETE', `${base}/${enc(m.username)}`), `${m.username} removed`)}>Remove {m.username}</button>,
    });
  }
  return (
    <section aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      {manager && (
        <form id="add-member" class="inline" onSubmit={add}>
          <label>
            User
            <input name="member" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
          </label>
          <label>
            Role
            <select name="role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
              {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
            </select>
          </label>
          <button type="submit">Add member</button>
        </form>
      )}
      <DataTable id="members" caption={`Members of ${project}`} rows={members} columns={columns} rowKey={(m) => m.username} empty="No members." />
    </section>
  );
}
