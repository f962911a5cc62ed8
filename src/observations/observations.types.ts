import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { DateScalar, DecimalScalar } from '../shared/scalars.js';

@InputType('ObservationInput', { description: 'One figure a bureau reports' })
export class ObservationInput {
  @Field(() => String) indicatorCode!: string;
  @Field(() => String, {
    description: "required; 361100 is 市本级 (DESIGN.md 4.1), counties and zones have their own; at the indicator's reportedBy level",
  })
  regionCode!: string;
  @Field(() => DateScalar) date!: string;
  @Field(() => DecimalScalar, { description: 'MILESTONE: 1 when the stage is done, 0 when it is not (or no longer)' }) value!: string;
  @Field(() => String, { nullable: true, description: "optional; converted to the indicator's unit (元, 万元, 亿元)" }) unit?:
    string | null;
  @Field(() => String, { description: "the sender's own record id: resending it revises, never duplicates" }) ref!: string;
  @Field(() => String, { nullable: true }) note?: string | null;
  @Field(() => String, { nullable: true, description: 'MILESTONE indicators: the stage reported (see Indicator.stages)' }) stageCode?:
    string | null;
}

@ObjectType('SubmitObservationsResult')
export class SubmitObservationsResult {
  @Field(() => Int) accepted!: number;
  @Field(() => Int) created!: number;
  @Field(() => Int) revised!: number;
  @Field(() => Int) unchanged!: number;
  @Field(() => Boolean, { description: 'true when nothing was written (dryRun)' }) dryRun!: boolean;
}
