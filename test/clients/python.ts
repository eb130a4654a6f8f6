/**
 * The Python Docker SDK (Debian python3-docker 5.0.3) against berthd and a
 * private dockerd 20.10: each case is a function of test/clients/py/*.py; one
 * python process per script runs its cases with DOCKER_HOST set and prints what
 * the SDK gave back as JSON; the expectations below are dockerd's answers (the
 * dockerd run checks them). The python3 on PATH may be a pyenv one without the SDK, so
 * Debian's /usr/bin/python3 is used by path.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT, run } from '../integration/harness.js';
import { runAsync, type Target } from './targets.js';

const PYTHON = '/usr/bin/python3';
const NOT_MANAGER = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';
const refused = (explanation: string) => ({ status: 400, explanation });

type Script = 'flows' | 'behaviours' | 'highlevel';
type Outcome = { result?: any; error?: string };

/** Runs cases of a script (all when none are named) against a target in one python process and returns what each printed. */
async function runScript(target: Target, script: Script, cases: string[] = []): Promise<Record<string, Outcome>> {
  const env = { DOCKER_HOST: target.host, DOCKER_TLS_VERIFY: '', DOCKER_CERT_PATH: '' };
  const r = await runAsync(PYTHON, [join(ROOT, 'test', 'clients', 'py', `${script}.py`), ...cases], env);
  if (r.code !== 0) throw new Error(`${script}.py on ${target.kind} exited ${r.code}:\n${r.stderr}\n${target.log().slice(-3000)}`);
  return JSON.parse(r.stdout);
}

/**
 * One run of the scripts per target, shared by the cases that read from it.
 * The case of clients going away runs on its own, after every other client's
 * cases (pythonGoingAway): today it can take berthd down.
 */
const runs = new Map<string, Promise<Record<string, Outcome>>>();
function targetRun(target: Target): Promise<Record<string, Outcome>> {
  let outcomes = runs.get(target.host);
  if (!outcomes) {
    const both = async () => {
      const flows = await runScript(target, 'flows');
      const highlevel = await runScript(target, 'highlevel');
      return { ...flows, ...highlevel, ...(await runScript(target, 'behaviours', BEHAVIOURS.map((c) => c.name))) };
    };
    outcomes = both();
    runs.set(target.host, outcomes);
  }
  return outcomes;
}

async function outcome(target: Target, script: Script, name: string, outcomes: Promise<Record<string, Outcome>>): Promise<any> {
  const found = (await outcomes)[name];
  assert.ok(found, `${script}.py printed nothing for ${name}`);
  if (found.error) assert.fail(`${script}.py ${name} on ${target.kind} raised:\n${found.error}\n${target.log().slice(-3000)}`);
  return found.result;
}

function sdkSkipReason(): string | undefined {
  return run(PYTHON, ['-c', 'import docker']).code === 0 ? undefined : `${PYTHON} has no docker module (apt-get install python3-docker)`;
}

interface Case {
  title: string;
  script: Script;
  name: string;
  expect(result: any): void;
}

const FLOWS: Case[] = [
  {
    title: 'containers.run returns stdout, raises ContainerError with stderr, remove=True leaves nothing',
    script: 'flows', name: 'run_remove',
    expect: (r) => assert.deepEqual(r, { output: 'hi\n', failed: { exit_status: 3, stderr: 'oops\n' }, left: 0 }),
  },
  {
    title: 'run(detach=True), logs by stream and tail, kill, wait 137, remove',
    script: 'flows', name: 'run_detach_logs',
    expect: (r) => assert.deepEqual(r, { status: 'running', stdout: 'one\n', stderr: 'two\n', tail: 'last\n', wait: { Error: null, StatusCode: 137 }, after_remove: 404 }),
  },
  {
    title: 'exec_run: tty False (multiplexed), tty True (raw), demux=True separates stdout and stderr, env and workdir',
    script: 'flows', name: 'exec_run',
    expect: (r) => assert.deepEqual(r, {
      plain: { exit_code: 3, lines: ['err', 'out'] },
      tty: { exit_code: 3, output: 'out\r\nerr\r\n' },
      demux: { exit_code: 3, stdout: 'out\n', stderr: 'err\n' },
      env: '1 /tmp\n',
    }),
  },
  {
    title: 'exec_run of a missing binary: exit code 126 and runc\'s message in the output, not an APIError',
    script: 'flows', name: 'exec_missing_binary',
    expect: (r) => {
      assert.equal(r.exit_code, 126);
      assert.match(r.output, /^OCI runtime exec failed: .*"nosuchbinary": executable file not found in \$PATH/);
    },
  },
  {
    title: 'attach(stream=True, logs=True) to a created container gets all it prints once started',
    script: 'flows', name: 'attach',
    expect: (r) => assert.deepEqual(r, { streamed: ['err', 'hello'], status: 0 }),
  },
  {
    title: 'images.list/get/tag/remove; ContainerConfig present; a missing image is 404',
    script: 'flows', name: 'images',
    expect: (r) => {
      assert.deepEqual({ ...r, missing: r.missing.status }, {
        listed: true, by_name: [true], has_container_config: true, cmd: ['sh'], tagged_id_matches: true, tags_after_tag: true, after_remove: 404, missing: 404,
      });
      // dockerd 20.10 says it twice ("no such image: x: No such image: x"); the issue asks for no more than the 404.
      assert.match(r.missing.explanation, /No such image: nosuch-image:latest$/);
    },
  },
  {
    title: 'networks and volumes: create with labels, list, get, remove',
    script: 'flows', name: 'networks_volumes',
    expect: (r) => assert.deepEqual(r, {
      network_listed: true, network_driver: 'bridge', network_labels: { case: 'sdk' }, network_after_remove: 404,
      volume_listed: true, volume_driver: 'local', volume_labels: { case: 'sdk' }, volume_after_remove: 404,
    }),
  },
  {
    title: 'stats(stream=False) has every section, networks for a container on a network',
    script: 'flows', name: 'stats',
    expect: (r) => {
      assert.deepEqual(r.keys, ['blkio_stats', 'cpu_stats', 'memory_stats', 'networks', 'pids_stats', 'precpu_stats', 'preread', 'read']);
      assert.deepEqual(r.networks, ['eth0']);
      assert.equal(r.has_usage, true);
      assert.equal(r.id_matches, true);
      assert.match(r.name, /^\/[a-z]+_[a-z]+$/);
    },
  },
  {
    title: 'low-level APIClient: version, create with host_config, start, wait, logs, inspect, list',
    script: 'flows', name: 'low_level',
    expect: (r) => assert.deepEqual(r, {
      ping: true, version_keys: ['ApiVersion', 'Arch', 'Os', 'Version'], warnings: [], status: { Error: null, StatusCode: 5 },
      logs: 'hello\n', memory: 67108864, name: true, listed: true,
    }),
  },
];

/** A name with the case's unique part (pid and clock) made generic, and a container id made "<id>". */
const generic = (text: string) => text.replace(/(sdk-[a-z-]+?)-\d+-\d+/g, '$1-N').replace(/\b[0-9a-f]{64}\b/g, '<id>').replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT');
const genericJson = (value: unknown) => JSON.parse(generic(JSON.stringify(value)));

const HIGH_LEVEL: Case[] = [
  {
    title: 'images.build: path and fileobj contexts, buildargs, target, labels (a LABEL step each), the logs, BuildError with its message',
    script: 'highlevel', name: 'build',
    expect: (r) => assert.deepEqual(genericJson(r), {
      tags: ['sdk-build-N:latest'], labels: { case: 'sdk', stage: 'base' }, run: 'hi\nls: /final: No such file or directory\n',
      log_keys: ['aux', 'stream'],
      steps: ['Step 1/5 : FROM busybox AS base', 'Step 2/5 : ARG GREETING=none', 'Step 3/5 : RUN echo "$GREETING" > /greeting', 'Step 4/5 : LABEL stage=base', 'Step 5/5 : LABEL case=sdk'],
      successfully_built: true, successfully_tagged: true, from_file_env: true, from_file_cmd: ['env'],
      failing_run: { type: 'BuildError', msg: "The command '/bin/sh -c echo bad >&2; exit 7' returned a non-zero code: 7", last_log_has_error: true },
      missing_base: { type: 'BuildError', msg: 'Get "http://127.0.0.1:PORT/v2/": dial tcp 127.0.0.1:PORT: connect: connection refused', last_log_has_error: true },
    }),
  },
  {
    title: 'images.push/pull with a docker-registry 2.8 on loopback; a missing tag or image is an error in the push stream',
    script: 'highlevel', name: 'registry',
    expect: (r) => {
      const missing = 'An image does not exist locally with the tag: 127.0.0.1:PORT/sdk/nothing';
      assert.deepEqual(genericJson(r), {
        push_statuses: ['Preparing', 'Pushed', 'Pushing', 'The push refers to repository [127.0.0.1:PORT/sdk/busybox]', 'v1'],
        push_aux_keys: [['Digest', 'Size', 'Tag']], push_aux_tag: ['v1'], pulled_same: true,
        pulled_tags: ['127.0.0.1:PORT/sdk/busybox:v1'], all_tags: [['127.0.0.1:PORT/sdk/busybox:v1']],
        missing_tag: { status: 404, explanation: 'manifest for 127.0.0.1:PORT/sdk/busybox:nosuch not found: manifest unknown: manifest unknown' },
        push_missing_tag: ['tag does not exist: 127.0.0.1:PORT/sdk/busybox:nosuch'],
        push_no_local_tag: [{ status: 'The push refers to repository [127.0.0.1:PORT/sdk/nothing]' }, { errorDetail: { message: missing }, error: missing }],
      });
    },
  },
  {
    title: 'image.history(), save() then images.load(), images.prune of a dangling image',
    script: 'highlevel', name: 'history_save_load_prune',
    expect: (r) => assert.deepEqual(genericJson(r), {
      history_keys: ['Comment', 'Created', 'CreatedBy', 'Id', 'Size', 'Tags'],
      history_created_by: ['h -c #(nop)  ENV A=1', 'in/sh -c echo x > /x', ''],
      history_tags: [['sdk-hist-N:latest'], null, ['busybox:latest']], history_ids_missing: [false, false, false],
      saved_has_manifest: true, gone: 404, loaded_tags: [['sdk-hist-N:latest']], loaded_same: [true],
      pruned_keys: ['ImagesDeleted', 'SpaceReclaimed'], pruned_dangling: true, dangling_gone: 404,
    }),
  },
  {
    title: 'containers.run with ports, volumes, environment, healthcheck, restart policy, limits, ulimits, user, workdir, entrypoint',
    script: 'highlevel', name: 'run_options',
    expect: (r) => assert.deepEqual(genericJson(r), {
      seen: ['1000', '1000', '/data', '1 two words', '1024/2048', 'sdkhost', 'from host', 'Read-only file system'],
      health: { status: 'healthy', keys: ['FailingStreak', 'Log', 'Status'], log_keys: ['End', 'ExitCode', 'Output', 'Start'], last_exit: 0 },
      host: {
        Memory: 67108864, NanoCpus: 500000000, CpuShares: 512, RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 },
        Ulimits: [{ Name: 'nofile', Hard: 2048, Soft: 1024 }], NetworkMode: 'sdk-run-N',
      },
      binds: ['/data:rw', '/host:ro'], mounts: [['bind', '/host', false], ['volume', '/data', true]],
      config: {
        User: '1000:1000', WorkingDir: '/data', Labels: { case: 'sdk' }, Entrypoint: ['/bin/sh', '-c', 'echo started; exec sleep 300', 'ignored'],
        Cmd: ['sh', '-c', 'echo started; exec sleep 300'], Hostname: 'sdkhost',
      },
      healthcheck: { Test: ['CMD-SHELL', 'test -e /tmp/healthy'], Interval: 100000000, Timeout: 5000000000, Retries: 50 },
      port_keys: ['80/tcp', '81/tcp', '82/udp'], port_80: ['127.0.0.1'], port_81_bound: true, port_82_count: 4,
      exposed: ['80/tcp', '81/tcp', '82/udp'], ports_property: ['80/tcp', '81/tcp', '82/udp'],
    }),
  },
  {
    title: 'run with network_mode none and container:<id>, auto_remove with wait(condition="removed"), wait(condition="not-running")',
    script: 'highlevel', name: 'run_modes',
    expect: (r) => assert.deepEqual(r, {
      shared_hostname: true, none_links: ['lo'], auto_remove_wait: { Error: null, StatusCode: 0 }, auto_gone: 404,
      not_running: { Error: null, StatusCode: 4 },
    }),
  },
  {
    title: 'exec_run with stream, stream+demux, socket, user, environment list and workdir; a missing user exits 126',
    script: 'highlevel', name: 'exec_streams',
    expect: (r) => assert.deepEqual(r, {
      stream_exit_code: null, stream_lines: ['a', 'b', 'c'], demux: { stdout: 'out\n', stderr: 'err\n' },
      socket_frame_header: [1, 0, 0, 0, 0, 0, 0, 11], socket_payload: 'via socket\n',
      user: { exit_code: 0, output: ['65534', '1 2', '/etc'] },
      missing_user: { exit_code: 126 },
    }),
  },
  {
    title: 'put_archive, get_archive (file type bits in the tar mode, stat), export (with dockerd\'s init layer), diff',
    script: 'highlevel', name: 'archives',
    expect: (r) => {
      const missing = { status: 404, explanation: 'Could not find the file /nosuch in container <id>' };
      assert.deepEqual(genericJson(r), {
        put: true, stat: { name: 'put.txt', size: 11, mode: 416, linkTarget: '' }, stat_mtime: '2020-09-13T12:26:40Z',
        dir_stat: { name: 'tmp', mode: 2148532735 }, got: { name: 'put.txt', mode: '0o100640', body: 'put by sdk\n' },
        missing_get: missing, missing_put: missing,
        export_has: ['.dockerenv', 'bin/sh', 'dev/console', 'dev/pts', 'dev/shm', 'etc/mtab', 'etc/passwd', 'newdir', 'tmp/put.txt'],
        diff: [[0, '/etc'], [0, '/etc/passwd'], [0, '/tmp'], [1, '/newdir'], [1, '/tmp/put.txt'], [2, '/etc/group']],
      });
    },
  },
  {
    title: 'commit with changes and conf, update (the restart policy\'s count shown), rename, stats(decode=True)',
    script: 'highlevel', name: 'changes',
    expect: (r) => assert.deepEqual(genericJson(r), {
      committed: {
        tags: ['sdk-commit-N:v2'], comment: 'by sdk', author: 'sdk <sdk@example.com>', cmd: ['cat', '/c'], env_has: true, labels: { via: 'changes' }, run: 'committed\n',
      },
      update: { Warnings: null },
      updated: { Memory: 134217728, MemorySwap: 268435456, CpuShares: 256, RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 } },
      renamed: true,
      rename_taken: {
        status: 409,
        explanation: 'Conflict. The container name "/sdk-renamed-N" is already in use by container "<id>". You have to remove (or rename) that container to be able to reuse that name.',
      },
      stats_second_has_precpu: true,
      stats_keys: ['blkio_stats', 'cpu_stats', 'id', 'memory_stats', 'name', 'num_procs', 'pids_stats', 'precpu_stats', 'preread', 'read', 'storage_stats'],
    }),
  },
  {
    title: 'logs with tail, timestamps, since and until',
    script: 'highlevel', name: 'logs_options',
    expect: (r) => assert.deepEqual(r, {
      tail2: 'line3\nline4\n', tail0: '', timestamped: ['line1', 'line2', 'line3', 'line4'], ts_shape: true,
      since_future: '', until_past: '', since_past: ['line1', 'line2', 'line3', 'line4'],
    }),
  },
  {
    title: 'networks: create with IPAM and options, connect with aliases and ipv4_address, reload, containers, disconnect, prune',
    script: 'highlevel', name: 'networks_high_level',
    expect: (r) => assert.deepEqual(genericJson(r), {
      ipam: [{ Subnet: '10.231.0.0/24', Gateway: '10.231.0.254' }], attachable: true, options: { 'com.docker.network.driver.mtu': '1400' },
      labels: { case: 'sdk' }, members: [true],
      endpoint: { aliases: ['svc', 'svc2'], ipam: { IPv4Address: '10.231.0.7' }, ip: '10.231.0.7', gateway: '10.231.0.254' },
      seen: ['10.231.0.7/24', '1400'],
      duplicate: { status: 409, explanation: 'network with name sdk-ipam-N already exists' },
      bad_mtu: 'failed to parse com.docker.network.driver.mtu value: abc (strconv.Atoi: parsing "abc": invalid syntax)',
      connect_again: { status: 403, explanation: 'endpoint with name <name> already exists in network sdk-ipam-N' },
      after_disconnect: 0,
      // dockerd answers 500; berth 403 (a client's mistake, as connect_again): the SDK raises APIError on both.
      disconnect_again: { status: r.disconnect_again.status, explanation: 'container <id> is not connected to network sdk-ipam-N' },
      pruned: true, pruned_keys: ['NetworksDeleted'],
    }),
  },
  {
    title: 'volumes: create with driver_opts (tmpfs) and labels, in use is 409, prune at API 1.41 removes named ones too',
    script: 'highlevel', name: 'volumes_high_level',
    expect: (r) => assert.deepEqual(r, {
      options: { device: 'tmpfs', o: 'size=1m', type: 'tmpfs' }, labels: { case: 'sdk' }, scope: 'local', size_kb: '1024',
      in_use_status: 409, dangling_in_use: [], pruned_keys: ['SpaceReclaimed', 'VolumesDeleted'], pruned_anonymous: true, pruned_named: true, left_named: false,
    }),
  },
  {
    title: 'client.df(), info(), version() and events(decode=True) with filters, since and until',
    script: 'highlevel', name: 'system',
    expect: (r) => assert.deepEqual(r, {
      event_actions: ['create', 'start', 'die', 'destroy'], event_keys: ['Action', 'Actor', 'Type', 'from', 'id', 'scope', 'status', 'time', 'timeNano'],
      event_actor_keys: ['Attributes', 'ID'], event_label: true, event_status_matches: true,
      df_keys: ['BuildCache', 'BuilderSize', 'Containers', 'Images', 'LayersSize', 'Volumes'],
      df_image_keys: ['Containers', 'Created', 'Id', 'Labels', 'ParentId', 'RepoDigests', 'RepoTags', 'SharedSize', 'Size', 'VirtualSize'],
      df_volumes_type: 'list', df_build_cache_type: 'NoneType',
      info_has: ['CgroupDriver', 'CgroupVersion', 'Containers', 'DefaultRuntime', 'DockerRootDir', 'Driver', 'ID', 'Images', 'KernelVersion', 'MemTotal', 'NCPU', 'Name', 'OperatingSystem', 'Plugins', 'RegistryConfig', 'Runtimes', 'SecurityOptions', 'ServerVersion', 'Swarm', 'Warnings'],
      info_swarm_state: 'inactive',
      version_keys: ['ApiVersion', 'Arch', 'BuildTime', 'Components', 'GitCommit', 'GoVersion', 'KernelVersion', 'MinAPIVersion', 'Os', 'Platform', 'Version'],
      version_components: ['Engine'], api_version: true, min_api: '1.12',
    }),
  },
];

const BEHAVIOURS: Case[] = [
  {
    title: 'GET /plugins is 200 [] and a missing plugin 404',
    script: 'behaviours', name: 'plugins',
    expect: (r) => assert.deepEqual(r, { list: [], models: 0, missing: { status: 404, explanation: 'plugin "nosuch" not found' } }),
  },
  {
    title: 'swarm endpoints answer 503 "not a swarm manager" (leave: "not part of a swarm")',
    script: 'behaviours', name: 'swarm',
    expect: (r) => {
      const manager = { status: 503, explanation: NOT_MANAGER };
      assert.deepEqual(r, {
        inspect_swarm: manager, nodes: manager, services: manager, tasks: manager, secrets: manager, configs: manager,
        leave_swarm: { status: 503, explanation: 'This node is not part of a swarm' },
      });
    },
  },
  {
    title: 'create validation: APIError 400 with dockerd\'s message, and no container made',
    script: 'behaviours', name: 'create_validation',
    expect: (r) => {
      assert.deepEqual(r.refused, {
        env_leading_equals: refused('invalid environment variable: =foo'),
        env_empty: refused('invalid environment variable: '),
        env_only_equals: refused('invalid environment variable: ='),
        link_missing: refused('could not get container for nosuch: No such container: nosuch'),
        volumes_from_missing: refused('No such container: nosuch'),
        health_interval: refused('Interval in Healthcheck cannot be less than 1ms'),
        health_retries: refused('Retries in Healthcheck cannot be negative'),
        oom_score_adj: refused('Invalid value 2000, range for oom score adj is [-1000, 1000]'),
        cpu_period: refused('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)'),
        cpuset_mems: { status: 400, explanation: r.refused.cpuset_mems.explanation },
        dns_shared_net: refused('conflicting options: dns and the network mode'),
        mac_shared_net: refused('conflicting options: mac-address and the network mode'),
        hosts_shared_net: refused('conflicting options: custom host-to-IP mapping and the network mode'),
        ports_shared_net: refused('conflicting options: port publishing and the container type network mode'),
      });
      // The nodes available depend on the host.
      assert.match(r.refused.cpuset_mems.explanation, /^Requested memory nodes are not available - requested 99, available: [0-9,-]+$/);
      assert.equal(r.made, 0);
    },
  },
  {
    title: 'a tag named sha256 and malformed bodies are refused with 400',
    script: 'behaviours', name: 'refused_requests',
    expect: (r) => assert.deepEqual(r, {
      tag_digest: refused('refusing to create an ambiguous tag using digest algorithm as name'),
      volume_empty_body: refused('got EOF while reading request body'),
      volume_truncated: refused('unexpected EOF'),
      network_truncated: refused('unexpected EOF'),
      network_array: refused('json: cannot unmarshal array into Go value of type types.NetworkCreateRequest'),
      container_null: refused('Config cannot be empty in order to create a container'),
    }),
  },
  {
    title: 'an import refused before any output raises in the SDK: a bad change, a tarball that is not one',
    script: 'behaviours', name: 'refused_imports',
    expect: (r) => assert.deepEqual(r, { changes: refused('Invalid containerPort: 5-3'), garbage_raised: true, image_after_garbage: 404 }),
  },
  {
    // dockerd 20.10 on this host says IpcMode "private" at API 1.39 and 1.41 alike (cgroup v1 too).
    title: 'inspect of a created container has dockerd\'s defaults: ShmSize, IpcMode, MaskedPaths, ReadonlyPaths',
    script: 'behaviours', name: 'inspect_defaults',
    expect: (r) => {
      const { MaskedPaths: masked, ...rest } = r as { MaskedPaths: string[] };
      assert.deepEqual(rest, {
        ShmSize: 67108864, IpcMode: 'private', Privileged: false,
        ReadonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
      });
      // Every path dockerd 20.10 masks; berth also masks the two later Docker releases added
      // (/proc/interrupts, /sys/devices/virtual/powercap), so more is allowed, never fewer.
      const dockerd = ['/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware'];
      for (const path of dockerd) assert.ok(masked.includes(path), `${path} masked`);
      assert.deepEqual(masked.filter((p) => !dockerd.includes(p)).sort(), masked.length > dockerd.length ? ['/proc/interrupts', '/sys/devices/virtual/powercap'] : []);
    },
  },
  {
    title: 'exec start\'s JSON body is not fed to stdin: cat echoes only what was typed',
    script: 'behaviours', name: 'exec_body_not_stdin',
    expect: (r) => assert.deepEqual(r, { stdout: 'typed\n', stderr: '', exit_code: 0 }),
  },
];

const GOING_AWAY: Case[] = [
  {
    title: 'clients that close, reset or stall exec/attach/logs/stats/events streams leave the daemon answering',
    script: 'behaviours', name: 'early_close',
    expect: (r) => {
      const fine = { ping: true, status: 'running' };
      assert.deepEqual(r, {
        exec_read_then_close: fine, exec_reset: fine, while_stalled: fine, exec_stall_then_close: fine,
        attach_close: fine, attach_reset: fine, logs_follow: fine, stats_stream: fine, events: fine, exec_after_all: 'still here\n',
      });
    },
  },
];

/** The SDK's everyday flows and issue 13's behaviours, against one target. */
export function pythonCases(target: () => Target): void {
  describe('Python Docker SDK', { skip: sdkSkipReason(), concurrency: true }, () => {
    for (const c of [...FLOWS, ...HIGH_LEVEL, ...BEHAVIOURS]) test(c.title, async () => c.expect(await outcome(target(), c.script, c.name, targetRun(target()))));
  });
}

/** Python clients that close, reset or stall streams: declared after every other client's cases. */
export function pythonGoingAway(target: () => Target): void {
  for (const c of GOING_AWAY) {
    test(`Python Docker SDK: ${c.title}`, { skip: sdkSkipReason() }, async () => {
      c.expect(await outcome(target(), c.script, c.name, runScript(target(), c.script, [c.name])));
    });
  }
}
