/**
 * Dashboard users: a name, a role and a bcrypt hash, kept in users.json.
 * Roles: admin (everything, including users and hosts), operator (acts on
 * containers), viewer (reads only).
 */
import bcrypt from 'bcryptjs';
import { conflict, invalid, notFound } from '../../lib/errors.js';
import { JsonFile } from './json-file.js';

export const ROLES = ['admin', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const MIN_PASSWORD_LENGTH = 8;
const BCRYPT_COST = 10;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

interface StoredUser {
  name: string;
  role: Role;
  hash: string;
  created: string;
}

export interface PublicUser {
  name: string;
  role: Role;
  created: string;
}

/** Refuses a password weaker than the minimum (only length is checked: no composition rules). */
export function checkPassword(password: unknown): string {
  if (typeof password !== 'string' || [...password].length < MIN_PASSWORD_LENGTH) {
    throw invalid(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  return password;
}

export function checkRole(role: unknown): Role {
  if (!ROLES.includes(role as Role)) throw invalid(`role must be one of ${ROLES.join(', ')}`);
  return role as Role;
}

/** Whether `role` may do what `needed` may: admin ⊇ operator ⊇ viewer. */
export function roleAllows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) <= ROLES.indexOf(needed);
}

export class Accounts {
  /** Compared against when the user does not exist, so a wrong name costs as long as a wrong password. */
  private static readonly dummyHash = bcrypt.hashSync('not a password', BCRYPT_COST);

  private constructor(private readonly file: JsonFile<StoredUser[]>, private users: StoredUser[]) {}

  static async open(path: string): Promise<Accounts> {
    const file = new JsonFile<StoredUser[]>(path);
    return new Accounts(file, await file.load([]));
  }

  isEmpty(): boolean {
    return this.users.length === 0;
  }

  list(): PublicUser[] {
    return this.users.map(({ name, role, created }) => ({ name, role, created })).sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): PublicUser | undefined {
    return this.list().find((u) => u.name === name);
  }

  /** `stillAllowed` is checked again once the password is hashed (other requests ran meanwhile). */
  async create(name: unknown, password: unknown, role: unknown, stillAllowed: () => void = () => undefined): Promise<PublicUser> {
    if (typeof name !== 'string' || !NAME.test(name)) throw invalid('user name must be 1-64 letters, digits or ._@- and start with a letter or digit');
    const checkedRole = checkRole(role);
    const hash = await bcrypt.hash(checkPassword(password), BCRYPT_COST);
    stillAllowed();
    if (this.users.some((u) => u.name === name)) throw conflict(`user ${name} already exists`);
    const user = { name, role: checkedRole, hash, created: new Date().toISOString() };
    this.users = [...this.users, user];
    await this.file.save(this.users);
    return { name, role: checkedRole, created: user.created };
  }

  /**
   * The first-run admin: refused once any account exists, including one a
   * parallel setup made while this one's password was being hashed.
   */
  async createFirstAdmin(name: unknown, password: unknown): Promise<PublicUser> {
    const onlyFirst = () => {
      if (!this.isEmpty()) throw conflict('the dashboard is already set up');
    };
    onlyFirst();
    return this.create(name, password, 'admin', onlyFirst);
  }

  /** The user when `password` is theirs, else undefined. */
  async verify(name: string, password: string): Promise<PublicUser | undefined> {
    const user = this.users.find((u) => u.name === name);
    const ok = await bcrypt.compare(password, user?.hash ?? Accounts.dummyHash);
    return ok && user ? { name: user.name, role: user.role, created: user.created } : undefined;
  }

  async update(name: string, change: { role?: unknown; password?: unknown }): Promise<PublicUser> {
    const user = this.find(name);
    const role = change.role === undefined ? user.role : checkRole(change.role);
    if (user.role === 'admin' && role !== 'admin') this.keepAnAdmin(name);
    const hash = change.password === undefined ? user.hash : await bcrypt.hash(checkPassword(change.password), BCRYPT_COST);
    this.users = this.users.map((u) => (u.name === name ? { ...u, role, hash } : u));
    await this.file.save(this.users);
    return { name, role, created: user.created };
  }

  async remove(name: string): Promise<void> {
    if (this.find(name).role === 'admin') this.keepAnAdmin(name);
    this.users = this.users.filter((u) => u.name !== name);
    await this.file.save(this.users);
  }

  private find(name: string): StoredUser {
    const user = this.users.find((u) => u.name === name);
    if (!user) throw notFound(`no such user: ${name}`);
    return user;
  }

  /** The dashboard must never lose its last admin: nobody could manage users again. */
  private keepAnAdmin(leaving: string): void {
    if (!this.users.some((u) => u.role === 'admin' && u.name !== leaving)) throw conflict('cannot remove or demote the last admin');
  }
}
