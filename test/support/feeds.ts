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

export { loanMapping } from '../../tools/simulator/feeds.js';
