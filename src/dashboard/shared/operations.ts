/**
 * What the images, run and events views exchange with the server: the "Run a
 * container" form (POST /api/hosts/:host/run), pull and push progress, and
 * event lines. Shared by server and front end, so it imports nothing.
 */
export const RESTART_POLICIES = ['no', 'always', 'unless-stopped', 'on-failure'] as const;
export type RestartPolicyName = (typeof RESTART_POLICIES)[number];

export interface PortForm {
  /** '' or absent: all addresses. */
  hostIp?: string;
  /** '' or absent: a port the engine picks. */
  hostPort?: string;
  containerPort: string;
  protocol?: 'tcp' | 'udp' | 'sctp';
}

export interface RunForm {
  image: string;
  name?: string;
  /** As typed: split into words like a shell would (quotes and backslashes), no expansion. */
  command?: string;
  /** KEY=VALUE entries. */
  env?: string[];
  ports?: PortForm[];
  /** Binds as docker run -v takes them: source:target[:options]. */
  volumes?: string[];
  /** '' or absent: the engine's default network. */
  network?: string;
  restart?: RestartPolicyName;
  /** For on-failure only. */
  maxRetries?: number;
  /** MiB; 0 or absent: no limit. */
  memoryMiB?: number;
  /** 0 or absent: no limit. */
  cpus?: number;
}

export interface RunResult {
  id: string;
  warnings: string[];
}

/** One line of a pull or push progress stream (the engine's JSON messages, or the dashboard's own error). */
export interface ProgressMessage {
  id?: string;
  status?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
  aux?: Record<string, unknown>;
}

export interface LayerProgress {
  id: string;
  status: string;
  current?: number;
  total?: number;
}

/** What a progress stream amounts to so far: one entry per layer (in order of first mention), the other status lines, and the error if any. */
export interface ProgressState {
  layers: LayerProgress[];
  lines: string[];
  error?: string;
}

export const emptyProgress = (): ProgressState => ({ layers: [], lines: [] });

/** Folds one message into the state (a new object: the front end renders from it). */
export function applyProgress(state: ProgressState, m: ProgressMessage): ProgressState {
  const error = m.error ?? m.errorDetail?.message;
  if (error) return { ...state, error };
  if (!m.status) return state;
  // Layer lines carry a short hex id; the reference's own lines ("Pulling from x", "The push refers to…") carry a name or none.
  if (m.id && /^[0-9a-f]{12,}$/.test(m.id)) {
    const total = m.progressDetail?.total;
    const layer: LayerProgress = { id: m.id, status: m.status, ...(total ? { current: m.progressDetail?.current ?? 0, total } : {}) };
    const at = state.layers.findIndex((l) => l.id === m.id);
    const layers = at === -1 ? [...state.layers, layer] : state.layers.map((l, i) => (i === at ? layer : l));
    return { ...state, layers };
  }
  return { ...state, lines: [...state.lines, m.id ? `${m.id}: ${m.status}` : m.status] };
}

/** One line of the events feed (GET /api/events); a host that fails sends { host, error } instead. */
export interface EventRow {
  host: string;
  type: string;
  action: string;
  /** The actor's ID (a container or image ID, a network ID, a volume's name). */
  id: string;
  /** The actor's name (or, for an image, its reference) when the engine gave one. */
  name: string;
  attributes: Record<string, string>;
  /** Milliseconds since the epoch. */
  time: number;
}

/** One layer of an image's history (GET /api/hosts/:host/images/:image/history), newest first. */
export interface HistoryRow {
  /** An image ID, or '<missing>' for a layer built elsewhere. */
  id: string;
  /** Seconds since the epoch. */
  created: number;
  createdBy: string;
  tags: string[];
  size: number;
  comment: string;
}
