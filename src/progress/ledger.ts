import ExcelJS from 'exceljs';
import { DateTime } from 'luxon';
import type { Hub } from '../app.js';
import type { PlanRow } from '../plan/plan.repository.js';
import { consolidatedRows, totalRegion, type ConsolidatedRow } from './progress.service.js';
import { statusLabel, statusLabels } from './status.js';

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
  /** the latest progress report on the project as it stood at asOf: its first 200 characters */
  lastReportExcerpt: string | null;
  responsibleAgencies: string[];
}

/** How much of the latest progress report the printed 台账 carries. */
export const reportExcerptLength = 200;

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
  const reports = await hub.reminders.repository.latestReportsAsOf(
    structure.projects.map((p) => p.id),
    endOfDay,
  );
  const numberToId = new Map(structure.projects.map((p) => [p.number, p.id]));
  return consolidatedRows(snap, structure, regions, agencies).map((row) => {
    const projectId = numberToId.get(row.projectNumber)!;
    const report = reports.get(projectId);
    const text = report?.text.replace(/\s+/g, ' ').trim() ?? null;
    return {
      ...row,
      lastReportedOn: report ? DateTime.fromJSDate(report.at, { zone: plan.timeZone }).toISODate() : null,
      lastReportExcerpt: text === null ? null : text.length > reportExcerptLength ? `${text.slice(0, reportExcerptLength)}…` : text,
      responsibleAgencies: (structure.links.get(projectId) ?? [])
        .filter((l) => l.role === 'RESPONSIBLE')
        .map((l) => agencies.get(l.agencyId)!.name),
    };
  });
}

/** The printed 台账's columns, left to right; project-level ones are merged over the project's rows. */
interface PrintColumn {
  header: string;
  width: number;
  value: (row: LedgerRow, serial: number) => string | number | null;
  /** one cell for the whole project (merged down its indicators) */
  perProject?: boolean;
  /** the spreadsheet number format of the value (a number, not text) */
  format?: (row: LedgerRow) => string;
  align?: 'left' | 'center' | 'right';
  status?: boolean;
}

// counts are whole; money and ratios two decimals; a standard in 元 a whole number of yuan
const valueFormat = (unit: string) => (/^(亿元|万元|%)$/.test(unit) ? '#,##0.00' : /^元/.test(unit) ? '#,##0' : '#,##0');
const percentFormat = '0.00';
const number = (text: string | null) => (text === null ? null : Number(text));

const printColumns = (byRegion: boolean): PrintColumn[] => [
  { header: '序号', width: 5, value: (_r, serial) => serial, perProject: true, align: 'center' },
  { header: '民生实事项目', width: 22, value: (r) => r.projectTitle, perProject: true },
  { header: '牵头单位', width: 11, value: (r) => r.leadAgencies.map((a) => a.name).join('、'), perProject: true, align: 'center' },
  { header: '责任单位', width: 13, value: (r) => r.responsibleAgencies.join('、') || '—', perProject: true, align: 'center' },
  ...(byRegion ? [{ header: '地区', width: 12, value: (r: LedgerRow) => r.regionName, align: 'center' as const }] : []),
  { header: '指标', width: 36, value: (r) => `${r.indicatorCode} ${r.indicatorName}` },
  { header: '单位', width: 10, value: (r) => r.unit, align: 'center' },
  { header: '目标', width: 9, value: (r) => number(r.target), format: (r) => valueFormat(r.unit), align: 'right' },
  { header: '基线', width: 8, value: (r) => number(r.baseline), format: (r) => valueFormat(r.unit), align: 'right' },
  { header: '完成', width: 11, value: (r) => number(r.value), format: (r) => valueFormat(r.unit), align: 'right' },
  { header: '完成率(%)', width: 9, value: (r) => r.percent, format: () => percentFormat, align: 'right' },
  ...(byRegion
    ? [{ header: '占全市(%)', width: 9, value: (r: LedgerRow) => r.shareOfCity, format: () => percentFormat, align: 'right' as const }]
    : []),
  { header: '序时进度(%)', width: 9, value: (r) => r.expectedPercent, format: () => percentFormat, align: 'right' },
  { header: '状态', width: 8, value: (r) => statusLabel(r.status), align: 'center', status: true },
  {
    header: '最近进展报送',
    width: 40,
    value: (r) => (r.lastReportedOn ? `${r.lastReportedOn}：${r.lastReportExcerpt ?? ''}` : '未报送'),
    perProject: true,
  },
];

/** a full-width space (U+3000) between the parts of the line under the title */
const wide = '\u3000';
/** Lines a wrapped cell needs: a CJK character is two widths, Latin one; a column width counts Latin characters. */
function linesFor(text: string | number | null, width: number): number {
  if (text === null) return 1;
  const chars = [...String(text)].reduce((n, c) => n + (c.charCodeAt(0) > 0x2e80 ? 2 : 1), 0);
  return Math.max(1, Math.ceil(chars / Math.max(1, width - 1)));
}
/** points per line of 11-point text, and a little air */
const lineHeight = 14.5;

const thin = { style: 'thin' as const, color: { argb: 'FF8C96A0' } };
const border = { top: thin, left: thin, bottom: thin, right: thin };
const argb = (hex: string) => `FF${hex.replace('#', '').toUpperCase()}`;

/** One printed sheet: title, as-of line, header repeated on every page, projects merged, statuses coloured. */
function addPrintSheet(workbook: ExcelJS.Workbook, name: string, plan: PlanRow, asOf: string, rows: LedgerRow[], byRegion: boolean) {
  const cols = printColumns(byRegion);
  const sheet = workbook.addWorksheet(name, {
    views: [{ state: 'frozen', ySplit: 3 }],
    pageSetup: {
      paperSize: 9, // A4
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0, // as many pages down as it takes, one page wide
      horizontalCentered: true,
      printTitlesRow: '3:3',
      margins: { left: 0.4, right: 0.4, top: 0.55, bottom: 0.6, header: 0.25, footer: 0.3 },
    },
    headerFooter: { oddFooter: `&L数据截至 ${asOf}&C第 &P 页，共 &N 页&R${plan.documentNumber}` },
  });
  sheet.columns = cols.map((c) => ({ width: c.width }));
  const titleRow = sheet.addRow([`${plan.title}${byRegion ? '分地区' : ''}台账`]);
  titleRow.font = { bold: true, size: 16 };
  titleRow.alignment = { horizontal: 'center' };
  titleRow.height = 26;
  sheet.mergeCells(1, 1, 1, cols.length);
  const expected = rows[0]?.expectedPercent;
  const subtitle = sheet.addRow([
    `${plan.documentNumber}${wide}数据截至 ${asOf}${expected === undefined ? '' : `${wide}序时进度 ${expected.toFixed(2)}%`}`,
  ]);
  subtitle.alignment = { horizontal: 'center' };
  sheet.mergeCells(2, 1, 2, cols.length);
  const header = sheet.addRow(cols.map((c) => c.header));
  header.height = 30;
  header.eachCell((cell) => {
    cell.font = { bold: true };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.border = border;
  });

  let serial = 0;
  let previous: number | undefined;
  let blockStart = 0;
  let blockLines = 1;
  // LibreOffice and Excel do not grow a row for wrapped text they did not lay out: heights are set
  // here, and a project whose merged cells (its title, its report) need more lines than its rows
  // give gets the rest on its last row
  const mergeBlock = (end: number) => {
    let rowLines = 0;
    for (let r = blockStart; r <= end; r += 1) rowLines += (sheet.getRow(r).height ?? lineHeight) / lineHeight;
    if (blockLines > rowLines) sheet.getRow(end).height = (sheet.getRow(end).height ?? lineHeight) + (blockLines - rowLines) * lineHeight;
    if (end <= blockStart) return;
    cols.forEach((c, i) => {
      if (c.perProject) sheet.mergeCells(blockStart, i + 1, end, i + 1);
    });
  };
  for (const row of rows) {
    if (row.projectNumber !== previous) {
      if (previous !== undefined) mergeBlock(sheet.rowCount);
      serial += 1;
      previous = row.projectNumber;
      blockStart = sheet.rowCount + 1;
      blockLines = Math.max(...cols.filter((c) => c.perProject).map((c) => linesFor(c.value(row, serial), c.width)));
    }
    const added = sheet.addRow(cols.map((c) => c.value(row, serial)));
    added.height = Math.max(...cols.filter((c) => !c.perProject).map((c) => linesFor(c.value(row, serial), c.width))) * lineHeight;
    added.eachCell({ includeEmpty: true }, (cell, i) => {
      const col = cols[i - 1];
      cell.border = border;
      cell.alignment = { vertical: 'middle', horizontal: col.align ?? 'left', wrapText: true };
      if (col.format) cell.numFmt = col.format(row);
      if (col.status) {
        const label = statusLabels[row.status];
        cell.font = { color: { argb: argb(label.colour) }, bold: row.status === 'BEHIND' };
        cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: argb(label.fill) } };
      }
    });
  }
  if (previous !== undefined) mergeBlock(sheet.rowCount);
  return sheet;
}

/**
 * The 台账 as the office prints and files it: A4 landscape, one page wide, the header on every page,
 * 序号 and merged project cells, lead and responsible units, number formats per unit, statuses
 * coloured as on the dashboard, the latest progress report, the as-of date and page numbers in the
 * footer. With `byRegion`, a second sheet (分地区) with 全市 and every unit.
 */
export async function ledgerXlsx(hub: Hub, plan: PlanRow, asOf: string, byRegion = false): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Livelihood Projects Data Hub';
  workbook.created = hub.clock.now();
  addPrintSheet(workbook, '台账', plan, asOf, await ledgerRows(hub, plan, asOf, false), false);
  if (byRegion) addPrintSheet(workbook, '分地区', plan, asOf, await ledgerRows(hub, plan, asOf, true), true);
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
