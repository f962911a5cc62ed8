import { existsSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import type { Hub } from '../app.js';
import { issueToken, type Role } from '../auth/auth.service.js';
import { loadPlanFile } from '../plan/plan.files.js';
import { syncReminderJobs } from '../../jobs/reminders.js';

/**
 * PGlite is one process per data folder. While a hub runs on it, the CLI hands its command to that
 * hub through a Unix socket inside the data folder (only who can read the database files can reach it).
 */
export type AdminCommand =
  { command: 'token.issue'; role: Role; agencyCode?: string; label?: string } | { command: 'plan.load'; path: string };

export type AdminReply = { ok: true; output: string } | { ok: false; error: string };

export const adminSocketPath = (dataDir: string) => join(resolve(dataDir), 'hub.sock');

export async function runAdminCommand(hub: Hub, command: AdminCommand): Promise<string> {
  if (command.command === 'token.issue') {
    const { token } = await issueToken(hub.db, command, hub.clock);
    return token;
  }
  const result = await loadPlanFile(hub.db, resolve(command.path), hub.clock);
  // new or moved rounds get their reminders now, not at the next restart
  if (result.outcome !== 'unchanged' && hub.jobs.available) await syncReminderJobs(hub);
  return [
    `plan ${result.planCode} ${result.outcome}: ${result.projects} projects, ${result.indicators} indicators`,
    ...result.warnings.map((w) => `warning: ${w}`),
  ].join('\n');
}

export async function listenAdminSocket(hub: Hub): Promise<Server> {
  const path = adminSocketPath(hub.config.dataDir);
  if (await sendAdminCommand(path, null)) {
    throw new Error(`another hub is already running on ${resolve(hub.config.dataDir)}; stop it first`);
  }
  if (existsSync(path)) unlinkSync(path); // left by a hub that did not stop cleanly
  const server = createServer((socket) => {
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (!buffer.includes('\n')) return;
      const line = buffer.slice(0, buffer.indexOf('\n'));
      let reply: Promise<AdminReply>;
      try {
        const command = JSON.parse(line) as AdminCommand | { command: 'ping' };
        reply =
          command.command === 'ping'
            ? Promise.resolve({ ok: true, output: 'pong' })
            : runAdminCommand(hub, command).then(
                (output): AdminReply => ({ ok: true, output }),
                (error: Error): AdminReply => ({ ok: false, error: error.message }),
              );
      } catch {
        reply = Promise.resolve({ ok: false, error: 'malformed command' });
      }
      void reply.then((r) => socket.end(`${JSON.stringify(r)}\n`));
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolvePromise());
  });
  return server;
}

/** Sends a command to a running hub; undefined when none answers (no hub is running). `null` pings. */
export function sendAdminCommand(path: string, command: AdminCommand | null): Promise<AdminReply | undefined> {
  if (!existsSync(path)) return Promise.resolve(undefined);
  return new Promise((resolvePromise) => {
    const socket = createConnection(path);
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(command ?? { command: 'ping' })}\n`));
    socket.on('data', (chunk: string) => (buffer += chunk));
    socket.on('end', () => {
      try {
        resolvePromise(JSON.parse(buffer) as AdminReply);
      } catch {
        resolvePromise(undefined);
      }
    });
    socket.on('error', () => resolvePromise(undefined));
  });
}
