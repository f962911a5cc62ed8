import pino, { type Logger } from 'pino';
import type { Config } from './config/config.js';
import { openDatabase, type Database, type Db } from './db/database.js';
import { FeedRepository } from './feeds/feeds.repository.js';
import { FeedService } from './feeds/feeds.service.js';
import { ObservationService } from './observations/observations.service.js';
import { PlanRepository } from './plan/plan.repository.js';
import { ProgressRepository } from './progress/progress.repository.js';
import { ProgressService } from './progress/progress.service.js';
import { ReminderService } from './reminders/reminders.service.js';
import { AuditService } from './audit/audit.service.js';
import { TokenService } from './auth/tokens.service.js';
import { fixedClock, systemClock, type Clock } from './shared/clock.js';
import { noJobQueue, type JobQueue } from './shared/job-queue.js';
import { targetPolicy } from './shared/targets.js';
import { SecretBox } from './shared/secret-box.js';

/** The hub's long-lived parts, built once per process and shared by the API, the workers and the CLI. */
export interface Hub {
  config: Config;
  clock: Clock;
  logger: Logger;
  database: Database;
  db: Db;
  /** work done later (pulls, schedules, reminders, deliveries): the port jobs/ implements */
  jobs: JobQueue;
  planRepository: PlanRepository;
  progressRepository: ProgressRepository;
  progress: ProgressService;
  observations: ObservationService;
  feedRepository: FeedRepository;
  feeds: FeedService;
  reminders: ReminderService;
  tokens: TokenService;
  audit: AuditService;
  /** opens and seals webhook secrets and feed auth headers (HUB_SECRET_KEY) */
  secrets: SecretBox;
  close(): Promise<void>;
}

export interface HubOptions {
  clock?: Clock;
  logger?: Logger;
  /** an already open database (tests share one per file) */
  database?: Database;
  /**
   * The job queue, made by the entry point (src/main.ts, src/cli.ts: jobs/ is the outer layer the
   * domain does not import). Without one, every job call answers SERVICE_UNAVAILABLE.
   */
  jobs?: (logger: Logger) => JobQueue;
}

export async function createHub(config: Config, options: HubOptions = {}): Promise<Hub> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: undefined });
  const clock = options.clock ?? (config.now ? fixedClock(config.now) : systemClock);
  const database = options.database ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  const jobs = options.jobs?.(logger) ?? noJobQueue;
  const db = database.db;
  const planRepository = new PlanRepository(db);
  const progressRepository = new ProgressRepository(db);
  const observations = new ObservationService(db, planRepository, clock);
  const feedRepository = new FeedRepository(db);
  const secrets = new SecretBox(config.secretKey);
  return {
    config,
    clock,
    logger,
    database,
    db,
    jobs,
    planRepository,
    progressRepository,
    progress: new ProgressService(planRepository, progressRepository),
    observations,
    feedRepository,
    feeds: new FeedService(db, feedRepository, planRepository, observations, clock, secrets, targetPolicy(config), jobs),
    reminders: new ReminderService(db, planRepository, clock, secrets, targetPolicy(config), jobs),
    secrets,
    tokens: new TokenService(db, clock, config.timeZone),
    audit: new AuditService(db),
    async close() {
      await jobs.close();
      if (!options.database) await database.close();
    },
  };
}
