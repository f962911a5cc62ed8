import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { createHub } from './app.js';
import { resolve } from 'node:path';
import type { Role } from './auth/auth.service.js';
import { loadConfig } from './config/config.js';
import { PlanFileError } from './plan/plan.file.js';
import { adminSocketPath, runAdminCommand, sendAdminCommand, type AdminCommand } from './http/admin-socket.js';
import { schemaSdl } from './http/schema.js';
import { AppError } from './shared/errors.js';

const usage = `usage:
  npm run cli -- token issue --role AGENCY --agency HRSS [--label "HRSS loan system"]
  npm run cli -- token issue --role BI|OFFICE [--label ...]
  npm run cli -- plan load <file.yaml|file.json>
  npm run cli -- schema print`;

/** The hub's command line, on the same DATABASE_URL / HUB_DATA_DIR as the server. */
async function main(argv: string[]): Promise<number> {
  const [group, verb, ...rest] = argv;
  if (group === 'schema' && verb === 'print') {
    process.stdout.write(await schemaSdl());
    return 0;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { role: { type: 'string' }, agency: { type: 'string' }, label: { type: 'string' } },
  });
  if (!((group === 'token' && verb === 'issue') || (group === 'plan' && verb === 'load' && positionals.length === 1))) {
    console.error(usage);
    return 2;
  }
  const role = (values.role ?? '').toUpperCase();
  if (group === 'token' && !['AGENCY', 'BI', 'OFFICE'].includes(role)) {
    console.error('--role must be AGENCY, BI or OFFICE');
    return 2;
  }
  const command: AdminCommand =
    group === 'plan'
      ? { command: 'plan.load', path: resolve(positionals[0]) }
      : { command: 'token.issue', role: role as Role, agencyCode: values.agency, label: values.label };

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
  const hub = await createHub({ ...config, logLevel: 'silent' });
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
    if (error instanceof PlanFileError || error instanceof AppError) console.error(error.message);
    else console.error(error);
    process.exit(1);
  },
);
