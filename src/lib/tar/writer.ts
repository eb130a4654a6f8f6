/**
 * A minimal tar writer (ustar headers, PAX extended headers when needed).
 * Ours rather than tar-stream's pack because layer exports must be byte-for-
 * byte reproducible and carry binary xattr values (security.capability),
 * which tar-stream can only encode as UTF-8 strings.
 */

export type TarType = 'file' | 'link' | 'symlink' | 'character-device' | 'block-device' | 'directory' | 'fifo';

export interface TarHeader {
  /** Relative path; directories get a trailing '/' added here. */
  name: string;
  type: TarType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Whole seconds since the epoch. */
  mtime: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  xattrs?: ReadonlyMap<string, Buffer>;
  /** More PAX records, written in this order after the others (sparse files' GNU.sparse.*). */
  pax?: readonly (readonly [string, string])[];
  /**
   * The file type bits in the mode field too (0100644 for a file), as Docker's archive package
   * writes docker cp and export tars (fillGo18FileTypeBits). Not for layers: their bytes are their digest.
   */
  typeBits?: boolean;
}

/** Go's c_IS* mode bits of each entry type (a hard link is a regular file). */
const TYPE_BITS: Record<TarType, number> = {
  file: 0o100000, link: 0o100000, symlink: 0o120000, 'character-device': 0o20000, 'block-device': 0o60000, directory: 0o40000, fifo: 0o10000,
};

export const BLOCK = 512;
/** Two zero blocks end an archive. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

const TYPE_FLAGS: Record<TarType, string> = {
  file: '0',
  link: '1',
  symlink: '2',
  'character-device': '3',
  'block-device': '4',
  directory: '5',
  fifo: '6',
};

/** Largest values the octal ustar fields hold (7 and 11 digits). */
const MAX_OCTAL_ID = 0o7777777;
const MAX_OCTAL_SIZE = 0o77777777777;

/** The header block(s) for one entry: a PAX header first when ustar cannot say it all. */
export function encodeHeader(header: TarHeader): Buffer {
  const name = header.type === 'directory' && !header.name.endsWith('/') ? `${header.name}/` : header.name;
  const records = paxRecords({ ...header, name });
  const ustar = ustarBlock({ ...header, name }, records.length > 0);
  if (records.length === 0) return ustar;
  const body = Buffer.concat(records);
  const paxHeader = ustarBlock({ name: 'PaxHeader', type: 'file', mode: 0o644, uid: 0, gid: 0, size: body.length, mtime: header.mtime }, false, 'x');
  return Buffer.concat([paxHeader, body, padding(body.length), ustar]);
}

/** Zero bytes that round `size` up to a whole block. */
export function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rest);
}

function paxRecords(header: TarHeader): Buffer[] {
  const records: Buffer[] = [];
  if (!fitsUstarName(header.name)) records.push(paxRecord('path', Buffer.from(header.name)));
  if (header.linkname && !fitsField(header.linkname, 100)) records.push(paxRecord('linkpath', Buffer.from(header.linkname)));
  if (header.uid > MAX_OCTAL_ID) records.push(paxRecord('uid', Buffer.from(String(header.uid))));
  if (header.gid > MAX_OCTAL_ID) records.push(paxRecord('gid', Buffer.from(String(header.gid))));
  if (header.size > MAX_OCTAL_SIZE) records.push(paxRecord('size', Buffer.from(String(header.size))));
  for (const [key, value] of [...(header.xattrs ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    records.push(paxRecord(`SCHILY.xattr.${key}`, value));
  }
  for (const [key, value] of header.pax ?? []) records.push(paxRecord(key, Buffer.from(value)));
  return records;
}

/** "<length> <key>=<value>\n", where length counts its own digits too. */
function paxRecord(key: string, value: Buffer): Buffer {
  const rest = Buffer.byteLength(` ${key}=`) + value.length + 1;
  let length = rest + String(rest).length;
  if (String(length).length !== String(rest).length) length = rest + String(length).length;
  return Buffer.concat([Buffer.from(`${length} ${key}=`), value, Buffer.from('\n')]);
}

function isAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

function fitsField(text: string, bytes: number): boolean {
  return isAscii(text) && text.length <= bytes;
}

/** ustar splits long names into prefix (155) + name (100) at a '/'; we only use the name field, for simplicity. */
function fitsUstarName(name: string): boolean {
  return fitsField(name, 100);
}

function ustarBlock(header: TarHeader, hasPax: boolean, typeFlag = TYPE_FLAGS[header.type]): Buffer {
  const block = Buffer.alloc(BLOCK);
  // With a PAX header, readers take the real name from it: the ustar field gets an ASCII stand-in.
  const name = hasPax && !fitsUstarName(header.name) ? standIn(header.name) : header.name;
  const linkname = header.linkname && hasPax && !fitsField(header.linkname, 100) ? standIn(header.linkname) : header.linkname ?? '';
  block.write(name, 0, 100, 'utf8');
  writeOctal(block, 100, 8, (header.mode & 0o7777) | (header.typeBits ? TYPE_BITS[header.type] : 0));
  writeOctal(block, 108, 8, Math.min(header.uid, MAX_OCTAL_ID));
  writeOctal(block, 116, 8, Math.min(header.gid, MAX_OCTAL_ID));
  writeOctal(block, 124, 12, header.size > MAX_OCTAL_SIZE ? 0 : header.size);
  writeOctal(block, 136, 12, Math.max(0, Math.min(header.mtime, MAX_OCTAL_SIZE)));
  block.write(typeFlag, 156, 1, 'latin1');
  block.write(linkname, 157, 100, 'utf8');
  block.write('ustar\u000000', 257, 8, 'latin1');
  writeOctal(block, 329, 8, header.devmajor ?? 0);
  writeOctal(block, 337, 8, header.devminor ?? 0);
  block.fill(0x20, 148, 156); // the checksum is computed with its own field as spaces
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'latin1');
  return block;
}

function standIn(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '_').slice(-100);
}

function writeOctal(block: Buffer, offset: number, width: number, value: number): void {
  block.write(`${Math.floor(value).toString(8).padStart(width - 1, '0')}\u0000`, offset, width, 'latin1');
}
