import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import ts from 'typescript';
import { issueToken } from '../src/auth/auth.service.js';
import { openDatabase } from '../src/db/database.js';
import { loadPlanFile } from '../src/plan/plan.files.js';
import { ManualClock } from '../src/shared/clock.js';
import { Decimal } from '../src/shared/decimal.js';

/**
 * npm run bench: the hub against the same PostgreSQL doing the same work by hand.
 *   --rows N      observations in the workload (default 200000)
 *   --seconds S   length of each dashboard load run (default 10)
 *   --out DIR     where the JSON results go (default bench/results)
 *   --source      run the hub from its TypeScript sources through tsx (as `npm start` does) instead of
 *                 compiled to JavaScript (as the Docker image runs it: `node dist/src/main.js`). tsx's
 *                 loader lives in a second thread and adds some 70 MB to the hub's resident memory.
 * It prints a table and writes JSON. It asserts nothing about time: a benchmark is a script.
 */

const root = fileURLToPath(new URL('../', import.meta.url));
const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '200000' },
    seconds: { type: 'string', default: '10' },
    out: { type: 'string', default: 'bench/results' },
    source: { type: 'boolean', default: false },
  },
});
const rowCount = Number(args.rows);
const loadSeconds = Number(args.seconds);
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
const redisUrl = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const now = '2023-10-20T10:00:00+08:00';
const asOf = '2023-10-15';
const batchSize = 1_000;
const connections = 8;

// ------------------------------------------------------------------------------------------------
// The workload: deterministic, over the 2023 plan's SUM and LATEST indicators, 15 units, 288 days.

interface Indicator {
  code: string;
  accumulation: 'SUM' | 'LATEST';
  aggregation: 'SUM' | 'MIN' | 'MAX';
}
interface Row {
  indicatorCode: string;
  regionCode: string;
  date: string;
  value: string;
  ref: string;
}

const units = ['361102', '361103', '361104', '361123', '361124', '361125', '361126', '361127', '361128', '361129', '361130', '361181'];
units.push('SR-ETDZ', 'SR-SQS', 'SR-HSR');
const days = Array.from({ length: 288 }, (_, i) => new Date(Date.UTC(2023, 0, 1 + i)).toISOString().slice(0, 10));

/** mulberry32: the same seed gives the same workload on every machine */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function workload(indicators: Indicator[], n: number): Row[] {
  const next = random(2023);
  const rows: Row[] = [];
  for (let i = 0; i < n; i += 1) {
    const k = i % indicators.length;
    const u = Math.floor(i / indicators.length) % units.length;
    const d = Math.floor(i / (indicators.length * units.length)) % days.length;
    const indicator = indicators[k];
    // a LATEST value depends only on its (indicator, unit, day): ties on a day cannot disagree
    const value =
      indicator.accumulation === 'SUM' ? (Math.floor(next() * 100_000) / 100).toFixed(2) : String(500 + ((k * 31 + u * 17 + d * 7) % 400));
    rows.push({ indicatorCode: indicator.code, regionCode: units[u], date: days[d], value, ref: `B-${i}` });
  }
  return rows;
}

// ------------------------------------------------------------------------------------------------

const log = (line: string) => process.stdout.write(`${line}\n`);
const rate = (count: number, ms: number) => Math.round((count / ms) * 1000);

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await work();
  return { ms: performance.now() - start, result };
}

/**
 * The hub and the yardstick compiled to JavaScript, file by file, as `npm run build` does (without its
 * type check): into node_modules/.cache, where the compiled files still find the packages they import.
 */
function compile(): string {
  const out = join(root, 'node_modules', '.cache', `hub-bench-${process.pid}`);
  const tsconfig = ts.readConfigFile(join(root, 'tsconfig.json'), (path) => readFileSync(path, 'utf8')).config as {
    compilerOptions: Record<string, unknown>;
  };
  const options = ts.convertCompilerOptionsFromJson(tsconfig.compilerOptions, root).options;
  const compilerOptions = { ...options, module: ts.ModuleKind.ESNext, noEmit: false, sourceMap: false, declaration: false };
  const sources = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? sources(join(dir, entry.name))
        : /\.ts$/.test(entry.name) && !/\.d\.ts$/.test(entry.name)
          ? [join(dir, entry.name)]
          : [],
    );
  for (const file of [...sources('src'), ...sources('jobs'), ...sources('drizzle/schema'), 'bench/raw-server.ts']) {
    const { outputText } = ts.transpileModule(readFileSync(join(root, file), 'utf8'), { compilerOptions, fileName: file });
    const target = join(out, file.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  // what the build copies beside the code (npm run build): the migrations, the dashboard's and the explorer's static files
  for (const folder of ['drizzle/migrations', 'src/http/dashboard', 'src/http/explorer'])
    cpSync(join(root, folder), join(out, folder), { recursive: true });
  return out;
}

const build = args.source ? undefined : compile();
/** A script to run: compiled, or its TypeScript source through tsx with --source. */
const script = (file: string): string[] =>
  build ? [relative(root, join(build, file.replace(/\.ts$/, '.js')))] : ['--import', 'tsx', file];

function spawnReady(
  command: string[],
  env: Record<string, string>,
  ready: RegExp,
  nodeFlags: string[] = [],
): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, [...nodeFlags, ...script(command[0]), ...command.slice(1)], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) resolve({ child, match });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${command.join(' ')} exited (${code}):\n${output.slice(-2_000)}`)));
  });
}

/** Peak resident memory of a process, sampled every 100 ms until stopped. */
function watchRss(pid: number) {
  let peak = 0;
  const sample = () => {
    try {
      const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (kb) peak = Math.max(peak, Number(kb[1]) * 1024);
    } catch {
      // the process is gone
    }
  };
  const timer = setInterval(sample, 100);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

/** A closed loop of `connections` clients for `seconds`: requests per second and latency percentiles. */
async function load(request: () => Promise<void>, seconds: number) {
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  let errors = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const start = performance.now();
        try {
          await request();
          latencies.push(performance.now() - start);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] * 10) / 10;
  return { requests: latencies.length, errors, rps: Math.round((latencies.length / seconds) * 10) / 10, p50: at(0.5), p99: at(0.99) };
}

async function statementsOf(admin: pg.Client, database: string): Promise<number> {
  // a backend that keeps its connection (a pool's) reports its counts once it has been idle for 10 s
  await new Promise((r) => setTimeout(r, 10_500));
  const { rows } = await admin.query<{ n: string }>('select xact_commit + xact_rollback as n from pg_stat_database where datname = $1', [
    database,
  ]);
  return Number(rows[0].n);
}

async function main() {
  const database = `hub_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${database}`);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();
  const children: ChildProcess[] = [];
  try {
    log(
      `bench: ${rowCount.toLocaleString('en')} observations, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, hub ${build ? 'compiled' : 'from source (tsx)'}`,
    );
    // the hub's schema and the 2023 plan, then a token for the office
    const clock = new ManualClock(now);
    const setup = await openDatabase({ databaseUrl, dataDir: '' });
    await loadPlanFile(setup.db, fileURLToPath(new URL('../plans/shangrao-2023.yaml', import.meta.url)), clock);
    const { token } = await issueToken(setup.db, { role: 'OFFICE', label: 'bench' }, clock);
    await setup.close();

    const client = new pg.Client({ connectionString: databaseUrl });
    client.on('error', () => undefined); // dropping the database at the end ends it
    await client.connect();
    const { rows: planIndicators } = await client.query<Indicator & { level: string }>(
      `select code, accumulation, region_aggregation as aggregation, reported_by as level from indicators
       where accumulation in ('SUM', 'LATEST') and reported_by <> 'CITY' order by position`,
    );
    const indicators: Indicator[] = planIndicators;
    const { rows: versionRows } = await client.query<{ server_version: string }>('show server_version');
    const rows = workload(indicators, rowCount);
    log(
      `workload: ${indicators.length} indicators × ${units.length} units × ${days.length} days, PostgreSQL ${versionRows[0].server_version}`,
    );

    // --- raw PostgreSQL: COPY, then batched upserts, into an observations-shaped table
    await client.query(`create table bench_observations (indicator text not null, region text not null, observed_on date not null,
                          value numeric not null, ref text primary key)`);
    const copy = await timed(async () => {
      const stream = client.query(copyFrom('copy bench_observations from stdin'));
      await pipeline(
        Readable.from(
          (function* () {
            for (const r of rows) yield `${r.indicatorCode}\t${r.regionCode}\t${r.date}\t${r.value}\t${r.ref}\n`;
          })(),
        ),
        stream,
      );
    });
    await client.query('truncate bench_observations');
    const upsert = await timed(async () => {
      for (let i = 0; i < rows.length; i += batchSize) {
        const batch = rows.slice(i, i + batchSize);
        const params: string[] = [];
        const tuples = batch.map((r, j) => {
          params.push(r.indicatorCode, r.regionCode, r.date, r.value, r.ref);
          const b = j * 5;
          return `($${b + 1}, $${b + 2}, $${b + 3}::date, $${b + 4}::numeric, $${b + 5})`;
        });
        await client.query(
          `insert into bench_observations values ${tuples.join(',')} on conflict (ref) do update set value = excluded.value`,
          params,
        );
      }
    });
    // the best raw read: a cumulative roll-up, one index probe per (indicator, unit)
    await client.query(`create table bench_cumulative as
      select indicator, region, observed_on,
             sum(day_sum) over (partition by indicator, region order by observed_on) as cum_sum, day_latest as latest
      from (select indicator, region, observed_on, sum(value) as day_sum, max(value) as day_latest
            from bench_observations group by indicator, region, observed_on) d`);
    await client.query('alter table bench_cumulative add primary key (indicator, region, observed_on)');
    await client.query('create table bench_pairs as select distinct indicator, region from bench_observations');
    await client.query('analyze bench_cumulative; analyze bench_pairs');

    // --- the hub, as its own process
    const hubRss = { ingest: 0, dashboard: 0 };
    const hub = await spawnReady(
      ['src/main.ts', 'api'],
      {
        NODE_ENV: 'production',
        DATABASE_URL: databaseUrl,
        REDIS_URL: redisUrl,
        HUB_QUEUE_PREFIX: `bench-${process.pid}`,
        HUB_NOW: now,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        HUB_SECRET_KEY: 'b'.repeat(64),
      },
      /GraphQL at (http:\/\/[\d.]+:\d+)\/graphql/,
      // e.g. BENCH_HUB_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the hub
      (process.env.BENCH_HUB_NODE_FLAGS ?? '').split(' ').filter(Boolean),
    );
    children.push(hub.child);
    const hubUrl = hub.match[1];
    const rss = watchRss(hub.child.pid!);
    const graphql = async (query: string, variables?: Record<string, unknown>): Promise<unknown> => {
      const response = await fetch(`${hubUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: unknown; errors?: { message: string }[] };
      if (body.errors) throw new Error(body.errors[0].message);
      return body.data;
    };
    const submit = 'mutation ($input: [ObservationInput!]!) { submitObservations(planCode: "shangrao-2023", input: $input) { accepted } }';
    const ingest = async (part: Row[], clients: number) => {
      const batches: Row[][] = [];
      for (let i = 0; i < part.length; i += batchSize) batches.push(part.slice(i, i + batchSize));
      return timed(() =>
        Promise.all(
          Array.from({ length: clients }, async () => {
            for (let batch = batches.shift(); batch; batch = batches.shift()) await graphql(submit, { input: batch });
          }),
        ),
      );
    };
    const half = Math.floor(rows.length / 2 / batchSize) * batchSize;
    const ingestOne = await ingest(rows.slice(0, half), 1);
    const ingestFour = await ingest(rows.slice(half), 4);
    hubRss.ingest = rss.stop();

    // --- the dashboard's question, to both
    const dashboard = `{ consolidatedIndicators(planCode: "shangrao-2023", asOf: "${asOf}", regionCode: "ALL") {
      indicatorCode regionCode value percent status } }`;
    const raw = await spawnReady(['bench/raw-server.ts', databaseUrl], {}, /listening (\d+)/);
    children.push(raw.child);
    const rawUrl = `http://127.0.0.1:${raw.match[1]}/?asOf=${asOf}`;
    const rawResult = await load(async () => void (await (await fetch(rawUrl)).arrayBuffer()), loadSeconds);
    const rssDashboard = watchRss(hub.child.pid!);
    const before = await statementsOf(admin, database);
    const probes = 20;
    for (let i = 0; i < probes; i += 1) await graphql(dashboard);
    const statementsPerRequest = ((await statementsOf(admin, database)) - before) / probes;
    const hubResult = await load(() => graphql(dashboard).then(() => undefined), loadSeconds);
    hubRss.dashboard = rssDashboard.stop();

    // --- every value the hub shows, against raw SQL over the facts
    const shown = (await graphql(dashboard)) as {
      consolidatedIndicators: { indicatorCode: string; regionCode: string; value: string | null }[];
    };
    const { rows: truth } = await client.query<{ indicator: string; region: string; value: string }>(
      `select o.indicator, o.region,
              case when i.accumulation = 'SUM' then sum(o.value)
                   else (array_agg(o.value order by o.observed_on desc))[1] end::text as value
       from bench_observations o join indicators i on i.code = o.indicator
       where o.observed_on <= $1 group by o.indicator, o.region, i.accumulation`,
      [asOf],
    );
    const expected = new Map(truth.map((t) => [`${t.indicator}|${t.region}`, new Decimal(t.value)]));
    for (const indicator of indicators) {
      const parts = units.map((u) => expected.get(`${indicator.code}|${u}`)).filter((v) => v !== undefined);
      if (parts.length === 0) continue;
      const total =
        indicator.aggregation === 'MIN'
          ? Decimal.min(...parts)
          : indicator.aggregation === 'MAX'
            ? Decimal.max(...parts)
            : parts.reduce((a, b) => a.plus(b));
      expected.set(`${indicator.code}|ALL`, total);
    }
    let compared = 0;
    let mismatches = 0;
    for (const row of shown.consolidatedIndicators) {
      const want = expected.get(`${row.indicatorCode}|${row.regionCode}`);
      if (want === undefined) continue;
      compared += 1;
      if (row.value === null || !new Decimal(row.value).eq(want)) mismatches += 1;
    }

    const result = {
      at: new Date().toISOString(),
      rows: rowCount,
      hub: build ? 'compiled' : 'source',
      machine: {
        cores: cpus().length,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        postgres: versionRows[0].server_version,
      },
      ingest: {
        copyRowsPerSecond: rate(rows.length, copy.ms),
        upsertRowsPerSecond: rate(rows.length, upsert.ms),
        hubOneClientPerSecond: rate(half, ingestOne.ms),
        hubFourClientsPerSecond: rate(rows.length - half, ingestFour.ms),
      },
      dashboard: { raw: rawResult, hub: hubResult, statementsPerRequest },
      hubRssMiB: { ingest: Math.round(hubRss.ingest / 2 ** 20), dashboard: Math.round(hubRss.dashboard / 2 ** 20) },
      values: { compared, mismatches },
    };
    const ratio = (a: number, b: number) => (b === 0 ? '—' : `${(a / b).toFixed(2)}×`);
    log('');
    log('| measure | raw PostgreSQL | hub | hub ÷ raw |');
    log('|---|---|---|---|');
    log(`| ingest, COPY (rows/s) | ${result.ingest.copyRowsPerSecond} | | |`);
    log(`| ingest, batched upsert of ${batchSize} (rows/s) | ${result.ingest.upsertRowsPerSecond} | | |`);
    log(
      `| ingest through submitObservations, 1 client (obs/s) | | ${result.ingest.hubOneClientPerSecond} | ${ratio(result.ingest.hubOneClientPerSecond, result.ingest.copyRowsPerSecond)} of COPY |`,
    );
    log(
      `| ingest through submitObservations, 4 clients (obs/s) | | ${result.ingest.hubFourClientsPerSecond} | ${ratio(result.ingest.hubFourClientsPerSecond, result.ingest.copyRowsPerSecond)} of COPY |`,
    );
    log(`| dashboard, ${connections} connections (rps) | ${rawResult.rps} | ${hubResult.rps} | ${ratio(hubResult.rps, rawResult.rps)} |`);
    log(
      `| dashboard p50 / p99 (ms) | ${rawResult.p50} / ${rawResult.p99} | ${hubResult.p50} / ${hubResult.p99} | p99 ${ratio(hubResult.p99, rawResult.p99)} |`,
    );
    log(`| dashboard errors | ${rawResult.errors} | ${hubResult.errors} | |`);
    log(`| SQL statements per dashboard request | 1 | ${statementsPerRequest} | |`);
    log(`| hub RSS, peak (MiB) | | ingest ${result.hubRssMiB.ingest}, dashboard ${result.hubRssMiB.dashboard} | |`);
    log(`| values checked against raw SQL | | ${compared} compared, ${mismatches} mismatches | |`);
    const outDir = args.out;
    mkdirSync(outDir, { recursive: true });
    const file = `${outDir}/bench-${rowCount}-${result.at.replace(/[:.]/g, '-')}.json`;
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    log(`\nresults: ${file}`);
    await client.end();
    if (mismatches > 0 || compared === 0) process.exitCode = 1;
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
    if (build) rmSync(build, { recursive: true, force: true });
  }
}

await main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
