import { Arg, Authorized, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import type { HubContext } from '../http/context.js';
import { resolvePlan } from '../plan/plan.service.js';
import { NotificationType } from '../reminders/reminders.types.js';
import type { NotificationRow } from '../reminders/reminders.service.js';
import { formatInZone } from '../shared/scalars.js';
import type { ProgressChange } from './live.service.js';
import { ProgressChangeType } from './live.types.js';

type Subscribed = SubscribeResolverData<unknown, { planCode?: string | null }, HubContext>;

/** Live (WebSocket, graphql-transport-ws, at /graphql): the inbox as it fills, and figures as they move. */
@Resolver()
export class LiveResolver {
  @Authorized('AGENCY', 'OFFICE')
  @Subscription(() => NotificationType, {
    description: "each new reminder or escalation, once, in order: an AGENCY its own agency's, OFFICE everyone's",
    subscribe: ({ context }: Subscribed) => context.hub.live.notificationsFor(context.principal),
  })
  notificationAdded(@Root() row: NotificationRow): NotificationRow {
    return row;
  }

  @Subscription(() => ProgressChangeType, {
    description:
      "after each committed write that moves the plan's figures (a push, a feed page, a plan load); no planCode: the current plan",
    subscribe: async ({ args, context }: Subscribed) => {
      const plan = await resolvePlan(context, args.planCode);
      const zone = plan.timeZone;
      const stream = context.hub.live.progressChanges(plan.code);
      // the instant with the plan's offset, as every DateTime of the API
      return mapped(stream, (change) => ({ ...change, at: formatInZone(new Date(change.at), zone) }));
    },
  })
  progressChanged(
    @Root() change: ProgressChange,
    @Arg('planCode', () => String, { nullable: true }) _planCode?: string | null,
  ): ProgressChangeType {
    return change;
  }
}

/**
 * Each value of `source` mapped. Not an async generator: a generator waiting on `source.next()` queues
 * `return()` until the next value comes, so a closed connection would hold its place (and its count
 * against the token's limit) until the plan's figures next moved; this hands `return()` straight on.
 */
function mapped<T, U>(source: AsyncIterableIterator<T>, map: (value: T) => U): AsyncIterableIterator<U> {
  const iterator: AsyncIterableIterator<U> = {
    next: async () => {
      const result = await source.next();
      return result.done ? { value: undefined, done: true } : { value: map(result.value), done: false };
    },
    return: async () => {
      await source.return?.();
      return { value: undefined, done: true };
    },
    throw: async (error: unknown) => {
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
