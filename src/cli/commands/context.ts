/** `berth context create|ls|use|rm|inspect|show`: named daemon endpoints (docker's contexts, stored under ~/.berth). */
import { write, type CommandContext, type CommandSpec } from '../command.js';
import { checkContextName, ContextError, DEFAULT_CONTEXT, type ContextInfo, type StoredContext } from '../context/store.js';
import { renderRows, TABLE_KEY } from '../format/formatter.js';
import { DEFAULT_HOST } from '../version-info.js';
import { formatFlag, indentJson } from './common.js';

const DEFAULT_DESCRIPTION = 'Current DOCKER_HOST based configuration';
const LS_TABLE = 'table {{.Name}}{{if .Current}} *{{end}}\t{{.Description}}\t{{.DockerEndpoint}}\t{{.Error}}';
const LS_HEADERS = { Name: 'NAME', Description: 'DESCRIPTION', DockerEndpoint: 'DOCKER ENDPOINT', Error: 'ERROR' };
const ENDPOINT_KEYS = ['from', 'host', 'ca', 'cert', 'key', 'skip-tls-verify'];

/** The default context as the environment makes it (BERTH_HOST/DOCKER_HOST or the default socket). */
function defaultContext(ctx: CommandContext): ContextInfo {
  const host = ctx.env.BERTH_HOST || ctx.env.DOCKER_HOST || DEFAULT_HOST;
  return { Name: DEFAULT_CONTEXT, Metadata: { Description: DEFAULT_DESCRIPTION }, Endpoints: { docker: { Host: host, SkipTLSVerify: false } }, tls: {} };
}

function lookup(ctx: CommandContext, name: string): ContextInfo {
  return name === DEFAULT_CONTEXT ? defaultContext(ctx) : ctx.contexts.get(name);
}

/** `--docker host=…,ca=…,cert=…,key=…,skip-tls-verify=…` (pflag's stringToString: comma-separated key=value). */
function parseEndpoint(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',').filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    if (!ENDPOINT_KEYS.includes(key)) throw new ContextError(`unable to create docker endpoint config: unrecognized config key: ${key}`);
    out[key] = eq < 0 ? '' : part.slice(eq + 1);
  }
  return out;
}

/** A context's TLS files count as present when it has any; paths may start with ~ as docker allows. */
function expandHome(ctx: CommandContext, path: string | undefined): string | undefined {
  return path?.startsWith('~/') ? `${ctx.env.HOME ?? ''}${path.slice(1)}` : path;
}

export const contextCreateCommand: CommandSpec = {
  path: 'context create',
  aliases: ['context create'],
  usage: '[OPTIONS] CONTEXT',
  short: 'Create a context',
  args: { kind: 'exact', count: 1 },
  flags: [
    { long: 'description', type: 'string', usage: 'Description of the context' },
    { long: 'docker', type: 'string', usage: 'set the docker endpoint', valueName: 'stringToString' },
    { long: 'from', type: 'string', usage: 'create context from a named context' },
  ],
  async run(ctx, { flags, args }) {
    const name = args[0]!;
    checkContextName(name);
    if (ctx.contexts.exists(name)) throw new ContextError(`context "${name}" already exists`);
    const endpoint = parseEndpoint((flags.docker as string | undefined) ?? '');
    // Without an endpoint, docker copies the current context's (--from, --docker from=, else the one in use).
    const from = (flags.from as string | undefined) || endpoint.from || (endpoint.host ? undefined : ctx.connection.context);
    const base = from ? lookup(ctx, from) : undefined;
    const host = endpoint.host || base?.Endpoints.docker.Host || (from === DEFAULT_CONTEXT ? ctx.connection.host : DEFAULT_HOST);
    const context: StoredContext = {
      Name: name,
      Metadata: { Description: (flags.description as string | undefined) ?? '' },
      Endpoints: { docker: { Host: host, SkipTLSVerify: endpoint['skip-tls-verify'] === 'true' || (!endpoint.host && !!base?.Endpoints.docker.SkipTLSVerify) } },
    };
    const tls = endpoint.host
      ? { caFile: expandHome(ctx, endpoint.ca), certFile: expandHome(ctx, endpoint.cert), keyFile: expandHome(ctx, endpoint.key) }
      : base?.Name === DEFAULT_CONTEXT ? (ctx.connection.tls ?? {}) : base?.tls ?? {};
    ctx.contexts.save(context, tls);
    await write(ctx.stdout, `${name}\n`);
    await write(ctx.stderr, `Successfully created context "${name}"\n`);
    return 0;
  },
};

export const contextLsCommand: CommandSpec = {
  path: 'context ls',
  aliases: ['context ls', 'context list'],
  usage: '[OPTIONS]',
  short: 'List contexts',
  args: { kind: 'none' },
  flags: [formatFlag(), { long: 'quiet', short: 'q', type: 'bool', usage: 'Only show context names' }],
  async run(ctx, { flags }) {
    const current = ctx.connection.context;
    const contexts = [defaultContext(ctx), ...ctx.contexts.list()];
    const rows = contexts.map((c) => ({
      Name: c.Name,
      Description: c.Metadata.Description ?? '',
      DockerEndpoint: c.Endpoints.docker.Host,
      Current: c.Name === current,
      Error: '',
    }));
    const source = (flags.format as string) || TABLE_KEY;
    const format = flags.quiet ? '{{.Name}}' : source === TABLE_KEY ? LS_TABLE : source;
    await write(ctx.stdout, renderRows(format, rows, LS_HEADERS));
    return 0;
  },
};

export const contextUseCommand: CommandSpec = {
  path: 'context use',
  aliases: ['context use'],
  usage: 'CONTEXT',
  short: 'Set the current berth context',
  args: { kind: 'exact', count: 1 },
  flags: [],
  async run(ctx, { args }) {
    const name = args[0]!;
    if (name !== DEFAULT_CONTEXT) ctx.contexts.get(name);
    ctx.contexts.setCurrent(name);
    await write(ctx.stdout, `${name}\n`);
    await write(ctx.stderr, `Current context is now "${name}"\n`);
    if (name !== DEFAULT_CONTEXT && (ctx.env.BERTH_HOST || ctx.env.DOCKER_HOST)) {
      await write(ctx.stderr, 'Warning: DOCKER_HOST environment variable overrides the active context. To use a context, either set the global --context flag, or unset DOCKER_HOST environment variable.\n');
    }
    return 0;
  },
};

export const contextRmCommand: CommandSpec = {
  path: 'context rm',
  aliases: ['context rm', 'context remove'],
  usage: 'CONTEXT [CONTEXT...]',
  short: 'Remove one or more contexts',
  args: { kind: 'min', count: 1 },
  flags: [{ long: 'force', short: 'f', type: 'bool', usage: 'Force the removal of a context in use' }],
  async run(ctx, { flags, args }) {
    const current = ctx.contexts.current();
    const errors: string[] = [];
    for (const name of args) {
      try {
        if (name === DEFAULT_CONTEXT) throw new ContextError('default: context "default" cannot be removed');
        if (name === current && !flags.force) throw new ContextError(`context "${name}" is in use, set -f flag to force remove`);
        ctx.contexts.remove(name);
        if (name === current) ctx.contexts.setCurrent(DEFAULT_CONTEXT);
        await write(ctx.stdout, `${name}\n`);
      } catch (err) {
        if (!(err instanceof ContextError)) throw err;
        errors.push(err.message);
      }
    }
    if (errors.length > 0) throw new ContextError(errors.join('\n'));
    return 0;
  },
};

export const contextInspectCommand: CommandSpec = {
  path: 'context inspect',
  aliases: ['context inspect'],
  usage: '[OPTIONS] [CONTEXT] [CONTEXT...]',
  short: 'Display detailed information on one or more contexts',
  args: { kind: 'min', count: 0 },
  flags: [formatFlag()],
  async run(ctx, { flags, args }) {
    const names = args.length > 0 ? args : [ctx.connection.context];
    const views = names.map((n) => {
      const c = lookup(ctx, n);
      return {
        Name: c.Name,
        Metadata: c.Metadata,
        Endpoints: { docker: { Host: c.Endpoints.docker.Host, SkipTLSVerify: c.Endpoints.docker.SkipTLSVerify } },
        TLSMaterial: c.tls.caFile || c.tls.certFile ? { docker: ['ca.pem', 'cert.pem', 'key.pem'].filter((_, i) => [c.tls.caFile, c.tls.certFile, c.tls.keyFile][i]) } : {},
        Storage: c.Name === DEFAULT_CONTEXT
          ? { MetadataPath: '<IN MEMORY>', TLSPath: '<IN MEMORY>' }
          : { MetadataPath: ctx.contexts.metaDir(c.Name), TLSPath: ctx.contexts.tlsDir(c.Name).replace(/\/docker$/, '') },
      };
    });
    const format = flags.format as string;
    if (format) await write(ctx.stdout, renderRows(format, views, {}));
    else await write(ctx.stdout, `${indentJson(JSON.stringify(views))}\n`);
    return 0;
  },
};

export const contextShowCommand: CommandSpec = {
  path: 'context show',
  aliases: ['context show'],
  usage: '',
  short: 'Print the name of the current context',
  args: { kind: 'none' },
  flags: [],
  async run(ctx) {
    await write(ctx.stdout, `${ctx.connection.context}\n`);
    return 0;
  },
};
