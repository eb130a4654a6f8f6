/** The sign-in form: POST /api/v1/login sets the session cookie. */
import { useState } from 'preact/hooks';
import { call, type User } from './api.js';

export function Login({ onSignedIn }: { onSignedIn: (u: User) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    try {
      onSignedIn(await call<User>('POST', '/login', { username, password }));
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form id="login-form" class="card narrow" onSubmit={submit}>
      <h1>Sign in</h1>
      <label>
        User name
        <input name="username" autocomplete="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
      </label>
      <label>
        Password
        <input name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      {error && <p class="error" role="alert">{error}</p>}
      <button type="submit" class="primary">Sign in</button>
    </form>
  );
}
