/** `berth info` / `berth system info`, laid out line for line like docker's prettyPrintInfo. */
import { FORMAT_HELP_OBJECT, formatFlag } from './common.js';
import type { SystemInfo } from '../../client/types.js';
import { write, type CommandSpec } from '../command.js';
import { finalTemplate } from '../format/formatter.js';
import { compileTemplate, goString, goStruct } from '../format/template.js';
import { bytesSize } from '../format/units.js';
import { BERTH_VERSION } from '../version-info.js';
import { describeError } from './errors.js';

/** Go's fmt.Println: operands separated by spaces. */
const println = (...parts: unknown[]) => parts.map(goString).join(' ') + '\n';
const printlnNonEmpty = (label: string, value: unknown) => (value === undefined || value === null || value === '' ? '' : println(label, value));

type Info = SystemInfo & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function clientSection(debug: boolean): string {
  return 'Client:\n' + println(' Version:   ', BERTH_VERSION) + println(' Context:   ', 'default') + println(' Debug Mode:', debug);
}

function pluginLines(info: Info): string {
  const join = (list: unknown) => ((list as string[] | null | undefined) ?? []).join(' ');
  let out = println(' Plugins:') + println('  Volume:', join(info.Plugins?.Volume)) + println('  Network:', join(info.Plugins?.Network));
  if ((info.Plugins?.Authorization ?? []).length) out += println('  Authorization:', join(info.Plugins?.Authorization));
  out += println('  Log:', join(info.Plugins?.Log));
  const cdi = (info.CDISpecDirs as string[] | undefined) ?? [];
  if (cdi.length) out += println(' CDI spec directories:') + cdi.map((d) => `  ${d}\n`).join('');
  return out;
}

function securityLines(options: string[]): string {
  let out = println(' Security Options:');
  for (const option of options) {
    const pairs = option.split(',').map((kv) => kv.split('='));
    const name = pairs.find(([k]) => k === 'name')?.[1] ?? option;
    out += `  ${name}\n`;
    for (const [k, v] of pairs) if (k === 'profile') out += println('   Profile:', v);
  }
  return out;
}

function linuxLines(info: Info): string {
  let out = println(' Init Binary:', info.InitBinary ?? '');
  out += println(' containerd version:', info.ContainerdCommit?.ID ?? '');
  out += println(' runc version:', info.RuncCommit?.ID ?? '');
  out += println(' init version:', info.InitCommit?.ID ?? '');
  const security = (info.SecurityOptions as string[] | null) ?? [];
  if (security.length) out += securityLines(security);
  return out;
}

function registryLines(info: Info): string {
  const registry = info.RegistryConfig;
  if (!registry) return '';
  let out = '';
  const indexConfigs = Object.values((registry.IndexConfigs ?? {}) as Record<string, { Name: string; Secure: boolean }>).sort((a, b) => (a.Name < b.Name ? -1 : 1));
  const cidrs = (registry.InsecureRegistryCIDRs ?? []) as string[];
  if (cidrs.length || indexConfigs.length) {
    out += println(' Insecure Registries:');
    for (const config of indexConfigs) if (!config.Secure) out += `  ${config.Name}\n`;
    for (const cidr of cidrs) out += `  ${cidr}\n`;
  }
  const mirrors = (registry.Mirrors ?? []) as string[];
  if (mirrors.length) out += println(' Registry Mirrors:') + mirrors.map((m) => `  ${m}\n`).join('');
  return out;
}

function serverSection(info: Info, clientDebug: boolean): string {
  let out = println(' Containers:', info.Containers ?? 0);
  out += println('  Running:', info.ContainersRunning ?? 0) + println('  Paused:', info.ContainersPaused ?? 0) + println('  Stopped:', info.ContainersStopped ?? 0);
  out += println(' Images:', info.Images ?? 0);
  out += printlnNonEmpty(' Server Version:', info.ServerVersion) + printlnNonEmpty(' Storage Driver:', info.Driver);
  for (const [k, v] of info.DriverStatus ?? []) out += `  ${k}: ${v}\n`;
  for (const [k, v] of info.SystemStatus ?? []) out += ` ${k}: ${v}\n`;
  out += printlnNonEmpty(' Logging Driver:', info.LoggingDriver) + printlnNonEmpty(' Cgroup Driver:', info.CgroupDriver) + printlnNonEmpty(' Cgroup Version:', info.CgroupVersion);
  out += pluginLines(info);
  out += println(' Swarm:', info.Swarm?.LocalNodeState ?? '');
  const runtimes = Object.keys(info.Runtimes ?? {}).sort();
  if (runtimes.length) out += println(' Runtimes:', runtimes.join(' ')) + println(' Default Runtime:', info.DefaultRuntime ?? '');
  if (info.OSType === 'linux') out += linuxLines(info);
  out += printlnNonEmpty(' Kernel Version:', info.KernelVersion) + printlnNonEmpty(' Operating System:', info.OperatingSystem);
  out += printlnNonEmpty(' OSType:', info.OSType) + printlnNonEmpty(' Architecture:', info.Architecture);
  out += println(' CPUs:', info.NCPU ?? 0) + println(' Total Memory:', bytesSize(info.MemTotal ?? 0));
  out += printlnNonEmpty(' Name:', info.Name) + printlnNonEmpty(' ID:', info.ID);
  out += println(' Docker Root Dir:', info.DockerRootDir ?? '') + println(' Debug Mode:', Boolean(info.Debug));
  if (info.Debug || clientDebug) {
    out += println('  File Descriptors:', info.NFd) + println('  Goroutines:', info.NGoroutines) + println('  System Time:', info.SystemTime) + println('  EventsListeners:', info.NEventsListener);
  }
  out += printlnNonEmpty(' HTTP Proxy:', info.HttpProxy) + printlnNonEmpty(' HTTPS Proxy:', info.HttpsProxy) + printlnNonEmpty(' No Proxy:', info.NoProxy);
  const labels = (info.Labels as string[] | null) ?? [];
  if (labels.length) out += println(' Labels:') + labels.map((l) => `  ${l}\n`).join('');
  out += println(' Experimental:', Boolean(info.ExperimentalBuild));
  out += registryLines(info);
  out += println(' Live Restore Enabled:', Boolean(info.LiveRestoreEnabled));
  if (info.ProductLicense) out += println(' Product License:', info.ProductLicense);
  const pools = (info.DefaultAddressPools as Array<{ Base: string; Size: number }> | null) ?? [];
  if (pools.length) out += println(' Default Address Pools:') + pools.map((p) => `   Base: ${p.Base}, Size: ${p.Size}\n`).join('');
  return out + '\n';
}

/** Go structs keep the daemon's field order under `{{json}}`; mark the ones /info is made of. */
function formatView(data: Record<string, unknown>): Record<string, unknown> {
  for (const field of ['Plugins', 'RegistryConfig', 'Swarm', 'ContainerdCommit', 'RuncCommit', 'InitCommit', 'ClientInfo']) {
    const value = data[field];
    if (value && typeof value === 'object' && !Array.isArray(value)) data[field] = goStruct({ ...(value as object) }, field);
  }
  return goStruct(data, 'system.dockerInfo');
}

export const infoCommand: CommandSpec = {
  path: 'system info',
  aliases: ['system info', 'info'],
  usage: '[OPTIONS]',
  short: 'Display system-wide information',
  args: { kind: 'none' },
  flags: [
    formatFlag(FORMAT_HELP_OBJECT, 'f'),
  ],
  async run(ctx, { flags }) {
    const client = await ctx.client();
    let info: Info | undefined;
    let error: string | undefined;
    try {
      info = (await client.info()) as Info;
    } catch (err) {
      error = describeError(err, ctx.host);
    }
    const format = flags.format as string;
    if (format) {
      if (error) await write(ctx.stderr, error + '\n');
      const data = formatView({ ...(info ?? {}), ClientInfo: { Debug: ctx.debug, Version: BERTH_VERSION, Context: 'default' } });
      try {
        await write(ctx.stdout, compileTemplate(finalTemplate(format)).execute(data) + '\n');
      } catch (err) {
        // docker's info prints template errors bare, without "template parsing error".
        await write(ctx.stderr, `${(err as Error).message}\n`);
        return 1;
      }
      return error ? 1 : 0;
    }
    await write(ctx.stdout, clientSection(ctx.debug) + '\nServer:\n' + (info ? serverSection(info, ctx.debug) : ''));
    for (const warning of (info?.Warnings as string[] | null) ?? []) await write(ctx.stderr, warning + '\n');
    if (error) {
      await write(ctx.stderr, `ERROR: ${error}\nerrors pretty printing info\n`);
      return 1;
    }
    return 0;
  },
};
