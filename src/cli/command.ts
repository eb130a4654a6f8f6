/**
 * What a berth command is: its names, usage line, flags, argument rule and
 * run function. Commands get a CommandContext (streams, a lazily connected
 * client) and return an exit code; they never call process.exit themselves.
 */
import type { Readable, Writable } from 'node:stream';
import type { BerthClient } from '../client/index.js';
import type { FlagSpec, ParsedArgs } from './flags.js';

export type ArgRule =
  | { kind: 'none' }
  | { kind: 'exact'; count: number }
  | { kind: 'min'; count: number }
  | { kind: 'max'; count: number }
  | { kind: 'range'; min: number; max: number };

export interface CommandSpec {
  /** Canonical path, e.g. `image ls`. */
  path: string;
  /** Every path that runs this command, canonical first, as `--help` lists them. */
  aliases: string[];
  /** Usage after the command path: `[OPTIONS] [REPOSITORY[:TAG]]`. */
  usage: string;
  short: string;
  flags: FlagSpec[];
  args: ArgRule;
  /** docker's run/exec/create stop parsing flags at the first positional. */
  interspersed?: boolean;
  /** A command group with its own dispatcher (compose) writes its own `--help`. */
  help?: () => string;
  run(ctx: CommandContext, parsed: ParsedArgs): Promise<number>;
}

export interface CommandContext {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
  /** The daemon address in use (for messages). */
  host: string;
  /** Where and how the CLI connects (host, TLS, context), for the context commands. */
  connection: import('./connection.js').Connection;
  /** The context store (~/.berth). */
  contexts: import('./context/store.js').ContextStore;
  env: NodeJS.ProcessEnv;
  debug: boolean;
  /** The path the user typed (`images` or `image ls`), for messages. */
  commandPath: string;
  /** The API client, connected lazily on first use. */
  client(): Promise<BerthClient>;
}

/** An error that ends the command with a specific exit code and message. */
export class StatusError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'StatusError';
  }
}

/** docker's cli.RequiresXArgs wording. */
export function checkArgs(rule: ArgRule, count: number): string | undefined {
  const plural = (n: number) => `${n} argument${n === 1 ? '' : 's'}`;
  switch (rule.kind) {
    case 'none':
      return count > 0 ? 'accepts no arguments' : undefined;
    case 'exact':
      return count !== rule.count ? `requires ${plural(rule.count)}` : undefined;
    case 'min':
      return count < rule.count ? `requires at least ${plural(rule.count)}` : undefined;
    case 'max':
      return count > rule.count ? `requires at most ${plural(rule.count)}` : undefined;
    case 'range':
      return count < rule.min || count > rule.max ? `requires at least ${rule.min} and at most ${plural(rule.max)}` : undefined;
  }
}

/** Writes to a stream and waits for it to drain (large outputs, pipes). */
export function write(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (text === '') return resolve();
    stream.write(text, (err) => (err ? reject(err) : resolve()));
  });
}
