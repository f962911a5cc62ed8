import { existsSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { DateTime } from 'luxon';
import type { Hub } from '../app.js';
import type { Actor } from '../audit/audit.service.js';
import { parseExpiry, type ApiTokenRow, type Role } from '../auth/auth.service.js';
import { grantBiAccess } from '../auth/bi-access.js';
import type { UserRow } from '../auth/users.service.js';
import type { UserRole } from '../../drizzle/schema/index.js';
import { loadPlanFile } from '../plan/plan.files.js';

/**
 * PGlite is one process per data folder. While a hub runs on it, the CLI hands its command to that
 * hub through a Unix socket inside the data folder (only who can read the database files can reach it).
 */
export type AdminCommand = (
  | { command: 'token.issue'; role: Role; agencyCode?: string; label?: string; expires?: string }
  | { command: 'token.list' }
  | { command: 'token.revoke'; id: number }
  | { command: 'token.rotate'; id: number; expires?: string }
  | { command: 'plan.load'; path: string }
  | { command: 'bi.grant'; role: string }
  | { command: 'user.add'; name: string; role: UserRole; password: string }
  | { command: 'user.list' }
  | { command: 'user.disable'; name: string }
  | { command: 'user.enable'; name: string }
  | { command: 'user.password'; name: string; password: string }
) & {
  /** who runs the command, for the audit log: `cli (root)` */
  actor?: string;
};

export type AdminReply = { ok: true; output: string } | { ok: false; error: string };

export const adminSocketPath = (dataDir: string) => join(resolve(dataDir), 'hub.sock');

/** Runs a CLI command in a hub (the CLI's own, or the running hub it reached through the socket). */
export async function runAdminCommand(hub: Hub, command: AdminCommand): Promise<string> {
  const actor: Actor = { name: (command.actor ?? 'cli').slice(0, 100), clientId: null };
  const expiry = (text: string | undefined) => (text ? parseExpiry(text, hub.clock.now(), hub.config.timeZone) : undefined);
  const when = (d: Date | null) => (d ? DateTime.fromJSDate(d, { zone: hub.config.timeZone }).toFormat('yyyy-MM-dd HH:mm') : '-');
  const describe = (t: Pick<ApiTokenRow, 'id' | 'role' | 'agencyCode' | 'label' | 'expiresAt'>) =>
    `token ${t.id} (${[t.role, t.agencyCode, t.label ? JSON.stringify(t.label) : undefined].filter(Boolean).join(' ')}${
      t.expiresAt ? `, expires ${when(t.expiresAt)}` : ''
    })`;
  switch (command.command) {
    case 'token.issue': {
      const { token, row } = await hub.tokens.issue({ ...command, expiresAt: expiry(command.expires) }, actor);
      // the token is the last line, for `| tail -n 1`
      return `${describe(row)} issued; it is shown this once:\n${token}`;
    }
    case 'token.list':
      return formatTokenTable(await hub.tokens.list(), hub.clock.now(), when);
    case 'token.revoke': {
      const before = await hub.tokens.byId(command.id);
      const row = await hub.tokens.revoke(command.id, actor);
      return before.revokedAt ? `${describe(row)} was already revoked on ${when(row.revokedAt)}` : `${describe(row)} revoked`;
    }
    case 'token.rotate': {
      const { token, row } = await hub.tokens.rotate(command.id, actor, expiry(command.expires));
      const replaced = await hub.tokens.byId(command.id);
      return `${describe(replaced)} revoked; its replacement ${describe(row)} is shown this once:\n${token}`;
    }
    case 'bi.grant': {
      const { views, functions } = await grantBiAccess(hub.db, command.role, hub.clock, actor);
      return `role ${command.role} may now read the ${views} bi views and call the ${functions} bi functions (and no table of the hub)`;
    }
    case 'plan.load': {
      const result = await loadPlanFile(hub.db, resolve(command.path), hub.clock, actor);
      // new or moved rounds get their reminders now, not at the next restart
      if (result.outcome !== 'unchanged') {
        await hub.jobs.bestEffort('syncing reminders after a plan load', () => hub.reminders.syncReminders());
        // targets and indicators may have moved every figure: live subscribers re-read the plan (the load
        // is committed: a failure to say so is logged, not reported as a failed load)
        await hub.live
          .announcePlan(result.planCode)
          .catch((error: unknown) =>
            hub.logger.warn({ err: error, planCode: result.planCode }, 'the plan load was not announced to live subscribers'),
          );
      }
      return [
        `plan ${result.planCode} ${result.outcome}: ${result.projects} projects, ${result.indicators} indicators`,
        ...result.warnings.map((w) => `warning: ${w}`),
      ].join('\n');
    }
    case 'user.add': {
      const row = await hub.users.add(command, actor);
      return `user ${row.name} (${row.role}) added: they log in to the dashboard with this name and the password given`;
    }
    case 'user.list':
      return formatUserTable(await hub.users.list(), when);
    case 'user.disable': {
      const { row, already } = await hub.users.disable(command.name, actor);
      return already
        ? `user ${row.name} was already disabled on ${when(row.disabledAt)}`
        : `user ${row.name} disabled: they cannot log in, and their open sessions have ended`;
    }
    case 'user.enable': {
      const row = await hub.users.enable(command.name, actor);
      return `user ${row.name} (${row.role}) may log in again`;
    }
    case 'user.password': {
      const row = await hub.users.setPassword(command.name, command.password, actor);
      return `password of user ${row.name} changed; their open sessions have ended`;
    }
    default:
      // a malformed line on the socket
      throw new Error(`unknown command ${JSON.stringify((command as { command?: unknown }).command)}`);
  }
}

/** `token list`: one row per token, never the token or its hash. */
function formatTokenTable(rows: ApiTokenRow[], now: Date, when: (d: Date | null) => string): string {
  if (rows.length === 0) return 'no tokens issued yet';
  const status = (t: ApiTokenRow) => (t.revokedAt ? 'revoked' : t.expiresAt && t.expiresAt <= now ? 'expired' : 'active');
  return formatTable([
    ['id', 'role', 'agency', 'status', 'created', 'last used', 'expires', 'revoked', 'label'],
    ...rows.map((t) => [
      String(t.id),
      t.role,
      t.agencyCode ?? '-',
      status(t),
      when(t.createdAt),
      when(t.lastUsedAt),
      when(t.expiresAt),
      when(t.revokedAt),
      t.label,
    ]),
  ]);
}

/** `user list`: one row per person, never the password or its hash. */
function formatUserTable(rows: UserRow[], when: (d: Date | null) => string): string {
  if (rows.length === 0) return 'no users yet (npm run cli -- user add --name NAME --role OFFICE|BI)';
  return formatTable([
    ['id', 'name', 'role', 'status', 'created', 'password set', 'last login', 'disabled'],
    ...rows.map((u) => [
      String(u.id),
      u.name,
      u.role,
      u.disabledAt ? 'disabled' : 'active',
      when(u.createdAt),
      when(u.passwordChangedAt),
      when(u.lastLoginAt),
      when(u.disabledAt),
    ]),
  ]);
}

/** Columns padded to their widest cell, the first row a header. */
function formatTable(table: string[][]): string {
  const widths = table[0].map((_, column) => Math.max(...table.map((row) => row[column].length)));
  return table
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
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
