import { sql } from 'drizzle-orm';
import { observationRevisions, observations } from '../../drizzle/schema/index.js';
import { queryRows, type Db } from '../db/database.js';

export type ObservationRow = typeof observations.$inferSelect;

export interface ObservationWrite {
  indicatorId: number;
  regionId: number;
  stageId: number;
  observedOn: string;
  value: string;
  ref: string;
  note: string | null;
  submittedValue: string;
  submittedUnit: string | null;
}

/** A day of one indicator's series in one region (and stage): the key of the daily roll-up. */
export interface DailyKey {
  indicatorId: number;
  regionId: number;
  stageId: number;
  observedOn: string;
}

/** The advisory-lock class of the daily roll-up: (class, indicator id) locks one indicator's days. */
const dailyLockClass = 7_001;

/** Thin writes and reads over observations, their revisions and the daily roll-up. */
export class ObservationRepository {
  /** The current rows of the given (indicator, ref) keys of one source. */
  async findByKeys(db: Db, source: string, keys: { indicatorId: number; ref: string }[]): Promise<ObservationRow[]> {
    if (keys.length === 0) return [];
    return queryRows<ObservationRow>(
      db,
      sql`select id, indicator_id as "indicatorId", region_id as "regionId", stage_id as "stageId",
                 observed_on::text as "observedOn", value::text as value, source, ref, note, revision
          from observations
          where source = ${source}
            and (indicator_id, ref) in (select * from unnest(${sql.param(keys.map((k) => k.indicatorId))}::int[], ${sql.param(keys.map((k) => k.ref))}::text[]))`,
    );
  }

  async insert(
    db: Db,
    source: string,
    rows: ObservationWrite[],
    who: { clientId: number | null; feedRunId: number | null },
    at: Date,
  ): Promise<Map<string, number>> {
    if (rows.length === 0) return new Map();
    const inserted = await db
      .insert(observations)
      .values(
        rows.map((r) => ({
          indicatorId: r.indicatorId,
          regionId: r.regionId,
          stageId: r.stageId,
          observedOn: r.observedOn,
          value: r.value,
          source,
          ref: r.ref,
          note: r.note,
          revision: 1,
          clientId: who.clientId,
          feedRunId: who.feedRunId,
          createdAt: at,
          updatedAt: at,
        })),
      )
      .returning({ id: observations.id, indicatorId: observations.indicatorId, ref: observations.ref });
    return new Map(inserted.map((r) => [`${r.indicatorId}|${r.ref}`, r.id]));
  }

  /** Moves each row to its new revision in one statement. */
  async revise(
    db: Db,
    rows: (ObservationWrite & { id: number; revision: number })[],
    who: { clientId: number | null; feedRunId: number | null },
    at: Date,
  ): Promise<void> {
    if (rows.length === 0) return;
    await db.execute(sql`
      update observations o set
        region_id = u.region_id, stage_id = u.stage_id, observed_on = u.observed_on, value = u.value,
        note = u.note, revision = u.revision, write_seq = nextval('observation_write_seq'), client_id = ${who.clientId}, feed_run_id = ${who.feedRunId}, updated_at = ${at}
      from unnest(
        ${sql.param(rows.map((r) => r.id))}::bigint[], ${sql.param(rows.map((r) => r.regionId))}::int[],
        ${sql.param(rows.map((r) => r.stageId))}::int[], ${sql.param(rows.map((r) => r.observedOn))}::date[],
        ${sql.param(rows.map((r) => r.value))}::numeric[], ${sql.param(rows.map((r) => r.note))}::text[],
        ${sql.param(rows.map((r) => r.revision))}::int[]
      ) as u(id, region_id, stage_id, observed_on, value, note, revision)
      where o.id = u.id`);
  }

  async recordRevisions(
    db: Db,
    rows: (ObservationWrite & { observationId: number; revision: number; previousValue: string | null })[],
    who: { clientId: number | null; feedRunId: number | null },
    at: Date,
  ): Promise<void> {
    if (rows.length === 0) return;
    await db.insert(observationRevisions).values(
      rows.map((r) => ({
        observationId: r.observationId,
        revision: r.revision,
        regionId: r.regionId,
        stageId: r.stageId,
        observedOn: r.observedOn,
        value: r.value,
        previousValue: r.previousValue,
        submittedValue: r.submittedValue,
        submittedUnit: r.submittedUnit,
        note: r.note,
        clientId: who.clientId,
        feedRunId: who.feedRunId,
        recordedAt: at,
      })),
    );
  }

  /**
   * Rebuilds the daily roll-up for the given days from the current observations, in the caller's
   * transaction: a read after the write returns never sees a stale figure.
   */
  async refreshDaily(db: Db, keys: DailyKey[]): Promise<void> {
    if (keys.length === 0) return;
    const unique = [...new Map(keys.map((k) => [`${k.indicatorId}|${k.regionId}|${k.stageId}|${k.observedOn}`, k])).values()];
    // two writers (two sources) touching one indicator's days take turns, so neither recomputes a day
    // from a snapshot without the other's facts; ascending order keeps them from deadlocking
    const indicatorIds = [...new Set(unique.map((k) => k.indicatorId))].sort((x, y) => x - y);
    await db.execute(
      sql`select pg_advisory_xact_lock(${dailyLockClass}, id) from unnest(${sql.param(indicatorIds)}::int[]) as id order by id`,
    );
    const keyTable = sql`unnest(${sql.param(unique.map((k) => k.indicatorId))}::int[], ${sql.param(unique.map((k) => k.regionId))}::int[],
      ${sql.param(unique.map((k) => k.stageId))}::int[], ${sql.param(unique.map((k) => k.observedOn))}::date[]) as k(indicator_id, region_id, stage_id, observed_on)`;
    await db.execute(sql`
      delete from indicator_daily d using ${keyTable}
      where d.indicator_id = k.indicator_id and d.region_id = k.region_id and d.stage_id = k.stage_id and d.observed_on = k.observed_on`);
    // ties on a day: the value received last wins (write_seq, not a clock a replay may pin)
    await db.execute(sql`
      insert into indicator_daily (indicator_id, region_id, stage_id, observed_on, sum_value, latest_value, observation_count, last_received_at)
      select o.indicator_id, o.region_id, o.stage_id, o.observed_on, sum(o.value),
             (array_agg(o.value order by o.write_seq desc))[1], count(*)::int, max(o.updated_at)
      from observations o
      join (select distinct * from ${keyTable}) kk
        on o.indicator_id = kk.indicator_id and o.region_id = kk.region_id and o.stage_id = kk.stage_id and o.observed_on = kk.observed_on
      group by o.indicator_id, o.region_id, o.stage_id, o.observed_on`);
  }
}
