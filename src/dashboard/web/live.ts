/**
 * The live state from /api/live: hosts and every host's containers, kept up
 * to date by the server's messages. Reconnects with a growing delay; a
 * reconnect brings a fresh snapshot.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ContainerRow, ContainerUsage, HostSummary, LiveMessage } from '../shared/types.js';

export interface LiveState {
  connected: boolean;
  hosts: HostSummary[];
  containers: Record<string, ContainerRow[]>;
  /** By host, then container ID: CPU and memory of the running ones. */
  usage: Record<string, Record<string, ContainerUsage>>;
}

function apply(state: LiveState, m: LiveMessage): LiveState {
  switch (m.type) {
    case 'hosts':
      return { ...state, hosts: m.hosts };
    case 'host': {
      const others = state.hosts.filter((h) => h.name !== m.host.name);
      const index = state.hosts.findIndex((h) => h.name === m.host.name);
      const hosts = index < 0 ? [...others, m.host] : state.hosts.map((h) => (h.name === m.host.name ? m.host : h));
      return { ...state, hosts };
    }
    case 'host-removed': {
      const { [m.name]: _gone, ...containers } = state.containers;
      const { [m.name]: _usage, ...usage } = state.usage;
      return { ...state, hosts: state.hosts.filter((h) => h.name !== m.name), containers, usage };
    }
    case 'containers':
      return { ...state, containers: { ...state.containers, [m.host]: m.containers } };
    case 'usage':
      return { ...state, usage: { ...state.usage, [m.host]: m.usage } };
  }
}

export function useLive(onSessionEnded: () => void): LiveState {
  const [state, setState] = useState<LiveState>({ connected: false, hosts: [], containers: {}, usage: {} });
  useEffect(() => {
    let socket: WebSocket | undefined;
    let timer: number | undefined;
    let delay = 500;
    let closed = false;
    const connect = () => {
      socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/live`);
      socket.onopen = () => {
        delay = 500;
        setState((s) => ({ ...s, connected: true }));
      };
      socket.onmessage = (e: MessageEvent<string>) => setState((s) => apply(s, JSON.parse(e.data) as LiveMessage));
      socket.onclose = (e) => {
        setState((s) => ({ ...s, connected: false }));
        if (closed) return;
        if (e.code === 4401) return onSessionEnded();
        timer = window.setTimeout(connect, delay);
        delay = Math.min(delay * 2, 15_000);
      };
    };
    connect();
    return () => {
      closed = true;
      window.clearTimeout(timer);
      socket?.close();
    };
  }, []);
  return state;
}
