// @ts-check
// Numbers, dates and labels as the dashboard shows them. No DOM.

/** @typedef {import('./documents.js').Role} Role */
/** @typedef {import('./documents.js').IndicatorKind} IndicatorKind */
/** @typedef {import('./documents.js').ReportingLevel} ReportingLevel */

/** @type {Record<ReportingLevel, string>} */
const REPORTED_BY_LABEL = { REGIONS: '县区报送', CITY: '市本级报送', BOTH: '市、县均报送' };
/** @type {Record<IndicatorKind, string>} */
const KIND_LABEL = {
  TARGET: '目标',
  THRESHOLD: '比率',
  LEVEL: '标准',
  MILESTONE: '里程碑',
  TRACKED: '跟踪',
};
/** @type {Record<Role, string>} */
const ROLE_LABEL = { OFFICE: '领导小组办公室', BI: '只读分析（BI）', AGENCY: '单位' };

/** @param {ReportingLevel} level */
export const reportedByLabel = (level) => REPORTED_BY_LABEL[level] ?? level;
/** @param {IndicatorKind} kind */
export const kindLabel = (kind) => KIND_LABEL[kind] ?? kind;
/** @param {Role} role */
export const roleLabel = (role) => ROLE_LABEL[role] ?? role;

/** "2023-07-01", as the API and a date input give a day. @param {string} s */
export const isDate = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s);

/** The browser's today: the date picker's value until the hub tells its own. */
export function todayLocal() {
  const d = new Date();
  /** @param {number} n */
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** "84.29%", or "—" without a percent. @param {number | string | null | undefined} p */
export const fmtPercent = (p) => (p === null || p === undefined ? '—' : `${Number(p).toFixed(2)}%`);
/** @param {number | string | null | undefined} v */
export const fmtValue = (v) => (v === null || v === undefined ? '—' : String(v));

/**
 * An ISO instant as wall time in the plan's time zone: "2023-06-28 23:59".
 * @param {string | null | undefined} s
 * @param {string | null | undefined} timeZone
 */
export function fmtInstant(s, timeZone) {
  if (!s) return '—';
  const at = new Date(s);
  if (Number.isNaN(at.getTime())) return String(s);
  try {
    const format = new Intl.DateTimeFormat('en-CA', {
      timeZone: timeZone || 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    const part = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
    return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}`;
  } catch {
    return String(s).slice(0, 16).replace('T', ' ');
  }
}

/**
 * "3/5 项指标有数据": how many of a roll-up's scored parts the figure rests on.
 * @param {{ partsWithData: number | null, parts: number | null }} p
 * @param {string} noun
 */
export const partsText = (p, noun) => `${p.partsWithData ?? 0}/${p.parts ?? 0} ${noun}有数据`;
