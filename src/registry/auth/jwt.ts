/**
 * The JSON Web Tokens of the registry token spec: ES256 (ECDSA P-256 with
 * SHA-256, signature as r||s as JWS wants it, not DER), signed with one key
 * the registry keeps in its root. The header's `kid` is the key's libtrust ID,
 * which is what distribution looks a signing key up by, so a distribution
 * registry given our public key could check our tokens too.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmod, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../lib/atomic.js';
import { isMissing } from '../storage/fs-util.js';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  kid: string;
}

/** The key in `path` (PKCS#8 PEM), made and written with mode 0600 on first use. */
export async function loadOrCreateKey(path: string): Promise<SigningKey> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
    // A key copied in by hand may be readable by others: it signs every token.
    await chmod(path, 0o600);
  } catch (err) {
    if (!isMissing(err)) throw err;
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    await writeFileAtomic(path, pem, 0o600);
  }
  return keyFromPem(pem);
}

export function keyFromPem(pem: string): SigningKey {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('the token signing key must be an EC P-256 key');
  }
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, kid: libtrustKeyId(publicKey) };
}

/**
 * libtrust's key ID: the first 240 bits of SHA-256 of the DER public key,
 * base32, in 12 groups of 4 joined by ":" (what distribution puts in `kid`).
 */
export function libtrustKeyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const hash = createHash('sha256').update(der).digest().subarray(0, 30);
  return base32(hash).match(/.{4}/g)!.join(':');
}

/** RFC 4648 base32 without padding. */
export function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signJwt(claims: Record<string, unknown>, key: SigningKey): string {
  const input = `${b64({ typ: 'JWT', alg: 'ES256', kid: key.kid })}.${b64(claims)}`;
  const signature = sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/**
 * The claims of a token this key signed, or undefined when it is malformed,
 * signed with another key or algorithm (no "none", no HMAC confusion: only
 * ES256 with our kid is tried). Time and audience are the caller's checks.
 */
export function verifyJwt(token: string, key: SigningKey): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [head, body, signature] = parts as [string, string, string];
  const header = parseJson(head);
  if (header?.alg !== 'ES256' || header.kid !== key.kid) return undefined;
  const ok = verify('sha256', Buffer.from(`${head}.${body}`), { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  return ok ? parseJson(body) : undefined;
}

function parseJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
