/**
 * A levelled logger writing dockerd-style lines to stderr: logrus's text
 * format (logfmt: time="…" level=info msg="…") or its JSON format
 * ({"level":"info","msg":"…","time":"…"}), as `--log-format` picks.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error' | 'fatal';
export type LogFormat = 'text' | 'json';
const ORDER: Level[] = ['debug', 'info', 'warn', 'error', 'fatal'];

export class Logger {
  constructor(
    public level: Level = 'info',
    private readonly format: LogFormat = 'text',
    private readonly out: { write(line: string): unknown } = process.stderr,
  ) {}

  log(level: Level, msg: string): void {
    if (ORDER.indexOf(level) < ORDER.indexOf(this.level)) return;
    const time = new Date().toISOString();
    const line = this.format === 'json'
      ? JSON.stringify({ level: level === 'warn' ? 'warning' : level, msg, time })
      : `time="${time}" level=${level === 'warn' ? 'warning' : level} msg=${JSON.stringify(msg)}`;
    this.out.write(`${line}\n`);
  }

  debug = (msg: string) => this.log('debug', msg);
  info = (msg: string) => this.log('info', msg);
  warn = (msg: string) => this.log('warn', msg);
  error = (msg: string) => this.log('error', msg);
}
