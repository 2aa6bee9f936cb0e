// Sign up and log in, with errors shown inline and the two-factor code
// asked for when the account needs it.
import { h } from './ui.js';
import { api } from './api.js';

export function mount(view, { onAuthed }) {
  let needTotp = false;
  const signupErr = h('p', { class: 'error', role: 'alert', id: 'signup-error' });
  const loginErr = h('p', { class: 'error', role: 'alert', id: 'login-error' });
  const totpField = h('label', { hidden: true }, 'Two-factor code ',
    h('input', { name: 'totp', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]*', maxlength: 8 }));

  async function submit(e, path, errEl) {
    e.preventDefault();
    const form = e.currentTarget;
    const body = Object.fromEntries(new FormData(form));
    if (!needTotp) delete body.totp;
    errEl.textContent = '';
    const btn = form.querySelector('button[type=submit]');
    btn.disabled = true;
    try {
      await api('POST', path, body, { auth: false });
      const me = await api('GET', '/api/me');
      onAuthed(me);
    } catch (err) {
      if (err.code === 'totp_required') {
        needTotp = true;
        totpField.hidden = false;
        totpField.querySelector('input').required = true;
        totpField.querySelector('input').focus();
        errEl.textContent = 'Enter the code from your authenticator app.';
      } else {
        errEl.textContent = err.message + (err.retryAfter ? ` (try again in ${err.retryAfter}s)` : '');
      }
    } finally {
      btn.disabled = false;
    }
  }

  const signup = h('form', { id: 'signup', class: 'panel auth', 'aria-labelledby': 'signup-h', onsubmit: (e) => submit(e, '/api/auth/signup', signupErr) },
    h('h2', { id: 'signup-h' }, 'Sign up'),
    h('p', { class: 'hint' }, 'New accounts get play-money coins to start.'),
    h('label', {}, 'Username ', h('input', { name: 'username', autocomplete: 'username', required: true, minlength: 3, maxlength: 20, pattern: '[A-Za-z0-9_]+', title: '3 to 20 letters, digits or underscores' })),
    h('label', {}, 'Email ', h('input', { name: 'email', type: 'email', autocomplete: 'email', required: true })),
    h('label', {}, 'Password ', h('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: 8 })),
    h('button', { type: 'submit', class: 'primary' }, 'Create account'),
    signupErr);
  const login = h('form', { id: 'login', class: 'panel auth', 'aria-labelledby': 'login-h', onsubmit: (e) => submit(e, '/api/auth/login', loginErr) },
    h('h2', { id: 'login-h' }, 'Log in'),
    h('label', {}, 'Username ', h('input', { name: 'username', autocomplete: 'username', required: true })),
    h('label', {}, 'Password ', h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    totpField,
    h('button', { type: 'submit', class: 'primary' }, 'Log in'),
    loginErr);
  view.append(h('section', { class: 'auth-screen' },
    h('div', { class: 'intro' }, h('h1', {}, 'Welcome to Imperio'),
      h('p', {}, 'Slots, blackjack, roulette and crash, live with other players. Play money only; every coin is accounted for and every round can be verified.')),
    login, signup));
  return null;
}
