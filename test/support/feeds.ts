import { eq } from 'drizzle-orm';
import { feedRuns } from '../../drizzle/schema/index.js';
import type { Hub } from '../../src/app.js';

/** Waits until the run of a job has finished (SUCCEEDED or FAILED), polling the database. */
export async function waitForRun(hub: Hub, runId: number, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [run] = await hub.db.select().from(feedRuns).where(eq(feedRuns.id, runId));
    if (run && (run.status === 'SUCCEEDED' || run.status === 'FAILED')) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${run?.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The HRSS loan feed's mapping, as the README documents it. */
export const loanMapping = {
  region: { field: 'countyCode' },
  date: { field: 'issuedOn' },
  ref: { field: 'loanId' },
  rules: [
    { indicator: '1.2', value: 'amountYuan', unit: '元' },
    { indicator: '1.3', value: 'amountYuan', unit: '元', when: { field: 'borrowerType', equals: 'PERSONAL' } },
    { indicator: '1.4', value: 'amountYuan', unit: '元', date: 'dueOn', when: { field: 'dueOn', present: true } },
    { indicator: '1.5', value: 'repaidAmountYuan', unit: '元', date: 'repaidOn', when: { field: 'repaidOn', present: true } },
    { indicator: '1.8', value: 'interestWaivedYuan', unit: '元', when: { field: 'borrowerType', equals: 'PERSONAL' } },
  ],
};
