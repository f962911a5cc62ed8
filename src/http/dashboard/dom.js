// @ts-check
// The page's fixed elements (index.html), found by id.

/**
 * An element of the page by id, of the type the caller expects; a missing one is a bug in the page.
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} id
 * @param {new () => T} [type] e.g. HTMLInputElement
 * @returns {T}
 */
export function byId(id, type) {
  const el = document.getElementById(id);
  if (!(el instanceof (type ?? HTMLElement))) throw new Error(`the page has no ${type?.name ?? 'element'} #${id}`);
  return /** @type {T} */ (el);
}
