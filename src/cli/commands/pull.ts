/** `berth pull` / `berth image pull`: the image from its registry, with docker's progress output. */
import { readJsonMessages } from '../../client/jsonstream.js';
import { parseNormalizedNamed } from '../../client/reference.js';
import type { RegistryAuth } from '../../client/distribution.js';
import { StatusError, write, type CommandSpec } from '../command.js';
import { getCredentials, registryKeyForDomain } from '../credentials.js';
import { displayProgress } from './progress.js';

/** The credentials stored for the registry an image reference names (none: anonymous). */
export async function credentialsForImage(fullName: string): Promise<RegistryAuth | undefined> {
  const domain = fullName.includes('/') ? fullName.slice(0, fullName.indexOf('/')) : 'docker.io';
  return getCredentials(registryKeyForDomain(domain));
}

/** The familiar name the API's fromImage takes: Hub's "docker.io/library/" dropped. */
function familiar(fullName: string): string {
  return fullName.replace(/^docker\.io\/library\/(?=[^/]+$)/, '').replace(/^docker\.io\//, '');
}

export const pullCommand: CommandSpec = {
  path: 'image pull',
  aliases: ['image pull', 'pull'],
  usage: '[OPTIONS] NAME[:TAG|@DIGEST]',
  short: 'Download an image from a registry',
  args: { kind: 'exact', count: 1 },
  flags: [
    { long: 'all-tags', short: 'a', type: 'bool', usage: 'Download all tagged images in the repository' },
    { long: 'disable-content-trust', type: 'bool', usage: 'Skip image verification', default: true },
    { long: 'platform', type: 'string', usage: 'Set platform if server is multi-platform capable', valueName: 'string' },
    { long: 'quiet', short: 'q', type: 'bool', usage: 'Suppress verbose output' },
  ],
  async run(ctx, { flags, args }) {
    const ref = parseNormalizedNamed(args[0]!);
    const all = flags['all-tags'] as boolean;
    const quiet = flags.quiet as boolean;
    if (flags['disable-content-trust'] === false) throw new StatusError('content trust (--disable-content-trust=false) is not supported by berth', 1);
    if (all && (ref.tag || ref.digest)) throw new StatusError("tag can't be used with --all-tags/-a", 1);
    let tag = ref.digest ?? ref.tag ?? '';
    if (!all && tag === '') {
      tag = 'latest';
      if (!quiet) await write(ctx.stdout, 'Using default tag: latest\n');
    }
    const client = await ctx.client();
    const auth = await credentialsForImage(ref.name);
    const body = await client.pullImage(familiar(ref.name), tag, { platform: (flags.platform as string) || undefined, auth });
    const messages = readJsonMessages(body);
    if (quiet) for await (const msg of messages) checkError(msg);
    else await displayProgress({ out: ctx.stdout, terminal: !!ctx.stdout.isTTY }, messages);
    const shown = all ? ref.name : ref.digest ? `${ref.name}@${ref.digest}` : `${ref.name}:${tag}`;
    await write(ctx.stdout, `${shown}\n`);
    return 0;
  },
};

function checkError(msg: { error?: string; errorDetail?: { message?: string } }): void {
  if (msg.errorDetail?.message || msg.error) throw new StatusError(msg.errorDetail?.message || msg.error || '', 1);
}
