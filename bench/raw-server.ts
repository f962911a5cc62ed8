import { createServer } from 'node:http';
import pg from 'pg';

/**
 * The bench's yardstick: the smallest HTTP handler that answers the dashboard's question (every
 * indicator × unit as of a date) straight from PostgreSQL, over a cumulative daily roll-up with one
 * index probe per pair. Run as its own process, like the hub, so both pay for their own JSON.
 *   tsx bench/raw-server.ts <database url>   → prints "listening <port>"
 */
const pool = new pg.Pool({ connectionString: process.argv[2], max: 8 });

const asOfRead = `
  select p.indicator, p.region, c.cum_sum::text as sum, c.latest::text as latest
  from bench_pairs p
  cross join lateral (
    select cum_sum, latest from bench_cumulative c
    where c.indicator = p.indicator and c.region = p.region and c.observed_on <= $1
    order by c.observed_on desc limit 1
  ) c`;

const server = createServer((req, res) => {
  const asOf = new URL(req.url ?? '/', 'http://bench').searchParams.get('asOf') ?? '2023-12-31';
  pool.query(asOfRead, [asOf]).then(
    (result) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ rows: result.rows })),
    (error: Error) => res.writeHead(500).end(error.message),
  );
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
