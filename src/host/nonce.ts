import * as crypto from 'node:crypto';

/** A fresh CSP nonce: 128 bits from the OS's CSPRNG, base64 (never Math.random). */
export function makeNonce(): string {
  return crypto.randomBytes(16).toString('base64');
}
