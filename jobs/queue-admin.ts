import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { RequestHandler } from 'express';
import { asUnavailable } from '../src/shared/unavailable.js';

/**
 * Bull Board's page asks Google Fonts for its typeface; these networks cannot reach it. Serve the same
 * page without that link (the UI falls back to the system font), written once per process.
 */
function offlineViews(): string {
  const require = createRequire(import.meta.url);
  const source = join(dirname(require.resolve('@bull-board/ui/package.json')), 'dist', 'index.ejs');
  const dir = join(tmpdir(), `hub-bull-board-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.ejs'), readFileSync(source, 'utf8').replace(/<link[^>]+fonts\.googleapis\.com[^>]*>/g, ''));
  return dir;
}

/** Bull Board over the hub's queues, mounted by the HTTP layer behind its OFFICE check and audit. */
export function queueBoard(queues: Queue[], basePath: string): RequestHandler {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: false })), serverAdapter });
  serverAdapter.setViewsPath(offlineViews());
  // Redis down or hung: the board's API answers 503 (its commands time out) instead of a 500 or a hang
  const boardError = (error: Error & { statusCode?: number }): { status?: number; body: Record<string, unknown> } => {
    const unavailable = asUnavailable(error);
    if (unavailable) return { status: 503, body: { error: { key: 'SERVICE_UNAVAILABLE' }, message: unavailable.message } };
    return { status: error.statusCode ?? 500, body: { error: { key: 'ERRORS.INTERNAL_SERVER_ERROR' }, message: error.message } };
  };
  // (the board's type lists the statuses its own handlers use; Express sends any)
  serverAdapter.setErrorHandler(boardError as Parameters<ExpressAdapter['setErrorHandler']>[0]);
  return serverAdapter.getRouter() as RequestHandler;
}
