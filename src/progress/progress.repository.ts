import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../db/database.js';
import type { SeriesAsOf, ValuesAsOf } from './progress.engine.js';

export interface DailyRow {
  indicatorId: number;
  regionId: number;
  stageId: number;
  observedOn: string;
  sum: string;
  latest: string;
}

/** Reads over the roll-ups: one statement answers a whole plan as of a date. */
export class ProgressRepository {
  constructor(private readonly db: Db) {}

  /**
   * The plan's data version: every write that changes one of its figures (an observation, a plan
   * load) bumps it in the same transaction. Read it before the figures, and what is computed from
   * them is at least as new as the version.
   */
  async dataVersion(planId: number): Promise<number> {
    const [row] = await queryRows<{ version: string }>(
      this.db,
      sql`select version::text from plan_data_versions where plan_id = ${planId}`,
    );
    return row ? Number(row.version) : 0;
  }

  /**
   * Every series (indicator, unit, stage) of the plan as of a date. Its last day with data up to the
   * date is one index probe of the daily roll-up (the latest value, and the date); a SUM adds the
   * months before the date's month and the days of its month up to the date: at most 11 + 31 rows,
   * whatever the number of observations and the order they came in.
   */
  async valuesAsOf(planId: number, asOf: string): Promise<ValuesAsOf> {
    const rows = await queryRows<{ indicatorId: number; regionId: number; stageId: number } & SeriesAsOf>(
      this.db,
      sql`select s.indicator_id as "indicatorId", s.region_id as "regionId", s.stage_id as "stageId",
                 t.sum::text as sum, l.latest_value::text as latest, l.observed_on::text as "lastObservedOn"
          from (
            select i.id as indicator_id, i.accumulation, r.region_id, coalesce(st.id, 0) as stage_id
            from indicators i
            join plan_regions r on r.plan_id = i.plan_id
            left join indicator_stages st on st.indicator_id = i.id and i.accumulation = 'STAGES'
            where i.plan_id = ${planId} and i.accumulation <> 'DERIVED'
          ) s
          cross join lateral (
            select d.observed_on, d.latest_value from indicator_daily d
            where d.indicator_id = s.indicator_id and d.region_id = s.region_id and d.stage_id = s.stage_id and d.observed_on <= ${asOf}::date
            order by d.observed_on desc limit 1
          ) l
          cross join lateral (
            select case when s.accumulation = 'SUM' then
              coalesce((select sum(m.sum_value) from indicator_monthly m
                        where m.indicator_id = s.indicator_id and m.region_id = s.region_id and m.stage_id = s.stage_id
                          and m.month < date_trunc('month', ${asOf}::timestamp)::date), 0)
              + coalesce((select sum(d.sum_value) from indicator_daily d
                          where d.indicator_id = s.indicator_id and d.region_id = s.region_id and d.stage_id = s.stage_id
                            and d.observed_on >= date_trunc('month', ${asOf}::timestamp)::date and d.observed_on <= ${asOf}::date), 0)
            else l.latest_value end as sum
          ) t`,
    );
    const values: ValuesAsOf = new Map();
    for (const row of rows) {
      let byRegion = values.get(row.indicatorId);
      if (!byRegion) values.set(row.indicatorId, (byRegion = new Map<number, Map<number, SeriesAsOf>>()));
      let byStage = byRegion.get(row.regionId);
      if (!byStage) byRegion.set(row.regionId, (byStage = new Map<number, SeriesAsOf>()));
      byStage.set(row.stageId, { sum: row.sum, latest: row.latest, lastObservedOn: row.lastObservedOn });
    }
    return values;
  }

  /** Every day of the given indicators' series up to a date, oldest first. */
  async dailyRows(indicatorIds: number[], to: string): Promise<DailyRow[]> {
    if (indicatorIds.length === 0) return [];
    return queryRows<DailyRow>(
      this.db,
      sql`select indicator_id as "indicatorId", region_id as "regionId", stage_id as "stageId", observed_on::text as "observedOn",
                 sum_value::text as sum, latest_value::text as latest
          from indicator_daily
          where indicator_id = any(${sql.param(indicatorIds)}::int[]) and observed_on <= ${to}
          order by observed_on`,
    );
  }
}
