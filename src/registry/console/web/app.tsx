/**
 * The registry console: hash routes (#/ projects, #/projects/NAME, #/audit,
 * #/users, #/gc, #/search?q=, #/account, #/login) over the management API. Anonymous visitors see public projects;
 * what a signed-in user may change is decided by the server, and the UI only
 * hides what the server would refuse.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Notices } from '../../../dashboard/web/notices.js';
import { call, type User } from './api.js';
import { Account } from './account.js';
import { Audit } from './audit.js';
import { GarbageCollection } from './gc.js';
import { Search } from './search.js';
import { Users } from './users.js';
import { Login } from './login.js';
import { PoliciesPage } from './policies.js';
import { ProjectPage } from './project.js';
import { Projects } from './projects.js';
import '../../../dashboard/web/style.css';
import './style.css';

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const update = () => setHash(location.hash);
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return hash;
}

function App() {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const hash = useHash();
  useEffect(() => {
    // 401: nobody is signed in, and the console shows what anonymous callers may see.
    call<User>('GET', '/users/current').then(setUser, () => setUser(null));
  }, []);
  if (user === undefined) return <p class="loading">Loading…</p>;
  const signOut = async () => {
    await call('POST', '/logout');
    setUser(null);
    location.hash = '#/';
  };
  const project = /^#\/projects\/([^/]+)$/.exec(hash)?.[1];
  const policies = /^#\/projects\/([^/]+)\/policies$/.exec(hash)?.[1];
  let page;
  if (hash === '#/login') page = <Login onSignedIn={(u) => { setUser(u); location.hash = '#/'; }} />;
  else if (hash === '#/audit' && user?.admin) page = <Audit />;
  else if (policies !== undefined && user) page = <PoliciesPage key={policies} name={decodeURIComponent(policies)} user={user} />;
  else if (hash === '#/users' && user?.admin) page = <Users me={user} />;
  else if (hash === '#/gc' && user?.admin) page = <GarbageCollection />;
  else if (hash === '#/account' && user) page = <Account user={user} onSignedOut={() => { setUser(null); location.hash = '#/login'; }} />;
  else if (hash.startsWith('#/search')) page = <Search query={new URLSearchParams(hash.split('?')[1] ?? '').get('q') ?? ''} />;
  else if (project !== undefined) page = <ProjectPage key={project} name={decodeURIComponent(project)} user={user} />;
  else page = <Projects user={user} />;
  return (
    <Notices>
      <header class="top">
        <a href="#/" class="brand">berth registry</a>
        <nav aria-label="Main">
          <a href="#/">Projects</a>
          <a href="#/search">Search</a>
          {user?.admin && <a href="#/audit">Audit log</a>}
          {user?.admin && <><a href="#/users">Users</a><a href="#/gc">Garbage collection</a></>}
        </nav>
        <span class="who">
          {user ? (
            <>
              <a href="#/account" id="signed-in-as">{user.username}{user.admin ? ' (admin)' : ''}</a>
              <button type="button" onClick={signOut}>Sign out</button>
            </>
          ) : (
            <a href="#/login" id="sign-in">Sign in</a>
          )}
        </span>
      </header>
      <main id="main">{page}</main>
    </Notices>
  );
}

render(<App />, document.getElementById('app')!);
