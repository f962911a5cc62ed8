import { randomUUID } from 'node:crypto';
import type { FeedFormat, FeedRunTrigger } from '../../drizzle/schema/feeds.js';
import type { Db } from '../db/database.js';
import { ObservationRepository } from '../observations/observations.repository.js';
import type { ObservationItem, ObservationService, PlanWriteModel, WriteResult } from '../observations/observations.service.js';
import { Decimal } from '../shared/decimal.js';
import type { PlanRepository, PlanRow } from '../plan/plan.repository.js';
import type { Clock } from '../shared/clock.js';
import { AppError, ErrorCode } from '../shared/errors.js';
import type { SecretBox } from '../shared/secret-box.js';
import { targetProblem, type TargetPolicy } from '../shared/targets.js';
import type { JobQueue } from '../shared/job-queue.js';
import { UnavailableError } from '../shared/unavailable.js';
import { recordAudit, type Actor } from '../audit/audit.service.js';
import {
  feedTextProblems,
  fieldsOf,
  incrementalSchema,
  isTimeZone,
  mappingSchema,
  paginationSchema,
  validateCron,
  type Incremental,
  type Mapping,
} from './feeds.config.js';
import { FeedFetchError, fetchPage, firstPage, type FetchableFeed, type PageState } from './feeds.fetch.js';
import { MappingError, mapRecord, pathGet, recordRef, type SourceFields } from './feeds.mapping.js';
import type { FeedRejectionRow, FeedRepository, FeedRow, FeedRunRow, NewFeedRow } from './feeds.repository.js';

export const defaultFeedTimeoutMs = 30_000;
export const defaultFeedMaxBytes = 50 * 1024 * 1024;
const maxPagesPerRun = 10_000;

export interface FeedSpecInput {
  id?: number | null;
  agencyCode: string;
  name: string;
  url: string;
  format: FeedFormat;
  recordsPath?: string | null;
  graphqlQuery?: string | null;
  graphqlVariables?: Record<string, unknown> | null;
  authHeader?: { name: string; value: string } | null;
  clearAuthHeader?: boolean | null;
  schedule: string;
  timeZone?: string | null;
  pagination?: Record<string, unknown> | null;
  incremental?: Record<string, unknown> | null;
  mapping: Record<string, unknown>;
  enabled?: boolean | null;
  timeoutMs?: number | null;
  maxBytes?: number | null;
}

export interface PullOutcome {
  run: FeedRunRow;
}

const zodProblems = (prefix: string, issues: { path: PropertyKey[]; message: string }[]) =>
  issues.map((i) => ({
    field: [prefix, ...i.path].map((p, n) => (typeof p === 'number' ? `[${p}]` : n === 0 ? String(p) : `.${String(p)}`)).join(''),
    message: i.message,
  }));

export class FeedService {
  private readonly observationRows = new ObservationRepository();

  constructor(
    private readonly db: Db,
    private readonly repository: FeedRepository,
    private readonly plans: PlanRepository,
    private readonly observations: ObservationService,
    private readonly clock: Clock,
    private readonly secrets: SecretBox,
    /** where feeds may point (HUB_ALLOW_LOOPBACK_TARGETS) */
    readonly targets: TargetPolicy,
    private readonly jobs: JobQueue,
  ) {}

  /** Validates a feed definition whole; every problem names its field (`input.mapping.rules[1].indicator`). */
  async upsert(plan: PlanRow, input: FeedSpecInput): Promise<FeedRow> {
    const values = await this.checked(plan, input);
    const now = this.clock.now();
    if (input.id != null) {
      const existing = (await this.repository.byIds([input.id])).get(input.id);
      if (!existing || existing.planId !== plan.id)
        throw new AppError(ErrorCode.NotFound, `feed ${input.id} not found in plan ${plan.code}`, { field: 'input.id' });
      // a changed source or mapping starts incremental pulling afresh: the old position would skip
      // records the new mapping has not seen
      const source = (
        f: Pick<FeedRow, 'url' | 'format' | 'recordsPath' | 'graphqlQuery' | 'graphqlVariables' | 'incremental' | 'mapping'>,
      ) => canonicalJson([f.url, f.format, f.recordsPath, f.graphqlQuery, f.graphqlVariables, f.incremental, f.mapping]);
      const changed = source(existing) !== source(values);
      return this.repository.update(input.id, { ...values, ...(changed ? { cursor: null } : {}) });
    }
    try {
      return await this.repository.insert({ ...values, createdAt: now });
    } catch (error) {
      if (String((error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code) === '23505') {
        // the same definition sent again (a retry after an answer that never came) gets the feed it made
        const same = await this.repository.byName(plan.id, values.name);
        if (same && this.sameDefinition(same, values, input)) return same;
        throw new AppError(
          ErrorCode.BadUserInput,
          `input.name: plan ${plan.code} already has a feed named "${values.name}"; pass its id to change it`,
          { field: 'input.name' },
        );
      }
      throw error;
    }
  }

  /** A feed's definition checked whole (every problem named by its field), as the row it would be. */
  private async checked(plan: PlanRow, input: FeedSpecInput) {
    const problems: { field: string; message: string }[] = [];
    const problem = (field: string, message: string) => problems.push({ field: `input.${field}`, message });

    const agency = (await this.plans.agenciesByCodes([input.agencyCode])).get(input.agencyCode);
    if (!agency) problem('agencyCode', `unknown agency "${input.agencyCode}"`);
    if (!input.name.trim()) problem('name', 'a feed needs a name');
    let url: URL | undefined;
    try {
      url = new URL(input.url);
    } catch {
      problem('url', `"${input.url}" is not a URL`);
    }
    if (url && url.protocol !== 'http:' && url.protocol !== 'https:')
      problem('url', `a feed URL uses http or https, not ${url.protocol.replace(':', '')}`);
    // a password in the URL would be stored and shown in the clear; the auth header is encrypted and never returned
    if (url && (url.username || url.password))
      problem('url', 'a feed URL carries no user name or password: send credentials in authHeader');
    const refused = url && (url.protocol === 'http:' || url.protocol === 'https:') ? targetProblem(url, this.targets) : undefined;
    if (refused) problem('url', refused);
    for (const tooLong of feedTextProblems(input)) problem(tooLong.field, tooLong.message);
    const timeZone = input.timeZone ?? 'Asia/Shanghai';
    if (!isTimeZone(timeZone)) problem('timeZone', `"${timeZone}" is not an IANA time zone`);
    else {
      const cronProblem = validateCron(input.schedule, timeZone);
      if (cronProblem) problem('schedule', cronProblem);
    }
    if (input.format === 'GRAPHQL' && !input.graphqlQuery?.trim()) problem('graphqlQuery', 'a GRAPHQL feed needs its query');
    if (input.format !== 'GRAPHQL' && input.graphqlQuery) problem('graphqlQuery', 'only GRAPHQL feeds have a query');
    if (input.authHeader && !/^[A-Za-z0-9-]+$/.test(input.authHeader.name)) problem('authHeader.name', 'not an HTTP header name');
    if (input.timeoutMs != null && (input.timeoutMs < 100 || input.timeoutMs > 600_000)) problem('timeoutMs', 'between 100 and 600000');
    if (input.maxBytes != null && (input.maxBytes < 1_024 || input.maxBytes > 1_024 * 1_024 * 1_024))
      problem('maxBytes', 'between 1 KiB and 1 GiB');

    const pagination = paginationSchema.safeParse(input.pagination ?? { type: 'NONE' });
    if (!pagination.success) problems.push(...zodProblems('input.pagination', pagination.error.issues));
    else if (input.format === 'CSV' && pagination.data.type !== 'NONE' && pagination.data.type !== 'PAGE') {
      problem('pagination.type', 'a CSV feed pages by page number or not at all');
    }
    const incremental = input.incremental ? incrementalSchema.safeParse(input.incremental) : undefined;
    if (incremental && !incremental.success) problems.push(...zodProblems('input.incremental', incremental.error.issues));
    const mapping = mappingSchema.safeParse(input.mapping);
    if (!mapping.success) problems.push(...zodProblems('input.mapping', mapping.error.issues));
    else if (agency) problems.push(...(await this.checkMapping(plan, agency.id, mapping.data)));

    if (problems.length > 0) {
      throw new AppError(ErrorCode.BadUserInput, `${problems[0].field}: ${problems[0].message}`, { field: problems[0].field, problems });
    }

    const now = this.clock.now();
    const values = {
      planId: plan.id,
      agencyId: agency!.id,
      name: input.name.trim(),
      url: url!.toString(),
      format: input.format,
      recordsPath: input.recordsPath ?? null,
      graphqlQuery: input.graphqlQuery ?? null,
      graphqlVariables: input.graphqlVariables ?? null,
      schedule: input.schedule.trim(),
      timeZone,
      pagination: pagination.data!,
      incremental: incremental?.data ?? null,
      mapping: mapping.data!,
      enabled: input.enabled ?? true,
      timeoutMs: input.timeoutMs ?? defaultFeedTimeoutMs,
      maxBytes: input.maxBytes ?? defaultFeedMaxBytes,
      updatedAt: now,
      ...(input.authHeader
        ? { authHeaderName: input.authHeader.name, authHeaderValue: this.secrets.seal(input.authHeader.value, 'feeds.auth_header_value') }
        : {}),
      ...(input.clearAuthHeader ? { authHeaderName: null, authHeaderValue: null } : {}),
    };
    return values;
  }

  /** Whether a stored feed is what creating `values` from `input` would have stored. */
  private sameDefinition(stored: FeedRow, values: Omit<NewFeedRow, 'createdAt'>, input: FeedSpecInput): boolean {
    const definition = (f: Omit<NewFeedRow, 'createdAt'>) =>
      canonicalJson([
        f.agencyId,
        f.url,
        f.format,
        f.recordsPath,
        f.graphqlQuery,
        f.graphqlVariables,
        f.schedule,
        f.timeZone,
        f.pagination,
        f.incremental,
        f.mapping,
        f.enabled,
        f.timeoutMs,
        f.maxBytes,
      ]);
    if (definition(stored) !== definition(values)) return false;
    if (!input.authHeader || input.clearAuthHeader) return stored.authHeaderName === null;
    if (stored.authHeaderName !== input.authHeader.name || stored.authHeaderValue === null) return false;
    try {
      return this.secrets.open(stored.authHeaderValue, 'feeds.auth_header_value') === input.authHeader.value;
    } catch {
      return false;
    }
  }

  private async checkMapping(plan: PlanRow, agencyId: number, mapping: Mapping): Promise<{ field: string; message: string }[]> {
    const model = await this.observations.writeModel(plan, agencyId);
    const problems: { field: string; message: string }[] = [];
    mapping.rules.forEach((rule, i) => {
      const at = `input.mapping.rules[${i}]`;
      const indicator = model.indicators.get(rule.indicator);
      if (!indicator) return problems.push({ field: `${at}.indicator`, message: `unknown indicator "${rule.indicator}"` });
      if (indicator.kind === 'THRESHOLD')
        problems.push({ field: `${at}.indicator`, message: `indicator ${rule.indicator} is derived and cannot be fed` });
      if (model.writable && !model.writable.has(indicator.id)) {
        problems.push({
          field: `${at}.indicator`,
          message: `the feed's agency is neither lead nor responsible for indicator ${rule.indicator}`,
        });
      }
      if (indicator.kind === 'MILESTONE' && !rule.stage)
        problems.push({ field: `${at}.stage`, message: 'a milestone rule names the stage it reports' });
      return undefined;
    });
    // every figure names its unit: a feed without one would land nowhere (DESIGN.md 4.1)
    if (!mapping.region)
      problems.push({
        field: 'input.mapping.region',
        message: 'name the field that gives each record its region (with "default": "361100" for 市本级 records)',
      });
    for (const [source, code] of Object.entries(mapping.region?.map ?? {})) {
      if (!model.regions.has(code)) problems.push({ field: `input.mapping.region.map.${source}`, message: `unknown region "${code}"` });
    }
    if (mapping.region?.default && !model.regions.has(mapping.region.default)) {
      problems.push({ field: 'input.mapping.region.default', message: `unknown region "${mapping.region.default}"` });
    }
    return problems;
  }

  /** Creates the run a manual pull will fill in, so the caller can follow it at once. */
  async queueRun(feed: FeedRow, jobId: string): Promise<FeedRunRow> {
    return this.repository.insertRun({
      feedId: feed.id,
      jobId,
      trigger: 'MANUAL',
      status: 'QUEUED',
      startedAt: this.clock.now(),
      cursorBefore: feed.cursor,
    });
  }

  /**
   * upsertFeed: saves the feed, records who changed it, and makes the schedules follow. Redis down:
   * the workers sync every schedule when it is back. Redis hung: SERVICE_UNAVAILABLE, and the same
   * input sent again completes the schedule (an unchanged feed is not refused as a duplicate).
   */
  async save(plan: PlanRow, input: FeedSpecInput & { clearAuthHeader?: boolean | null }, actor: Actor): Promise<FeedRow> {
    const feed = await this.upsert(plan, input);
    await recordAudit(this.db, this.clock, actor, {
      action: input.id == null ? 'feed.create' : 'feed.update',
      target: `feed ${feed.id}`,
      details: {
        name: feed.name,
        agencyCode: input.agencyCode,
        url: feed.url,
        enabled: feed.enabled,
        schedule: feed.schedule,
        authHeader: input.clearAuthHeader ? 'cleared' : input.authHeader ? 'set' : 'kept',
      },
    });
    if (this.jobs.available) await this.syncSchedules();
    return feed;
  }

  /** Every feed, or an agency's own. */
  list(agencyId?: number): Promise<FeedRow[]> {
    return this.repository.all(agencyId);
  }

  /** A page of a feed's runs, newest first; `before` is the id of the last run of the previous page. */
  runs(feedId: number, first: number, before: number | undefined): Promise<FeedRunRow[]> {
    return this.repository.runs(feedId, first, before);
  }

  /** Makes the job schedules match the enabled feeds: one per feed, created, changed and removed with it. */
  async syncSchedules(): Promise<void> {
    const enabled = (await this.repository.all()).filter((f) => f.enabled);
    await this.jobs.scheduleFeeds(enabled.map((f) => ({ id: f.id, schedule: f.schedule, timeZone: f.timeZone })));
  }

  /**
   * runFeed: a pull now. The run is written first, so the caller can follow it at once; a job that
   * cannot be queued fails it with the reason (SERVICE_UNAVAILABLE to the caller), so no run is left
   * QUEUED without a job.
   */
  async runNow(feed: FeedRow): Promise<FeedRunRow> {
    if (!this.jobs.available) throw new UnavailableError('redis', 'jobs are paused (Redis is unreachable); try again later');
    // unique even when the clock is pinned (HUB_NOW)
    const jobId = `manual-${feed.id}-${randomUUID()}`;
    const run = await this.queueRun(feed, jobId);
    try {
      await this.jobs.enqueueFeedPull(feed.id, jobId);
    } catch (error) {
      // if Redis took the job after all, it runs: the pull revives the run by its job id
      await this.repository
        .failUnfinishedRun(run.id, 'not queued: Redis did not answer; run the feed again', this.clock.now())
        .catch(() => false);
      throw error;
    }
    return run;
  }

  /**
   * One attempt of a pull. Pages are fetched one by one; each page's good records, its quarantined
   * ones and the run's position are written in one transaction, so a retry resumes after the last
   * committed page and a stopped worker never leaves half a page.
   */
  async pull(
    feedId: number,
    jobId: string,
    trigger: FeedRunTrigger,
    attempt: number,
    finalAttempt: boolean,
    shouldStop: () => boolean = () => false,
  ): Promise<FeedRunRow> {
    const feed = (await this.repository.byIds([feedId])).get(feedId);
    if (!feed) throw new AppError(ErrorCode.NotFound, `feed ${feedId} not found`);
    const plan = (await this.plans.plansByIds([feed.planId])).get(feed.planId)!;
    let run = await this.startRun(feed, jobId, trigger, attempt);
    const model = await this.observations.writeModel(plan, feed.agencyId);
    const writer = { source: `feed:${feed.id}`, agencyId: feed.agencyId, clientId: null, feedRunId: run.id };
    try {
      // inside the try: an auth header HUB_SECRET_KEY cannot open fails the run with that reason
      const fetchable = toFetchable(feed, this.secrets);
      let state: PageState | undefined = run.resumeState ?? firstPage(fetchable.pagination);
      while (state && !state.done) {
        if (run.pages >= maxPagesPerRun) throw new FeedFetchError(`more than ${maxPagesPerRun} pages in one run`);
        const page = await fetchPage(fetchable, state, run.cursorBefore, this.targets);
        const pageNumber = run.pages + 1;
        const mapped = await this.mapPage(feed, plan, model, page.records);
        const { prepared, problems } = this.observations.validate(
          model,
          mapped.items.map((m) => m.item),
        );
        const { good, badRecords } = sortPage(mapped, prepared, problems);
        const position = maxPosition(run.cursorAfter ?? run.cursorBefore, page.records, feed.incremental);
        const next: PageState | undefined = page.next;
        let written: WriteResult | undefined;
        run = await this.db.transaction(async (tx) => {
          const counts = (written = await this.observations.write(tx, writer, good));
          await this.repository.insertRejections(
            [...badRecords].map(([index, bad]) => ({
              feedRunId: run.id,
              page: pageNumber,
              recordIndex: index,
              raw: storableJson(page.records[index] ?? null),
              field: bad.field,
              reason: bad.reason,
              createdAt: this.clock.now(),
            })),
            tx,
          );
          return this.repository.addPage(
            run.id,
            {
              fetched: page.records.length,
              accepted: page.records.length - badRecords.size,
              created: counts.created,
              revised: counts.revised,
              unchanged: counts.unchanged,
              rejected: badRecords.size,
              cursorAfter: position,
              resumeState: next ?? { ...firstPage(fetchable.pagination), done: true },
            },
            tx,
          );
        });
        // committed: live subscribers hear which figures the page moved
        if (written) this.observations.announce(model, good, written);
        state = next;
        // a worker that is stopping hands the run back after a whole page; another resumes it
        if (state && shouldStop()) throw new FeedPausedError(run.id);
      }
      return await this.db.transaction(async (tx) => {
        if (run.cursorAfter !== null && run.cursorAfter !== feed.cursor) {
          await this.repository.update(feed.id, { cursor: run.cursorAfter }, tx);
        }
        return this.repository.updateRun(run.id, { status: 'SUCCEEDED', finishedAt: this.clock.now(), error: null }, tx);
      });
    } catch (error) {
      if (error instanceof FeedPausedError) {
        await this.repository.updateRun(run.id, { status: 'QUEUED' });
        throw error;
      }
      // a feed's own faults are shown as they are; anything else stays in the hub's log
      const message = error instanceof FeedFetchError ? error.message : `internal error in run ${run.id}; the hub's log has the details`;
      await this.repository.updateRun(run.id, {
        status: finalAttempt ? 'FAILED' : 'RETRYING',
        error: message.slice(0, 2_000),
        finishedAt: finalAttempt ? this.clock.now() : null,
      });
      throw error;
    }
  }

  private async startRun(feed: FeedRow, jobId: string, trigger: FeedRunTrigger, attempt: number): Promise<FeedRunRow> {
    const existing = await this.repository.runByJob(feed.id, jobId);
    if (existing) {
      return this.repository.updateRun(existing.id, {
        status: 'RUNNING',
        attempts: attempt,
        error: null,
        finishedAt: null,
        // a queued run starts when its first attempt does
        ...(existing.status === 'QUEUED' ? { startedAt: this.clock.now() } : {}),
      });
    }
    return this.repository.insertRunningRun({
      feedId: feed.id,
      jobId,
      trigger,
      attempts: attempt,
      startedAt: this.clock.now(),
      cursorBefore: feed.cursor,
    });
  }

  /**
   * testFeed: the first page fetched and mapped as a pull would, answering what would be written and
   * what quarantined, and writing nothing. A feed that cannot be reached, or answers what is not a
   * page of records, is answered with the reason (as its run would show it), not an error.
   */
  async tryFeed(plan: PlanRow, input: FeedSpecInput): Promise<FeedTrial> {
    const values = await this.checked(plan, input);
    const feed = {
      ...values,
      id: 0,
      cursor: null,
      createdAt: this.clock.now(),
      authHeaderName: values.authHeaderName ?? null,
      authHeaderValue: values.authHeaderValue ?? null,
    } as FeedRow;
    let page;
    try {
      page = await fetchPage(toFetchable(feed, this.secrets), firstPage(values.pagination), null, this.targets);
    } catch (error) {
      if (error instanceof FeedFetchError)
        return { fetched: 0, accepted: 0, rejected: 0, hasNextPage: false, error: error.message, observations: [], rejections: [] };
      throw error;
    }
    const model = await this.observations.writeModel(plan, values.agencyId);
    const mapped = await this.mapPage(feed, plan, model, page.records);
    const { prepared, problems } = this.observations.validate(
      model,
      mapped.items.map((m) => m.item),
    );
    const { good, badRecords } = sortPage(mapped, prepared, problems);
    const shown = 100;
    return {
      fetched: page.records.length,
      accepted: page.records.length - badRecords.size,
      rejected: badRecords.size,
      hasNextPage: page.next !== undefined,
      error: null,
      observations: good.slice(0, shown).map((o) => mapped.items[o.index].item),
      rejections: [...badRecords].slice(0, shown).map(([record, bad]) => ({
        recordIndex: record,
        ref: recordRef(page.records[record], feed.mapping.ref) ?? null,
        field: bad.field,
        reason: bad.reason,
        raw: storableJson(page.records[record] ?? null),
      })),
    };
  }

  private async mapPage(feed: FeedRow, plan: PlanRow, model: PlanWriteModel, records: unknown[]) {
    const items: { item: ObservationItem; record: number; source?: SourceFields }[] = [];
    const rejected: [number, { field: string; reason: string }][] = [];
    const silent: { record: number; indicatorCode: string; ref: string }[] = [];
    records.forEach((record, index) => {
      try {
        const mapped = mapRecord(record, feed.mapping, plan);
        mapped.items.forEach((item, i) => items.push({ item, record: index, source: mapped.sources[i] }));
        for (const key of mapped.silent) silent.push({ record: index, ...key });
      } catch (error) {
        if (!(error instanceof MappingError)) throw error;
        rejected.push([index, { field: error.field, reason: error.message }]);
      }
    });
    // a rule that no longer fires for a record (a loan corrected from personal to enterprise) takes
    // back what it counted before: the observation it made is revised to 0
    const keys = silent.flatMap((s) => {
      const indicator = model.indicators.get(s.indicatorCode);
      // a ref PostgreSQL could not hold was never written (and would fail the lookup)
      return indicator && !s.ref.includes('\u0000') ? [{ ...s, indicatorId: indicator.id, indicator }] : [];
    });
    const earlier = await this.observationRows.findByKeys(this.db, `feed:${feed.id}`, keys);
    const byKey = new Map(earlier.map((row) => [`${row.indicatorId}|${row.ref}`, row]));
    const regionCode = new Map([...model.regions.values()].map((r) => [r.id, r.code]));
    for (const key of keys) {
      const row = byKey.get(`${key.indicatorId}|${key.ref}`);
      if (!row || new Decimal(row.value).isZero()) continue;
      const stage = (model.stages.get(key.indicatorId) ?? []).find((s) => s.id === row.stageId);
      items.push({
        record: key.record,
        item: {
          indicatorCode: key.indicatorCode,
          regionCode: regionCode.get(row.regionId) ?? null,
          date: row.observedOn,
          value: '0',
          ref: key.ref,
          stageCode: stage?.code ?? null,
          note: 'withdrawn: the record no longer matches this rule',
          allowFuture: true,
        },
      });
    }
    return { items, rejected };
  }
}

/** The run was handed back between pages because its worker is stopping; it resumes where it left off. */
export class FeedPausedError extends Error {
  constructor(readonly runId: number) {
    super(`run ${runId} paused between pages: its worker is stopping`);
  }
}

/** What testFeed answers: the first page as a pull would write it (at most 100 of each shown). */
export interface FeedTrial {
  fetched: number;
  accepted: number;
  rejected: number;
  hasNextPage: boolean;
  /** why the page could not be read (unreachable, an error status, not the format asked for) */
  error: string | null;
  observations: ObservationItem[];
  rejections: { recordIndex: number; ref: string | null; field: string; reason: string; raw: Record<string, unknown> }[];
}

/** A page's records sorted: each accepted whole or quarantined whole, with the first problem's field and reason. */
function sortPage<P extends { index: number }>(
  mapped: { items: { record: number; source?: SourceFields }[]; rejected: [number, { field: string; reason: string }][] },
  prepared: P[],
  problems: { index: number; field: string; message: string }[],
): { good: P[]; badRecords: Map<number, { field: string; reason: string }> } {
  const badRecords = new Map<number, { field: string; reason: string }>(mapped.rejected);
  for (const p of problems) {
    const { record, source } = mapped.items[p.index];
    // named as the bureau's record names it (countyCode), as a mapping error is, not as an observation field
    const field = p.field.replace(/^input\[\d+\]\./, '') as keyof SourceFields;
    if (!badRecords.has(record)) badRecords.set(record, { field: source?.[field] ?? field, reason: p.message });
  }
  return { good: prepared.filter((item) => !badRecords.has(mapped.items[item.index].record)), badRecords };
}

export function toFetchable(feed: FeedRow, secrets: SecretBox): FetchableFeed {
  let authHeaderValue: string | null;
  try {
    authHeaderValue = feed.authHeaderValue === null ? null : secrets.open(feed.authHeaderValue, 'feeds.auth_header_value');
  } catch (error) {
    throw new FeedFetchError((error as Error).message);
  }
  return {
    url: feed.url,
    format: feed.format,
    recordsPath: feed.recordsPath,
    graphqlQuery: feed.graphqlQuery,
    graphqlVariables: feed.graphqlVariables,
    authHeaderName: feed.authHeaderName,
    authHeaderValue,
    pagination: feed.pagination,
    incremental: feed.incremental,
    timeoutMs: feed.timeoutMs,
    maxBytes: feed.maxBytes,
    requiredColumns: feed.format === 'CSV' ? fieldsOf(feed.mapping, feed.incremental) : [],
  };
}

/** The incremental position after a page: the largest cursor-field value seen (numbers numerically). */
function maxPosition(current: string | null, records: unknown[], incremental: Incremental | null): string | null {
  if (!incremental) return current;
  let best = current;
  for (const record of records) {
    const value = pathGet(record, incremental.field);
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    const text = String(value);
    if (text === '') continue;
    const numeric = /^-?\d+(\.\d+)?$/.test(text) && best !== null && /^-?\d+(\.\d+)?$/.test(best);
    if (best === null || (numeric ? Number(text) > Number(best) : text > best)) best = text;
  }
  return best;
}

/** JSON as PostgreSQL's jsonb takes it: a NUL character (which it refuses) becomes U+FFFD. */
function storableJson(record: unknown): FeedRejectionRow['raw'] {
  return JSON.parse(JSON.stringify(record).replace(/\\u0000/g, '\\ufffd')) as FeedRejectionRow['raw'];
}

/** JSON with object keys sorted: jsonb hands keys back in its own order, so compare this way. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
