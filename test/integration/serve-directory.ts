import { spawn } from 'node:child_process';

/**
 * A static file server in its own process (the tests block in spawnSync, so
 * an in-process server could not answer berthd): python's http.server, which
 * sends Last-Modified from the file's mtime. On `port`, or one the kernel picks; it rejects when the port is taken.
 */
export async function serveDirectory(dir: string, wanted = 0): Promise<{ port: number; close: () => void }> {
  const child = spawn('python3', ['-u', '-m', 'http.server', '--bind', '127.0.0.1', '--directory', dir, String(wanted)], { stdio: ['ignore', 'pipe', 'ignore'] });
  const port = await new Promise<number>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (d: Buffer) => {
      seen += d.toString();
      const match = / port (\d+)/.exec(seen);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', () => reject(new Error(`http.server exited: ${seen}`)));
  });
  return { port, close: () => child.kill() };
}
