/**
 * At most `slots` tasks at once, the others in arrival order. A slot is given
 * up when its task ends or after `maxHoldMs`, whichever comes first, so one
 * task that hangs never holds up the rest for good.
 *
 * Why for `runc create`: it is CPU-bound (runc's init, namespaces, mounts).
 * Fifty at once on two cores all finish late together; in turns, most
 * finish early and the last no later (the same work, first come first served).
 */
export class Throttle {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly slots: number,
    private readonly maxHoldMs: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.slots) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    let held = true;
    const giveUp = () => {
      if (!held) return;
      held = false;
      clearTimeout(timer);
      const next = this.waiting.shift();
      if (next) next(); // the slot passes on as it is
      else this.running--;
    };
    const timer = setTimeout(giveUp, this.maxHoldMs);
    try {
      return await task();
    } finally {
      giveUp();
    }
  }
}
