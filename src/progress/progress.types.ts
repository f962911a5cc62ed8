import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { IndicatorKind, RegionType } from '../plan/plan.types.js';
import { DateScalar, DecimalScalar } from '../shared/scalars.js';

export enum StatusEnum {
  ACHIEVED = 'ACHIEVED',
  ON_TRACK = 'ON_TRACK',
  LAGGING = 'LAGGING',
  BEHIND = 'BEHIND',
  NO_DATA = 'NO_DATA',
}
registerEnumType(StatusEnum, {
  name: 'Status',
  description: 'ON_TRACK: percent ≥ expected; LAGGING: behind by at most 10 points; BEHIND: by more',
});

@ObjectType('Progress', { description: 'A figure as of a date' })
export class ProgressType {
  @Field(() => DecimalScalar, {
    nullable: true,
    description: "indicators: the value in the indicator's unit; null with no data (and for projects, plans, agencies)",
  })
  value!: string | null;
  @Field(() => Float, { nullable: true, description: 'two decimals, not capped (may exceed 100); null for TRACKED or no data' })
  percent!: number | null;
  @Field(() => Float, { description: 'share of the plan period elapsed at asOf' }) expectedPercent!: number;
  @Field(() => Boolean) achieved!: boolean;
  @Field(() => StatusEnum) status!: StatusEnum;
  @Field(() => DateScalar) asOf!: string;
  @Field(() => Int, { nullable: true, description: 'plans and agencies: projects with data; projects: scored indicators with data' })
  partsWithData!: number | null;
  @Field(() => Int, { nullable: true, description: 'plans and agencies: projects; projects: scored (non-TRACKED) indicators' })
  parts!: number | null;
  @Field(() => DateScalar, { nullable: true, description: 'indicators: the date of the latest observation counted' })
  lastObservedOn!: string | null;
}

@ObjectType('RegionProgress')
export class RegionProgressType {
  @Field(() => RegionType) region!: RegionType;
  @Field(() => ProgressType) progress!: ProgressType;
}

@ObjectType('SeriesPoint', { description: 'The value as of a day that has data' })
export class SeriesPointType {
  @Field(() => DateScalar) date!: string;
  @Field(() => DecimalScalar) value!: string;
  @Field(() => Float, { nullable: true }) percent!: number | null;
}

@ObjectType('IndicatorRow', { description: 'One flat row per indicator (and region): for BI tools' })
export class IndicatorRowType {
  @Field(() => Int) projectNumber!: number;
  @Field(() => String) projectTitle!: string;
  @Field(() => String) indicatorCode!: string;
  @Field(() => String) indicatorName!: string;
  @Field(() => String) unit!: string;
  @Field(() => IndicatorKind) kind!: IndicatorKind;
  @Field(() => String) regionCode!: string;
  @Field(() => DecimalScalar, { nullable: true }) target!: string | null;
  @Field(() => DecimalScalar, { nullable: true }) baseline!: string | null;
  @Field(() => DecimalScalar, { nullable: true }) value!: string | null;
  @Field(() => Float, { nullable: true }) percent!: number | null;
  @Field(() => Float) expectedPercent!: number;
  @Field(() => StatusEnum) status!: StatusEnum;
  @Field(() => [String]) leadAgencyCodes!: string[];
  @Field(() => DateScalar, { nullable: true }) lastObservedOn!: string | null;
  @Field(() => DateScalar) asOf!: string;
}
