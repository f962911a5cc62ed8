// @ts-check
// A project's indicators by reporting unit: 全市, then 市本级 and the counties and zones.
import { fmtPercent, fmtValue } from './format.js';
import { html } from './html.js';
import { SCORED, statusOf, statusText } from './status-view.js';

/** @typedef {import('./documents.js').Indicator} Indicator */
/** @typedef {import('./documents.js').ProjectDetail} ProjectDetail */
/** @typedef {import('./documents.js').Region} Region */
/** @typedef {import('./documents.js').UnitFigure} UnitFigure */
/** @typedef {import('./documents.js').IndicatorFigure} IndicatorFigure */

/**
 * The level an indicator is reported at does not include this unit (e.g. a county standard at 市本级).
 * @param {Pick<Indicator, 'reportedBy'>} indicator
 * @param {Region | null} region
 */
export function notReportedAt(indicator, region) {
  if (!region?.level) return false;
  if (indicator.reportedBy === 'REGIONS') return region.level === 'CITY';
  if (indicator.reportedBy === 'CITY') return region.level !== 'CITY';
  return false;
}

/**
 * One cell of the region table. A scored figure (a decomposed target, a standard, a bound, or the
 * 全市 figure) is coloured by its status and shows its percent; a unit that is not scored against
 * anything shows its value and its share of the 全市 value (占全市), with no colour at all.
 * @param {Indicator} indicator
 * @param {Region | null} region null for 全市
 * @param {Partial<UnitFigure & IndicatorFigure> | undefined} g
 * @param {{ isCity?: boolean, regionTarget?: string | null }} [options]
 */
function regionCell(indicator, region, g, { isCity = false, regionTarget = null } = {}) {
  if (!isCity && notReportedAt(indicator, region) && (g?.value === null || g?.value === undefined)) {
    const where = indicator.reportedBy === 'CITY' ? '只由市本级报送' : '由县（市、区）报送，市本级不报送';
    const title = `${indicator.code} ${indicator.name}：${where}`;
    return html`<td class="num cell-na" data-indicator="${indicator.code}" data-status="NA" title="${title}">·</td>`;
  }
  const s = statusOf(g?.status);
  const scored = SCORED.has(s);
  const cls = scored ? `cell-${s}` : s === 'NO_DATA' ? 'cell-NO_DATA' : 'cell-unscored';
  let sub = '';
  if (scored && g?.percent !== null && g?.percent !== undefined) sub = fmtPercent(g.percent);
  else if (!scored && !isCity && g?.shareOfCity !== null && g?.shareOfCity !== undefined) sub = `占全市 ${fmtPercent(g.shareOfCity)}`;
  const title = [
    `${indicator.code} ${indicator.name}`,
    `${isCity ? '全市' : region?.name}：${fmtValue(g?.value)} ${indicator.unit}`,
    regionTarget !== null ? `分解目标 ${regionTarget}` : '',
    g?.percent !== null && g?.percent !== undefined ? `完成 ${fmtPercent(g.percent)}` : '',
    !isCity && g?.shareOfCity !== null && g?.shareOfCity !== undefined ? `占全市 ${fmtPercent(g.shareOfCity)}` : '',
    statusText(s),
  ]
    .filter(Boolean)
    .join('；');
  return html`
    <td class="num ${cls}" data-indicator="${indicator.code}" data-status="${s}" title="${title}">
      <span class="cell-value">${fmtValue(g?.value)}</span>
      ${sub ? html`<span class="cell-sub">${sub}</span>` : null}
    </td>
  `;
}

/** A column head: the indicator's code, 分解 when its target is decomposed, its unit. @param {Indicator} ind */
function indicatorHead(ind) {
  const decomposed = (ind.regionTargets ?? []).length > 0 ? html`<span class="decomposed-head">分解</span>` : null;
  return html`<th class="num" data-indicator="${ind.code}" title="${ind.name}">
    ${ind.code}${decomposed}<span class="unit-head">${ind.unit}</span>
  </th>`;
}

/**
 * The table with its heading and how to read it.
 * @param {ProjectDetail} project
 * @param {Region[]} regions the plan's reporting units, in the hub's order
 */
export function regionTable(project, regions) {
  // the reporting units in the hub's order (市本级 first, then the counties and zones)
  const known = new Map(regions.map((r) => [r.code, r]));
  /** @type {Region[]} */
  const units = [];
  const seen = new Set();
  for (const ind of project.indicators) {
    for (const row of ind.byRegion) {
      if (seen.has(row.region.code)) continue;
      seen.add(row.region.code);
      units.push({ ...known.get(row.region.code), ...row.region });
    }
  }
  for (const region of regions) if (!seen.has(region.code)) units.push(region);

  const byIndicator = new Map(project.indicators.map((ind) => [ind.code, new Map(ind.byRegion.map((r) => [r.region.code, r.progress]))]));
  const targetsOf = new Map(
    project.indicators.map((ind) => [ind.code, new Map((ind.regionTargets ?? []).map((t) => [t.regionCode, t.target]))]),
  );

  return html`
    <h3>分区域</h3>
    <p class="region-note muted">
      全市为各报送单位（含市本级）合计。任务未分解到各地的指标，各单位只列数值和占全市比重，不评价、不着色；任务已分解的指标（标“分解”）按各地自身目标评价；标准和比率类指标各单位按同一标准评价。“·”：该指标不在此层级报送。
    </p>
    <div class="table-wrap">
      <table class="regions" id="region-table">
        <thead>
          <tr>
            <th>区域</th>
            ${project.indicators.map(indicatorHead)}
          </tr>
        </thead>
        <tbody>
          <tr data-region="ALL" class="city-total">
            <th scope="row">全市 <span class="muted">各单位合计</span></th>
            ${project.indicators.map((ind) => regionCell(ind, null, ind.progress, { isCity: true }))}
          </tr>
          ${units.map(
            (region) => html`
              <tr data-region="${region.code}" ${region.level === 'CITY' ? html` class="city-unit"` : null}>
                <th scope="row">${region.name} <span class="muted">${region.code}</span></th>
                ${project.indicators.map((ind) =>
                  regionCell(ind, region, byIndicator.get(ind.code)?.get(region.code), {
                    regionTarget: targetsOf.get(ind.code)?.get(region.code) ?? null,
                  }),
                )}
              </tr>
            `,
          )}
        </tbody>
      </table>
    </div>
  `;
}
