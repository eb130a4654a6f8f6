import { invalid } from '../../lib/errors.js';

const MTU_OPTION = 'com.docker.network.driver.mtu';

/**
 * A bridge network's com.docker.network.driver.mtu, which dockerd's bridge
 * driver gives each veth; undefined (0 too, as dockerd) leaves the kernel's
 * 1500. A value the kernel refuses fails the start or connect with its error.
 */
export function driverMtu(options: Record<string, string>): number | undefined {
  const mtu = Number(options[MTU_OPTION] ?? 0);
  return mtu === 0 || mtu === 1500 ? undefined : mtu;
}

/** At create, as dockerd's bridge driver (Atoi): a value that is not a number is refused (400, the client's mistake). */
export function checkMtuOption(options: Record<string, string> | undefined): void {
  const text = options?.[MTU_OPTION];
  if (text !== undefined && !/^[+-]?\d+$/.test(text)) {
    throw invalid(`failed to parse ${MTU_OPTION} value: ${text} (strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax)`);
  }
}
