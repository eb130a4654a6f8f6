import { conflict } from '../../lib/errors.js';
import type { ContainerState, ContainerStatus } from './types.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Which status may follow which: anything else is a bug, refused loudly. */
const TRANSITIONS: Record<ContainerStatus, ContainerStatus[]> = {
  created: ['running', 'exited', 'removing', 'dead'],
  running: ['paused', 'exited', 'restarting', 'removing', 'dead'],
  paused: ['running', 'exited', 'restarting', 'removing', 'dead'],
  restarting: ['running', 'exited', 'removing', 'dead'],
  exited: ['running', 'restarting', 'removing', 'dead'],
  removing: ['dead', 'exited', 'created'],
  dead: ['removing'],
};

export function initialState(): ContainerState {
  return {
    Status: 'created', Running: false, Paused: false, Restarting: false, OOMKilled: false, Dead: false,
    Pid: 0, ExitCode: 0, Error: '', StartedAt: ZERO_TIME, FinishedAt: ZERO_TIME,
  };
}

function move(state: ContainerState, to: ContainerStatus): void {
  if (state.Status !== to && !TRANSITIONS[state.Status].includes(to)) {
    throw conflict(`cannot move a container from ${state.Status} to ${to}`);
  }
  state.Status = to;
  state.Running = to === 'running' || to === 'paused' || to === 'restarting';
  state.Paused = to === 'paused';
  state.Restarting = to === 'restarting';
  state.Dead = to === 'dead';
}

export function markRunning(state: ContainerState, pid: number): void {
  move(state, 'running');
  state.Pid = pid;
  state.ExitCode = 0;
  state.Error = '';
  state.OOMKilled = false;
  state.StartedAt = new Date().toISOString();
}

/**
 * The process ended. `then`: "restarting" when the restart policy brings it
 * back, so that no one sees it "exited" in between, as with dockerd.
 */
export function markExited(
  state: ContainerState,
  exit: { exitCode: number; exitedAt: Date; oomKilled: boolean; error?: string },
  then: 'exited' | 'restarting' = 'exited',
): void {
  move(state, then);
  state.Pid = 0;
  state.ExitCode = exit.exitCode;
  state.OOMKilled = exit.oomKilled;
  state.Error = exit.error ?? '';
  state.FinishedAt = exit.exitedAt.toISOString();
  if (state.Health) state.Health.Status = 'unhealthy';
}

/** A start that failed before the process ran: Docker keeps the container "created" with the error and code. */
export function markStartFailed(state: ContainerState, error: string, exitCode: number): void {
  state.Error = error;
  state.ExitCode = exitCode;
  state.Pid = 0;
  if (state.Status === 'running' || state.Status === 'restarting') move(state, 'exited');
}

export function markPaused(state: ContainerState, paused: boolean): void {
  move(state, paused ? 'paused' : 'running');
}

export function markRemoving(state: ContainerState): void {
  move(state, 'removing');
}

/** dockerd's refusal to remove a container that runs, is paused or restarting, without force (moby 20.10's cleanupContainer). */
export function removalRefusal(id: string, state: ContainerState): string | null {
  if (!state.Running) return null;
  const procedure = 'Stop the container before attempting removal or force remove';
  const how = state.Status === 'paused' ? `Unpause and then ${procedure.toLowerCase()}` : procedure;
  return `You cannot remove a ${state.Status} container ${id}. ${how}`;
}

/** docker ps's STATUS column is made by the client; this is inspect's human one-word status. */
export function isRunning(state: ContainerState): boolean {
  return state.Status === 'running' || state.Status === 'paused';
}
