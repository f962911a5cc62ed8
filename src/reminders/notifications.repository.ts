import { and, asc, eq } from 'drizzle-orm';
import { notifications } from '../../drizzle/schema/index.js';
import type { Db } from '../db/database.js';
import type { NotificationRow } from './reminders.service.js';

/** Webhook deliveries as the reconciler sees them. */
export class NotificationRepository {
  constructor(private readonly db: Db) {}

  /** Notifications whose webhook delivery is still to be made, oldest first. */
  async pendingDeliveries(limit = 1_000): Promise<NotificationRow[]> {
    return this.db
      .select()
      .from(notifications)
      .where(eq(notifications.deliveryStatus, 'PENDING'))
      .orderBy(asc(notifications.id))
      .limit(limit);
  }

  /** Marks a delivery FAILED with the reason, unless it was delivered meanwhile; true when it did. */
  async failPendingDelivery(id: number, reason: string): Promise<boolean> {
    const updated = await this.db
      .update(notifications)
      .set({ deliveryStatus: 'FAILED', deliveryError: reason.slice(0, 2_000) })
      .where(and(eq(notifications.id, id), eq(notifications.deliveryStatus, 'PENDING')))
      .returning({ id: notifications.id });
    return updated.length > 0;
  }
}
