// Admin: instances, user search, a user's record with ban, unban and
// balance adjustment, and the audit log. Shown to role "admin" only.
import { h, fill, coins, time, explain, toast } from './ui.js';
import { api } from './api.js';

export function mount(view, ctx) {
  if (ctx.me.role !== 'admin') {
    view.append(h('section', { class: 'panel' }, h('h2', {}, 'Admin'), h('p', {}, 'This page is for administrators.')));
    return null;
  }
  const inst = h('div', {}, 'Loading…');
  const users = h('div', {});
  const detail = h('div', { 'aria-live': 'polite' });
  const audit = h('div', {}, 'Loading…');
  const table = (cols, rows) => h('table', { class: 'list' }, h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, rows));
  view.append(h('div', { class: 'admin' },
    h('section', { class: 'panel' }, h('h2', {}, 'Instances'), inst),
    h('section', { class: 'panel' }, h('h2', {}, 'Users'),
      h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); search(new FormData(e.currentTarget).get('q')); } },
        h('label', {}, 'Search ', h('input', { name: 'q', type: 'search' })), h('button', { type: 'submit' }, 'Search')), users, detail),
    h('section', { class: 'panel' }, h('h2', {}, 'Audit log'), audit)));

  const fail = (el) => (err) => fill(el, err.code === 'totp_required'
    ? h('p', { class: 'error' }, 'The admin tools need two-factor sign-in: turn it on in ', h('a', { href: '#/account' }, 'your account'), ', then log in again.')
    : h('p', { class: 'error' }, explain(err)));
  function loadInstances() {
    api('GET', '/api/admin/instances').then((d) => fill(inst, table(['Instance', 'Sockets', 'Rooms', 'Players', 'Spectators'],
      d.instances.map((i) => h('tr', {}, h('td', {}, i.instance), h('td', { class: 'num' }, i.sockets), h('td', { class: 'num' }, i.rooms), h('td', { class: 'num' }, i.players), h('td', { class: 'num' }, i.spectators)))))).catch(fail(inst));
  }
  function search(q) {
    api('GET', `/api/admin/users?q=${encodeURIComponent(q || '')}`).then((d) => fill(users, table(['User', 'Coins', 'Role', 'Status', 'Since', ''],
      d.users.map((u) => h('tr', {}, h('td', {}, u.username), h('td', { class: 'num' }, coins(u.coins)), h('td', {}, u.role), h('td', {}, u.banned ? 'banned' : 'active'), h('td', {}, time(u.created_at)),
        h('td', {}, h('button', { type: 'button', onclick: () => show(u.id) }, 'Open'))))))).catch(fail(users));
  }
  function show(id) {
    api('GET', `/api/admin/users/${id}`).then((d) => {
      const u = d.user;
      const reason = h('input', { name: 'reason', placeholder: 'reason', required: true });
      const amount = h('input', { name: 'amount', type: 'number', step: 1, placeholder: '±coins' });
      const key = 'adj-' + Date.now().toString(36) + Math.random().toString(36).slice(2, 8); // a retried click counts once
      const post = async (path, body, msg) => { try { await api('POST', `/api/admin/users/${id}/${path}`, body); toast(msg); show(id); loadAudit(); } catch (err) { toast(explain(err), 'error'); } };
      fill(detail, h('h3', {}, `${u.username} (#${u.id})`), h('p', {}, `${coins(u.coins)} coins · ${u.role} · ${u.banned ? `banned${u.ban_reason ? ` (${u.ban_reason})` : ''}` : 'active'}${u.totp_enabled ? ' · two-factor on' : ''}`),
        h('div', { class: 'inline' }, h('label', {}, 'Reason ', reason), ' ',
          u.banned ? h('button', { type: 'button', onclick: () => post('unban', {}, 'Unbanned.') }, 'Unban')
            : h('button', { type: 'button', class: 'danger', onclick: () => post('ban', { reason: reason.value }, 'Banned.') }, 'Ban'),
          h('label', {}, ' Adjust ', amount), h('button', { type: 'button', onclick: () => post('adjust', { amount: Number(amount.value), reason: reason.value, key }, 'Balance adjusted.') }, 'Adjust')),
        h('h4', {}, 'Transactions'), table(['Time', 'Kind', 'Game', 'Amount', 'Balance'], (d.transactions || []).slice(0, 50).map((t) => h('tr', {}, h('td', {}, time(t.created_at)), h('td', {}, t.kind, t.note ? ` — ${t.note}` : null), h('td', {}, t.game), h('td', { class: 'num' }, coins(t.amount)), h('td', { class: 'num' }, coins(t.balance_after))))),
        h('h4', {}, 'Rounds'), table(['Round', 'Game', 'Status'], (d.rounds || []).slice(0, 50).map((r) => h('tr', {}, h('td', {}, h('code', {}, r.id)), h('td', {}, r.game), h('td', {}, r.status)))));
    }).catch(fail(detail));
  }
  function loadAudit() {
    api('GET', '/api/admin/audit').then((d) => fill(audit, table(['Time', 'Admin', 'Action', 'Target', 'Detail'],
      d.entries.map((e) => h('tr', {}, h('td', {}, time(e.created_at)), h('td', {}, e.admin), h('td', {}, e.action), h('td', {}, e.target), h('td', {}, typeof e.detail === 'string' ? e.detail : JSON.stringify(e.detail))))))).catch(fail(audit));
  }
  loadInstances();
  search('');
  loadAudit();
  return null;
}
