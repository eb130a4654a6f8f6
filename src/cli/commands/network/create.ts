/** `berth network create`. */
import { createNetwork } from '../../../client/networks.js';
import { write, type CommandSpec } from '../../command.js';
import { consolidateIpam, IpamFlagError } from './ipam-flags.js';

/** "k=v" list → object (docker's -o, --label, --aux-address). */
function keyValues(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq < 0) out[item] = '';
    else out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

export const networkCreateCommand: CommandSpec = {
  path: 'network create',
  aliases: ['network create'],
  usage: '[OPTIONS] NETWORK',
  short: 'Create a network',
  args: { kind: 'exact', count: 1 },
  flags: [
    { long: 'driver', short: 'd', type: 'string', usage: 'Driver to manage the Network', default: 'bridge' },
    { long: 'subnet', type: 'stringArray', usage: 'Subnet in CIDR format that represents a network segment' },
    { long: 'gateway', type: 'stringArray', usage: 'IPv4 or IPv6 Gateway for the master subnet' },
    { long: 'ip-range', type: 'stringArray', usage: 'Allocate container ip from a sub-range' },
    { long: 'aux-address', type: 'stringArray', usage: 'Auxiliary IPv4 or IPv6 addresses used by Network driver' },
    { long: 'internal', type: 'bool', usage: 'Restrict external access to the network' },
    { long: 'attachable', type: 'bool', usage: 'Enable manual container attachment' },
    { long: 'ipv6', type: 'bool', usage: 'Enable IPv6 networking' },
    { long: 'opt', short: 'o', type: 'stringArray', usage: 'Set driver specific options' },
    { long: 'label', type: 'stringArray', usage: 'Set metadata on a network' },
  ],
  async run(ctx, { flags, args }) {
    let config;
    try {
      config = consolidateIpam(flags.subnet as string[], flags['ip-range'] as string[], flags.gateway as string[], keyValues(flags['aux-address'] as string[]));
    } catch (err) {
      if (!(err instanceof IpamFlagError)) throw err;
      await write(ctx.stderr, `${err.message}\n`);
      return 1;
    }
    const client = await ctx.client();
    const created = await createNetwork(client.api, {
      Name: args[0]!, Driver: flags.driver as string, Internal: flags.internal as boolean, Attachable: flags.attachable as boolean,
      EnableIPv6: flags.ipv6 as boolean, IPAM: { Driver: 'default', Config: config }, Options: keyValues(flags.opt as string[]),
      Labels: keyValues(flags.label as string[]),
    });
    await write(ctx.stdout, `${created.Id}\n`);
    return 0;
  },
};
