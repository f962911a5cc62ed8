// @ts-check
// The one way the dashboard writes markup: `html` escapes every value it is given, and `render` is
// the only place that assigns innerHTML. Importable without a DOM (test/dashboard-modules.test.ts).

/** @type {Record<string, string>} */
const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Markup safe to insert: made only by `html` (every value escaped) or `raw` (trusted, rare). */
class Html {
  /** @type {string} */
  #markup;

  /** @param {string} markup */
  constructor(markup) {
    this.#markup = markup;
  }

  toString() {
    return this.#markup;
  }
}

/** @typedef {Html} Fragment */
/** @typedef {Fragment | string | number | boolean | null | undefined} Single */
/**
 * What a template takes: a fragment as it is; text, numbers and booleans escaped; null and
 * undefined as nothing; an array of these joined.
 * @typedef {Single | readonly Single[]} Value
 */

/** @param {Value} value @returns {string} */
function markupOf(value) {
  if (value instanceof Html) return value.toString();
  if (Array.isArray(value)) return value.map(markupOf).join('');
  if (value === null || value === undefined) return '';
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/**
 * A line break in the template's own text, with the indentation around it, is one space, as HTML
 * renders it (these templates hold no pre-formatted text), and nothing at the template's two ends:
 * Prettier lays the templates out on lines without changing what they show. Only ASCII whitespace,
 * as in HTML: a full-width space (U+3000) in a Chinese label is text.
 * @param {TemplateStringsArray} strings
 * @param {number} i
 */
function textAt(strings, i) {
  let text = strings[i];
  if (i === 0) text = text.replace(/^[ \t\n\f\r]*\n[ \t\n\f\r]*/, '');
  if (i === strings.length - 1) text = text.replace(/[ \t\n\f\r]*\n[ \t\n\f\r]*$/, '');
  return text.replace(/[ \t\n\f\r]*\n[ \t\n\f\r]*/g, ' ');
}

/**
 * The tagged template: html`<td title="${title}">${value}</td>`. Values go into element text or a
 * quoted attribute value; a value right after `=` inside a tag (an unquoted attribute) is refused.
 * @param {TemplateStringsArray} strings
 * @param {...Value} values
 * @returns {Fragment}
 */
export function html(strings, ...values) {
  let markup = textAt(strings, 0);
  let inTag = false;
  for (let i = 0; i < values.length; i++) {
    const before = strings[i];
    const open = before.lastIndexOf('<');
    const close = before.lastIndexOf('>');
    if (open !== close) inTag = open > close;
    if (inTag && /=\s*$/.test(before)) throw new Error(`html: quote the attribute value after "${before.slice(-40)}"`);
    markup += markupOf(values[i]) + textAt(strings, i + 1);
  }
  return new Html(markup);
}

/**
 * Trusted markup inserted as it is, unescaped. Only for fragments built from constants and numbers;
 * never for anything that came from the API or the user.
 * @param {string} markup
 * @returns {Fragment}
 */
export const raw = (markup) => new Html(markup);

/**
 * Replaces an element's content with a fragment: the dashboard's one innerHTML write.
 * @param {Element} element
 * @param {Fragment} fragment
 */
export function render(element, fragment) {
  if (!(fragment instanceof Html)) throw new TypeError('render takes a fragment made by html`…`');
  element.innerHTML = fragment.toString();
}
