// Account: responsible play (daily loss limit, self-exclusion) and
// two-factor sign-in, each shown when the server offers it.
import { h, fill, coins, time, explain, toast } from './ui.js';
import { api, optional } from './api.js';

export function mount(view, ctx) {
  const limits = h('section', { class: 'panel', 'aria-labelledby': 'lim-h', hidden: true }, h('h2', { id: 'lim-h' }, 'Responsible play'));
  const totp = h('section', { class: 'panel', 'aria-labelledby': 'totp-h' }, h('h2', { id: 'totp-h' }, 'Two-factor sign-in'));
  view.append(h('div', { class: 'account' },
    h('section', { class: 'panel' }, h('h2', {}, 'Account'), h('dl', { class: 'facts' },
      h('dt', {}, 'Username'), h('dd', {}, ctx.me.username),
      h('dt', {}, 'Member since'), h('dd', {}, time(ctx.me.created_at)),
      ctx.me.role ? [h('dt', {}, 'Role'), h('dd', {}, ctx.me.role)] : null)),
    limits, totp));

  async function loadLimits() {
    let l;
    try { l = await optional('GET', '/api/limits'); } catch (err) { limits.hidden = false; limits.append(h('p', { class: 'error' }, explain(err))); return; }
    if (!l) return; // not offered by this server
    limits.hidden = false;
    const out = h('p', { class: 'hint', 'aria-live': 'polite' });
    fill(limits, h('h2', { id: 'lim-h' }, 'Responsible play'),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Daily loss limit'), h('dd', {}, l.daily_loss_limit ? coins(l.daily_loss_limit) : 'none'),
        h('dt', {}, 'Lost today'), h('dd', {}, coins(l.lost_today || 0)),
        l.pending ? [h('dt', {}, 'Pending change'), h('dd', {}, `${l.pending.daily_loss_limit ? coins(l.pending.daily_loss_limit) : 'none'} from ${time(l.pending.effective_at)}`)] : null,
        l.self_excluded_until ? [h('dt', {}, 'Self-excluded until'), h('dd', {}, time(l.self_excluded_until))] : null),
      h('form', { class: 'inline', onsubmit: async (e) => {
        e.preventDefault();
        const v = Number(new FormData(e.currentTarget).get('limit')) || 0;
        try { await api('PUT', '/api/limits', { daily_loss_limit: v }); toast('Limit saved. A raise takes effect after a delay.'); loadLimits(); } catch (err) { out.textContent = explain(err); }
      } }, h('label', {}, 'New daily loss limit (0 for none) ', h('input', { name: 'limit', type: 'number', min: 0, step: 1 })), h('button', { type: 'submit' }, 'Save limit')),
      h('form', { class: 'inline', onsubmit: async (e) => {
        e.preventDefault();
        const days = Number(new FormData(e.currentTarget).get('days'));
        if (!confirm(`Exclude yourself from play for ${days} days? This cannot be undone.`)) return;
        try { await api('POST', '/api/self-exclusion', { days }); toast('You are excluded from play.'); loadLimits(); } catch (err) { out.textContent = explain(err); }
      } }, h('label', {}, 'Take a break ', h('select', { name: 'days' }, [1, 7, 30, 90, 365].map((d) => h('option', { value: d }, `${d} days`)))), h('button', { type: 'submit', class: 'danger' }, 'Self-exclude')),
      out);
  }

  const totpOut = h('div', { 'aria-live': 'polite' });
  totp.append(h('p', {}, ctx.me.totp_enabled ? 'Two-factor sign-in is on.' : 'Protect your account with a code from an authenticator app at every log-in.'),
    h('button', { type: 'button', onclick: async () => {
      try {
        const s = await optional('POST', '/api/auth/totp/setup');
        if (!s) { fill(totpOut, h('p', { class: 'muted' }, 'Two-factor sign-in is not available on this server.')); return; }
        fill(totpOut, h('p', {}, 'Add this secret to your authenticator app: ', h('code', {}, s.secret)),
          h('p', { class: 'hint' }, h('code', { class: 'hash' }, s.url)),
          h('form', { class: 'inline', onsubmit: async (e) => {
            e.preventDefault();
            try { await api('POST', '/api/auth/totp/enable', { code: new FormData(e.currentTarget).get('code') }); fill(totpOut, h('p', { class: 'ok' }, 'Two-factor sign-in is on.')); } catch (err) { toast(explain(err), 'error'); }
          } }, h('label', {}, 'Code ', h('input', { name: 'code', inputmode: 'numeric', required: true, maxlength: 8 })), h('button', { type: 'submit' }, 'Turn on')));
      } catch (err) { fill(totpOut, h('p', { class: 'error' }, explain(err))); }
    } }, 'Set up two-factor'), totpOut);
  loadLimits();
  return null;
}
