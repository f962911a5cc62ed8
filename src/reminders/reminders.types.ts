import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import * as schema from '../../drizzle/schema/reminders.js';
import { AgencyType, ProjectType } from '../plan/plan.types.js';
import { PageInfo } from '../shared/connection.js';
import { graphqlEnum } from '../shared/enums.js';
import { DateScalar, DateTimeScalar } from '../shared/scalars.js';

// The GraphQL enums, from the database enums' values (drizzle/schema/reminders.ts); each name is the
// enum object and the union of its values.
export const NotificationKindEnum = graphqlEnum(schema.notificationKind.enumValues, {
  name: 'NotificationKind',
  description: 'reminders 7, 3 and 1 days before the due day and on it; the escalation the day after',
});
export type NotificationKindEnum = schema.NotificationKind;

export const DeliveryStatusEnum = graphqlEnum(schema.deliveryStatus.enumValues, {
  name: 'DeliveryStatus',
  description: 'webhook delivery: NONE when the agency has no webhook',
});
export type DeliveryStatusEnum = schema.DeliveryStatus;

@InputType('ProgressReportInput')
export class ProgressReportInput {
  @Field(() => String, { nullable: true }) planCode?: string | null;
  @Field(() => ID) roundId!: number;
  @Field(() => Int) projectNumber!: number;
  @Field(() => String, { description: 'up to 20,000 characters' }) text!: string;
  @Field(() => [String], { nullable: true, description: 'links to attachments (http or https), at most 20' }) links?: string[] | null;
}

@ObjectType('ProgressReportRevision')
export class ProgressReportRevisionType {
  @Field(() => Int) revision!: number;
  @Field(() => String) text!: string;
  @Field(() => [String]) links!: string[];
  @Field(() => DateTimeScalar) submittedAt!: Date;
  @Field(() => Boolean, { description: 'sent after the deadline' }) late!: boolean;
}

@ObjectType('ProgressReport')
export class ProgressReportType {
  @Field(() => ID) id!: number;
  @Field(() => String) text!: string;
  @Field(() => [String]) links!: string[];
  @Field(() => Int) revision!: number;
  @Field(() => DateTimeScalar, { description: 'when the first version arrived' }) submittedAt!: Date;
  @Field(() => DateTimeScalar) revisedAt!: Date;
  @Field(() => Boolean, { description: 'the first version arrived by the deadline' }) onTime!: boolean;
}

@ObjectType('RoundSubmission', { description: 'One lead agency and project of a round' })
export class RoundSubmissionType {
  @Field(() => AgencyType) agency!: AgencyType;
  @Field(() => ProjectType) project!: ProjectType;
  @Field(() => DateTimeScalar, { nullable: true }) submittedAt!: Date | null;
  @Field(() => Boolean, { nullable: true, description: 'null while nothing is submitted' }) onTime!: boolean | null;
  @Field(() => ProgressReportType, { nullable: true, description: 'the text: for OFFICE, BI and the reporting agency itself' })
  report!: ProgressReportType | null;
}

@ObjectType('Notification')
export class NotificationType {
  @Field(() => ID) id!: number;
  @Field(() => NotificationKindEnum) kind!: NotificationKindEnum;
  @Field(() => String) title!: string;
  @Field(() => String) body!: string;
  @Field(() => DateTimeScalar, { description: 'when the calendar called for it' }) scheduledFor!: Date;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) readAt!: Date | null;
  @Field(() => Boolean) read!: boolean;
  @Field(() => DeliveryStatusEnum) deliveryStatus!: DeliveryStatusEnum;
  @Field(() => Int) deliveryAttempts!: number;
  @Field(() => String, { nullable: true }) deliveryError!: string | null;
}

@ObjectType('NotificationEdge')
export class NotificationEdge {
  @Field(() => NotificationType) node!: NotificationType;
  @Field(() => String) cursor!: string;
}

@ObjectType('NotificationConnection')
export class NotificationConnection {
  @Field(() => [NotificationEdge]) edges!: NotificationEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@ObjectType('PlannedNotification', { description: 'A reminder or escalation the calendar still calls for' })
export class PlannedNotificationType {
  @Field(() => ID) roundId!: number;
  @Field(() => DateScalar) dueOn!: string;
  @Field(() => String) agencyCode!: string;
  @Field(() => NotificationKindEnum) kind!: NotificationKindEnum;
  @Field(() => DateTimeScalar) sendAt!: string;
}

@ObjectType('WebhookConfig')
export class WebhookConfigType {
  @Field(() => String) agencyCode!: string;
  @Field(() => String, { nullable: true }) url!: string | null;
  @Field(() => String, { nullable: true, description: 'the signing secret, shown only in the answer that set it' }) secret!: string | null;
}
