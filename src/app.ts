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
import { fixedClock, systemClock, type Clock } from './shared/clock.js';
import { targetPolicy } from './shared/targets.js';
import { SecretBox } from './shared/secret-box.js';
import { JobRuntime } from '../jobs/runtime.js';

/** The hub's long-lived parts, built once per process and shared by the API, the workers and the CLI. */
export interface Hub {
  config: Config;
  clock: Clock;
  logger: Logger;
  database: Database;
  db: Db;
  jobs: JobRuntime;
  planRepository: PlanRepository;
  progressRepository: ProgressRepository;
  progress: ProgressService;
  observations: ObservationService;
  feedRepository: FeedRepository;
  feeds: FeedService;
  reminders: ReminderService;
  /** opens and seals webhook secrets and feed auth headers (HUB_SECRET_KEY) */
  secrets: SecretBox;
  close(): Promise<void>;
}

export interface HubOptions {
  clock?: Clock;
  logger?: Logger;
  /** an already open database (tests share one per file) */
  database?: Database;
}

export async function createHub(config: Config, options: HubOptions = {}): Promise<Hub> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: undefined });
  const clock = options.clock ?? (config.now ? fixedClock(config.now) : systemClock);
  const database = options.database ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  const jobs = new JobRuntime({ redisUrl: config.redisUrl, prefix: config.queuePrefix, logger });
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
    feeds: new FeedService(db, feedRepository, planRepository, observations, clock, secrets, targetPolicy(config)),
    reminders: new ReminderService(db, planRepository, clock, secrets, targetPolicy(config)),
    secrets,
    async close() {
      await jobs.close();
      if (!options.database) await database.close();
    },
  };
}
