import { Field, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../shared/scalars.js';

@ObjectType('ProgressChange', {
  description: "A committed write moved a plan's figures: re-read what it names. Bursts are merged, at most one a second per plan.",
})
export class ProgressChangeType {
  @Field(() => String) planCode!: string;
  @Field(() => [String], { description: 'the indicators whose figures moved' }) indicatorCodes!: string[];
  @Field(() => [String], { description: 'the reporting units whose figures moved (全市 moves with any of them)' }) regionCodes!: string[];
  @Field(() => String, {
    description: "the plan's data version after the change: figures read at this version or later include it",
  })
  dataVersion!: string;
  @Field(() => DateTimeScalar, { description: 'when the (last merged) change was committed' }) at!: string;
}
