import { ArgsType, Field, Int } from 'type-graphql';
import { DateScalar } from './scalars.js';

// Arguments that recur across the schema, declared once (type-graphql @ArgsType: they stay plain
// arguments in the schema).

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true }) first?: number | null;
  @Field(() => String, { nullable: true }) after?: string | null;
}

@ArgsType()
export class PlanArgs {
  @Field(() => String, { nullable: true }) planCode?: string | null;
}

@ArgsType()
export class AsOfArgs {
  @Field(() => DateScalar, { nullable: true }) asOf?: string | null;
}

@ArgsType()
export class RegionArgs {
  @Field(() => String, { nullable: true }) regionCode?: string | null;
}
