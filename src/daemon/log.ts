/** A levelled logger writing dockerd-style lines to stderr. */
export type Level = 'debug' | 'info' | 'warn' | 'error' | 'fatal';
const ORDER: Level[] = ['debug', 'info', 'warn', 'error', 'fatal'];

export class Logger {
  constructor(public level: Level = 'info') {}

  log(level: Level, msg: string): void {
    if (ORDER.indexOf(level) < ORDER.indexOf(this.level)) return;
    process.stderr.write(`time="${new Date().toISOString()}" level=${level} msg=${JSON.stringify(msg)}\n`);
  }

  debug = (msg: string) => this.log('debug', msg);
  info = (msg: string) => this.log('info', msg);
  warn = (msg: string) => this.log('warn', msg);
  error = (msg: string) => this.log('error', msg);
}
