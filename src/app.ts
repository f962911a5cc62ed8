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
import { LiveService } from './live/live.service.js';
import { TokenService } from './auth/tokens.service.js';
import { UserService } from './auth/users.service.js';
import { fixedClock, systemClock, type Clock } from './shared/clock.js';
import { localEventBus, type EventBus } from './shared/event-bus.js';
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
  /** what happened, for live subscribers in every process: the port jobs/ implements over Redis */
  events: EventBus;
  planRepository: PlanRepository;
  progressRepository: ProgressRepository;
  progress: ProgressService;
  observations: ObservationService;
  feedRepository: FeedRepository;
  feeds: FeedService;
  reminders: ReminderService;
  tokens: TokenService;
  users: UserService;
  audit: AuditService;
  /** what live subscribers of this process receive */
  live: LiveService;
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
  /** live events between processes (jobs/redis-events.ts); without: this process's only */
  events?: (logger: Logger) => EventBus;
}

export async function createHub(config: Config, options: HubOptions = {}): Promise<Hub> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: undefined });
  const clock = options.clock ?? (config.now ? fixedClock(config.now) : systemClock);
  const database = options.database ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  const jobs = options.jobs?.(logger) ?? noJobQueue;
  const events = options.events?.(logger) ?? localEventBus();
  const db = database.db;
  const planRepository = new PlanRepository(db);
  const progressRepository = new ProgressRepository(db);
  const observations = new ObservationService(db, planRepository, clock, events);
  const feedRepository = new FeedRepository(db);
  const secrets = new SecretBox(config.secretKey);
  const reminders = new ReminderService(db, planRepository, clock, secrets, targetPolicy(config), jobs, events);
  const live = new LiveService(events, planRepository, progressRepository, reminders, clock, logger);
  return {
    config,
    clock,
    logger,
    database,
    db,
    jobs,
    events,
    planRepository,
    progressRepository,
    progress: new ProgressService(planRepository, progressRepository),
    observations,
    feedRepository,
    feeds: new FeedService(db, feedRepository, planRepository, observations, clock, secrets, targetPolicy(config), jobs),
    reminders,
    secrets,
    tokens: new TokenService(db, clock, config.timeZone, events),
    users: new UserService(db, clock, config.sessionHours, events),
    audit: new AuditService(db),
    live,
    async close() {
      live.close();
      await events.close();
      await jobs.close();
      if (!options.database) await database.close();
    },
  };
}
