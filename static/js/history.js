// History: the ledger with paging, a balance-over-time chart drawn from
// /api/transactions, per-game stats, and the recall of one round.
import { h, fill, coins, time, mult, card, explain, colorOf } from './ui.js';
import { api } from './api.js';
import { describe } from './roulette.js';

const PAGE = 10;

export function mount(view, ctx, params) {
  if (params.round) return recall(view, ctx, params.round);
  let cursors = ['']; // the before= of each page seen
  let page = 0;
  const rows = h('tbody', { id: 'tx-rows' });
  const pager = h('div', { class: 'pager' });
  const chart = h('div', { class: 'chart', id: 'balance-chart' });
  const stats = h('div', { class: 'stats', id: 'stats' });
  const lookup = h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); const id = new FormData(e.currentTarget).get('round').trim(); if (id) ctx.navigate(`#/round/${id}`); } },
    h('label', {}, 'Round id ', h('input', { name: 'round', required: true, pattern: '[A-Za-z0-9_.:\\-]{1,64}' })), h('button', { type: 'submit' }, 'Show round'));
  view.append(h('div', { class: 'history' },
    h('section', { class: 'panel', 'aria-labelledby': 'hist-h' },
      h('h2', { id: 'hist-h' }, 'History'),
      h('h3', {}, 'Balance over time'), chart,
      h('h3', {}, 'Transactions'),
      h('div', { class: 'scroll' }, h('table', { class: 'list', id: 'tx' },
        h('thead', {}, h('tr', {}, ['Time', 'Kind', 'Game', 'Amount', 'Balance', 'Round'].map((c) => h('th', { scope: 'col' }, c)))), rows)),
      pager, lookup),
    h('section', { class: 'panel', 'aria-labelledby': 'stats-h' }, h('h2', { id: 'stats-h' }, 'Your stats'), stats)));

  async function load() {
    fill(rows, h('tr', {}, h('td', { colspan: 6 }, 'Loading…')));
    try {
      const before = cursors[page];
      const d = await api('GET', `/api/transactions?limit=${PAGE}${before ? '&before=' + before : ''}`);
      if (d.next) cursors[page + 1] = d.next; else cursors = cursors.slice(0, page + 1);
      fill(rows, d.transactions.length ? d.transactions.map((tx) => h('tr', { class: tx.amount < 0 ? 'neg' : 'pos', dataset: { kind: tx.kind, game: tx.game } },
        h('td', {}, h('time', { datetime: tx.created_at }, time(tx.created_at))),
        h('td', {}, tx.kind, tx.note ? h('span', { class: 'tx-note' }, ` — ${tx.note}`) : null), h('td', {}, tx.game || '—'),
        h('td', { class: 'num' }, (tx.amount > 0 ? '+' : '') + coins(tx.amount)),
        h('td', { class: 'num' }, coins(tx.balance_after)),
        h('td', {}, tx.round_id ? h('a', { href: `#/round/${tx.round_id}`, class: 'round-link' }, tx.round_id.slice(-8)) : ''))) : h('tr', {}, h('td', { colspan: 6 }, 'No transactions yet.')));
      fill(pager,
        h('button', { type: 'button', id: 'tx-newer', disabled: page === 0, onclick: () => { page--; load(); } }, '← Newer'),
        h('span', {}, ` Page ${page + 1} `),
        h('button', { type: 'button', id: 'tx-older', disabled: !d.next, onclick: () => { page++; load(); } }, 'Older →'));
    } catch (err) {
      fill(rows, h('tr', {}, h('td', { colspan: 6, class: 'error' }, explain(err))));
    }
  }

  async function loadChart() {
    // Up to 300 latest entries, oldest first.
    let all = [];
    let before = '';
    try {
      for (let i = 0; i < 3; i++) {
        const d = await api('GET', `/api/transactions?limit=100${before ? '&before=' + before : ''}`);
        all = all.concat(d.transactions);
        if (!d.next) break;
        before = d.next;
      }
    } catch (err) {
      fill(chart, h('p', { class: 'error' }, explain(err)));
      return;
    }
    all.reverse();
    drawChart(chart, all);
  }

  async function loadStats() {
    try {
      const s = await api('GET', '/api/stats');
      const row = (name, g) => h('tr', {}, h('th', { scope: 'row' }, name), h('td', { class: 'num' }, g.rounds), h('td', { class: 'num' }, coins(g.wagered)),
        h('td', { class: 'num' }, coins(g.won)), h('td', { class: ['num', g.net < 0 ? 'neg' : 'pos'] }, coins(g.net)), h('td', { class: 'num' }, coins(g.biggest_win)));
      fill(stats, h('div', { class: 'scroll' }, h('table', { class: 'list' },
        h('thead', {}, h('tr', {}, ['Game', 'Rounds', 'Wagered', 'Won', 'Net', 'Biggest win'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, (s.games || []).map((g) => row(g.game, g)), row('All games', s)))));
    } catch (err) {
      fill(stats, h('p', { class: 'error' }, explain(err)));
    }
  }

  load();
  loadChart();
  loadStats();
  return null;
}

function drawChart(box, entries) {
  if (entries.length < 1) { fill(box, h('p', { class: 'muted' }, 'Nothing to draw yet.')); return; }
  const W = 640;
  const H = 200;
  const P = 36;
  const vals = entries.map((e) => e.balance_after);
  const spread = Math.max(...vals) - Math.min(...vals);
  const pad = Math.max(1, Math.ceil(spread * 0.1));
  const lo = Math.max(0, Math.min(...vals) - pad);
  const hi = Math.max(...vals) + pad;
  const x = (i) => P + (entries.length === 1 ? (W - P) / 2 : (i / (entries.length - 1)) * (W - P - 8));
  const y = (v) => H - 20 - ((v - lo) / (hi - lo || 1)) * (H - 34);
  const pts = vals.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const svg = h('svg:svg', { viewBox: `0 0 ${W} ${H}`, class: 'balance-chart', role: 'img', 'aria-label': `Balance from ${coins(vals[0])} to ${coins(vals[vals.length - 1])} over ${vals.length} transactions` },
    h('svg:line', { class: 'axis', x1: P, x2: W, y1: y(lo), y2: y(lo) }),
    h('svg:text', { class: 'axis-label', x: 2, y: y(hi) + 4 }, coins(hi)),
    h('svg:text', { class: 'axis-label', x: 2, y: y(lo) - 2 }, coins(lo)),
    h('svg:polyline', { class: 'line', points: pts }),
    vals.length <= 60 ? vals.map((v, i) => h('svg:circle', { class: 'dot', cx: x(i), cy: y(v), r: 2.5 }, h('svg:title', {}, `${entries[i].kind} ${entries[i].amount}: ${coins(v)}`))) : null);
  fill(box, svg, h('p', { class: 'hint' }, `${vals.length} transactions, ${time(entries[0].created_at)} to ${time(entries[entries.length - 1].created_at)}.`));
}

function recall(view, ctx, id) {
  const box = h('div', { class: 'recall', id: 'recall' }, 'Loading…');
  const verifyOut = h('div', { class: 'verify', id: 'verify-out', 'aria-live': 'polite' });
  view.append(h('section', { class: 'panel', 'aria-labelledby': 'round-h' },
    h('p', {}, h('a', { href: '#/history' }, '← History')),
    h('h2', { id: 'round-h' }, 'Round ', h('code', {}, id)), box, verifyOut));
  api('GET', `/api/rounds/${encodeURIComponent(id)}`).then((r) => {
    fill(box,
      h('dl', { class: 'facts' },
        h('dt', {}, 'Game'), h('dd', {}, r.game), h('dt', {}, 'Room'), h('dd', {}, r.room || '—'),
        h('dt', {}, 'Status'), h('dd', {}, r.status),
        h('dt', {}, 'Played'), h('dd', {}, time(r.created_at)),
        h('dt', {}, 'Players'), h('dd', {}, (r.players || []).map((p) => `${p.username}: staked ${coins(p.wagered)}, won ${coins(p.won)}`).join('; '))),
      outcome(r),
      r.fairness ? h('details', {}, h('summary', {}, 'Fairness proof'), h('pre', {}, JSON.stringify(r.fairness, null, 2))) : null,
      h('details', {}, h('summary', {}, 'Full record'), h('pre', {}, JSON.stringify(r.outcome, null, 2))),
      r.game !== 'blackjack' && r.status === 'settled' ? h('button', { type: 'button', id: 'verify-btn', onclick: () => verify(id, verifyOut) }, 'Verify this round') : null);
  }).catch((err) => fill(box, h('p', { class: 'error' }, explain(err))));
  return null;
}

export async function verify(id, out) {
  fill(out, 'Verifying…');
  try {
    const v = await api('GET', `/api/fair/verify?round=${encodeURIComponent(id)}`);
    fill(out, h('p', { class: v.verified ? 'ok' : 'error' }, v.verified ? '✓ Verified: the revealed seed gives exactly this outcome.' : `✗ Not verified: ${v.reason || 'mismatch'}`),
      v.server_seed ? h('p', {}, 'Server seed: ', h('code', {}, v.server_seed)) : null,
      v.expected !== undefined && typeof v.expected !== 'object' ? h('p', {}, `Recomputed ${v.expected}, recorded ${v.recorded}.`) : null);
  } catch (err) {
    fill(out, h('p', { class: 'error' }, explain(err)));
  }
}

function outcome(r) {
  const o = r.outcome;
  if (!o) return h('p', {}, 'The round is still in play.');
  if (o.voided) return h('p', {}, `Void: ${o.reason}. Stakes were refunded.`);
  if (r.game === 'slots') {
    return h('div', {}, h('div', { class: 'reels small' }, o.reels.map((col) => h('div', { class: 'reel' }, col.map((s) => h('div', { class: 'sym' }, s))))),
      h('p', {}, `Bet ${coins(o.bet)} · win ${coins(o.win)}${o.free_spins_awarded ? ` · ${o.free_spins_awarded} free spins` : ''}`),
      h('ul', {}, (o.wins || []).map((w) => h('li', {}, w.line ? `Line ${w.line}: ${w.count} × ${w.symbol} → ${coins(w.amount)}` : `Scatter ${w.count} × ${w.symbol} → ${coins(w.amount)}`))));
  }
  const rec = o.record || {};
  if (r.game === 'blackjack') {
    return h('div', {}, h('p', {}, 'Dealer: ', (rec.dealer?.cards || []).map(card), ` ${rec.dealer?.total ?? ''}`),
      h('ul', {}, (rec.seats || []).map((s) => h('li', {}, `Seat ${s.seat} ${s.name}: `, (s.hands || []).map((hd) => h('span', { class: 'hand' }, hd.cards.map(card), ` ${hd.total} — ${hd.result}, paid ${coins(hd.payout)} `))))));
  }
  if (r.game === 'roulette') {
    const n = rec.number ?? rec.result?.number;
    return h('div', {}, n !== undefined ? h('p', {}, 'Number: ', h('span', { class: ['num', colorOf(n)] }, n)) : null,
      h('ul', {}, (rec.players || rec.bets || []).map((p) => h('li', {}, p.name ? `${p.name}: ${(p.bets || []).map((b) => `${describe(b)} ×${b.amount}`).join(', ')}` : JSON.stringify(p)))));
  }
  if (r.game === 'crash') {
    const cp = rec.crash_point;
    return h('div', {}, cp ? h('p', {}, `Crashed at ${mult(cp)}`) : null,
      h('ul', {}, (rec.bets || []).map((b) => h('li', {}, `${b.name}: ${coins(b.amount)} ${b.cashed_out || b.multiplier ? `cashed out at ${mult(b.multiplier)}` : 'lost'}`))));
  }
  return null;
}
