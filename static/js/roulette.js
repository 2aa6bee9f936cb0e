// Roulette: a betting board on which every bet kind is placed with chips,
// the ball's animation, the last numbers and the players' bets.
import { h, fill, coins, colorOf } from './ui.js';
import { tableScreen } from './table.js';

const CHIPS = [1, 5, 10, 25, 100, 500];
const KINDS = [
  ['straight', 'Straight', 'Click a number.'],
  ['split', 'Split', 'Click two neighbouring numbers (or 0 and 1, 2 or 3).'],
  ['street', 'Street', 'Click any number of the row.'],
  ['trio', 'Trio', 'Click 1 for 0-1-2 or 3 for 0-2-3.'],
  ['corner', 'Corner', 'Click the top-left number of the square (1 makes 1-2-4-5).'],
  ['first_four', 'First four', 'Click any of 0, 1, 2, 3.'],
  ['six_line', 'Six line', 'Click a number of the first of the two rows.'],
];
const OUTSIDE = [
  [{ kind: 'low' }, '1–18'], [{ kind: 'even' }, 'Even'], [{ kind: 'red' }, 'Red'],
  [{ kind: 'black' }, 'Black'], [{ kind: 'odd' }, 'Odd'], [{ kind: 'high' }, '19–36'],
];

export function describe(b) {
  const n = b.numbers || [];
  switch (b.kind) {
    case 'straight': return `${n[0]}`;
    case 'dozen': return ['1st', '2nd', '3rd'][n[0] - 1] + ' 12';
    case 'column': return `column ${n[0]}`;
    case 'first_four': return 'first four';
    case 'low': return '1–18';
    case 'high': return '19–36';
    default: return n.length ? `${b.kind.replace('_', ' ')} ${n.join('-')}` : b.kind;
  }
}

export function mount(view, ctx, params) {
  let t = null;
  let staged = [];
  let kind = 'straight';
  let chip = 10;
  let pendingSplit = null;
  let spinTimer = null;
  let lastOutcome = '';
  const me = ctx.me.username;
  const game = {
    css: 'roulette',
    title: (room) => `Roulette — ${room.split(':')[1]}`,
    state(d) { t = d.table; render(); },
    event(ev) { apply(ev); render(); },
    render: () => render(),
  };
  const ui = tableScreen(view, ctx, params, game);

  const wheel = h('div', { class: 'wheel', id: 'rl-wheel', 'aria-live': 'polite' }, h('span', { class: 'ball' }, '–'));
  const lastEl = h('ol', { class: 'last-numbers', id: 'rl-last', 'aria-label': 'Last numbers' });
  const myEl = h('p', { class: 'my-result', id: 'rl-mine', 'aria-live': 'polite' });
  const playersEl = h('table', { class: 'list players' });
  const board = h('div', { class: 'board', id: 'rl-board', role: 'group', 'aria-label': 'Betting board' });
  const kindHint = h('p', { class: 'hint', id: 'rl-hint' });
  const stagedEl = h('ul', { class: 'staged', id: 'rl-staged' });
  const placeBtn = h('button', { type: 'button', class: 'primary', id: 'rl-place', disabled: true, onclick: () => place() }, 'Place bets');
  const clearBtn = h('button', { type: 'button', id: 'rl-clear', onclick: () => { staged = []; pendingSplit = null; render(); } }, 'Clear');
  ui.main.append(h('div', { class: 'rl-top' }, wheel, h('div', {}, h('h3', {}, 'Last numbers'), lastEl)), myEl, board);
  ui.side.prepend(h('section', { class: 'panel' }, h('h3', {}, 'Bets this round'), playersEl));

  const cells = new Map();
  function cell(label, opts, onclick) {
    const el = h('button', { type: 'button', class: ['cell', opts.class], 'aria-label': opts.aria || label, onclick }, label);
    if (opts.col) el.style.gridColumn = opts.col;
    if (opts.row) el.style.gridRow = opts.row;
    return el;
  }
  const zero = cell('0', { class: 'green num', col: '1', row: '1 / span 3', aria: 'Number 0' }, () => number(0));
  cells.set(0, zero);
  board.append(zero);
  for (let n = 1; n <= 36; n++) {
    const col = Math.ceil(n / 3) + 1;
    const row = 3 - ((n - 1) % 3);
    const el = cell(String(n), { class: [colorOf(n), 'num'].join(' '), col: String(col), row: String(row), aria: `Number ${n}, ${colorOf(n)}` }, () => number(n));
    cells.set(n, el);
    board.append(el);
  }
  const outside = new Map(); // "kind:n" -> cell of an outside bet
  const keyOf = (b) => `${b.kind}:${(b.numbers || []).join('-')}`;
  const outsideCell = (bet, label, opts) => {
    const el = cell(label, opts, () => add({ ...bet }));
    outside.set(keyOf(bet), el);
    board.append(el);
  };
  for (let c = 1; c <= 3; c++) outsideCell({ kind: 'column', numbers: [c] }, '2:1', { class: 'outside', col: '14', row: String(4 - c), aria: `Column ${c}` });
  for (let d = 1; d <= 3; d++) outsideCell({ kind: 'dozen', numbers: [d] }, ['1st 12', '2nd 12', '3rd 12'][d - 1], { class: 'outside', col: `${2 + (d - 1) * 4} / span 4`, row: '4', aria: `Dozen ${d}` });
  OUTSIDE.forEach(([bet, text], i) => outsideCell(bet, text, { class: ['outside', bet.kind].join(' '), col: `${2 + i * 2} / span 2`, row: '5', aria: `Bet on ${text}` }));

  const kindGroup = h('fieldset', { class: 'kinds' }, h('legend', {}, 'Inside bet'),
    KINDS.map(([k, text]) => h('label', {}, h('input', { type: 'radio', name: 'rl-kind', value: k, checked: k === kind, onchange: () => { kind = k; pendingSplit = null; render(); } }), ' ', text)));
  const chipGroup = h('fieldset', { class: 'chips' }, h('legend', {}, 'Chip'),
    CHIPS.map((c) => h('label', { class: 'chip-pick' }, h('input', { type: 'radio', name: 'rl-chip', value: c, checked: c === chip, onchange: () => { chip = c; } }), h('span', { class: 'chip' }, c))));
  ui.controls.append(chipGroup, kindGroup, kindHint, h('h3', {}, 'Your bets'), stagedEl, h('div', { class: 'action-row' }, placeBtn, clearBtn));

  function add(b) {
    if (ui.watching) return;
    const same = staged.find((s) => s.kind === b.kind && String(s.numbers || '') === String(b.numbers || ''));
    if (same) same.amount += chip;
    else staged.push({ ...b, amount: chip });
    render();
  }
  function number(n) {
    const row = n === 0 ? 0 : Math.floor((n - 1) / 3) * 3 + 1; // first number of n's row
    switch (kind) {
      case 'straight': return add({ kind, numbers: [n] });
      case 'street': if (n) add({ kind, numbers: [row, row + 1, row + 2] }); return;
      case 'six_line': if (n && row <= 31) add({ kind, numbers: [row, row + 1, row + 2, row + 3, row + 4, row + 5] }); return;
      case 'trio': if (n === 1 || n === 2) add({ kind, numbers: [0, 1, 2] }); else if (n === 3) add({ kind, numbers: [0, 2, 3] }); return;
      case 'first_four': if (n <= 3) add({ kind, numbers: [0, 1, 2, 3] }); return;
      case 'corner': if (n && n % 3 !== 0 && n <= 32) add({ kind, numbers: [n, n + 1, n + 3, n + 4] }); return;
      case 'split': {
        if (pendingSplit === null) { pendingSplit = n; render(); return; }
        const [a, b] = [Math.min(pendingSplit, n), Math.max(pendingSplit, n)];
        pendingSplit = null;
        const ok = (a === 0 && b >= 1 && b <= 3) || (a > 0 && ((b === a + 1 && a % 3 !== 0) || b === a + 3));
        if (ok) add({ kind, numbers: [a, b] }); else render();
        return;
      }
      default: return;
    }
  }

  async function place() {
    if (!staged.length) return;
    const bets = staged.map((b) => (b.numbers ? { kind: b.kind, numbers: b.numbers, amount: b.amount } : { kind: b.kind, amount: b.amount }));
    const res = await ui.act('table.bet', { bets }, placeBtn);
    if (res) staged = [];
    render();
  }

  function player(name) {
    t.players ||= [];
    let p = t.players.find((x) => x.name === name);
    if (!p) { p = { name, bets: [], total: 0 }; t.players.push(p); }
    return p;
  }

  function spinAnimation(on) {
    clearInterval(spinTimer);
    spinTimer = null;
    wheel.classList.toggle('spinning', on);
    if (on) {
      spinTimer = setInterval(() => {
        const n = Math.floor(Math.random() * 37);
        wheel.firstChild.textContent = n;
        wheel.dataset.color = colorOf(n);
      }, 70);
    }
  }

  function apply(ev) {
    if (!t) return;
    switch (ev.kind) {
      case 'betting_open': t.phase = 'betting'; t.deadline = ev.deadline; t.round = ev.round; t.players = []; delete t.result; break;
      case 'bet': { const p = player(ev.name); p.bets.push(...ev.bets); p.total = ev.total; break; }
      case 'no_more_bets': t.phase = 'spinning'; t.deadline = ev.deadline; break;
      case 'result':
        t.result = { number: ev.number, color: ev.color };
        t.results = [{ number: ev.number, color: ev.color }, ...(t.results || [])].slice(0, 20);
        break;
      case 'payout': player(ev.name).won = ev.amount || 0; break;
      case 'round_end': t.phase = 'settled'; t.deadline = null; break;
      case 'pause': t.phase = 'settled'; t.deadline = ev.deadline; break;
      case 'waiting': t.phase = 'waiting'; t.deadline = null; t.players = []; break;
      default: break;
    }
  }

  function render() {
    if (!t) return;
    const canBet = !ui.watching && (t.phase === 'waiting' || t.phase === 'betting');
    ui.status.textContent = `Round ${t.round || 0} · ${{ waiting: 'Place a bet to start the round.', betting: 'Place your bets.', spinning: 'No more bets. The ball is rolling…', settled: t.result ? `${t.result.number} ${t.result.color}.` : 'Round over.' }[t.phase] || t.phase}`;
    ui.setTimer(t.deadline, { betting: 'Betting closes in', spinning: 'Result in', settled: 'Next round in' }[t.phase]);
    spinAnimation(t.phase === 'spinning');
    ui.fair(`Round ${t.fairness?.nonce ?? ''} seed hash`, t.fairness?.server_seed_hash);
    if (t.phase !== 'spinning') {
      const r = t.result;
      wheel.firstChild.textContent = r ? r.number : '–';
      wheel.dataset.color = r ? r.color : '';
    }
    fill(lastEl, (t.results || []).map((r) => h('li', { class: ['num', r.color] }, r.number)));
    const mineP = (t.players || []).find((p) => p.name === me);
    // One's outcome stays in view until one bets again.
    if (mineP?.won !== undefined) lastOutcome = mineP.won ? `You win ${coins(mineP.won)} (staked ${coins(mineP.total)}).` : `No win this time (staked ${coins(mineP.total)}).`;
    myEl.textContent = mineP ? (mineP.won !== undefined ? lastOutcome : `Your stake this round: ${coins(mineP.total)}.`)
      : lastOutcome ? `Last round: ${lastOutcome}` : '';
    fill(playersEl, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Player'), h('th', { scope: 'col' }, 'Bets'), h('th', { scope: 'col' }, 'Stake'), h('th', { scope: 'col' }, 'Won'))),
      h('tbody', {}, (t.players || []).map((p) => h('tr', { class: p.name === me ? 'me' : null },
        h('td', {}, p.name), h('td', {}, p.bets.length > 3
          ? h('details', { class: 'bets' }, h('summary', {}, `${p.bets.length} bets`), p.bets.map((b) => `${describe(b)} ×${b.amount}`).join(', '))
          : p.bets.map((b) => `${describe(b)} ×${b.amount}`).join(', ')),
        h('td', { class: 'num' }, coins(p.total)), h('td', { class: 'num' }, p.won === undefined ? '' : coins(p.won))))));
    // Board marks: numbers the staged and placed bets cover.
    const covered = new Map();
    for (const b of [...staged, ...(mineP?.bets || [])]) for (const n of b.numbers || []) if (b.kind !== 'dozen' && b.kind !== 'column') covered.set(n, (covered.get(n) || 0) + b.amount);
    const onOutside = new Map();
    for (const b of [...staged, ...(mineP?.bets || [])]) if (outside.has(keyOf(b))) onOutside.set(keyOf(b), (onOutside.get(keyOf(b)) || 0) + b.amount);
    for (const [k, el] of outside) {
      el.classList.toggle('covered', onOutside.has(k));
      if (onOutside.has(k)) el.dataset.amount = onOutside.get(k); else delete el.dataset.amount;
    }
    for (const [n, el] of cells) {
      el.classList.toggle('covered', covered.has(n));
      if (covered.has(n)) el.dataset.amount = covered.get(n); else delete el.dataset.amount;
      el.classList.toggle('pending', pendingSplit === n);
      el.classList.toggle('winner', t.result?.number === n && t.phase === 'settled');
    }
    kindHint.textContent = KINDS.find((k) => k[0] === kind)[2] + (pendingSplit !== null ? ` First number: ${pendingSplit}.` : '') + ' Outside bets: click them on the board.';
    fill(stagedEl, staged.length ? staged.map((b, i) => h('li', {}, `${describe(b)}: ${coins(b.amount)} `,
      h('button', { type: 'button', class: 'small', 'aria-label': `Remove ${describe(b)}`, onclick: () => { staged.splice(i, 1); render(); } }, '×')))
      : h('li', { class: 'muted' }, 'Pick a chip, then click the board.'));
    const sum = staged.reduce((a, b) => a + b.amount, 0);
    placeBtn.textContent = sum ? `Place bets (${coins(sum)})` : 'Place bets';
    placeBtn.disabled = !canBet || !staged.length;
  }

  return () => { spinAnimation(false); ui.dispose(); };
}
