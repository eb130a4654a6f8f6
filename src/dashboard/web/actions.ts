/** Container actions as the UI offers them: which fit a state, their labels, and the call. */
import type { ContainerAction, ContainerRow } from '../shared/types.js';
import { api } from './api.js';

/** The actions that make sense in a state, in button order. */
export function actionsFor(state: string): ContainerAction[] {
  if (state === 'running') return ['stop', 'restart', 'pause', 'kill', 'remove'];
  if (state === 'paused') return ['unpause', 'kill', 'remove'];
  if (state === 'restarting') return ['stop', 'kill', 'remove'];
  return ['start', 'remove'];
}

export const LABELS: Record<ContainerAction, string> = { start: 'Start', stop: 'Stop', restart: 'Restart', kill: 'Kill', pause: 'Pause', unpause: 'Unpause', remove: 'Remove' };
/** Asked for confirmation first. */
export const DESTRUCTIVE = new Set<ContainerAction>(['kill', 'remove']);

export async function act(action: ContainerAction, c: Pick<ContainerRow, 'host' | 'id'>): Promise<void> {
  await api('POST', `/api/hosts/${encodeURIComponent(c.host)}/containers/${encodeURIComponent(c.id)}/${action}`);
}
