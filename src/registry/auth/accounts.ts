/**
 * Users, projects, members and robots of `berth registry serve --console`,
 * kept in one JSON file in the registry's root (mode 0600, written whole and
 * atomically, so a crash leaves the old or the new state). Every change runs
 * under one lock, reads see the state in memory.
 *
 * Passwords are bcrypt hashes; robot secrets are 32 random bytes, so a
 * SHA-256 of them is as safe as bcrypt and costs nothing per login.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../lib/atomic.js';
import { conflict, forbidden, invalid, notFound } from '../../lib/errors.js';
import { Mutex } from '../../lib/mutex.js';
import { isMissing } from '../storage/fs-util.js';
import { isRole, ROBOT_ACTIONS, type Principal, type ProjectPolicy, type RepoAction, type Role } from './permissions.js';

export interface UserRecord {
  passwordHash: string;
  admin: boolean;
  created: string;
  /** Changes with the password: refresh tokens carry it, so a new password revokes them. */
  stamp: string;
}

export interface RobotRecord {
  secretSha256: string;
  actions: RepoAction[];
  description: string;
  created: string;
  /** Unix seconds, or -1 for never (Harbor's convention). */
  expiresAt: number;
}

export interface ProjectRecord extends ProjectPolicy {
  created: string;
  /** Storage limit in bytes; absent for none. */
  quotaBytes?: number;
  robots: Record<string, RobotRecord>;
}

interface State {
  version: 1;
  users: Record<string, UserRecord>;
  projects: Record<string, ProjectRecord>;
}

const USER_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
/** One component of a repository name (distribution's grammar), so a project is always a valid first segment. */
const PROJECT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const ROBOT_RE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
export const MIN_PASSWORD = 8;
const BCRYPT_COST = 10;
const MAX_REMEMBERED = 1000;

export class AccountStore {
  private state: State = { version: 1, users: {}, projects: {} };
  private readonly lock = new Mutex();
  /**
   * sha256(login, password, stamp) of logins that passed: clients log in for
   * every token, and bcrypt costs tens of milliseconds each time. The stamp
   * changes with the password, so an old password stops matching at once.
   */
  private readonly verified = new Set<string>();

  private constructor(readonly path: string) {}

  /**
   * Opens the file; on first start creates the admin (with `adminPassword`)
   * and the public project "library", as Harbor starts.
   */
  static async open(path: string, adminPassword: string | undefined): Promise<AccountStore> {
    const store = new AccountStore(path);
    try {
      store.state = JSON.parse(await readFile(path, 'utf8')) as State;
    } catch (err) {
      if (!isMissing(err)) throw invalid(`cannot read ${path}: ${(err as Error).message}`, err);
      if (adminPassword === undefined) throw invalid('the first start with --console needs the admin password (--admin-password-file or BERTH_REGISTRY_ADMIN_PASSWORD)');
      checkPassword(adminPassword);
      const now = new Date().toISOString();
      store.state.users.admin = { passwordHash: await hash(adminPassword), admin: true, created: now, stamp: newStamp() };
      store.state.projects.library = { public: true, members: {}, robots: {}, created: now };
      await store.save();
    }
    return store;
  }

  // ---- reads ----

  user(name: string): UserRecord | undefined {
    return own(this.state.users, name);
  }

  project(name: string): ProjectRecord | undefined {
    return own(this.state.projects, name);
  }

  userNames(): string[] {
    return Object.keys(this.state.users).sort();
  }

  projectNames(): string[] {
    return Object.keys(this.state.projects).sort();
  }

  /** The principal for a login name and secret, or undefined when they do not match. */
  async authenticate(login: string, secret: string): Promise<Principal | undefined> {
    const robot = login.match(/^robot\$([^+]+)\+(.+)$/);
    if (robot) return this.authenticateRobot(robot[1]!, robot[2]!, secret);
    const user = this.user(login);
    const key = createHash('sha256').update(login).update('\0').update(secret).update('\0').update(user?.stamp ?? '').digest('hex');
    if (user && this.verified.has(key)) return { kind: 'user', name: login, admin: user.admin };
    // An unknown user costs a bcrypt compare too, so timing does not tell which names exist.
    const ok = await (await bcrypt()).compare(secret, user?.passwordHash ?? (await dummy()));
    if (!ok || !user) return undefined;
    if (this.verified.size >= MAX_REMEMBERED) this.verified.clear();
    this.verified.add(key);
    return { kind: 'user', name: login, admin: user.admin };
  }

  private authenticateRobot(project: string, name: string, secret: string): Principal | undefined {
    const robot = this.robot(project, name);
    if (!robot) return undefined;
    const given = createHash('sha256').update(secret).digest();
    if (!timingSafeEqual(given, Buffer.from(robot.secretSha256, 'hex'))) return undefined;
    return { kind: 'robot', name, project, actions: robot.actions };
  }

  /** The principal a token's subject names now (undefined when it was removed or has expired since). */
  principal(subject: string): Principal | undefined {
    const robot = subject.match(/^robot\$([^+]+)\+(.+)$/);
    if (robot) {
      const record = this.robot(robot[1]!, robot[2]!);
      return record ? { kind: 'robot', name: robot[2]!, project: robot[1]!, actions: record.actions } : undefined;
    }
    const user = this.user(subject);
    return user ? { kind: 'user', name: subject, admin: user.admin } : undefined;
  }

  /**
   * What changes when a subject's secret does (a user's stamp, a robot's
   * secret hash): refresh tokens carry it, so a new secret revokes them.
   */
  credentialStamp(subject: string): string | undefined {
    const robot = subject.match(/^robot\$([^+]+)\+(.+)$/);
    return robot ? this.robot(robot[1]!, robot[2]!)?.secretSha256.slice(0, 16) : this.user(subject)?.stamp;
  }

  /** A robot that exists and has not expired. */
  private robot(project: string, name: string): RobotRecord | undefined {
    const p = this.project(project);
    const robot = p && own(p.robots, name);
    if (!robot || (robot.expiresAt !== -1 && robot.expiresAt * 1000 < Date.now())) return undefined;
    return robot;
  }

  // ---- users ----

  createUser(name: string, password: string, admin = false): Promise<void> {
    if (!USER_RE.test(name)) throw invalid(`invalid user name ${JSON.stringify(name)}: letters, digits, ".", "_", "@" and "-", at most 64`);
    checkPassword(password);
    return this.change(async (s) => {
      if (own(s.users, name)) throw conflict(`user ${name} already exists`);
      s.users[name] = { passwordHash: await hash(password), admin, created: new Date().toISOString(), stamp: newStamp() };
    });
  }

  setPassword(name: string, password: string): Promise<void> {
    checkPassword(password);
    return this.change(async (s) => {
      const user = mustUser(s, name);
      user.passwordHash = await hash(password);
      user.stamp = newStamp();
    });
  }

  setAdmin(name: string, admin: boolean): Promise<void> {
    return this.change(async (s) => {
      mustUser(s, name).admin = admin;
    });
  }

  deleteUser(name: string): Promise<void> {
    return this.change(async (s) => {
      mustUser(s, name);
      if (s.users[name]!.admin && Object.values(s.users).filter((u) => u.admin).length === 1) throw forbidden('cannot delete the last admin');
      delete s.users[name];
      for (const p of Object.values(s.projects)) delete p.members[name];
    });
  }

  // ---- projects ----

  createProject(name: string, isPublic: boolean, creator: string | undefined): Promise<void> {
    if (!PROJECT_RE.test(name) || name.length > 255) throw invalid(`invalid project name ${JSON.stringify(name)}: lower-case letters and digits, separated by ".", "_" or "-"`);
    return this.change(async (s) => {
      if (own(s.projects, name)) throw conflict(`project ${name} already exists`);
      const members: Record<string, Role> = creator ? { [creator]: 'projectAdmin' } : {};
      s.projects[name] = { public: isPublic, members, robots: {}, created: new Date().toISOString() };
    });
  }

  setPublic(name: string, isPublic: boolean): Promise<void> {
    return this.change(async (s) => {
      mustProject(s, name).public = isPublic;
    });
  }

  /** Sets the project's storage limit (undefined: none). */
  setQuota(name: string, bytes: number | undefined): Promise<void> {
    if (bytes !== undefined && (!Number.isSafeInteger(bytes) || bytes < 0)) throw invalid('a quota is a number of bytes (0 or more), or none');
    return this.change(async (s) => {
      const p = mustProject(s, name);
      if (bytes === undefined) delete p.quotaBytes;
      else p.quotaBytes = bytes;
    });
  }

  deleteProject(name: string): Promise<void> {
    return this.change(async (s) => {
      mustProject(s, name);
      delete s.projects[name];
    });
  }

  setMember(project: string, user: string, role: Role): Promise<void> {
    if (!isRole(role)) throw invalid(`invalid role ${JSON.stringify(role)}: projectAdmin, maintainer, developer or guest`);
    return this.change(async (s) => {
      mustUser(s, user);
      mustProject(s, project).members[user] = role;
    });
  }

  removeMember(project: string, user: string): Promise<void> {
    return this.change(async (s) => {
      const p = mustProject(s, project);
      if (!own(p.members, user)) throw notFound(`${user} is not a member of project ${project}`);
      delete p.members[user];
    });
  }

  /** Makes a robot and returns its secret, which is shown this once and never stored. */
  async createRobot(project: string, name: string, actions: string[], options: { description?: string; expiresAt?: number } = {}): Promise<string> {
    if (!ROBOT_RE.test(name) || name.length > 64) throw invalid(`invalid robot name ${JSON.stringify(name)}`);
    const bad = actions.find((a) => !(ROBOT_ACTIONS as readonly string[]).includes(a));
    if (bad !== undefined || actions.length === 0) throw invalid(`robot actions must be some of ${ROBOT_ACTIONS.join(', ')}`);
    const secret = randomBytes(32).toString('base64url');
    await this.change(async (s) => {
      const p = mustProject(s, project);
      if (own(p.robots, name)) throw conflict(`robot ${name} already exists in project ${project}`);
      p.robots[name] = {
        secretSha256: createHash('sha256').update(secret).digest('hex'),
        actions: [...new Set(actions)] as RepoAction[],
        description: options.description ?? '',
        created: new Date().toISOString(),
        expiresAt: options.expiresAt ?? -1,
      };
    });
    return secret;
  }

  deleteRobot(project: string, name: string): Promise<void> {
    return this.change(async (s) => {
      const p = mustProject(s, project);
      if (!own(p.robots, name)) throw notFound(`no robot ${name} in project ${project}`);
      delete p.robots[name];
    });
  }

  /** Applies `fn` to a copy and saves it; the state in memory changes only once the file has. */
  private change(fn: (s: State) => Promise<void>): Promise<void> {
    return this.lock.run(async () => {
      const next = structuredClone(this.state);
      await fn(next);
      const previous = this.state;
      this.state = next;
      try {
        await this.save();
      } catch (err) {
        this.state = previous;
        throw err;
      }
    });
  }

  private save(): Promise<void> {
    return writeFileAtomic(this.path, `${JSON.stringify(this.state, null, 2)}\n`, 0o600);
  }
}

/** A record's own entry only: "__proto__" or "constructor" as a name must not reach Object.prototype. */
function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

function mustUser(s: State, name: string): UserRecord {
  const user = own(s.users, name);
  if (!user) throw notFound(`no such user: ${name}`);
  return user;
}

function mustProject(s: State, name: string): ProjectRecord {
  const project = own(s.projects, name);
  if (!project) throw notFound(`no such project: ${name}`);
  return project;
}

export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD) throw invalid(`the password must have at least ${MIN_PASSWORD} characters`);
}

function newStamp(): string {
  return randomBytes(9).toString('base64url');
}

/** A bcrypt hash of a random password, compared against for unknown users (made once, lazily). */
let dummyHash: Promise<string> | undefined;
function dummy(): Promise<string> {
  dummyHash ??= hash(randomBytes(16).toString('hex'));
  return dummyHash;
}

async function hash(password: string): Promise<string> {
  return (await bcrypt()).hash(password, BCRYPT_COST);
}

async function bcrypt(): Promise<(typeof import('bcryptjs'))['default']> {
  return (await import('bcryptjs')).default;
}
