import { readFile, writeFile } from 'node:fs/promises';

/**
 * The /etc/hosts, /etc/hostname and /etc/resolv.conf that each container gets
 * (bind-mounted from its directory), as Docker writes them for the network
 * modes berth has so far: a private netns with loopback only, or the host's.
 * They are written anew at every start, so they are not fsynced.
 */
export async function writeEtcFiles(
  paths: { hostname: string; hosts: string; resolvConf: string },
  options: { hostname: string; domainname: string; hostNetwork: boolean },
): Promise<void> {
  const fqdn = options.domainname ? `${options.hostname}.${options.domainname}` : options.hostname;
  await writeFile(paths.hostname, `${options.hostname}\n`);
  if (options.hostNetwork) {
    await writeFile(paths.hosts, await readFile('/etc/hosts', 'utf8').catch(() => defaultHosts('')));
  } else {
    await writeFile(paths.hosts, defaultHosts(fqdn === options.hostname ? '' : fqdn));
  }
  await writeFile(paths.resolvConf, await containerResolvConf(options.hostNetwork));
}

function defaultHosts(fqdn: string): string {
  return [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
    ...(fqdn ? [`127.0.1.1\t${fqdn}`] : []),
    '',
  ].join('\n');
}

/**
 * The host's resolv.conf; outside the host's netns, loopback name servers
 * (e.g. systemd-resolved's 127.0.0.53) cannot be reached, so they are dropped
 * and Google's public servers stand in when nothing is left, as Docker does.
 */
async function containerResolvConf(hostNetwork: boolean): Promise<string> {
  const host = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  if (hostNetwork) return host;
  const lines = host.split('\n').filter((line) => !/^\s*nameserver\s+(127\.|::1\b)/.test(line));
  if (!lines.some((line) => /^\s*nameserver\s/.test(line))) lines.push('nameserver 8.8.8.8', 'nameserver 8.8.4.4');
  return `${lines.filter((l, i, all) => l !== '' || i < all.length - 1).join('\n')}\n`;
}
