// What the table screens share: joining or watching the room, restoring it
// after a reconnect, the phase timer and the layout around the game.
import { h, fill, secondsLeft, toastError } from './ui.js';
import { chatBox } from './chat.js';

/** tableScreen joins (or watches) params.room and calls game.state(data)
 * with every room.state and game.event(data) with every room.event of it.
 * It returns the parts of the page: {main, controls, side, timer, ...}. */
export function tableScreen(view, ctx, params, game) {
  const client = ctx.client;
  const room = params.room;
  const watching = !!params.watch;
  let disposed = false;
  let joined = null;
  let chat = null;
  const status = h('p', { class: 'table-status', id: 'table-status', 'aria-live': 'polite' }, 'Joining…');
  const timerText = h('span', { class: 'timer-text', id: 'timer' });
  const timerBar = h('span', { class: 'timer-bar' });
  const timer = h('div', { class: 'timer', hidden: true }, timerText, h('span', { class: 'timer-track', 'aria-hidden': 'true' }, timerBar));
  const main = h('div', { class: 'table-main' });
  const controls = h('div', { class: 'controls', hidden: watching });
  const side = h('div', { class: 'side' });
  // The footer: the table's fairness commitment and a link to one's round.
  const fairEl = h('span', { class: 'fair-line' });
  const roundEl = h('span', { class: 'round-line' });
  const footer = h('p', { class: 'table-foot hint' }, fairEl, ' ', roundEl);
  const header = h('div', { class: 'table-head' },
    h('h2', { id: 'table-h' }, game.title(room)),
    h('span', { class: ['role', watching ? 'spectator' : 'player'] }, watching ? 'Watching' : 'Playing'),
    watching ? h('a', { class: 'button', href: `#/play/${room}` }, game.joinLabel || 'Join') : h('a', { class: 'button', href: '#/lobby' }, 'Leave table'));
  view.append(h('div', { class: ['game', game.css] },
    h('section', { class: 'panel', 'aria-labelledby': 'table-h' }, header, status, timer, main, controls, footer),
    side));

  // The phase timer: the text comes from the game, the bar from the time left.
  let deadline = null;
  let total = 0;
  let label = null;
  const tick = setInterval(() => {
    if (!deadline) { timer.hidden = true; return; }
    const left = secondsLeft(deadline, client.serverNow());
    timer.hidden = false;
    timerText.textContent = `${label}: ${left}s`;
    const ms = Date.parse(deadline) - client.serverNow();
    timerBar.style.width = `${Math.max(0, Math.min(100, (ms / total) * 100))}%`;
  }, 200);
  function setTimer(d, text) {
    deadline = d || null;
    label = text;
    if (d) total = Math.max(1000, Date.parse(d) - client.serverNow());
    if (!d) timer.hidden = true;
  }

  async function enter() {
    if (disposed || client.state !== 'open') return;
    try {
      joined = watching ? await client.watch(room) : await client.join(room, params.seat);
      if (disposed) { client.leave(room); return; }
      game.joined?.(joined);
      if (!chat) {
        chat = chatBox(client, room);
        side.append(chat.el);
      }
    } catch (err) {
      status.textContent = err.message;
      toastError(err);
    }
  }

  const offs = [
    client.on('room.joined', (d) => { if (d.room === room) { joined = d; game.joined?.(d); } }),
    client.on('room.state', (d, f) => { if (f.room === room) game.state(d); }),
    client.on('room.event', (d, f) => { if (f.room === room) game.event(d); }),
    client.on('table.accepted', (d, f) => {
      if (f.room !== room) return;
      if (typeof d.coins === 'number') ctx.setCoins(d.coins);
      if (d.round_id) fill(roundEl, 'Your round: ', h('a', { href: `#/round/${d.round_id}`, class: 'round-link' }, d.round_id.slice(-8)));
    }),
    client.on('welcome', () => { if (!client.rooms.has(room)) enter(); }),
  ];
  enter();

  /** act sends a table request and shows a refusal. */
  async function act(type, data, button) {
    if (button) button.disabled = true;
    try {
      return await client.request(type, { room, ...data });
    } catch (err) {
      toastError(err);
      status.textContent = err.message;
      return null;
    } finally {
      if (button) game.render?.();
    }
  }

  return {
    room, watching, main, controls, side, status, setTimer, act,
    /** fair shows the table's commitment: a label and a hash. */
    fair(label, hash) { fill(fairEl, hash ? [`${label}: `, h('code', { class: 'hash', title: hash }, hash.slice(0, 16) + '…')] : ''); },
    seat: () => joined?.seat,
    dispose() {
      disposed = true;
      clearInterval(tick);
      offs.forEach((f) => f());
      chat?.dispose();
      client.leave(room);
    },
  };
}

