import 'reflect-metadata';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { redisEvents } from '../jobs/redis-events.js';
import { bullmqJobs } from '../jobs/runtime.js';
import { createHub } from './app.js';
import { cliActor } from './audit/audit.service.js';
import type { Role } from './auth/auth.service.js';
import { loadConfig } from './config/config.js';
import { adminSocketPath, runAdminCommand, sendAdminCommand, type AdminCommand } from './http/admin-socket.js';
import { schemaSdl } from './http/schema.js';

const usage = `usage:
  npm run cli -- token issue --role AGENCY --agency HRSS [--label "HRSS loan system"] [--expires 90d]
  npm run cli -- token issue --role BI|OFFICE [--label ...] [--expires 2024-12-31]
  npm run cli -- token list
  npm run cli -- token revoke <id>
  npm run cli -- token rotate <id> [--expires 90d]
  npm run cli -- plan load <file.yaml|file.json>
  npm run cli -- bi grant <postgres-role>
  npm run cli -- user add --name NAME --role OFFICE|BI      (asks for the password; or pipe it on stdin)
  npm run cli -- user password --name NAME                  (the same)
  npm run cli -- user disable --name NAME | user enable --name NAME | user list
  npm run cli -- schema print
people log in to the dashboard with a name and password; systems use tokens
--expires: a duration (30m, 12h, 90d, 2w), a date (the token works through that day) or an ISO date-time with an offset`;

/** A mistake in the command line itself: one line on stderr, exit code 2. */
class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | undefined>;

const expires: Options = { expires: { type: 'string' } };
const tokenId = (positionals: string[], verb: string): number => {
  if (positionals.length !== 1 || !/^[1-9]\d{0,9}$/.test(positionals[0]))
    throw new UsageError(`token ${verb} needs one token id (see token list)`);
  return Number(positionals[0]);
};
const oneArgument = (positionals: string[], what: string): string => {
  if (positionals.length !== 1)
    throw new UsageError(`expected ${what}, got ${positionals.length === 0 ? 'nothing' : positionals.join(' ')}`);
  return positionals[0];
};
const noArguments = (positionals: string[], command: string) => {
  if (positionals.length > 0) throw new UsageError(`${command} takes no arguments (got ${positionals.join(' ')})`);
};

const userName = (values: Values, command: string): string => {
  if (!values.name) throw new UsageError(`${command} needs --name NAME`);
  return values.name;
};

/**
 * A new password, never from the command line (shell history, ps): typed twice without echo on a
 * terminal, else the first line of stdin (`printf '%s\n' "$PASSWORD" | npm run cli -- user add …`).
 */
async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let input = '';
    for await (const chunk of process.stdin) input += String(chunk);
    const line = input.split(/\r?\n/)[0];
    if (!line) throw new UsageError('no password on stdin (the first line is the password)');
    return line;
  }
  const ask = async (prompt: string) => {
    const { createInterface } = await import('node:readline');
    const output = process.stderr;
    const rl = createInterface({ input: process.stdin, output, terminal: true });
    // echo nothing of what is typed
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (s === prompt) output.write(s);
    };
    try {
      return await new Promise<string>((resolvePromise) => rl.question(prompt, resolvePromise));
    } finally {
      rl.close();
      output.write('\n');
    }
  };
  const first = await ask('new password: ');
  if ((await ask('again: ')) !== first) throw new UsageError('the two passwords differ');
  return first;
}

/** Every command: its options, and how its arguments become an AdminCommand. */
const commands: Record<string, { options: Options; build(values: Values, positionals: string[]): AdminCommand | Promise<AdminCommand> }> = {
  'token issue': {
    options: { role: { type: 'string' }, agency: { type: 'string' }, label: { type: 'string' }, ...expires },
    build(values, positionals) {
      noArguments(positionals, 'token issue');
      const role = (values.role ?? '').toUpperCase();
      if (!['AGENCY', 'BI', 'OFFICE'].includes(role)) throw new UsageError('--role must be AGENCY, BI or OFFICE');
      return { command: 'token.issue', role: role as Role, agencyCode: values.agency, label: values.label, expires: values.expires };
    },
  },
  'token list': {
    options: {},
    build: (_values, positionals) => (noArguments(positionals, 'token list'), { command: 'token.list' }),
  },
  'token revoke': {
    options: {},
    build: (_values, positionals) => ({ command: 'token.revoke', id: tokenId(positionals, 'revoke') }),
  },
  'token rotate': {
    options: expires,
    build: (values, positionals) => ({ command: 'token.rotate', id: tokenId(positionals, 'rotate'), expires: values.expires }),
  },
  'plan load': {
    options: {},
    build: (_values, positionals) => ({ command: 'plan.load', path: resolve(oneArgument(positionals, 'one plan file')) }),
  },
  'bi grant': {
    options: {},
    build: (_values, positionals) => ({ command: 'bi.grant', role: oneArgument(positionals, 'one PostgreSQL role') }),
  },
  'user add': {
    options: { name: { type: 'string' }, role: { type: 'string' } },
    async build(values, positionals) {
      noArguments(positionals, 'user add');
      const name = userName(values, 'user add');
      const role = (values.role ?? '').toUpperCase();
      if (role !== 'OFFICE' && role !== 'BI') throw new UsageError('--role must be OFFICE or BI (bureau systems use tokens)');
      return { command: 'user.add', name, role, password: await readPassword() };
    },
  },
  'user password': {
    options: { name: { type: 'string' } },
    async build(values, positionals) {
      noArguments(positionals, 'user password');
      return { command: 'user.password', name: userName(values, 'user password'), password: await readPassword() };
    },
  },
  'user disable': {
    options: { name: { type: 'string' } },
    build: (values, positionals) => (
      noArguments(positionals, 'user disable'),
      { command: 'user.disable', name: userName(values, 'user disable') }
    ),
  },
  'user enable': {
    options: { name: { type: 'string' } },
    build: (values, positionals) => (
      noArguments(positionals, 'user enable'),
      { command: 'user.enable', name: userName(values, 'user enable') }
    ),
  },
  'user list': {
    options: {},
    build: (_values, positionals) => (noArguments(positionals, 'user list'), { command: 'user.list' }),
  },
};

async function parseCommand(argv: string[]): Promise<AdminCommand> {
  const [group, verb, ...rest] = argv;
  const name = `${group} ${verb ?? ''}`.trim();
  const spec = commands[name];
  if (!spec) throw new UsageError(`unknown command "${name}" (npm run cli -- help lists them)`);
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, strict: true, options: spec.options }) as typeof parsed;
  } catch (error) {
    // node's own wording is two sentences of advice; one line naming the option is enough
    const option = /'([^']+)'/.exec((error as Error).message)?.[1];
    const code = (error as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option ${option} for ${name}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError(`option ${option?.split(' ')[0]} needs a value`);
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
  return { ...(await spec.build(parsed.values, parsed.positionals)), actor: cliActor().name };
}

/** The hub's command line, on the same DATABASE_URL / HUB_DATA_DIR as the server. */
async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || ['help', '--help', '-h'].includes(argv[0])) {
    (argv.length === 0 ? console.error : console.log)(usage);
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === 'schema' && argv[1] === 'print' && argv.length === 2) {
    process.stdout.write(await schemaSdl());
    return 0;
  }
  const command = await parseCommand(argv);
  const config = loadConfig();
  if (!config.databaseUrl) {
    // a hub running on the embedded database owns it: hand it the command
    const reply = await sendAdminCommand(adminSocketPath(config.dataDir), command);
    if (reply) {
      if (!reply.ok) {
        console.error(reply.error);
        return 1;
      }
      console.log(reply.output);
      return 0;
    }
  }
  const quiet = { ...config, logLevel: 'silent' };
  // the CLI reaches Redis too: a corrected plan moves its pending reminders now, not at the next restart
  const hub = await createHub(quiet, { jobs: bullmqJobs(quiet), events: redisEvents(quiet) });
  await hub.jobs.connect(1_000);
  try {
    console.log(await runAdminCommand(hub, command));
    return 0;
  } finally {
    await hub.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // what went wrong, in a line (a refused plan file lists its problems, one per line); never a stack trace
    const e = error as Error & { code?: string };
    console.error(e instanceof Error ? e.message || e.code || e.name : String(error));
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
