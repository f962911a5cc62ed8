import type { Express, Request, Response } from 'express';
import { DateTime } from 'luxon';
import type { Hub } from '../app.js';
import { bulletinData } from '../progress/bulletin.js';
import { bulletinDocx } from '../progress/bulletin-docx.js';
import { bulletinFooter, bulletinHeader, bulletinHtml } from '../progress/bulletin-html.js';
import { ledgerCsv, ledgerXlsx } from '../progress/ledger.js';
import { asOfFor } from '../progress/progress.service.js';
import { dateInZone } from '../shared/clock.js';
import { badInput, notFound } from '../shared/errors.js';
import { printPdf } from '../shared/pdf.js';
import { requireTokenRole } from './rest-auth.js';
import { downloadPolicy, securityHeaders } from './security-headers.js';

const validDate = (text: string) => /^\d{4}-\d{2}-\d{2}$/.test(text) && DateTime.fromISO(text).isValid;

/** GET /export/ledger.xlsx and .csv (&regions=all) and /export/bulletin.pdf and .docx: ?plan=CODE (default: the current plan) &asOf=YYYY-MM-DD */
export function mountExports(app: Express, hub: Hub): void {
  /** ?plan=CODE (default: the current plan) and ?asOf=YYYY-MM-DD (default: today; after today refused) */
  const planAndAsOf = async (req: Request) => {
    const planCode = typeof req.query.plan === 'string' ? req.query.plan : undefined;
    const plan = planCode
      ? (await hub.planRepository.plansByCodes([planCode])).get(planCode)
      : await hub.planRepository.planForDate(dateInZone(hub.clock.now(), hub.config.timeZone));
    if (!plan) throw notFound(`plan ${planCode ?? '(current)'}`, 'plan');
    const asked = typeof req.query.asOf === 'string' ? req.query.asOf : undefined;
    if (asked !== undefined && !validDate(asked)) throw badInput('asOf', 'a date YYYY-MM-DD');
    return { plan, asOf: asOfFor(hub.clock, plan, asked) };
  };
  const handler = (format: 'xlsx' | 'csv') => async (req: Request, res: Response) => {
    const { plan, asOf } = await planAndAsOf(req);
    const name = `ledger-${plan.code}-${asOf}`;
    if (format === 'xlsx') {
      res.setHeader('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      res.setHeader('content-disposition', `attachment; filename="${name}.xlsx"`);
      res.send(await ledgerXlsx(hub, plan, asOf, req.query.regions === 'all'));
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
  // 进展通报: the monthly bulletin as a PDF printed by Chromium (HUB_CHROMIUM_PATH), one print at a time
  app.get('/export/bulletin.pdf', requireTokenRole(hub, 'OFFICE', 'BI'), async (req: Request, res: Response) => {
    const { plan, asOf } = await planAndAsOf(req);
    const bulletin = await bulletinData(hub, plan, asOf);
    const pdf = await printPdf(hub.config.chromiumPath, hub.logger, {
      html: bulletinHtml(bulletin),
      headerTemplate: bulletinHeader(bulletin),
      footerTemplate: bulletinFooter(bulletin),
    });
    res.setHeader('content-type', 'application/pdf');
    res.setHeader('content-disposition', `attachment; filename="bulletin-${plan.code}-${asOf}.pdf"`);
    res.send(pdf);
  });
  // the same bulletin as a Word document the office edits before sending it upward (no Chromium needed)
  app.get('/export/bulletin.docx', requireTokenRole(hub, 'OFFICE', 'BI'), async (req: Request, res: Response) => {
    const { plan, asOf } = await planAndAsOf(req);
    const docx = await bulletinDocx(await bulletinData(hub, plan, asOf));
    res.setHeader('content-type', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    res.setHeader('content-disposition', `attachment; filename="bulletin-${plan.code}-${asOf}.docx"`);
    res.send(docx);
  });
}
