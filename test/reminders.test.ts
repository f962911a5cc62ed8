import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueName } from '../jobs/queues.js';
import type { Hub } from '../src/app.js';
import { queryRows } from '../src/db/database.js';
import { startWorkers } from '../jobs/workers.js';
import { startTestHub, type TestHub, runtimeOf } from './support/hub.js';

// The 2023 calendar, by hand: 09:00 Asia/Shanghai 7, 3, 1 days before and on each due day; the escalation the day after.
const leads = ['CIVIL', 'DPF', 'HEALTH', 'HRSS', 'NDRC', 'REDCROSS'];
const rounds: [string, string[], string][] = [
  ['2023-06-28', ['2023-06-21', '2023-06-25', '2023-06-27', '2023-06-28'], '2023-06-29'],
  ['2023-10-28', ['2023-10-21', '2023-10-25', '2023-10-27', '2023-10-28'], '2023-10-29'],
  ['2023-12-23', ['2023-12-16', '2023-12-20', '2023-12-22', '2023-12-23'], '2023-12-24'],
];
const kinds = ['REMINDER_7D', 'REMINDER_3D', 'REMINDER_1D', 'REMINDER_DUE'];
const at9 = (day: string) => `${day}T09:00:00.000+08:00`;
const fullCalendar = rounds.flatMap(([dueOn, days, escalation]) => [
  ...days.flatMap((day, k) => leads.map((agencyCode) => ({ dueOn, agencyCode, kind: kinds[k], sendAt: at9(day) }))),
  { dueOn, agencyCode: 'FINANCE', kind: 'ESCALATION', sendAt: at9(escalation) },
]);

const planned = `{ plannedNotifications { dueOn agencyCode kind sendAt } }`;
const report = /* GraphQL */ `
  mutation ($input: ProgressReportInput!) {
    submitProgressReport(input: $input) {
      id
      revision
      onTime
      submittedAt
      revisions {
        revision
        late
      }
    }
  }
`;

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the reminder calendar', () => {
  it('lists every reminder of the 2023 plan when nobody reports, and skips what is past at start-up', async () => {
    const t = await startTestHub({ now: '2023-06-01T10:00:00+08:00' });
    try {
      const office = await t.token('OFFICE');
      const { data } = await t.gql(office, planned);
      // six lead agencies × four reminders × three rounds, and three escalations to the office
      expect(data!.plannedNotifications).toHaveLength(75);
      expect(data!.plannedNotifications).toEqual(fullCalendar);

      // started on 2 July: round 1's reminders are gone, its escalation (3 days late) still goes out
      t.clock.set('2023-07-02T12:00:00+08:00');
      const july = (await t.gql(office, planned)).data!.plannedNotifications;
      expect(july).toHaveLength(51);
      expect(july[0]).toEqual({ dueOn: '2023-06-28', agencyCode: 'FINANCE', kind: 'ESCALATION', sendAt: at9('2023-06-29') });
      expect(july.slice(1)).toEqual(fullCalendar.filter((n) => n.dueOn !== '2023-06-28'));

      // started mid-July: nothing of round 1 at all
      t.clock.set('2023-07-15T12:00:00+08:00');
      expect((await t.gql(office, planned)).data!.plannedNotifications).toEqual(fullCalendar.filter((n) => n.dueOn !== '2023-06-28'));
    } finally {
      await t.close();
    }
  });
});

describe('reminders through BullMQ', () => {
  let t: TestHub;
  let other: Hub;
  const stops: (() => Promise<void>)[] = [];
  const tokens: Record<string, string> = {};
  let roundOne: number;
  let hooks: Server;
  const received: { agency: string; body: string; signature: string; event: string }[] = [];
  let failing = 0;

  const queue = () => runtimeOf(t.hub).queue(QueueName.Reminder);
  const delayedIds = async () => (await queue().getDelayed(0, -1)).map((j) => j.id!).sort();
  const notificationsOf = async (agency: string) =>
    queryRows<{ kind: string; title: string; body: string; payload: any; deliveryStatus: string; deliveryAttempts: number }>(
      t.hub.db,
      sql`select n.kind, n.title, n.body, n.payload, n.delivery_status as "deliveryStatus", n.delivery_attempts as "deliveryAttempts"
          from notifications n join agencies a on a.id = n.agency_id where a.code = ${agency} order by n.id`,
    );
  /** Moves the clock to a send time and lets the workers fire what is due then. */
  const fireAt = async (instant: string, jobIds: string[]) => {
    t.clock.set(instant);
    for (const id of jobIds) await (await queue().getJob(id))?.promote();
  };
  const jobId = (agency: string, kind: string) => `reminder/shangrao-2023/${roundOne}/${agency}/${kind}`;

  beforeAll(async () => {
    t = await startTestHub({ now: '2023-06-01T10:00:00+08:00', env: { HUB_WEBHOOK_ATTEMPTS: '3', HUB_WEBHOOK_BACKOFF_MS: '100' } });
    await t.hub.jobs.connect();
    for (const code of ['HRSS', 'CIVIL', 'DPF', 'HEALTH', 'NDRC', 'REDCROSS']) tokens[code] = await t.token('AGENCY', code);
    tokens.OFFICE = await t.token('OFFICE');
    roundOne = Number((await t.gql(tokens.OFFICE, '{ reportingRounds { id } }')).data!.reportingRounds[0].id);
    hooks = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const agency = req.url!.slice(1);
        if (agency === 'CIVIL') {
          failing += 1;
          res.statusCode = 500;
          return res.end('down');
        }
        received.push({ agency, body, signature: String(req.headers['x-hub-signature-256']), event: String(req.headers['x-hub-event']) });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    await runtimeOf(t.hub).queue(QueueName.Reminder).obliterate({ force: true });
    await runtimeOf(t.hub).queue(QueueName.Webhook).obliterate({ force: true });
    for (const stop of stops) await stop();
    await other?.close();
    await new Promise((r) => hooks.close(r));
    await t.close();
  });

  it('schedules each reminder once, however often the scheduler restarts, with two workers', async () => {
    stops.push(await startWorkers(t.hub, runtimeOf(t.hub)));
    const ids = await delayedIds();
    expect(ids).toHaveLength(75);
    expect(ids).toContain(jobId('HRSS', 'REMINDER_7D'));
    expect(ids).toContain(jobId('FINANCE', 'ESCALATION'));
    // a restart of the scheduler and a second worker replica add nothing
    expect(await t.hub.reminders.syncReminders()).toBe(0);
    other = await t.replica();
    stops.push(await startWorkers(other, runtimeOf(other)));
    expect(await delayedIds()).toEqual(ids);
  });

  it('sends each reminder once, to the agencies that owe a report, naming the projects', async () => {
    const hrssHook = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/HRSS`;
    const configured = await t.gql(
      tokens.HRSS,
      'mutation ($url: String) { configureWebhook(agencyCode: "HRSS", url: $url) { url secret } }',
      { url: hrssHook },
    );
    const secret = configured.data!.configureWebhook.secret as string;
    expect(secret.length).toBeGreaterThanOrEqual(16);
    await t.gql(
      tokens.OFFICE,
      'mutation ($url: String) { configureWebhook(agencyCode: "CIVIL", url: $url, secret: "civil-secret-123456") { url } }',
      {
        url: `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/CIVIL`,
      },
    );

    await fireAt(
      '2023-06-21T09:00:00+08:00',
      leads.map((a) => jobId(a, 'REMINDER_7D')),
    );
    const hrss = await until(
      () => notificationsOf('HRSS'),
      (rows) => rows.length === 1 && rows[0].deliveryStatus === 'DELIVERED',
    );
    expect(hrss[0]).toMatchObject({
      kind: 'REMINDER_7D',
      title: '【民生实事】第一次进展报送提醒：距截止还有7天',
      body: '市人社局：请于2023年6月28日24时前向市民生实事工程实施领导小组办公室报送以下民生实事进展情况：1.加大创业担保贷款扶持力度；2.提高低保对象等困难群众基本生活保障标准。',
    });
    for (const agency of leads)
      expect(
        await until(
          () => notificationsOf(agency),
          (rows) => rows.length === 1,
        ),
      ).toHaveLength(1);

    // the webhook got the body, signed with the agency's secret
    expect(received).toHaveLength(1);
    const delivery = received[0];
    expect(delivery.signature).toBe(`sha256=${createHmac('sha256', secret).update(delivery.body).digest('hex')}`);
    expect(JSON.parse(delivery.body)).toMatchObject({
      kind: 'REMINDER_7D',
      agencyCode: 'HRSS',
      dueOn: '2023-06-28',
      projects: [{ number: 1 }, { number: 2 }],
    });
    expect(delivery.event).toBe('reminder');

    // the same reminder again (a duplicate job, a retry, the other worker) sends nothing
    const payload = (await queue().getJob(jobId('HRSS', 'REMINDER_7D')))!.data;
    expect(await t.hub.reminders.fire(payload)).toBeUndefined();
    expect(await other.reminders.fire(payload)).toBeUndefined();
    expect(await notificationsOf('HRSS')).toHaveLength(1);
  });

  it('a failing webhook is retried with backoff, then shown to the office as failed', async () => {
    const civil = await until(
      () => notificationsOf('CIVIL'),
      (rows) => rows[0]?.deliveryStatus === 'FAILED',
    );
    expect(civil[0]).toMatchObject({ deliveryStatus: 'FAILED', deliveryAttempts: 3 });
    expect(failing).toBe(3);
    const { data } = await t.gql(
      tokens.OFFICE,
      '{ notifications(deliveryStatus: FAILED) { edges { node { kind deliveryAttempts deliveryError } } } }',
    );
    expect(data!.notifications.edges.map((e: any) => e.node)).toEqual([
      { kind: 'REMINDER_7D', deliveryAttempts: 3, deliveryError: 'HTTP 500' },
    ]);
  });

  it('a report cancels the remaining reminders of that agency and round', async () => {
    t.clock.set('2023-06-22T15:00:00+08:00');
    for (const project of [2, 3, 4, 5]) {
      const r = await t.gql(tokens.CIVIL, report, {
        input: { roundId: roundOne, projectNumber: project, text: `项目${project}进展情况：已按计划推进。` },
      });
      expect(r.data!.submitProgressReport).toMatchObject({ revision: 1, onTime: true });
    }
    // HRSS reports on project 1 only: it still owes project 2
    await t.gql(tokens.HRSS, report, { input: { roundId: roundOne, projectNumber: 1, text: '新增发放创业担保贷款进展。' } });
    const ids = await delayedIds();
    for (const kind of ['REMINDER_3D', 'REMINDER_1D', 'REMINDER_DUE']) {
      expect(ids).not.toContain(jobId('CIVIL', kind));
      expect(ids).toContain(jobId('HRSS', kind));
    }
    expect(ids).toContain(`reminder/shangrao-2023/${roundOne + 1}/CIVIL/REMINDER_7D`);

    await fireAt(
      '2023-06-25T09:00:00+08:00',
      leads.filter((a) => a !== 'CIVIL').map((a) => jobId(a, 'REMINDER_3D')),
    );
    const hrss = await until(
      () => notificationsOf('HRSS'),
      (rows) => rows.length === 2,
    );
    expect(hrss[1].body).toBe(
      '市人社局：请于2023年6月28日24时前向市民生实事工程实施领导小组办公室报送以下民生实事进展情况：2.提高低保对象等困难群众基本生活保障标准。',
    );
    // a CIVIL reminder that fires anyway finds nothing owed and sends nothing
    const civil = (await t.hub.planRepository.agenciesByCodes(['CIVIL'])).get('CIVIL')!;
    const plan = (await t.hub.planRepository.plansByCodes(['shangrao-2023'])).get('shangrao-2023')!;
    expect(
      await t.hub.reminders.fire({
        planId: plan.id,
        roundId: roundOne,
        agencyId: civil.id,
        kind: 'REMINDER_3D',
        sendAt: '2023-06-25T01:00:00.000Z',
      }),
    ).toBeUndefined();
    expect(await notificationsOf('CIVIL')).toHaveLength(1);
  });

  it('the escalation lists exactly the late pairs', async () => {
    t.clock.set('2023-06-28T20:00:00+08:00');
    for (const project of [6, 7, 8])
      await t.gql(tokens.HEALTH, report, { input: { roundId: roundOne, projectNumber: project, text: '进展正常。' } });
    await t.gql(tokens.REDCROSS, report, { input: { roundId: roundOne, projectNumber: 10, text: 'AED已配备43台。' } });
    // DPF reports the morning after the deadline: accepted, marked late
    t.clock.set('2023-06-29T08:00:00+08:00');
    const late = await t.gql(tokens.DPF, report, { input: { roundId: roundOne, projectNumber: 3, text: '无障碍改造进展。' } });
    expect(late.data!.submitProgressReport).toMatchObject({ onTime: false, revisions: [{ revision: 1, late: true }] });

    await fireAt('2023-06-29T09:00:00+08:00', [jobId('FINANCE', 'ESCALATION')]);
    const [escalation] = await until(
      () => notificationsOf('FINANCE'),
      (rows) => rows.length === 1,
    );
    expect(escalation.payload.late).toEqual([
      { agencyCode: 'HRSS', agencyName: '市人社局', number: 2, title: '提高低保对象等困难群众基本生活保障标准', submittedAt: null },
      {
        agencyCode: 'DPF',
        agencyName: '市残联',
        number: 3,
        title: '改善残疾人生活和照顾服务',
        submittedAt: '2023-06-29T08:00:00.000+08:00',
      },
      { agencyCode: 'NDRC', agencyName: '市发改委', number: 9, title: '开展基层人工智能辅助智慧医疗系统建设', submittedAt: null },
    ]);
    expect(escalation.body).toBe(
      '以下牵头单位未按时报送进展情况：市人社局：2.提高低保对象等困难群众基本生活保障标准（未报送）；市残联：3.改善残疾人生活和照顾服务（逾期报送于2023-06-29T08:00:00.000+08:00）；市发改委：9.开展基层人工智能辅助智慧医疗系统建设（未报送）。',
    );

    const { data } = await t.gql(tokens.OFFICE, '{ reportingRounds { dueOn submissions { agency { code } project { number } onTime } } }');
    const first = data!.reportingRounds[0].submissions.map((s: any) => [s.agency.code, s.project.number, s.onTime]);
    expect(first).toEqual([
      ['HRSS', 1, true],
      ['CIVIL', 2, true],
      ['HRSS', 2, null],
      ['CIVIL', 3, true],
      ['DPF', 3, false],
      ['CIVIL', 4, true],
      ['CIVIL', 5, true],
      ['HEALTH', 6, true],
      ['HEALTH', 7, true],
      ['HEALTH', 8, true],
      ['NDRC', 9, null],
      ['REDCROSS', 10, true],
    ]);
  });

  it('keeps every revision of a report, and an agency reads its own inbox', async () => {
    t.clock.set('2023-10-01T10:00:00+08:00');
    const roundTwo = roundOne + 1;
    await t.gql(tokens.NDRC, report, {
      input: { roundId: roundTwo, projectNumber: 9, text: '初稿', links: ['https://ndrc.example.gov.cn/report.pdf'] },
    });
    const second = await t.gql(tokens.NDRC, report, { input: { roundId: roundTwo, projectNumber: 9, text: '修订稿' } });
    expect(second.data!.submitProgressReport).toMatchObject({
      revision: 2,
      onTime: true,
      revisions: [
        { revision: 1, late: false },
        { revision: 2, late: false },
      ],
    });
    // who reported is for everyone; the text only for the office and the reporting agency
    const texts = async (token: string) =>
      (await t.gql(token, '{ reportingRounds { submissions { agency { code } report { text } } } }'))
        .data!.reportingRounds[1].submissions.filter((s: any) => s.agency.code === 'NDRC')
        .map((s: any) => s.report?.text ?? null);
    expect(await texts(tokens.NDRC)).toEqual(['修订稿']);
    expect(await texts(tokens.OFFICE)).toEqual(['修订稿']);
    expect(await texts(tokens.HRSS)).toEqual([null]);
    const inbox = await t.gql(tokens.HRSS, '{ notifications { edges { node { kind read } } pageInfo { hasNextPage } } }');
    expect(inbox.data!.notifications.edges.map((e: any) => e.node.kind)).toEqual(['REMINDER_3D', 'REMINDER_7D']);
    expect((await t.gql(tokens.HRSS, '{ notifications(agencyCode: "CIVIL") { edges { cursor } } }')).errors![0].extensions!.code).toBe(
      'FORBIDDEN',
    );
  });

  it('queues the delivery again when a worker died between the inbox and the webhook', async () => {
    const port = (hooks.address() as AddressInfo).port;
    await t.gql(
      tokens.OFFICE,
      'mutation ($url: String) { configureWebhook(agencyCode: "HEALTH", url: $url, secret: "health-secret-123456") { url } }',
      {
        url: `http://127.0.0.1:${port}/HEALTH`,
      },
    );
    const id = `reminder/shangrao-2023/${roundOne + 1}/HEALTH/REMINDER_7D`;
    const job = (await queue().getJob(id))!;
    // the first worker wrote the inbox row and died before queueing the webhook
    const written = await t.hub.reminders.fire(job.data);
    expect(written).toMatchObject({ deliveryStatus: 'PENDING' });
    t.clock.set('2023-10-21T09:00:00+08:00');
    await job.promote();
    const health = await until(
      () => notificationsOf('HEALTH'),
      (rows) => rows.at(-1)?.deliveryStatus === 'DELIVERED',
    );
    expect(health.filter((n) => n.kind === 'REMINDER_7D' && n.payload.roundId === roundOne + 1)).toHaveLength(1);
    expect(received.filter((r) => r.agency === 'HEALTH')).toHaveLength(1);
  });

  it('refuses bad reports and webhook URLs with coded errors', async () => {
    const cases: [string, Record<string, unknown>, string, string?][] = [
      ['HRSS', { projectNumber: 3 }, 'FORBIDDEN', 'input.projectNumber'],
      ['HRSS', { roundId: 999_999 }, 'NOT_FOUND', 'input.roundId'],
      ['HRSS', { projectNumber: 11 }, 'NOT_FOUND', 'input.projectNumber'],
      ['HRSS', { text: '   ' }, 'BAD_USER_INPUT', 'input.text'],
      ['HRSS', { text: '字'.repeat(20_001) }, 'BAD_USER_INPUT', 'input.text'],
      ['HRSS', { links: ['file:///etc/passwd'] }, 'BAD_USER_INPUT', 'input.links[0]'],
    ];
    for (const [agency, over, code, field] of cases) {
      const response = await t.gql(tokens[agency], report, { input: { roundId: roundOne, projectNumber: 1, text: '进展', ...over } });
      expect(response.errors?.[0].extensions).toMatchObject({ code, ...(field ? { field } : {}) });
    }
    const bi = await t.token('BI');
    expect((await t.gql(bi, report, { input: { roundId: roundOne, projectNumber: 1, text: 'x' } })).errors![0].extensions!.code).toBe(
      'FORBIDDEN',
    );
    const webhook = await t.gql(tokens.OFFICE, 'mutation { configureWebhook(agencyCode: "HRSS", url: "ftp://hrss.example/hook") { url } }');
    expect(webhook.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
  });
});
