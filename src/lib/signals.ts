import { constants } from 'node:os';
import { invalid } from './errors.js';

/** runc takes names with or without SIG, and numbers. */
export function normaliseSignal(signal: string | number): string {
  if (typeof signal === 'number') {
    if (!Number.isInteger(signal) || signal <= 0 || signal > 64) throw invalid(`Invalid signal: ${signal}`);
    return String(signal);
  }
  const s = signal.trim().toUpperCase();
  if (/^\d+$/.test(s)) return normaliseSignal(Number(s));
  const name = s.startsWith('SIG') ? s : `SIG${s}`;
  if (!(name in constants.signals) && !/^SIGRTM(IN|AX)([+-]\d+)?$/.test(name)) throw invalid(`Invalid signal: ${signal}`);
  return name;
}

/** The number of a normalised signal ("SIGTERM", "15"), or null for one Node has no number for (SIGRTMIN+n). */
export function signalNumberOf(normalised: string): number | null {
  if (/^\d+$/.test(normalised)) return Number(normalised);
  return (constants.signals as Record<string, number | undefined>)[normalised] ?? null;
}
