import { runTool } from './ip.js';

/**
 * iptables through its text interfaces: `iptables -S` to read a table and
 * `iptables-restore --noflush` to apply a change set atomically per table in
 * one spawn. With --noflush, declaring an existing user chain (":NAME - [0:0]")
 * flushes it, so a set of chains we own can be rewritten in full at once while
 * every other rule on the host is left alone.
 */
export type Table = 'filter' | 'nat';

/** 4: iptables, 6: ip6tables (same syntax, separate rule sets). */
export type IpFamily = 4 | 6;

function tool(family: IpFamily): string {
  return family === 6 ? 'ip6tables' : 'iptables';
}

/** One table's part of a restore script. */
export interface TableScript {
  table: Table;
  /** Chains to declare (created, or flushed when they exist). */
  chains?: string[];
  /** Rule lines in iptables syntax, e.g. "-A BERTH -p tcp --dport 80 -j DNAT …". */
  rules: string[];
}

export function restoreScript(parts: TableScript[]): string {
  const out: string[] = [];
  for (const part of parts) {
    if ((part.chains ?? []).length === 0 && part.rules.length === 0) continue;
    out.push(`*${part.table}`);
    for (const chain of part.chains ?? []) out.push(`:${chain} - [0:0]`);
    out.push(...part.rules, 'COMMIT');
  }
  return out.length ? out.join('\n') + '\n' : '';
}

/**
 * Applies the script in one `iptables-restore --noflush` (or ip6tables-restore
 * for family 6; a no-op for an empty script); with `netnsPath`, to the tables
 * of that network namespace.
 */
export async function iptablesRestore(parts: TableScript[], netnsPath?: string, family: IpFamily = 4): Promise<void> {
  const script = restoreScript(parts);
  if (!script) return;
  const restore = `${tool(family)}-restore`;
  await runTool(restore, ['--noflush', '-w'], script, netnsPath);
}

/** `iptables -t <table> -S` (or ip6tables) as lines ("-N X", "-A X …", "-P …"). */
export async function listRules(table: Table, family: IpFamily = 4): Promise<string[]> {
  const out = await runTool(tool(family), ['-w', '-t', table, '-S']);
  return out.split('\n').filter(Boolean);
}

/** Names of the user chains of a table. */
export async function listChains(table: Table, family: IpFamily = 4): Promise<string[]> {
  return (await listRules(table, family)).filter((l) => l.startsWith('-N ')).map((l) => l.slice(3).trim());
}
