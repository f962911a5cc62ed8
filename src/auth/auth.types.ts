import { Field, ID, ObjectType } from 'type-graphql';
import { clientRole, type ClientRole } from '../../drizzle/schema/auth.js';
import { AgencyType } from '../plan/plan.types.js';
import { graphqlEnum } from '../shared/enums.js';
import { DateTimeScalar } from '../shared/scalars.js';

/** The GraphQL enum, from the database enum's values (drizzle/schema/auth.ts): the object and the union. */
export const RoleEnum = graphqlEnum(clientRole.enumValues, {
  name: 'Role',
  description: 'AGENCY: a bureau system; BI: read-only; OFFICE: the leading-group office',
});
export type RoleEnum = ClientRole;

@ObjectType('Principal', { description: 'Who a token belongs to' })
export class PrincipalType {
  @Field(() => RoleEnum) role!: RoleEnum;
  @Field(() => AgencyType, { nullable: true, description: 'the agency an AGENCY token is bound to' }) agency!: AgencyType | null;
  @Field(() => String, { description: 'the label given when the token was issued' }) label!: string;
}

@ObjectType('ApiToken', { description: 'An API token as the office sees it: never the token itself, nor its hash' })
export class ApiTokenType {
  @Field(() => ID) id!: number;
  @Field(() => String) label!: string;
  @Field(() => RoleEnum) role!: RoleEnum;
  @Field(() => DateTimeScalar) createdAt!: string;
  @Field(() => DateTimeScalar, { nullable: true, description: 'to the minute: refreshed at most once a minute' }) lastUsedAt!:
    string | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'null: never expires' }) expiresAt!: string | null;
  @Field(() => DateTimeScalar, { nullable: true }) revokedAt!: string | null;
  @Field(() => Boolean, { description: "neither revoked nor expired by the hub's clock" }) active!: boolean;
  /** for the agency field resolver */
  agencyId!: number | null;
}

@ObjectType('IssuedToken', { description: 'A new token, shown this once: only its hash is kept' })
export class IssuedTokenType {
  @Field(() => String) token!: string;
  @Field(() => ApiTokenType) apiToken!: ApiTokenType;
}
