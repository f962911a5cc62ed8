import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { authChecker } from '../auth/auth.decorators.js';
import { AuditResolver } from '../audit/audit.resolver.js';
import { ApiTokenResolver, AuthResolver, UserResolver } from '../auth/auth.resolver.js';
import {
  AgencyResolver,
  IndicatorResolver,
  PlanQueryResolver,
  PlanResolver,
  ProjectResolver,
  ReportingRoundResolver,
} from '../plan/plan.resolver.js';
import { FeedQueryResolver, FeedResolver, FeedRunResolver } from '../feeds/feeds.resolver.js';
import {
  NotificationResolver,
  ProgressReportResolver,
  ReminderResolver,
  RoundSubmissionsResolver,
} from '../reminders/reminders.resolver.js';
import { LiveResolver } from '../live/live.resolver.js';
import { ObservationResolver } from '../observations/observations.resolver.js';
import {
  AgencyProgressResolver,
  ConsolidatedResolver,
  IndicatorProgressResolver,
  PlanProgressResolver,
  ProjectProgressResolver,
} from '../progress/progress.resolver.js';

const resolvers = [
  AuthResolver,
  UserResolver,
  ApiTokenResolver,
  AuditResolver,
  PlanQueryResolver,
  PlanResolver,
  ProjectResolver,
  IndicatorResolver,
  AgencyResolver,
  ReportingRoundResolver,
  ObservationResolver,
  PlanProgressResolver,
  ProjectProgressResolver,
  AgencyProgressResolver,
  IndicatorProgressResolver,
  ConsolidatedResolver,
  FeedQueryResolver,
  FeedResolver,
  FeedRunResolver,
  RoundSubmissionsResolver,
  ProgressReportResolver,
  NotificationResolver,
  ReminderResolver,
  LiveResolver,
] as const;

/**
 * type-graphql insists on a pubSub once a schema has subscriptions, even when each subscription
 * names its own source (`subscribe:`, as LiveResolver's do, over the hub's event bus). This one is
 * never reached; were a subscription ever declared by topic, it would say so instead of hanging.
 */
const noTopicPubSub = {
  publish: () => {
    throw new Error('subscriptions by topic are not used: subscribe through LiveService');
  },
  subscribe: () => {
    throw new Error('subscriptions by topic are not used: subscribe through LiveService');
  },
};

let built: Promise<GraphQLSchema> | undefined;

/** The executable schema, built once per process from the resolver classes. */
export function hubSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({ resolvers, validate: false, authChecker, pubSub: noTopicPubSub });
  return built;
}

/** The SDL checked in as schema/schema.graphql: sorted, so the file diffs cleanly. */
export async function schemaSdl(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await hubSchema()))}\n`;
}
