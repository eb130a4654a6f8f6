/**
 * `berth compose ps --format` against docker compose v2 (2.26.1, see
 * scripts/compose-v2.sh) on the same project on one berthd: Go templates
 * with compose's fields, `table TEMPLATE` headers, `json`, and template
 * errors print what compose prints. Only what changes from one second to the
 * next (RunningFor, Status) and Go's random map order (Labels) are compared
 * loosely.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { composeV2Binary, freePort, LOOP, Target } from './compose-helpers.js';
import { run, TestDaemon, waitForValue, type RunResult } from './harness.js';

function projectYaml(port: number): string {
  return `services:
  web:
    image: busybox
    command: ${JSON.stringify(LOOP)}
    healthcheck:
      test: ["CMD", "true"]
      interval: 1s
    ports: ["127.0.0.1:${port}:${port}", "127.0.0.1::80"]
    expose: ["7000", "7001", "7003"]
    volumes: [data:/data, ./www:/www]
    labels: [tier=front]
  job:
    image: busybox
    command: ["sh", "-c", "exit 3"]
volumes:
  data: {}
`;
}

/** Fields that tick with the clock, compared by shape only. */
const TICKING = ['RunningFor', 'Status'];

describe('compose ps --format, berth compose and docker compose v2 on one project', () => {
  let daemon: TestDaemon;
  let dir: string;
  let v2: string;
  let berth: Target;
  const both = (args: string[]): { ours: RunResult; theirs: RunResult } => ({
    ours: berth.composeRaw(['-p', 'fmt', ...args]),
    theirs: run(v2, ['-p', 'fmt', '-f', join(dir, 'compose.yaml'), ...args], undefined, { DOCKER_HOST: daemon.host }),
  });
  const same = (args: string[]): string => {
    const { ours, theirs } = both(args);
    assert.equal(theirs.code, 0, theirs.stderr);
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(ours.stdout, theirs.stdout, args.join(' '));
    return ours.stdout;
  };

  before(async () => {
    v2 = composeV2Binary();
    daemon = await TestDaemon.start();
    dir = await mkdtemp(join(tmpdir(), 'berth-compose-'));
    await mkdir(join(dir, 'www'));
    await writeFile(join(dir, 'compose.yaml'), projectYaml(await freePort()));
    berth = new Target('berthd', daemon.host, dir);
    await berth.importBusybox();
    berth.compose(['-p', 'fmt', 'up', '-d', '--wait', 'web']);
    berth.compose(['-p', 'fmt', 'up', '-d', 'job']);
    await waitForValue('the job to exit', async () => (berth.inspect('fmt-job-1', '{{.State.Status}}') === 'exited' ? true : undefined));
  });

  after(async () => {
    if (daemon) {
      berth?.composeRaw(['-p', 'fmt', 'down', '-v', '-t', '0']);
      await daemon.stop();
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('templates print every field as compose does, table headers included', () => {
    const fields = ['ID', 'Name', 'Names', 'Project', 'Service', 'Image', 'Command', 'CreatedAt', 'Ports', 'State', 'Health', 'ExitCode', 'Publishers', 'Mounts', 'LocalVolumes', 'Networks', 'Size'];
    const out = same(['ps', '-a', '--format', `table ${fields.map((f) => `{{.${f}}}`).join('\\t')}\\t{{.Label "tier"}}`]);
    assert.match(out, /^CONTAINER ID\s+NAME\s+<no value>\s+PROJECT/);
    assert.match(out, /healthy/);
    assert.match(out, /7000-7001\/tcp, 7003\/tcp/);
    same(['ps', '-a', '--format', '{{.Name}} {{json .Publishers}} {{.ExitCode}} {{if eq .Health "healthy"}}ok{{end}} {{.Label "com.docker.compose.service"}}']);
    same(['ps', '--format', 'table {{.Service}}\\t{{.State}}\\t{{.Size}}']);
    same(['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Command}} {{.Mounts}}']);
  });

  test('json is compose\'s object per line, ticking fields and label order aside', () => {
    const { ours, theirs } = both(['ps', '-a', '--format', 'json']);
    assert.equal(ours.code, 0, ours.stderr);
    const parse = (r: RunResult) =>
      r.stdout.trim().split('\n').map((line) => {
        const row = JSON.parse(line) as Record<string, string>;
        for (const f of TICKING) row[f] = typeof row[f];
        row.Labels = row.Labels.split(',').sort().join(',');
        return row;
      });
    assert.deepEqual(parse(ours), parse(theirs));
    // Go's json.Marshal escapes what HTML would read.
    assert.match(ours.stdout, /-\\u003e80\/tcp/);
  });

  test('template errors fail with compose\'s message', () => {
    for (const format of ['{{.Nope}}', '{{.Label}}', '{{.Name']) {
      const { ours, theirs } = both(['ps', '--format', format]);
      assert.equal(ours.code, theirs.code, format);
      assert.notEqual(ours.code, 0);
      assert.equal(ours.stderr.trim(), theirs.stderr.trim(), format);
    }
  });

  test('ls and images take table or json only, as compose', () => {
    for (const cmd of [['ls'], ['images']]) {
      const { ours, theirs } = both([...cmd, '--format', '{{.Name}}']);
      assert.equal(theirs.code, 1);
      assert.equal(ours.code, 1);
      assert.equal(ours.stderr.trim(), theirs.stderr.trim());
    }
    same(['ls', '--format', 'json']);
  });
});
