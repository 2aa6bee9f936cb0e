// A minimal client: sign up or log in, then spin the slot machines over the
// socket. The full lobby and tables build on the same protocol.
const $ = (id) => document.getElementById(id);
let ws = null;
let seq = 0;

async function post(path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), credentials: 'same-origin' });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error ? data.error.message : res.statusText);
  return data;
}

for (const id of ['signup', 'login']) {
  $(id).addEventListener('submit', async (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    const body = Object.fromEntries(new FormData(form));
    form.querySelector('.error').textContent = '';
    try {
      await post('/api/auth/' + id, body);
      connect();
    } catch (err) {
      form.querySelector('.error').textContent = err.message;
    }
  });
}

$('logout').addEventListener('click', async () => {
  await post('/api/auth/logout', {});
  if (ws) ws.close();
  location.reload();
});

function send(type, data) {
  const id = String(++seq);
  ws.send(JSON.stringify({ type, id, data }));
  return id;
}

function connect() {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  ws = new WebSocket(proto + '//' + location.host + '/ws');
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    switch (m.type) {
      case 'welcome':
        $('auth').hidden = true; $('play').hidden = false; $('who').hidden = false;
        $('username').textContent = m.data.user.username;
        $('coins').textContent = m.data.coins;
        send('lobby.subscribe', {});
        break;
      case 'lobby.machines': {
        const sel = $('machine');
        sel.replaceChildren(...m.data.machines.map((mc) => {
          const o = document.createElement('option');
          o.value = mc.id; o.textContent = `${mc.name} (${mc.min_bet}-${mc.max_bet}, step ${mc.bet_step})`;
          o.dataset.min = mc.min_bet; o.dataset.step = mc.bet_step; o.dataset.max = mc.max_bet;
          return o;
        }));
        sel.dispatchEvent(new Event('change'));
        break;
      }
      case 'slots.result':
        $('reels').textContent = transpose(m.data.reels).map((row) => row.join(' ')).join('\n');
        $('result').textContent = m.data.win > 0 ? `You won ${m.data.win}!` : 'No win.';
        $('coins').textContent = m.data.coins;
        break;
      case 'balance':
        $('coins').textContent = m.data.coins;
        break;
      case 'bigwin': {
        const li = document.createElement('li');
        li.textContent = `${m.data.username} won ${m.data.amount} (${m.data.multiplier}x)`;
        $('bigwins').prepend(li);
        break;
      }
      case 'error':
        $('play-error').textContent = m.data.message;
        break;
    }
  };
  ws.onclose = () => { $('play-error').textContent = 'Disconnected.'; };
}

$('machine').addEventListener('change', (e) => {
  const o = e.target.selectedOptions[0];
  if (!o) return;
  Object.assign($('bet'), { min: o.dataset.min, max: o.dataset.max, step: o.dataset.step, value: o.dataset.min });
});

$('spin').addEventListener('click', () => {
  $('play-error').textContent = '';
  send('slots.spin', { machine: $('machine').value, bet: Number($('bet').value) });
});

function transpose(reels) {
  return reels[0].map((_, row) => reels.map((reel) => reel[row]));
}

// An existing session cookie logs straight in.
fetch('/api/me', { credentials: 'same-origin' }).then((r) => { if (r.ok) connect(); });
