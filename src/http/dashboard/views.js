// @ts-check
// The dashboard's pages, switched by the tabs above them: 进展总览 for every login, 数据接入 / Feeds for
// OFFICE only (feeds hold the bureaus' addresses; the hub refuses them to BI). #feeds in the address
// reopens the feeds page on reload.
import { byId } from './dom.js';
import { initFeeds, loadFeeds, resetFeeds } from './feeds.js';
import { state } from './state.js';

/** @typedef {typeof state.view} View */

/** Sets the tabs for the role just logged in and opens its page: called on every login. */
export function showViews() {
  const office = state.me?.role === 'OFFICE';
  byId('views').hidden = !office;
  byId('nav-feeds').hidden = !office;
  resetFeeds();
  openView(office && window.location.hash === '#feeds' ? 'feeds' : 'overview');
}

/** @param {View} view */
export function openView(view) {
  const shown = view === 'feeds' && state.me?.role === 'OFFICE' ? 'feeds' : 'overview';
  state.view = shown;
  byId('dashboard').dataset.view = shown;
  byId('feeds-view').hidden = shown !== 'feeds';
  for (const tab of byId('views').querySelectorAll('[data-view]')) {
    const on = tab.getAttribute('data-view') === shown;
    tab.classList.toggle('active', on);
    if (on) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
  const { pathname, search } = window.location;
  window.history.replaceState(null, '', shown === 'feeds' ? '#feeds' : `${pathname}${search}`);
  if (shown === 'feeds') void loadFeeds();
}

export function initViews() {
  byId('views').addEventListener('click', (event) => {
    const tab = event.target instanceof Element ? event.target.closest('[data-view]') : null;
    const view = tab?.getAttribute('data-view');
    if (view === 'overview' || view === 'feeds') openView(view);
  });
  initFeeds();
}
