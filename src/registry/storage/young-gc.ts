/**
 * Returns dead request-body buffers to the system while a large upload
 * streams in. Node's HTTP parser hands every body piece over in a freshly
 * allocated buffer; V8 frees those only at its next collection, and it
 * counts such external memory lazily (tens of MiB), so a 200 MB push held
 * ~40 MiB of dead chunks at its peak. A young-generation collection every
 * few MiB received costs well under a millisecond (the young heap is tiny)
 * and bounds that. When V8 will not expose gc, uploads simply go without.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Bytes received between two collections. */
const COLLECT_EVERY_BYTES = 4 * 1024 * 1024;

type Collect = (options: { type: 'minor' }) => void;

let collect: Collect | null | undefined;
let sinceLast = 0;

function collector(): Collect | null {
  if (collect === undefined) {
    try {
      // --expose-gc given now defines gc() in contexts created from here on, not in this one.
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as Collect;
    } catch {
      collect = null;
    }
  }
  return collect;
}

/** Counts received bytes; every few MiB, collects the young generation. */
export function noteReceived(bytes: number): void {
  sinceLast += bytes;
  if (sinceLast < COLLECT_EVERY_BYTES) return;
  sinceLast = 0;
  collector()?.({ type: 'minor' });
}
