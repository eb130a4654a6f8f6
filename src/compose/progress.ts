/**
 * compose v2's plain progress writer (pkg/progress/plain.go): one line per
 * event, `fmt.Fprintln("", id, text, status)`, on stderr. Used when stderr is
 * not a terminal, which is how scripts and tests run compose.
 */
export type ProgressSink = (line: string) => void;

export class Progress {
  constructor(private readonly sink: ProgressSink) {}

  /** `id` is what compose names the object by: `Container x-web-1`, `Network x_default`, `Volume "x_data"`. */
  event(id: string, text: string, status = ''): void {
    this.sink(` ${id} ${text} ${status}\n`);
  }

  /** Runs `work` between a `doing` and a `done` event, as compose reports each step. */
  async step<T>(id: string, doing: string, done: string, work: () => Promise<T>): Promise<T> {
    this.event(id, doing);
    const result = await work();
    this.event(id, done);
    return result;
  }
}

export const containerId = (name: string): string => `Container ${name}`;
export const networkId = (name: string): string => `Network ${name}`;
