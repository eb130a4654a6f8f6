/**
 * GET over https with a registry's own trust: the CA certificate an admin
 * stored with the registry (and a client certificate, for registries that
 * ask for one). fetch() takes no CA in Node 20 without undici's Agent, so
 * these requests go through node:https and come back as a fetch Response.
 * A certificate the CA does not vouch for is told as such, not as a bare
 * OpenSSL code.
 */
import { request } from 'node:https';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { invalid } from '../../lib/errors.js';

export interface TlsOptions {
  /** PEM: the CA certificate(s) to trust instead of the system's. */
  ca?: string;
  /** PEM: a client certificate and its key. */
  cert?: string;
  key?: string;
}

const MAX_REDIRECTS = 5;

/** OpenSSL's verification failures: the registry's certificate is not one we were told to trust. */
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE',
]);

/** Explains a TLS failure in words an admin can act on. */
export function tlsProblem(err: Error & { code?: string }, custom: boolean): string {
  const code = err.code ?? '';
  if (UNTRUSTED.has(code)) {
    return `its TLS certificate is not trusted (${err.message})${custom ? ': the CA certificate stored with this registry did not sign it' : ': add the CA certificate that signed it to this registry'}`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `its TLS certificate is for another name (${err.message})`;
  if (code === 'CERT_HAS_EXPIRED') return `its TLS certificate has expired (${err.message})`;
  return err.message;
}

/** GET `url` with `headers`, following redirects; resolves with a fetch Response. */
export function httpsGet(url: string, headers: Record<string, string>, tls: TlsOptions, timeoutMs: number, redirects = 0): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers, ca: tls.ca, cert: tls.cert, key: tls.key, agent: false, timeout: timeoutMs }, (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location && redirects < MAX_REDIRECTS) {
        res.resume();
        const next = new URL(location, url);
        // Credentials go only where they were meant for, as fetch does on a cross-origin redirect.
        const sameOrigin = next.origin === new URL(url).origin;
        const { Authorization: _dropped, ...rest } = headers;
        resolve(next.protocol === 'https:' ? httpsGet(next.href, sameOrigin ? headers : rest, tls, timeoutMs, redirects + 1) : fetch(next.href, { headers: sameOrigin ? headers : rest }));
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const out = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(', ') : v);
        resolve(new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), { status, headers: out }));
      });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer in ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}

/** Checks PEM fields before they are stored: a CA must be certificates, a client certificate needs its key. */
export function checkTls(v: Record<string, unknown>): TlsOptions {
  const out: TlsOptions = {};
  for (const key of ['ca', 'cert', 'key'] as const) {
    const value = v[key];
    if (value === undefined || value === '') continue;
    if (typeof value !== 'string') throw invalid(`${key} must be PEM text`);
    out[key] = value.trim() + '\n';
  }
  if (out.ca) parseCertificate(out.ca, 'the CA certificate');
  if (Boolean(out.cert) !== Boolean(out.key)) throw invalid('a client certificate needs its key, and a key its certificate');
  if (out.cert && out.key) {
    const cert = parseCertificate(out.cert, 'the client certificate');
    try {
      if (!cert.checkPrivateKey(createPrivateKey(out.key))) throw invalid('the client key does not belong to the client certificate');
    } catch (err) {
      if ((err as { kind?: string }).kind) throw err;
      throw invalid(`the client key is not a PEM private key: ${(err as Error).message}`);
    }
  }
  return out;
}

function parseCertificate(pem: string, what: string): X509Certificate {
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw invalid(`${what} is not a PEM certificate (-----BEGIN CERTIFICATE-----)`);
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw invalid(`${what} is not a valid PEM certificate: ${(err as Error).message}`);
  }
}
