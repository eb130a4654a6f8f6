/**
 * How compose v2 prints containers' output (cmd/formatter/logs.go,
 * colors.go): each line behind `<service>-<n> | `, the names padded to the
 * longest one plus a space, each container in its own colour (taken in turn
 * from a fixed rainbow) when the output is a terminal; status lines such as
 * `web-1 exited with code 0` in the container's colour.
 */
export interface PrinterOptions {
  color: boolean;
  prefix: boolean;
  timestamps?: boolean;
}

const RAINBOW = ['36', '33', '32', '35', '34', '36;1', '33;1', '32;1', '35;1', '34;1'];

const paint = (code: string | undefined, text: string): string => (code ? `\x1b[${code}m${text}\x1b[0m` : text);

export class LogPrinter {
  private readonly colours = new Map<string, string | undefined>();
  private width = 0;

  constructor(private readonly out: (text: string) => void, private readonly options: PrinterOptions) {}

  /** Names are registered in a stable order (sorted containers) so colours are predictable, as compose does. */
  register(name: string): void {
    if (this.colours.has(name)) return;
    this.colours.set(name, this.options.color ? RAINBOW[this.colours.size % RAINBOW.length] : undefined);
    this.width = Math.max(this.width, name.length + 1);
  }

  private prefix(name: string): string {
    this.register(name);
    return this.options.prefix ? paint(this.colours.get(name), `${name.padEnd(this.width)} | `) : '';
  }

  /** One line of a container's output (without its newline); `timestamp` is the engine's when it sent one. */
  line(name: string, text: string, timestamp?: string): void {
    const stamp = this.options.timestamps && timestamp ? `${timestamp} ` : '';
    this.out(`${this.prefix(name)}${stamp}${text}\n`);
  }

  status(name: string, message: string): void {
    this.register(name);
    this.out(`${paint(this.colours.get(name), `${name} ${message}`)}\n`);
  }
}
