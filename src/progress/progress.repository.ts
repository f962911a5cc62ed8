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

/** Reads over the daily roll-up: one statement answers a whole plan as of a date. */
export class ProgressRepository {
  constructor(private readonly db: Db) {}

  async valuesAsOf(planId: number, asOf: string): Promise<ValuesAsOf> {
    const rows = await queryRows<{ indicatorId: number; regionId: number; stageId: number } & SeriesAsOf>(
      this.db,
      sql`select d.indicator_id as "indicatorId", d.region_id as "regionId", d.stage_id as "stageId",
                 sum(d.sum_value)::text as sum,
                 (array_agg(d.latest_value order by d.observed_on desc))[1]::text as latest,
                 max(d.observed_on)::text as "lastObservedOn"
          from indicator_daily d
          join indicators i on i.id = d.indicator_id
          where i.plan_id = ${planId} and d.observed_on <= ${asOf}
          group by d.indicator_id, d.region_id, d.stage_id`,
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
