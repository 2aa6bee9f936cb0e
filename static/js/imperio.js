// imperio.js: a small client for Imperio's WebSocket protocol (v1), with no
// dependencies. It connects, matches answers to requests by id, delivers
// pushes to subscribers, reconnects with backoff and, once back, restores
// the rooms and the lobby subscription it had. See docs/CLIENT.md.
//
//   import { Imperio } from './imperio.js';
//   const client = new Imperio({ url: 'wss://play.example.com/ws' });
//   client.on('balance', (data) => console.log('coins', data.coins));
//   client.connect();
//   const joined = await client.join('roulette:main');
//   await client.request('table.bet', { room: 'roulette:main', bets: [{ kind: 'red', amount: 10 }] });

/** ImperioError is a refusal of the server ({code, message, retry_after}) or
 * a local failure ("disconnected", "timeout"). */
export class ImperioError extends Error {
  constructor(code, message, retryAfter) {
    super(message || code);
    this.name = 'ImperioError';
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

const defaults = {
  url: null, // default: ws(s)://<this page's host>/ws
  WebSocket: globalThis.WebSocket,
  minDelay: 500, // first reconnection delay, ms
  maxDelay: 15000, // longest reconnection delay, ms
  timeout: 15000, // a request not answered by then rejects with "timeout"
  // onRefused(client) is awaited when a socket closed before it opened
  // (the server refused the upgrade, e.g. 401, or the network is down). It
  // may refresh the session; returning false stops reconnecting.
  onRefused: null,
};

/** Imperio is one connection to the server, kept open until close(). */
export class Imperio {
  constructor(options = {}) {
    this.options = { ...defaults, ...options };
    if (!this.options.url && globalThis.location) {
      const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
      this.options.url = `${proto}//${location.host}/ws`;
    }
    this.ws = null;
    this.state = 'idle'; // idle, connecting, open, reconnecting, closed
    this.welcome = null; // data of the last welcome
    this.rooms = new Map(); // room -> {role, seat}: restored after a reconnect
    this.lobby = false; // subscribed to the lobby: restored after a reconnect
    this.skew = 0; // server clock minus this clock, ms
    this.attempt = 0;
    this.seq = 0;
    this.pending = new Map(); // id -> {resolve, reject, timer}
    this.handlers = new Map(); // type -> Set of functions
    this.leaving = new Map(); // room -> the promise of its room.leave
    this.retryTimer = null;
    this.nextDelay = 0;
    this.stopped = false;
  }

  /** on(type, fn) calls fn(data, frame) for every frame of that type ("*":
   * every frame), and for the pseudo-types "state" ({state, delay?, code?,
   * reason?}) and "refused" (a request's error frame nobody awaited).
   * Returns the function that unsubscribes. */
  on(type, fn) {
    if (!this.handlers.has(type)) this.handlers.set(type, new Set());
    this.handlers.get(type).add(fn);
    return () => this.handlers.get(type)?.delete(fn);
  }

  emit(type, data, frame) {
    for (const fn of [...(this.handlers.get(type) || [])]) {
      try {
        fn(data, frame);
      } catch (err) {
        setTimeout(() => { throw err; });
      }
    }
  }

  setState(state, extra = {}) {
    this.state = state;
    this.emit('state', { state, ...extra });
  }

  /** connect opens the socket; it reconnects by itself until close(). */
  connect() {
    this.stopped = false;
    clearTimeout(this.retryTimer);
    if (this.ws && (this.ws.readyState === 0 || this.ws.readyState === 1)) return;
    this.setState(this.attempt ? 'reconnecting' : 'connecting');
    let opened = false;
    const ws = new this.options.WebSocket(this.options.url);
    this.ws = ws;
    ws.onopen = () => { opened = true; };
    ws.onmessage = (e) => this.receive(e.data);
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.failPending('disconnected', 'The connection was lost.');
      if (this.stopped) {
        this.setState('closed', { code: e.code, reason: e.reason });
        return;
      }
      this.scheduleReconnect(opened, e.code, e.reason);
    };
  }

  async scheduleReconnect(opened, code, reason) {
    // Closes that a retry cannot fix: rate limit abuse (4029) and a banned
    // account (4003).
    if (code === 4029 || code === 4003 || /banned/i.test(reason || '')) {
      this.stopped = true;
      this.setState('closed', { code, reason });
      return;
    }
    // Not signed in (the upgrade refused, or 4001): the session may be
    // renewed before the next attempt.
    if ((!opened || code === 4001) && this.options.onRefused) {
      const go = await this.options.onRefused(this);
      if (go === false || this.stopped) {
        this.stopped = true;
        this.setState('closed', { code, reason, refused: true });
        return;
      }
    }
    const base = Math.min(this.options.maxDelay, this.options.minDelay * 2 ** this.attempt);
    let delay = Math.round(base / 2 + Math.random() * base / 2);
    if (this.nextDelay) { delay = this.nextDelay; this.nextDelay = 0; }
    this.attempt++;
    this.setState('reconnecting', { delay, code, reason, at: Date.now() + delay });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** reconnect starts again after the client gave up (a refused or closed
   * session), with the rooms it still remembers. */
  reconnect() {
    this.attempt = 0;
    this.connect();
  }

  /** retryNow skips the wait before the next reconnection attempt. */
  retryNow() {
    if (this.state === 'reconnecting' && !this.ws) this.connect();
  }

  /** close ends the connection for good (no reconnection). */
  close() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.rooms.clear();
    this.lobby = false;
    if (this.ws) this.ws.close(1000);
    else this.setState('closed', {});
  }

  receive(text) {
    let f;
    try {
      f = JSON.parse(text);
    } catch {
      return;
    }
    const data = f.data || {};
    if (f.type === 'welcome') this.onWelcome(data);
    if (f.type === 'server.shutdown') this.nextDelay = Math.max(250, data.reconnect_after_ms || 1000);
    if (f.type === 'room.joined') this.rooms.set(data.room, { role: data.role, seat: data.seat });
    if (f.type === 'room.left') this.rooms.delete(data.room);
    const p = f.re && this.pending.get(f.re);
    if (p) {
      this.pending.delete(f.re);
      clearTimeout(p.timer);
      if (f.type === 'error') p.reject(new ImperioError(data.code, data.message, data.retry_after));
      else p.resolve(data, f);
    } else if (f.type === 'error') {
      this.emit('refused', data, f);
    }
    this.emit(f.type, data, f);
    this.emit('*', data, f);
  }

  onWelcome(data) {
    this.welcome = data;
    this.attempt = 0;
    this.setState('open', { welcome: data });
    const t0 = Date.now();
    this.request('ping').then((d) => { this.skew = d.at - (t0 + Date.now()) / 2; }, () => {});
    if (this.lobby) this.send('lobby.subscribe');
    for (const [room, m] of this.rooms) {
      // The server puts a player back at their blackjack seats by itself;
      // a second join of such a room answers "conflict", which is harmless.
      const short = room.startsWith('slots:') && m.role === 'player' ? room.split(':').slice(0, 2).join(':') : room;
      this.request(m.role === 'spectator' ? 'room.watch' : 'room.join', { room: short }).catch(() => {});
    }
  }

  failPending(code, message) {
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new ImperioError(code, message));
    }
    this.pending.clear();
  }

  /** serverNow is the server's clock, as far as a ping can tell. */
  serverNow() {
    return Date.now() + this.skew;
  }

  frame(type, data, room) {
    const id = 'c' + (++this.seq);
    const f = { type, id };
    if (data !== undefined) f.data = data;
    if (room) f.room = room;
    return f;
  }

  /** send writes a frame without waiting for its answer and returns its id;
   * a refusal is delivered to on('refused'). Throws when not connected. */
  send(type, data, room) {
    if (!this.ws || this.ws.readyState !== 1) throw new ImperioError('disconnected', 'Not connected.');
    const f = this.frame(type, data, room);
    this.ws.send(JSON.stringify(f));
    return f.id;
  }

  /** request writes a frame and resolves with the data of its answer, or
   * rejects with an ImperioError (the server's refusal, "disconnected",
   * "timeout"). */
  request(type, data, { room, timeout } = {}) {
    return new Promise((resolve, reject) => {
      if (!this.ws || this.ws.readyState !== 1) {
        reject(new ImperioError('disconnected', 'Not connected.'));
        return;
      }
      const f = this.frame(type, data, room);
      const timer = setTimeout(() => {
        this.pending.delete(f.id);
        reject(new ImperioError('timeout', 'No answer from the server.'));
      }, timeout || this.options.timeout);
      this.pending.set(f.id, { resolve, reject, timer });
      try {
        this.ws.send(JSON.stringify(f));
      } catch {
        clearTimeout(timer);
        this.pending.delete(f.id);
        reject(new ImperioError('disconnected', 'Not connected.'));
      }
    });
  }

  /** subscribeLobby asks for the lobby pushes, now and after reconnects. */
  subscribeLobby() {
    this.lobby = true;
    if (this.state === 'open') return this.request('lobby.subscribe');
    return Promise.resolve(null);
  }

  unsubscribeLobby() {
    this.lobby = false;
    if (this.state === 'open') this.send('lobby.unsubscribe');
  }

  /** join plays a room (seat: a blackjack seat, optional); watch spectates.
   * Both resolve with room.joined's data; the room is rejoined after a
   * reconnect until leave(). */
  join(room, seat) {
    return this.enter('room.join', room, seat ? { room, seat } : { room });
  }

  watch(room) {
    return this.enter('room.watch', room, { room });
  }

  async enter(type, room, data) {
    // Entering a room this client is still leaving (watch, then play) waits
    // for the server to have let it go.
    const leaving = this.leaving.get(room);
    if (leaving) await leaving;
    try {
      return await this.request(type, data);
    } catch (err) {
      // Already in the room (e.g. put back at a seat on reconnect).
      if (err.code === 'conflict' && this.rooms.has(room)) return { room, ...this.rooms.get(room) };
      throw err;
    }
  }

  leave(room) {
    for (const name of [...this.rooms.keys()]) {
      if (name === room || name.startsWith(room + ':')) this.rooms.delete(name);
    }
    if (this.state !== 'open') return Promise.resolve(null);
    const done = this.request('room.leave', { room }).catch(() => null);
    this.leaving.set(room, done);
    done.then(() => { if (this.leaving.get(room) === done) this.leaving.delete(room); });
    return done;
  }
}
