/** The app shell: session check, login, navigation (hash routes) and the views. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { SessionInfo } from '../shared/types.js';
import { AccountView } from './account.js';
import { api, ApiError, setCsrf, whenSignedOut } from './api.js';
import { ContainerPage } from './container.js';
import { ComposeView } from './compose.js';
import { ContainersView } from './containers.js';
import { EventsView } from './events.js';
import { HostsView } from './hosts.js';
import { ImagesView } from './images.js';
import { useLive } from './live.js';
import { Login } from './login.js';
import { Notices } from './notices.js';
import { RegistriesView } from './registries.js';
import { NETWORKS, ResourceView, VOLUMES } from './resources.js';
import { RunView } from './run.js';
import { UsersView } from './users.js';
import './style.css';

type Auth = { kind: 'loading' } | { kind: 'signed-out'; setup: boolean } | { kind: 'signed-in'; session: SessionInfo };

function useRoute(): string[] {
  const read = () => location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

function App() {
  const [auth, setAuth] = useState<Auth>({ kind: 'loading' });
  const check = () =>
    api<SessionInfo>('GET', '/api/session').then(
      (session) => signedIn(session),
      (err) => setAuth({ kind: 'signed-out', setup: err instanceof ApiError && err.body.setup === true }),
    );
  const signedIn = (session: SessionInfo) => {
    setCsrf(session.csrf);
    setAuth({ kind: 'signed-in', session });
  };
  useEffect(() => {
    whenSignedOut(() => void check());
    void check();
  }, []);
  if (auth.kind === 'loading') return <p class="loading">Loading…</p>;
  if (auth.kind === 'signed-out') return <Login setup={auth.setup} onSignedIn={signedIn} />;
  return <Console session={auth.session} onSignedOut={() => void check()} />;
}

function Console({ session, onSignedOut }: { session: SessionInfo; onSignedOut: () => void }) {
  const live = useLive(onSignedOut);
  const route = useRoute();
  const view = route[0] || 'containers';
  const { name, role } = session.user;
  const nav: Array<[string, string]> = [['containers', 'Containers'], ['hosts', 'Hosts'], ['images', 'Images'], ['networks', 'Networks'], ['volumes', 'Volumes'], ['events', 'Events'], ['compose', 'Compose'], ['registries', 'Registries'], ...(role !== 'viewer' ? [['run', 'Run'] as [string, string]] : []), ...(role === 'admin' ? [['users', 'Users'] as [string, string]] : [])];
  const logout = async () => {
    await api('POST', '/api/logout').catch(() => undefined);
    onSignedOut();
  };
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <span class="brand">berth</span>
        <nav aria-label="Views">
          {nav.map(([path, label]) => (
            <a key={path} href={`#/${path}`} aria-current={view === path ? 'page' : undefined}>{label}</a>
          ))}
        </nav>
        <span class="who">
          <span class={live.connected ? 'dot on' : 'dot'} title={live.connected ? 'live' : 'reconnecting'} aria-label={live.connected ? 'live updates on' : 'live updates reconnecting'} role="img" />
          <a id="whoami" href="#/account" title="Your account" aria-current={view === 'account' ? 'page' : undefined}>{name}</a> <span class="badge">{role}</span>
          <button type="button" id="logout" onClick={() => void logout()}>Sign out</button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        {view === 'hosts' && <HostsView hosts={live.hosts} role={role} />}
        {view === 'users' && role === 'admin' && <UsersView me={name} />}
        {view === 'account' && <AccountView name={name} />}
        {view === 'images' && <ImagesView hosts={live.hosts} role={role} />}
        {view === 'run' && <RunView hosts={live.hosts} role={role} />}
        {view === 'events' && <EventsView hosts={live.hosts} />}
        {view === 'networks' && <ResourceView kind={NETWORKS} hosts={live.hosts} role={role} />}
        {view === 'volumes' && <ResourceView kind={VOLUMES} hosts={live.hosts} role={role} />}
        {view === 'compose' && <ComposeView containers={live.containers} role={role} />}
        {view === 'registries' && <RegistriesView hosts={live.hosts} role={role} />}
        {view === 'container' && route[1] && route[2] && (
          <ContainerPage host={route[1]} id={route[2]} role={role} row={live.containers[route[1]]?.find((c) => c.id === route[2])} />
        )}
        {(view === 'containers' || !nav.some(([path]) => path === view) && view !== 'container' && view !== 'account') && <ContainersView hosts={live.hosts} containers={live.containers} usage={live.usage} role={role} />}
      </main>
    </>
  );
}

render(<Notices><App /></Notices>, document.getElementById('app')!);
