import { constants as osConstants } from 'node:os';

/** A kill event's signal attribute is the number, as dockerd writes it ("15"); names without a number stay as given. */
export function signalNumber(signal: string): string {
  if (/^\d+$/.test(signal)) return signal;
  const name = signal.toUpperCase().startsWith('SIG') ? signal.toUpperCase() : `SIG${signal.toUpperCase()}`;
  const number = (osConstants.signals as Record<string, number>)[name];
  return number === undefined ? signal : String(number);
}
