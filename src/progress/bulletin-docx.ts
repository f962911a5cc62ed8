import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  Header,
  HeadingLevel,
  HeightRule,
  NoBreakHyphen,
  Packer,
  PageNumber,
  PageOrientation,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TabStopType,
  TextRun,
  VerticalAlign,
  WidthType,
  type IBorderOptions,
} from 'docx';
import type { Bulletin, BulletinFigure, BulletinLatePair, BulletinRound } from './bulletin.js';
import { pointsFromExpected } from './bulletin.js';
import {
  agencyColumns,
  allOnTimeText,
  asOfFooter,
  barNote,
  behindColumns,
  behindProjects,
  behindText,
  bulletinTitle,
  chineseDate,
  decomposedText,
  lateByAgency,
  latePairText,
  noDataText,
  noneBehindText,
  noRoundsText,
  notes,
  noUnitsText,
  notReported,
  overviewLabels,
  overviewText,
  pageNumberText,
  percentText,
  projectColumns,
  roundColumns,
  roundHeading,
  sectionTitles,
  statusCountsText,
  subtitle,
  unitColumns,
  unitTargetsText,
  withDataText,
} from './bulletin-text.js';
import { statusLabels, type Status } from './status.js';

/**
 * The bulletin (进展通报) as a Word document the office edits before sending it upward: the same data
 * (bulletinData), words (bulletin-text.ts) and sections as the PDF, with the chart as a table (a
 * drawing would not be editable). Plain styles (标题 1, 注释, 表格文字) rather than formatting on every
 * run, so an edit in Word keeps the look.
 */

/** fonts the office's Windows PCs have; eastAsia is the one Word uses for Chinese text */
const bulletinFont = 'Microsoft YaHei';

// A4 portrait in twips (1/20 pt), the PDF's margins (16 mm at the sides, 20 mm top, 18 mm bottom)
const page = { width: 11906, height: 16838, side: 907, top: 1134, bottom: 1020, edge: 567 };
const textWidth = page.width - 2 * page.side;

const colours = { text: '1f2933', muted: '52606d', rule: 'c0392b', border: '8c96a0', heading: 'ddebf7', track: 'eef0f3' };
const hex = (css: string) => css.replace('#', '');

const border: IBorderOptions = { style: BorderStyle.SINGLE, size: 4, color: colours.border };
const borders = { top: border, bottom: border, left: border, right: border, insideHorizontal: border, insideVertical: border };
/** every table's cell padding, so the bar knows the room it has */
const padding = { top: 40, bottom: 40, left: 100, right: 100 };
const none: IBorderOptions = { style: BorderStyle.NONE, size: 0, color: 'auto' };
const noBorders = { top: none, bottom: none, left: none, right: none, insideHorizontal: none, insideVertical: none };

/** paragraph style ids (styles.xml); the names are what Word shows in its style list */
const style = { note: 'BulletinNote', cell: 'BulletinCell', stat: 'BulletinStat' } as const;

interface CellOptions {
  align?: 'left' | 'center';
  /** a status: its fill as the cell's shading, its colour as the text's */
  status?: Status;
  fill?: string;
  bold?: boolean;
  colour?: string;
}

const textCell = (text: string, width: number, options: CellOptions = {}): TableCell =>
  new TableCell({
    width: { size: width, type: WidthType.DXA },
    verticalAlign: VerticalAlign.CENTER,
    shading: cellShading(options.status ? hex(statusLabels[options.status].fill) : options.fill),
    children: [
      new Paragraph({
        style: style.cell,
        alignment: options.align === 'center' ? AlignmentType.CENTER : AlignmentType.LEFT,
        children: [
          new TextRun({
            text,
            bold: options.bold,
            color: options.status ? hex(statusLabels[options.status].colour) : options.colour,
          }),
        ],
      }),
    ],
  });

const cellShading = (fill: string | undefined) => (fill ? { type: ShadingType.CLEAR, color: 'auto', fill } : undefined);

const statusCell = (status: Status, width: number) => textCell(statusLabels[status].zh, width, { align: 'center', status });

/** A table of the text's width: a header row (repeated on every page it runs over) and rows that do not split. */
function table(columns: readonly string[], widths: number[], rows: TableCell[][]): Table {
  const header = new TableRow({
    tableHeader: true,
    cantSplit: true,
    children: columns.map((column, i) => textCell(column, widths[i], { align: 'center', bold: true, fill: colours.heading })),
  });
  return new Table({
    width: { size: textWidth, type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    borders,
    margins: padding,
    rows: [header, ...rows.map((children) => new TableRow({ cantSplit: true, children }))],
  });
}

/** Column widths in twips from shares of the text width; the last takes what rounding leaves. */
function widthsOf(shares: number[]): number[] {
  const total = shares.reduce((sum, s) => sum + s, 0);
  const widths = shares.map((s) => Math.floor((s / total) * textWidth));
  widths[widths.length - 1] += textWidth - widths.reduce((sum, w) => sum + w, 0);
  return widths;
}

const heading = (text: string, level: 1 | 2 = 1) =>
  new Paragraph({ heading: level === 1 ? HeadingLevel.HEADING_1 : HeadingLevel.HEADING_2, children: [new TextRun(text)] });
const paragraph = (text: string, keepNext = false) => new Paragraph({ keepNext, children: [new TextRun(text)] });
const note = (text: string) => new Paragraph({ style: style.note, children: [new TextRun(text)] });

// ---------------------------------------------------------------------------------------------
// 一、总体进展

function overview(b: Bulletin): (Paragraph | Table)[] {
  const o = b.overall;
  const width = Math.floor(textWidth / 4);
  const stat = (label: string, value: string, options: { colour?: string; status?: Status }) =>
    new TableCell({
      width: { size: width, type: WidthType.DXA },
      verticalAlign: VerticalAlign.CENTER,
      shading: cellShading(options.status && hex(statusLabels[options.status].fill)),
      margins: { ...padding, top: 60, bottom: 60 },
      children: [
        new Paragraph({
          style: style.cell,
          alignment: AlignmentType.CENTER,
          children: [new TextRun({ text: label, color: colours.muted })],
        }),
        new Paragraph({
          style: style.stat,
          children: [new TextRun({ text: value, color: options.status ? hex(statusLabels[options.status].colour) : options.colour })],
        }),
      ],
    });
  return [
    heading(sectionTitles(b).overview),
    new Table({
      width: { size: width * 4, type: WidthType.DXA },
      columnWidths: [width, width, width, width],
      layout: TableLayoutType.FIXED,
      borders,
      rows: [
        new TableRow({
          cantSplit: true,
          children: [
            stat(overviewLabels.percent, percentText(o.percent), { colour: hex(statusLabels[o.status].colour) }),
            stat(overviewLabels.expected, percentText(o.expectedPercent), {}),
            stat(overviewLabels.status, statusLabels[o.status].zh, { status: o.status }),
            stat(overviewLabels.withData, `${o.withData}/${o.parts}`, {}),
          ],
        }),
      ],
    }),
    new Paragraph({ spacing: { before: 120 }, children: [new TextRun(overviewText(b))] }),
    paragraph(statusCountsText(b)),
    note(notes.overview),
  ];
}

// ---------------------------------------------------------------------------------------------
// 二、十件实事进展: a row per project; the bar a row of shaded cells with the expected percent marked

const barHeight = 170;

/**
 * The bar: cells from 0 to 100 split where the percent and the expected percent fall, those up to the
 * percent in the status colour, the rest in the track's; the cell that starts at the expected percent
 * has a dark left edge (the PDF's dashed 序时进度 line).
 */
function bar(figure: BulletinFigure, width: number): Table {
  // positions in twips, so two percents a hair apart never make a cell of no width
  const at = (p: number) => Math.round((Math.min(Math.max(p, 0), 100) / 100) * width);
  const filled = at(figure.percent ?? 0);
  const expected = at(figure.expectedPercent);
  const stops = [...new Set([0, filled, expected, width])].sort((a, c) => a - c);
  const marker: IBorderOptions = { style: BorderStyle.SINGLE, size: 12, color: colours.text };
  const spans = stops.slice(0, -1).map((start, i) => ({ start, end: stops[i + 1] }));
  const cells = spans.map(
    ({ start, end }) =>
      new TableCell({
        width: { size: end - start, type: WidthType.DXA },
        shading: cellShading(end <= filled ? hex(statusLabels[figure.status].colour) : colours.track),
        margins: { top: 0, bottom: 0, left: 0, right: 0 },
        borders: {
          top: none,
          bottom: none,
          left: start === expected ? marker : none,
          right: end === expected && expected === width ? marker : none,
        },
        children: [new Paragraph({ style: style.cell, spacing: { line: barHeight, lineRule: 'exact' }, children: [] })],
      }),
  );
  return new Table({
    width: { size: width, type: WidthType.DXA },
    columnWidths: spans.map(({ start, end }) => end - start),
    layout: TableLayoutType.FIXED,
    borders: noBorders,
    rows: [new TableRow({ height: { value: barHeight, rule: HeightRule.EXACT }, children: cells })],
  });
}

function projects(b: Bulletin): (Paragraph | Table)[] {
  const widths = widthsOf([6, 28, 11, 11, 22, 11, 11]);
  const rows = b.projects.map((p) => [
    textCell(String(p.number), widths[0], { align: 'center' }),
    textCell(p.title, widths[1]),
    textCell(percentText(p.percent), widths[2], { align: 'center', bold: true, colour: hex(statusLabels[p.status].colour) }),
    textCell(percentText(p.expectedPercent), widths[3], { align: 'center' }),
    p.percent === null
      ? textCell(barNote(p), widths[4], { colour: colours.muted })
      : new TableCell({
          width: { size: widths[4], type: WidthType.DXA },
          verticalAlign: VerticalAlign.CENTER,
          // a paragraph after the table: Word requires one in a cell
          children: [
            bar(p, widths[4] - padding.left - padding.right),
            new Paragraph({ style: style.cell, spacing: { line: 20, lineRule: 'exact' } }),
          ],
        }),
    statusCell(p.status, widths[5]),
    textCell(withDataText(p), widths[6], { align: 'center' }),
  ]);
  return [heading(sectionTitles(b).projects), table(projectColumns, widths, rows), note(notes.projects)];
}

// ---------------------------------------------------------------------------------------------
// 三、进度滞后的项目

function behind(b: Bulletin): (Paragraph | Table)[] {
  const late = behindProjects(b);
  const noData = b.projects.filter((p) => p.status === 'NO_DATA');
  const widths = widthsOf([6, 24, 17, 9, 10, 10, 10, 14]);
  const rows = late.map((p) => [
    textCell(String(p.number), widths[0], { align: 'center' }),
    textCell(p.title, widths[1]),
    textCell(p.leads.join('、'), widths[2]),
    textCell(percentText(p.percent), widths[3], { align: 'center' }),
    textCell(percentText(p.expectedPercent), widths[4], { align: 'center' }),
    textCell(pointsFromExpected(p), widths[5], { align: 'center' }),
    statusCell(p.status, widths[6]),
    textCell(p.lastReportedOn ?? notReported, widths[7], { align: 'center' }),
  ]);
  return [
    heading(sectionTitles(b).behind),
    ...(late.length === 0
      ? [paragraph(noneBehindText(b))]
      : [paragraph(behindText(b, late.length), true), table(behindColumns, widths, rows)]),
    ...(noData.length > 0 ? [paragraph(noDataText(noData))] : []),
  ];
}

// ---------------------------------------------------------------------------------------------
// 四、牵头单位进度排名

function agencies(b: Bulletin): (Paragraph | Table)[] {
  const widths = widthsOf([8, 22, 22, 14, 16, 18]);
  const rows = b.agencies.map((a) => [
    textCell(a.rank === null ? '—' : String(a.rank), widths[0], { align: 'center' }),
    textCell(a.name, widths[1]),
    textCell(a.projects.join('、'), widths[2]),
    textCell(percentText(a.percent), widths[3], { align: 'center' }),
    textCell(withDataText(a), widths[4], { align: 'center' }),
    statusCell(a.status, widths[5]),
  ]);
  return [heading(sectionTitles(b).agencies), table(agencyColumns, widths, rows), note(notes.agencies)];
}

// ---------------------------------------------------------------------------------------------
// 五、县（市、区）排名

function units(b: Bulletin): (Paragraph | Table)[] {
  if (b.decomposed.length === 0) return [heading(sectionTitles(b).units), paragraph(noUnitsText)];
  const widths = widthsOf([8, 20, 44, 13, 15]);
  const rows = b.units.map((u) => [
    textCell(u.rank === null ? '—' : String(u.rank), widths[0], { align: 'center' }),
    textCell(u.name, widths[1]),
    textCell(unitTargetsText(u), widths[2]),
    textCell(percentText(u.percent), widths[3], { align: 'center' }),
    statusCell(u.status, widths[4]),
  ]);
  return [heading(sectionTitles(b).units), paragraph(decomposedText(b), true), table(unitColumns, widths, rows), note(notes.units)];
}

// ---------------------------------------------------------------------------------------------
// 六、报送情况

/** （2023-07-01 10:00） kept on one line, as the PDF keeps it: no-break hyphens and space */
const unbroken = (text: string) =>
  text
    .replace(/ /g, '\u00a0')
    .split('-')
    .flatMap((part, i) => (i === 0 ? [part] : [new NoBreakHyphen(), part]));

function round(r: BulletinRound, asOf: string): (Paragraph | Table)[] {
  if (r.late.length === 0) return [heading(roundHeading(r, asOf), 2), paragraph(allOnTimeText)];
  const widths = widthsOf([15, 51, 34]);
  const list = (pairs: BulletinLatePair[], when: boolean) =>
    pairs.length === 0
      ? [new TextRun('—')]
      : pairs.map(
          (l, i) =>
            new TextRun({ children: [`${i > 0 ? '；' : ''}${latePairText(l)}`, ...(when ? unbroken(`（${l.submittedAt}）`) : [])] }),
        );
  const listCell = (pairs: BulletinLatePair[], when: boolean, width: number) =>
    new TableCell({
      width: { size: width, type: WidthType.DXA },
      verticalAlign: VerticalAlign.CENTER,
      children: [new Paragraph({ style: style.cell, children: list(pairs, when) })],
    });
  const rows = [...lateByAgency(r)].map(([agency, pairs]) => [
    textCell(agency, widths[0]),
    listCell(
      pairs.filter((l) => l.submittedAt === null),
      false,
      widths[1],
    ),
    listCell(
      pairs.filter((l) => l.submittedAt !== null),
      true,
      widths[2],
    ),
  ]);
  return [heading(roundHeading(r, asOf), 2), table(roundColumns, widths, rows)];
}

function rounds(b: Bulletin): (Paragraph | Table)[] {
  return [
    heading(sectionTitles(b).rounds),
    ...(b.rounds.length === 0 ? [paragraph(noRoundsText(b))] : b.rounds.flatMap((r) => round(r, b.asOf))),
    note(notes.rounds(b)),
  ];
}

// ---------------------------------------------------------------------------------------------

const margin = (size: number, colour = colours.muted) => ({ size, color: colour });

/** The header: the bulletin and the plan, on every page, over a thin rule. */
const header = (b: Bulletin) =>
  new Header({
    children: [
      new Paragraph({
        tabStops: [{ type: TabStopType.RIGHT, position: textWidth }],
        border: { bottom: { style: BorderStyle.SINGLE, size: 4, color: 'c5ccd3', space: 2 } },
        children: [new TextRun({ text: `${bulletinTitle}\t${b.planTitle}（${b.documentNumber}）`, ...margin(16) })],
      }),
    ],
  });

/** The footer: the as-of date, 第 X 页，共 Y 页 (Word's PAGE and NUMPAGES fields) and the plan code. */
const footer = (b: Bulletin) =>
  new Footer({
    children: [
      new Paragraph({
        tabStops: [
          { type: TabStopType.CENTER, position: Math.round(textWidth / 2) },
          { type: TabStopType.RIGHT, position: textWidth },
        ],
        children: [
          new TextRun({
            ...margin(16),
            children: [
              `${asOfFooter(b)}\t${pageNumberText[0]}`,
              PageNumber.CURRENT,
              pageNumberText[1],
              PageNumber.TOTAL_PAGES,
              `${pageNumberText[2]}\t${b.planCode}`,
            ],
          }),
        ],
      }),
    ],
  });

const fonts = { ascii: bulletinFont, hAnsi: bulletinFont, eastAsia: bulletinFont, cs: bulletinFont };

export function bulletinDocument(b: Bulletin): Document {
  const headingRun = { font: fonts, bold: true, color: colours.text };
  return new Document({
    title: `${bulletinTitle}（数据截至${chineseDate(b.asOf)}）`,
    subject: `${b.planTitle}（${b.documentNumber}）`,
    creator: '民生实事数据中枢',
    styles: {
      default: {
        document: {
          // Chinese as the East Asian language; Latin text (dates, codes) by Latin rules: with zh-CN there too,
          // Writer breaks a line inside 2023-07-01
          run: { font: fonts, size: 21, color: colours.text, language: { value: 'en-US', eastAsia: 'zh-CN' } },
          paragraph: { spacing: { before: 40, after: 40, line: 312 }, alignment: AlignmentType.JUSTIFIED },
        },
        title: {
          run: { ...headingRun, size: 40, characterSpacing: 40 },
          paragraph: { alignment: AlignmentType.CENTER, spacing: { before: 0, after: 60 } },
        },
        heading1: { run: { ...headingRun, size: 26 }, paragraph: { keepNext: true, spacing: { before: 240, after: 100 } } },
        heading2: { run: { ...headingRun, size: 21 }, paragraph: { keepNext: true, spacing: { before: 140, after: 60 } } },
      },
      paragraphStyles: [
        {
          id: style.note,
          name: '注释',
          basedOn: 'Normal',
          quickFormat: true,
          run: { size: 17, color: colours.muted },
          paragraph: { spacing: { before: 40, after: 40, line: 276 } },
        },
        {
          id: style.cell,
          name: '表格文字',
          basedOn: 'Normal',
          quickFormat: true,
          run: { size: 18 },
          paragraph: { alignment: AlignmentType.LEFT, spacing: { before: 0, after: 0, line: 264 } },
        },
        {
          id: style.stat,
          name: '表格数字',
          basedOn: style.cell,
          run: { size: 30, bold: true },
          paragraph: { alignment: AlignmentType.CENTER, spacing: { before: 20, after: 0, line: 360 } },
        },
      ],
    },
    sections: [
      {
        properties: {
          page: {
            size: { width: page.width, height: page.height, orientation: PageOrientation.PORTRAIT },
            margin: { top: page.top, bottom: page.bottom, left: page.side, right: page.side, header: page.edge, footer: page.edge },
          },
        },
        headers: { default: header(b) },
        footers: { default: footer(b) },
        children: [
          new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(bulletinTitle)] }),
          new Paragraph({
            alignment: AlignmentType.CENTER,
            spacing: { after: 200 },
            border: { bottom: { style: BorderStyle.SINGLE, size: 12, color: colours.rule, space: 4 } },
            children: [new TextRun({ text: subtitle(b), color: colours.muted })],
          }),
          ...overview(b),
          ...projects(b),
          ...behind(b),
          ...agencies(b),
          ...units(b),
          ...rounds(b),
        ],
      },
    ],
  });
}

/** The .docx file (a zip of WordprocessingML). */
export const bulletinDocx = (b: Bulletin): Promise<Buffer> => Packer.toBuffer(bulletinDocument(b));
