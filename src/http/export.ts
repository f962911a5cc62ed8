import type { Express, Request, Response } from 'express';
import { DateTime } from 'luxon';
import type { Hub } from '../app.js';
import { ledgerCsv, ledgerXlsx } from '../progress/ledger.js';
import { asOfFor } from '../progress/progress.service.js';
import { dateInZone } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { requireTokenRole } from './rest-auth.js';
import { downloadPolicy, securityHeaders } from './security-headers.js';

const validDate = (text: string) => /^\d{4}-\d{2}-\d{2}$/.test(text) && DateTime.fromISO(text).isValid;

/** GET /export/ledger.xlsx and .csv: ?plan=CODE (default: the current plan) &asOf=YYYY-MM-DD &regions=all (CSV) */
export function mountExports(app: Express, hub: Hub): void {
  const handler = (format: 'xlsx' | 'csv') => async (req: Request, res: Response) => {
    const planCode = typeof req.query.plan === 'string' ? req.query.plan : undefined;
    const plan = planCode
      ? (await hub.planRepository.plansByCodes([planCode])).get(planCode)
      : await hub.planRepository.planForDate(dateInZone(hub.clock.now(), hub.config.timeZone));
    if (!plan) {
      res
        .status(404)
        .json({ errors: [{ message: `plan ${planCode ?? '(current)'} not found`, extensions: { code: 'NOT_FOUND', field: 'plan' } }] });
      return;
    }
    const asked = typeof req.query.asOf === 'string' ? req.query.asOf : undefined;
    if (asked !== undefined && !validDate(asked)) {
      res.status(400).json({ errors: [{ message: 'asOf: a date YYYY-MM-DD', extensions: { code: 'BAD_USER_INPUT', field: 'asOf' } }] });
      return;
    }
    let asOf: string;
    try {
      asOf = asOfFor(hub.clock, plan, asked);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      res.status(400).json({ errors: [{ message: error.message, extensions: { code: error.code, field: error.details.field } }] });
      return;
    }
    const name = `ledger-${plan.code}-${asOf}`;
    if (format === 'xlsx') {
      res.setHeader('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      res.setHeader('content-disposition', `attachment; filename="${name}.xlsx"`);
      res.send(await ledgerXlsx(hub, plan, asOf));
    } else {
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.setHeader('content-disposition', `attachment; filename="${name}.csv"`);
      res.send(await ledgerCsv(hub, plan, asOf, req.query.regions === 'all'));
    }
  };
  // before the token check, so its 401 and 403 answers carry them too
  app.use('/export', securityHeaders(downloadPolicy));
  app.get('/export/ledger.xlsx', requireTokenRole(hub, 'OFFICE', 'BI'), handler('xlsx'));
  app.get('/export/ledger.csv', requireTokenRole(hub, 'OFFICE', 'BI'), handler('csv'));
}
