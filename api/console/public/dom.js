// @ts-check
// DOM helpers. Every value from the API reaches the page through textContent and attributes, never innerHTML.

/**
 * The element with this id; throws when the page lacks it (a typo, not a state to handle).
 * @param {string} id
 * @returns {HTMLElement}
 */
export function $(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`console: no element #${id}`);
  return el;
}

/** @typedef {Node | string | number | null | undefined | false} Leaf */
/** What h() takes as children: leaves, or lists of them (nested once), as `map` and `flatMap` give them. */
/** @typedef {Leaf | Leaf[] | Leaf[][]} Child */

/**
 * Creates an element: h('p', { className: 'x', 'aria-live': 'polite', onclick: fn }, 'text', child).
 * `on…` props become listeners, `dataset` fills data-*, other non-string values set the property (e.g. `selected`),
 * strings set the attribute; null, undefined and false props are left out.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, unknown> | null} [props]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'className') el.className = String(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    else if (key in el && typeof value !== 'string') /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (el))[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/**
 * @param {Element} el
 * @param {(Child)[]} children
 */
function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let flashTimer;

/**
 * Announces a result in the live region (sign-in, decisions, failures).
 * @param {string} message
 * @param {'ok' | 'info' | 'bad'} [tone]
 */
export function flash(message, tone = 'info') {
  const box = $('flash');
  box.className = `flash flash-${tone}`;
  // Clearing first makes screen readers announce the same sentence twice in a row.
  box.textContent = '';
  clearTimeout(flashTimer);
  requestAnimationFrame(() => {
    box.textContent = message;
  });
  // Good news fades after a while; a problem stays until the next message.
  if (tone !== 'bad') flashTimer = setTimeout(() => (box.textContent = ''), 15000);
}
