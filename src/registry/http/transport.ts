/** Where passwords may travel: over TLS, from loopback, or anywhere when the operator allowed plain HTTP. */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

export function isEncrypted(req: IncomingMessage): boolean {
  return (req.socket as TLSSocket).encrypted === true;
}

export function passwordTransportAllowed(encrypted: boolean, remoteAddress: string, allowPlainHttp: boolean): boolean {
  return encrypted || allowPlainHttp || isLoopbackAddress(remoteAddress);
}

export function isLoopbackAddress(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
