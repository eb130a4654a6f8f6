import { posix } from 'node:path';
import { invalid } from '../../lib/errors.js';
import { expandPortSpec } from '../../lib/port-spec.js';
import { formatGoDuration } from '../../lib/go-duration.js';
import { goQuote, goQuoteRune } from '../../lib/go-text.js';
import { mergeHealthcheck } from '../../lib/healthcheck.js';
import type { ContainerConfig } from '../images/types.js';
import type { ShellLex } from './dockerfile/lex.js';
import type { Instruction } from './dockerfile/types.js';

/**
 * Instructions that only change the image config (ENV, LABEL, CMD, …): each
 * returns the history comment the classic builder records ("ENV a=b") and
 * changes the stage's config in place. Words are expanded here with the
 * environment in scope at this step.
 */

export interface MetadataState {
  config: ContainerConfig;
  author: string;
  /** Whether this stage set CMD itself (an ENTRYPOINT clears an inherited CMD only). */
  cmdSet: boolean;
}

export interface Expander {
  lex: ShellLex;
  env: Map<string, string>;
}

export const DEFAULT_SHELL = ['/bin/sh', '-c'];

/** Go's %q of a string slice, as moby writes CMD and ENTRYPOINT into history. */
export function goQuoteList(list: readonly string[]): string {
  return `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;
}

export function shellOf(config: ContainerConfig): string[] {
  return config.Shell && config.Shell.length > 0 ? config.Shell : DEFAULT_SHELL;
}

/** The argv a RUN, CMD or ENTRYPOINT means: exec form as written, shell form through the stage's SHELL. */
export function commandArgs(form: { args: string[]; prependShell: boolean }, config: ContainerConfig): string[] {
  return form.prependShell ? [...shellOf(config), form.args.join(' ')] : [...form.args];
}

type MetadataInstruction = Exclude<Instruction, { kind: 'RUN' | 'COPY' | 'ADD' | 'WORKDIR' | 'ARG' }>;

export function isMetadata(instruction: Instruction): instruction is MetadataInstruction {
  return !['RUN', 'COPY', 'ADD', 'WORKDIR', 'ARG'].includes(instruction.kind);
}

export function applyMetadata(state: MetadataState, instruction: MetadataInstruction, x: Expander): string {
  const { config } = state;
  switch (instruction.kind) {
    case 'ENV': {
      const pairs = instruction.pairs.map(({ key, value }) => [x.lex.processWord(key, x.env), x.lex.processWord(value, x.env)] as const);
      for (const [key, value] of pairs) {
        if (key === '') throw invalid('ENV names can not be blank');
        config.Env = setEnv(config.Env ?? [], key, value);
        x.env.set(key, value);
      }
      return `ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`;
    }
    case 'LABEL': {
      const pairs = instruction.pairs.map(({ key, value }) => [x.lex.processWord(key, x.env), x.lex.processWord(value, x.env)] as const);
      config.Labels = { ...(config.Labels ?? {}) };
      for (const [key, value] of pairs) {
        if (key === '') throw invalid('LABEL names can not be blank');
        config.Labels[key] = value;
      }
      return `LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`;
    }
    case 'MAINTAINER':
      state.author = x.lex.processWord(instruction.name, x.env);
      return `MAINTAINER ${state.author}`;
    case 'EXPOSE': {
      const ports = instruction.ports.flatMap((p) => x.lex.processWords(p, x.env));
      config.ExposedPorts = { ...(config.ExposedPorts ?? {}) };
      for (const port of ports) for (const key of expandPortSpec(port)) config.ExposedPorts[key] = {};
      return `EXPOSE ${ports.join(' ')}`;
    }
    case 'VOLUME': {
      const paths = instruction.paths.map((p) => x.lex.processWord(p, x.env).trim());
      config.Volumes = { ...(config.Volumes ?? {}) };
      for (const path of paths) {
        if (path === '') throw invalid('VOLUME specified can not be an empty string');
        config.Volumes[path] = {};
      }
      return `VOLUME ${goQuoteList(paths).replace(/"/g, '')}`;
    }
    case 'USER':
      config.User = x.lex.processWord(instruction.user, x.env);
      return `USER ${config.User}`;
    case 'CMD':
      config.Cmd = commandArgs(instruction, config);
      state.cmdSet = true;
      return `CMD ${goQuoteList(config.Cmd)}`;
    case 'ENTRYPOINT':
      config.Entrypoint = commandArgs(instruction, config);
      // As Docker: an ENTRYPOINT drops a CMD inherited from the base image, not one set in this stage.
      if (!state.cmdSet) config.Cmd = null;
      return `ENTRYPOINT ${goQuoteList(config.Entrypoint)}`;
    case 'HEALTHCHECK': {
      const { test, interval, timeout, startPeriod, startInterval, retries } = instruction;
      const own =
        test[0] === 'NONE'
          ? { Test: ['NONE'] }
          : { Test: test, Interval: interval ?? 0, Timeout: timeout ?? 0, StartPeriod: startPeriod ?? 0, StartInterval: startInterval ?? 0, Retries: retries ?? 0 };
      // dockerd's step container merges the step's health check over the one before (even under NONE), and commits that.
      config.Healthcheck = mergeHealthcheck(own, config.Healthcheck ?? undefined);
      return `HEALTHCHECK ${healthcheckComment(own)}`;
    }
    case 'SHELL':
      config.Shell = [...instruction.shell];
      return `SHELL ${goQuoteList(config.Shell)}`;
    case 'STOPSIGNAL': {
      const signal = x.lex.processWord(instruction.signal, x.env);
      checkSignal(signal);
      config.StopSignal = signal;
      return `STOPSIGNAL ${signal}`;
    }
    case 'ONBUILD':
      config.OnBuild = [...(config.OnBuild ?? []), instruction.expression];
      return `ONBUILD ${instruction.expression}`;
  }
}

/** WORKDIR: relative paths continue from the previous WORKDIR, as the seed notes' chains show. */
export function workdirOf(config: ContainerConfig, path: string): string {
  return posix.resolve('/', config.WorkingDir || '/', path);
}

export function setEnv(env: readonly string[], key: string, value: string): string[] {
  const entry = `${key}=${value}`;
  const at = env.findIndex((e) => e.split('=', 1)[0] === key);
  return at >= 0 ? env.map((e, i) => (i === at ? entry : e)) : [...env, entry];
}

const SIGNAL_NAMES = new Set([
  'ABRT', 'ALRM', 'BUS', 'CHLD', 'CLD', 'CONT', 'FPE', 'HUP', 'ILL', 'INT', 'IO', 'IOT', 'KILL', 'PIPE', 'POLL', 'PROF', 'PWR', 'QUIT', 'SEGV', 'STKFLT',
  'STOP', 'SYS', 'TERM', 'TRAP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'USR1', 'USR2', 'VTALRM', 'WINCH', 'XCPU', 'XFSZ',
]);

function checkSignal(signal: string): void {
  if (/^\d+$/.test(signal) && Number(signal) > 0 && Number(signal) <= 64) return;
  const name = signal.toUpperCase().replace(/^SIG/, '');
  if (SIGNAL_NAMES.has(name) || /^RTM(IN|AX)([+-]\d+)?$/.test(name)) return;
  throw invalid(`Invalid signal: ${signal}`);
}

/**
 * A HEALTHCHECK step's history comment: moby formats the instruction's HealthConfig with `%q`,
 * so a pointer to a struct whose strings and durations are quoted and whose Retries, an int, is a
 * quoted rune (`&{["CMD-SHELL" "true"] "5s" "0s" "0s" '\x04'}`). StartInterval (API 1.44) shows only when set.
 */
function healthcheckComment(health: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; StartInterval?: number; Retries?: number }): string {
  const duration = (nanos: number | undefined) => goQuote(formatGoDuration(nanos ?? 0));
  const fields = [`[${(health.Test ?? []).map(goQuote).join(' ')}]`, duration(health.Interval), duration(health.Timeout), duration(health.StartPeriod)];
  if (health.StartInterval) fields.push(duration(health.StartInterval));
  fields.push(goQuoteRune(health.Retries ?? 0));
  return `&{${fields.join(' ')}}`;
}
