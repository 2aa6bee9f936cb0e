// Slots: machine picker, animated reels, winning lines highlighted, win
// amount, free spins and a bet selector within the machine's limits. Also
// the spectator view of another player's machine (#/watch/slots:m:name).
import { h, fill, coins, explain, toastError } from './ui.js';
import { api } from './api.js';
import { chatBox } from './chat.js';

// Rows (0 top) crossed on each reel by each payline, from docs/PROTOCOL.md 5.2.
const LINES3 = { 1: [1, 1, 1], 2: [0, 0, 0], 3: [2, 2, 2], 4: [0, 1, 2], 5: [2, 1, 0] };
const LINES5 = {
  1: [1, 1, 1, 1, 1], 2: [0, 0, 0, 0, 0], 3: [2, 2, 2, 2, 2], 4: [0, 1, 2, 1, 0], 5: [2, 1, 0, 1, 2],
  6: [1, 0, 0, 0, 1], 7: [1, 2, 2, 2, 1], 8: [0, 0, 1, 2, 2], 9: [2, 2, 1, 0, 0], 10: [1, 2, 1, 0, 1],
  11: [1, 0, 1, 2, 1], 12: [0, 1, 1, 1, 0], 13: [2, 1, 1, 1, 2], 14: [0, 1, 0, 1, 0], 15: [2, 1, 2, 1, 2],
  16: [1, 1, 0, 1, 1], 17: [1, 1, 2, 1, 1], 18: [0, 0, 2, 0, 0], 19: [2, 2, 0, 2, 2], 20: [0, 2, 2, 2, 0],
};
const LABELS = { seven: '7', bar: 'BAR', diamond: '◆', star: '★', bell: 'BELL', pyramid: '▲', eye: 'EYE', neon: 'WILD' };

function label(sym) {
  return LABELS[sym] || sym.toUpperCase();
}

export function mount(view, ctx, params) {
  const client = ctx.client;
  const watching = !!params.watch;
  let machineId = params.machine || (params.room ? params.room.split(':')[1] : null);
  let machine = null;
  let room = null;
  let chat = null;
  let busy = false;
  let disposed = false;
  let last = null; // the outcome on the reels
  let seen = new Set(['cherry', 'lemon', 'plum', 'bell', 'seven', 'bar']);

  const picker = h('nav', { class: 'machine-picker', 'aria-label': 'Machines' });
  const title = h('h2', { id: 'slots-h' }, 'Slots');
  const reelsEl = h('div', { class: 'reels', id: 'reels', role: 'img', 'aria-label': 'Reels' });
  const winEl = h('p', { class: 'slot-win', id: 'slot-win', 'aria-live': 'polite' }, '');
  const linesEl = h('ul', { class: 'win-lines' });
  const freeEl = h('p', { class: 'free-spins', id: 'free-spins', hidden: true });
  const betInput = h('input', { id: 'bet', type: 'number', inputmode: 'numeric', step: 1, min: 1 });
  const spinBtn = h('button', { id: 'spin', type: 'button', class: 'primary big', disabled: true, onclick: () => spin() }, 'Spin');
  const info = h('p', { class: 'hint' });
  const controls = h('div', { class: 'slot-controls' },
    h('label', { for: 'bet' }, 'Bet'),
    h('button', { type: 'button', 'aria-label': 'Lower bet', onclick: () => stepBet(-1) }, '−'),
    betInput,
    h('button', { type: 'button', 'aria-label': 'Raise bet', onclick: () => stepBet(1) }, '+'),
    h('button', { type: 'button', onclick: () => setBet(machine?.min_bet) }, 'Min'),
    h('button', { type: 'button', onclick: () => setBet(machine?.max_bet) }, 'Max'),
    spinBtn);
  const side = h('div', { class: 'side' });
  view.append(h('div', { class: 'game slots' },
    h('section', { class: 'panel', 'aria-labelledby': 'slots-h' },
      title, picker,
      h('div', { class: 'machine' }, reelsEl, winEl, freeEl, linesEl),
      watching ? h('p', { class: 'watching' }, 'Watching: spins appear as they happen.') : controls,
      info),
    side));
  betInput.addEventListener('change', () => setBet(Number(betInput.value)));

  function setBet(v) {
    if (!machine || !Number.isFinite(v)) return;
    const step = machine.bet_step || 1;
    v = Math.round(v / step) * step;
    v = Math.min(machine.max_bet, Math.max(machine.min_bet, v));
    betInput.value = v;
  }
  function stepBet(dir) {
    if (!machine) return;
    const cur = Number(betInput.value) || machine.min_bet;
    const step = machine.bet_step;
    setBet(dir > 0 ? (cur < step * 10 ? cur + step : cur * 2) : (cur <= step * 10 ? cur - step : cur / 2));
  }

  function drawReels(reels, wins = [], expanded = []) {
    const nReels = reels.length;
    const rows = reels[0]?.length || 3;
    const hit = new Set();
    const lines = nReels === 3 ? LINES3 : LINES5;
    for (const w of wins) {
      if (w.line === 0) {
        reels.forEach((col, r) => col.forEach((s, row) => { if (s === w.symbol) hit.add(`${r}:${row}`); }));
      } else if (lines[w.line]) {
        for (let r = 0; r < w.count; r++) hit.add(`${r}:${lines[w.line][r]}`);
      }
    }
    reelsEl.style.setProperty('--reels', nReels);
    fill(reelsEl, reels.map((col, r) => h('div', { class: ['reel', expanded.includes(r) && 'expanded'] },
      col.slice(0, rows).map((s, row) => {
        seen.add(s);
        return h('div', { class: ['sym', 'sym-' + s.replace(/[^a-z0-9]/gi, ''), hit.has(`${r}:${row}`) && 'hit'], title: s }, label(s));
      }))));
    reelsEl.setAttribute('aria-label', 'Reels: ' + reels.map((c) => c.join(' ')).join(' | '));
  }

  function blankReels() {
    if (!machine) return;
    drawReels(Array.from({ length: machine.reels }, () => Array.from({ length: machine.rows }, () => pick())));
  }
  function pick() {
    const all = [...seen];
    return all[Math.floor(Math.random() * all.length)];
  }

  function showOutcome(o) {
    last = o;
    drawReels(o.reels, o.wins, o.expanded || []);
    fill(linesEl, (o.wins || []).map((w) => h('li', {}, w.line ? `Line ${w.line}: ${w.count} × ${w.symbol}` : `Scatter: ${w.count} × ${w.symbol}`, ` → ${coins(w.amount)}`)));
    winEl.className = 'slot-win' + (o.win > 0 ? ' won' : '');
    winEl.textContent = o.win > 0 ? `Win ${coins(o.win)}` : 'No win';
  }

  async function playFreeSpins(o) {
    if (!o.free_spins?.length) { freeEl.hidden = true; return; }
    freeEl.hidden = false;
    let total = (o.wins || []).reduce((s, w) => s + w.amount, 0);
    for (let i = 0; i < o.free_spins.length && !disposed; i++) {
      const fs = o.free_spins[i];
      await sleep(450);
      drawReels(fs.reels, fs.wins, fs.expanded || []);
      total += fs.win;
      freeEl.textContent = `Free spin ${i + 1} of ${o.free_spins.length} (×${fs.multiplier})${fs.retriggered ? `, +${fs.retriggered} more` : ''}: ${coins(fs.win)} — so far ${coins(total)}`;
    }
    freeEl.textContent = `${o.free_spins_awarded} free spins played: total win ${coins(o.win)}`;
    winEl.textContent = `Win ${coins(o.win)}`;
  }

  async function animate(promise) {
    reelsEl.classList.add('spinning');
    const timer = setInterval(blankReels, 70);
    const started = Date.now();
    try {
      const res = await promise;
      const wait = 450 - (Date.now() - started);
      if (wait > 0) await sleep(wait);
      return res;
    } finally {
      clearInterval(timer);
      reelsEl.classList.remove('spinning');
    }
  }

  async function spin() {
    if (busy || !machine) return;
    setBet(Number(betInput.value));
    const bet = Number(betInput.value);
    busy = true;
    spinBtn.disabled = true;
    winEl.textContent = 'Spinning…';
    winEl.className = 'slot-win';
    freeEl.hidden = true;
    fill(linesEl);
    const key = 'k' + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
    try {
      const res = await animate(client.request('slots.spin', { machine: machine.id, bet, key }));
      showOutcome(res);
      ctx.setCoins(res.coins);
      await playFreeSpins(res);
    } catch (err) {
      if (last) drawReels(last.reels, last.wins, last.expanded || []); else blankReels();
      winEl.textContent = explain(err);
      winEl.className = 'slot-win error';
      if (!['insufficient_funds', 'loss_limit', 'bet_out_of_range'].includes(err.code)) toastError(err);
    } finally {
      busy = false;
      spinBtn.disabled = disposed;
    }
  }

  function renderPicker() {
    fill(picker, ctx.machines.map((m) => h('a', { class: ['button', m.id === machineId && 'primary'], href: `#/slots/${m.id}`, 'aria-current': m.id === machineId ? 'page' : null }, m.name)));
  }

  async function open() {
    if (!ctx.machines.length) {
      try { ctx.machines = (await api('GET', '/api/machines')).machines; } catch (err) { toastError(err); return; }
    }
    if (disposed) return;
    renderPicker();
    if (!machineId) {
      title.textContent = 'Slots';
      info.textContent = 'Pick a machine.';
      fill(reelsEl);
      controls.hidden = true;
      return;
    }
    machine = ctx.machines.find((m) => m.id === machineId);
    if (!machine) { info.textContent = `No machine "${machineId}".`; return; }
    title.textContent = machine.name + (watching ? ` — ${params.room.split(':')[2]}` : '');
    info.textContent = `${machine.lines} lines · bets ${machine.min_bet}–${machine.max_bet} in steps of ${machine.bet_step} · RTP ${(machine.rtp * 100).toFixed(2)}%`;
    betInput.min = machine.min_bet;
    betInput.max = machine.max_bet;
    betInput.step = machine.bet_step;
    setBet(machine.min_bet);
    blankReels();
    await enter();
  }

  async function enter() {
    if (disposed || client.state !== 'open') return;
    try {
      const joined = watching ? await client.watch(params.room) : await client.join(`slots:${machineId}`);
      if (disposed) { client.leave(joined.room); return; }
      room = joined.room;
      spinBtn.disabled = false;
      if (!chat) {
        chat = chatBox(client, room);
        side.append(chat.el);
      }
    } catch (err) {
      toastError(err);
    }
  }

  const offs = [
    client.on('room.state', (d, f) => { if (f.room === room && d.last) showOutcome(d.last); }),
    client.on('room.event', (d, f) => { if (watching && f.room === room && d.kind === 'spin') { showOutcome(d); playFreeSpins(d); } }),
    client.on('lobby.machines', () => renderPicker()),
    client.on('welcome', () => { if (!room && machine) enter(); }),
  ];
  open();
  return () => {
    disposed = true;
    offs.forEach((f) => f());
    chat?.dispose();
    if (room) client.leave(room);
  };
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
