/**
 * The launcher's protocol (native/berth-launch.c says it in full): a 16-byte
 * header with fds 0-2 attached, a payload of NUL-terminated strings, and
 * 5-byte messages (a letter and an i32) both ways.
 */
export const HEADER_SIZE = 16;
export const MAGIC = 'BRT1';
export const MESSAGE_SIZE = 5;

/** Fields before the arguments: cwd, gid, groups, place, argc. */
const FIXED = 5;

export interface Header {
  payloadLength: number;
  umask: number;
}

export interface Request {
  cwd: string;
  gid: number;
  groups: number[];
  /** "net:INO,mnt:INO,pid:INO,user:INO,uts:INO,ipc:INO,root:DEV:INO" (namespaces by inode, and the root directory). */
  place: string;
  args: string[];
  env: Record<string, string>;
}

export function parseHeader(data: Buffer): Header | undefined {
  if (data.length !== HEADER_SIZE || data.toString('latin1', 0, 4) !== MAGIC) return undefined;
  return { payloadLength: data.readUInt32LE(4), umask: data.readUInt32LE(8) };
}

/** Strings as the launcher wrote them: cwd, gid, groups, place, argc, argv…, environ…. */
export function parseRequest(payload: Buffer): Request | undefined {
  const fields = payload.toString('utf8').split('\0');
  if (fields.pop() !== '' || fields.length < FIXED) return undefined;
  const [cwd, gid, groups, place, argc] = fields;
  const count = Number(argc);
  if (argc === '' || !Number.isInteger(count) || count < 0 || fields.length < FIXED + count) return undefined;
  const env: Record<string, string> = {};
  for (const entry of fields.slice(FIXED + count)) {
    const eq = entry.indexOf('=');
    // As Node builds process.env from environ: an entry without '=' is skipped, the first of a repeated name wins.
    if (eq > 0 && !(entry.slice(0, eq) in env)) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return {
    cwd,
    gid: Number(gid),
    groups: groups === '' ? [] : groups.split(',').map(Number),
    place,
    args: fields.slice(FIXED, FIXED + count),
    env,
  };
}

export function message(type: 'G' | 'F' | 'X' | 'K', value: number): Buffer {
  const buf = Buffer.alloc(MESSAGE_SIZE);
  buf.write(type, 0, 'latin1');
  buf.writeInt32LE(value, 1);
  return buf;
}
