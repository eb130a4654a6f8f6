import { readFile, writeFile } from 'node:fs/promises';

/** /proc/sys access by dotted name ("net.ipv4.ip_forward"), in berthd's own netns. */
function sysctlPath(name: string): string {
  return `/proc/sys/${name.replace(/\./g, '/')}`;
}

export async function readSysctl(name: string): Promise<string> {
  return (await readFile(sysctlPath(name), 'utf8')).trim();
}

/** Writes only when the value differs, so an already-set host costs one read. */
export async function ensureSysctl(name: string, value: string): Promise<void> {
  if ((await readSysctl(name)) === value) return;
  await writeFile(sysctlPath(name), value);
}
