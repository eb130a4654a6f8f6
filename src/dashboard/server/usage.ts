/**
 * CPU % and memory of every running container on one host, for the
 * containers table. Each container gets one stats sample (stream=false, as
 * `docker stats --no-stream` takes them: the engine reads twice a second
 * apart, so one request gives a CPU rate), a few containers at a time, round
 * after round — and only while some browser is connected: nobody watching,
 * no load on the engines. A round uses a client of its own, so the samples'
 * second of waiting never holds up the listings.
 */
import { readJsonMessages, type StatsSample } from '../../client/index.js';
import { cpuPercent, memoryUsage } from '../../client/stats-math.js';
import type { ContainerUsage } from '../shared/types.js';
import type { LiveHost } from './live-host.js';

const ROUND_EVERY_MS = 5000;
const CONCURRENCY = 4;

export class UsagePoller {
  /** The last round's numbers, by container ID. */
  usage: Record<string, ContainerUsage> = {};

  constructor(private readonly host: LiveHost, private readonly watched: () => boolean, private readonly onUsage: (usage: Record<string, ContainerUsage>) => void) {}

  start(): void {
    void this.loop();
  }

  private async loop(): Promise<void> {
    while (!this.host.stopped) {
      const started = Date.now();
      if (this.watched() && this.host.summary.reachable) await this.round().catch(() => undefined);
      await new Promise((r) => setTimeout(r, Math.max(1000, ROUND_EVERY_MS - (Date.now() - started))).unref());
    }
  }

  private async round(): Promise<void> {
    const running = this.host.containers.filter((c) => c.state === 'running');
    const next: Record<string, ContainerUsage> = {};
    if (running.length) {
      const client = this.host.streamClient();
      try {
        let i = 0;
        const worker = async () => {
          while (i < running.length && !this.host.stopped) {
            const id = running[i++]!.id;
            const usage = await sample(client, id).catch(() => undefined);
            if (usage) next[id] = usage;
          }
        };
        await Promise.all(Array.from({ length: Math.min(CONCURRENCY, running.length) }, worker));
      } finally {
        client.close();
      }
    }
    if (this.host.stopped) return;
    this.usage = next;
    this.onUsage(next);
  }
}

async function sample(client: ReturnType<LiveHost['streamClient']>, id: string): Promise<ContainerUsage | undefined> {
  const body = await client.containerStats(id, false);
  try {
    for await (const message of readJsonMessages(body)) {
      const s = message as unknown as StatsSample;
      return { cpuPercent: cpuPercent(s), memory: memoryUsage(s), memoryLimit: s.memory_stats?.limit ?? 0 };
    }
    return undefined;
  } finally {
    body.destroy();
  }
}
