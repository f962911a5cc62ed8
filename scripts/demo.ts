import 'reflect-metadata';
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { isMap, isSeq, parse, parseDocument } from 'yaml';
import { feedRejections } from '../drizzle/schema/index.js';
import { createHub } from '../src/app.js';
import { authenticate, issueToken } from '../src/auth/auth.service.js';
import { loadConfig } from '../src/config/config.js';
import { listenAdminSocket } from '../src/http/admin-socket.js';
import { startHttpServer } from '../src/http/server.js';
import { mappingSchema } from '../src/feeds/feeds.config.js';
import { simulatorFeeds } from '../tools/simulator/feeds.js';
import { startSimulator, defaultSimulatorData, type SimulatorData } from '../tools/simulator/simulator.js';
import { parsePlanFile } from '../src/plan/plan.file.js';
import { loadPlan } from '../src/plan/plan.loader.js';
import { consolidatedRows, totalRegion, type ConsolidatedRow } from '../src/progress/progress.service.js';
import { statusLabel } from '../src/progress/status.js';
import { ManualClock, dateInZone } from '../src/shared/clock.js';
import { bullmqJobs } from '../jobs/runtime.js';
import { startWorkers } from '../jobs/workers.js';

/**
 * npm run demo: the 2023 plan replayed to a day in October on the embedded database. Bureau feeds
 * are pulled from the simulator, some reports are in and some late; a progress table is printed and
 * the hub keeps running with its dashboard. `--exit` stops after the table (used by the tests).
 *
 * The story as of 2023-10-20 (序时进度 293/365 = 80.27 %): loans at about four fifths of 19.5 亿元,
 * some counties ahead of their (illustrative) share and 鄱阳县/余干县 behind, with 鄱阳县's recovery of
 * due loans under the 95 % bound; most counties and zones have raised their standards, 鄱阳县 (低保),
 * 三清山 (残疾人生活补贴) and 婺源县 (托育补助) only part of the way; the AI medical system is at its
 * second stage; DPF reported late in round 1 and NDRC not at all; one loan record is quarantined.
 */
const exitAfterSetup = process.argv.includes('--exit');
const now = process.env.HUB_NOW ?? '2023-10-20T10:00:00+08:00';
const dataDir = resolve(process.env.HUB_DATA_DIR ?? './data/demo');
const planPath = 'plans/shangrao-2023.yaml';
const overlayPath = 'scripts/demo-region-targets.yaml';

interface Overlay {
  indicators: Record<string, { regionTargets: Record<string, string> }>;
}

/**
 * The plan file's text with the overlay's decomposed targets set on its indicators (found by code
 * under projects[*].indicators[*]); everything else stays as written.
 */
function withRegionTargets(planText: string, overlay: Overlay): string {
  const doc = parseDocument(planText);
  const projects = doc.get('projects');
  const indicators = (isSeq(projects) ? projects.items : []).flatMap((project) => {
    const list = isMap(project) ? project.get('indicators') : undefined;
    return isSeq(list) ? list.items.filter(isMap) : [];
  });
  for (const [code, { regionTargets }] of Object.entries(overlay.indicators)) {
    const indicator = indicators.find((i) => String(i.get('code')) === code);
    if (!indicator) throw new Error(`${overlayPath}: the plan has no indicator ${code}`);
    // decimal strings, quoted on output since they would read as numbers
    indicator.set('regionTargets', doc.createNode(Object.fromEntries(Object.entries(regionTargets).map(([r, v]) => [r, String(v)]))));
  }
  return doc.toString();
}

// the demo starts from nothing each time, so what it prints is what it did
rmSync(dataDir, { recursive: true, force: true });
const config = {
  // the simulator listens on 127.0.0.1: the demo hub may pull from loopback
  ...loadConfig({ ...process.env, HUB_NOW: now, HUB_DATA_DIR: dataDir, DATABASE_URL: undefined, HUB_ALLOW_LOOPBACK_TARGETS: 'true' }),
  databaseUrl: undefined,
  logLevel: 'warn',
};
const clock = new ManualClock(now);
const logger = pino({ level: 'warn' });
const jobs = bullmqJobs(config)(logger);
const hub = await createHub(config, { clock, logger, jobs: () => jobs });
// failsafe: every scalar a string, so "2.0" stays "2.0"
const overlay = parse(readFileSync(overlayPath, 'utf8'), { schema: 'failsafe' }) as Overlay;
await loadPlan(hub.db, parsePlanFile(withRegionTargets(readFileSync(planPath, 'utf8'), overlay), `${planPath} + ${overlayPath}`), clock);
const plan = (await hub.planRepository.plansByCodes(['shangrao-2023'])).get('shangrao-2023')!;
const today = dateInZone(clock.now(), plan.timeZone);
const agencies = new Map((await hub.planRepository.allAgencies()).map((a) => [a.id, a]));
const agencyByCode = new Map([...agencies.values()].map((a) => [a.code, a]));

console.log(`\n上饶市2023年民生实事 — demo as of ${now} (data in ${dataDir})`);
console.log(`任务分解（演示用，非文件内容）：${Object.keys(overlay.indicators).join('、')}，见 ${overlayPath}\n`);

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

for (const spec of simulatorFeeds(simulator.url)) {
  const feed = await hub.feeds.upsert(plan, spec);
  const run = await hub.feeds.pull(feed.id, `demo-${feed.id}`, 'MANUAL', 1, true);
  console.log(
    `  feed ${spec.name.padEnd(14, '　')} ${run.status}: ${run.fetched} records, ${run.created} observations, ${run.rejected} quarantined`,
  );
  // each quarantined record by the fields its mapping reads: id, unit, date, the first value
  const mapping = mappingSchema.parse(spec.mapping);
  const shownFields = [mapping.ref.field, mapping.region?.field, mapping.date.field, mapping.rules[0].value].filter((f) => f !== undefined);
  for (const rejection of await hub.db.select().from(feedRejections).where(eq(feedRejections.feedRunId, run.id))) {
    const raw = rejection.raw;
    console.log(
      `    quarantined: ${shownFields.map((f) => `${f}=${String(raw[f])}`).join(' ')}  (${rejection.field}: ${rejection.reason})`,
    );
  }
}

// what bureaus typed in by hand, each figure for the unit that reports it (市本级 is 361100)
const COUNTIES = ['361102', '361103', '361104', '361123', '361124', '361125', '361126', '361127', '361128', '361129', '361130', '361181'];
const ZONES = ['SR-ETDZ', 'SR-SQS', 'SR-HSR'];
const CITY = '361100';
interface Typed {
  indicatorCode: string;
  regionCode: string;
  date: string;
  value: string;
  ref: string;
  unit?: string;
  stageCode?: string;
}
const typed = new Map<string, Typed[]>();
const typeIn = (agency: string, ...items: Typed[]) => typed.set(agency, [...(typed.get(agency) ?? []), ...items]);
/** one figure per unit: [region, value] pairs, all dated `date` */
const perUnit = (indicatorCode: string, date: string, values: Record<string, string | number>, refPrefix: string): Typed[] =>
  Object.entries(values).map(([regionCode, value]) => ({
    indicatorCode,
    regionCode,
    date,
    value: String(value),
    ref: `${refPrefix}-${regionCode}`,
  }));

// 1.1 担保基金 800 万元: the city's share and four counties'
typeIn(
  'HRSS',
  { indicatorCode: '1.1', regionCode: CITY, date: '2023-03-15', value: '400', unit: '万元', ref: 'FUND-2023-361100' },
  { indicatorCode: '1.1', regionCode: '361128', date: '2023-04-10', value: '120', unit: '万元', ref: 'FUND-2023-361128' },
  { indicatorCode: '1.1', regionCode: '361127', date: '2023-04-10', value: '100', unit: '万元', ref: 'FUND-2023-361127' },
  { indicatorCode: '1.1', regionCode: '361103', date: '2023-04-20', value: '100', unit: '万元', ref: 'FUND-2023-361103' },
  { indicatorCode: '1.1', regionCode: '361123', date: '2023-05-15', value: '80', unit: '万元', ref: 'FUND-2023-361123' },
);

// standards, raised by each county and zone: [indicator, agency, target, effective date, units not there yet]
const standards: [string, string, string, string, Record<string, [string, string]>?][] = [
  ['2.7', 'HRSS', '645', '2023-04-01'],
  ['2.8', 'HRSS', '645', '2023-04-01'],
  // 三清山 raised 困难残疾人生活补贴 from 80 to 90 in April; 100 only from 2024
  ['3.1', 'CIVIL', '100', '2023-07-01', { 'SR-SQS': ['90', '2023-04-01'] }],
  ['3.2', 'CIVIL', '100', '2023-07-01'],
  ['4.1', 'CIVIL', '1820', '2023-07-01'],
  ['4.2', 'CIVIL', '1360', '2023-07-01'],
  ['4.3', 'CIVIL', '1360', '2023-07-01'],
  ['4.4', 'CIVIL', '1380', '2023-07-01'],
  // 婺源县 pays 250 of the 300 元 托育补助 until its budget is adjusted
  ['6.1', 'HEALTH', '300', '2023-07-01', { '361130': ['250', '2023-07-01'] }],
];
for (const [indicatorCode, agency, target, date, notYet] of standards) {
  for (const regionCode of [...COUNTIES, ...ZONES]) {
    const [value, effective] = notYet?.[regionCode] ?? [target, date];
    typeIn(agency, { indicatorCode, regionCode, date: effective, value, ref: `STD-${indicatorCode}-${regionCode}` });
  }
}

// project 5: homes and wards opened, per county (SUM: one fact each)
const opened = (indicatorCode: string, refPrefix: string, places: [string, string][]): Typed[] =>
  places.map(([regionCode, date]) => ({ indicatorCode, regionCode, date, value: '1', ref: `${refPrefix}-${regionCode}` }));
typeIn(
  'CIVIL',
  ...opened('5.1', 'EMB', [
    ['361102', '2023-04-28'],
    ['361103', '2023-06-30'],
    ['361128', '2023-08-30'],
    ['361123', '2023-09-26'],
  ]),
  ...opened('5.2', 'FL', [
    ['361127', '2023-07-20'],
    ['361181', '2023-09-15'],
  ]),
  ...opened('5.3', 'MED', [
    ['361129', '2023-05-31'],
    ['361126', '2023-06-30'],
  ]),
  // 17 敬老院 and 1,320 households by the end of September
  ...perUnit(
    '5.4',
    '2023-09-30',
    { 361128: 3, 361127: 2, 361104: 2, 361103: 2, 361123: 2, 361124: 1, 361125: 1, 361126: 1, 361129: 1, 361130: 1, 361181: 1 },
    'JLY-Q3',
  ),
  ...perUnit(
    '5.5',
    '2023-09-30',
    {
      361102: 90,
      361103: 140,
      361104: 130,
      361123: 100,
      361124: 70,
      361125: 40,
      361126: 60,
      361127: 160,
      361128: 230,
      361129: 70,
      361130: 60,
      361181: 50,
      'SR-ETDZ': 60,
      'SR-SQS': 20,
      'SR-HSR': 40,
    },
    'SLH-Q3',
  ),
);
typeIn(
  'HEALTH',
  // 5,260 infants in subsidised childcare at the end of September (LATEST, per unit)
  ...perUnit(
    '6.2',
    '2023-09-30',
    {
      361102: 520,
      361103: 560,
      361104: 510,
      361123: 420,
      361124: 280,
      361125: 150,
      361126: 260,
      361127: 560,
      361128: 760,
      361129: 270,
      361130: 250,
      361181: 240,
      'SR-ETDZ': 280,
      'SR-SQS': 20,
      'SR-HSR': 180,
    },
    'TY-N-Q3',
  ),
  // HPV: 18,230 girls vaccinated by the end of September, of 31,500 eligible (schools are counted in their county)
  ...perUnit(
    '7.1',
    '2023-09-30',
    {
      361102: 1350,
      361103: 2180,
      361104: 2040,
      361123: 1520,
      361124: 1020,
      361125: 520,
      361126: 940,
      361127: 2480,
      361128: 3530,
      361129: 970,
      361130: 880,
      361181: 800,
    },
    'HPV-Q3',
  ),
  ...perUnit(
    '7.2',
    '2023-03-01',
    {
      361102: 2330,
      361103: 3760,
      361104: 3520,
      361123: 2620,
      361124: 1760,
      361125: 900,
      361126: 1620,
      361127: 4290,
      361128: 6100,
      361129: 1670,
      361130: 1520,
      361181: 1410,
    },
    'HPV-POP',
  ),
  // all eight screening services in every county but 横峰县 (no 遗传性耳聋基因检测 yet)
  ...perUnit('8.1', '2023-05-01', Object.fromEntries(COUNTIES.map((c) => [c, c === '361125' ? 7 : 8])), 'CSQX'),
);
typeIn(
  'NDRC',
  { indicatorCode: '9.1', regionCode: CITY, date: '2023-03-20', value: '1', ref: 'AI-1', stageCode: 'liaison' },
  { indicatorCode: '9.1', regionCode: CITY, date: '2023-08-10', value: '1', ref: 'AI-2', stageCode: 'preparation' },
);
for (const [agency, items] of typed) {
  await hub.observations.submit(
    plan,
    { source: `agency:${agency}`, agencyId: agencyByCode.get(agency)!.id, clientId: null, feedRunId: null },
    items,
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
const filed = new Map<string, { onTime: boolean; on: string }>(); // "round/project/agency" → on time, filed on
for (const [agency, round, project, at] of reports) {
  clock.set(at);
  const principal = (await authenticate(
    hub.db,
    (await issueToken(hub.db, { role: 'AGENCY', agencyCode: agency, label: 'demo' }, clock)).token,
    clock,
  ))!;
  const report = await hub.reminders.submitReport(principal, plan, {
    roundId: rounds[round].id,
    projectNumber: project,
    text: `${agency} 关于第${project}项民生实事的进展情况（演示数据）。`,
  });
  filed.set(`${round}/${project}/${agency}`, { onTime: report.onTime, on: at.slice(0, 10) });
}
clock.set(now);

// the table the office would read
const structure = await hub.progress.structure(plan);
const snap = await hub.progress.planProgress(plan, today, structure);
const pct = (p: number | null) => (p === null ? '—' : `${p.toFixed(2)}%`);

// round 1: every lead agency of every project owes a report
const leadsOf = (projectId: number) =>
  (structure.links.get(projectId) ?? []).filter((l) => l.role === 'LEAD').map((l) => agencies.get(l.agencyId)!);
const owed = structure.projects.flatMap((p) => leadsOf(p.id).map((agency) => ({ project: p.number, agency })));
const filedFor = ({ project, agency }: (typeof owed)[number]) => filed.get(`0/${project}/${agency.code}`);
const late = owed.filter((o) => filedFor(o)?.onTime === false);
const missing = owed.filter((o) => !filedFor(o));
const who = (list: typeof owed) =>
  list.length === 0
    ? ''
    : `（${list.map((o) => `${o.agency.name}·第${o.project}项${filedFor(o) ? ` ${filedFor(o)!.on}报送` : ''}`).join('、')}）`;
console.log(
  `\n${rounds[0].title}（${rounds[0].dueOn}截止）：应报 ${owed.length}，按时 ${owed.length - late.length - missing.length}，逾期 ${late.length}${who(late)}，未报 ${missing.length}${who(missing)}`,
);

console.log(
  `\n全市进度 ${pct(snap.overall.percent)}（序时进度 ${pct(snap.expected)}，${snap.overall.withData}/${snap.overall.parts} 个项目有数据）\n`,
);
console.log(`${'项目'.padEnd(4)}${'完成率'.padStart(10)}  ${'状态'.padEnd(6, '　')}  有数据  实事`);
for (const project of structure.projects) {
  const p = snap.projects.get(project.id)!;
  console.log(
    `${String(project.number).padEnd(4)}${pct(p.percent).padStart(10)}  ${statusLabel(p.status).padEnd(6, '　')}  ${`${p.withData}/${p.parts}`.padEnd(6)}  ${project.title}`,
  );
}

console.log('\n指标明细（全市）：');
for (const row of consolidatedRows(snap, structure, [totalRegion], agencies)) {
  if (row.value === null) continue;
  console.log(
    `  ${row.indicatorCode.padEnd(5)} ${row.value.padStart(14)} ${row.unit.padEnd(6, '　')} ${pct(row.percent).padStart(9)}  ${statusLabel(row.status).padEnd(4, '　')}  ${row.indicatorName}`,
  );
}

// three indicators by county and zone: loans and AEDs against their illustrative shares, recovery against its bound
const byRegion = (code: string): ConsolidatedRow[] =>
  consolidatedRows(snap, structure, structure.regions, agencies).filter((row) => row.indicatorCode === code);
for (const [code, goal] of [
  ['1.2', (row: ConsolidatedRow) => overlay.indicators['1.2'].regionTargets[row.regionCode]],
  ['1.7', (row: ConsolidatedRow) => `≥${row.target}`],
  ['10.1', (row: ConsolidatedRow) => overlay.indicators['10.1'].regionTargets[row.regionCode]],
] as const) {
  const rows = byRegion(code).filter((row) => row.value !== null || goal(row) !== undefined);
  console.log(`\n分县区 ${code} ${rows[0].indicatorName}（${rows[0].unit}）：`);
  console.log(`  ${'单位'.padEnd(9, '　')}  任务 ${'完成'.padStart(10)} ${'完成率'.padStart(6)}  状态`);
  for (const row of rows) {
    console.log(
      `  ${row.regionName.padEnd(9, '　')} ${String(goal(row) ?? '').padStart(5)} ${String(row.value ?? '—').padStart(12)} ${pct(row.percent).padStart(9)}  ${statusLabel(row.status)}`,
    );
  }
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
if (await hub.jobs.connect()) stopWorkers = await startWorkers(hub, jobs);
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
