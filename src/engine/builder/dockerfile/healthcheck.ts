/**
 * HEALTHCHECK's second pass (moby's parseHealthcheck): `NONE`, or `CMD` with
 * a command in either form and the timing flags, which Docker stores in
 * nanoseconds.
 */
import { invalid } from '../../../lib/errors.js';
import { parseGoDuration } from '../../../lib/go-duration.js';
import { parseFlags } from './flags.js';
import { goQuote } from '../../../lib/go-text.js';
import type { RawNode } from './line-parsers.js';
import type { HealthcheckInstruction } from './types.js';

type Base = Pick<HealthcheckInstruction, 'line' | 'original'>;

const HEALTHCHECK_FLAGS = {
  interval: 'string',
  timeout: 'string',
  'start-period': 'string',
  'start-interval': 'string',
  retries: 'string',
} as const;

/** Docker's container.MinimumDuration: shorter (non-zero) intervals are refused. */
const MINIMUM_DURATION_NANOS = 1e6;
const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;

export function toHealthcheck(node: RawNode, base: Base): HealthcheckInstruction {
  if (node.args.length === 0) throw invalid('HEALTHCHECK requires at least one argument');
  const type = node.args[0].toUpperCase();
  const command = node.args.slice(1);
  if (type === 'NONE') {
    // moby does not look at the flags of HEALTHCHECK NONE.
    if (command.length > 0) throw invalid('HEALTHCHECK NONE takes no arguments');
    return { kind: 'HEALTHCHECK', ...base, test: ['NONE'] };
  }
  const flags = parseFlags(node.flags, HEALTHCHECK_FLAGS);
  if (type !== 'CMD') throw invalid(`Unknown type ${goQuote(type)} in HEALTHCHECK (try CMD)`);
  if (command.length === 0) throw invalid('Missing command after HEALTHCHECK CMD');
  const test = node.json ? ['CMD', ...command] : ['CMD-SHELL', command.join(' ')];
  const timing = {
    interval: interval(flags, 'interval'),
    timeout: interval(flags, 'timeout'),
    startPeriod: interval(flags, 'start-period'),
    startInterval: interval(flags, 'start-interval'),
    retries: retries(flags.get('retries')),
  };
  const given = Object.entries(timing).filter(([, value]) => value !== undefined);
  return { kind: 'HEALTHCHECK', ...base, test, ...Object.fromEntries(given) };
}

/** A duration flag: unset or empty means "not given"; else at least 1ms, 0 too (dockerd 20.10's classic builder). */
function interval(flags: Map<string, string>, name: string): number | undefined {
  const value = flags.get(name);
  if (value === undefined || value === '') return undefined;
  let nanos: number;
  try {
    nanos = parseGoDuration(value);
  } catch (err) {
    throw invalid((err as Error).message);
  }
  if (nanos < MINIMUM_DURATION_NANOS) {
    throw invalid(`Interval ${goQuote(name)} cannot be less than 1ms`);
  }
  return nanos;
}

/** --retries: Go's strconv.ParseInt(value, 10, 32), and at least 1 (dockerd 20.10; later versions take 0 as "inherit"). */
function retries(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[+-]?\d+$/.test(value)) throw invalid(`strconv.ParseInt: parsing ${goQuote(value)}: invalid syntax`);
  const parsed = BigInt(value);
  if (parsed < INT32_MIN || parsed > INT32_MAX) {
    throw invalid(`strconv.ParseInt: parsing ${goQuote(value)}: value out of range`);
  }
  if (parsed < 1n) throw invalid(`--retries must be at least 1 (not ${parsed})`);
  return Number(parsed);
}
