import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { PageInfo } from '../shared/connection.js';
import { DateTimeScalar } from '../shared/scalars.js';

@ObjectType('AuditEntry', { description: 'One change to feeds, webhooks, tokens, plans, bi grants or queued jobs: who, when, what' })
export class AuditEntryType {
  @Field(() => ID) id!: number;
  @Field(() => DateTimeScalar) at!: string;
  @Field(() => String, { description: 'token 12 (OFFICE "ops desk"), cli (root), hub' }) actor!: string;
  @Field(() => ID, { nullable: true, description: 'the API token that made the change, if one did' }) actorTokenId!: number | null;
  @Field(() => String, {
    description: 'feed.create, feed.update, webhook.configure, token.issue, token.revoke, token.rotate, plan.load, bi.grant, queue.…',
  })
  action!: string;
  @Field(() => String, { description: 'what was changed: feed 3, token 12, plan shangrao-2023' }) target!: string;
  @Field(() => GraphQLJSONObject, { description: 'what changed (never a secret or a token)' }) details!: Record<string, unknown>;
}

@ObjectType('AuditEntryEdge')
export class AuditEntryEdge {
  @Field(() => AuditEntryType) node!: AuditEntryType;
  @Field(() => String) cursor!: string;
}

@ObjectType('AuditEntryConnection')
export class AuditEntryConnection {
  @Field(() => [AuditEntryEdge]) edges!: AuditEntryEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}
