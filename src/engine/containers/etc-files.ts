import { writeFile } from 'node:fs/promises';

/**
 * The /etc/hostname, /etc/hosts and /etc/resolv.conf each container gets
 * (bind-mounted from its directory). hosts and resolv.conf come from the
 * network area, which knows the container's addresses, links and DNS. They
 * are written anew at every start, so they are not fsynced.
 */
export async function writeEtcFiles(
  paths: { hostname: string; hosts: string; resolvConf: string },
  contents: { hostname: string; hosts: string; resolvConf: string },
): Promise<void> {
  await writeFile(paths.hostname, `${contents.hostname}\n`);
  await writeFile(paths.hosts, contents.hosts);
  await writeFile(paths.resolvConf, contents.resolvConf);
}
