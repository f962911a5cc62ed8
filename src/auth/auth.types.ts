import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { AgencyType } from '../plan/plan.types.js';

export enum RoleEnum {
  AGENCY = 'AGENCY',
  BI = 'BI',
  OFFICE = 'OFFICE',
}
registerEnumType(RoleEnum, { name: 'Role', description: 'AGENCY: a bureau system; BI: read-only; OFFICE: the leading-group office' });

@ObjectType('Principal', { description: 'Who a token belongs to' })
export class PrincipalType {
  @Field(() => RoleEnum) role!: RoleEnum;
  @Field(() => AgencyType, { nullable: true, description: 'the agency an AGENCY token is bound to' }) agency!: AgencyType | null;
  @Field(() => String, { description: 'the label given when the token was issued' }) label!: string;
}
