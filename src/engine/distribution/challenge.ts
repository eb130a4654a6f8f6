/**
 * WWW-Authenticate challenges (RFC 7235), as registries send them:
 *   Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"
 *   Basic realm="Registry Realm"
 * A header may carry several challenges, and a response several headers.
 */
export interface Challenge {
  /** Lowercased: "basic", "bearer". */
  scheme: string;
  params: Record<string, string>;
}

export function parseChallenges(headers: string | string[] | undefined): Challenge[] {
  const values = headers === undefined ? [] : Array.isArray(headers) ? headers : [headers];
  return values.flatMap(parseHeader);
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

function parseHeader(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  let rest = header.trim();
  while (rest.length > 0) {
    const scheme = TOKEN.exec(rest)?.[0];
    if (!scheme) break;
    rest = rest.slice(scheme.length).trimStart();
    const params: Record<string, string> = {};
    // Parameters are key=value pairs; a token not followed by "=" starts the next challenge.
    for (;;) {
      const key = TOKEN.exec(rest)?.[0];
      if (!key || !rest.slice(key.length).trimStart().startsWith('=')) break;
      rest = rest.slice(key.length).trimStart().slice(1).trimStart();
      const { value, remaining } = readValue(rest);
      params[key.toLowerCase()] = value;
      rest = remaining.trimStart();
      if (!rest.startsWith(',')) break;
      rest = rest.slice(1).trimStart();
    }
    challenges.push({ scheme: scheme.toLowerCase(), params });
  }
  return challenges;
}

function readValue(text: string): { value: string; remaining: string } {
  if (!text.startsWith('"')) {
    const value = /^[^,\s]*/.exec(text)![0];
    return { value, remaining: text.slice(value.length) };
  }
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) value += text[++i];
    else if (ch === '"') return { value, remaining: text.slice(i + 1) };
    else value += ch;
  }
  return { value, remaining: '' };
}
