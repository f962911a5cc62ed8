import type { Bulletin, BulletinLatePair, BulletinProject, BulletinRound } from './bulletin.js';
import { pointsFromExpected } from './bulletin.js';
import {
  agencyColumns,
  allOnTimeText,
  asOfFooter,
  barNote,
  behindColumns,
  behindProjects as behindOf,
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
  percentText as pct,
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
 * The bulletin (进展通报) as one HTML page for Chromium to print (A4 portrait). Every value goes
 * through `html`, which escapes it; the page loads nothing (no script, no external font or image):
 * the chart is inline SVG and the text uses a CJK font installed on the machine.
 */

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Markup made only by `html` (every value escaped): the one way this page is written. */
export class Markup {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

type Value = Markup | string | number | null | undefined | false | readonly Value[];

function markupOf(value: Value): string {
  if (value instanceof Markup) return value.markup;
  if (Array.isArray(value)) return value.map(markupOf).join('');
  if (value === null || value === undefined || value === false) return '';
  return String(value).replace(/[&<>"']/g, (c) => escapes[c]);
}

/** html`<td title="${title}">${value}</td>`: text and numbers escaped, Markup as it is, arrays joined. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Markup {
  return new Markup(strings.reduce((out, text, i) => out + text + (i < values.length ? markupOf(values[i]) : ''), ''));
}

const fontFamily = `"WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif`;

/** Agency names joined by 、, each kept whole on its line. */
const names = (list: string[]) => list.map((name, i) => html`${i > 0 ? '、' : ''}<span class="nowrap">${name}</span>`);

function statusTag(status: Status): Markup {
  const label = statusLabels[status];
  return html`<span class="tag" style="color: ${label.colour}; background: ${label.fill}">${label.zh}</span>`;
}

// ---------------------------------------------------------------------------------------------
// 一、总体进展

function overview(b: Bulletin): Markup {
  const o = b.overall;
  const label = statusLabels[o.status];
  return html`
    <section id="overview">
      <h2>${sectionTitles(b).overview}</h2>
      <div class="stats">
        <div class="stat">
          <div class="stat-label">${overviewLabels.percent}</div>
          <div class="stat-value" style="color: ${label.colour}">${pct(o.percent)}</div>
        </div>
        <div class="stat">
          <div class="stat-label">${overviewLabels.expected}</div>
          <div class="stat-value">${pct(o.expectedPercent)}</div>
        </div>
        <div class="stat">
          <div class="stat-label">${overviewLabels.status}</div>
          <div class="stat-value">${statusTag(o.status)}</div>
        </div>
        <div class="stat">
          <div class="stat-label">${overviewLabels.withData}</div>
          <div class="stat-value">${o.withData}/${o.parts}</div>
        </div>
      </div>
      <p>${overviewText(b)}</p>
      <p>${statusCountsText(b)}</p>
      <p class="note">${notes.overview}</p>
    </section>
  `;
}

// ---------------------------------------------------------------------------------------------
// 二、十件实事进展: horizontal bars against the expected line

const chart = { width: 680, labelWidth: 236, barX: 246, barWidth: 300, rowHeight: 32, top: 30, labelSize: 11 };

/** About how wide a character is: a CJK one an em, others about half (the SVG has no text layout of its own). */
const charWidth = (c: string, size: number) => (c.charCodeAt(0) > 0x2e80 ? size : size * 0.56);
const textWidth = (text: string, size: number) => [...text].reduce((w, c) => w + charWidth(c, size), 0);

/** Splits a label into lines of at most `width` px. */
export function wrapLabel(text: string, width: number, size: number): string[] {
  const lines: string[] = [];
  let line = '';
  let used = 0;
  for (const c of text) {
    const w = charWidth(c, size);
    if (used + w > width && line) {
      lines.push(line);
      line = '';
      used = 0;
    }
    line += c;
    used += w;
  }
  if (line) lines.push(line);
  return lines;
}

const x = (percent: number) => chart.barX + (Math.min(Math.max(percent, 0), 100) / 100) * chart.barWidth;

function projectRow(p: BulletinProject, i: number): Markup {
  const y = chart.top + i * chart.rowHeight;
  const mid = y + chart.rowHeight / 2;
  const label = statusLabels[p.status];
  const lines = wrapLabel(`${p.number}. ${p.title}`, chart.labelWidth, chart.labelSize).slice(0, 2);
  const firstLine = mid - ((lines.length - 1) * (chart.labelSize + 2)) / 2 + chart.labelSize / 3;
  const scored = p.percent !== null;
  const note = barNote(p);
  return html`
    <g class="project" data-project="${p.number}" data-status="${p.status}">
      ${lines.map((line, n) => html`<text x="0" y="${(firstLine + n * (chart.labelSize + 2)).toFixed(1)}" class="label">${line}</text>`)}
      <rect x="${chart.barX}" y="${mid - 7}" width="${chart.barWidth}" height="14" class="${scored ? 'track' : 'track track-empty'}" />
      ${
        scored &&
        html`<rect
          x="${chart.barX}"
          y="${mid - 7}"
          width="${(x(p.percent!) - chart.barX).toFixed(1)}"
          height="14"
          fill="${label.colour}"
        />`
      }
      <line
        x1="${x(p.expectedPercent).toFixed(1)}"
        x2="${x(p.expectedPercent).toFixed(1)}"
        y1="${mid - 11}"
        y2="${mid + 11}"
        class="expected"
      />
      ${
        !scored &&
        // on a patch of the track's colour: the expected line passes behind the note, never through it
        html`<rect x="${chart.barX + 3}" y="${mid - 6}" width="${(textWidth(note, 9.5) + 6).toFixed(1)}" height="12" class="note-ground" />
          <text x="${chart.barX + 6}" y="${mid + 3.5}" class="bar-note">${note}</text>`
      }
      <text x="${chart.barX + chart.barWidth + 10}" y="${mid - 2}" class="value" fill="${label.colour}">${pct(p.percent)}</text>
      <text x="${chart.barX + chart.barWidth + 10}" y="${mid + 10}" class="value-sub"
        >${label.zh}${p.parts > 0 ? ` · ${p.withData}/${p.parts}` : ''}</text
      >
    </g>
  `;
}

function projectChart(b: Bulletin): Markup {
  const height = chart.top + b.projects.length * chart.rowHeight + 8;
  const expected = b.overall.expectedPercent;
  const ticks = [0, 25, 50, 75, 100];
  const expectedX = x(expected);
  const anchor = expected > 85 ? 'end' : expected < 15 ? 'start' : 'middle';
  const legend: Status[] = ['ACHIEVED', 'ON_TRACK', 'LAGGING', 'BEHIND'];
  return html`
    <section id="projects">
      <h2>${sectionTitles(b).projects}</h2>
      <svg
        class="chart"
        viewBox="0 0 ${chart.width} ${height}"
        width="100%"
        role="img"
        aria-label="各项目完成率与序时进度"
        xmlns="http://www.w3.org/2000/svg"
      >
        ${ticks.map(
          (t) => html`
            <line x1="${x(t)}" x2="${x(t)}" y1="${chart.top - 4}" y2="${height - 8}" class="grid" />
            <text x="${x(t)}" y="${chart.top - 8}" class="tick">${t}%</text>
          `,
        )}
        <text x="${expectedX.toFixed(1)}" y="10" class="expected-label" text-anchor="${anchor}">序时进度 ${pct(expected)}</text>
        ${b.projects.map(projectRow)}
      </svg>
      <div class="legend">
        ${legend.map((s) => html`<span><i style="background: ${statusLabels[s].colour}"></i>${statusLabels[s].zh}</span>`)}
        <span><i class="legend-track"></i>${statusLabels.NO_DATA.zh} / ${statusLabels.NOT_SCORED.zh}（无柱）</span>
        <span><i class="legend-expected"></i>序时进度</span>
      </div>
      <p class="note">${notes.projects}</p>
    </section>
  `;
}

// ---------------------------------------------------------------------------------------------
// 三、进度滞后的项目

function behindProjects(b: Bulletin): Markup {
  const behind = behindOf(b);
  const noData = b.projects.filter((p) => p.status === 'NO_DATA');
  const widths = [6, 27, 19, 9, 9, 9, 9, 12];
  return html`
    <section id="behind">
      <h2>${sectionTitles(b).behind}</h2>
      ${
        behind.length === 0
          ? html`<p>${noneBehindText(b)}</p>`
          : html`
              <p>${behindText(b, behind.length)}</p>
              <table>
                <thead>
                  <tr>
                    ${behindColumns.map(
                      (column, i) => html`<th class="${[0, 3, 4].includes(i) && 'num'}" style="width: ${widths[i]}%">${column}</th>`,
                    )}
                  </tr>
                </thead>
                <tbody>
                  ${behind.map(
                    (p) => html`
                      <tr data-project="${p.number}">
                        <td class="num">${p.number}</td>
                        <td>${p.title}</td>
                        <td>${names(p.leads)}</td>
                        <td class="num">${pct(p.percent)}</td>
                        <td class="num">${pct(p.expectedPercent)}</td>
                        <td class="num">${pointsFromExpected(p)}</td>
                        <td>${statusTag(p.status)}</td>
                        <td>${p.lastReportedOn ?? notReported}</td>
                      </tr>
                    `,
                  )}
                </tbody>
              </table>
            `
      }
      ${noData.length > 0 && html`<p>${noDataText(noData)}</p>`}
    </section>
  `;
}

// ---------------------------------------------------------------------------------------------
// 四、牵头单位进度排名

function agencyRanking(b: Bulletin): Markup {
  return html`
    <section id="agencies">
      <h2>${sectionTitles(b).agencies}</h2>
      <table>
        <thead>
          <tr>
            ${agencyColumns.map((column, i) => html`<th class="${[0, 3, 4].includes(i) && 'num'}">${column}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${b.agencies.map(
            (a) => html`
              <tr data-agency="${a.code}">
                <td class="num">${a.rank ?? '—'}</td>
                <td>${a.name}</td>
                <td>${a.projects.join('、')}</td>
                <td class="num">${pct(a.percent)}</td>
                <td class="num">${withDataText(a)}</td>
                <td>${statusTag(a.status)}</td>
              </tr>
            `,
          )}
        </tbody>
      </table>
      <p class="note">${notes.agencies}</p>
    </section>
  `;
}

// ---------------------------------------------------------------------------------------------
// 五、县（市、区）排名

function unitRanking(b: Bulletin): Markup {
  if (b.decomposed.length === 0) {
    return html`
      <section id="units">
        <h2>${sectionTitles(b).units}</h2>
        <p>${noUnitsText}</p>
      </section>
    `;
  }
  return html`
    <section id="units">
      <h2>${sectionTitles(b).units}</h2>
      <p>${decomposedText(b)}</p>
      <table>
        <thead>
          <tr>
            ${unitColumns.map((column, i) => html`<th class="${[0, 3].includes(i) && 'num'}">${column}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${b.units.map(
            (u) => html`
              <tr data-unit="${u.code}">
                <td class="num">${u.rank ?? '—'}</td>
                <td>${u.name}</td>
                <td>${unitTargetsText(u)}</td>
                <td class="num">${pct(u.percent)}</td>
                <td>${statusTag(u.status)}</td>
              </tr>
            `,
          )}
        </tbody>
      </table>
      <p class="note">${notes.units}</p>
    </section>
  `;
}

// ---------------------------------------------------------------------------------------------
// 六、报送情况

/** A round's pairs not reported on time, one row per agency: what it never sent, what it sent late (and when). */
function roundSection(round: BulletinRound, asOf: string): Markup {
  const byAgency = lateByAgency(round);
  const list = (pairs: BulletinLatePair[], when: boolean) =>
    pairs.length === 0
      ? '—'
      : pairs.map((l, i) => html`${i > 0 ? '；' : ''}${latePairText(l)}${when && html`<span class="nowrap">（${l.submittedAt}）</span>`}`);
  return html`
    <div class="round">
      <h3>${roundHeading(round, asOf)}</h3>
      ${
        round.late.length === 0
          ? html`<p>${allOnTimeText}</p>`
          : html`
              <table>
                <thead>
                  <tr>
                    <th style="width: 15%">${roundColumns[0]}</th>
                    <th>${roundColumns[1]}</th>
                    <th style="width: 34%">${roundColumns[2]}</th>
                  </tr>
                </thead>
                <tbody>
                  ${[...byAgency].map(
                    ([agency, pairs]) => html`
                      <tr>
                        <td>${agency}</td>
                        <td>
                          ${list(
                            pairs.filter((l) => l.submittedAt === null),
                            false,
                          )}
                        </td>
                        <td>
                          ${list(
                            pairs.filter((l) => l.submittedAt !== null),
                            true,
                          )}
                        </td>
                      </tr>
                    `,
                  )}
                </tbody>
              </table>
            `
      }
    </div>
  `;
}

function rounds(b: Bulletin): Markup {
  return html`
    <section id="rounds">
      <h2>${sectionTitles(b).rounds}</h2>
      ${b.rounds.length === 0 ? html`<p>${noRoundsText(b)}</p>` : b.rounds.map((round) => roundSection(round, b.asOf))}
      <p class="note">${notes.rounds(b)}</p>
    </section>
  `;
}

// ---------------------------------------------------------------------------------------------

const style = `
  @page { size: A4 portrait; }
  * { box-sizing: border-box; }
  html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { margin: 0; font-family: ${fontFamily}; font-size: 10.5pt; line-height: 1.55; color: #1f2933; }
  h1 { font-size: 20pt; text-align: center; margin: 0 0 4pt; letter-spacing: 2pt; }
  .subtitle { text-align: center; color: #52606d; margin: 0 0 10pt; }
  .masthead { border-bottom: 2px solid #c0392b; margin-bottom: 10pt; }
  h2 { font-size: 13pt; margin: 14pt 0 6pt; break-after: avoid; }
  h3 { font-size: 10.5pt; margin: 8pt 0 4pt; break-after: avoid; }
  p { margin: 4pt 0; text-align: justify; }
  .note { font-size: 8.5pt; color: #52606d; }
  .stats { display: flex; gap: 8pt; margin: 6pt 0; }
  .stat { flex: 1; border: 1px solid #d0d7de; border-radius: 4pt; padding: 5pt 8pt; text-align: center; }
  .stat-label { font-size: 8.5pt; color: #52606d; }
  .stat-value { font-size: 15pt; font-weight: bold; }
  .stat-value .tag { font-size: 11pt; }
  .tag { display: inline-block; padding: 0 4pt; border-radius: 3pt; font-size: 9pt; white-space: nowrap; }
  table { width: 100%; border-collapse: collapse; font-size: 9pt; margin: 4pt 0; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  th, td { border: 1px solid #8c96a0; padding: 2pt 4pt; vertical-align: middle; }
  th { background: #ddebf7; font-weight: bold; text-align: center; }
  td.num, th.num { text-align: center; white-space: nowrap; }
  section { break-inside: auto; }
  #projects { break-inside: avoid; }
  .chart { display: block; }
  .chart text { font-family: ${fontFamily}; }
  .chart .label { font-size: ${chart.labelSize}px; fill: #1f2933; }
  .chart .tick { font-size: 9px; fill: #6b7785; text-anchor: middle; }
  .chart .grid { stroke: #e4e7eb; stroke-width: 1; }
  .chart .track { fill: #eef0f3; }
  .chart .track-empty { stroke: #c5ccd3; stroke-width: 0.75; stroke-dasharray: 2 2; }
  .chart .note-ground { fill: #eef0f3; }
  .chart .bar-note { font-size: 9.5px; fill: #52606d; }
  .chart .expected { stroke: #1f2933; stroke-width: 1.5; stroke-dasharray: 3 2; }
  .chart .expected-label { font-size: 10px; fill: #1f2933; font-weight: bold; }
  .chart .value { font-size: 11px; font-weight: bold; }
  .chart .value-sub { font-size: 9px; fill: #52606d; }
  .legend { display: flex; flex-wrap: wrap; gap: 4pt 12pt; font-size: 8.5pt; color: #52606d; margin: 2pt 0 4pt; }
  .legend i { display: inline-block; width: 10pt; height: 8pt; margin-right: 3pt; vertical-align: -1pt; }
  .legend .legend-track { background: #eef0f3; border: 1px solid #c5ccd3; }
  .legend .legend-expected { width: 0; height: 10pt; border-left: 1.5px dashed #1f2933; margin: 0 4pt; }
  /* short sections stay on one page; a long table breaks between rows, its header repeated, never right after its heading */
  #behind, #agencies { break-inside: avoid; }
  h2 + p { break-after: avoid; }
  .nowrap { white-space: nowrap; }
`;

/** The whole page; the header and footer (page numbers) are Chromium's, see bulletinFooter. */
export function bulletinHtml(b: Bulletin): string {
  const title = `${bulletinTitle}（数据截至${chineseDate(b.asOf)}）`;
  return html`<!doctype html>
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <title>${title}</title>
        <style>
          ${new Markup(style)}
        </style>
      </head>
      <body>
        <header class="masthead">
          <h1>${bulletinTitle}</h1>
          <p class="subtitle">${subtitle(b)}</p>
        </header>
        ${overview(b)} ${projectChart(b)} ${behindProjects(b)} ${agencyRanking(b)} ${unitRanking(b)} ${rounds(b)}
      </body>
    </html>`.markup;
}

const marginText = `font-family: ${fontFamily}; font-size: 8px; color: #52606d; width: 100%; margin: 0 16mm; display: flex;`;

/** Chromium's header: the plan and the document, on every page. */
export function bulletinHeader(b: Bulletin): string {
  return html`<div style="${marginText} justify-content: space-between; border-bottom: 0.5px solid #c5ccd3; padding-bottom: 2px;">
    <span>${bulletinTitle}</span><span>${b.planTitle}（${b.documentNumber}）</span>
  </div>`.markup;
}

/** Chromium's footer: the as-of date and page numbers (its pageNumber and totalPages classes). */
export function bulletinFooter(b: Bulletin): string {
  return html`<div style="${marginText} justify-content: space-between;">
    <span>${asOfFooter(b)}</span
    ><span
      >${pageNumberText[0]}<span class="pageNumber"></span>${pageNumberText[1]}<span class="totalPages"></span>${pageNumberText[2]}</span
    ><span>${b.planCode}</span>
  </div>`.markup;
}
