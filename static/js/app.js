// The browser client: session, header, connection banner, big-win ticker
// and a hash router over the screens.
import { Imperio } from './imperio.js';
import { api, refresh, setAuthLost } from './api.js';
import { h, fill, coins, explain, toast, toastError } from './ui.js';
import * as auth from './auth.js';
import * as lobby from './lobby.js';
import * as slots from './slots.js';
import * as blackjack from './blackjack.js';
import * as roulette from './roulette.js';
import * as crash from './crash.js';
import * as history from './history.js';
import * as fair from './fair.js';
import * as account from './account.js';
import * as admin from './admin.js';

const $ = (id) => document.getElementById(id);

const ctx = {
  client: null,
  me: null,
  coins: 0,
  machines: [],
  rooms: [],
  bigwins: [],
  setCoins(n) {
    if (typeof n !== 'number') return;
    ctx.coins = n;
    $('coins').textContent = coins(n);
  },
  navigate(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
};

let unmount = null;
let authed = false;

function parseRoute() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  return { name: parts[0] || 'lobby', args: parts.slice(1) };
}

function screenFor(name, args) {
  switch (name) {
    case 'lobby': return [lobby, {}];
    case 'slots': return [slots, { machine: args[0] }];
    case 'play':
    case 'watch': {
      const room = args[0] || '';
      const game = room.split(':')[0];
      const mod = { blackjack, roulette, crash, slots }[game];
      if (!mod) return null;
      return [mod, { room, watch: name === 'watch', seat: Number(args[1]) || 0 }];
    }
    case 'history': return [history, {}];
    case 'round': return [history, { round: args[0] }];
    case 'fair': return [fair, {}];
    case 'account': return [account, {}];
    case 'admin': return [admin, {}];
    default: return null;
  }
}

function route() {
  if (unmount) {
    try { unmount(); } catch (err) { console.warn(err); }
    unmount = null;
  }
  const view = $('view');
  view.replaceChildren();
  if (!authed) {
    unmount = auth.mount(view, { onAuthed: startSession });
    return;
  }
  const { name, args } = parseRoute();
  const found = screenFor(name, args);
  const key = name === 'play' || name === 'watch' ? (args[0] || '').split(':')[0] : name === 'round' ? 'history' : name;
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.key === key) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (!found) {
    fill(view, h('section', { class: 'panel' }, h('h2', {}, 'Not found'), h('p', {}, 'No such page. ', h('a', { href: '#/lobby' }, 'Back to the lobby'))));
    return;
  }
  const [mod, params] = found;
  unmount = mod.mount(view, ctx, params) || null;
  const title = { lobby: 'Lobby', slots: 'Slots', history: 'History', round: 'Round', fair: 'Fairness', account: 'Account', admin: 'Admin' }[name] || args[0] || '';
  document.title = title ? `${title} · Imperio` : 'Imperio';
}

function showSignedIn(me) {
  ctx.me = me;
  $('username').textContent = me.username;
  ctx.setCoins(me.coins);
  $('who').hidden = false;
  $('nav').hidden = false;
  $('nav-admin').hidden = me.role !== 'admin';
}

function showSignedOut() {
  authed = false;
  ctx.me = null;
  $('who').hidden = true;
  $('nav').hidden = true;
  $('ticker').hidden = true;
  $('conn').hidden = true;
  if (ctx.client) {
    ctx.client.close();
    ctx.client = null;
  }
}

async function loadMe() {
  const me = await api('GET', '/api/me');
  showSignedIn(me);
  return me;
}

// A socket that closed before it opened: a session that expired is renewed
// once; if that fails the login screen comes back.
async function onRefused() {
  try {
    const r = await fetch('/api/me', { credentials: 'same-origin' });
    if (r.status === 403) {
      const body = await r.json().catch(() => ({}));
      lostSession(`Your account is suspended${body.error?.message ? ': ' + body.error.message : '.'}`);
      return false;
    }
    if (r.status !== 401) return true; // the network, or a restart: retry
    if (await refresh()) return true;
  } catch {
    return true;
  }
  lostSession('Your session ended; please log in again.');
  return false;
}

function lostSession(message) {
  if (!authed) return;
  showSignedOut();
  if (message) toast(message, 'error');
  route();
}

function startSession(me) {
  showSignedIn(me);
  authed = true;
  const client = new Imperio({ onRefused });
  ctx.client = client;
  window.imperio = client; // for the console and the browser tests
  client.on('welcome', (d) => {
    ctx.setCoins(d.coins);
  });
  client.on('balance', (d) => ctx.setCoins(d.coins));
  client.on('lobby.machines', (d) => { ctx.machines = d.machines || []; });
  client.on('lobby.rooms', (d) => { ctx.rooms = d.rooms || []; });
  client.on('bigwin', (d) => addBigWin(d));
  client.on('server.shutdown', () => toast('The server is restarting: you will be reconnected in a moment.', 'info', 6000));
  client.on('refused', (d) => toast(explain({ code: d.code, message: d.message, retryAfter: d.retry_after }), 'error', 7000));
  let wasDown = false;
  client.on('state', (s) => {
    const bar = $('conn');
    if (s.state === 'open') {
      bar.hidden = true;
      if (wasDown) toast('Reconnected.', 'info', 2500);
      wasDown = false;
      return;
    }
    if (s.state === 'reconnecting' && s.delay !== undefined) {
      wasDown = true;
      bar.hidden = false;
      const secs = Math.ceil(s.delay / 1000);
      fill(bar, h('span', {}, `Disconnected${s.reason ? ` (${s.reason})` : ''}. Reconnecting in ${secs}s…`), ' ',
        h('button', { type: 'button', onclick: () => client.retryNow() }, 'Retry now'));
    } else if (s.state === 'closed' && authed && ctx.client === client) {
      bar.hidden = false;
      const why = s.code === 4003 || /banned/i.test(s.reason || '') ? `Your account is suspended${s.reason ? ': ' + s.reason : ''}.` : s.code === 4029 ? 'Disconnected: too many messages.' : 'Disconnected.';
      fill(bar, h('span', {}, why), ' ', h('button', { type: 'button', onclick: () => client.reconnect() }, 'Reconnect'));
    }
  });
  client.subscribeLobby();
  client.connect();
  const wanted = parseRoute();
  if (wanted.name === 'login' || wanted.name === '') location.hash = '#/lobby';
  route();
}

function addBigWin(d) {
  ctx.bigwins.unshift(d);
  ctx.bigwins.length = Math.min(ctx.bigwins.length, 10);
  const t = $('ticker');
  t.hidden = false;
  fill(t, h('span', { class: 'label' }, 'Big wins'), ctx.bigwins.map((w) =>
    h('span', { class: 'win' }, `${w.username || 'A player'} won ${coins(w.amount)} at ${w.game} (${w.multiplier}x)`)));
}

$('logout').addEventListener('click', async () => {
  try {
    await api('POST', '/api/auth/logout', {}, { auth: false });
  } catch (err) {
    toastError(err);
  }
  showSignedOut();
  location.hash = '#/login';
  route();
});

setAuthLost(() => lostSession('Your session ended; please log in again.'));
// A new screen takes the focus, so that keyboard and screen reader users
// start at its top.
window.addEventListener('hashchange', () => { route(); $('view').focus({ preventScroll: true }); });
window.addEventListener('imperio:me', () => loadMe().catch(() => {}));

(async function start() {
  try {
    const me = await api('GET', '/api/me');
    startSession(me);
  } catch {
    authed = false;
    route();
  }
})();
