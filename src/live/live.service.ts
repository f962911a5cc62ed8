import type { Logger } from 'pino';
import type { Principal } from '../auth/auth.service.js';
import type { PlanRepository } from '../plan/plan.repository.js';
import type { ProgressRepository } from '../progress/progress.repository.js';
import type { NotificationRow, ReminderService } from '../reminders/reminders.service.js';
import type { Clock } from '../shared/clock.js';
import type { EventBus, LiveEvent } from '../shared/event-bus.js';
import { EventStream } from './event-stream.js';

export type ProgressChange = Omit<Extract<LiveEvent, { type: 'progress' }>, 'type'>;

/** At most one progressChanged message a second per plan: a feed writing 50 pages is one a second, not 50. */
export const progressIntervalMs = 1_000;

/**
 * Bursts of changes of one plan, merged: the first goes out at once, the ones within the next second
 * wait and go out together (indicators and regions joined, the latest data version and time).
 */
class PlanThrottle {
  private sentAt = 0;
  private pending: ProgressChange | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly emit: (change: ProgressChange) => void,
    private readonly intervalMs: number,
  ) {}

  add(change: ProgressChange): void {
    this.pending = this.pending ? merge(this.pending, change) : change;
    if (this.timer) return;
    const wait = this.sentAt + this.intervalMs - Date.now();
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flush(): void {
    this.timer = undefined;
    if (!this.pending) return;
    const change = this.pending;
    this.pending = undefined;
    this.sentAt = Date.now();
    this.emit(change);
  }
}

function merge(a: ProgressChange, b: ProgressChange): ProgressChange {
  const later = BigInt(b.dataVersion) >= BigInt(a.dataVersion) ? b : a;
  return {
    planCode: a.planCode,
    indicatorCodes: [...new Set([...a.indicatorCodes, ...b.indicatorCodes])].sort(),
    regionCodes: [...new Set([...a.regionCodes, ...b.regionCodes])].sort(),
    dataVersion: later.dataVersion,
    at: later.at,
  };
}

const canSee = (principal: Principal, row: NotificationRow) =>
  principal.role === 'OFFICE' || (principal.role === 'AGENCY' && principal.agencyId === row.agencyId);

/**
 * What live subscribers receive, in this process: progress changes merged per plan, and the inbox's
 * new rows. One listener on the event bus serves every subscription of the process.
 */
export class LiveService {
  private readonly progressStreams = new Map<string, Set<EventStream<ProgressChange>>>();
  private readonly throttles = new Map<string, PlanThrottle>();
  private readonly notificationStreams = new Set<{ principal: Principal; stream: EventStream<NotificationRow>; seen: Set<number> }>();
  private readonly revocationListeners = new Set<(event: Extract<LiveEvent, { type: 'credentials-revoked' }>) => void>();
  /** notification rows are read one after another, so they go out in the order they were published */
  private reading: Promise<void> = Promise.resolve();
  private readonly detach: () => void;

  constructor(
    private readonly events: EventBus,
    private readonly plans: PlanRepository,
    private readonly progress: ProgressRepository,
    private readonly reminders: ReminderService,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly intervalMs = progressIntervalMs,
  ) {
    this.detach = events.subscribe((event) => this.receive(event));
  }

  /** After a plan load that changed it: every indicator and unit of the plan may have moved. */
  async announcePlan(planCode: string): Promise<void> {
    const plan = (await this.plans.plansByCodes([planCode])).get(planCode);
    if (!plan) return;
    const [indicators, regions, version] = await Promise.all([
      this.plans.indicatorsByPlanIds([plan.id]),
      this.plans.regionsByPlanIds([plan.id]),
      this.progress.dataVersion(plan.id),
    ]);
    await this.events.publish({
      type: 'progress',
      planCode,
      indicatorCodes: (indicators.get(plan.id) ?? []).map((i) => i.code),
      regionCodes: (regions.get(plan.id) ?? []).map((r) => r.code),
      dataVersion: String(version),
      at: this.clock.now().toISOString(),
    });
  }

  /** The changes of one plan's figures, from now on, at most one a second. */
  progressChanges(planCode: string): EventStream<ProgressChange> {
    const stream = new EventStream<ProgressChange>();
    let streams = this.progressStreams.get(planCode);
    if (!streams) this.progressStreams.set(planCode, (streams = new Set()));
    streams.add(stream);
    return stream.onEnd(() => {
      streams.delete(stream);
      if (streams.size === 0) {
        this.progressStreams.delete(planCode);
        this.throttles.get(planCode)?.stop();
        this.throttles.delete(planCode);
      }
    });
  }

  /** New inbox rows an AGENCY (its own) or OFFICE (everyone's) may read, each once, in order. */
  notificationsFor(principal: Principal): EventStream<NotificationRow> {
    const entry = { principal, stream: new EventStream<NotificationRow>(), seen: new Set<number>() };
    this.notificationStreams.add(entry);
    return entry.stream.onEnd(() => this.notificationStreams.delete(entry));
  }

  /** Open subscriptions of this process, by kind (for /metrics). */
  subscriptionCounts(): { progress: number; notifications: number } {
    let progress = 0;
    for (const streams of this.progressStreams.values()) progress += streams.size;
    return { progress, notifications: this.notificationStreams.size };
  }

  /** Told when a token is revoked or a person disabled, in any process (the WebSocket server closes their connections). */
  onRevoked(listener: (event: Extract<LiveEvent, { type: 'credentials-revoked' }>) => void): () => void {
    this.revocationListeners.add(listener);
    return () => this.revocationListeners.delete(listener);
  }

  close(): void {
    this.detach();
    for (const throttle of this.throttles.values()) throttle.stop();
    for (const streams of this.progressStreams.values()) for (const stream of streams) void stream.return();
    for (const { stream } of this.notificationStreams) void stream.return();
  }

  private receive(event: LiveEvent): void {
    switch (event.type) {
      case 'progress': {
        if (!this.progressStreams.has(event.planCode)) return;
        let throttle = this.throttles.get(event.planCode);
        if (!throttle) {
          const streams = this.progressStreams;
          throttle = new PlanThrottle((change) => {
            for (const stream of streams.get(change.planCode) ?? []) stream.push(change);
          }, this.intervalMs);
          this.throttles.set(event.planCode, throttle);
        }
        const { type: _type, ...change } = event;
        throttle.add(change);
        return;
      }
      case 'notification':
        if (this.notificationStreams.size === 0) return;
        this.reading = this.reading.then(() => this.deliverNotification(event.notificationId));
        return;
      case 'credentials-revoked':
        for (const listener of this.revocationListeners) listener(event);
        return;
    }
  }

  private async deliverNotification(id: number): Promise<void> {
    let row: NotificationRow | undefined;
    try {
      row = await this.reminders.notificationById(id);
    } catch (error) {
      this.logger.warn({ reason: (error as Error).message, notificationId: id }, 'a live notification could not be read');
      return;
    }
    if (!row) return;
    for (const entry of this.notificationStreams) {
      if (!canSee(entry.principal, row) || entry.seen.has(row.id)) continue;
      entry.seen.add(row.id);
      entry.stream.push(row);
    }
  }
}
