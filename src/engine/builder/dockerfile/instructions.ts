/**
 * The second pass of moby's parser (frontend/dockerfile/instructions): each
 * raw node becomes a typed instruction, with its argument count, flags and
 * form checked and moby's message on failure. Words stay unexpanded.
 */
import { invalid } from '../../../lib/errors.js';
import { parseFlags, type FlagSpec } from './flags.js';
import { goQuote, trimGoSpace } from '../../../lib/go-text.js';
import { toHealthcheck } from './healthcheck.js';
import type { RawNode } from './line-parsers.js';
import type {
  ArgInstruction,
  CommandForm,
  CopyInstruction,
  FromInstruction,
  Instruction,
  KeyValue,
  OnbuildInstruction,
  ShellInstruction,
} from './types.js';

type Base = Pick<FromInstruction, 'line' | 'original'>;
export type ParsedInstruction = Instruction | FromInstruction;
type Converter = (node: RawNode, base: Base) => ParsedInstruction;

/** Converts one node; `line` is where its logical line starts. */
export function toInstruction(node: RawNode, line: number): ParsedInstruction {
  const convert = CONVERTERS.get(node.command);
  if (!convert) throw invalid(`unknown instruction: ${node.command.toUpperCase()}`);
  return convert(node, { line, original: trimGoSpace(node.original) });
}

/** What ONBUILD may not run in the child build. */
export function checkTrigger(command: string): void {
  const upper = command.toUpperCase();
  if (upper === 'ONBUILD') throw invalid("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  if (upper === 'MAINTAINER' || upper === 'FROM') throw invalid(`${upper} isn't allowed as an ONBUILD trigger`);
}

const NO_FLAGS: FlagSpec = {};
const COPY_FLAGS: FlagSpec = { chown: 'string', from: 'string', chmod: 'string', link: 'bool', parents: 'bool', exclude: 'repeatable' };
const ADD_FLAGS: FlagSpec = {
  chown: 'string',
  chmod: 'string',
  link: 'bool',
  'keep-git-dir': 'bool',
  checksum: 'string',
  exclude: 'repeatable',
};
const BUILDKIT_ONLY_COPY_FLAGS = ['link', 'parents', 'exclude', 'keep-git-dir', 'checksum'];
const RUN_FLAGS: FlagSpec = { mount: 'repeatable', network: 'string', security: 'string' };
const VALID_STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

function buildKitRequired(flag: string): Error {
  return invalid(
    `the --${flag} option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled`,
  );
}

const atLeastOne = (name: string) => invalid(`${name} requires at least one argument`);
const exactlyOne = (name: string) => invalid(`${name} requires exactly one argument`);

function toFrom(node: RawNode, base: Base): FromInstruction {
  const stageName = buildStageName(node.args);
  const platform = parseFlags(node.flags, { platform: 'string' }).get('platform');
  return {
    kind: 'FROM',
    ...base,
    image: node.args[0],
    ...(stageName ? { stageName } : {}),
    ...(platform ? { platform } : {}),
  };
}

function buildStageName(args: string[]): string | undefined {
  if (args.length === 3 && args[1].toLowerCase() === 'as') {
    const name = args[2].toLowerCase();
    if (!VALID_STAGE_NAME.test(name)) {
      throw invalid(`invalid name for build stage: ${goQuote(args[2])}, name can't start with a number or contain symbols`);
    }
    return name;
  }
  if (args.length !== 1) throw invalid('FROM requires either one or three arguments');
  return undefined;
}

function keyValues(args: string[], name: string): KeyValue[] {
  if (args.length === 0) throw atLeastOne(name);
  const pairs: KeyValue[] = [];
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === '') throw invalid(`${name} names can not be blank`);
    pairs.push({ key: args[i], value: args[i + 1] });
  }
  return pairs;
}

/** Exec form keeps the array; shell form is the one command string (moby's handleJSONArgs). */
function commandForm(node: RawNode): CommandForm {
  const args = node.json || node.args.length === 0 ? node.args : [node.args.join(' ')];
  return { args, prependShell: !node.json };
}

function toCopy(node: RawNode, base: Base): CopyInstruction {
  const kind = node.command === 'add' ? 'ADD' : 'COPY';
  if (node.args.length < 2) {
    throw invalid(`${kind} requires at least two arguments, but only one was provided. Destination could not be determined`);
  }
  const flags = parseFlags(node.flags, kind === 'ADD' ? ADD_FLAGS : COPY_FLAGS);
  const buildKitFlag = BUILDKIT_ONLY_COPY_FLAGS.find((name) => flags.has(name) && flags.get(name) !== 'false');
  if (buildKitFlag) throw buildKitRequired(buildKitFlag);
  const given = (['from', 'chown', 'chmod'] as const).filter((name) => flags.has(name));
  return {
    kind,
    ...base,
    sources: node.args.slice(0, -1),
    dest: node.args[node.args.length - 1],
    ...Object.fromEntries(given.map((name) => [name, flags.get(name)])),
  };
}

function toOnbuild(node: RawNode, base: Base): OnbuildInstruction {
  if (node.args.length === 0) throw atLeastOne('ONBUILD');
  withoutFlags(node);
  checkTrigger(node.args[0]);
  const expression = trimGoSpace(node.original.replace(/^[\t\n\f\r ]*ONBUILD[\t\n\f\r ]*/i, ''));
  return { kind: 'ONBUILD', ...base, expression };
}

function toArg(node: RawNode, base: Base): ArgInstruction {
  // moby does not check ARG's flags.
  if (node.args.length === 0) throw atLeastOne('ARG');
  const args = node.args.map((word) => {
    const equals = word.indexOf('=');
    if (equals < 0) return { key: word };
    if (equals === 0) throw invalid('ARG names can not be blank');
    return { key: word.slice(0, equals), value: word.slice(equals + 1) };
  });
  return { kind: 'ARG', ...base, args };
}

function toShell(node: RawNode, base: Base): ShellInstruction {
  withoutFlags(node);
  if (node.args.length === 0) throw atLeastOne('SHELL');
  if (!node.json) throw invalid('SHELL requires the arguments to be in JSON form');
  return { kind: 'SHELL', ...base, shell: node.args };
}

function toVolume(node: RawNode, base: Base): ParsedInstruction {
  if (node.args.length === 0) throw atLeastOne('VOLUME');
  const paths = withoutFlags(node).args.map(trimGoSpace);
  if (paths.includes('')) throw invalid('VOLUME specified can not be an empty string');
  return { kind: 'VOLUME', ...base, paths };
}

/** The instructions whose single argument is the whole rest of the line. */
function singleArgument(node: RawNode, name: string, checkFlags = true): string {
  if (node.args.length !== 1) throw exactlyOne(name);
  if (checkFlags) withoutFlags(node);
  return node.args[0];
}

/** For the instructions that take no flags: moby still rejects any given. */
function withoutFlags(node: RawNode): RawNode {
  parseFlags(node.flags, NO_FLAGS);
  return node;
}

function toRun(node: RawNode, base: Base): ParsedInstruction {
  const used = [...parseFlags(node.flags, RUN_FLAGS).keys()];
  if (used.length > 0) throw buildKitRequired(used[0]);
  return { kind: 'RUN', ...base, ...commandForm(node) };
}

function toExpose(node: RawNode, base: Base): ParsedInstruction {
  if (node.args.length === 0) throw atLeastOne('EXPOSE');
  // Sorted before expansion, as moby does.
  return { kind: 'EXPOSE', ...base, ports: [...withoutFlags(node).args].sort() };
}

const CONVERTERS: ReadonlyMap<string, Converter> = new Map<string, Converter>([
  ['from', toFrom],
  ['run', toRun],
  ['cmd', (node, base) => ({ kind: 'CMD', ...base, ...commandForm(withoutFlags(node)) })],
  ['entrypoint', (node, base) => ({ kind: 'ENTRYPOINT', ...base, ...commandForm(withoutFlags(node)) })],
  ['env', (node, base) => ({ kind: 'ENV', ...base, pairs: keyValues(withoutFlags(node).args, 'ENV') })],
  ['label', (node, base) => ({ kind: 'LABEL', ...base, pairs: keyValues(withoutFlags(node).args, 'LABEL') })],
  ['arg', toArg],
  ['maintainer', (node, base) => ({ kind: 'MAINTAINER', ...base, name: singleArgument(node, 'MAINTAINER') })],
  ['expose', toExpose],
  ['volume', toVolume],
  ['workdir', (node, base) => ({ kind: 'WORKDIR', ...base, path: singleArgument(node, 'WORKDIR') })],
  ['user', (node, base) => ({ kind: 'USER', ...base, user: singleArgument(node, 'USER') })],
  ['copy', toCopy],
  ['add', toCopy],
  ['onbuild', toOnbuild],
  ['healthcheck', toHealthcheck],
  ['shell', toShell],
  // moby does not check STOPSIGNAL's flags.
  ['stopsignal', (node, base) => ({ kind: 'STOPSIGNAL', ...base, signal: singleArgument(node, 'STOPSIGNAL', false) })],
]);
