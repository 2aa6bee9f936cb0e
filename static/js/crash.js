// Crash: the live rising curve and multiplier, the bet with an optional
// automatic cash-out target, the cash-out button and everyone's cash-outs
// as they happen.
import { h, fill, coins, mult } from './ui.js';
import { tableScreen } from './table.js';

const RATE = 0.00006; // m(t) = floor(100 e^(0.00006 t)), docs/PROTOCOL.md 9.2
const at = (ms) => Math.floor(100 * Math.exp(RATE * ms));

export function mount(view, ctx, params) {
  let t = null;
  let raf = 0;
  let lastOutcome = '';
  const me = ctx.me.username;
  const game = {
    css: 'crash',
    title: (room) => `Crash — ${room.split(':')[1]}`,
    state(d) { t = d.table; t.bets ||= []; render(); },
    event(ev) { apply(ev); render(); },
    render: () => render(),
  };
  const ui = tableScreen(view, ctx, params, game);
  const W = 600;
  const H = 300;
  const curve = h('svg:polyline', { class: 'curve', points: '' });
  const fillArea = h('svg:polygon', { class: 'curve-fill', points: '' });
  const grid = h('svg:g', { class: 'grid' });
  const svg = h('svg:svg', { viewBox: `0 0 ${W} ${H}`, class: 'crash-chart', role: 'img', 'aria-label': 'Multiplier curve' }, grid, fillArea, curve);
  const multEl = h('div', { class: 'multiplier', id: 'crash-mult', 'aria-live': 'off' }, '1.00x');
  const feed = h('ol', { class: 'feed', id: 'crash-feed', 'aria-live': 'polite', 'aria-label': 'Cash-outs' });
  const betsEl = h('table', { class: 'list', id: 'crash-bets' });
  const histEl = h('ol', { class: 'last-numbers crash-history', id: 'crash-history', 'aria-label': 'Last crash points' });
  const myEl = h('p', { class: 'my-result', id: 'crash-mine', 'aria-live': 'polite' });
  ui.main.append(h('div', { class: 'chart-box' }, svg, multEl), myEl, h('h3', {}, 'Last rounds'), histEl);
  ui.side.prepend(h('section', { class: 'panel' }, h('h3', {}, 'Bets'), betsEl, h('h3', {}, 'Cash-outs'), feed));

  const amount = h('input', { id: 'crash-amount', type: 'number', inputmode: 'numeric', min: 1, max: 1000, step: 1, value: 10 });
  const auto = h('input', { id: 'crash-auto', type: 'number', inputmode: 'decimal', min: 1.01, max: 9999.99, step: 0.01, placeholder: 'none' });
  const betBtn = h('button', { type: 'button', id: 'crash-bet', class: 'primary', disabled: true, onclick: () => bet() }, 'Bet');
  const cashBtn = h('button', { type: 'button', id: 'crash-cashout', class: 'primary big cashout', disabled: true, onclick: () => cashout() }, 'Cash out');
  cashBtn.setAttribute('aria-keyshortcuts', 'c');
  cashBtn.title = 'Cash out (C)';
  const onKey = (e) => {
    if (ui.watching || e.ctrlKey || e.metaKey || e.altKey || /input|select|textarea/i.test(e.target.tagName)) return;
    if (e.key.toLowerCase() === 'c' && !cashBtn.disabled) { e.preventDefault(); cashout(); }
  };
  document.addEventListener('keydown', onKey);
  ui.controls.append(h('div', { class: 'bet-row' },
    h('label', { for: 'crash-amount' }, 'Bet'), amount,
    h('label', { for: 'crash-auto' }, 'Auto cash-out at (x)'), auto, betBtn), h('div', { class: 'action-row' }, cashBtn));

  async function bet() {
    const data = { amount: Number(amount.value) };
    const a = Number(auto.value);
    if (auto.value && a) data.auto_cashout = Math.round(a * 100);
    await ui.act('table.bet', data, betBtn);
    render();
  }
  async function cashout() {
    await ui.act('table.action', { action: 'cashout' }, cashBtn);
    render();
  }

  function myBet() {
    return t?.bets.find((b) => b.name === me);
  }

  function apply(ev) {
    if (!t) return;
    switch (ev.kind) {
      case 'betting_open': t.phase = 'betting'; t.deadline = ev.deadline; t.round = ev.round; t.bets = []; t.multiplier = 100; delete t.crash_point; delete t.started_at; fill(feed); break;
      case 'bet': t.bets.push({ name: ev.name, amount: ev.amount, auto_cashout: ev.auto_cashout }); break;
      case 'start': t.phase = 'running'; t.started_at = ev.started_at; t.deadline = null; t.multiplier = 100; t.elapsed = 0; break;
      case 'tick': t.multiplier = ev.multiplier; t.elapsed = ev.elapsed; break;
      case 'cashout': {
        const b = t.bets.find((x) => x.name === ev.name);
        if (b) Object.assign(b, { cashed_out: true, multiplier: ev.multiplier, payout: ev.amount, auto: ev.auto });
        feed.prepend(h('li', { class: ev.name === me ? 'me' : null }, h('strong', {}, ev.name), ` cashed out at ${mult(ev.multiplier)}${ev.auto ? ' (auto)' : ''}: +${coins(ev.amount)}`));
        break;
      }
      case 'crash':
        t.phase = 'crashed'; t.multiplier = ev.multiplier; t.crash_point = ev.multiplier; t.hash = ev.hash; t.elapsed = ev.elapsed || 0;
        for (const b of t.bets) if (!b.cashed_out) b.lost = true;
        t.history = [{ round: ev.round, crash_point: ev.multiplier, hash: ev.hash, index: ev.index }, ...(t.history || [])].slice(0, 20);
        break;
      case 'pause': t.deadline = ev.deadline; break;
      case 'waiting': t.phase = 'waiting'; t.deadline = null; t.bets = []; t.multiplier = 100; delete t.started_at; break;
      default: break;
    }
  }

  function draw(elapsed, m, crashed) {
    const xMax = Math.max(10000, elapsed * 1.15);
    const yMax = Math.max(200, m * 1.15);
    const x = (ms) => (ms / xMax) * W;
    const y = (v) => H - ((v - 100) / (yMax - 100)) * (H - 10);
    const pts = [];
    const n = 60;
    for (let i = 0; i <= n; i++) {
      const ms = (elapsed * i) / n;
      pts.push(`${x(ms).toFixed(1)},${y(Math.min(100 * Math.exp(RATE * ms), m)).toFixed(1)}`);
    }
    curve.setAttribute('points', pts.join(' '));
    fillArea.setAttribute('points', `0,${H} ${pts.join(' ')} ${x(elapsed).toFixed(1)},${H}`);
    svg.classList.toggle('crashed', !!crashed);
    const lines = [];
    for (const v of [150, 200, 300, 500, 1000, 2000, 5000]) {
      if (v >= yMax) break;
      lines.push(h('svg:line', { x1: 0, x2: W, y1: y(v), y2: y(v) }), h('svg:text', { x: 4, y: y(v) - 3 }, mult(v)));
    }
    const step = xMax > 40000 ? 10000 : 5000;
    for (let ms = step; ms < xMax; ms += step) {
      lines.push(h('svg:line', { x1: x(ms), x2: x(ms), y1: 0, y2: H }), h('svg:text', { x: x(ms) + 3, y: H - 4 }, `${ms / 1000}s`));
    }
    fill(grid, lines);
  }

  function loop() {
    raf = 0;
    if (!t || t.phase !== 'running' || !t.started_at) return;
    const elapsed = Math.max(0, ui && ctx.client.serverNow() - Date.parse(t.started_at));
    const m = Math.max(t.multiplier || 100, at(elapsed));
    multEl.textContent = mult(m);
    draw(elapsed, m, false);
    raf = requestAnimationFrame(loop);
  }

  function render() {
    if (!t) return;
    const mine = myBet();
    const phaseText = { waiting: 'Place a bet to start the round.', betting: 'Bets are open.', running: 'Rising…', crashed: `Crashed at ${mult(t.crash_point || t.multiplier)}.` }[t.phase] || t.phase;
    ui.status.textContent = `Round ${t.round || 0} · ${phaseText}`;
    ui.setTimer(t.deadline, { betting: 'Starts in', crashed: 'Next round in' }[t.phase]);
    multEl.classList.toggle('crashed', t.phase === 'crashed');
    if (t.chain) ui.fair(`Hash chain (${coins(t.chain.left)} rounds left), terminating hash`, t.chain.terminating);
    if (t.phase === 'running') {
      if (!raf) raf = requestAnimationFrame(loop);
    } else {
      multEl.textContent = t.phase === 'crashed' ? `Crashed @ ${mult(t.multiplier)}` : mult(t.multiplier || 100);
      draw(t.elapsed || 0, t.multiplier || 100, t.phase === 'crashed');
    }
    fill(betsEl, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Player'), h('th', { scope: 'col' }, 'Bet'), h('th', { scope: 'col' }, 'Auto'), h('th', { scope: 'col' }, 'Result'))),
      h('tbody', {}, t.bets.map((b) => h('tr', { class: [b.name === me && 'me', b.cashed_out && 'won', b.lost && 'lost'] },
        h('td', {}, b.name), h('td', { class: 'num' }, coins(b.amount)), h('td', {}, b.auto_cashout ? mult(b.auto_cashout) : '—'),
        h('td', {}, b.cashed_out ? `${mult(b.multiplier)} +${coins(b.payout)}` : b.lost ? 'lost' : 'riding')))));
    fill(histEl, (t.history || []).map((r) => h('li', { class: ['num', r.crash_point >= 200 ? 'high' : 'low'], title: `hash ${r.hash}` }, mult(r.crash_point))));
    // One's outcome stays in view until one bets again.
    if (mine && (mine.cashed_out || mine.lost)) lastOutcome = mine.cashed_out ? `You cashed out at ${mult(mine.multiplier)}: +${coins(mine.payout)}.` : `Your bet of ${coins(mine.amount)} was lost.`;
    myEl.textContent = mine ? (mine.cashed_out || mine.lost ? lastOutcome : `Your bet: ${coins(mine.amount)}${mine.auto_cashout ? `, auto cash-out at ${mult(mine.auto_cashout)}` : ''}.`)
      : lastOutcome ? `Last round: ${lastOutcome}` : '';
    if (ui.watching) return;
    if (t.rules) { amount.min = t.rules.min_bet; amount.max = t.rules.max_bet; }
    betBtn.disabled = !((t.phase === 'waiting' || t.phase === 'betting') && !mine);
    cashBtn.disabled = !(t.phase === 'running' && mine && !mine.cashed_out && !mine.lost);
    cashBtn.textContent = cashBtn.disabled ? 'Cash out' : 'Cash out now';
  }

  return () => { document.removeEventListener('keydown', onKey); cancelAnimationFrame(raf); raf = -1; ui.dispose(); };
}
