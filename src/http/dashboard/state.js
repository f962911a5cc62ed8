// @ts-check
// What the page holds between requests.

/** @typedef {import('./documents.js').MeData['me']} Me */
/** @typedef {import('./documents.js').Plan} Plan */
/** @typedef {import('./documents.js').Feed} Feed */

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
  /**
   * the page shown: the plan's progress, or the feeds (数据接入, OFFICE only)
   * @type {'overview' | 'feeds'}
   */
  view: 'overview',
  /** @type {Feed[]} */
  feeds: [],
  /**
   * the feed whose details are open, and the run whose quarantined records they show
   * @type {string | null}
   */
  selectedFeed: null,
  /** @type {string | null} */
  selectedRun: null,
  /**
   * the runs Run now is following until they finish, by feed id
   * @type {Map<string, string>}
   */
  following: new Map(),
  feedsSeq: 0,
  feedDetailSeq: 0,
};
