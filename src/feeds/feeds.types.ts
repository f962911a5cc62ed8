import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import * as schema from '../../drizzle/schema/feeds.js';
import { PageInfo } from '../shared/connection.js';
import { graphqlEnum } from '../shared/enums.js';
import { DateTimeScalar } from '../shared/scalars.js';

// The GraphQL enums, from the database enums' values (drizzle/schema/feeds.ts); each name is the
// enum object and the union of its values.
export const FeedFormat = graphqlEnum(schema.feedFormat.enumValues, { name: 'FeedFormat' });
export type FeedFormat = schema.FeedFormat;

export const FeedRunStatus = graphqlEnum(schema.feedRunStatus.enumValues, {
  name: 'FeedRunStatus',
  description: 'RETRYING: an attempt failed and another is scheduled with backoff',
});
export type FeedRunStatus = schema.FeedRunStatus;

export const FeedRunTrigger = graphqlEnum(schema.feedRunTrigger.enumValues, { name: 'FeedRunTrigger' });
export type FeedRunTrigger = schema.FeedRunTrigger;

@InputType('FeedAuthHeaderInput', { description: 'A header sent with every request, e.g. Authorization: Bearer …; stored, never returned' })
export class FeedAuthHeaderInput {
  @Field(() => String) name!: string;
  @Field(() => String) value!: string;
}

@InputType('FeedInput', { description: 'A bureau feed. Pass id to change an existing one. See the README for the mapping format.' })
export class FeedInput {
  @Field(() => ID, { nullable: true }) id?: number | null;
  @Field(() => String, { nullable: true, description: 'default: the current plan' }) planCode?: string | null;
  @Field(() => String, { description: 'the agency whose data this is: its indicators are the only ones it may feed' }) agencyCode!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { description: 'http or https' }) url!: string;
  @Field(() => FeedFormat) format!: FeedFormat;
  @Field(() => String, {
    nullable: true,
    description: 'JSON and GRAPHQL: dotted path to the list of records (e.g. "items", "data.screenings.nodes")',
  })
  recordsPath?: string | null;
  @Field(() => String, { nullable: true }) graphqlQuery?: string | null;
  @Field(() => GraphQLJSONObject, { nullable: true }) graphqlVariables?: Record<string, unknown> | null;
  @Field(() => FeedAuthHeaderInput, { nullable: true, description: 'omit to keep the stored one' }) authHeader?: FeedAuthHeaderInput | null;
  @Field(() => Boolean, { nullable: true, description: 'true: forget the stored auth header' }) clearAuthHeader?: boolean | null;
  @Field(() => String, { description: 'cron pattern, 5 fields (6 with seconds)' }) schedule!: string;
  @Field(() => String, { nullable: true, description: 'default Asia/Shanghai' }) timeZone?: string | null;
  @Field(() => GraphQLJSONObject, { nullable: true, description: '{ type: NONE | PAGE | CURSOR | NEXT_LINK, … }' }) pagination?: Record<
    string,
    unknown
  > | null;
  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: '{ param, field }: ask only for records after the largest field value seen',
  })
  incremental?: Record<string, unknown> | null;
  @Field(() => GraphQLJSONObject, { description: '{ region, date, ref, rules }' }) mapping!: Record<string, unknown>;
  @Field(() => Boolean, { nullable: true, description: 'default true; false removes the schedule' }) enabled?: boolean | null;
  @Field(() => Int, { nullable: true, description: 'per request; default 30000' }) timeoutMs?: number | null;
  @Field(() => Int, { nullable: true, description: 'largest response accepted; default 50 MB' }) maxBytes?: number | null;
}

@ObjectType('Feed')
export class FeedType {
  @Field(() => ID) id!: number;
  @Field(() => String) name!: string;
  @Field(() => String) url!: string;
  @Field(() => FeedFormat) format!: FeedFormat;
  @Field(() => String, { nullable: true }) recordsPath!: string | null;
  @Field(() => String, { nullable: true }) graphqlQuery!: string | null;
  @Field(() => GraphQLJSONObject, { nullable: true }) graphqlVariables!: Record<string, unknown> | null;
  @Field(() => String, { nullable: true, description: 'the name of the auth header; its value is never returned' }) authHeaderName!:
    string | null;
  @Field(() => String) schedule!: string;
  @Field(() => String) timeZone!: string;
  @Field(() => GraphQLJSONObject) pagination!: Record<string, unknown>;
  @Field(() => GraphQLJSONObject, { nullable: true }) incremental!: Record<string, unknown> | null;
  @Field(() => GraphQLJSONObject) mapping!: Record<string, unknown>;
  @Field(() => String, { nullable: true, description: 'the remembered incremental position' }) cursor!: string | null;
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => Int) timeoutMs!: number;
  @Field(() => Int) maxBytes!: number;
}

@ObjectType('FeedRejection', { description: 'A quarantined record: its raw content and why it was refused' })
export class FeedRejectionType {
  @Field(() => Int) page!: number;
  @Field(() => Int) recordIndex!: number;
  @Field(() => GraphQLJSONObject) raw!: Record<string, unknown>;
  @Field(() => String, {
    nullable: true,
    description: "the record's id as its observations would carry it (the mapping's ref field, with its prefix); null when it has none",
  })
  ref!: string | null;
  @Field(() => String, { nullable: true }) field!: string | null;
  @Field(() => String) reason!: string;
}

@ObjectType('FeedRun')
export class FeedRunType {
  @Field(() => ID) id!: number;
  @Field(() => FeedRunTrigger) trigger!: FeedRunTrigger;
  @Field(() => FeedRunStatus) status!: FeedRunStatus;
  @Field(() => Int) attempts!: number;
  @Field(() => DateTimeScalar) startedAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) finishedAt!: Date | null;
  @Field(() => Int) pages!: number;
  @Field(() => Int) fetched!: number;
  @Field(() => Int, { description: 'records written (created, revised or unchanged)' }) accepted!: number;
  @Field(() => Int, { description: 'observations created' }) created!: number;
  @Field(() => Int) revised!: number;
  @Field(() => Int) unchanged!: number;
  @Field(() => Int) rejected!: number;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => String, { nullable: true }) cursorBefore!: string | null;
  @Field(() => String, { nullable: true }) cursorAfter!: string | null;
}

@ObjectType('FeedRunEdge')
export class FeedRunEdge {
  @Field(() => FeedRunType) node!: FeedRunType;
  @Field(() => String) cursor!: string;
}

@ObjectType('FeedRunConnection')
export class FeedRunConnection {
  @Field(() => [FeedRunEdge]) edges!: FeedRunEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@ObjectType('FeedTrialObservation', { description: 'An observation a pull would write from the first page' })
export class FeedTrialObservationType {
  @Field(() => String) indicatorCode!: string;
  @Field(() => String, { nullable: true }) regionCode!: string | null;
  @Field(() => String, { description: 'YYYY-MM-DD' }) date!: string;
  @Field(() => String, { description: 'as the record gives it, before unit conversion' }) value!: string;
  @Field(() => String, { nullable: true }) unit!: string | null;
  @Field(() => String) ref!: string;
  @Field(() => String, { nullable: true }) stageCode!: string | null;
}

@ObjectType('FeedTrialRejection', { description: 'A record of the first page that a pull would quarantine, and why' })
export class FeedTrialRejectionType {
  @Field(() => Int) recordIndex!: number;
  @Field(() => String, {
    nullable: true,
    description: "the record's id as its observations would carry it (the mapping's ref field, with its prefix); null when it has none",
  })
  ref!: string | null;
  @Field(() => GraphQLJSONObject) raw!: Record<string, unknown>;
  @Field(() => String) field!: string;
  @Field(() => String) reason!: string;
}

@ObjectType('FeedTrial', { description: 'testFeed: the first page fetched and mapped as a pull would, nothing written' })
export class FeedTrialType {
  @Field(() => Int, { description: 'records on the first page' }) fetched!: number;
  @Field(() => Int, { description: 'records that would be written' }) accepted!: number;
  @Field(() => Int, { description: 'records that would be quarantined' }) rejected!: number;
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, {
    nullable: true,
    description: 'why the page could not be read: unreachable, an error status, not the format asked for',
  })
  error!: string | null;
  @Field(() => [FeedTrialObservationType], { description: 'at most 100' }) observations!: FeedTrialObservationType[];
  @Field(() => [FeedTrialRejectionType], { description: 'at most 100' }) rejections!: FeedTrialRejectionType[];
}
