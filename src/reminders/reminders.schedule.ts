import { DateTime } from 'luxon';
import type { NotificationKind } from '../../drizzle/schema/reminders.js';

export type { NotificationKind };
/** The reminders before and on the due day; the other kind is the escalation the day after. */
export type ReminderKind = Exclude<NotificationKind, 'ESCALATION'>;

/** A project a lead agency still owes a report on, as its reminder names it. */
export interface OwedProject {
  number: number;
  title: string;
}

/** A (lead agency, project) pair with no report by the deadline, as the escalation lists it. */
export interface LatePair {
  agencyCode: string;
  agencyName: string;
  number: number;
  title: string;
  /** when a late report arrived (the plan's offset); null: never sent */
  submittedAt: string | null;
}

/** What a notification carries beside its text (notifications.payload; its webhook body spreads it). */
export interface NotificationPayload {
  planCode: string;
  roundId: number;
  dueOn: string;
  /** the last instant of the due day, with the plan's offset */
  deadline: string;
  /** a reminder: the projects still owed */
  projects?: OwedProject[];
  /** the escalation: every pair not reported on time */
  late?: LatePair[];
}

/** Reminders go out at 09:00 in the plan's zone, 7, 3 and 1 days before the due day and on it. */
export const reminderDaysBefore: [ReminderKind, number][] = [
  ['REMINDER_7D', 7],
  ['REMINDER_3D', 3],
  ['REMINDER_1D', 1],
  ['REMINDER_DUE', 0],
];
export const sendHour = 9;
/** A missed escalation is still sent at start-up while it is this fresh; older ones are left out. */
export const escalationGraceDays = 7;

export function sendTimeOf(dueOn: string, kind: NotificationKind, timeZone: string): Date {
  const due = DateTime.fromISO(dueOn, { zone: timeZone }).set({ hour: sendHour, minute: 0, second: 0, millisecond: 0 });
  const days = kind === 'ESCALATION' ? -1 : reminderDaysBefore.find(([k]) => k === kind)![1];
  return due.minus({ days }).toJSDate();
}

/** The deadline: the last instant of the due day in the plan's zone. */
export function deadlineOf(dueOn: string, timeZone: string): Date {
  return DateTime.fromISO(dueOn, { zone: timeZone }).endOf('day').toJSDate();
}

/** Deterministic job id of a reminder or escalation: scheduling twice finds the job already there. */
export const reminderJobId = (planCode: string, roundId: number, agencyCode: string, kind: NotificationKind) =>
  `reminder/${planCode}/${roundId}/${agencyCode}/${kind}`; // BullMQ job ids may not contain ":"

/** The inbox key: at most one notification per round, agency and kind, whoever sends it. */
export const notificationKey = (roundId: number, agencyId: number, kind: NotificationKind) => `round:${roundId}:agency:${agencyId}:${kind}`;

const chineseDate = (dueOn: string) => {
  const [y, m, d] = dueOn.split('-').map(Number);
  return `${y}年${m}月${d}日`;
};

export function reminderText(kind: ReminderKind, roundTitle: string, dueOn: string, agencyName: string, projects: OwedProject[]) {
  const when = kind === 'REMINDER_DUE' ? '今天截止' : `距截止还有${reminderDaysBefore.find(([k]) => k === kind)![1]}天`;
  return {
    title: `【民生实事】${roundTitle}提醒：${when}`,
    body:
      `${agencyName}：请于${chineseDate(dueOn)}24时前向市民生实事工程实施领导小组办公室报送以下民生实事进展情况：` +
      projects.map((p) => `${p.number}.${p.title}`).join('；') +
      '。',
  };
}

export function escalationText(roundTitle: string, dueOn: string, late: Omit<LatePair, 'agencyCode'>[]) {
  return {
    title: `【民生实事】${roundTitle}逾期情况（截止${chineseDate(dueOn)}）`,
    body:
      late.length === 0
        ? '各牵头单位均已按时报送。'
        : '以下牵头单位未按时报送进展情况：' +
          late
            .map((l) => `${l.agencyName}：${l.number}.${l.title}（${l.submittedAt ? `逾期报送于${l.submittedAt}` : '未报送'}）`)
            .join('；') +
          '。',
  };
}
