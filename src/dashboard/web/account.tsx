/**
 * The signed-in user's own account: change the password (the current one,
 * then the new one twice). The server ends the user's other sessions and
 * starts this one afresh, so the page takes the new CSRF token.
 */
import { useState } from 'preact/hooks';
import type { SessionInfo } from '../shared/types.js';
import { api, errorText, setCsrf } from './api.js';
import { useNotify } from './notices.js';

/** The server's minimum (accounts.ts); the form says it before the server has to. */
const MIN_PASSWORD = 8;

export function AccountView({ name }: { name: string }) {
  const notify = useNotify();
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const fields = Object.fromEntries(new FormData(form)) as Record<string, string>;
    setError('');
    if (fields.password !== fields.repeat) return setError('the new passwords differ');
    try {
      const session = await api<SessionInfo>('POST', '/api/password', { current: fields.current, password: fields.password });
      setCsrf(session.csrf);
      form.reset();
      notify('Password changed; your other sessions ended');
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <section aria-labelledby="account-title">
      <div class="toolbar"><h1 id="account-title">Your account</h1></div>
      <p>Signed in as <strong>{name}</strong>.</p>
      <form id="password-form" class="panel grid-form" onSubmit={(e) => void submit(e)}>
        <label>Current password <input name="current" type="password" required autoComplete="current-password" /></label>
        <label>New password <input name="password" type="password" required minLength={MIN_PASSWORD} autoComplete="new-password" /></label>
        <label>Repeat the new password <input name="repeat" type="password" required minLength={MIN_PASSWORD} autoComplete="new-password" /></label>
        {error && <p class="error wide" role="alert">{error}</p>}
        <div class="wide"><button type="submit" class="primary">Change password</button></div>
      </form>
    </section>
  );
}
