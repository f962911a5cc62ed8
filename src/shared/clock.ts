import { DateTime } from 'luxon';

/** The one source of "now". Nothing else in the hub calls `new Date()` for the current time. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock pinned at one instant (HUB_NOW), for replays and demos. */
export function fixedClock(at: Date): Clock {
  const instant = at.getTime();
  return { now: () => new Date(instant) };
}

/** A clock tests can move. */
export class ManualClock implements Clock {
  private instant: number;
  constructor(at: Date | string) {
    this.instant = new Date(at).getTime();
  }
  now(): Date {
    return new Date(this.instant);
  }
  set(at: Date | string): void {
    this.instant = new Date(at).getTime();
  }
  advance(ms: number): void {
    this.instant += ms;
  }
}

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function dateInZone(at: Date, timeZone: string): string {
  const iso = DateTime.fromJSDate(at, { zone: timeZone }).toISODate();
  if (!iso) throw new Error(`invalid time zone ${timeZone}`);
  return iso;
}
