import { existsSync } from 'node:fs';
import { z } from 'zod';
import { parseSecretKey } from '../shared/secret-box.js';

const booleanFlag = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  /** a worker-only process answers /healthz and /readyz on this port when set */
  HUB_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().url().optional(),
  HUB_DATA_DIR: z.string().default('./data'),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  /** a prefix for every BullMQ key, so two hubs (or two test runs) can share one Redis */
  HUB_QUEUE_PREFIX: z.string().default('hub'),
  HUB_NOW: z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)), 'HUB_NOW must be an ISO 8601 date-time')
    .optional(),
  HUB_TIME_ZONE: z.string().default('Asia/Shanghai'),
  HUB_INTROSPECTION: booleanFlag.optional(),
  HUB_PLANS_DIR: z.string().default('./plans'),
  /** encrypts webhook secrets and feed auth headers at rest (AES-256-GCM) */
  HUB_SECRET_KEY: z
    .string()
    .transform((text, ctx) => {
      try {
        return parseSecretKey(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    })
    .optional(),
  HUB_BODY_LIMIT: z.string().default('5mb'),
  HUB_MAX_QUERY_DEPTH: z.coerce.number().int().positive().default(10),
  HUB_MAX_QUERY_COST: z.coerce.number().int().positive().default(200_000),
  HUB_FEED_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  HUB_FEED_BACKOFF_MS: z.coerce.number().int().min(10).default(30_000),
  HUB_WEBHOOK_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(11),
  HUB_WEBHOOK_BACKOFF_MS: z.coerce.number().int().min(10).default(30_000),
  /** how often each worker looks for feed runs and deliveries whose jobs were lost */
  HUB_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).default(60_000),
  /** a worker's lock on its job: a worker that dies without a word frees the job this much later */
  HUB_JOB_LOCK_MS: z.coerce.number().int().min(1_000).default(30_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** feeds and webhooks may call loopback and link-local addresses and the hub's own port (tests, the simulator) */
  HUB_ALLOW_LOOPBACK_TARGETS: booleanFlag.default(false),
  /** how long a person's dashboard session lasts after logging in */
  HUB_SESSION_HOURS: z.coerce.number().positive().max(720).default(8),
  /** live subscriptions (WebSocket and event streams): connections per token or person in one process, subscriptions per WebSocket, ping period */
  HUB_LIVE_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(10_000).default(10),
  HUB_LIVE_MAX_SUBSCRIPTIONS: z.coerce.number().int().min(1).max(1_000).default(20),
  HUB_LIVE_KEEPALIVE_MS: z.coerce.number().int().min(100).max(300_000).default(12_000),
  /** behind a reverse proxy: Express's "trust proxy" (e.g. `loopback`, `1`), so logins are limited per real address */
  HUB_TRUST_PROXY: z.string().optional(),
  /** the Chromium that prints PDFs (the bulletin); unset: the first of chromiumCandidates that exists */
  HUB_CHROMIUM_PATH: z.string().optional(),
});

/** Where Debian (chromium) and Ubuntu (chromium-browser) put Chromium. */
export const chromiumCandidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  healthPort: number | undefined;
  databaseUrl: string | undefined;
  dataDir: string;
  redisUrl: string;
  queuePrefix: string;
  /** pinned "now" for replays and demos */
  now: Date | undefined;
  timeZone: string;
  introspection: boolean;
  plansDir: string;
  /** HUB_SECRET_KEY: 32 bytes; unset, secrets are stored in plain text (refused in production) */
  secretKey: Buffer | undefined;
  bodyLimit: string;
  maxQueryDepth: number;
  maxQueryCost: number;
  logLevel: string;
  /** feed pulls: attempts per run and the first retry delay (doubling after) */
  feedAttempts: number;
  feedBackoffMs: number;
  /** webhook deliveries: attempts and first retry delay (defaults: 11 tries over about 17 hours) */
  webhookAttempts: number;
  webhookBackoffMs: number;
  /** HUB_ALLOW_LOOPBACK_TARGETS: feeds and webhooks may call loopback, link-local and the hub itself */
  allowLoopbackTargets: boolean;
  /** the reconciler's period, and the job lock after which a silent worker's job counts as stalled */
  reconcileIntervalMs: number;
  jobLockMs: number;
  sessionHours: number;
  trustProxy: string | undefined;
  live: { maxConnections: number; maxSubscriptions: number; keepAliveMs: number };
  /** HUB_CHROMIUM_PATH, or the first of chromiumCandidates found at start; undefined: no PDF printing (503) */
  chromiumPath: string | undefined;
}

export class ConfigError extends Error {}

/** Parses the environment once; everything else receives the typed Config. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // an empty variable (DATABASE_URL=) means unset, as shells and compose files write it
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid environment: ${problems}`);
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    healthPort: e.HUB_HEALTH_PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.HUB_DATA_DIR,
    redisUrl: e.REDIS_URL,
    queuePrefix: e.HUB_QUEUE_PREFIX,
    now: e.HUB_NOW ? new Date(e.HUB_NOW) : undefined,
    timeZone: e.HUB_TIME_ZONE,
    introspection: e.HUB_INTROSPECTION ?? e.NODE_ENV !== 'production',
    plansDir: e.HUB_PLANS_DIR,
    secretKey: e.HUB_SECRET_KEY,
    bodyLimit: e.HUB_BODY_LIMIT,
    maxQueryDepth: e.HUB_MAX_QUERY_DEPTH,
    maxQueryCost: e.HUB_MAX_QUERY_COST,
    logLevel: e.LOG_LEVEL,
    feedAttempts: e.HUB_FEED_ATTEMPTS,
    feedBackoffMs: e.HUB_FEED_BACKOFF_MS,
    webhookAttempts: e.HUB_WEBHOOK_ATTEMPTS,
    webhookBackoffMs: e.HUB_WEBHOOK_BACKOFF_MS,
    allowLoopbackTargets: e.HUB_ALLOW_LOOPBACK_TARGETS,
    reconcileIntervalMs: e.HUB_RECONCILE_INTERVAL_MS,
    jobLockMs: e.HUB_JOB_LOCK_MS,
    sessionHours: e.HUB_SESSION_HOURS,
    trustProxy: e.HUB_TRUST_PROXY,
    live: {
      maxConnections: e.HUB_LIVE_MAX_CONNECTIONS,
      maxSubscriptions: e.HUB_LIVE_MAX_SUBSCRIPTIONS,
      keepAliveMs: e.HUB_LIVE_KEEPALIVE_MS,
    },
    chromiumPath: e.HUB_CHROMIUM_PATH ?? chromiumCandidates.find((path) => existsSync(path)),
  };
}
