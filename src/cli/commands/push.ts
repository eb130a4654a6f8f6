/** `berth push` / `berth image push`: a local image (one tag, or all with -a) to its registry. */
import { Writable } from 'node:stream';
import { readJsonMessages } from '../../client/jsonstream.js';
import { parseNormalizedNamed } from '../../client/reference.js';
import { StatusError, write, type CommandSpec } from '../command.js';
import { displayProgress } from './progress.js';
import { credentialsForImage } from './pull.js';

export const pushCommand: CommandSpec = {
  path: 'image push',
  aliases: ['image push', 'push'],
  usage: '[OPTIONS] NAME[:TAG]',
  short: 'Upload an image to a registry',
  args: { kind: 'exact', count: 1 },
  flags: [
    { long: 'all-tags', short: 'a', type: 'bool', usage: 'Push all tags of an image to the repository' },
    { long: 'disable-content-trust', type: 'bool', usage: 'Skip image signing', default: true },
    { long: 'quiet', short: 'q', type: 'bool', usage: 'Suppress verbose output' },
  ],
  async run(ctx, { flags, args }) {
    const ref = parseNormalizedNamed(args[0]!);
    const all = flags['all-tags'] as boolean;
    if (flags['disable-content-trust'] === false) throw new StatusError('content trust (--disable-content-trust=false) is not supported by berth', 1);
    if (ref.digest) throw new StatusError('cannot push a digest reference', 1);
    if (all && ref.tag) throw new StatusError("tag can't be used with --all-tags/-a", 1);
    // As docker: a bare name pushes "latest" unless -a asks for every tag.
    const tag = all ? undefined : ref.tag ?? 'latest';
    if (!all && !ref.tag && !flags.quiet) await write(ctx.stdout, 'Using default tag: latest\n');
    const name = args[0]!.replace(/:[^/:@]+$/, '');
    const client = await ctx.client();
    const body = await client.pushImage(name, tag, await credentialsForImage(ref.name));
    const quiet = flags.quiet as boolean;
    await displayProgress({ out: quiet ? devNull() : ctx.stdout, terminal: !quiet && !!ctx.stdout.isTTY }, readJsonMessages(body));
    if (quiet) await write(ctx.stdout, `${args[0]}\n`);
    return 0;
  },
};

function devNull(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}
