/** `berth login` and `berth logout`: registry credentials checked by the daemon (POST /auth), kept as docker keeps them. */
import type { Readable } from 'node:stream';
import type { RegistryAuth } from '../../client/distribution.js';
import { StatusError, write, type CommandContext, type CommandSpec } from '../command.js';
import { eraseCredentials, getCredentials, registryKey, storeCredentials } from '../credentials.js';

export const loginCommand: CommandSpec = {
  path: 'login',
  aliases: ['login'],
  usage: '[OPTIONS] [SERVER]',
  short: 'Log in to a registry',
  args: { kind: 'max', count: 1 },
  flags: [
    { long: 'password', short: 'p', type: 'string', usage: 'Password', valueName: 'string' },
    { long: 'password-stdin', type: 'bool', usage: 'Take the password from stdin' },
    { long: 'username', short: 'u', type: 'string', usage: 'Username', valueName: 'string' },
  ],
  async run(ctx, { flags, args }) {
    const key = registryKey(args[0]);
    let username = flags.username as string;
    let password = flags.password as string;
    if (password && flags['password-stdin']) throw new StatusError('--password and --password-stdin are mutually exclusive', 1);
    if (flags['password-stdin']) {
      if (!username) throw new StatusError('Must provide --username with --password-stdin', 1);
      password = (await readAll(ctx.stdin)).replace(/\r?\n$/, '');
    } else if (password) {
      await write(ctx.stderr, 'WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    }
    const client = await ctx.client();
    if (!username && !password) {
      const stored = await getCredentials(key);
      if (stored) {
        await write(ctx.stdout, 'Authenticating with existing credentials...\n');
        const done = await client.registryLogin({ ...stored, serveraddress: key }).then(() => true, () => false);
        if (done) return succeeded(ctx);
      }
    }
    if (!username || !password) ({ username, password } = await prompt(ctx, username, password));
    const auth: RegistryAuth = { username, password, serveraddress: key };
    const answer = await client.registryLogin(auth);
    const where = await storeCredentials(key, answer.IdentityToken ? { username, identitytoken: answer.IdentityToken } : auth);
    if (!where.helper) {
      await write(ctx.stderr, `\nWARNING! Your credentials are stored unencrypted in '${where.path}'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n`);
    }
    return succeeded(ctx);
  },
};

async function succeeded(ctx: CommandContext): Promise<number> {
  await write(ctx.stdout, 'Login Succeeded\n');
  return 0;
}

export const logoutCommand: CommandSpec = {
  path: 'logout',
  aliases: ['logout'],
  usage: '[SERVER]',
  short: 'Log out from a registry',
  args: { kind: 'max', count: 1 },
  flags: [],
  async run(ctx, { args }) {
    const key = registryKey(args[0]);
    if (!(await getCredentials(key))) {
      await write(ctx.stdout, `Not logged in to ${key}\n`);
      return 0;
    }
    await write(ctx.stdout, `Removing login credentials for ${key}\n`);
    await eraseCredentials(key);
    return 0;
  },
};

/** Asks for what is missing on the terminal (the password without echo); without a terminal that is docker's error. */
async function prompt(ctx: CommandContext, username: string, password: string): Promise<{ username: string; password: string }> {
  const stdin = ctx.stdin as Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => void };
  if (!stdin.isTTY || !stdin.setRawMode) throw new StatusError('Error: Cannot perform an interactive login from a non TTY device', 1);
  if (!username) {
    await write(ctx.stdout, 'Username: ');
    username = (await readLine(stdin)).trim();
    if (!username) throw new StatusError('Error: Non-null Username Required', 1);
  }
  if (!password) {
    await write(ctx.stdout, 'Password: ');
    stdin.setRawMode(true);
    try {
      password = await readLine(stdin);
    } finally {
      stdin.setRawMode(false);
      await write(ctx.stdout, '\n');
    }
    if (!password) throw new StatusError('Error: Password Required', 1);
  }
  return { username, password };
}

/** One line from a terminal; in raw mode (the password, not echoed) ctrl-c aborts and backspace edits. */
function readLine(stdin: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let line = '';
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return finish(() => resolve(line));
        if (ch === '\x03') return finish(() => reject(new StatusError('', 130)));
        if (ch === '\x7f' || ch === '\b') line = line.slice(0, -1);
        else line += ch;
      }
    };
    const finish = (then: () => void) => {
      stdin.off('data', onData);
      stdin.pause();
      then();
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}

async function readAll(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
}
