import { invalid } from './errors.js';

/**
 * An EXPOSE argument as go-connections' nat.ParsePortSpecs reads it (dockerd's
 * EXPOSE in builds, commit and import): "80", "80/udp", "8000-8002/tcp" →
 * ["80/tcp"], …; "ip:host:container" exposes the container port; the words
 * of dockerd 20.10's errors.
 */
export function expandPortSpec(spec: string): string[] {
  const slash = spec.lastIndexOf('/');
  const [portText, protoText] = slash < 0 ? [spec, 'tcp'] : [spec.slice(0, slash), spec.slice(slash + 1)];
  const proto = protoText.toLowerCase();
  if (!['tcp', 'udp', 'sctp'].includes(proto)) throw invalid(`Invalid proto: ${protoText}`);
  const containerPort = portText.slice(portText.lastIndexOf(':') + 1);
  const match = /^(\d+)(?:-(\d+))?$/.exec(containerPort);
  const start = Number(match?.[1]);
  const end = match?.[2] === undefined ? start : Number(match[2]);
  if (!match || end > 65535 || end < start) throw invalid(`Invalid containerPort: ${containerPort}`);
  const out: string[] = [];
  for (let port = start; port <= end; port++) out.push(`${port}/${proto}`);
  return out;
}
