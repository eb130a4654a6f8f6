/**
 * The admin's user management: list, create, delete, set a new password,
 * grant or revoke admin. The server enforces the rules (bcrypt, at least 8
 * characters, never removing the last admin); the page shows its messages.
 */
import { useEffect, useState } from 'preact/hooks';
import { useNotify } from '../../../dashboard/web/notices.js';
import { DataTable, type Column } from '../../../dashboard/web/table.js';
import { call, enc, type User } from './api.js';

/** The server's minimum (auth/accounts.ts); the form says it before the server has to. */
const MIN_PASSWORD = 8;

interface UserRow extends User {
  created: string;
}

export function Users({ me }: { me: User }) {
  const [users, setUsers] = useState<UserRow[] | undefined>(undefined);
  const [resetFor, setResetFor] = useState<string | undefined>(undefined);
  const notify = useNotify();
  const load = () => call<UserRow[]>('GET', '/users').then(setUsers, (err: Error) => notify(err.message, true));
  useEffect(() => void load(), []);
  const act = async (what: () => Promise<unknown>, done: string) => {
    try {
      await what();
      notify(done);
    } catch (err) {
      notify((err as Error).message, true);
    }
    await load();
  };
  const path = (u: UserRow) => `/users/${enc(u.username)}`;
  const columns: Column<UserRow>[] = [
    { key: 'user', label: 'User', value: (u) => u.username, render: (u) => <span>{u.username}{u.username === me.username && ' (you)'}</span> },
    { key: 'admin', label: 'Admin', value: (u) => (u.admin ? 'yes' : 'no'), render: (u) => (u.admin ? 'yes' : 'no') },
    { key: 'created', label: 'Created', value: (u) => u.created, render: (u) => u.created.slice(0, 19).replace('T', ' ') },
    {
      key: 'actions',
      label: 'Actions',
      render: (u) => (
        <span class="row-actions">
          <button type="button" aria-label={`${u.admin ? 'Revoke admin from' : 'Make admin'} ${u.username}`}
            onClick={() => act(() => call('PUT', `${path(u)}/admin`, { admin: !u.admin }), `${u.username} is ${u.admin ? 'no longer' : 'now'} an admin`)}>
            {u.admin ? 'Revoke admin' : 'Make admin'}
          </button>
          <button type="button" aria-label={`Reset the password of ${u.username}`} onClick={() => setResetFor(u.username)}>Reset password</button>
          <button type="button" class="danger" aria-label={`Delete user ${u.username}`}
            onClick={() => window.confirm(`Delete user ${u.username}?`) && act(() => call('DELETE', path(u)), `User ${u.username} deleted`)}>
            Delete
          </button>
        </span>
      ),
    },
  ];
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      <CreateUser onCreated={load} />
      {resetFor !== undefined && (
        <PasswordForm id="reset-password" title={`New password for ${resetFor}`} onCancel={() => setResetFor(undefined)}
          onSubmit={(password) => act(() => call('PUT', `/users/${enc(resetFor)}/password`, { new_password: password }), `Password of ${resetFor} reset; their sessions ended`).then(() => setResetFor(undefined))} />
      )}
      {users === undefined ? <p>Loading…</p> : <DataTable id="users" caption="Users" rows={users} columns={columns} rowKey={(u) => u.username} />}
    </section>
  );
}

function CreateUser({ onCreated }: { onCreated: () => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [admin, setAdmin] = useState(false);
  const [error, setError] = useState('');
  const notify = useNotify();
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    try {
      await call('POST', '/users', { username, password, admin });
      notify(`User ${username} created`);
      setUsername('');
      setPassword('');
      setAdmin(false);
      onCreated();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form id="create-user" class="inline" onSubmit={submit}>
      <label>
        User name
        <input name="username" required autocomplete="off" value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
      </label>
      <label>
        Password
        <input name="password" type="password" required minLength={MIN_PASSWORD} autocomplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      <label class="check">
        <input type="checkbox" name="admin" checked={admin} onChange={(e) => setAdmin(e.currentTarget.checked)} /> Admin
      </label>
      <button type="submit" class="primary">Create user</button>
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
}

/** A new password, typed twice; used for the admin's reset and (with the old one) for changing one's own. */
export function PasswordForm(p: { id: string; title: string; old?: boolean; onSubmit: (password: string, old: string) => Promise<unknown>; onCancel?: () => void }) {
  const [old, setOld] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    if (password !== again) return setError('the two passwords differ');
    setError('');
    await p.onSubmit(password, old);
  };
  return (
    <form id={p.id} class="card inline" onSubmit={submit}>
      <strong>{p.title}</strong>
      {p.old && (
        <label>
          Current password
          <input name="old_password" type="password" required autocomplete="current-password" value={old} onInput={(e) => setOld(e.currentTarget.value)} />
        </label>
      )}
      <label>
        New password
        <input name="new_password" type="password" required minLength={MIN_PASSWORD} autocomplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      <label>
        Repeat it
        <input name="repeat_password" type="password" required minLength={MIN_PASSWORD} autocomplete="new-password" value={again} onInput={(e) => setAgain(e.currentTarget.value)} />
      </label>
      <button type="submit" class="primary">Set password</button>
      {p.onCancel && <button type="button" onClick={p.onCancel}>Cancel</button>}
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
}
