/**
 * docker-credential-<name> helpers, called as the docker CLI calls them:
 * `get` and `erase` read the server URL on stdin; `store` reads
 * {"ServerURL", "Username", "Secret"}; `get` answers with the same JSON.
 */
import { spawn } from 'node:child_process';

export interface HelperCredentials {
  ServerURL?: string;
  Username: string;
  Secret: string;
}

/** What helpers print when they hold nothing for a server (docker-credential-helpers' ErrCredentialsNotFound). */
const NOT_FOUND = 'credentials not found in native keychain';
const OUTPUT_LIMIT = 1 << 20;

export async function callHelper(name: string, action: 'get', server: string): Promise<HelperCredentials | undefined>;
export async function callHelper(name: string, action: 'erase', server: string): Promise<undefined>;
export async function callHelper(name: string, action: 'store', server: string, creds: HelperCredentials): Promise<undefined>;
export async function callHelper(name: string, action: 'get' | 'store' | 'erase', server: string, creds?: HelperCredentials): Promise<HelperCredentials | undefined> {
  const program = `docker-credential-${name}`;
  const input = action === 'store' ? JSON.stringify(creds) : server;
  const { code, stdout, stderr } = await run(program, action, input);
  const output = (stdout.trim() || stderr.trim());
  if (code !== 0) {
    if (action === 'get' && output.includes(NOT_FOUND)) return undefined;
    throw new Error(`error ${action === 'get' ? 'getting' : action === 'store' ? 'storing' : 'erasing'} credentials - err: exit status ${code}, out: \`${output}\``);
  }
  if (action !== 'get') return undefined;
  try {
    const parsed = JSON.parse(stdout) as HelperCredentials;
    return parsed.Username || parsed.Secret ? parsed : undefined;
  } catch {
    throw new Error(`error getting credentials - ${program} printed something that is not JSON`);
  }
}

function run(program: string, action: string, input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, [action], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.length > OUTPUT_LIMIT) child.kill();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(new Error(err.code === 'ENOENT' ? `error getting credentials - err: exec: "${program}": executable file not found in $PATH` : err.message));
    });
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}
