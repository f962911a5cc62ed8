/**
 * What happened, for whoever listens live (GraphQL subscriptions, the 大屏). Published after the
 * change is committed; carried between processes by the adapter in jobs/ (Redis pub/sub).
 */
export type LiveEvent =
  /** figures of a plan moved: a push, a feed page, a plan load */
  | {
      type: 'progress';
      planCode: string;
      indicatorCodes: string[];
      regionCodes: string[];
      /** the plan's data version after the change (plan_data_versions) */
      dataVersion: string;
      /** when it was committed, ISO 8601 */
      at: string;
    }
  /** a reminder or escalation was written to an agency's inbox */
  | { type: 'notification'; notificationId: number; agencyId: number }
  /**
   * a token was revoked, a person disabled (or their password changed), or one session ended (logout:
   * `sessionHash`, the sha256 of its cookie): the live connections opened with them close
   */
  | { type: 'credentials-revoked'; clientId: number | null; userId: number | null; sessionHash?: string };

export type LiveListener = (event: LiveEvent) => void;

/**
 * The port: publish never throws (the change is committed already; a listener missing one event
 * re-reads by the data version when it reconnects), and listeners in this process hear every event
 * published in any process of the hub, once, including their own process's.
 */
export interface EventBus {
  publish(event: LiveEvent): Promise<void>;
  subscribe(listener: LiveListener): () => void;
  close(): Promise<void>;
}

/** The listeners of one process: each hears every event; one that throws does not stop the others. */
export class LiveListeners {
  private readonly listeners = new Set<LiveListener>();

  constructor(private readonly onError: (error: unknown) => void = () => undefined) {}

  add(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dispatch(event: LiveEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.onError(error);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}

/** One process's events only: a hub without Redis (a script, the CLI on an embedded database). */
export function localEventBus(): EventBus {
  const listeners = new LiveListeners();
  return {
    publish(event) {
      listeners.dispatch(event);
      return Promise.resolve();
    },
    subscribe: (listener) => listeners.add(listener),
    close() {
      listeners.clear();
      return Promise.resolve();
    },
  };
}
