/** Streamed responses of the dashboard's API. */
import { errorText } from './api.js';

/** Calls onLines with each batch of complete lines of a streamed body as it arrives (and the last, unterminated one at the end). */
export async function readLines(body: ReadableStream<BufferSource>, onLines: (lines: string[]) => void): Promise<void> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let partial = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const parts = (partial + value).split('\n');
    partial = parts.pop() ?? '';
    if (parts.length) onLines(parts);
  }
  if (partial) onLines([partial]);
}

/** The message of a failed response's JSON body. */
export async function failure(res: Response): Promise<Error> {
  return new Error(((await res.json().catch(() => ({}))) as { message?: string }).message ?? res.statusText);
}

/** Reads a streamed text response (logs, stats lines) line by line as it arrives. */
export async function streamLines(url: string, signal: AbortSignal, onLines: (lines: string[]) => void, onState: (s: string) => void): Promise<void> {
  try {
    onState('loading…');
    const res = await fetch(url, { signal, credentials: 'same-origin' });
    if (!res.ok || !res.body) throw await failure(res);
    onState(url.includes('follow=1') ? 'following' : '');
    await readLines(res.body, onLines);
    onState('ended');
  } catch (err) {
    if (!signal.aborted) onState(`error: ${errorText(err)}`);
  }
}
