import { invalid, notImplemented, toEngineError } from '../../lib/errors.js';
import { goQuote } from '../../lib/go-text.js';
import { drained } from '../../lib/streams.js';
import { parseJson } from '../../lib/compression.js';
import type { BuilderService, BuildRequest } from '../../engine/builder/types.js';
import type { Ulimit } from '../../engine/containers/types.js';
import { decodeGo, go, GoTypeError, type GoType } from '../gojson.js';
import { GoSyntaxError, scanGoJson } from '../gojson-scan.js';
import { boolParam, intParam, platformParam } from '../request.js';
import { JsonMessageStream } from '../respond.js';
import { decodeRegistryHeader } from './distribution.js';
import type { Router } from '../router.js';

/**
 * POST /build: the classic builder. The body is the context tar; the query
 * carries the options as the Engine API names them; the answer is a JSON
 * message stream ({"stream": …}, {"aux": {"ID": …}}, {"error": …}). With
 * q=1 only the image ID is sent, unless the build fails: then what it printed
 * comes first, as Docker does. Nothing is sent before the build's first
 * message, so errors found before it (an empty Dockerfile, a bad tag) are
 * HTTP errors, as dockerd's "not flushed yet" rule makes them.
 */
export function buildRoutes(router: Router, { builder }: { builder: BuilderService }): void {
  router.add('POST', '/build', async (req, res) => {
    const request = { ...buildRequestOf(req.query), platform: platformParam(req, '1.32'), registryAuths: decodeRegistryHeader(req.raw.headers['x-registry-config']) as BuildRequest['registryAuths'] };
    const quiet = boolParam(req.query, 'q');
    const version = req.query.get('version');
    if (version && version !== '1') throw notImplemented(`builder version ${JSON.stringify(version)} (BuildKit) is not supported; berth has the classic builder (version "1")`);
    // Headers go out with the first message: an error before it (an empty
    // Dockerfile, a bad tag) is an HTTP error, as dockerd answers it.
    let started: JsonMessageStream | undefined;
    const send = (message: object) => (started ??= new JsonMessageStream(res)).send(message);
    // With q=1 dockerd holds every message back, to replay them only if the build fails.
    const held: object[] = [];
    const show = (message: object) => (quiet ? held.push(message) : send(message));
    const cancelled = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) cancelled.abort();
    });
    const output = {
      stream: (text: string) => show({ stream: text }),
      aux: (value: unknown) => show({ aux: value }),
      progress: (message: object) => (quiet ? undefined : send(message)),
      drained: () => drained(res),
    };
    try {
      const id = await builder.build(req.raw, request, output, cancelled.signal);
      if (quiet) send({ stream: `${id}\n` });
    } catch (err) {
      req.raw.resume(); // an unread context must not hold the connection open
      for (const message of held) send(message);
      if (!started) throw err;
      const error = toEngineError(err);
      const code = (err as { code?: unknown }).code;
      send({ errorDetail: { ...(typeof code === 'number' ? { code } : {}), message: error.message }, error: error.message });
    }
    started?.end();
  });
}

const ULIMITS = go.array(go.struct('units.Ulimit', { Name: go.string, Hard: go.int64, Soft: go.int64 }), '[]*units.Ulimit');

const OUTPUTS = go.array(go.struct('types.ImageBuildOutput', { Type: go.string, Attrs: go.map(go.string) }));

function buildRequestOf(query: URLSearchParams): BuildRequest {
  const isolation = query.get('isolation');
  // Linux has one isolation, "default" (dockerd's Isolation.IsValid).
  if (isolation && isolation.toLowerCase() !== 'default') throw invalid(`Unsupported isolation: ${goQuote(isolation)}`);
  if (jsonParam<unknown[]>(query, 'outputs', [], OUTPUTS).length > 0) throw notImplemented('build outputs (BuildKit\'s --output) are not supported by berth\'s classic builder');
  return {
    tags: query.getAll('t').filter((t) => t !== ''),
    dockerfile: query.get('dockerfile') ?? '',
    buildArgs: jsonParam<Record<string, string | null>>(query, 'buildargs', {}, go.map(go.string, 'map[string]*string'), 'error reading build args'),
    labels: jsonParam<Record<string, string>>(query, 'labels', {}, go.map(go.string), 'error reading labels'),
    noCache: boolParam(query, 'nocache'),
    pull: boolParam(query, 'pull'),
    // rm defaults to true, as the API has since 1.12.
    remove: query.get('rm') === null || query.get('rm') === '' ? true : boolParam(query, 'rm'),
    forceRemove: boolParam(query, 'forcerm'),
    networkMode: query.get('networkmode') ?? '',
    target: query.get('target') || undefined,
    cacheFrom: jsonParam<string[]>(query, 'cachefrom', [], go.array(go.string)),
    extraHosts: query.getAll('extrahosts').flatMap((v) => v.split(',')).filter((v) => v !== ''),
    resources: {
      memory: intParam(query, 'memory'),
      memorySwap: intParam(query, 'memswap'),
      cpuShares: intParam(query, 'cpushares'),
      cpusetCpus: query.get('cpusetcpus') || undefined,
      cpusetMems: query.get('cpusetmems') || undefined,
      cpuPeriod: intParam(query, 'cpuperiod'),
      cpuQuota: intParam(query, 'cpuquota'),
      shmSize: intParam(query, 'shmsize'),
      ulimits: jsonParam<Ulimit[]>(query, 'ulimits', [], ULIMITS, 'error reading ulimit settings'),
    },
    squash: boolParam(query, 'squash'),
    remote: query.get('remote') || undefined,
  };
}

/**
 * A JSON query value, checked as dockerd's json.Unmarshal into its Go type checks it (Go's words, after
 * dockerd's context where it adds one), then taken as plain JSON (build args keep their nulls).
 */
function jsonParam<T>(query: URLSearchParams, name: string, fallback: T, type: GoType, context?: string): T {
  const raw = query.get(name);
  if (raw === null || raw === '' || raw === 'null') return fallback;
  try {
    decodeGo(scanGoJson(raw), type);
  } catch (err) {
    if (err instanceof GoSyntaxError || err instanceof GoTypeError) throw invalid(context ? `${context}: ${err.message}` : err.message);
    throw err;
  }
  return parseJson<T>(raw, name);
}
