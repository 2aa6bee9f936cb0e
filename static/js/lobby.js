// The lobby: rooms by game with live seats, players and spectators, join
// and watch buttons, the leaderboards and the big wins.
import { h, fill, coins, time } from './ui.js';
import { api, optional } from './api.js';

const boards = [
  ['richest', 'Richest'],
  ['wins_today', 'Biggest wins today'],
  ['net_week', 'Best this week'],
];
const games = [
  ['blackjack', 'Blackjack'],
  ['roulette', 'Roulette'],
  ['crash', 'Crash'],
  ['slots', 'Slots being played'],
];

export function mount(view, ctx) {
  const client = ctx.client;
  const roomsBox = h('div', { class: 'rooms' });
  const machinesBox = h('div', { class: 'machines' });
  const boardsBox = h('section', { class: 'panel boards', 'aria-labelledby': 'lb-h', hidden: true },
    h('h2', { id: 'lb-h' }, 'Leaderboards'));
  const boardEls = {};
  const winsBox = h('ol', { class: 'bigwins', id: 'lobby-bigwins' });
  const openForm = h('form', { class: 'open-table', onsubmit: (e) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const name = String(f.get('name') || '').trim().toLowerCase();
    if (name) ctx.navigate(`#/play/${f.get('game')}:${encodeURIComponent(name)}`);
  } },
  h('label', {}, 'Game ', h('select', { name: 'game' }, h('option', { value: 'blackjack' }, 'Blackjack'), h('option', { value: 'roulette' }, 'Roulette'), h('option', { value: 'crash' }, 'Crash'))),
  h('label', {}, 'Table name ', h('input', { name: 'name', required: true, pattern: '[a-z0-9][a-z0-9-]{0,23}', title: '1-24 of a-z, 0-9 and -', placeholder: 'high-rollers' })),
  h('button', { type: 'submit' }, 'Open or join'));

  view.append(h('div', { class: 'lobby' },
    h('section', { class: 'panel', 'aria-labelledby': 'rooms-h' },
      h('h2', { id: 'rooms-h' }, 'Lobby'),
      h('h3', {}, 'Slot machines'), machinesBox,
      roomsBox,
      h('h3', {}, 'Open a table'), openForm),
    h('aside', { class: 'side' },
      boardsBox,
      h('section', { class: 'panel', 'aria-labelledby': 'bw-h' }, h('h2', { id: 'bw-h' }, 'Big wins'), winsBox))));

  function renderMachines() {
    fill(machinesBox, ctx.machines.map((m) => h('article', { class: 'machine-card' },
      h('h4', {}, m.name),
      h('p', {}, `${m.reels}×${m.rows}, ${m.lines} lines, bet ${m.min_bet}–${m.max_bet}, RTP ${(m.rtp * 100).toFixed(2)}%`),
      h('a', { class: 'button primary', href: `#/slots/${m.id}` }, 'Play'))));
  }

  function renderRooms(rooms) {
    const by = {};
    for (const r of rooms) (by[r.game] ||= []).push(r);
    fill(roomsBox, games.map(([game, title]) => {
      const list = by[game] || [];
      if (game === 'slots' && !list.length) return null;
      return h('div', { class: 'game-rooms' },
        h('h3', {}, title),
        h('div', { class: 'scroll' }, h('table', { class: 'list' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Room'), h('th', { scope: 'col', class: game === 'blackjack' ? null : 'opt' }, game === 'blackjack' ? 'Seats' : game === 'slots' ? 'Player' : 'Bets'),
            h('th', { scope: 'col', class: 'num' }, 'Players'), h('th', { scope: 'col', class: 'num opt' }, 'Watching'), h('th', { scope: 'col', class: 'opt' }, 'Status'), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Actions')))),
          h('tbody', {}, list.map((r) => h('tr', { dataset: { room: r.room } },
            h('th', { scope: 'row' }, game === 'slots' ? (ctx.machines.find((m) => m.id === r.machine)?.name || r.machine) : r.room),
            h('td', { class: game === 'blackjack' ? null : 'opt' }, game === 'blackjack' ? `${r.seats_taken || 0}/${r.seats}` : game === 'slots' ? r.owner : `${r.min_bet}–${r.max_bet}`),
            h('td', { class: 'num' }, r.players),
            h('td', { class: 'num opt' }, r.spectators),
            h('td', { class: 'opt' }, r.phase || ''),
            h('td', { class: 'actions' },
              game !== 'slots' ? h('a', { class: 'button primary', href: `#/play/${r.room}`, 'aria-label': `Join ${r.room}` }, game === 'blackjack' ? 'Sit' : 'Join') : null,
              (game !== 'slots' || r.owner !== ctx.me.username) ? h('a', { class: 'button', href: `#/watch/${r.room}`, 'aria-label': `Watch ${r.room}` }, 'Watch') : null)))))));
    }));
  }

  function renderBoard(name, entries) {
    const box = boardEls[name];
    if (!box) return;
    boardsBox.hidden = false;
    box.hidden = false;
    fill(box.querySelector('ol'), entries?.length ? entries.slice(0, 10).map((e) =>
      h('li', { class: e.username === ctx.me.username ? 'me' : null }, h('span', { class: 'rank' }, `${e.rank}.`), ' ', h('span', { class: 'name' }, e.username), ' ', h('span', { class: 'score' }, coins(e.score))))
      : h('li', { class: 'muted' }, 'No entries yet.'));
  }

  function renderWins() {
    fill(winsBox, ctx.bigwins.length ? ctx.bigwins.map((w) => h('li', {},
      h('strong', {}, w.username || 'A player'), ` won ${coins(w.amount)} on a ${coins(w.bet)} bet at ${w.game} (${w.multiplier}x)`,
      h('time', { datetime: w.at }, ' ' + time(w.at)))) : h('li', { class: 'muted' }, 'No big wins yet.'));
  }

  for (const [name, title] of boards) {
    boardEls[name] = h('div', { class: 'lboard', hidden: true, dataset: { board: name } }, h('h3', {}, title), h('ol', {}));
    boardsBox.append(boardEls[name]);
  }

  const offs = [
    client.on('lobby.rooms', (d) => renderRooms(d.rooms || [])),
    client.on('lobby.machines', () => renderMachines()),
    client.on('bigwin', () => renderWins()),
    client.on('leaderboard', (d) => renderBoard(d.board, d.entries)),
  ];
  renderRooms(ctx.rooms || []);
  renderWins();
  if (ctx.machines.length) renderMachines();
  else api('GET', '/api/machines').then((d) => { ctx.machines = d.machines; renderMachines(); }).catch(() => {});
  api('GET', '/api/rooms').then((d) => { if (!ctx.rooms?.length) renderRooms(d.rooms); }).catch(() => {});
  // Leaderboards: shown only when the server has them.
  for (const [name] of boards) {
    optional('GET', `/api/leaderboard?board=${name}`).then((d) => {
      if (d && Array.isArray(d.entries)) renderBoard(name, d.entries);
    }).catch(() => {});
  }
  return () => offs.forEach((f) => f());
}
