// Small DOM and formatting helpers shared by the screens.

/** h builds an element: h('button', {class: 'x', onclick: fn}, 'text', child). */
export function h(tag, attrs, ...children) {
  const svg = tag.startsWith('svg:');
  const el = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k in el && !svg && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** fill replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);

/** coins formats a whole number of coins. */
export function coins(n) {
  return Number(n || 0).toLocaleString('en-US');
}

/** mult formats a multiplier in hundredths: 250 -> "2.50x". */
export function mult(hundredths) {
  return (Number(hundredths) / 100).toFixed(2) + 'x';
}

export function time(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return d.toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'medium' });
}

/** Messages for error codes, above the server's own message. */
const titles = {
  insufficient_funds: 'Not enough coins',
  rate_limited: 'Slow down',
  unavailable: 'Service unavailable',
  forbidden: 'Not allowed',
  loss_limit: 'Daily loss limit',
  banned: 'Account suspended',
  totp_required: 'Two-factor code needed',
  disconnected: 'Disconnected',
  timeout: 'No answer',
  unauthorized: 'Please log in',
};

/** explain turns an error into one line for the player. */
export function explain(err) {
  const code = err && err.code;
  let msg = (err && err.message) || 'Something went wrong.';
  if (code === 'rate_limited' && err.retryAfter) msg += ` Try again in ${err.retryAfter}s.`;
  if (code === 'unavailable' && !/nothing was charged|try again/i.test(msg)) msg += ' Try again shortly.';
  if (code === 'loss_limit' && !/limit/i.test(msg)) msg = "This bet would pass today's loss limit.";
  const title = titles[code];
  const said = title && msg.toLowerCase().includes(title.toLowerCase().replace(/^not /, ''));
  return title && !said ? `${title}: ${msg}` : msg;
}

let toastBox = null;

/** toast shows a message for a few seconds (kind: info, error, win). */
export function toast(text, kind = 'info', ms = 5000) {
  if (!toastBox) toastBox = document.getElementById('toasts');
  const el = h('div', { class: ['toast', kind], role: kind === 'error' ? 'alert' : 'status' }, text,
    h('button', { type: 'button', class: 'close', 'aria-label': 'Dismiss', onclick: () => el.remove() }, '×'));
  toastBox.append(el);
  setTimeout(() => el.remove(), ms);
  while (toastBox.children.length > 5) toastBox.firstChild.remove();
}

export function toastError(err) {
  toast(explain(err), 'error', 7000);
}

/** countdown returns the whole seconds left until an ISO deadline. */
export function secondsLeft(deadline, now) {
  if (!deadline) return null;
  return Math.max(0, Math.ceil((Date.parse(deadline) - now) / 1000));
}

const suits = { S: '♠', H: '♥', D: '♦', C: '♣' };

/** card draws a card code ("TD", "AS") or a face-down card (null). */
export function card(code) {
  if (!code) return h('span', { class: 'card back', role: 'img', 'aria-label': 'face-down card' }, '');
  const rank = code[0] === 'T' ? '10' : code[0];
  const suit = code[1];
  const red = suit === 'H' || suit === 'D';
  return h('span', { class: ['card', red && 'red'], role: 'img', 'aria-label': `${rank} of ${{ S: 'spades', H: 'hearts', D: 'diamonds', C: 'clubs' }[suit]}` },
    h('span', { class: 'rank' }, rank), h('span', { class: 'suit' }, suits[suit]));
}

export const RED = new Set([1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36]);
export function colorOf(n) {
  return n === 0 ? 'green' : RED.has(n) ? 'red' : 'black';
}
