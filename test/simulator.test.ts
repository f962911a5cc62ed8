import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  defaultSimulatorData,
  startSimulator,
  type AedRow,
  type LoanRecord,
  type RetrofitRecord,
  type ScreeningRecord,
  type Simulator,
  type SimulatorData,
} from '../tools/simulator/simulator.js';

interface LoanPage {
  page: number;
  size: number;
  totalPages: number;
  items: LoanRecord[];
}
interface RetrofitPage {
  data: RetrofitRecord[];
  nextCursor: string | null;
}
interface ScreeningPage {
  data: { screenings: { nodes: ScreeningRecord[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } } };
}

const STANDARDS_HEADER = 'record_id,region_name,region_code,standard,amount_yuan,effective_date';
const AEDS_HEADER = 'device_id,site,site_type,region_code,installed_on,trained_people';
const MONEY = /^\d+\.\d{2}$/;

describe('bureau feed simulator', () => {
  let sim: Simulator;
  let data: SimulatorData;

  const get = (path: string, init?: RequestInit) => fetch(`${sim.url}${path}`, init);
  const getJson = async <T>(path: string): Promise<T> => {
    const response = await get(path);
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };
  const graphql = (variables: Record<string, unknown>, body: unknown = { query: '{ screenings { nodes { id } } }', variables }) =>
    fetch(`${sim.url}/health/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  async function allLoans(query: string): Promise<LoanRecord[]> {
    const items: LoanRecord[] = [];
    for (let page = 1, totalPages = 1; page <= totalPages; page++) {
      const body = await getJson<LoanPage>(`/hrss/loans?page=${page}&size=100${query}`);
      totalPages = body.totalPages;
      items.push(...body.items);
    }
    return items;
  }

  beforeAll(async () => {
    sim = await startSimulator();
    data = defaultSimulatorData();
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.reset();
    sim.setData(data);
  });

  describe('HRSS loans (page numbers)', () => {
    it('pages through every loan once, in (updatedAt, loanId) order', async () => {
      const first = await getJson<LoanPage>('/hrss/loans');
      expect(first).toMatchObject({ page: 1, size: 100, totalPages: Math.ceil(data.loans.length / 100) });
      const items = await allLoans('');
      expect(items).toHaveLength(data.loans.length);
      expect(new Set(items.map((loan) => loan.loanId)).size).toBe(data.loans.length);
      const keys = items.map((loan) => `${loan.updatedAt} ${loan.loanId}`);
      expect(keys).toEqual([...keys].sort());
      const pastTheEnd = await getJson<LoanPage>(`/hrss/loans?page=${first.totalPages + 1}`);
      expect(pastTheEnd.items).toEqual([]);
      expect((await getJson<LoanPage>('/hrss/loans?size=5000')).size).toBe(500);
      expect((await get('/hrss/loans?page=0')).status).toBe(400);
    });

    it('returns only loans updated after `since`, in any offset', async () => {
      const since = [...data.loans].sort((a, b) => a.updatedAt.localeCompare(b.updatedAt))[400].updatedAt;
      const expected = data.loans
        .filter((loan) => loan.updatedAt > since)
        .map((loan) => loan.loanId)
        .sort();
      const items = await allLoans(`&since=${encodeURIComponent(since)}`);
      expect(items.map((loan) => loan.loanId).sort()).toEqual(expected);
      const sameInstantUtc = new Date(since).toISOString();
      expect(await allLoans(`&since=${sameInstantUtc}`)).toEqual(items);
      expect((await getJson<LoanPage>('/hrss/loans?since=2024-01-01T00:00:00%2B08:00')).totalPages).toBe(1);
      expect((await get('/hrss/loans?since=yesterday')).status).toBe(400);
    });
  });

  describe('CSV feeds', () => {
    it('serve exact headers and one row per record', async () => {
      const standards = await get('/civil/standards.csv');
      expect(standards.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const standardLines = (await standards.text()).split('\r\n').filter(Boolean);
      expect(standardLines[0]).toBe(STANDARDS_HEADER);
      expect(standardLines).toHaveLength(data.standards.length + 1);

      const aedLines = (await (await get('/redcross/aeds.csv')).text()).split('\r\n').filter(Boolean);
      expect(aedLines[0]).toBe(AEDS_HEADER);
      expect(aedLines).toHaveLength(data.aeds.length + 1);
    });

    it('quotes fields holding commas or quotes (RFC 4180)', async () => {
      const aed: AedRow = {
        deviceId: 'X-1',
        site: '万达广场"东门", 一楼',
        siteType: '大型商场',
        regionCode: '361102',
        installedOn: '2023-05-01',
        trainedPeople: 12,
      };
      sim.setData({ aeds: [aed] });
      const text = await (await get('/redcross/aeds.csv')).text();
      expect(text).toBe(`${AEDS_HEADER}\r\nX-1,"万达广场""东门"", 一楼",大型商场,361102,2023-05-01,12\r\n`);
    });
  });

  it('DPF cursor pagination walks to the end', async () => {
    const records: RetrofitRecord[] = [];
    let cursor: string | null = null;
    let requests = 0;
    do {
      const page: RetrofitPage = await getJson<RetrofitPage>(`/dpf/retrofits?limit=40${cursor ? `&cursor=${cursor}` : ''}`);
      records.push(...page.data);
      cursor = page.nextCursor;
      requests++;
    } while (cursor);
    expect(records).toEqual(data.retrofits);
    expect(requests).toBe(Math.ceil(data.retrofits.length / 40));
    expect((await getJson<RetrofitPage>('/dpf/retrofits')).data).toHaveLength(50);
    expect((await get('/dpf/retrofits?cursor=not-a-cursor')).status).toBe(400);
  });

  it('the HEALTH GraphQL endpoint pages and refuses bad requests', async () => {
    const nodes: ScreeningRecord[] = [];
    let after: string | null = null;
    for (let hasNextPage = true; hasNextPage;) {
      const body = (await (await graphql({ first: 50, after })).json()) as ScreeningPage;
      nodes.push(...body.data.screenings.nodes);
      ({ endCursor: after, hasNextPage } = body.data.screenings.pageInfo);
    }
    expect(nodes).toEqual(data.screenings);
    expect(((await (await graphql({})).json()) as ScreeningPage).data.screenings.nodes).toHaveLength(20);

    const notPost = await get('/health/graphql');
    expect(notPost.status).toBe(400);
    expect(await notPost.json()).toEqual({ errors: [{ message: expect.any(String) }] });
    const noQuery = await graphql({}, { variables: {} });
    expect(noQuery.status).toBe(400);
    expect(((await noQuery.json()) as { errors: unknown[] }).errors).toHaveLength(1);
  });

  describe('failure injection', () => {
    it("'500' fails the next `times` requests, then the feed recovers", async () => {
      sim.fail('hrss', '500', { times: 2 });
      for (let i = 0; i < 2; i++) {
        const response = await get('/hrss/loans');
        expect(response.status).toBe(500);
        expect(await response.json()).toEqual({ error: expect.any(String) });
      }
      expect((await get('/hrss/loans')).status).toBe(200);
    });

    it("'timeout' never answers until the client gives up", async () => {
      sim.fail('dpf', 'timeout', { times: 1 });
      await expect(get('/dpf/retrofits', { signal: AbortSignal.timeout(150) })).rejects.toThrow();
      expect((await get('/dpf/retrofits')).status).toBe(200);
      await vi.waitFor(() => expect(sim.stats('dpf').inFlight).toBe(0));
    });

    it("'malformed' truncates JSON and leaves a CSV quote unterminated", async () => {
      sim.fail('hrss', 'malformed', { times: 1 });
      sim.fail('health', 'malformed', { times: 1 });
      sim.fail('civil', 'malformed', { times: 1 });
      const loans = await get('/hrss/loans');
      expect(loans.status).toBe(200);
      const loansText = await loans.text();
      expect(loansText.startsWith('{"page":1,')).toBe(true);
      expect(() => JSON.parse(loansText)).toThrow();
      await expect((await graphql({})).json()).rejects.toThrow();
      const csv = await (await get('/civil/standards.csv')).text();
      expect(csv.startsWith(`${STANDARDS_HEADER}\r\n`)).toBe(true);
      expect(csv.split('"').length % 2).toBe(0); // an odd number of quotes: one is never closed
      expect(JSON.parse(await (await get('/hrss/loans')).text())).toMatchObject({ page: 1 });
    });

    it("'html' answers 200 with a gateway's HTML page", async () => {
      sim.fail('redcross', 'html', { times: 1 });
      const response = await get('/redcross/aeds.csv');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await response.text()).toBe('<html><body><h1>502 Bad Gateway</h1></body></html>');
      expect((await get('/redcross/aeds.csv')).headers.get('content-type')).toBe('text/csv; charset=utf-8');
    });

    it("'bad-header' renames a CSV column, and only CSV feeds take it", async () => {
      sim.fail('civil', 'bad-header', { times: 1 });
      const header = (await (await get('/civil/standards.csv')).text()).split('\r\n')[0];
      expect(header).toBe('record_id,region_name,area_code,standard,amount_yuan,effective_date');
      expect((await (await get('/civil/standards.csv')).text()).split('\r\n')[0]).toBe(STANDARDS_HEADER);
      expect(() => sim.fail('hrss', 'bad-header')).toThrow(/CSV/);
    });

    it('`onPage` fails only that page: HRSS by page number, DPF and HEALTH by cursor position', async () => {
      sim.fail('hrss', '500', { onPage: 2 });
      expect((await get('/hrss/loans?page=1')).status).toBe(200);
      expect((await get('/hrss/loans?page=2')).status).toBe(500);
      expect((await get('/hrss/loans?page=2')).status).toBe(500); // no `times`: every time
      expect((await get('/hrss/loans?page=3')).status).toBe(200);

      sim.fail('dpf', '500', { onPage: 2, times: 1 });
      const first = await getJson<RetrofitPage>('/dpf/retrofits');
      expect((await get(`/dpf/retrofits?cursor=${first.nextCursor}`)).status).toBe(500);
      expect((await get(`/dpf/retrofits?cursor=${first.nextCursor}`)).status).toBe(200);

      sim.fail('health', '500', { onPage: 2, times: 1 });
      const page1 = (await (await graphql({})).json()) as ScreeningPage;
      const page2 = await graphql({ after: page1.data.screenings.pageInfo.endCursor });
      expect(page2.status).toBe(500);
      expect(await page2.json()).toEqual({ errors: [{ message: expect.any(String) }] });

      sim.reset();
      expect((await get('/hrss/loans?page=2')).status).toBe(200);
    });
  });

  it('counts requests and concurrency, delayed ones included', async () => {
    sim.setDelay('civil', 100);
    const started = Date.now();
    const responses = await Promise.all([get('/civil/standards.csv'), get('/civil/standards.csv')]);
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    await Promise.all(responses.map((r) => r.text()));
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    await vi.waitFor(() => expect(sim.stats('civil')).toEqual({ requests: 2, inFlight: 0, maxConcurrent: 2 }));
    sim.reset();
    expect(sim.stats('civil')).toEqual({ requests: 0, inFlight: 0, maxConcurrent: 0 });
  });

  it('answers 404 for unknown paths and lists the feeds at /', async () => {
    const missing = await get('/nowhere');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: expect.any(String) });
    const index = await getJson<{ feeds: { feed: string; url: string }[] }>('/');
    expect(index.feeds.map((f) => f.url)).toEqual(
      ['/hrss/loans', '/civil/standards.csv', '/dpf/retrofits', '/health/graphql', '/redcross/aeds.csv'].map((path) => `${sim.url}${path}`),
    );
  });

  it('close() does not wait for a stalled request', async () => {
    const other = await startSimulator({ data: { loans: [] } });
    other.fail('hrss', 'timeout');
    const stalled = fetch(`${other.url}/hrss/loans`);
    await vi.waitFor(() => expect(other.stats('hrss').inFlight).toBe(1));
    await other.close();
    await expect(stalled).rejects.toThrow();
  });
});

describe('default data', () => {
  const data = defaultSimulatorData();

  it('is deterministic for a seed', () => {
    expect(defaultSimulatorData()).toEqual(data);
    expect(defaultSimulatorData(7)).toEqual(defaultSimulatorData(7));
    expect(defaultSimulatorData(7).loans).not.toEqual(data.loans);
  });

  it('carries money as two-decimal strings', () => {
    const amounts = [
      ...data.loans.flatMap((loan) => [
        loan.amountYuan,
        loan.interestWaivedYuan,
        ...(loan.repaidAmountYuan ? [loan.repaidAmountYuan] : []),
      ]),
      ...data.standards.map((row) => row.amountYuan),
    ];
    for (const amount of amounts) expect(amount).toMatch(MONEY);
  });

  it('looks like the 2023 plan', () => {
    const counties = [
      '361102',
      '361103',
      '361104',
      '361123',
      '361124',
      '361125',
      '361126',
      '361127',
      '361128',
      '361129',
      '361130',
      '361181',
    ];
    const zones = ['SR-ETDZ', 'SR-SQS', 'SR-HSR'];
    // loans come from the counties, the zones and the city's guarantee centre (市本级, 361100)
    const lenders = new Set([...counties, ...zones, '361100']);
    for (const loan of data.loans) {
      expect(loan.loanId).toMatch(/^SR-CYDK-2023-\d{5}$/);
      expect(loan.borrowerCategory === null).toBe(loan.borrowerType === 'ENTERPRISE');
      expect(loan.issuedOn >= '2023-01-05' && loan.issuedOn <= '2023-12-20').toBe(true);
      if (loan.dueOn) expect(loan.dueOn > loan.issuedOn && loan.dueOn <= '2023-12-31').toBe(true);
      if (loan.repaidOn) expect(loan.repaidOn >= loan.dueOn! && loan.repaidOn <= '2023-12-31').toBe(true);
      expect(loan.updatedAt).toBe(`${loan.repaidOn ?? loan.issuedOn}T09:00:00+08:00`);
      // 创业担保贷款: individuals 100,000–300,000 元, small firms 500,000–4,000,000 元
      const [min, max] = loan.borrowerType === 'PERSONAL' ? [100_000, 300_000] : [500_000, 4_000_000];
      expect(Number(loan.amountYuan) >= min && Number(loan.amountYuan) <= max).toBe(true);
    }
    // all but one lender is a unit of the plan: one 广信区 loan still carries 上饶县's pre-2019 code
    expect(data.loans.filter((loan) => !lenders.has(loan.countyCode)).map((loan) => [loan.county, loan.countyCode])).toEqual([
      ['上饶县', '361121'],
    ]);
    expect(new Set(data.loans.map((loan) => loan.countyCode)).size).toBe(lenders.size + 1);

    // the lending lines add up to 198,350 万元 for the year; each of the 32 (16 units × personal and
    // enterprise) stops at the loan that reaches it, so overshoots it by less than one loan (≤ 400 万元)
    const cents = (amount: string) => BigInt(amount.replace('.', ''));
    const yearTotal = data.loans.reduce((sum, loan) => sum + cents(loan.amountYuan), 0n);
    expect(yearTotal >= 198_350n * 10_000n * 100n && yearTotal < (198_350n + 32n * 400n) * 10_000n * 100n).toBe(true);
    // a few thousand loans: 19.8 亿元 at 0.1–4 million a loan
    expect(data.loans.length).toBeGreaterThan(4_000);
    expect(data.loans.length).toBeLessThan(6_500);
    // personal loans are more than half of the amount in every unit (bound 1.6: at least 50 %)
    for (const unit of lenders) {
      const ofUnit = data.loans.filter((loan) => loan.countyCode === unit);
      const personal = ofUnit.filter((loan) => loan.borrowerType === 'PERSONAL').reduce((sum, loan) => sum + cents(loan.amountYuan), 0n);
      const all = ofUnit.reduce((sum, loan) => sum + cents(loan.amountYuan), 0n);
      expect(personal * 2n > all).toBe(true);
    }
    const due = data.loans.filter((loan) => loan.dueOn);
    expect(due.length / data.loans.length).toBeCloseTo(0.3, 1);
    expect(due.filter((loan) => loan.repaidAmountYuan === loan.amountYuan).length / due.length).toBeGreaterThan(0.9);

    // every county and zone reaches all six targets in 2023; 鄱阳县's 低保 is at 825 + ¾ × 60 = 870
    // from March and at 885 only from November
    const urbanDibao = (region: string, asOf = '2023-12-31') =>
      data.standards
        .filter((row) => row.regionCode === region && row.standard === 'urban_dibao' && row.effectiveDate <= asOf)
        .sort((a, b) => a.effectiveDate.localeCompare(b.effectiveDate))
        .at(-1)?.amountYuan;
    for (const region of [...counties, ...zones]) expect(urbanDibao(region)).toBe('885.00');
    expect(urbanDibao('361128', '2023-10-20')).toBe('870.00');
    expect(new Set(data.standards.map((row) => row.regionCode))).toEqual(new Set([...counties, ...zones]));
    expect(data.retrofits.reduce((sum, r) => sum + r.households, 0)).toBeGreaterThanOrEqual(2080);
    expect(data.screenings).toHaveLength(12 * 12);
    // 86 in the plan and two donated ones, all in counties and zones
    expect(data.aeds).toHaveLength(88);
    for (const aed of data.aeds) {
      expect(aed.trainedPeople >= 10 && aed.trainedPeople <= 60).toBe(true);
      expect([...counties, ...zones]).toContain(aed.regionCode);
    }
  });
});
