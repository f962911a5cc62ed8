import 'reflect-metadata';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import pino from 'pino';
import { createHub } from '../src/app.js';
import { authenticate, issueToken } from '../src/auth/auth.service.js';
import { loadConfig } from '../src/config/config.js';
import { listenAdminSocket } from '../src/http/admin-socket.js';
import { startHttpServer } from '../src/http/server.js';
import { simulatorFeeds } from '../src/feeds/simulator.feeds.js';
import { startSimulator, defaultSimulatorData, type SimulatorData } from '../src/feeds/simulator.js';
import { loadShippedPlans } from '../src/plan/plan.files.js';
import { statusLabels } from '../src/progress/ledger.js';
import { consolidatedRows } from '../src/progress/progress.service.js';
import { ManualClock, dateInZone } from '../src/shared/clock.js';
import { startWorkers } from '../src/workers.js';

/**
 * npm run demo: the 2023 plan replayed to a day in October on the embedded database. Bureau feeds
 * are pulled from the simulator, some reports are in and some late; a progress table is printed and
 * the hub keeps running with its dashboard. `--exit` stops after the table (used by the tests).
 */
const exitAfterSetup = process.argv.includes('--exit');
const now = process.env.HUB_NOW ?? '2023-10-20T10:00:00+08:00';
const dataDir = resolve(process.env.HUB_DATA_DIR ?? './data/demo');

// the demo starts from nothing each time, so what it prints is what it did
rmSync(dataDir, { recursive: true, force: true });
const config = {
  ...loadConfig({ ...process.env, HUB_NOW: now, HUB_DATA_DIR: dataDir, DATABASE_URL: undefined }),
  databaseUrl: undefined,
  logLevel: 'warn',
};
const clock = new ManualClock(now);
const logger = pino({ level: 'warn' });
const hub = await createHub(config, { clock, logger });
await loadShippedPlans(hub.db, config.plansDir, clock);
const plan = (await hub.planRepository.plansByCodes(['shangrao-2023'])).get('shangrao-2023')!;
const today = dateInZone(clock.now(), plan.timeZone);

// the bureaus' systems, with what they had recorded by the demo's day
const full = defaultSimulatorData();
const upTo = (date: string) => date <= today;
const data: SimulatorData = {
  loans: full.loans
    .filter((l) => upTo(l.issuedOn))
    .map((l) => (l.repaidOn && !upTo(l.repaidOn) ? { ...l, repaidOn: null, repaidAmountYuan: null } : l)),
  standards: full.standards.filter((s) => upTo(s.effectiveDate)),
  retrofits: full.retrofits.filter((r) => upTo(r.completedOn)),
  screenings: full.screenings.filter((s) => upTo(s.month)),
  aeds: full.aeds.filter((a) => upTo(a.installedOn)),
};
const simulator = await startSimulator({ port: Number(process.env.SIM_PORT ?? 0), data });

console.log(`\n上饶市2023年民生实事 — demo as of ${now} (data in ${dataDir})\n`);
for (const spec of simulatorFeeds(simulator.url)) {
  const feed = await hub.feeds.upsert(plan, spec);
  const run = await hub.feeds.pull(feed.id, `demo-${feed.id}`, 'MANUAL', 1, true);
  console.log(
    `  feed ${spec.name.padEnd(14, '　')} ${run.status}: ${run.fetched} records, ${run.created} observations, ${run.rejected} quarantined`,
  );
}

// what bureaus typed in by hand
const submissions: [string, [string, string, string, string, Record<string, string>?][]][] = [
  ['HRSS', [['1.1', '2023-03-15', '800', 'FUND-2023', { unit: '万元' }]]],
  [
    'CIVIL',
    [
      ['2.7', '2023-04-01', '645', 'STD-2.7'],
      ['2.8', '2023-04-01', '645', 'STD-2.8'],
      ['3.1', '2023-07-01', '100', 'STD-3.1'],
      ['3.2', '2023-07-01', '100', 'STD-3.2'],
      ['4.1', '2023-07-01', '1820', 'STD-4.1'],
      ['4.2', '2023-07-01', '1360', 'STD-4.2'],
      ['4.3', '2023-07-01', '1360', 'STD-4.3'],
      ['4.4', '2023-07-01', '1380', 'STD-4.4'],
      ['5.1', '2023-08-30', '4', 'EMB-1'],
      ['5.2', '2023-09-15', '2', 'FL-1'],
      ['5.3', '2023-06-30', '2', 'MED-1'],
      ['5.4', '2023-09-30', '17', 'JLY-1'],
      ['5.5', '2023-09-30', '1320', 'SLH-1'],
    ],
  ],
  [
    'HEALTH',
    [
      ['6.1', '2023-07-01', '300', 'TY-STD'],
      ['6.2', '2023-09-30', '5260', 'TY-N'],
      ['7.1', '2023-09-30', '18230', 'HPV-Q3'],
      ['7.2', '2023-03-01', '31500', 'HPV-POP'],
      ['8.1', '2023-05-01', '8', 'CSQX-8'],
    ],
  ],
  [
    'NDRC',
    [
      ['9.1', '2023-03-20', '1', 'AI-1', { stageCode: 'liaison' }],
      ['9.1', '2023-08-10', '1', 'AI-2', { stageCode: 'preparation' }],
    ],
  ],
];
for (const [agency, items] of submissions) {
  const agencyRow = (await hub.planRepository.agenciesByCodes([agency])).get(agency)!;
  await hub.observations.submit(
    plan,
    { source: `agency:${agency}`, agencyId: agencyRow.id, clientId: null, feedRunId: null },
    items.map(([indicatorCode, date, value, ref, extra]) => ({ indicatorCode, date, value, ref, ...extra })),
    false,
  );
}

// progress reports: round 1 mostly on time, DPF late, NDRC never; round 2 due in a week, HRSS early
const rounds = (await hub.planRepository.roundsByPlanIds([plan.id])).get(plan.id)!;
const reports: [string, number, number, string][] = [
  ['HRSS', 0, 1, '2023-06-26T16:00:00+08:00'],
  ['HRSS', 0, 2, '2023-06-26T16:00:00+08:00'],
  ['CIVIL', 0, 2, '2023-06-27T10:00:00+08:00'],
  ['CIVIL', 0, 3, '2023-06-27T10:00:00+08:00'],
  ['CIVIL', 0, 4, '2023-06-27T10:00:00+08:00'],
  ['CIVIL', 0, 5, '2023-06-27T10:00:00+08:00'],
  ['DPF', 0, 3, '2023-07-03T09:30:00+08:00'],
  ['HEALTH', 0, 6, '2023-06-28T17:00:00+08:00'],
  ['HEALTH', 0, 7, '2023-06-28T17:00:00+08:00'],
  ['HEALTH', 0, 8, '2023-06-28T17:00:00+08:00'],
  ['REDCROSS', 0, 10, '2023-06-25T11:00:00+08:00'],
  ['HRSS', 1, 1, '2023-10-18T15:00:00+08:00'],
];
for (const [agency, round, project, at] of reports) {
  clock.set(at);
  const principal = (await authenticate(
    hub.db,
    (await issueToken(hub.db, { role: 'AGENCY', agencyCode: agency, label: 'demo' }, clock)).token,
  ))!;
  await hub.reminders.submitReport(principal, plan, {
    roundId: rounds[round].id,
    projectNumber: project,
    text: `${agency} 关于第${project}项民生实事的进展情况（演示数据）。`,
  });
}
clock.set(now);

// the table the office would read
const structure = await hub.progress.structure(plan);
const snap = await hub.progress.planProgress(plan, today, structure);
const agencies = new Map((await hub.planRepository.allAgencies()).map((a) => [a.id, a]));
const pct = (p: number | null) => (p === null ? '—' : `${p.toFixed(2)}%`);
console.log(
  `\n全市进度 ${pct(snap.overall.percent)}（序时进度 ${pct(snap.expected)}，${snap.overall.withData}/${snap.overall.parts} 个项目有数据）\n`,
);
console.log(`${'项目'.padEnd(4)}${'完成率'.padStart(10)}  ${'状态'.padEnd(6, '　')}  实事`);
for (const project of structure.projects) {
  const p = snap.projects.get(project.id)!;
  console.log(
    `${String(project.number).padEnd(4)}${pct(p.percent).padStart(10)}  ${(statusLabels[p.status] ?? p.status).padEnd(6, '　')}  ${project.title}`,
  );
}
const city = structure.regions.filter((r) => r.id === plan.cityRegionId);
console.log('\n指标明细（全市）：');
for (const row of consolidatedRows(snap, structure, city, agencies)) {
  if (row.value === null) continue;
  console.log(
    `  ${row.indicatorCode.padEnd(5)} ${row.value.padStart(14)} ${row.unit.padEnd(6, '　')} ${pct(row.percent).padStart(9)}  ${row.indicatorName}`,
  );
}

const office = await issueToken(hub.db, { role: 'OFFICE', label: 'demo' }, clock);
if (exitAfterSetup) {
  console.log(`\nOFFICE token: ${office.token}`);
  await simulator.close();
  await hub.close();
  process.exit(0);
}

const http = await startHttpServer(hub);
const admin = await listenAdminSocket(hub);
let stopWorkers: (() => Promise<void>) | undefined;
if (await hub.jobs.connect()) stopWorkers = await startWorkers(hub);
else console.log('\nRedis is unreachable: jobs are paused (the dashboard and API work without it).');
console.log(`\nDashboard:  ${http.url}/dashboard/   (log in with the OFFICE token below)`);
console.log(`GraphQL:    ${http.url}/graphql`);
console.log(`Ledger:     ${http.url}/export/ledger.xlsx?asOf=${today}`);
console.log(`Simulator:  ${simulator.url}/`);
console.log(`\nOFFICE token:\n${office.token}\n`);
console.log('The hub keeps running; Ctrl-C stops it.');

const shutdown = async () => {
  await http.stop();
  admin.close();
  await stopWorkers?.();
  await simulator.close();
  await hub.close();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
