/**
 * Shared by run and create: the create request from flags (validation errors
 * framed as docker frames them), the pull policy, and --cidfile handling.
 */
import { existsSync, writeFileSync } from 'node:fs';
import type { CreateContainerRequest } from '../../../client/container-types.js';
import type { CommandContext } from '../../command.js';
import type { ParsedArgs } from '../../flags.js';
import { parsePullPolicy, type PullPolicy } from '../../opts/container.js';
import { consoleSize } from './attach-io.js';
import { buildCreateRequest } from './create-request.js';
import { runFailure } from './run-errors.js';

export interface Prepared {
  request: CreateContainerRequest;
  name: string;
  pull: PullPolicy;
  cidfile: string;
}

export function prepareCreate(ctx: CommandContext, parsed: ParsedArgs, command: 'run' | 'create'): Prepared {
  const { flags, changed, args } = parsed;
  try {
    const pull = parsePullPolicy(flags.pull as string);
    const request = buildCreateRequest({
      flags, changed, image: args[0], args: args.slice(1), env: process.env,
      consoleSize: flags.tty ? consoleSize(ctx.stdout) : undefined,
    });
    const cidfile = flags.cidfile as string;
    if (cidfile && existsSync(cidfile)) throw new Error(`container ID file found, make sure the other container isn't running or delete ${cidfile}`);
    return { request, name: flags.name as string, pull, cidfile };
  } catch (err) {
    throw runFailure(command, (err as Error).message);
  }
}

export function writeCidfile(path: string, id: string): void {
  if (!path) return;
  try {
    writeFileSync(path, id, { flag: 'wx' });
  } catch (err) {
    throw new Error(`failed to write the container ID to the file: ${(err as Error).message}`);
  }
}
