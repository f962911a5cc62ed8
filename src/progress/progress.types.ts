import { Field, Float, Int, ObjectType } from 'type-graphql';
import { IndicatorKind, RegionType } from '../plan/plan.types.js';
import { graphqlEnum } from '../shared/enums.js';
import { DateScalar, DecimalScalar } from '../shared/scalars.js';
import { statuses, type Status } from './status.js';

/** The GraphQL enum, from the one list of statuses in status.ts. */
export const StatusEnum = graphqlEnum(statuses, {
  name: 'Status',
  description:
    'ACHIEVED; ON_TRACK: percent ≥ expected; LAGGING: behind by at most 10 points (THRESHOLD: percent ≥ 90); BEHIND: by more; ' +
    'NO_DATA: a scored figure with nothing reported; NOT_SCORED: TRACKED, a unit without a decomposed target, a project of TRACKED only',
});

@ObjectType('Progress', { simpleResolvers: true, description: 'A figure as of a date' })
export class ProgressType {
  @Field(() => DecimalScalar, {
    nullable: true,
    description: "indicators: the value in the indicator's unit; null with no data (and for projects, plans, agencies)",
  })
  value!: string | null;
  @Field(() => Float, { nullable: true, description: 'two decimals, not capped (may exceed 100); null when NOT_SCORED or no data' })
  percent!: number | null;
  @Field(() => Float, { description: 'share of the plan period elapsed at asOf (100 for THRESHOLD bounds)' }) expectedPercent!: number;
  @Field(() => Float, {
    nullable: true,
    description: "a unit's share of the 全市 value (占全市 %, two decimals), where values add up; null for 全市 itself",
  })
  shareOfCity!: number | null;
  @Field(() => Boolean) achieved!: boolean;
  @Field(() => StatusEnum) status!: Status;
  @Field(() => DateScalar) asOf!: string;
  @Field(() => Int, {
    nullable: true,
    description: 'plans and agencies: scored projects with data; projects: scored indicators with data (the others count 0)',
  })
  partsWithData!: number | null;
  @Field(() => Int, { nullable: true, description: 'plans and agencies: scored projects; projects: scored (non-TRACKED) indicators' })
  parts!: number | null;
  @Field(() => DateScalar, { nullable: true, description: 'indicators: the date of the latest observation counted' })
  lastObservedOn!: string | null;
}

@ObjectType('RegionProgress', { simpleResolvers: true })
export class RegionProgressType {
  @Field(() => RegionType) region!: RegionType;
  @Field(() => ProgressType) progress!: ProgressType;
}

@ObjectType('SeriesPoint', { simpleResolvers: true, description: 'The value as of a day that has data' })
export class SeriesPointType {
  @Field(() => DateScalar) date!: string;
  @Field(() => DecimalScalar) value!: string;
  @Field(() => Float, { nullable: true }) percent!: number | null;
}

@ObjectType('IndicatorRow', { simpleResolvers: true, description: 'One flat row per indicator (and region): for BI tools' })
export class IndicatorRowType {
  @Field(() => Int) projectNumber!: number;
  @Field(() => String) projectTitle!: string;
  @Field(() => String) indicatorCode!: string;
  @Field(() => String) indicatorName!: string;
  @Field(() => String) unit!: string;
  @Field(() => IndicatorKind) kind!: IndicatorKind;
  @Field(() => String, { description: 'a reporting unit (361100 is 市本级), or ALL for 全市, every unit aggregated' })
  regionCode!: string;
  @Field(() => String, { description: '全市, 市本级, or the county or zone' }) regionName!: string;
  @Field(() => DecimalScalar, { nullable: true, description: "the target the row is judged against: a unit's own decomposed target" })
  target!: string | null;
  @Field(() => DecimalScalar, { nullable: true }) baseline!: string | null;
  @Field(() => DecimalScalar, { nullable: true }) value!: string | null;
  @Field(() => Float, { nullable: true }) percent!: number | null;
  @Field(() => Float) expectedPercent!: number;
  @Field(() => Float, { nullable: true, description: "a unit's share of the 全市 value (占全市 %), where values add up" })
  shareOfCity!: number | null;
  @Field(() => StatusEnum) status!: Status;
  @Field(() => [String]) leadAgencyCodes!: string[];
  @Field(() => DateScalar, { nullable: true }) lastObservedOn!: string | null;
  @Field(() => DateScalar) asOf!: string;
}
