import ExcelJS from 'exceljs';
import { DateTime } from 'luxon';
import type { Hub } from '../app.js';
import type { PlanRow } from '../plan/plan.repository.js';
import { consolidatedRows, totalRegion, type ConsolidatedRow } from './progress.service.js';
import { statusLabel } from './status.js';

/** 台账: the ledger the office hands to the leading group, one row per indicator (and per region). */

interface LedgerColumn {
  header: string;
  width: number;
  value: (row: LedgerRow) => string | number | null;
  /** a number in the spreadsheet; the CSV keeps the exact decimal text */
  numeric?: boolean;
  /** a computed figure (a percent): shown as text in the spreadsheet, a number in the CSV */
  figure?: boolean;
}

export interface LedgerRow extends ConsolidatedRow {
  lastReportedOn: string | null;
}

const columns: LedgerColumn[] = [
  { header: '项目', width: 34, value: (r) => `${r.projectNumber}.${r.projectTitle}` },
  { header: '指标编号', width: 9, value: (r) => r.indicatorCode },
  { header: '指标', width: 40, value: (r) => r.indicatorName },
  { header: '牵头单位', width: 16, value: (r) => r.leadAgencies.map((a) => a.name).join('、') },
  { header: '计量单位', width: 10, value: (r) => r.unit },
  { header: '目标', width: 10, value: (r) => r.target, numeric: true },
  { header: '基线', width: 10, value: (r) => r.baseline, numeric: true },
  { header: '完成', width: 14, value: (r) => r.value, numeric: true },
  { header: '完成率(%)', width: 11, value: (r) => r.percent, figure: true },
  { header: '序时进度(%)', width: 12, value: (r) => r.expectedPercent, figure: true },
  { header: '状态', width: 10, value: (r) => statusLabel(r.status) },
  { header: '最近数据日期', width: 13, value: (r) => r.lastObservedOn },
  { header: '最近进展报送', width: 13, value: (r) => r.lastReportedOn },
];
const regionColumns: LedgerColumn[] = [
  { header: '地区编码', width: 10, value: (r) => r.regionCode },
  { header: '地区', width: 18, value: (r) => r.regionName },
];
const shareColumn: LedgerColumn = { header: '占全市(%)', width: 10, value: (r) => r.shareOfCity, figure: true };

/** By region: the unit after the indicator, and its share of 全市 after its percent. */
const columnsFor = (byRegion: boolean): LedgerColumn[] => {
  if (!byRegion) return columns;
  const percentAt = columns.findIndex((c) => c.header === '完成率(%)');
  return [...columns.slice(0, 3), ...regionColumns, ...columns.slice(3, percentAt + 1), shareColumn, ...columns.slice(percentAt + 1)];
};

export async function ledgerRows(hub: Hub, plan: PlanRow, asOf: string, byRegion: boolean): Promise<LedgerRow[]> {
  const structure = await hub.progress.structure(plan);
  const snap = await hub.progress.planProgress(plan, asOf, structure);
  const agencies = new Map((await hub.planRepository.allAgencies()).map((a) => [a.id, a]));
  // 全市 first; by region, every reporting unit after it (市本级, counties, zones)
  const regions = byRegion ? [totalRegion, ...structure.regions] : [totalRegion];
  // the last progress report on each project that had arrived by the end of asOf
  const endOfDay = DateTime.fromISO(asOf, { zone: plan.timeZone }).endOf('day').toJSDate();
  const reported = await hub.reminders.repository.lastReportTimes(
    structure.projects.map((p) => p.id),
    endOfDay,
  );
  const lastReport = new Map(
    [...reported].map(([projectId, at]) => [projectId, DateTime.fromJSDate(at, { zone: plan.timeZone }).toISODate()]),
  );
  const numberToId = new Map(structure.projects.map((p) => [p.number, p.id]));
  return consolidatedRows(snap, structure, regions, agencies).map((row) => ({
    ...row,
    lastReportedOn: lastReport.get(numberToId.get(row.projectNumber)!) ?? null,
  }));
}

const title = (plan: PlanRow, asOf: string) => `${plan.title}台账（${plan.documentNumber}，截至${asOf}）`;

export async function ledgerXlsx(hub: Hub, plan: PlanRow, asOf: string): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Livelihood Projects Data Hub';
  workbook.created = hub.clock.now();
  const sheets: [string, LedgerColumn[], LedgerRow[]][] = [
    ['台账', columnsFor(false), await ledgerRows(hub, plan, asOf, false)],
    ['分地区', columnsFor(true), await ledgerRows(hub, plan, asOf, true)],
  ];
  for (const [name, cols, rows] of sheets) {
    const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 2 }] });
    sheet.columns = cols.map((c) => ({ width: c.width }));
    sheet.addRow([title(plan, asOf)]).font = { bold: true, size: 14 };
    sheet.mergeCells(1, 1, 1, cols.length);
    const header = sheet.addRow(cols.map((c) => c.header));
    header.font = { bold: true };
    header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
    for (const row of rows) {
      sheet.addRow(
        cols.map((c) => {
          const v = c.value(row);
          return c.numeric && v !== null ? Number(v) : v;
        }),
      );
    }
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/**
 * A cell a spreadsheet would run as a formula (text starting with = + - @, or a tab or CR) gets an
 * apostrophe in front, so Excel and WPS show it as text. Numbers in number columns (a baseline of
 * -3) stay numbers; only text columns, and anything in a number column that is not a number, are prefixed.
 */
const formulaStart = /^[=+\-@\t\r]/;
const plainNumber = /^-?\d+(\.\d+)?$/;
function csvCell(column: LedgerColumn, value: string | number | null): string | number | null {
  if (value === null || typeof value === 'number') return value;
  if ((column.numeric || column.figure) && plainNumber.test(value)) return value;
  return formulaStart.test(value) ? `'${value}` : value;
}

const csvField = (value: string | number | null) => {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** CSV with a BOM so Excel opens the Chinese text correctly; decimals stay exact text. */
export async function ledgerCsv(hub: Hub, plan: PlanRow, asOf: string, byRegion: boolean): Promise<string> {
  const cols = columnsFor(byRegion);
  const rows = await ledgerRows(hub, plan, asOf, byRegion);
  const lines = [
    cols.map((c) => csvField(c.header)).join(','),
    ...rows.map((r) => cols.map((c) => csvField(csvCell(c, c.value(r)))).join(',')),
  ];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
