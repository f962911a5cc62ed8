import type { Db } from '../db/database.js';
import type { IndicatorRow, PlanRepository, PlanRow, RegionRow, StageRow } from '../plan/plan.repository.js';
import { dateInZone, type Clock } from '../shared/clock.js';
import { Decimal, parseDecimal, significantDigits, toPlain } from '../shared/decimal.js';
import { AppError, ErrorCode } from '../shared/errors.js';
import type { EventBus } from '../shared/event-bus.js';
import {
  ObservationRepository,
  dailyKeyOf,
  type DailyKey,
  type ObservationRow,
  type ObservationWrite,
  type RollupChange,
} from './observations.repository.js';
import { convertUnit } from './units.js';

export const maxBatchSize = 5_000;
export const maxRefLength = 200;
export const maxNoteLength = 2_000;
export const maxSignificantDigits = 20;
// PostgreSQL text refuses NUL; the others have no place in an id or a note
// eslint-disable-next-line no-control-regex
const controlCharacters = /[\u0000-\u001f\u007f]/;

/** One observation as a sender gives it (GraphQL input, or a mapped feed record). */
export interface ObservationItem {
  indicatorCode: string;
  regionCode?: string | null;
  date: string;
  value: string;
  unit?: string | null;
  ref: string;
  note?: string | null;
  /** MILESTONE indicators: the stage reported; value 1 = done, 0 = not (or no longer) done */
  stageCode?: string | null;
  /** feeds only: a scheduled event (a due date) may lie after today */
  allowFuture?: boolean;
}

export interface ItemProblem {
  index: number;
  field: string;
  message: string;
  code: ErrorCode.BadUserInput | ErrorCode.Forbidden;
}

export interface SubmitCounts {
  accepted: number;
  created: number;
  revised: number;
  unchanged: number;
}

/** Who is writing: the source names the sender; `agencyId` limits what it may write (null: anything). */
export interface Writer {
  source: string;
  agencyId: number | null;
  clientId: number | null;
  feedRunId: number | null;
}

/** What validation needs to know of a plan, read once per batch. */
export interface PlanWriteModel {
  plan: PlanRow;
  today: string;
  indicators: Map<string, IndicatorRow>;
  stages: Map<number, StageRow[]>;
  regions: Map<string, RegionRow>;
  cityRegionId: number;
  /** indicator ids the writer's agency may write; undefined: no limit */
  writable: Set<number> | undefined;
}

type Prepared = ObservationWrite & { index: number };

/** What a write did; `dataVersion` is the plan's version after it, when figures moved. */
export type WriteResult = SubmitCounts & { dataVersion?: string };

export class ObservationService {
  private readonly repository = new ObservationRepository();

  constructor(
    private readonly db: Db,
    private readonly plans: PlanRepository,
    private readonly clock: Clock,
    private readonly events: EventBus,
  ) {}

  /**
   * Tells live subscribers which figures a committed write moved (call it after the commit, with what
   * `write` answered): nothing when it changed nothing, and never for a dry run.
   */
  announce(model: PlanWriteModel, prepared: readonly ObservationWrite[], written: WriteResult): void {
    if (written.dataVersion === undefined) return;
    const indicatorIds = new Set(prepared.map((p) => p.indicatorId));
    const regionIds = new Set(prepared.map((p) => p.regionId));
    const codesOf = <T extends { id: number; code: string }>(rows: Iterable<T>, ids: Set<number>) =>
      [...rows].filter((row) => ids.has(row.id)).map((row) => row.code);
    void this.events.publish({
      type: 'progress',
      planCode: model.plan.code,
      indicatorCodes: codesOf(model.indicators.values(), indicatorIds),
      regionCodes: codesOf(model.regions.values(), regionIds),
      dataVersion: written.dataVersion,
      at: this.clock.now().toISOString(),
    });
  }

  async writeModel(plan: PlanRow, agencyId: number | null): Promise<PlanWriteModel> {
    const indicators = (await this.plans.indicatorsByPlanIds([plan.id])).get(plan.id) ?? [];
    const stages = await this.plans.stagesByIndicatorIds(indicators.filter((i) => i.kind === 'MILESTONE').map((i) => i.id));
    const regions = (await this.plans.regionsByPlanIds([plan.id])).get(plan.id) ?? [];
    let writable: Set<number> | undefined;
    if (agencyId !== null) {
      // lead or responsible for the project: both may report its figures
      const links = (await this.plans.projectLinksByAgencyIds(plan.id, [agencyId])).get(agencyId) ?? [];
      const projects = new Set(links.map((l) => l.projectId));
      writable = new Set(indicators.filter((i) => projects.has(i.projectId)).map((i) => i.id));
    }
    return {
      plan,
      today: dateInZone(this.clock.now(), plan.timeZone),
      indicators: new Map(indicators.map((i) => [i.code, i])),
      stages,
      regions: new Map(regions.map((r) => [r.code, r])),
      cityRegionId: plan.cityRegionId,
      writable,
    };
  }

  /** Checks every item; returns the writable ones and every problem, each naming its item and field. */
  validate(model: PlanWriteModel, items: ObservationItem[]): { prepared: Prepared[]; problems: ItemProblem[] } {
    const prepared: Prepared[] = [];
    const problems: ItemProblem[] = [];
    const seen = new Map<string, Prepared>();
    items.forEach((item, index) => {
      const fail = (field: string, message: string, code: ItemProblem['code'] = ErrorCode.BadUserInput) => {
        problems.push({ index, field: `input[${index}].${field}`, message, code });
        return undefined;
      };
      const result = this.validateItem(model, item, fail);
      if (!result) return;
      const key = `${result.indicatorId}|${result.ref}`;
      const earlier = seen.get(key);
      if (earlier) {
        // the same record twice in one batch is harmless; the same ref with two contents is not
        if (!sameContent(earlier, result))
          fail('ref', `ref "${result.ref}" appears twice in this batch (item ${earlier.index}) with different content`);
        return;
      }
      const entry = { ...result, index };
      seen.set(key, entry);
      prepared.push(entry);
    });
    return { prepared, problems };
  }

  private validateItem(
    model: PlanWriteModel,
    item: ObservationItem,
    fail: (field: string, message: string, code?: ItemProblem['code']) => undefined,
  ): ObservationWrite | undefined {
    const indicator = model.indicators.get(item.indicatorCode);
    if (!indicator) return fail('indicatorCode', `unknown indicator "${item.indicatorCode}" in plan ${model.plan.code}`);
    if (model.writable && !model.writable.has(indicator.id)) {
      return fail(
        'indicatorCode',
        `your agency is neither lead nor responsible for project ${item.indicatorCode.split('.')[0]}`,
        ErrorCode.Forbidden,
      );
    }
    if (indicator.kind === 'THRESHOLD') {
      return fail('indicatorCode', `indicator ${indicator.code} is derived from its numerator and denominator and cannot be written`);
    }

    // no silent default: a figure without its unit could be read as the whole city's (DESIGN.md 4.1)
    const regionCode = item.regionCode?.trim() ?? '';
    if (regionCode === '') return fail('regionCode', 'a region code is required (361100 is 市本级; counties and zones have their own)');
    const region = model.regions.get(regionCode);
    if (!region) return fail('regionCode', `unknown region "${regionCode}" in plan ${model.plan.code}`);
    const regionId = region.id;
    const isCity = regionId === model.cityRegionId;
    if (indicator.reportedBy === 'REGIONS' && isCity) {
      return fail('regionCode', `indicator ${indicator.code} is reported by counties and zones, not by 市本级 (${regionCode})`);
    }
    if (indicator.reportedBy === 'CITY' && !isCity) {
      return fail(
        'regionCode',
        `indicator ${indicator.code} is reported by 市本级 only (${model.plan.code}'s city code), not by ${regionCode}`,
      );
    }

    if (item.date < model.plan.periodStart || item.date > model.plan.periodEnd) {
      return fail('date', `${item.date} is outside the plan period ${model.plan.periodStart} to ${model.plan.periodEnd}`);
    }
    if (item.date > model.today && !item.allowFuture) return fail('date', `${item.date} is in the future (today is ${model.today})`);

    const ref = item.ref.trim();
    if (ref.length === 0) return fail('ref', 'a ref (your own record id) is required');
    if (controlCharacters.test(ref)) return fail('ref', 'a ref may not contain control characters');
    if (item.note && controlCharacters.test(item.note.replace(/[\n\t\r]/g, '')))
      return fail('note', 'a note may not contain control characters');
    if (ref.length > maxRefLength) return fail('ref', `a ref is at most ${maxRefLength} characters`);
    if (item.note && item.note.length > maxNoteLength) return fail('note', `a note is at most ${maxNoteLength} characters`);

    const sent = parseDecimal(item.value);
    if (!sent) return fail('value', `"${item.value}" is not a decimal number`);
    if (significantDigits(sent) > maxSignificantDigits) return fail('value', `more than ${maxSignificantDigits} significant digits`);

    let stageId = 0;
    if (indicator.kind === 'MILESTONE') {
      const stages = model.stages.get(indicator.id) ?? [];
      const stage = stages.find((s) => s.code === item.stageCode);
      if (!item.stageCode)
        return fail('stageCode', `indicator ${indicator.code} is a milestone: name the stage (${stages.map((s) => s.code).join(', ')})`);
      if (!stage) return fail('stageCode', `unknown stage "${item.stageCode}"; stages are ${stages.map((s) => s.code).join(', ')}`);
      if (!sent.eq(0) && !sent.eq(1)) return fail('value', 'a milestone stage takes 1 (done) or 0 (not done)');
      stageId = stage.id;
    } else if (item.stageCode) {
      return fail('stageCode', `indicator ${indicator.code} has no stages`);
    }

    let value: Decimal = sent;
    const unit = item.unit?.trim() || null;
    if (unit && indicator.kind !== 'MILESTONE') {
      const converted = convertUnit(sent, unit, indicator.unit);
      if (!converted) return fail('unit', `cannot convert ${unit} to the indicator's unit ${indicator.unit}`);
      value = converted;
    }
    if (value.isNegative() && !indicator.allowNegative) return fail('value', `indicator ${indicator.code} cannot be negative`);

    return {
      indicatorId: indicator.id,
      regionId,
      stageId,
      observedOn: item.date,
      value: toPlain(value),
      ref,
      note: item.note?.trim() || null,
      submittedValue: item.value,
      submittedUnit: unit,
    };
  }

  /**
   * Writes validated observations in the caller's transaction: new refs are created, changed ones
   * revised (the old revision kept), identical ones left alone; the roll-ups and the plan's data
   * version follow. No lock is wider than the rows written: two writers of one source wait for each
   * other only on the refs both send (a ref created by one is revised or unchanged for the other,
   * never duplicated), and on the roll-up rows of the days both touch.
   */
  async write(tx: Db, writer: Writer, prepared: Prepared[], dryRun = false): Promise<WriteResult> {
    if (prepared.length === 0) return { accepted: 0, created: 0, revised: 0, unchanged: 0 };
    if (dryRun) return this.count(tx, writer, prepared);
    const at = this.clock.now();
    const who = { clientId: writer.clientId, feedRunId: writer.feedRunId };
    const created = await this.repository.insertNew(tx, writer.source, prepared, who, at);

    const changes: RollupChange[] = [];
    for (const item of prepared) {
      const row = created.get(`${item.indicatorId}|${item.ref}`);
      if (row) changes.push({ ...keyOf(item), value: item.value, sign: 1, seq: row.seq });
    }
    const revised: (Prepared & { id: number; revision: number; previousValue: string; was: ObservationRow })[] = [];
    let unchanged = 0;
    if (created.size < prepared.length) {
      // the refs that exist: locked, so a concurrent revision of one of them waits for this one
      const rest = prepared.filter((item) => !created.has(`${item.indicatorId}|${item.ref}`));
      const current = new Map(
        (await this.repository.lockByKeys(tx, writer.source, rest)).map((row) => [`${row.indicatorId}|${row.ref}`, row]),
      );
      for (const item of rest) {
        const row = current.get(`${item.indicatorId}|${item.ref}`);
        // created by another writer, or gone since (its indicator deleted): the caller may try again
        if (!row) throw new Error(`observation ${item.indicatorId}|${item.ref} changed while it was written`);
        if (sameContent(row, item)) unchanged += 1;
        else revised.push({ ...item, id: row.id, revision: row.revision + 1, previousValue: row.value, was: row });
      }
      const seqs = await this.repository.revise(tx, revised, who, at);
      for (const item of revised) {
        // the old value goes out of its day (which it may have left), the new one comes into its own day,
        // as the day's latest value: a revision is the last value received
        const moved = dailyKeyOf(item.was) !== dailyKeyOf(item);
        changes.push({ ...keyOf(item.was), value: item.was.value, sign: -1, seq: 0, moved });
        changes.push({ ...keyOf(item), value: item.value, sign: 1, seq: seqs.get(item.id)! });
      }
    }
    const counts = { accepted: prepared.length, created: created.size, revised: revised.length, unchanged };
    if (changes.length === 0) return counts;
    await this.repository.applyRollups(tx, changes, at);
    const dataVersion = await this.repository.bumpDataVersion(tx, prepared[0].indicatorId);
    return { ...counts, dataVersion };
  }

  /** A dry run: what a write would do, read without locking or writing anything. */
  private async count(db: Db, writer: Writer, prepared: Prepared[]): Promise<SubmitCounts> {
    const existing = await this.repository.findByKeys(db, writer.source, prepared);
    const current = new Map(existing.map((row) => [`${row.indicatorId}|${row.ref}`, row]));
    const counts = { accepted: prepared.length, created: 0, revised: 0, unchanged: 0 };
    for (const item of prepared) {
      const row = current.get(`${item.indicatorId}|${item.ref}`);
      if (!row) counts.created += 1;
      else if (sameContent(row, item)) counts.unchanged += 1;
      else counts.revised += 1;
    }
    return counts;
  }

  /** The GraphQL path: all or nothing, the first problem as the error and every problem listed. */
  async submit(plan: PlanRow, writer: Writer, items: ObservationItem[], dryRun: boolean): Promise<SubmitCounts> {
    if (items.length === 0) throw new AppError(ErrorCode.BadUserInput, 'input: send at least one observation', { field: 'input' });
    if (items.length > maxBatchSize) {
      throw new AppError(ErrorCode.BadUserInput, `input: at most ${maxBatchSize} observations per batch, not ${items.length}`, {
        field: 'input',
      });
    }
    const model = await this.writeModel(plan, writer.agencyId);
    const { prepared, problems } = this.validate(model, items);
    if (problems.length > 0) {
      const first = problems.find((p) => p.code === ErrorCode.Forbidden) ?? problems[0];
      throw new AppError(
        first.code,
        `${first.field}: ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : ''}`,
        {
          field: first.field,
          index: first.index,
          problems: problems.slice(0, 100).map((p) => ({ field: p.field, message: p.message })),
        },
      );
    }
    if (dryRun) return this.write(this.db, writer, prepared, true);
    const written = await retryOnConflict(() => this.db.transaction((tx) => this.write(tx, writer, prepared)));
    this.announce(model, prepared, written);
    const { dataVersion: _version, ...counts } = written;
    return counts;
  }
}

const keyOf = (k: DailyKey): DailyKey => ({
  indicatorId: k.indicatorId,
  regionId: k.regionId,
  stageId: k.stageId,
  observedOn: k.observedOn,
});

/** PostgreSQL's "try again" codes: a deadlock it broke, a serialization failure. */
const retryable = new Set(['40P01', '40001']);

function sqlState(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/**
 * Runs a whole transaction again when PostgreSQL broke a deadlock or a serialization conflict: the
 * batch is all or nothing, so running it again is safe. Writers take rows in one order, so this is a
 * safety net, not a path taken in the ordinary course.
 */
async function retryOnConflict<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !retryable.has(sqlState(error) ?? '')) throw error;
    }
  }
}

function sameContent(
  a: Pick<ObservationWrite, 'regionId' | 'stageId' | 'observedOn' | 'value' | 'note'>,
  b: Pick<ObservationWrite, 'regionId' | 'stageId' | 'observedOn' | 'value' | 'note'>,
): boolean {
  return (
    a.regionId === b.regionId &&
    a.stageId === b.stageId &&
    a.observedOn === b.observedOn &&
    new Decimal(a.value).eq(b.value) &&
    (a.note ?? null) === (b.note ?? null)
  );
}
