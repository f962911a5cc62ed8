import { sql } from 'drizzle-orm';
import type { observations } from '../../drizzle/schema/index.js';
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

/**
 * One fact entering a day of the roll-ups (sign 1, with the write_seq it was written at) or its old
 * value going out of it (sign -1: a revision; `moved` when the fact left the day, region or stage).
 */
export interface RollupChange extends DailyKey {
  value: string;
  sign: 1 | -1;
  /** the fact's write_seq when it enters (LATEST ties go to the highest); 0 when it goes out */
  seq: number;
  /** sign -1 only: the fact is no longer on this day, which may lose its latest value or its last fact */
  moved?: boolean;
}

export interface Who {
  clientId: number | null;
  feedRunId: number | null;
}

/** The columns of a current observation, as findByKeys and lockByKeys read them (a bigint id arrives as text). */
const currentColumns = sql`id::text as id, indicator_id as "indicatorId", region_id as "regionId", stage_id as "stageId",
  observed_on::text as "observedOn", value::text as value, source, ref, note, revision`;

const withNumericId = (row: ObservationRow): ObservationRow => ({ ...row, id: Number(row.id) });

const keyTable = (keys: { indicatorId: number; ref: string }[]) =>
  sql`select * from unnest(${sql.param(keys.map((k) => k.indicatorId))}::int[], ${sql.param(keys.map((k) => k.ref))}::text[])`;

const ids = (rows: DailyKey[]) => ({
  indicator: sql.param(rows.map((r) => r.indicatorId)),
  region: sql.param(rows.map((r) => r.regionId)),
  stage: sql.param(rows.map((r) => r.stageId)),
  day: sql.param(rows.map((r) => r.observedOn)),
});

/**
 * Set-based writes over observations, their revisions and the roll-ups: one statement per table per
 * batch, whatever its size, with every list passed as one array parameter. Rows are taken in one
 * order (the key's), so two writers of overlapping keys wait for each other instead of deadlocking.
 */
export class ObservationRepository {
  /** The current rows of the given (indicator, ref) keys of one source. */
  async findByKeys(db: Db, source: string, keys: { indicatorId: number; ref: string }[]): Promise<ObservationRow[]> {
    if (keys.length === 0) return [];
    const rows = await queryRows<ObservationRow>(
      db,
      sql`select ${currentColumns} from observations
          where source = ${source} and (indicator_id, ref) in (${keyTable(keys)})`,
    );
    return rows.map(withNumericId);
  }

  /**
   * The current rows of the given keys, locked until the transaction ends: a concurrent revision of
   * the same ref waits, then reads what this one wrote.
   */
  async lockByKeys(db: Db, source: string, keys: { indicatorId: number; ref: string }[]): Promise<ObservationRow[]> {
    if (keys.length === 0) return [];
    const rows = await queryRows<ObservationRow>(
      db,
      sql`select ${currentColumns} from observations
          where source = ${source} and (indicator_id, ref) in (${keyTable(keys)})
          order by indicator_id, ref collate "C"
          for update`,
    );
    return rows.map(withNumericId);
  }

  /**
   * Creates the refs that do not exist yet, each with its first revision in the audit trail, in one
   * statement. A ref that exists (or that a concurrent writer creates first: this waits for it) is
   * left alone and missing from the answer: the caller revises it. Answers key → id and write_seq.
   */
  async insertNew(db: Db, source: string, rows: ObservationWrite[], who: Who, at: Date): Promise<Map<string, { id: number; seq: number }>> {
    if (rows.length === 0) return new Map();
    const created = await queryRows<{ indicatorId: number; ref: string; id: string; seq: string }>(
      db,
      sql`with input as (
            select * from unnest(
              ${sql.param(rows.map((r) => r.indicatorId))}::int[], ${sql.param(rows.map((r) => r.regionId))}::int[],
              ${sql.param(rows.map((r) => r.stageId))}::int[], ${sql.param(rows.map((r) => r.observedOn))}::date[],
              ${sql.param(rows.map((r) => r.value))}::numeric[], ${sql.param(rows.map((r) => r.ref))}::text[],
              ${sql.param(rows.map((r) => r.note))}::text[], ${sql.param(rows.map((r) => r.submittedValue))}::text[],
              ${sql.param(rows.map((r) => r.submittedUnit))}::text[]
            ) as u(indicator_id, region_id, stage_id, observed_on, value, ref, note, submitted_value, submitted_unit)
          ),
          created as (
            insert into observations (indicator_id, region_id, stage_id, observed_on, value, source, ref, note, revision,
                                      client_id, feed_run_id, created_at, updated_at)
            select indicator_id, region_id, stage_id, observed_on, value, ${source}, ref, note, 1, ${who.clientId}::int,
                   ${who.feedRunId}::bigint, ${at}::timestamptz, ${at}::timestamptz
            from input
            order by indicator_id, ref collate "C"
            on conflict (indicator_id, source, ref) do nothing
            returning id, indicator_id, ref, region_id, stage_id, observed_on, value, note, write_seq
          ),
          audit as (
            insert into observation_revisions (observation_id, revision, region_id, stage_id, observed_on, value, previous_value,
                                               submitted_value, submitted_unit, note, client_id, feed_run_id, recorded_at)
            select c.id, 1, c.region_id, c.stage_id, c.observed_on, c.value, null, i.submitted_value, i.submitted_unit, c.note,
                   ${who.clientId}::int, ${who.feedRunId}::bigint, ${at}::timestamptz
            from created c join input i on i.indicator_id = c.indicator_id and i.ref = c.ref
          )
          select indicator_id as "indicatorId", ref, id::text, write_seq::text as seq from created`,
    );
    return new Map(created.map((r) => [`${r.indicatorId}|${r.ref}`, { id: Number(r.id), seq: Number(r.seq) }]));
  }

  /** Moves each row to its new revision and records it in the audit trail, in one statement. Answers id → write_seq. */
  async revise(
    db: Db,
    rows: (ObservationWrite & { id: number; revision: number; previousValue: string })[],
    who: Who,
    at: Date,
  ): Promise<Map<number, number>> {
    if (rows.length === 0) return new Map();
    const moved = await queryRows<{ id: string; seq: string }>(
      db,
      sql`with input as (
            select * from unnest(
              ${sql.param(rows.map((r) => r.id))}::bigint[], ${sql.param(rows.map((r) => r.regionId))}::int[],
              ${sql.param(rows.map((r) => r.stageId))}::int[], ${sql.param(rows.map((r) => r.observedOn))}::date[],
              ${sql.param(rows.map((r) => r.value))}::numeric[], ${sql.param(rows.map((r) => r.note))}::text[],
              ${sql.param(rows.map((r) => r.revision))}::int[], ${sql.param(rows.map((r) => r.previousValue))}::numeric[],
              ${sql.param(rows.map((r) => r.submittedValue))}::text[], ${sql.param(rows.map((r) => r.submittedUnit))}::text[]
            ) as u(id, region_id, stage_id, observed_on, value, note, revision, previous_value, submitted_value, submitted_unit)
          ),
          moved as (
            update observations o set
              region_id = u.region_id, stage_id = u.stage_id, observed_on = u.observed_on, value = u.value, note = u.note,
              revision = u.revision, write_seq = nextval('observation_write_seq'), client_id = ${who.clientId}::int,
              feed_run_id = ${who.feedRunId}::bigint, updated_at = ${at}::timestamptz
            from input u
            where o.id = u.id
            returning o.id, o.write_seq
          ),
          audit as (
            insert into observation_revisions (observation_id, revision, region_id, stage_id, observed_on, value, previous_value,
                                               submitted_value, submitted_unit, note, client_id, feed_run_id, recorded_at)
            select id, revision, region_id, stage_id, observed_on, value, previous_value, submitted_value, submitted_unit, note,
                   ${who.clientId}::int, ${who.feedRunId}::bigint, ${at}::timestamptz
            from input
          )
          select id::text, write_seq::text as seq from moved`,
    );
    return new Map(moved.map((r) => [Number(r.id), Number(r.seq)]));
  }

  /**
   * Applies the changes to the daily and monthly roll-ups in the caller's transaction, so a read
   * after the write returns never sees a stale figure. Sums and counts move by deltas and the latest
   * value of a day is the one with the highest write_seq, so two writers of the same day commute: the
   * second waits on the first one's rows (taken in key order), never on a lock of its whole indicator.
   * A day a fact left is rebuilt from the facts for its latest value (and dropped when empty).
   */
  async applyRollups(db: Db, changes: RollupChange[], at: Date): Promise<void> {
    if (changes.length === 0) return;
    const c = ids(changes);
    // one row per contribution. A day's latest value is the one with the highest write_seq among those
    // entering it (found by a join on the unique write_seq, not an ordered aggregate per day). One
    // statement for both roll-ups: the days first (the CTE), then the months, each in key order.
    await db.execute(sql`
      with c as (
        select * from unnest(${c.indicator}::int[], ${c.region}::int[], ${c.stage}::int[], ${c.day}::date[],
          ${sql.param(changes.map((x) => x.value))}::numeric[], ${sql.param(changes.map((x) => x.sign))}::int[],
          ${sql.param(changes.map((x) => x.seq))}::bigint[]) as c(indicator_id, region_id, stage_id, observed_on, value, sign, seq)
      ),
      days as (
        select indicator_id, region_id, stage_id, observed_on, sum(sign * value) as delta, sum(sign)::int as n,
               max(seq) filter (where sign > 0) as seq
        from c group by indicator_id, region_id, stage_id, observed_on
      ),
      daily as (
        insert into indicator_daily as d (indicator_id, region_id, stage_id, observed_on, sum_value, latest_value, latest_seq,
                                          observation_count, last_received_at)
        select days.indicator_id, days.region_id, days.stage_id, days.observed_on, trim_scale(days.delta), coalesce(latest.value, 0),
               coalesce(days.seq, 0), days.n, ${at}::timestamptz
        from days left join c latest on latest.seq = days.seq and latest.sign > 0
        order by days.indicator_id, days.region_id, days.stage_id, days.observed_on
        on conflict (indicator_id, region_id, stage_id, observed_on) do update set
          sum_value = trim_scale(d.sum_value + excluded.sum_value),
          observation_count = d.observation_count + excluded.observation_count,
          latest_value = case when excluded.latest_seq > d.latest_seq then excluded.latest_value else d.latest_value end,
          latest_seq = greatest(d.latest_seq, excluded.latest_seq),
          last_received_at = greatest(d.last_received_at, excluded.last_received_at)
        returning 1
      )
      insert into indicator_monthly as m (indicator_id, region_id, stage_id, month, sum_value, observation_count)
      select indicator_id, region_id, stage_id, date_trunc('month', observed_on::timestamp)::date, trim_scale(sum(delta)), sum(n)::int
      from days
      where (select count(*) from daily) >= 0
      group by 1, 2, 3, 4
      order by 1, 2, 3, 4
      on conflict (indicator_id, region_id, stage_id, month) do update set
        sum_value = trim_scale(m.sum_value + excluded.sum_value),
        observation_count = m.observation_count + excluded.observation_count`);

    const left = [...new Map(changes.filter((x) => x.moved).map((x) => [dailyKeyOf(x), x])).values()];
    if (left.length === 0) return;
    // this transaction holds these rows since the upsert above: the facts read now include every
    // writer that counted in them, and a writer still to come adds its own delta after this commits
    const k = ids(left);
    const keys = sql`unnest(${k.indicator}::int[], ${k.region}::int[], ${k.stage}::int[], ${k.day}::date[]) as k(indicator_id, region_id, stage_id, observed_on)`;
    await db.execute(sql`
      delete from indicator_daily d using ${keys}
      where d.indicator_id = k.indicator_id and d.region_id = k.region_id and d.stage_id = k.stage_id and d.observed_on = k.observed_on
        and d.observation_count = 0`);
    await db.execute(sql`
      update indicator_daily d set latest_value = f.value, latest_seq = f.write_seq, last_received_at = f.last_at
      from (
        select k.*, l.value, l.write_seq, l.last_at from ${keys}
        cross join lateral (
          select o.value, o.write_seq, max(o.updated_at) over () as last_at from observations o
          where o.indicator_id = k.indicator_id and o.region_id = k.region_id and o.stage_id = k.stage_id and o.observed_on = k.observed_on
          order by o.write_seq desc limit 1
        ) l
      ) f
      where d.indicator_id = f.indicator_id and d.region_id = f.region_id and d.stage_id = f.stage_id and d.observed_on = f.observed_on`);
    await db.execute(sql`
      delete from indicator_monthly m using ${keys}
      where m.indicator_id = k.indicator_id and m.region_id = k.region_id and m.stage_id = k.stage_id
        and m.month = date_trunc('month', k.observed_on::timestamp)::date and m.observation_count = 0`);
  }

  /**
   * Bumps the data version of the plan the indicator belongs to, in the caller's transaction. Taken
   * last, just before the commit: writers of one plan queue on this one row only for that moment.
   */
  async bumpDataVersion(db: Db, indicatorId: number): Promise<string> {
    const [row] = await queryRows<{ version: string }>(
      db,
      sql`
      insert into plan_data_versions as v (plan_id, version)
      select plan_id, 1 from indicators where id = ${indicatorId}
      on conflict (plan_id) do update set version = v.version + 1
      returning version::text`,
    );
    return row.version;
  }
}

export const dailyKeyOf = (k: DailyKey) => `${k.indicatorId}|${k.regionId}|${k.stageId}|${k.observedOn}`;
