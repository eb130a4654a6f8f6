/**
 * The errors Go's url.Parse gives for an absolute URL ("scheme://host/path"),
 * as `parse "<url>": <reason>`, or undefined when Go would accept it. dockerd
 * passes these on verbatim (POST /auth: "unable to parse server address: …"),
 * so berthd gives the same words for the same input.
 */
export function goUrlParseError(url: string): string | undefined {
  const reason = problem(url);
  return reason === undefined ? undefined : `parse ${JSON.stringify(url)}: ${reason}`;
}

function problem(url: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(url)) return 'net/url: invalid control character in URL';
  const rest = url.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//, '');
  const end = rest.search(/[/?#]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  const hostProblem = checkHost(host);
  if (hostProblem) return hostProblem;
  const escape = /%(?![0-9a-fA-F]{2})(.{0,2})/.exec(end < 0 ? '' : rest.slice(end).split('#')[0]!);
  if (escape) return `invalid URL escape ${JSON.stringify(`%${escape[1]}`)}`;
  return undefined;
}

/** Go's parseHost: brackets for IPv6, a numeric port, and no bad escapes in the name. */
function checkHost(host: string): string | undefined {
  let name = host;
  let port = '';
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close < 0) return "missing ']' in host";
    port = host.slice(close + 1);
    if (port !== '' && !port.startsWith(':')) return `invalid port ${JSON.stringify(port)} after host`;
    name = host.slice(1, close);
  } else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0) {
      port = host.slice(colon);
      name = host.slice(0, colon);
    }
  }
  if (port !== '' && !/^:\d*$/.test(port)) return `invalid port ${JSON.stringify(port)} after host`;
  const escape = /%(?![0-9a-fA-F]{2})(.{0,2})/.exec(name);
  if (escape) return `invalid URL escape ${JSON.stringify(`%${escape[1]}`)}`;
  return undefined;
}
