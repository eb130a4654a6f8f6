/**
 * A terminal in the browser: the WebSocket /api/hosts/:host/containers/:id/exec
 * runs a shell in the container through the Engine API's exec (Tty, stdin
 * attached, started over a hijacked connection as `docker exec -it` does).
 * Binary frames carry the keystrokes in and the terminal's output out; a
 * text frame {"type":"resize","cols","rows"} resizes the exec's TTY.
 * Operators and admins only; the upgrade needs the session, our own origin and
 * the CSRF token (as ?csrf=, since a browser WebSocket cannot send headers).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { BerthClient } from '../../client/index.js';
import type { Hijacked } from '../../client/transport.js';
import { roleAllows } from './accounts.js';
import type { Guard } from './guard.js';
import type { HostManager } from './hosts.js';
import { sameOrigin } from './http.js';
import { csrfMatches } from './sessions.js';

const PATH = /^\/api\/hosts\/([^/]+)\/containers\/([^/]+)\/exec$/;
/** The shell: bash where the image has one, else sh. */
const SHELL = ['/bin/sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi'];
const MAX_SIZE = 1000;
/** Ctrl-C then Ctrl-D: what the terminal sends to end the shell when the browser closes it. */
const HANG_UP = Buffer.from('\x03\x04');

export type Refuse = (status: string) => void;

export class Terminals {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });

  constructor(private readonly guard: Guard, private readonly hosts: HostManager) {}

  /** Takes the upgrade if it is for a terminal (true), refusing it when the caller may not have one. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, refuse: Refuse): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = PATH.exec(url.pathname);
    if (!match) return false;
    const caller = this.guard.caller(req);
    if (!caller) refuse('401 Unauthorized');
    else if (!sameOrigin(req) || !csrfMatches(caller.session, url.searchParams.get('csrf') ?? undefined)) refuse('403 Forbidden');
    else if (!roleAllows(caller.user.role, 'operator')) refuse('403 Forbidden');
    else {
      const size = { cols: sizeOf(url.searchParams.get('cols'), 80), rows: sizeOf(url.searchParams.get('rows'), 24) };
      const [host, id] = [decodeURIComponent(match[1]!), decodeURIComponent(match[2]!)];
      this.wss.handleUpgrade(req, socket, head, (ws) => void this.serve(ws, host, id, size));
    }
    return true;
  }

  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }

  private async serve(ws: WebSocket, host: string, id: string, size: { cols: number; rows: number }): Promise<void> {
    let conn: Hijacked | undefined;
    // The browser may type as soon as the socket opens, before the exec is attached: keep those frames.
    const early: Frame[] = [];
    const keep = (data: RawData, binary: boolean): void => void early.push({ data, binary });
    ws.on('message', keep);
    try {
      const client = this.hosts.get(host).engine();
      const { Id: execId } = await client.createExec(id, {
        Tty: true, AttachStdin: true, AttachStdout: true, AttachStderr: true, Env: ['TERM=xterm-256color'], Cmd: SHELL, ConsoleSize: [size.rows, size.cols],
      });
      conn = await client.startExecAttached(execId, true, [size.rows, size.cols]);
      if (!conn.input) throw new Error(`the engine did not attach the terminal (HTTP ${conn.response?.statusCode ?? '?'})`);
      if (ws.readyState !== ws.OPEN) return void conn.socket.destroy();
      ws.off('message', keep);
      pipe(ws, conn, client, execId, early);
    } catch (err) {
      conn?.socket.destroy();
      if (ws.readyState === ws.OPEN) ws.close(1011, String((err as Error).message ?? err).slice(0, 120));
    }
  }
}

type Frame = { data: RawData; binary: boolean };

/** Copies both ways until either side ends (frames that came before it first); the browser's resize messages go to the exec. */
function pipe(ws: WebSocket, conn: Hijacked, client: BerthClient, execId: string, early: Frame[]): void {
  const input = conn.input!;
  conn.output.on('data', (chunk: Buffer) => ws.send(chunk));
  conn.output.once('end', () => ws.close(1000, 'the shell exited'));
  conn.output.once('error', () => ws.close(1011, 'the connection to the engine broke'));
  // Keystrokes wait for a resize in flight: what is typed after a resize sees the new size.
  let resized: Promise<void> = Promise.resolve();
  const onFrame = (data: RawData, binary: boolean): void => {
    if (binary) return void resized.then(() => input.write(data as Buffer));
    const msg = parseResize(data.toString());
    // A shell that just exited cannot be resized: harmless.
    if (msg) resized = resized.then(() => client.resizeExec(execId, msg.rows, msg.cols)).catch(() => undefined);
  };
  for (const frame of early) onFrame(frame.data, frame.binary);
  ws.on('message', onFrame);
  // Closing the attach alone leaves the shell running in the container (as docker exec does): interrupt
  // what runs and end the shell's input first. A program that ignores both keeps running.
  ws.once('close', () => input.end(HANG_UP, () => conn.socket.destroy()));
  ws.on('error', () => ws.terminate());
}

function parseResize(text: string): { cols: number; rows: number } | undefined {
  try {
    const msg = JSON.parse(text) as { type?: unknown; cols?: unknown; rows?: unknown };
    if (msg.type !== 'resize') return undefined;
    return { cols: sizeOf(String(msg.cols), 80), rows: sizeOf(String(msg.rows), 24) };
  } catch {
    return undefined;
  }
}

function sizeOf(value: string | null, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? Math.min(n, MAX_SIZE) : fallback;
}
