/** `berth version`: client and server versions, rendered by docker's template through a 20-wide tabwriter. */
import { FORMAT_HELP_OBJECT, formatFlag } from './common.js';
import type { VersionResponse } from '../../client/types.js';
import { MAX_API_VERSION } from '../../client/client.js';
import { write, type CommandSpec } from '../command.js';
import { DOCKER_VERSION, tabwrite } from '../format/table.js';
import { compileTemplate } from '../format/template.js';
import { finalTemplate } from '../format/formatter.js';
import { BERTH_VERSION } from '../version-info.js';
import { describeError } from './errors.js';

const DEFAULT_TEMPLATE = `{{with .Client -}}
Client:{{if ne .Platform.Name ""}} {{.Platform.Name}}{{end}}
 Version:\t{{.Version}}
 API version:\t{{.APIVersion}}{{if ne .APIVersion .DefaultAPIVersion}} (downgraded from {{.DefaultAPIVersion}}){{end}}
 Node version:\t{{.NodeVersion}}
 OS/Arch:\t{{.Os}}/{{.Arch}}
 Context:\t{{.Context}}
{{- end}}

{{- if .Server}}{{with .Server}}

Server:{{if ne .Platform.Name ""}} {{.Platform.Name}}{{end}}
 {{- range $component := .Components}}
 {{$component.Name}}:
  {{- if eq $component.Name "Engine" }}
  Version:\t{{.Version}}
  API version:\t{{index .Details "ApiVersion"}} (minimum version {{index .Details "MinAPIVersion"}})
  Go version:\t{{index .Details "GoVersion"}}
  Git commit:\t{{index .Details "GitCommit"}}
  Built:\t{{index .Details "BuildTime"}}
  OS/Arch:\t{{index .Details "Os"}}/{{index .Details "Arch"}}
  Experimental:\t{{index .Details "Experimental"}}
  {{- else }}
  Version:\t{{$component.Version}}
  {{- $detailsOrder := getDetailsOrder $component}}
  {{- range $key := $detailsOrder}}
  {{$key}}:\t{{index $component.Details $key}}
   {{- end}}
  {{- end}}
 {{- end}}
 {{- end}}{{- end}}`.replaceAll('\\t', '\t');

const GO_ARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm' };

function clientVersion(apiVersion: string) {
  return {
    Platform: { Name: '' },
    Version: BERTH_VERSION,
    APIVersion: apiVersion,
    DefaultAPIVersion: MAX_API_VERSION,
    NodeVersion: process.version,
    Os: process.platform,
    Arch: GO_ARCH[process.arch] ?? process.arch,
    Context: 'default',
  };
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** docker's reformatDate: RFC 3339 build times are shown in Go's ANSIC layout (`Thu May  7 21:09:36 2026`). */
export function reformatDate(text: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!match) return text;
  const [, y, mo, d, h, mi, sec] = match;
  // The layout prints the wall clock of the stated offset, so no zone conversion.
  const weekday = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d))).getUTCDay();
  return `${DAYS[weekday]} ${MONTHS[Number(mo) - 1]} ${String(Number(d)).padStart(2, ' ')} ${h}:${mi}:${sec} ${y}`;
}

function reformatEngineBuildTime(server: VersionResponse): VersionResponse {
  const components = (server.Components ?? []).map((c) =>
    c.Name === 'Engine' && c.Details?.BuildTime ? { ...c, Details: { ...c.Details, BuildTime: reformatDate(c.Details.BuildTime) } } : c,
  );
  return { ...server, Components: components };
}

/** Old daemons answer without Components; docker synthesises the Engine one. */
function withComponents(server: VersionResponse): VersionResponse {
  if (server.Components && server.Components.length > 0) return reformatEngineBuildTime(server);
  const details: Record<string, string> = {
    ApiVersion: server.ApiVersion,
    Arch: server.Arch,
    BuildTime: server.BuildTime ?? '',
    Experimental: String(server.Experimental ?? false),
    GitCommit: server.GitCommit,
    GoVersion: server.GoVersion,
    KernelVersion: server.KernelVersion ?? '',
    MinAPIVersion: server.MinAPIVersion ?? '',
    Os: server.Os,
  };
  return reformatEngineBuildTime({ ...server, Platform: server.Platform ?? { Name: '' }, Components: [{ Name: 'Engine', Version: server.Version, Details: details }] });
}

/**
 * Templates see docker's Go struct, whose field is APIVersion although the
 * JSON key is ApiVersion: expose the Go name too, hidden from {{json}}.
 */
function withGoFieldNames(server: VersionResponse): VersionResponse {
  const out = { ...server };
  Object.defineProperty(out, 'APIVersion', { value: server.ApiVersion, enumerable: false });
  return out;
}

const funcs = {
  getDetailsOrder: (component: unknown) => Object.keys((component as { Details?: object }).Details ?? {}).sort(),
};

export const versionCommand: CommandSpec = {
  path: 'version',
  aliases: ['version'],
  usage: '[OPTIONS]',
  short: 'Show the berth version information',
  args: { kind: 'none' },
  flags: [
    formatFlag(FORMAT_HELP_OBJECT, 'f'),
  ],
  async run(ctx, { flags }) {
    const format = flags.format as string;
    const client = await ctx.client();
    let server: VersionResponse | undefined;
    let serverError: unknown;
    let apiVersion = MAX_API_VERSION;
    try {
      apiVersion = await client.apiVersion();
      server = withComponents(await client.version());
    } catch (err) {
      serverError = err;
    }
    const data = { Client: clientVersion(apiVersion), Server: server ? withGoFieldNames(server) : null };
    const template = compileTemplate(format ? finalTemplate(format) : DEFAULT_TEMPLATE, { funcs });
    const rendered = template.execute(data);
    await write(ctx.stdout, format ? rendered + '\n' : tabwrite(rendered + '\n', DOCKER_VERSION));
    if (serverError) {
      await write(ctx.stderr, describeError(serverError, ctx.host) + '\n');
      return 1;
    }
    return 0;
  },
};
