/** The sign-in page, and on first run the page that sets the admin's password. */
import { useState } from 'preact/hooks';
import type { SessionInfo } from '../shared/types.js';
import { api, errorText } from './api.js';

export function Login({ setup, onSignedIn }: { setup: boolean; onSignedIn: (s: SessionInfo) => void }) {
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    if (setup && password !== confirm) return setError('The passwords differ.');
    setBusy(true);
    try {
      onSignedIn(await api<SessionInfo>('POST', setup ? '/api/setup' : '/api/login', { username, password }));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <form id="login-form" onSubmit={submit} aria-describedby={error ? 'login-error' : undefined}>
        <h1>berth dashboard</h1>
        {setup && <p>First run: choose the password of the administrator account (at least 8 characters).</p>}
        <label>
          User name
          <input name="username" autocomplete="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete={setup ? 'new-password' : 'current-password'} required minLength={setup ? 8 : undefined}
            value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {setup && (
          <label>
            Repeat the password
            <input name="confirm" type="password" autocomplete="new-password" required value={confirm} onInput={(e) => setConfirm(e.currentTarget.value)} />
          </label>
        )}
        {error && <p id="login-error" class="error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>{setup ? 'Create the admin and sign in' : 'Sign in'}</button>
      </form>
    </main>
  );
}
