import { and, eq, isNotNull } from 'drizzle-orm';
import { agencies, feeds } from '../../drizzle/schema/index.js';
import type { Hub } from '../app.js';
import { isSealed, SecretKeyError } from '../shared/secret-box.js';

export interface StoredSecretsReport {
  /** plaintext values encrypted by this call */
  sealed: number;
  /** values still in plaintext (no key) */
  plain: number;
  /** encrypted values (after sealing) */
  encrypted: number;
}

/**
 * Run at start: with a key, encrypts every value still stored in plaintext and checks that the key
 * opens the encrypted ones; without one, refuses in production when any secret is stored.
 */
export async function secureStoredSecrets(hub: Pick<Hub, 'db' | 'secrets' | 'config' | 'logger'>): Promise<StoredSecretsReport> {
  const { db, secrets: box } = hub;
  const production = hub.config.env === 'production';
  const webhooks = await db
    .select({ id: agencies.id, value: agencies.webhookSecret })
    .from(agencies)
    .where(isNotNull(agencies.webhookSecret));
  const headers = await db.select({ id: feeds.id, value: feeds.authHeaderValue }).from(feeds).where(isNotNull(feeds.authHeaderValue));
  const all = [
    ...webhooks.map((row) => ({ ...row, value: row.value!, purpose: 'agencies.webhook_secret' as const })),
    ...headers.map((row) => ({ ...row, value: row.value!, purpose: 'feeds.auth_header_value' as const })),
  ];
  if (!box.hasKey) {
    if (production && all.length > 0) {
      throw new SecretKeyError(
        `HUB_SECRET_KEY is not set and ${all.length} webhook secret(s) or feed auth header(s) are stored: set it (openssl rand -base64 32) before starting in production`,
      );
    }
    const report = {
      sealed: 0,
      plain: all.filter((s) => !isSealed(s.value)).length,
      encrypted: all.filter((s) => isSealed(s.value)).length,
    };
    if (report.plain > 0)
      hub.logger.warn(`HUB_SECRET_KEY is not set: ${report.plain} webhook secret(s) or feed auth header(s) are stored in plain text`);
    if (report.encrypted > 0)
      hub.logger.warn(`HUB_SECRET_KEY is not set: ${report.encrypted} encrypted secret(s) cannot be used until it is`);
    return report;
  }
  // a wrong key is found now, not at 02:00 when the first feed pull fails
  for (const secret of all) if (isSealed(secret.value)) box.open(secret.value, secret.purpose);
  const plain = all.filter((s) => !isSealed(s.value));
  if (plain.length > 0) {
    await db.transaction(async (tx) => {
      for (const secret of plain) {
        const sealed = box.seal(secret.value, secret.purpose);
        // only a value nobody changed meanwhile (another process starting at the same time)
        if (secret.purpose === 'agencies.webhook_secret') {
          await tx
            .update(agencies)
            .set({ webhookSecret: sealed })
            .where(and(eq(agencies.id, secret.id), eq(agencies.webhookSecret, secret.value)));
        } else {
          await tx
            .update(feeds)
            .set({ authHeaderValue: sealed })
            .where(and(eq(feeds.id, secret.id), eq(feeds.authHeaderValue, secret.value)));
        }
      }
    });
  }
  if (plain.length > 0) hub.logger.info({ sealed: plain.length }, 'stored secrets encrypted with HUB_SECRET_KEY');
  return { sealed: plain.length, plain: 0, encrypted: all.length };
}
