import { Field, ID, ObjectType } from 'type-graphql';
import { clientRole, userRole, type ClientRole, type UserRole } from '../../drizzle/schema/auth.js';
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
  @Field(() => String, { description: 'the label given when the token was issued, or the name of the person logged in' }) label!: string;
  @Field(() => String, { nullable: true, description: "a person's session: their login name; a token: null" }) userName!: string | null;
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

/** The database enum's values as the GraphQL enum (drizzle/schema/auth.ts). */
export const UserRoleEnum = graphqlEnum(userRole.enumValues, {
  name: 'UserRole',
  description: 'the roles a person may have: OFFICE (the leading-group office) or BI (read-only)',
});
export type UserRoleEnum = UserRole;

@ObjectType('User', {
  description: 'A person of the office or the BI team, who logs in to the dashboard: never the password, nor its hash',
})
export class UserType {
  @Field(() => ID) id!: number;
  @Field(() => String) name!: string;
  @Field(() => UserRoleEnum) role!: UserRoleEnum;
  @Field(() => DateTimeScalar) createdAt!: string;
  @Field(() => DateTimeScalar) passwordChangedAt!: string;
  @Field(() => DateTimeScalar, { nullable: true }) lastLoginAt!: string | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'a disabled person cannot log in; their sessions ended then' })
  disabledAt!: string | null;
}
