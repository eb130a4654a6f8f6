/** Streamed responses of the dashboard's API. */
import { errorText } from './api.js';

/** Reads a streamed text response (logs, stats lines) line by line as it arrives. */
export async function streamLines(url: string, signal: AbortSignal, onLines: (lines: string[]) => void, onState: (s: string) => void): Promise<void> {
  try {
    onState('loading…');
    const res = await fetch(url, { signal, credentials: 'same-origin' });
    if (!res.ok || !res.body) throw new Error(((await res.json().catch(() => ({}))) as { message?: string }).message ?? res.statusText);
    onState(url.includes('follow=1') ? 'following' : '');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let partial = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const parts = (partial + value).split('\n');
      partial = parts.pop() ?? '';
      if (parts.length) onLines(parts);
    }
    if (partial) onLines([partial]);
    onState('ended');
  } catch (err) {
    if (!signal.aborted) onState(`error: ${errorText(err)}`);
  }
}
