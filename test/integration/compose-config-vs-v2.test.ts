/**
 * `berth compose config` against docker compose v2's (2.26.1, the peer of
 * compose-v2-peer.test.ts) on the same files: the YAML and JSON they print
 * byte for byte (key order, sizes in bytes, durations, labels as maps, a
 * secret's default target, health checks as CMD-SHELL…), and the exit codes
 * and words of projects they refuse. No engine is involved.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { composeV2Binary } from './compose-helpers.js';
import { ROOT, run, type RunResult } from './harness.js';

/** Most of what a service, a network, a volume, a secret and a config can say, in both short and long forms. */
const PROJECT = `x-common: &common
  restart: unless-stopped
  labels: [team=core]
services:
  web:
    <<: *common
    image: nginx:\${TAG:-1.25}
    ports: ["8080:80", "127.0.0.1:9000-9001:9000-9001/udp", {target: 443, published: "8443"}]
    environment: [A=1, B]
    env_file: [web.env]
    depends_on:
      db: {condition: service_healthy}
    volumes:
      - ./html:/usr/share/nginx/html:ro
      - data:/data
      - {type: tmpfs, target: /cache, tmpfs: {size: 1m}}
    healthcheck: {test: curl -f http://localhost, interval: 30s, start_period: 5s}
    deploy:
      replicas: 2
      labels: [x=y]
      resources:
        limits: {cpus: "0.5", memory: 256M, pids: 10}
        reservations: {memory: 10m}
      restart_policy: {condition: on-failure, max_attempts: 3, delay: 5s}
    ulimits: {nofile: {soft: 1024, hard: 2048}, nproc: 65535}
    logging: {driver: json-file, options: {max-size: 10m}}
    networks:
      front: {aliases: [www], ipv4_address: 10.5.0.10}
    extra_hosts: ["h:1.2.3.4"]
    cgroup_parent: p
    cpuset: "0"
    cpu_shares: 5
    mem_limit: 256m
    stop_grace_period: 90s
    tmpfs: /run
  db:
    build: {context: ./ctx, dockerfile: D, args: [X=1], labels: {l: v}, target: t}
    command: --bind-address=0.0.0.0
    healthcheck: {test: ["CMD", "true"]}
    sysctls: {net.core.somaxconn: 1024}
    networks: [back]
    secrets: [dbpass]
    configs: [{source: cfg, target: /etc/cfg}, inline]
    labels: {n: "y"}
volumes:
  data: {driver: local, driver_opts: {type: tmpfs}, labels: {a: b}}
networks:
  front:
    ipam: {driver: default, config: [{subnet: 10.5.0.0/24, gateway: 10.5.0.1, aux_addresses: {h: 10.5.0.2}}]}
    labels: [k=v]
    attachable: true
  back: {internal: true}
secrets:
  dbpass: {file: ./secret.txt}
configs:
  cfg: {file: ./cfg.txt}
  inline: {content: hello}
`;

describe('berth compose config, side by side with docker compose v2', () => {
  let v2 = '';
  let dir = '';
  /** Outside `dir`: no compose file in it or above it. */
  let empty = '';
  const berth = (args: string[], cwd = dir): RunResult => run(process.execPath, [join(ROOT, 'bin', 'berth'), 'compose', '--project-directory', cwd, ...args]);
  const theirs = (args: string[], cwd = dir): RunResult => run(v2, ['--project-directory', cwd, ...args]);

  before(() => {
    v2 = composeV2Binary();
    dir = mkdtempSync(join(tmpdir(), 'berth-config-v2-'));
    empty = mkdtempSync(join(tmpdir(), 'berth-config-v2-empty-'));
    for (const sub of ['html', 'ctx']) mkdirSync(join(dir, sub));
    writeFileSync(join(dir, 'web.env'), 'C=3\n');
    writeFileSync(join(dir, 'secret.txt'), 's\n');
    writeFileSync(join(dir, 'cfg.txt'), 'c\n');
    writeFileSync(join(dir, 'compose.yaml'), PROJECT);
  });
  after(() => {
    for (const d of [dir, empty]) if (d) rmSync(d, { recursive: true, force: true });
  });

  test('print the same YAML and JSON', () => {
    for (const args of [['config'], ['config', '--format', 'json']]) {
      const [ours, ref] = [berth(args), theirs(args)];
      assert.equal(ref.code, 0, ref.stderr);
      assert.equal(ours.code, 0, ours.stderr);
      assert.equal(ours.stdout, ref.stdout, `compose ${args.join(' ')}`);
    }
  });

  test('refuse the same projects with the same exit codes and words', () => {
    const cases: Array<[string, string]> = [
      ['services: {a: {image: x, networks: [nope]}}', 'undefined network'],
      ['services: {a: {image: x, volumes: ["nope:/x"]}}', 'undefined volume'],
      ['services: {a: {image: x, secrets: [nope]}}', 'undefined secret'],
      ['services: {a: {image: x, configs: [nope]}}', 'undefined config'],
      ['services: {a: {command: x}}', 'neither an image nor a build'],
      ['services: {a: {image: x, depends_on: [b]}, b: {image: y, depends_on: [a]}}', 'dependency cycle'],
      ['services: {a: {image: x, env_file: nope.env}}', 'env file'],
      ['services: {a: {image: x, bogus: 1}}', 'bogus'],
      ['services: {a: {image: x, mem_limit: 1m, deploy: {resources: {limits: {cpus: 1}}}}}', "can't set distinct values on 'mem_limit'"],
      ['services: {a: {image: x, cpus: 1, deploy: {resources: {limits: {cpus: 2}}}}}', "can't set distinct values on 'cpus'"],
      ['services: {a: {image: x, mem_reservation: 1m, deploy: {resources: {reservations: {memory: 2m}}}}}', "can't set distinct values on 'mem_reservation'"],
      ['services: {a: {image: x, pids_limit: 5, deploy: {resources: {limits: {pids: 6}}}}}', "can't set distinct values on 'pids_limit'"],
    ];
    for (const [yaml, words] of cases) {
      const case_ = mkdtempSync(join(dir, 'bad-'));
      writeFileSync(join(case_, 'compose.yaml'), yaml);
      const [ours, ref] = [berth(['config', '-q'], case_), theirs(['config', '-q'], case_)];
      assert.ok(ref.code !== 0 && ref.stderr.includes(words), `v2 on ${yaml}: ${ref.code} ${ref.stderr}`);
      assert.equal(ours.code, ref.code, `${yaml}: ${ours.stderr}`);
      assert.ok(ours.stderr.includes(words), `${yaml}: ${ours.stderr}`);
    }
    // The same fragment goes through with --no-consistency.
    const fragment = mkdtempSync(join(dir, 'fragment-'));
    writeFileSync(join(fragment, 'compose.yaml'), 'services: {a: {command: x, volumes: ["nope:/x"]}}');
    assert.equal(berth(['config', '--no-consistency'], fragment).stdout, theirs(['config', '--no-consistency'], fragment).stdout);
    // No file at all (nor in a parent directory): 14; a flag it does not know: 16, in the same words.
    for (const args of [['config'], ['ps', '--bogus']]) {
      const [ours, ref] = [berth(args, empty), theirs(args, empty)];
      assert.deepEqual([ours.code, ours.stderr.trim()], [ref.code, ref.stderr.trim()], args.join(' '));
    }
  });
});
