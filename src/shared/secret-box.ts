import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Secrets the hub must send on (webhook signing secrets, feed auth headers) are kept encrypted with
 * HUB_SECRET_KEY: AES-256-GCM, a random IV per value, stored as `enc:v1:<iv>:<tag>:<ciphertext>`
 * (base64url). Each value is bound to its column, so a ciphertext copied elsewhere does not open.
 */
const prefix = 'enc:v1:';

export type SecretPurpose = 'agencies.webhook_secret' | 'feeds.auth_header_value';

export class SecretKeyError extends Error {}

/** HUB_SECRET_KEY: 32 bytes, written as 64 hex digits or base64 (`openssl rand -base64 32`). */
export function parseSecretKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32 || (!/^[0-9a-fA-F]{64}$/.test(trimmed) && !/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed))) {
    throw new SecretKeyError('must be 32 bytes: 64 hex digits, or base64 (openssl rand -base64 32)');
  }
  return key;
}

export const isSealed = (stored: string) => stored.startsWith(prefix);

export class SecretBox {
  constructor(private readonly key: Buffer | undefined) {}

  get hasKey(): boolean {
    return this.key !== undefined;
  }

  /** Encrypts a value for storage; without a key it is stored as it is (development only). */
  seal(plain: string, purpose: SecretPurpose): string {
    if (!this.key) return plain;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(Buffer.from(purpose, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${prefix}${iv.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}:${body.toString('base64url')}`;
  }

  /** The value as written; a value stored before encryption was turned on is read as it is. */
  open(stored: string, purpose: SecretPurpose): string {
    if (!isSealed(stored)) return stored;
    if (!this.key) throw new SecretKeyError(`a stored ${purpose} is encrypted and HUB_SECRET_KEY is not set`);
    const [iv, tag, body] = stored.slice(prefix.length).split(':');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'))
        .setAAD(Buffer.from(purpose, 'utf8'))
        .setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretKeyError(`a stored ${purpose} does not open with HUB_SECRET_KEY (was the key changed?)`);
    }
  }
}
