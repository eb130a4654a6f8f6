/**
 * `berth compose scale db=1 web=2` (the seed's form) and `up --scale`,
 * against a private berthd and a private dockerd 20.10: replicas are numbered
 * `<project>-<service>-<n>`, each replica of a `ports: ["80"]` service gets its
 * own host port and answers on it, scaling up keeps the existing replicas,
 * scaling down removes the highest numbers, and bad specifiers are refused
 * with compose v2's words.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { join } from 'node:path';
import { composeSuite, lines, LOOP, type Target } from './compose-helpers.js';
import { waitForValue } from './harness.js';

const PROJECT = 'csproj';
// Each replica serves its own hostname (the container's short ID), so the test sees which one answered.
const HTTPD = ['sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www'];

function composeFile(): string {
  return JSON.stringify({
    name: PROJECT,
    services: {
      db: { image: 'busybox:latest', command: LOOP },
      web: { image: 'busybox:latest', command: HTTPD, ports: ['80'], depends_on: ['db'] },
    },
  });
}

function fetchText(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path: '/', timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body.trim()));
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
  });
}

async function scenario(t: Target): Promise<void> {
  await writeFile(join(t.dir, 'compose.yaml'), composeFile());
  const replicas = () => lines(t.berth(['ps', '-a', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--filter', 'label=com.docker.compose.service=web', '--format', '{{.Names}}']).stdout).sort();
  const id = (name: string) => t.inspect(name, '{{.Id}}');
  const hostPort = (name: string) => Number(t.inspect(name, '{{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}}'));

  const scaled = lines(t.compose(['scale', 'db=1', 'web=2']).stderr);
  for (const line of [`Container ${PROJECT}-db-1 Started`, `Container ${PROJECT}-web-1 Started`, `Container ${PROJECT}-web-2 Started`]) {
    assert.ok(scaled.includes(line), `missing "${line}" in:\n${scaled.join('\n')}`);
  }
  assert.deepEqual(replicas(), [`${PROJECT}-web-1`, `${PROJECT}-web-2`]);
  assert.equal(t.inspect(`${PROJECT}-web-2`, '{{index .Config.Labels "com.docker.compose.container-number"}}'), '2');
  const ports = [1, 2].map((n) => hostPort(`${PROJECT}-web-${n}`));
  assert.ok(ports.every((p) => p > 0) && ports[0] !== ports[1], `two host ports: ${ports.join(', ')}`);
  for (const [i, port] of ports.entries()) {
    const hostname = t.inspect(`${PROJECT}-web-${i + 1}`, '{{.Config.Hostname}}');
    const body = await waitForValue(`web-${i + 1} on :${port}`, () => fetchText(port));
    assert.equal(body, hostname, `port ${port} answers with replica ${i + 1}`);
  }

  const first = [1, 2].map((n) => id(`${PROJECT}-web-${n}`));
  const up = lines(t.compose(['up', '-d', '--scale', 'web=3']).stderr);
  assert.ok(up.includes(`Container ${PROJECT}-web-3 Started`) && up.includes(`Container ${PROJECT}-web-1 Running`), up.join('\n'));
  assert.deepEqual(replicas(), [1, 2, 3].map((n) => `${PROJECT}-web-${n}`));
  assert.deepEqual([1, 2].map((n) => id(`${PROJECT}-web-${n}`)), first, 'scaling up keeps the existing replicas');

  const down = lines(t.compose(['scale', 'web=1']).stderr);
  assert.ok(down.includes(`Container ${PROJECT}-web-3 Removed`) && down.includes(`Container ${PROJECT}-web-2 Removed`), down.join('\n'));
  assert.deepEqual(replicas(), [`${PROJECT}-web-1`]);
  assert.equal(id(`${PROJECT}-web-1`), first[0]);

  // A plain `up -d` goes back to the file's scale (1), leaving web-1 alone.
  assert.ok(lines(t.compose(['up', '-d']).stderr).includes(`Container ${PROJECT}-web-1 Running`));

  const bad = t.composeRaw(['scale', 'web']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /Invalid scale specifier: web/);
  const unknown = t.composeRaw(['up', '-d', '--scale', 'nope=2']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no such service: nope/);
}

composeSuite('berth compose scale', scenario);
