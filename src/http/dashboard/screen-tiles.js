// @ts-check
// The 大屏's tile map: every reporting unit as a tile in its rough place in Shangrao (north up), coloured
// by its status for the chosen indicator. As in the region table, a unit judged on its own target or a
// standard is coloured; a unit without a decomposed target shows its value and 占全市 share, uncoloured.
import { fmtPercent, fmtValue } from './format.js';
import { html } from './html.js';
import { notReportedAt } from './region-table.js';
import { SCORED, statusOf, statusText } from './status-view.js';

/** @typedef {import('./documents.js').Region} Region */
/** @typedef {import('./documents.js').UnitFigure} UnitFigure */
/** @typedef {import('./documents.js').ScreenIndicator} ScreenIndicator */
/** @typedef {import('./documents.js').ScreenPlan} ScreenPlan */

/**
 * Where each unit sits on a 6 × 4 grid (row, column; north up, west left) and its name on a tile: 鄱阳、
 * 余干、万年 in the west, 德兴 and 婺源 in the north-east, 信州 with 广信 around it and 广丰 in the east,
 * 铅山、横峰、弋阳 in the south-west, and 市本级 with the zones beside 信州. A unit not placed here (another
 * plan's) takes a free cell.
 * @type {Record<string, { row: number, column: number, short?: string }>}
 */
const PLACES = {
  361128: { row: 1, column: 1 }, // 鄱阳县
  361181: { row: 1, column: 4 }, // 德兴市
  361130: { row: 1, column: 5 }, // 婺源县
  361127: { row: 2, column: 1 }, // 余干县
  361129: { row: 2, column: 2 }, // 万年县
  'SR-SQS': { row: 2, column: 5, short: '三清山' },
  361123: { row: 2, column: 6 }, // 玉山县
  361126: { row: 3, column: 2 }, // 弋阳县
  361125: { row: 3, column: 3 }, // 横峰县
  'SR-HSR': { row: 3, column: 4, short: '高铁试验区' },
  361100: { row: 3, column: 5 }, // 市本级
  'SR-ETDZ': { row: 3, column: 6, short: '经开区' },
  361124: { row: 4, column: 3 }, // 铅山县
  361104: { row: 4, column: 4 }, // 广信区
  361102: { row: 4, column: 5 }, // 信州区
  361103: { row: 4, column: 6 }, // 广丰区
};

/** @param {ScreenPlan} plan */
export const indicatorsOf = (plan) => plan.projects.flatMap((p) => p.indicators);

/**
 * The indicator the map opens on: one with a decomposed target (every unit judged), else the first
 * reported by the counties that has data, else the first.
 * @param {ScreenIndicator[]} indicators
 */
export function defaultIndicator(indicators) {
  return (
    indicators.find((i) => i.regionTargets.length > 0) ??
    indicators.find((i) => i.kind !== 'TRACKED' && i.reportedBy !== 'CITY' && i.progress.value !== null) ??
    indicators[0]
  );
}

/**
 * The choices of the indicator select, by project.
 * @param {ScreenPlan} plan
 * @param {string} selected
 */
export function indicatorOptions(plan, selected) {
  return html`${plan.projects.map(
    (project) => html`
      <optgroup label="${project.number}. ${project.title}">
        ${project.indicators.map(
          (i) =>
            html`<option value="${i.code}" ${i.code === selected ? html`selected` : null}>
              ${i.code} ${i.name}${i.regionTargets.length > 0 ? '（任务分解）' : ''}
            </option>`,
        )}
      </optgroup>
    `,
  )}`;
}

/**
 * One unit's tile.
 * @param {ScreenIndicator} indicator
 * @param {Region} region
 * @param {UnitFigure | undefined} g
 */
function tile(indicator, region, g) {
  const place = PLACES[region.code];
  const name = place?.short ?? region.name;
  const at = place ? html`data-row="${place.row}" data-column="${place.column}"` : null;
  if (notReportedAt(indicator, region) && (g?.value === null || g?.value === undefined)) {
    const where = indicator.reportedBy === 'CITY' ? '只由市本级报送' : '由县（市、区）报送，市本级不报送';
    return html`<div class="tile tile-na" data-region="${region.code}" data-status="NA" title="${region.name}：${where}" ${at}>
      <span class="tile-name">${name}</span><span class="tile-value">·</span><span class="tile-sub">不报送</span>
    </div>`;
  }
  const s = statusOf(g?.status);
  const scored = SCORED.has(s);
  let sub = statusText(s);
  if (scored && g?.percent !== null && g?.percent !== undefined) sub = fmtPercent(g.percent);
  else if (!scored && g?.shareOfCity !== null && g?.shareOfCity !== undefined) sub = `占全市 ${fmtPercent(g.shareOfCity)}`;
  const cls = scored ? `tile-${s}` : s === 'NO_DATA' ? 'tile-NO_DATA' : 'tile-unscored';
  const title = `${region.name}：${fmtValue(g?.value)} ${indicator.unit}；${statusText(s)}`;
  return html`<div class="tile ${cls}" data-region="${region.code}" data-status="${s}" title="${title}" ${at}>
    <span class="tile-name">${name}</span><span class="tile-value">${fmtValue(g?.value)}</span><span class="tile-sub">${sub}</span>
  </div>`;
}

/**
 * The tiles of every unit of the plan for one indicator.
 * @param {ScreenIndicator} indicator
 * @param {Region[]} regions the plan's units
 * @param {{ region: Region, progress: UnitFigure }[]} byRegion
 */
export function tiles(indicator, regions, byRegion) {
  const figures = new Map(byRegion.map((r) => [r.region.code, r.progress]));
  return html`${regions.map((region) => tile(indicator, region, figures.get(region.code)))}`;
}

/**
 * Puts each tile in its cell (a style property set here: the CSP refuses style attributes in markup).
 * @param {ParentNode} root
 */
export function placeTiles(root) {
  for (const el of root.querySelectorAll('.tile[data-row]')) {
    if (el instanceof HTMLElement) el.style.gridArea = `${el.dataset.row} / ${el.dataset.column}`;
  }
}

/**
 * How to read the map: the status colours, and what an uncoloured tile means for this indicator.
 * @param {ScreenIndicator} indicator
 */
export function mapLegend(indicator) {
  const decomposed = indicator.regionTargets.length > 0;
  const note =
    indicator.kind === 'TARGET' && !decomposed
      ? '目标未分解到各地：各单位显示数值和占全市比重，不评价'
      : indicator.kind === 'TRACKED'
        ? '跟踪指标：显示数值和占全市比重，不评价'
        : decomposed
          ? '各地按分解目标评价'
          : '各地按同一标准评价';
  return html`
    ${['ACHIEVED', 'ON_TRACK', 'LAGGING', 'BEHIND', 'NO_DATA'].map(
      (s) => html`<span class="legend-item"><span class="swatch swatch-${s}"></span>${statusText(s)}</span>`,
    )}
    <span class="legend-note">${indicator.unit} · ${note}</span>
  `;
}
