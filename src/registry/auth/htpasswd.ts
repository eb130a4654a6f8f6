/**
 * Basic auth against an htpasswd file of bcrypt entries (what `htpasswd -Bbn`
 * writes), as distribution's htpasswd access controller does. The file is
 * read again when it changes, so users can be added without a restart.
 *
 * No timing oracle: an unknown user is checked against a dummy hash of the
 * same cost, so "no such user" and "wrong password" take the same time.
 */
import { createHash } from 'node:crypto';
import { stat, readFile } from 'node:fs/promises';
import { invalid } from '../../lib/errors.js';

const BCRYPT_RE = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

interface Entries {
  mtimeMs: number;
  users: Map<string, string>;
  /** A hash of a random password at the file's highest cost, compared against for unknown users. */
  dummy: string;
}

/** How many verified credentials to remember (see verify). */
const MAX_REMEMBERED = 1000;

export class Htpasswd {
  private entries?: Entries;
  /**
   * sha256(user, password) of credentials that passed, for this version of
   * the file: clients send Basic auth on every request, and bcrypt on each
   * one would cost milliseconds of CPU per blob. Only successes are kept, so
   * a hit tells a client nothing it did not send itself.
   */
  private readonly verified = new Set<string>();

  constructor(readonly path: string) {}

  /** Reads and checks the file now, so a bad file fails at start-up rather than at the first request. */
  async load(): Promise<void> {
    await this.current();
  }

  /** The user name when the credentials are right, undefined otherwise. */
  async verify(user: string, password: string): Promise<string | undefined> {
    const entries = await this.current();
    const key = createHash('sha256').update(user).update('\0').update(password).digest('hex');
    if (this.verified.has(key)) return user;
    const hash = entries.users.get(user);
    const ok = await (await bcrypt()).compare(password, hash ?? entries.dummy);
    if (!ok || hash === undefined) return undefined;
    if (this.verified.size >= MAX_REMEMBERED) this.verified.clear();
    this.verified.add(key);
    return user;
  }

  private async current(): Promise<Entries> {
    const st = await stat(this.path).catch((err: unknown) => {
      throw invalid(`htpasswd file ${this.path}: ${(err as Error).message}`, err);
    });
    if (this.entries?.mtimeMs === st.mtimeMs) return this.entries;
    const users = parseHtpasswd(await readFile(this.path, 'utf8'), this.path);
    const cost = Math.max(5, ...[...users.values()].map((h) => Number(h.slice(4, 6))));
    const dummy = await (await bcrypt()).hash(Math.random().toString(36), cost);
    this.entries = { mtimeMs: st.mtimeMs, users, dummy };
    this.verified.clear();
    return this.entries;
  }
}

/** bcryptjs, loaded only by a registry that has users (resident memory counts for one that has none). */
async function bcrypt(): Promise<Bcrypt> {
  return (await import('bcryptjs')).default;
}

type Bcrypt = (typeof import('bcryptjs'))['default'];

/** "user:$2y$05$…" lines; blank lines and # comments are skipped; anything but bcrypt is refused. */
export function parseHtpasswd(text: string, source: string): Map<string, string> {
  const users = new Map<string, string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const user = line.slice(0, colon);
    const hash = line.slice(colon + 1);
    if (colon <= 0) throw invalid(`${source}:${i + 1}: expected user:hash`);
    if (!BCRYPT_RE.test(hash)) throw invalid(`${source}:${i + 1}: only bcrypt entries are supported (make them with htpasswd -B)`);
    users.set(user, hash);
  });
  return users;
}

/** user and password from "Authorization: Basic …", or undefined. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const m = header?.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
