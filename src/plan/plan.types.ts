import { Field, ID, Int, ObjectType } from 'type-graphql';
import * as schema from '../../drizzle/schema/plan.js';
import { graphqlEnum } from '../shared/enums.js';
import { DateScalar, DecimalScalar } from '../shared/scalars.js';

// The GraphQL enums, from the database enums' values (drizzle/schema/plan.ts); each name is the
// enum object (for `@Field(() => IndicatorKind)`) and the union of its values.
export const IndicatorKind = graphqlEnum(schema.indicatorKind.enumValues, {
  name: 'IndicatorKind',
  description: 'How an indicator turns values into a percent',
});
export type IndicatorKind = schema.IndicatorKind;

export const Accumulation = graphqlEnum(schema.accumulation.enumValues, {
  name: 'Accumulation',
  description:
    'SUM: each observation is a fact and facts add up; LATEST: each is a running total or level; DERIVED: numerator / denominator; STAGES: milestone stages',
});
export type Accumulation = schema.Accumulation;

export const RegionAggregation = graphqlEnum(schema.regionAggregation.enumValues, {
  name: 'RegionAggregation',
  description: 'How the units that reported make the 全市 value: SUM (amounts, counts), MIN (a standard met everywhere), MAX, RATIO',
});
export type RegionAggregation = schema.RegionAggregation;

export const ThresholdDirection = graphqlEnum(schema.thresholdDirection.enumValues, { name: 'ThresholdDirection' });
export type ThresholdDirection = schema.ThresholdDirection;

export const ReportingLevelEnum = graphqlEnum(schema.reportingLevel.enumValues, {
  name: 'ReportingLevel',
  description: 'Where an indicator is reported: REGIONS (counties and zones), CITY (市本级, the city code), BOTH',
});

@ObjectType('RegionTarget', { description: '任务分解: one unit’s own share of a TARGET indicator' })
export class RegionTargetType {
  @Field(() => String) regionCode!: string;
  @Field(() => DecimalScalar) target!: string;
}

@ObjectType('Agency', { description: '单位: a bureau, lead or responsible for projects' })
export class AgencyType {
  @Field(() => String) code!: string;
  @Field(() => String, { description: 'Chinese name, as the plan gives it' }) name!: string;
  @Field(() => String) nameEn!: string;
}

@ObjectType('Region', {
  description: '行政区划: a reporting unit — 市本级 (the city code, level CITY), a county or district, or a functional zone',
})
export class RegionType {
  @Field(() => String) code!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { description: 'CITY, COUNTY or ZONE' }) level!: string;
}

@ObjectType('Plan', { description: "A year's plan of livelihood projects (民生实事安排方案)" })
export class PlanType {
  @Field(() => String) code!: string;
  @Field(() => String) title!: string;
  @Field(() => String) documentNumber!: string;
  @Field(() => DateScalar) issuedOn!: string;
  @Field(() => DateScalar) periodStart!: string;
  @Field(() => DateScalar) periodEnd!: string;
  @Field(() => String, { description: 'IANA time zone the period and deadlines are counted in' }) timeZone!: string;
}

@ObjectType('Project', { description: "实事: one of the plan's projects" })
export class ProjectType {
  @Field(() => Int) number!: number;
  @Field(() => String) title!: string;
  @Field(() => String) summary!: string;
}

@ObjectType('MilestoneStage', { description: 'A stage of a MILESTONE indicator; weights sum to 100' })
export class StageType {
  @Field(() => String) code!: string;
  @Field(() => String) name!: string;
  @Field(() => DecimalScalar) weight!: string;
}

@ObjectType('Indicator', { description: '指标: a measurable target of a project' })
export class IndicatorType {
  @Field(() => String) code!: string;
  @Field(() => String) name!: string;
  @Field(() => String) description!: string;
  @Field(() => String) unit!: string;
  @Field(() => IndicatorKind) kind!: IndicatorKind;
  @Field(() => DecimalScalar, { nullable: true, description: 'the target, or the threshold of a THRESHOLD indicator' }) target!:
    string | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'LEVEL: the standard before the plan' }) baseline!: string | null;
  @Field(() => DecimalScalar, { description: "weight in its project's percent" }) weight!: string;
  @Field(() => Accumulation) accumulation!: Accumulation;
  @Field(() => RegionAggregation, { name: 'aggregation' }) regionAggregation!: RegionAggregation;
  @Field(() => ThresholdDirection) direction!: ThresholdDirection;
  @Field(() => String, { description: 'how the plan reads the document where it is open to reading' }) note!: string;
  @Field(() => ReportingLevelEnum, { description: 'the units that report it; a write from another level is refused' })
  reportedBy!: schema.ReportingLevel;
}

@ObjectType('ReportingRound', { description: '进展报送: a date by which every lead agency reports progress' })
export class ReportingRoundType {
  @Field(() => ID) id!: number;
  @Field(() => String) title!: string;
  @Field(() => DateScalar) dueOn!: string;
}
