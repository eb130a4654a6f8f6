/**
 * A shell in the container, in xterm.js, over the WebSocket …/exec: keystrokes
 * go out as binary frames, the TTY's output comes back as binary frames, and
 * the terminal's size follows its box (fit addon) and is sent as a resize.
 */
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'preact/hooks';
import { csrf } from './api.js';

export function TerminalPanel({ base, running }: { base: string; running: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <section class="panel" aria-labelledby="terminal-title">
      <div class="toolbar">
        <h2 id="terminal-title">Terminal</h2>
        {open
          ? <button type="button" id="terminal-close" onClick={() => setOpen(false)}>Close</button>
          : <button type="button" id="terminal-open" disabled={!running} onClick={() => setOpen(true)}>Open a shell</button>}
        {!running && <span class="dim">the container is not running</span>}
      </div>
      {open && <Shell base={base} />}
    </section>
  );
}

function Shell({ base }: { base: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [state, setState] = useState('connecting…');
  const [size, setSize] = useState({ cols: 0, rows: 0 });
  useEffect(() => {
    const term = new Terminal({ cursorBlink: true, fontSize: 13, convertEol: false, screenReaderMode: true });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(box.current!);
    fit.fit();
    setSize({ cols: term.cols, rows: term.rows });
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const query = new URLSearchParams({ csrf: csrf(), cols: String(term.cols), rows: String(term.rows) });
    const ws = new WebSocket(`${proto}//${location.host}${base}/exec?${query}`);
    ws.binaryType = 'arraybuffer';
    const encoder = new TextEncoder();
    ws.onopen = () => { setState('connected'); term.focus(); };
    ws.onmessage = (e) => term.write(typeof e.data === 'string' ? e.data : new Uint8Array(e.data as ArrayBuffer));
    ws.onclose = (e) => setState(e.reason ? `closed: ${e.reason}` : e.code === 1006 ? 'refused or cut off' : 'closed');
    const input = term.onData((data) => ws.readyState === WebSocket.OPEN && ws.send(encoder.encode(data)));
    const resize = term.onResize(({ cols, rows }) => {
      setSize({ cols, rows });
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'resize', cols, rows }));
    });
    const observer = new ResizeObserver(() => fit.fit());
    observer.observe(box.current!);
    return () => {
      observer.disconnect();
      input.dispose();
      resize.dispose();
      ws.close();
      term.dispose();
    };
  }, [base]);
  return (
    <>
      <p class="dim" id="terminal-state" aria-live="polite">{state}</p>
      <div class="terminal" id="terminal" ref={box} data-cols={size.cols} data-rows={size.rows} />
    </>
  );
}
