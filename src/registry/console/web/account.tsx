/**
 * Changing one's own password (the current one is asked for). The server
 * then ends every session of the account, this one included, so the page
 * signs out and asks to sign in with the new password.
 */
import { useNotify } from '../../../dashboard/web/notices.js';
import { call, enc, type User } from './api.js';
import { PasswordForm } from './users.js';

export function Account({ user, onSignedOut }: { user: User; onSignedOut: () => void }) {
  const notify = useNotify();
  const change = async (password: string, old: string) => {
    try {
      await call('PUT', `/users/${enc(user.username)}/password`, { old_password: old, new_password: password });
      notify('Password changed: sign in again with the new one');
      onSignedOut();
    } catch (err) {
      notify((err as Error).message, true);
    }
  };
  return (
    <section aria-labelledby="account-title">
      <h1 id="account-title">Account {user.username}</h1>
      <PasswordForm id="change-password" title="Change your password" old onSubmit={change} />
    </section>
  );
}
