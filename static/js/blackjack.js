// Blackjack: seven seats with each player's hands and bets, the dealer
// with the hole card, the betting and turn timers, action buttons enabled
// only when the action is legal, the insurance prompt; spectators see the
// same table without the controls.
import { h, fill, coins, card } from './ui.js';
import { tableScreen } from './table.js';

const ACTIONS = [['hit', 'Hit'], ['stand', 'Stand'], ['double', 'Double'], ['split', 'Split'], ['surrender', 'Surrender']];
const RESULT = { win: 'Win', lose: 'Lose', push: 'Push', blackjack: 'Blackjack!', surrender: 'Surrendered' };

function value(cards) {
  let t = 0;
  let aces = 0;
  for (const c of cards) {
    const r = c[0];
    if (r === 'A') { t += 11; aces++; } else if ('TJQK'.includes(r)) t += 10; else t += Number(r);
  }
  while (t > 21 && aces) { t -= 10; aces--; }
  return { total: t, soft: aces > 0 };
}

export function mount(view, ctx, params) {
  let t = null; // the table view, kept current by the events
  let actions = [];
  let lastResult = null;
  const game = {
    css: 'blackjack',
    title: (room) => `Blackjack — ${room.split(':')[1]}`,
    joinLabel: 'Sit down',
    joined: () => render(),
    state(d) {
      t = d.table;
      t.dealer ||= { cards: [] };
      actions = t.you?.actions || [];
      render();
    },
    event: (ev) => { apply(ev); render(); },
    render: () => render(),
  };
  const ui = tableScreen(view, ctx, params, game);
  const dealerEl = h('div', { class: 'dealer', id: 'dealer', 'aria-label': 'Dealer' });
  const seatsEl = h('ol', { class: 'seats', id: 'seats' });
  const resultEl = h('p', { class: 'round-result', id: 'bj-result', 'aria-live': 'polite' });
  ui.main.append(dealerEl, resultEl, seatsEl);

  const betInput = h('input', { id: 'bj-bet', type: 'number', inputmode: 'numeric', min: 10, max: 1000, step: 1, value: 10 });
  const betBtn = h('button', { type: 'button', id: 'bj-bet-btn', class: 'primary', onclick: () => bet() }, 'Place bet');
  const insurance = h('div', { class: 'insurance', id: 'bj-insurance', role: 'group', 'aria-label': 'Insurance', hidden: true },
    h('span', { class: 'ins-text' }, 'The dealer shows an ace: insure your bet?'),
    h('button', { type: 'button', id: 'bj-insurance-yes', onclick: (e) => act('insurance', e.currentTarget) }, 'Insurance'),
    h('button', { type: 'button', id: 'bj-insurance-no', onclick: (e) => act('no_insurance', e.currentTarget) }, 'No insurance'));
  const KEYS = { hit: 'h', stand: 's', double: 'd', split: 'p', surrender: 'r' };
  const actBtns = ACTIONS.map(([a, text]) => h('button', { type: 'button', id: `bj-${a}`, dataset: { action: a }, disabled: true, 'aria-keyshortcuts': KEYS[a], title: `${text} (${KEYS[a].toUpperCase()})`, onclick: (e) => act(a, e.currentTarget) }, text));
  // Keyboard: H, S, D, P, R for the actions, B to bet, I / N for insurance.
  const onKey = (e) => {
    if (ui.watching || e.ctrlKey || e.metaKey || e.altKey || /input|select|textarea/i.test(e.target.tagName)) return;
    const k = e.key.toLowerCase();
    const a = Object.keys(KEYS).find((x) => KEYS[x] === k);
    if (a && actions.includes(a)) { e.preventDefault(); act(a, actBtns.find((b) => b.dataset.action === a)); }
    else if (k === 'b' && actions.includes('bet')) { e.preventDefault(); bet(); }
    else if (k === 'i' && actions.includes('insurance')) { e.preventDefault(); act('insurance'); }
    else if (k === 'n' && actions.includes('no_insurance')) { e.preventDefault(); act('no_insurance'); }
  };
  document.addEventListener('keydown', onKey);
  ui.controls.append(
    h('div', { class: 'bet-row' }, h('label', { for: 'bj-bet' }, 'Bet'), betInput, betBtn),
    insurance,
    h('div', { class: 'action-row', role: 'group', 'aria-label': 'Actions' }, actBtns));

  async function bet() {
    const amount = Number(betInput.value);
    const res = await ui.act('table.bet', { amount }, betBtn);
    if (res) actions = actions.filter((a) => a !== 'bet');
    render();
  }
  async function act(action, btn) {
    const res = await ui.act('table.action', { action }, btn);
    if (res) actions = [];
    render();
  }

  function seatOf(n) {
    return t?.seats?.[n - 1];
  }
  function handOf(s, n) {
    s.hands ||= [];
    s.hands[n - 1] ||= { cards: [], bet: s.bet, stake: s.bet, status: 'waiting' };
    return s.hands[n - 1];
  }
  const mine = (ev) => ev.seat && ev.seat === ui.seat();

  function apply(ev) {
    if (!t) return;
    const s = ev.seat ? seatOf(ev.seat) : null;
    const hand = s && ev.hand ? handOf(s, ev.hand) : null;
    switch (ev.kind) {
      case 'sit': t.seats[ev.seat - 1] = { seat: ev.seat, name: ev.name }; break;
      case 'leave':
        if (ev.pending) Object.assign(s, { leaving: true, away: true });
        else t.seats[ev.seat - 1] = { seat: ev.seat };
        break;
      case 'away': s.away = true; break;
      case 'back': s.away = false; break;
      case 'betting_open':
        t.phase = 'betting'; t.deadline = ev.deadline; t.round = ev.round;
        for (const x of t.seats) { delete x.bet; delete x.hands; delete x.insurance; delete x.insuranceResult; delete x.insuranceDecided; delete x.insurancePaid; }
        t.dealer = { cards: [] };
        lastResult = null;
        if (ui.seat() && !seatOf(ui.seat())?.leaving) actions = ['bet'];
        break;
      case 'bet': s.bet = ev.amount; if (mine(ev)) actions = actions.filter((a) => a !== 'bet'); break;
      case 'betting_closed': t.phase = 'dealing'; t.deadline = null; actions = []; break;
      case 'deal':
        if (ev.dealer) { t.dealer.cards.push(ev.card); t.dealer.total = ev.total; t.dealer.soft = ev.soft; } else { hand.cards.push(ev.card); hand.total = ev.total; hand.soft = ev.soft; }
        break;
      case 'hole': t.dealer.hole = true; break;
      case 'insurance_open':
        t.phase = 'insurance'; t.deadline = ev.deadline;
        if (ui.seat() && seatOf(ui.seat())?.bet) actions = ['insurance', 'no_insurance'];
        break;
      case 'insurance':
        s.insurance = ev.amount || 0; s.insuranceDecided = ev.action;
        if (mine(ev)) actions = [];
        break;
      case 'peek': if (t.phase === 'insurance') { t.phase = 'playing'; t.deadline = null; actions = []; } if (ev.blackjack) t.dealer.blackjack = true; break;
      case 'turn':
        t.phase = 'playing'; t.deadline = ev.deadline; t.turn_seat = ev.seat; t.turn_hand = ev.hand;
        for (const x of t.seats) for (const hd of x.hands || []) if (hd.status === 'active') hd.status = 'waiting';
        hand.status = 'active'; hand.total = ev.total; hand.soft = ev.soft;
        actions = mine(ev) ? ev.actions || [] : [];
        break;
      case 'hit': hand.cards.push(ev.card); hand.total = ev.total; hand.soft = ev.soft; if (mine(ev)) actions = []; break;
      case 'stand': case 'timeout': hand.status = 'stood'; hand.total = ev.total; if (mine(ev)) actions = []; break;
      case 'double':
        hand.cards.push(ev.card); hand.total = ev.total; hand.soft = ev.soft; hand.doubled = true;
        hand.stake = (hand.stake || hand.bet || 0) + ev.amount; hand.status = 'stood';
        if (mine(ev)) actions = [];
        break;
      case 'split': {
        const moved = hand.cards.pop();
        const nh = { cards: [moved], bet: ev.amount, stake: ev.amount, status: 'waiting', split: true };
        hand.split = true;
        Object.assign(hand, value(hand.cards));
        Object.assign(nh, value(nh.cards));
        s.hands.splice(ev.new_hand - 1, 0, nh);
        if (mine(ev)) actions = [];
        break;
      }
      case 'surrender': hand.status = 'surrendered'; if (mine(ev)) actions = []; break;
      case 'bust':
        if (ev.dealer) { t.dealer.bust = true; t.dealer.total = ev.total; } else { hand.status = 'bust'; hand.total = ev.total; }
        if (mine(ev)) actions = [];
        break;
      case 'reveal':
      case 'dealer_draw':
        t.phase = 'playing'; t.deadline = null; t.turn_seat = 0;
        for (const x of t.seats) for (const hd of x.hands || []) if (hd.status === 'active') hd.status = 'stood';
        t.dealer.hole = false; t.dealer.cards.push(ev.card); t.dealer.total = ev.total; t.dealer.soft = ev.soft;
        actions = [];
        break;
      case 'result':
        if (ev.insurance) { s.insuranceResult = ev.result; s.insurancePaid = ev.amount || 0; } else { hand.result = ev.result; hand.payout = ev.amount || 0; hand.total = ev.total; }
        break;
      case 'round_end':
        t.phase = 'settled'; t.deadline = null; t.turn_seat = 0; actions = [];
        t.dealer.hole = false;
        lastResult = ev;
        break;
      case 'shuffle': t.shoe = { number: ev.shoe, hash: ev.hash }; break;
      case 'pause': t.deadline = ev.deadline; t.phase = 'settled'; break;
      case 'waiting':
        t.phase = 'waiting'; t.deadline = null;
        if (ui.seat() && !ui.watching) actions = ['bet'];
        break;
      default: break;
    }
  }

  function handEl(s, hd, i) {
    const active = t.phase === 'playing' && t.turn_seat === s.seat && t.turn_hand === i + 1;
    return h('div', { class: ['hand', active && 'active', hd.result && 'res-' + hd.result, hd.status], dataset: { hand: i + 1 } },
      h('div', { class: 'cards' }, hd.cards.map(card)),
      h('div', { class: 'hand-info' },
        h('span', { class: 'total' }, hd.cards.length ? `${hd.soft && hd.total < 21 ? 'soft ' : ''}${hd.total ?? value(hd.cards).total}` : ''),
        ' ', h('span', { class: 'stake' }, `bet ${coins(hd.stake || hd.bet || s.bet)}${hd.doubled ? ' (doubled)' : ''}`),
        hd.status && hd.status !== 'waiting' && hd.status !== 'active' && !hd.result ? h('span', { class: 'status' }, ` · ${hd.status}`) : null,
        hd.result ? h('strong', { class: 'result' }, ` · ${RESULT[hd.result] || hd.result}${hd.payout ? ` +${coins(hd.payout)}` : ''}`) : null));
  }

  function render() {
    if (!t) return;
    const me = ui.seat();
    // Dealer
    const d = t.dealer || { cards: [] };
    fill(dealerEl, h('h3', {}, 'Dealer'),
      h('div', { class: 'cards' }, d.cards.map(card), d.hole ? card(null) : null),
      h('p', { class: 'total' }, d.cards.length ? `${d.total ?? ''}${d.bust ? ' — bust' : ''}${d.blackjack ? ' — blackjack' : ''}${d.hole ? ' + hole card' : ''}` : 'Waiting for bets'));
    // Seats
    fill(seatsEl, t.seats.map((s) => h('li', {
      class: ['seat', !s.name && 'empty', s.seat === me && 'me', t.turn_seat === s.seat && t.phase === 'playing' && 'turn', s.away && 'away'],
      dataset: { seat: s.seat }, 'aria-label': `Seat ${s.seat}${s.name ? ': ' + s.name : ', empty'}`,
    },
    h('div', { class: 'seat-head' }, h('span', { class: 'seat-no' }, s.seat), ' ', h('span', { class: 'seat-name' }, s.name || 'Empty'),
      !s.name && ui.watching ? h('a', { class: 'button small-link', href: `#/play/${ui.room}/${s.seat}`, 'aria-label': `Sit at seat ${s.seat}` }, 'Sit here') : null,
      s.seat === me ? h('span', { class: 'badge' }, 'you') : null, s.away ? h('span', { class: 'badge warn' }, s.leaving ? 'leaving' : 'away') : null),
    s.bet ? h('div', { class: 'chip-line' }, h('span', { class: 'chip' }, coins(s.bet)),
      s.insurance ? h('span', { class: 'ins' }, ` insured ${coins(s.insurance)}${s.insuranceResult ? ' — ' + s.insuranceResult : ''}`) : s.insuranceDecided === 'no_insurance' ? h('span', { class: 'ins' }, ' no insurance') : null) : null,
    (s.hands || []).map((hd, i) => handEl(s, hd, i)))));
    if (t.shoe) ui.fair(`Shoe ${t.shoe.number} order hash`, t.shoe.hash);
    // Status and timer
    const turnSeat = t.turn_seat && seatOf(t.turn_seat);
    const phaseText = {
      waiting: 'Waiting for the first bet.',
      betting: 'Place your bets.',
      dealing: 'Dealing…',
      insurance: 'Insurance is open.',
      playing: turnSeat ? `${turnSeat.seat === me ? 'Your turn' : `${turnSeat.name}'s turn`} (seat ${turnSeat.seat}, hand ${t.turn_hand}).` : 'Dealer plays.',
      settled: 'Round over.',
    }[t.phase] || t.phase;
    ui.status.textContent = `Round ${t.round || 0} · ${phaseText}`;
    const timerLabel = { betting: 'Betting closes in', insurance: 'Insurance closes in', playing: turnSeat ? `${turnSeat.seat === me ? 'Your' : turnSeat.name + "'s"} turn` : 'Turn', settled: 'Next round in' }[t.phase];
    ui.setTimer(t.deadline, timerLabel);
    if (lastResult) {
      const my = seatOf(me);
      const paid = (my?.hands || []).reduce((a, hd) => a + (hd.payout || 0), 0) + (my?.insurancePaid || 0);
      resultEl.textContent = `Dealer ${lastResult.blackjack ? 'blackjack' : lastResult.total > 21 ? 'busts with ' + lastResult.total : 'has ' + lastResult.total}.` +
        (my?.bet ? ` You ${paid ? 'get ' + coins(paid) : 'lose'}.` : '');
    } else resultEl.textContent = '';
    // Controls
    if (ui.watching) return;
    if (t.rules) { betInput.min = t.rules.min_bet; betInput.max = t.rules.max_bet; }
    betBtn.disabled = !actions.includes('bet');
    betInput.disabled = betBtn.disabled;
    insurance.hidden = !actions.includes('insurance');
    if (!insurance.hidden) {
      const b = seatOf(me)?.bet || 0;
      insurance.querySelector('.ins-text').textContent = `The dealer shows an ace: insure your bet for ${coins(Math.floor(b / 2))}?`;
      for (const b2 of insurance.querySelectorAll('button')) b2.disabled = false;
    }
    for (const b of actBtns) b.disabled = !actions.includes(b.dataset.action);
  }

  return () => { document.removeEventListener('keydown', onKey); ui.dispose(); };
}
