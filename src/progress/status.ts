/**
 * The status of a figure (DESIGN.md 4.4) and how every surface names and colours it: the GraphQL
 * enum, the ledger, the demo's table and the dashboard (served to it as /dashboard/status.js) all
 * read this one table, so 正常推进 never reads 正常 somewhere else.
 */
export const statuses = ['ACHIEVED', 'ON_TRACK', 'LAGGING', 'BEHIND', 'NO_DATA', 'NOT_SCORED'] as const;
export type Status = (typeof statuses)[number];

export interface StatusLabel {
  zh: string;
  en: string;
  /** the text colour and the fill of a status cell (ARGB-free hex, as CSS and spreadsheets take it) */
  colour: string;
  fill: string;
}

export const statusLabels: Record<Status, StatusLabel> = {
  ACHIEVED: { zh: '已完成', en: 'Achieved', colour: '#1b6b3a', fill: '#bfe0c9' },
  ON_TRACK: { zh: '正常推进', en: 'On track', colour: '#3f9c5a', fill: '#eaf6ed' },
  LAGGING: { zh: '滞后', en: 'Lagging', colour: '#d48a0f', fill: '#fbefd6' },
  BEHIND: { zh: '严重滞后', en: 'Far behind', colour: '#c0392b', fill: '#f8dcd8' },
  NO_DATA: { zh: '无数据', en: 'No data', colour: '#6b7785', fill: '#eef0f3' },
  // counted and shown, never judged: a TRACKED figure, a county without a decomposed target
  NOT_SCORED: { zh: '不评价', en: 'Not scored', colour: '#6b7785', fill: '#ffffff' },
};

export const statusLabel = (status: Status): string => statusLabels[status].zh;

/** The table as an ES module for the dashboard (no build step there). */
export const statusModuleSource = (): string =>
  `// generated from src/progress/status.ts: the one table of status labels\nexport const STATUS = ${JSON.stringify(statusLabels, null, 2)};\n`;
