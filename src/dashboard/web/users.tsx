/** Admins manage users: add, change role, set a new password, remove. */
import { useEffect, useState } from 'preact/hooks';
import type { Role } from '../shared/types.js';
import { api, errorText } from './api.js';
import { FilterBox } from './fields.js';
import { isoTime } from './format.js';
import { useNotify } from './notices.js';
import { DataTable, filterRows, type Column } from './table.js';

interface User {
  name: string;
  role: Role;
  created: string;
}

const ROLES: Role[] = ['admin', 'operator', 'viewer'];

export function UsersView({ me }: { me: string }) {
  const [users, setUsers] = useState<User[]>([]);
  const [query, setQuery] = useState('');
  const notify = useNotify();
  const reload = () => api<User[]>('GET', '/api/users').then(setUsers, (err) => notify(errorText(err), true));
  useEffect(() => void reload(), []);
  const change = async (what: string, call: () => Promise<unknown>) => {
    try {
      await call();
      notify(what);
    } catch (err) {
      notify(errorText(err), true);
    }
    await reload();
  };
  const path = (u: User) => `/api/users/${encodeURIComponent(u.name)}`;
  const columns: Column<User>[] = [
    { key: 'name', label: 'Name', value: (u) => u.name, render: (u) => <span>{u.name}{u.name === me && <span class="badge">you</span>}</span> },
    {
      key: 'role', label: 'Role', value: (u) => u.role,
      render: (u) => (
        <select aria-label={`Role of ${u.name}`} value={u.role} onChange={(e) => {
          const role = e.currentTarget.value;
          void change(`${u.name} is now ${role}`, () => api('PATCH', path(u), { role }));
        }}>
          {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
        </select>
      ),
    },
    { key: 'created', label: 'Created', value: (u) => u.created, render: (u) => isoTime(Date.parse(u.created) / 1000) },
    {
      key: 'actions', label: 'Actions',
      render: (u) => (
        <span class="row-actions">
          <button type="button" aria-label={`Set a new password for ${u.name}`} onClick={() => {
            const password = window.prompt(`New password for ${u.name} (at least 8 characters)`);
            if (password) void change(`Password of ${u.name} changed`, () => api('PATCH', path(u), { password }));
          }}>New password</button>
          <button type="button" class="danger" aria-label={`Remove user ${u.name}`} onClick={() => {
            if (window.confirm(`Remove user ${u.name}?`)) void change(`Removed ${u.name}`, () => api('DELETE', path(u)));
          }}>Remove</button>
        </span>
      ),
    },
  ];
  return (
    <section aria-labelledby="users-title">
      <div class="toolbar">
        <h1 id="users-title">Users</h1>
        <FilterBox id="users-filter" label="Filter users" value={query} onChange={setQuery} />
      </div>
      <DataTable id="user-table" caption="Users" rows={filterRows(users, columns, query)} columns={columns} rowKey={(u) => u.name} />
      <AddUser onAdded={reload} />
    </section>
  );
}

function AddUser({ onAdded }: { onAdded: () => void }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [error, setError] = useState('');
  const notify = useNotify();
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    try {
      await api('POST', '/api/users', { name, password, role });
      notify(`Added ${name} (${role})`);
      setName('');
      setPassword('');
      onAdded();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form id="add-user" class="panel grid-form" onSubmit={submit}>
      <h2>Add a user</h2>
      <label>Name<input name="name" required value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
      <label>Password<input name="password" type="password" autocomplete="new-password" required minLength={8} value={password}
        onInput={(e) => setPassword(e.currentTarget.value)} /></label>
      <label>Role
        <select name="role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
          {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
        </select>
      </label>
      {error && <p class="error" role="alert">{error}</p>}
      <button type="submit" class="primary">Add user</button>
    </form>
  );
}
