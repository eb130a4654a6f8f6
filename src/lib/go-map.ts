/**
 * Go's encoding/json writes a map's entries sorted by key (byte order):
 * dockerd's labels, event attributes and port sets come out so whatever order
 * the client sent. Clients that print what they got (docker inspect,
 * docker-compose events --json) show that order.
 */
export function goMapOrder<T>(map: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
