// @ts-check
// The error banner and the login form's message: text only, never markup.
import { byId } from './dom.js';

/** @param {string} message an empty one hides the banner */
export function showError(message) {
  const el = byId('error');
  el.textContent = message;
  el.hidden = !message;
}

/** @param {string} message */
export function loginMessage(message) {
  const el = byId('login-message');
  el.textContent = message;
  el.hidden = !message;
}
