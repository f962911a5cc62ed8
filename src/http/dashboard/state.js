// @ts-check
// What the page holds between requests.

/** @typedef {import('./documents.js').MeData['me']} Me */
/** @typedef {import('./documents.js').Plan} Plan */

export const state = {
  /** @type {string | null} */
  token: null,
  /** @type {Me | null} */
  me: null,
  asOf: '',
  /** the hub's today: the latest date the hub answers for (the date picker's max) */
  today: '',
  /** the person picked a date: the hub's "today" no longer replaces it */
  asOfChosen: false,
  /** @type {Plan | null} */
  overview: null,
  /**
   * the opened project
   * @type {number | null}
   */
  selected: null,
  /** answers to an earlier request than the latest are dropped */
  overviewSeq: 0,
  detailSeq: 0,
};
